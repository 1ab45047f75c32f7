//! The tracker's REST API, reached through `http-outbound`: `POST {api_url}/repos/{owner}/{repo}/issues` (GitHub's route, which Gitea and Forgejo share under `/api/v1`).

use confab_plugin::{Error, Result, http};
use serde::Deserialize;
use serde_json::json;

use crate::{Settings, subscriptions};

/// Longest title accepted (GitHub's limit is 256 characters).
const MAX_TITLE: usize = 256;

/// The part of the tracker's answer the link needs.
#[derive(Debug, Deserialize)]
pub(crate) struct CreatedIssue {
    pub number: u64,
    pub html_url: String,
    #[serde(default)]
    pub title: String,
}

/// The request creating an issue titled `title` in `repo`.
pub(crate) fn create_request(settings: &Settings, repo: &str, title: &str) -> Result<http::Request> {
    let url = format!("{}/repos/{repo}/issues", settings.api_url.trim_end_matches('/'));
    Ok(http::Request::post_json(url, &json!({ "title": title }))?
        .with_header("Authorization", format!("Bearer {}", settings.api_token))
        .with_header("Accept", "application/vnd.github+json")
        .with_header("User-Agent", "confab-issue-tracker"))
}

/// What to tell the user about the tracker's answer to the create request.
pub(crate) fn describe_answer(repo: &str, response: &http::Response) -> String {
    if response.status == 201 || response.status == 200 {
        return match response.json::<CreatedIssue>() {
            Ok(issue) => format!("Created [{repo}#{}]({}): {}", issue.number, issue.html_url, issue.title),
            Err(e) => format!("The tracker created something but its answer is not an issue ({e})."),
        };
    }
    // GitHub and Gitea both explain a refusal in `message`.
    let why = response.json::<serde_json::Value>().ok().and_then(|v| v["message"].as_str().map(str::to_owned)).unwrap_or_else(|| response.text());
    format!("The tracker refused the issue (HTTP {}): {}", response.status, why.chars().take(300).collect::<String>())
}

/// What to tell the user when the request could not be made at all.
fn describe_failure(settings: &Settings, error: &Error) -> String {
    match error {
        Error::PermissionDenied => format!(
            "The server did not let this plugin reach `{}`: an admin must grant it `http:<that host>` \
             (and list an internal address in AllowedUntrustedInternalConnections).",
            settings.api_url
        ),
        Error::QuotaExceeded => "Too many requests to the tracker just now; try again in a moment.".into(),
        other => format!("Could not reach the tracker: {other}"),
    }
}

/// `/issue create <title>` in `channel_id`: the answer for the user.
pub(crate) fn create_from_command(settings: &Settings, channel_id: &str, title: &str) -> Result<String> {
    if title.is_empty() {
        return Ok("Give the issue a title: `/issue create <title>`.".into());
    }
    if title.chars().count() > MAX_TITLE {
        return Ok(format!("Titles are limited to {MAX_TITLE} characters."));
    }
    let Some(repo) = subscriptions::repo_of(channel_id)? else {
        return Ok("This channel is not subscribed to a repository: run `/issue subscribe owner/repo` first.".into());
    };
    if settings.api_token.is_empty() {
        return Ok("An admin must set the API token in the plugin's settings first.".into());
    }
    Ok(match http::send(&create_request(settings, &repo, title)?) {
        Ok(response) => describe_answer(&repo, &response),
        Err(e) => describe_failure(settings, &e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings { api_url: "https://api.example.com/".into(), api_token: "t0ken".into(), webhook_secret: String::new() }
    }

    fn response(status: u16, body: &str) -> http::Response {
        http::Response { status, headers: Vec::new(), body: body.as_bytes().to_vec() }
    }

    #[test]
    fn the_request_names_the_repository_and_carries_the_token() {
        let request = create_request(&settings(), "octo/hello", "It \"breaks\"").unwrap();
        assert_eq!((request.method.as_str(), request.url.as_str()), ("POST", "https://api.example.com/repos/octo/hello/issues"));
        assert!(request.headers.contains(&("Authorization".into(), "Bearer t0ken".into())));
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(), json!({ "title": "It \"breaks\"" }));
    }

    #[test]
    fn answers_become_links_or_reasons() {
        let created = response(201, r#"{"number": 7, "html_url": "https://t.example/octo/hello/issues/7", "title": "Crash"}"#);
        assert_eq!(describe_answer("octo/hello", &created), "Created [octo/hello#7](https://t.example/octo/hello/issues/7): Crash");
        let refused = response(401, r#"{"message": "Bad credentials"}"#);
        assert_eq!(describe_answer("octo/hello", &refused), "The tracker refused the issue (HTTP 401): Bad credentials");
        assert!(describe_answer("octo/hello", &response(500, "oops")).ends_with("oops"));
        assert!(describe_failure(&settings(), &Error::PermissionDenied).contains("https://api.example.com/"));
    }
}
