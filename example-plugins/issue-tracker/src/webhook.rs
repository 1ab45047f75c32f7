//! The tracker's webhook deliveries: the signature checked (HMAC-SHA256 of the body with the shared secret, in constant time), `issues`/`opened` posted as a message attachment into every subscribed channel.

use confab_plugin::prelude::*;
use confab_plugin::{log, posts};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::{Settings, subscriptions};

/// Issue text shown in the attachment; the link has the rest.
const MAX_TEXT: usize = 500;

/// The event name, as GitHub, Gitea and Forgejo each call the header.
const EVENT_HEADERS: &[&str] = &["X-GitHub-Event", "X-Gitea-Event", "X-Forgejo-Event"];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Delivery {
    pub action: String,
    pub issue: Issue,
    pub repository: Repository,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Issue {
    pub number: u64,
    pub title: String,
    pub html_url: String,
    /// `null` when the issue has no description.
    pub body: Option<String>,
    pub user: Account,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Account {
    pub login: String,
    pub html_url: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Repository {
    pub full_name: String,
    pub html_url: String,
}

/// Whether `signature` (`sha256=<hex>`, or bare hex as Gitea's own header has it) is
/// the HMAC-SHA256 of `body` under `secret`. An empty secret verifies nothing.
pub(crate) fn signature_ok(secret: &str, body: &[u8], signature: &str) -> bool {
    let hex_part = signature.trim().strip_prefix("sha256=").unwrap_or(signature.trim());
    let (false, Ok(expected)) = (secret.is_empty(), hex::decode(hex_part)) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The attachment announcing a new issue (Mattermost's `SlackAttachment` fields).
pub(crate) fn attachment(delivery: &Delivery) -> Value {
    let (issue, repo) = (&delivery.issue, &delivery.repository);
    let mut text: String = issue.body.as_deref().unwrap_or_default().chars().take(MAX_TEXT).collect();
    if issue.body.as_deref().is_some_and(|b| b.chars().count() > MAX_TEXT) {
        text.push('…');
    }
    json!({
        "fallback": format!("New issue {}#{}: {}", repo.full_name, issue.number, issue.title),
        "color": "#1f883d",
        "pretext": format!("New issue in [{}]({})", repo.full_name, repo.html_url),
        "author_name": issue.user.login,
        "author_link": issue.user.html_url,
        "title": format!("#{} {}", issue.number, issue.title),
        "title_link": issue.html_url,
        "text": text,
    })
}

/// Answer one delivery; `bot_id` is asked only when there is something to post.
pub(crate) fn deliver(settings: &Settings, request: &HttpRequest, bot_id: impl FnOnce() -> Result<String>) -> HttpResponse {
    if settings.webhook_secret.is_empty() {
        return HttpResponse::error(503, "the plugin's webhook secret is not set");
    }
    let signature = request.header("X-Hub-Signature-256").or_else(|| request.header("X-Gitea-Signature")).unwrap_or_default();
    if !signature_ok(&settings.webhook_secret, &request.body, signature) {
        return HttpResponse::error(401, "the signature does not match the webhook secret");
    }
    let event = EVENT_HEADERS.iter().find_map(|h| request.header(h)).unwrap_or_default();
    match event {
        "ping" => HttpResponse::json(200, &json!({ "ok": true })),
        "issues" => match request.json::<Delivery>() {
            Ok(delivery) if delivery.action == "opened" => post_issue(&delivery, bot_id),
            Ok(delivery) => HttpResponse::json(200, &json!({ "ignored": format!("issues/{}", delivery.action) })),
            Err(e) => HttpResponse::error(400, &format!("not an issues payload: {e}")),
        },
        other => HttpResponse::json(200, &json!({ "ignored": other })),
    }
}

/// Post the new issue into each channel subscribed to its repository.
fn post_issue(delivery: &Delivery, bot_id: impl FnOnce() -> Result<String>) -> HttpResponse {
    let Some(repo) = subscriptions::normalize(&delivery.repository.full_name) else { return HttpResponse::error(400, "the payload names no repository") };
    let channels = match subscriptions::channels_of(&repo) {
        Ok(channels) if channels.is_empty() => return HttpResponse::json(200, &json!({ "posted": 0 })),
        Ok(channels) => channels,
        Err(e) => return HttpResponse::error(500, &e.to_string()),
    };
    let bot = match bot_id() {
        Ok(bot) => bot,
        Err(e) => return HttpResponse::error(500, &e.to_string()),
    };
    let props = json!({ "attachments": [attachment(delivery)] });
    let mut posted = 0;
    for channel_id in &channels {
        // A channel deleted since it subscribed fails alone; the others still get the post.
        match Post::new(channel_id, "").by(&bot).with_props(&props).and_then(|post| posts::create(&post)) {
            Ok(_) => posted += 1,
            Err(e) => log::warn("could not post a new issue", &[("channel_id", channel_id), ("error", &e.to_string())]),
        }
    }
    HttpResponse::json(200, &json!({ "posted": posted }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_the_body() {
        // From GitHub's documentation on validating deliveries.
        let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(signature_ok("It's a Secret to Everybody", b"Hello, World!", signature));
        assert!(signature_ok("It's a Secret to Everybody", b"Hello, World!", &signature[7..]), "Gitea's bare hex");
        assert!(!signature_ok("It's a Secret to Everybody", b"Hello, World?", signature));
        assert!(!signature_ok("another secret", b"Hello, World!", signature));
        assert!(!signature_ok("", b"Hello, World!", signature));
        assert!(!signature_ok("It's a Secret to Everybody", b"Hello, World!", "sha256=zz"));
    }

    #[test]
    fn a_new_issue_becomes_an_attachment() {
        let delivery: Delivery = serde_json::from_value(json!({
            "action": "opened",
            "issue": { "number": 3, "title": "Crash", "html_url": "https://t/o/r/issues/3", "body": "x".repeat(600), "user": { "login": "ann" } },
            "repository": { "full_name": "o/r", "html_url": "https://t/o/r" },
        }))
        .unwrap();
        let a = attachment(&delivery);
        assert_eq!((a["title"].as_str(), a["title_link"].as_str(), a["author_name"].as_str()), (Some("#3 Crash"), Some("https://t/o/r/issues/3"), Some("ann")));
        assert_eq!(a["text"].as_str().unwrap().chars().count(), MAX_TEXT + 1);
        assert_eq!(a["pretext"], "New issue in [o/r](https://t/o/r)");
    }
}
