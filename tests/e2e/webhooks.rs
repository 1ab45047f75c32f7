//! Incoming and outgoing webhooks end to end: every payload shape posting, every refusal with Mattermost's status and id writing nothing, management permissions, and outgoing hooks calling real HTTP receivers on loopback.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use confab_e2e::{Backend, TestDir, TestServer, User, on_both_backends};
use confab_server::Config;
use serde_json::{Value, json};
use tokio::sync::mpsc;

on_both_backends!(
    incoming_payload_shapes_post,
    incoming_errors_write_nothing,
    hook_management_and_permissions,
    disabled_webhooks_answer_501,
    outgoing_round_trip,
    outgoing_limits_timeout_and_size,
    outgoing_to_loopback_is_refused_by_default,
    plugins_and_listeners_see_webhook_posts,
    slack_link_labels_cannot_smuggle_links,
);

/// How long a test waits for something it expects to happen.
const WAIT: Duration = Duration::from_secs(20);

/// A config that lets the server call receivers on loopback, with overrides on.
fn loopback_config() -> Config {
    Config {
        allowed_untrusted_internal_connections: "127.0.0.1".into(),
        enable_post_username_override: true,
        enable_post_icon_override: true,
        ..Config::default()
    }
}

/// The system admin `root`, `ann` (a plain member) and team `eng` (root's), with the
/// ids of `town-square` and a public channel `dev`.
struct World {
    admin: User,
    ann: User,
    team_id: String,
    town: String,
    dev: String,
}

async fn world(server: &TestServer) -> World {
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let (status, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap().to_string();
    let (status, _) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &ann.token, &json!({ "team_id": team_id, "user_id": ann.id })).await;
    assert_eq!(status, 201);
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &admin.token).await;
    let (status, dev) =
        server.post_as("/api/v4/channels", &admin.token, &json!({ "team_id": team_id, "name": "dev", "display_name": "Dev", "type": "O" })).await;
    assert_eq!(status, 201, "{dev}");
    let (status, _) = server.post_as(&format!("/api/v4/channels/{}/members", dev["id"].as_str().unwrap()), &ann.token, &json!({ "user_id": ann.id })).await;
    assert_eq!(status, 201);
    World { team_id, town: town["id"].as_str().unwrap().to_string(), dev: dev["id"].as_str().unwrap().to_string(), admin, ann }
}

/// The posts of a channel, newest first.
async fn posts(server: &TestServer, token: &str, channel_id: &str) -> Vec<Value> {
    let (status, list) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts?per_page=200"), token).await;
    assert_eq!(status, 200, "{list}");
    list["order"].as_array().unwrap().iter().map(|id| list["posts"][id.as_str().unwrap()].clone()).collect()
}

/// Wait (bounded) for a post in the channel that `matches`.
async fn wait_for_post(server: &TestServer, token: &str, channel_id: &str, matches: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(post) = posts(server, token, channel_id).await.into_iter().find(&matches) {
            return post;
        }
        assert!(tokio::time::Instant::now() < deadline, "no matching post within {WAIT:?}: {:#?}", posts(server, token, channel_id).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn create_incoming(server: &TestServer, token: &str, body: Value) -> Value {
    let (status, hook) = server.post_as("/api/v4/hooks/incoming", token, &body).await;
    assert_eq!(status, 201, "{hook}");
    hook
}

/// POST `/hooks/{id}` with a raw body and content type (`None`: no header).
async fn send_hook(server: &TestServer, hook_id: &str, content_type: Option<&str>, body: impl Into<reqwest::Body>) -> (u16, String, String) {
    let mut request = server.client.post(server.url(&format!("/hooks/{hook_id}"))).body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.expect("hook request");
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

/// POST a JSON payload to `/hooks/{id}`; panics unless it answers `ok`.
async fn post_ok(server: &TestServer, hook_id: &str, payload: Value) {
    let (status, content_type, body) = send_hook(server, hook_id, Some("application/json"), payload.to_string()).await;
    assert_eq!((status, body.as_str()), (200, "ok"), "{payload}");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
}

/// A multipart/form-data body of text fields.
fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "confab-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn incoming_payload_shapes_post(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "webhooks::shapes", Config { data_dir: dir.path().to_path_buf(), ..loopback_config() }).await else {
        return;
    };
    let w = world(&server).await;
    let hook = create_incoming(&server, &w.admin.token, json!({ "channel_id": w.town, "display_name": "CI", "username": "ci-default" })).await;
    let id = hook["id"].as_str().unwrap();
    assert_eq!(id.len(), 26);
    assert_eq!((hook["team_id"].as_str(), hook["user_id"].as_str()), (Some(w.team_id.as_str()), Some(w.admin.id.as_str())));

    // JSON with the JSON content type, with none, and with an unrelated one.
    post_ok(&server, id, json!({ "text": "json typed" })).await;
    let (status, _, body) = send_hook(&server, id, None, json!({ "text": "json untyped" }).to_string()).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let (status, _, body) = send_hook(&server, id, Some("text/plain; charset=utf-8"), json!({ "text": "json odd type" }).to_string()).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    // Slack's form encoding.
    let form = format!("payload={}", urlencode(&json!({ "text": "from a form & more" }).to_string()));
    let (status, _, body) = send_hook(&server, id, Some("application/x-www-form-urlencoded"), form).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    // Multipart fields.
    let (content_type, body) = multipart(&[("text", "from multipart"), ("channel", "dev")]);
    let (status, _, answer) = send_hook(&server, id, Some(&content_type), body).await;
    assert_eq!((status, answer.as_str()), (200, "ok"));
    // Sloppy JSON: a raw newline and tab inside the text.
    let (status, _, body) = send_hook(&server, id, Some("application/json"), "{\"text\": \"line one\nline\ttwo\"}").await;
    assert_eq!((status, body.as_str()), (200, "ok"));

    let town = posts(&server, &w.admin.token, &w.town).await;
    let messages: Vec<&str> = town.iter().map(|p| p["message"].as_str().unwrap()).collect();
    for expected in ["json typed", "json untyped", "json odd type", "from a form & more", "line one\nline\ttwo"] {
        assert!(messages.contains(&expected), "{expected:?} missing from {messages:?}");
    }
    let first = town.iter().find(|p| p["message"] == "json typed").unwrap();
    assert_eq!(first["user_id"], w.admin.id.as_str(), "posted as the hook's owner");
    assert_eq!(first["props"]["from_webhook"], "true");
    assert_eq!(first["props"]["webhook_display_name"], "CI");
    assert_eq!(first["props"]["override_username"], "ci-default", "the hook's username when the request has none");
    let dev = posts(&server, &w.admin.token, &w.dev).await;
    assert_eq!(dev[0]["message"], "from multipart", "multipart `channel` redirects");

    // Channel redirects: `#name`, `name`, `@user` (a direct channel with the owner, made on demand).
    post_ok(&server, id, json!({ "text": "to #dev", "channel": "#dev" })).await;
    post_ok(&server, id, json!({ "text": "to dev", "channel": "dev" })).await;
    post_ok(&server, id, json!({ "text": "to ann", "channel": "@ann" })).await;
    let dev = posts(&server, &w.admin.token, &w.dev).await;
    assert_eq!((dev[0]["message"].as_str(), dev[1]["message"].as_str()), (Some("to dev"), Some("to #dev")));
    let (status, dm) = server.post_as("/api/v4/channels/direct", &w.ann.token, &json!([w.ann.id, w.admin.id])).await;
    assert_eq!(status, 201);
    let dm_posts = posts(&server, &w.ann.token, dm["id"].as_str().unwrap()).await;
    assert_eq!((dm_posts.len(), dm_posts[0]["message"].as_str()), (1, Some("to ann")));

    // Props (reserved ones ignored), type, priority, overrides.
    post_ok(
        &server,
        id,
        json!({
            "text": "with extras", "props": { "card": "**details**", "from_webhook": "false", "override_username": "sneaky" },
            "type": "custom_build", "priority": { "priority": "urgent", "requested_ack": true },
            "username": "ci-bot", "icon_url": "https://ci.example/icon.png", "icon_emoji": ":robot:",
        }),
    )
    .await;
    let post = &posts(&server, &w.admin.token, &w.town).await[0];
    assert_eq!(post["message"], "with extras");
    assert_eq!(post["type"], "custom_build");
    assert_eq!(post["props"]["card"], "**details**");
    assert_eq!(post["props"]["from_webhook"], "true");
    assert_eq!(post["props"]["override_username"], "ci-bot");
    assert_eq!(post["props"]["override_icon_url"], "https://ci.example/icon.png");
    assert_eq!(post["props"]["override_icon_emoji"], ":robot:");
    assert_eq!(post["metadata"]["priority"], json!({ "priority": "urgent", "requested_ack": true }));
    let (status, read_back) = server.get_as(&format!("/api/v4/posts/{}", post["id"].as_str().unwrap()), &w.ann.token).await;
    assert_eq!((status, &read_back["metadata"]["priority"]["priority"]), (200, &json!("urgent")));

    // A hook without a username, overrides on: Mattermost's "webhook".
    let plain = create_incoming(&server, &w.admin.token, json!({ "channel_id": w.town })).await;
    post_ok(&server, plain["id"].as_str().unwrap(), json!({ "text": "default name" })).await;
    assert_eq!(posts(&server, &w.admin.token, &w.town).await[0]["props"]["override_username"], "webhook");

    // Attachments without text: stored as Mattermost does, Slack markup converted inside.
    post_ok(
        &server,
        id,
        json!({ "type": "custom_ignored", "attachments": [{ "fallback": "Build failed", "color": "danger", "title": "main", "pretext": "<!here> see <https://ci.example/42|build 42>",
            "fields": [{ "title": "Duration", "value": 3, "short": "true" }] }] }),
    )
    .await;
    let post = &posts(&server, &w.admin.token, &w.town).await[0];
    assert_eq!(post["type"], "slack_attachment", "{post}");
    let attachment = &post["props"]["attachments"][0];
    assert_eq!((attachment["id"].as_i64(), attachment["title"].as_str()), (Some(1), Some("main")), "{post}");
    assert_eq!(attachment["pretext"], "@here see [build 42](https://ci.example/42)");
    assert_eq!((attachment["fields"][0]["value"].as_str(), attachment["fields"][0]["short"].as_bool()), (Some("3"), Some(true)));

    // Slack markup in the text.
    post_ok(&server, id, json!({ "text": format!("<!channel> ping <@{}>: <https://ci.example/42|build 42> and <https://ci.example/43>", w.ann.id) })).await;
    let post = &posts(&server, &w.admin.token, &w.town).await[0];
    assert_eq!(post["message"], "@channel ping @ann: [build 42](https://ci.example/42) and https://ci.example/43");

    // Over the maximum post size: split into several posts, in order.
    let long = format!("{}{}{}", "a".repeat(16_383), "b".repeat(16_383), "c".repeat(5));
    post_ok(&server, id, json!({ "text": long, "props": { "card": "kept" } })).await;
    let town = posts(&server, &w.admin.token, &w.town).await;
    let (last, middle, first) = (&town[0], &town[1], &town[2]);
    assert_eq!(first["message"], "a".repeat(16_383));
    assert_eq!(middle["message"], "b".repeat(16_383));
    assert_eq!(last["message"], "ccccc");
    assert!([first, middle, last].iter().all(|p| p["props"]["card"] == "kept" && p["props"]["from_webhook"] == "true"));
    server.stop().await;
}

/// Percent-encoding for a form value.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Every post of every channel `user` can list in the team, plus their direct channels.
async fn everything(server: &TestServer, user: &User, team_id: &str) -> (usize, usize) {
    let (status, channels) = server.get_as(&format!("/api/v4/users/me/teams/{team_id}/channels"), &user.token).await;
    assert_eq!(status, 200);
    let channels = channels.as_array().unwrap();
    let mut count = 0;
    for channel in channels {
        count += posts(server, &user.token, channel["id"].as_str().unwrap()).await.len();
    }
    (channels.len(), count)
}

async fn incoming_errors_write_nothing(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "webhooks::errors", Config { data_dir: dir.path().to_path_buf(), ..loopback_config() }).await else {
        return;
    };
    let w = world(&server).await;
    let hook = create_incoming(&server, &w.admin.token, json!({ "channel_id": w.town, "display_name": "CI" })).await;
    let id = hook["id"].as_str().unwrap().to_string();
    let locked = create_incoming(&server, &w.admin.token, json!({ "channel_id": w.town, "channel_locked": true })).await;
    let locked = locked["id"].as_str().unwrap().to_string();
    // ann's own team, where she is team admin: her hook, and carol's private channel she is not in.
    let carol = server.signup("carol").await;
    let (status, ops) = server.post_as("/api/v4/teams", &w.ann.token, &json!({ "name": "ops", "display_name": "Ops", "type": "O" })).await;
    assert_eq!(status, 201);
    let ops_id = ops["id"].as_str().unwrap();
    let (status, _) = server.post_as(&format!("/api/v4/teams/{ops_id}/members"), &carol.token, &json!({ "team_id": ops_id, "user_id": carol.id })).await;
    assert_eq!(status, 201);
    let (status, _) =
        server.post_as("/api/v4/channels", &carol.token, &json!({ "team_id": ops_id, "name": "secret", "display_name": "Secret", "type": "P" })).await;
    assert_eq!(status, 201);
    let (_, ops_town) = server.get_as(&format!("/api/v4/teams/{ops_id}/channels/name/town-square"), &w.ann.token).await;
    let anns = create_incoming(&server, &w.ann.token, json!({ "channel_id": ops_town["id"] })).await;
    let anns = anns["id"].as_str().unwrap().to_string();

    let before = (everything(&server, &w.admin, &w.team_id).await, everything(&server, &w.ann, &w.team_id).await, everything(&server, &carol, ops_id).await);
    let unknown = "a".repeat(26);
    let cases: Vec<(&str, Option<&str>, String, u16, &str)> = vec![
        (&unknown, None, json!({ "text": "x" }).to_string(), 400, "web.incoming_webhook.invalid.app_error"),
        ("not-an-id", None, json!({ "text": "x" }).to_string(), 400, "web.incoming_webhook.invalid.app_error"),
        (&id, None, json!({ "username": "x" }).to_string(), 400, "web.incoming_webhook.text.app_error"),
        (&id, None, json!({ "text": "", "attachments": [] }).to_string(), 400, "web.incoming_webhook.text.app_error"),
        (&id, Some("application/json"), "{\"text\": ".to_string(), 400, "model.incoming_hook.parse_data.app_error"),
        (&id, Some("application/x-www-form-urlencoded"), "payload=%7Bnot+json".to_string(), 400, "model.incoming_hook.parse_data.app_error"),
        (&id, Some("nonsense"), json!({ "text": "x" }).to_string(), 400, "api.webhook.incoming.error"),
        (&id, Some("multipart/form-data"), "no boundary".to_string(), 400, "api.webhook.incoming.error"),
        (&id, None, json!({ "text": "x", "channel": "nope" }).to_string(), 404, "web.incoming_webhook.channel.app_error"),
        (&id, None, json!({ "text": "x", "channel": "#nope" }).to_string(), 404, "web.incoming_webhook.channel.app_error"),
        (&id, None, json!({ "text": "x", "channel": "@nobody" }).to_string(), 400, "web.incoming_webhook.user.app_error"),
        (&locked, None, json!({ "text": "x", "channel": "dev" }).to_string(), 403, "web.incoming_webhook.channel_locked.app_error"),
        (&locked, None, json!({ "text": "x", "channel": "@ann" }).to_string(), 403, "web.incoming_webhook.channel_locked.app_error"),
        (&anns, None, json!({ "text": "x", "channel": "secret" }).to_string(), 403, "web.incoming_webhook.permissions.app_error"),
        (&id, None, json!({ "text": "x", "type": "system_join_channel" }).to_string(), 400, "api.context.invalid_param.app_error"),
        (&id, None, json!({ "text": "x", "priority": {} }).to_string(), 400, "api.context.invalid_param.app_error"),
        (&id, None, json!({ "text": "x", "priority": { "priority": "whenever" } }).to_string(), 400, "api.context.invalid_param.app_error"),
        (&id, None, json!({ "text": "x", "attachments": "nope" }).to_string(), 400, "model.slack_attachment.is_valid.app_error"),
        (&id, None, json!({ "attachments": [{ "color": "purple", "text": "x" }] }).to_string(), 400, "model.slack_attachment.is_valid.app_error"),
        (
            &id,
            None,
            json!({ "text": "x", "attachments": [{ "title_link": "https://x.example" }] }).to_string(),
            400,
            "model.slack_attachment.is_valid.app_error",
        ),
        (&id, None, json!({ "text": "x", "props": { "big": "x".repeat(800_000) } }).to_string(), 400, "web.incoming_webhook.split_props_length.app_error"),
    ];
    for (hook_id, content_type, body, status, error_id) in cases {
        let (got, _, text) = send_hook(&server, hook_id, content_type, body.clone()).await;
        let error: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not a JSON error: {text}"));
        assert_eq!((got, error["id"].as_str()), (status, Some(error_id)), "{} {content_type:?} -> {text}", &body[..body.len().min(80)]);
        assert_eq!(error["status_code"], status);
    }
    // The locked hook still posts to its own channel, by default or by name.
    let (status, _, _) = send_hook(&server, &locked, None, json!({ "text": "locked ok", "channel": "town-square" }).to_string()).await;
    assert_eq!(status, 200);
    let after = (everything(&server, &w.admin, &w.team_id).await, everything(&server, &w.ann, &w.team_id).await, everything(&server, &carol, ops_id).await);
    assert_eq!(after.0, (before.0.0, before.0.1 + 1), "only the locked hook's own post was written; no direct channel was made");
    assert_eq!(after.1, (before.1.0, before.1.1 + 1));
    assert_eq!(after.2, before.2, "nothing in the private channel");
    server.stop().await;
}

async fn hook_management_and_permissions(backend: Backend) {
    let dir = TestDir::new();
    // Default settings: username and icon overrides are off.
    let Some(server) = TestServer::start_on(&dir, backend, "webhooks::crud").await else { return };
    let w = world(&server).await;

    // A plain team member manages no webhooks (Mattermost's default roles).
    let (status, error) = server.post_as("/api/v4/hooks/incoming", &w.ann.token, &json!({ "channel_id": w.town })).await;
    assert_eq!((status, error["id"].as_str()), (403, Some("api.context.permissions.app_error")));
    let (status, _) = server.get_as(&format!("/api/v4/hooks/incoming?team_id={}", w.team_id), &w.ann.token).await;
    assert_eq!(status, 403);
    let outgoing = json!({ "team_id": w.team_id, "trigger_words": ["deploy"], "callback_urls": ["http://ci.example/hook"] });
    let (status, _) = server.post_as("/api/v4/hooks/outgoing", &w.ann.token, &outgoing).await;
    assert_eq!(status, 403);
    let (status, _) = server.get_as("/api/v4/hooks/incoming", "").await;
    assert_eq!(status, 401);

    // Validation.
    let (status, error) = server.post_as("/api/v4/hooks/incoming", &w.admin.token, &json!({ "channel_id": w.town, "display_name": "x".repeat(65) })).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("model.incoming_hook.display_name.app_error")));
    let (status, error) = server.post_as("/api/v4/hooks/incoming", &w.admin.token, &json!({ "channel_id": "nope" })).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("model.incoming_hook.channel_id.app_error")));

    // Create (overrides off: username and icon are blanked), read, list, update, delete.
    let hook = create_incoming(
        &server,
        &w.admin.token,
        json!({ "channel_id": w.town, "display_name": "CI", "description": "builds", "username": "ci", "icon_url": "https://x.example/i.png" }),
    )
    .await;
    let id = hook["id"].as_str().unwrap();
    assert_eq!((hook["username"].as_str(), hook["icon_url"].as_str(), hook["channel_locked"].as_bool()), (Some(""), Some(""), Some(false)));
    assert!(hook["create_at"].as_i64().unwrap() > 0);
    let (status, got) = server.get_as(&format!("/api/v4/hooks/incoming/{id}"), &w.admin.token).await;
    assert_eq!((status, &got), (200, &hook));
    let (status, got) = server.get_as(&format!("/api/v4/hooks/incoming/{id}"), &w.ann.token).await;
    assert_eq!(status, 403, "{got}");
    let (status, list) = server.get_as(&format!("/api/v4/hooks/incoming?team_id={}", w.team_id), &w.admin.token).await;
    assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(1)));
    let (status, counted) = server.get_as("/api/v4/hooks/incoming?include_total_count=true&per_page=1", &w.admin.token).await;
    assert_eq!((status, counted["total_count"].as_i64(), counted["incoming_webhooks"][0]["id"].as_str()), (200, Some(1), Some(id)));
    let (status, error) = server.get_as("/api/v4/hooks/incoming", &w.ann.token).await;
    assert_eq!((status, error["id"].as_str()), (403, Some("api.context.permissions.app_error")), "without a team the permission is system-wide");
    let (status, error) = server.get_as("/api/v4/hooks/incoming?page=x", &w.admin.token).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("api.context.invalid_url_param.app_error")));

    let mut update = hook.clone();
    update["display_name"] = json!("CI 2");
    update["channel_id"] = json!(w.dev);
    update["channel_locked"] = json!(true);
    let (status, updated) = server.put_as(&format!("/api/v4/hooks/incoming/{id}"), &w.admin.token, &update).await;
    assert_eq!(
        (status, updated["display_name"].as_str(), updated["channel_id"].as_str(), updated["channel_locked"].as_bool()),
        (200, Some("CI 2"), Some(w.dev.as_str()), Some(true))
    );
    let (status, error) = server.put_as(&format!("/api/v4/hooks/incoming/{}", "b".repeat(26)), &w.admin.token, &update).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("api.context.invalid_param.app_error")), "the body's id must match");
    // A channel of another team.
    let (_, other) = server.post_as("/api/v4/teams", &w.admin.token, &json!({ "name": "other", "display_name": "Other", "type": "O" })).await;
    let (_, other_town) = server.get_as(&format!("/api/v4/teams/{}/channels/name/town-square", other["id"].as_str().unwrap()), &w.admin.token).await;
    update["channel_id"] = other_town["id"].clone();
    let (status, error) = server.put_as(&format!("/api/v4/hooks/incoming/{id}"), &w.admin.token, &update).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("api.webhook.team_mismatch.app_error")));
    let (status, _) = server.put_as(&format!("/api/v4/hooks/incoming/{id}"), &w.ann.token, &update).await;
    assert_eq!(status, 403);

    // Posting works until the hook is deleted; then the id is unknown (400, as in Mattermost).
    post_ok(&server, id, json!({ "text": "before delete", "username": "ignored" })).await;
    let post = &posts(&server, &w.admin.token, &w.dev).await[0];
    assert_eq!(post["message"], "before delete");
    assert!(post["props"].get("override_username").is_none(), "overrides are off: {post}");
    let (status, _) = server.delete_as(&format!("/api/v4/hooks/incoming/{id}"), &w.ann.token).await;
    assert_eq!(status, 403);
    let (status, body) = server.delete_as(&format!("/api/v4/hooks/incoming/{id}"), &w.admin.token).await;
    assert_eq!((status, body), (200, json!({ "status": "OK" })));
    let (status, error) = server.get_as(&format!("/api/v4/hooks/incoming/{id}"), &w.admin.token).await;
    assert_eq!((status, error["id"].as_str()), (404, Some("app.webhooks.get_incoming.app_error")));
    let (status, _, text) = send_hook(&server, id, None, json!({ "text": "after delete" }).to_string()).await;
    assert_eq!(status, 400, "{text}");

    // A team admin (ann in her own team) manages that team's hooks, not others'.
    let (_, ops) = server.post_as("/api/v4/teams", &w.ann.token, &json!({ "name": "ops", "display_name": "Ops", "type": "O" })).await;
    let ops_id = ops["id"].as_str().unwrap();
    let (_, ops_town) = server.get_as(&format!("/api/v4/teams/{ops_id}/channels/name/town-square"), &w.ann.token).await;
    let anns = create_incoming(&server, &w.ann.token, json!({ "channel_id": ops_town["id"] })).await;
    assert_eq!(anns["user_id"], w.ann.id.as_str());
    let (status, list) = server.get_as(&format!("/api/v4/hooks/incoming?team_id={ops_id}"), &w.ann.token).await;
    assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(1)));
    let (status, _) = server.get_as("/api/v4/hooks/incoming", &w.ann.token).await;
    assert_eq!(status, 403, "a team admin is not a system admin");
    let (status, _) = server.get_as("/api/v4/hooks/outgoing", &w.ann.token).await;
    assert_eq!(status, 403);

    // Outgoing: rules, create, regenerate the token, update, list, delete.
    let (status, private) =
        server.post_as("/api/v4/channels", &w.admin.token, &json!({ "team_id": w.team_id, "name": "priv", "display_name": "Priv", "type": "P" })).await;
    assert_eq!(status, 201);
    let bad_cases = [
        (
            json!({ "team_id": w.team_id, "channel_id": private["id"], "callback_urls": ["http://ci.example/x"] }),
            403,
            "api.webhook.create_outgoing.not_open.app_error",
        ),
        (
            json!({ "team_id": w.team_id, "channel_id": other_town["id"], "callback_urls": ["http://ci.example/x"] }),
            403,
            "api.webhook.create_outgoing.permissions.app_error",
        ),
        (json!({ "team_id": w.team_id, "callback_urls": ["http://ci.example/x"] }), 400, "api.webhook.create_outgoing.triggers.app_error"),
        (json!({ "team_id": w.team_id, "trigger_words": ["x"], "callback_urls": ["ci.example/x"] }), 400, "model.outgoing_hook.is_valid.url.app_error"),
        (json!({ "team_id": w.team_id, "trigger_words": ["x"], "callback_urls": [] }), 400, "model.outgoing_hook.is_valid.callback.app_error"),
        (
            json!({ "team_id": w.team_id, "trigger_words": ["x"], "trigger_when": 2, "callback_urls": ["http://ci.example/x"] }),
            400,
            "model.outgoing_hook.is_valid.trigger_when.app_error",
        ),
        (json!({ "team_id": "c".repeat(26), "trigger_words": ["x"], "callback_urls": ["http://ci.example/x"] }), 404, "app.team.get.find.app_error"),
    ];
    for (body, status, error_id) in bad_cases {
        let (got, error) = server.post_as("/api/v4/hooks/outgoing", &w.admin.token, &body).await;
        assert_eq!((got, error["id"].as_str()), (status, Some(error_id)), "{body}");
    }
    let (status, out) = server.post_as("/api/v4/hooks/outgoing", &w.admin.token, &outgoing).await;
    assert_eq!(status, 201, "{out}");
    let out_id = out["id"].as_str().unwrap();
    assert_eq!((out["token"].as_str().map(str::len), out["creator_id"].as_str()), (Some(26), Some(w.admin.id.as_str())));
    assert_eq!((out["content_type"].as_str(), out["trigger_when"].as_i64()), (Some("application/x-www-form-urlencoded"), Some(0)));
    let (status, error) = server.post_as("/api/v4/hooks/outgoing", &w.admin.token, &outgoing).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("api.webhook.create_outgoing.intersect.app_error")), "same trigger word and URL");
    let (status, regenerated) = server.post_as(&format!("/api/v4/hooks/outgoing/{out_id}/regen_token"), &w.admin.token, &json!({})).await;
    assert_eq!(status, 200);
    assert_ne!(regenerated["token"], out["token"]);
    let (status, _) = server.post_as(&format!("/api/v4/hooks/outgoing/{out_id}/regen_token"), &w.ann.token, &json!({})).await;
    assert_eq!(status, 403);
    let mut update = regenerated.clone();
    update["trigger_words"] = json!(["ship", "deploy"]);
    update["trigger_when"] = json!(1);
    update["channel_id"] = json!(w.dev);
    update["content_type"] = json!("application/json");
    let (status, updated) = server.put_as(&format!("/api/v4/hooks/outgoing/{out_id}"), &w.admin.token, &update).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["trigger_words"].clone(), updated["token"].clone(), updated["channel_id"].clone()),
        (json!(["ship", "deploy"]), regenerated["token"].clone(), json!(w.dev))
    );
    let (status, got) = server.get_as(&format!("/api/v4/hooks/outgoing/{out_id}"), &w.admin.token).await;
    assert_eq!((status, &got), (200, &updated));
    for query in [format!("team_id={}", w.team_id), format!("channel_id={}", w.dev), String::new()] {
        let (status, list) = server.get_as(&format!("/api/v4/hooks/outgoing?{query}"), &w.admin.token).await;
        assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(1)), "{query}");
    }
    let (status, list) = server.get_as(&format!("/api/v4/hooks/outgoing?channel_id={}", w.town), &w.admin.token).await;
    assert_eq!((status, list), (200, json!([])));
    let (status, _) = server.get_as(&format!("/api/v4/hooks/outgoing?team_id={}", w.team_id), &w.ann.token).await;
    assert_eq!(status, 403);
    let (status, _) = server.delete_as(&format!("/api/v4/hooks/outgoing/{out_id}"), &w.admin.token).await;
    assert_eq!(status, 200);
    let (status, error) = server.get_as(&format!("/api/v4/hooks/outgoing/{out_id}"), &w.admin.token).await;
    assert_eq!((status, error["id"].as_str()), (404, Some("app.webhooks.get_outgoing.app_error")));
    server.stop().await;
}

async fn disabled_webhooks_answer_501(backend: Backend) {
    let dir = TestDir::new();
    let config = Config { enable_incoming_webhooks: false, enable_outgoing_webhooks: false, ..Config::default() };
    let Some(server) = TestServer::start_on_with(backend, "webhooks::disabled", Config { data_dir: dir.path().to_path_buf(), ..config }).await else { return };
    let w = world(&server).await;
    let (status, error) = server.post_as("/api/v4/hooks/incoming", &w.admin.token, &json!({ "channel_id": w.town })).await;
    assert_eq!((status, error["id"].as_str()), (501, Some("api.incoming_webhook.disabled.app_error")));
    let (status, error) = server.get_as("/api/v4/hooks/outgoing", &w.admin.token).await;
    assert_eq!((status, error["id"].as_str()), (501, Some("api.outgoing_webhook.disabled.app_error")));
    let (status, _, text) = send_hook(&server, &"a".repeat(26), None, json!({ "text": "x" }).to_string()).await;
    assert_eq!(status, 501, "{text}");
    assert!(text.contains("web.incoming_webhook.disabled.app_error"), "{text}");
    server.stop().await;
}

/// One call a receiver got.
#[derive(Debug, Clone)]
struct Call {
    path: String,
    content_type: String,
    body: String,
}

/// A tiny HTTP server on loopback that records every call and answers with what
/// `respond` says for the path (after the given delay).
struct Receiver {
    base: String,
    calls: Arc<Mutex<Vec<Call>>>,
    arrivals: mpsc::UnboundedReceiver<Call>,
    /// Per finished call: its path, and whether the answer was handed over (`false`:
    /// the caller hung up first and the handler was dropped).
    finished: mpsc::UnboundedReceiver<(String, bool)>,
}

/// Reports how a call's handler ended, even when it is dropped half-way.
struct Finish {
    tx: mpsc::UnboundedSender<(String, bool)>,
    path: String,
    answered: bool,
}

impl Drop for Finish {
    fn drop(&mut self) {
        let _ = self.tx.send((self.path.clone(), self.answered));
    }
}

/// What a receiver answers to a call: after how long, with what body.
type Answer = Pin<Box<dyn Future<Output = (Duration, String)> + Send>>;
type Respond = Arc<dyn Fn(Call) -> Answer + Send + Sync>;

impl Receiver {
    async fn start(respond: impl Fn(Call) -> Answer + Send + Sync + 'static) -> Receiver {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let (arrived_tx, arrivals) = mpsc::unbounded_channel();
        let (finished_tx, finished) = mpsc::unbounded_channel();
        let respond: Respond = Arc::new(respond);
        let app = Router::new().fallback({
            let calls = calls.clone();
            move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
                let (calls, respond, arrived_tx, finished_tx) = (calls.clone(), respond.clone(), arrived_tx.clone(), finished_tx.clone());
                async move {
                    let call = Call {
                        path: uri.path().to_string(),
                        content_type: headers.get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    calls.lock().unwrap().push(call.clone());
                    let _ = arrived_tx.send(call.clone());
                    let mut finish = Finish { tx: finished_tx, path: call.path.clone(), answered: false };
                    let (delay, answer) = respond(call.clone()).await;
                    tokio::time::sleep(delay).await;
                    // Reported as the body is handed to hyper; a server that is still
                    // waiting reads it within milliseconds.
                    finish.answered = true;
                    ([("content-type", "application/json")], answer)
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { base, calls, arrivals, finished }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The next call (bounded wait).
    async fn next_call(&mut self) -> Call {
        tokio::time::timeout(WAIT, self.arrivals.recv()).await.expect("a call within the wait").expect("receiver running")
    }

    /// Wait until the handler of a call to `path` ended; `true` when it answered,
    /// `false` when the caller hung up before.
    async fn wait_finished(&mut self, path: &str) -> bool {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let (finished, answered) = tokio::time::timeout_at(deadline, self.finished.recv()).await.expect("a finished call within the wait").unwrap();
            if finished == path {
                return answered;
            }
        }
    }

    fn count(&self, path: &str) -> usize {
        self.calls.lock().unwrap().iter().filter(|c| c.path == path).count()
    }
}

/// Form fields of a body.
fn form_fields(body: &str) -> std::collections::HashMap<String, String> {
    body.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

async fn create_outgoing(server: &TestServer, token: &str, body: Value) -> Value {
    let (status, hook) = server.post_as("/api/v4/hooks/outgoing", token, &body).await;
    assert_eq!(status, 201, "{hook}");
    hook
}

async fn say(server: &TestServer, user: &User, channel_id: &str, message: &str) -> Value {
    let (status, post) = server.post_as("/api/v4/posts", &user.token, &json!({ "channel_id": channel_id, "message": message })).await;
    assert_eq!(status, 201, "{post}");
    post
}

async fn outgoing_round_trip(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "webhooks::outgoing", Config { data_dir: dir.path().to_path_buf(), ..loopback_config() }).await
    else {
        return;
    };
    let w = world(&server).await;
    // The two JSON callbacks answer only once both calls have arrived (or after 10 s):
    // sequential calls would make the first one answer "alone".
    let both_arrived = Arc::new(tokio::sync::Barrier::new(2));
    let mut receiver = Receiver::start({
        let both_arrived = both_arrived.clone();
        move |call| {
            let barrier = both_arrived.clone();
            Box::pin(async move {
                match call.path.as_str() {
                    "/form" => (
                        Duration::ZERO,
                        json!({ "text": "deploy started", "response_type": "comment", "props": { "build": 7 }, "attachments": [{ "text": "<!here> log: <https://ci.example/7|#7>" }] }).to_string(),
                    ),
                    "/json-a" | "/json-b" => {
                        let together = tokio::time::timeout(Duration::from_secs(10), barrier.wait()).await.is_ok();
                        let text = format!("{} {}", &call.path[1..], if together { "together" } else { "alone" });
                        (Duration::ZERO, json!({ "text": text, "username": "builder" }).to_string())
                    }
                    // An empty body is no reply.
                    _ => (Duration::ZERO, String::new()),
                }
            })
        }
    })
    .await;

    let form = create_outgoing(
        &server,
        &w.admin.token,
        json!({ "team_id": w.team_id, "display_name": "Deployer", "trigger_words": ["deploy"], "callback_urls": [receiver.url("/form")], "username": "deploy-bot" }),
    )
    .await;
    let json_hook = create_outgoing(
        &server,
        &w.admin.token,
        json!({ "team_id": w.team_id, "trigger_words": ["build"], "trigger_when": 1, "content_type": "application/json", "callback_urls": [receiver.url("/json-a"), receiver.url("/json-b")] }),
    )
    .await;
    let bound =
        create_outgoing(&server, &w.admin.token, json!({ "team_id": w.team_id, "channel_id": w.dev, "callback_urls": [receiver.url("/channel")] })).await;

    // Never in private channels, never for webhook posts, not when the first word does not match.
    let (status, private) =
        server.post_as("/api/v4/channels", &w.ann.token, &json!({ "team_id": w.team_id, "name": "priv", "display_name": "Priv", "type": "P" })).await;
    assert_eq!(status, 201);
    say(&server, &w.ann, private["id"].as_str().unwrap(), "deploy in private").await;
    let incoming = create_incoming(&server, &w.admin.token, json!({ "channel_id": w.town })).await;
    post_ok(&server, incoming["id"].as_str().unwrap(), json!({ "text": "deploy from a webhook" })).await;
    say(&server, &w.ann, &w.town, "please deploy").await;
    say(&server, &w.ann, &w.town, "deployment is exact-match only").await;

    // Form round trip: `trigger_when` 0, seconds, a threaded reply with from_webhook.
    let post = say(&server, &w.ann, &w.town, "deploy api prod").await;
    let call = receiver.next_call().await;
    assert_eq!(call.path, "/form", "the first call is the matching post's: {call:?}");
    assert_eq!(call.content_type, "application/x-www-form-urlencoded");
    let fields = form_fields(&call.body);
    let create_at = post["create_at"].as_i64().unwrap();
    assert_eq!(fields["token"], form["token"].as_str().unwrap());
    assert_eq!(fields["timestamp"], (create_at / 1000).to_string(), "form sends seconds");
    assert_eq!((fields["text"].as_str(), fields["trigger_word"].as_str(), fields["user_name"].as_str()), ("deploy api prod", "deploy", "ann"));
    assert_eq!(
        (fields["team_domain"].as_str(), fields["channel_name"].as_str(), fields["post_id"].as_str()),
        ("eng", "town-square", post["id"].as_str().unwrap())
    );
    assert_eq!(
        (fields["user_id"].as_str(), fields["channel_id"].as_str(), fields["team_id"].as_str()),
        (w.ann.id.as_str(), w.town.as_str(), w.team_id.as_str())
    );
    let reply = wait_for_post(&server, &w.admin.token, &w.town, |p| p["message"] == "deploy started").await;
    assert_eq!(reply["root_id"], post["id"], "response_type comment replies in the thread");
    assert_eq!((reply["user_id"].as_str(), reply["props"]["from_webhook"].as_str()), (Some(w.admin.id.as_str()), Some("true")));
    assert_eq!((reply["props"]["webhook_display_name"].as_str(), reply["props"]["build"].as_i64()), (Some("Deployer"), Some(7)));
    assert_eq!(reply["props"]["override_username"], "deploy-bot", "the hook's username");
    assert_eq!(
        (reply["type"].as_str(), reply["props"]["attachments"][0]["text"].as_str()),
        (Some("slack_attachment"), Some("@here log: [#7](https://ci.example/7)"))
    );

    // JSON round trip: `trigger_when` 1, milliseconds, both URLs called at once, root posts.
    let post = say(&server, &w.ann, &w.town, "buildbot go").await;
    let a = wait_for_post(&server, &w.admin.token, &w.town, |p| p["message"].as_str().is_some_and(|m| m.starts_with("json-a"))).await;
    let b = wait_for_post(&server, &w.admin.token, &w.town, |p| p["message"].as_str().is_some_and(|m| m.starts_with("json-b"))).await;
    assert_eq!((a["message"].as_str(), b["message"].as_str()), (Some("json-a together"), Some("json-b together")), "the callback URLs are called concurrently");
    assert_eq!((a["root_id"].as_str(), a["props"]["override_username"].as_str()), (Some(""), Some("builder")));
    let json_call = receiver.calls.lock().unwrap().iter().find(|c| c.path == "/json-a").cloned().unwrap();
    assert_eq!(json_call.content_type, "application/json");
    let payload: Value = serde_json::from_str(&json_call.body).unwrap();
    assert_eq!(payload["timestamp"], post["create_at"], "JSON sends milliseconds");
    assert_eq!(
        (payload["token"].clone(), payload["trigger_word"].clone(), payload["file_ids"].clone()),
        (json_hook["token"].clone(), json!("build"), json!(""))
    );

    // A channel-bound hook without trigger words fires on every post there, with trigger word "".
    say(&server, &w.ann, &w.dev, "anything at all").await;
    assert!(receiver.wait_finished("/channel").await);
    let channel_call = receiver.calls.lock().unwrap().iter().find(|c| c.path == "/channel").cloned().unwrap();
    let fields = form_fields(&channel_call.body);
    assert_eq!((fields["trigger_word"].as_str(), fields["token"].as_str()), ("", bound["token"].as_str().unwrap()));

    // A marker post last: once its reply is there, every earlier post has been handled.
    say(&server, &w.ann, &w.town, "deploy marker").await;
    wait_for_post(&server, &w.admin.token, &w.town, |p| p["message"] == "deploy started" && p["root_id"] != reply["root_id"]).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.count("/form"),
        2,
        "only `deploy api prod` and the marker fired: not the private post, the webhook post, the replies (no loop) or the other first words"
    );
    assert_eq!(receiver.count("/channel"), 1, "the dev hook saw only the dev post");
    assert_eq!((receiver.count("/json-a"), receiver.count("/json-b")), (1, 1));
    server.stop().await;
}

async fn outgoing_limits_timeout_and_size(backend: Backend) {
    let dir = TestDir::new();
    let config = Config { outgoing_integration_requests_timeout: 1, ..loopback_config() };
    let Some(server) = TestServer::start_on_with(backend, "webhooks::limits", Config { data_dir: dir.path().to_path_buf(), ..config }).await else { return };
    let w = world(&server).await;
    let mut receiver = Receiver::start(|call| {
        Box::pin(async move {
            match call.path.as_str() {
                "/slow" => (Duration::from_secs(4), json!({ "text": "too late" }).to_string()),
                "/big" => (Duration::ZERO, json!({ "text": "x".repeat(1024 * 1024 + 10) }).to_string()),
                _ => (Duration::from_millis(200), json!({ "text": "on time" }).to_string()),
            }
        })
    })
    .await;
    create_outgoing(
        &server,
        &w.admin.token,
        json!({ "team_id": w.team_id, "trigger_words": ["go"], "callback_urls": [receiver.url("/slow"), receiver.url("/big"), receiver.url("/fast")] }),
    )
    .await;
    say(&server, &w.ann, &w.town, "go now").await;
    wait_for_post(&server, &w.admin.token, &w.town, |p| p["message"] == "on time").await;
    assert!(receiver.wait_finished("/big").await, "the big answer was sent in full");
    // The slow receiver answers after 4 s; with a 1 s timeout the server hangs up first,
    // which drops the handler before it answers.
    assert!(!receiver.wait_finished("/slow").await, "the server hung up on the slow receiver (1 s timeout)");
    let messages: Vec<String> =
        posts(&server, &w.admin.token, &w.town).await.iter().map(|p| p["message"].as_str().unwrap().chars().take(20).collect()).collect();
    assert!(!messages.iter().any(|m| m == "too late"), "the timed-out answer was dropped: {messages:?}");
    assert!(!messages.iter().any(|m| m.starts_with("xxxx")), "the answer over 1 MiB was ignored: {messages:?}");
    server.stop().await;
}

async fn outgoing_to_loopback_is_refused_by_default(backend: Backend) {
    let dir = TestDir::new();
    // No allow-list: loopback is internal and refused.
    let config = Config { allowed_untrusted_internal_connections: String::new(), ..Config::default() };
    let Some(server) = TestServer::start_on_with(backend, "webhooks::refused", Config { data_dir: dir.path().to_path_buf(), ..config }).await else { return };
    let w = world(&server).await;
    let receiver = Receiver::start(|_| Box::pin(async { (Duration::ZERO, json!({ "text": "should never post" }).to_string()) })).await;
    create_outgoing(&server, &w.admin.token, json!({ "team_id": w.team_id, "trigger_words": ["deploy"], "callback_urls": [receiver.url("/hook")] })).await;
    let post = say(&server, &w.ann, &w.town, "deploy now").await;
    // The post itself is unaffected; the hook's call is refused before any connection.
    assert_eq!(post["message"], "deploy now");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.count("/hook"), 0, "the receiver on 127.0.0.1 was never called");
    assert_eq!(posts(&server, &w.admin.token, &w.town).await.len(), 1, "and nothing was posted");
    server.stop().await;
}

async fn plugins_and_listeners_see_webhook_posts(backend: Backend) {
    let dir = TestDir::new();
    let filter = dir.install_plugin("example-plugins/word-filter", "word_filter.wasm");
    std::fs::write(dir.plugin_dir().join(&filter).join("settings.json"), r#"{"replacements": "darn=d*rn", "blocked_phrases": "buy now"}"#).unwrap();
    let Some(server) = TestServer::start_on_with(backend, "webhooks::plugins", Config { data_dir: dir.path().to_path_buf(), ..loopback_config() }).await else {
        return;
    };
    let w = world(&server).await;
    let mut ann_ws = server.websocket(&w.ann.token).await;
    let hook = create_incoming(&server, &w.admin.token, json!({ "channel_id": w.town, "display_name": "CI" })).await;
    let id = hook["id"].as_str().unwrap();

    // The webhook post passes message-will-be-posted like any post, and listeners get `posted`.
    post_ok(&server, id, json!({ "text": "darn, the build broke" })).await;
    let posted = ann_ws.expect_event("posted", |e| e["broadcast"]["channel_id"] == w.town.as_str()).await;
    let post = confab_e2e::event_post(&posted);
    assert_eq!((post["message"].as_str(), post["props"]["from_webhook"].as_str()), (Some("d*rn, the build broke"), Some("true")));
    assert_eq!(post["props"]["override_username"], "webhook");

    // A plugin's rejection: Mattermost's 500 for a webhook post that could not be created, nothing stored.
    let before = posts(&server, &w.admin.token, &w.town).await.len();
    let (status, _, text) = send_hook(&server, id, None, json!({ "text": "buy now!" }).to_string()).await;
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((status, error["id"].as_str()), (500, Some("api.post.create_webhook_post.creating.app_error")), "{text}");
    assert!(error["message"].as_str().unwrap().contains("buy now"), "{text}");
    assert_eq!(posts(&server, &w.admin.token, &w.town).await.len(), before);
    server.stop().await;
}

/// The probe's `<http://ok|x](javascript:alert(1))[y>`: the label is escaped, so the
/// post holds one link to `http://ok` and no `javascript:` link, in the text and in
/// attachments alike.
async fn slack_link_labels_cannot_smuggle_links(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "webhooks::slack_labels").await else { return };
    let w = world(&server).await;
    let hook = create_incoming(&server, &w.admin.token, json!({ "channel_id": w.town })).await;
    let hostile = "<http://ok|x](javascript:alert(1))[y>";
    post_ok(&server, hook["id"].as_str().unwrap(), json!({ "text": format!("see {hostile}"), "attachments": [{ "text": hostile }] })).await;
    let post = wait_for_post(&server, &w.admin.token, &w.town, |p| p["message"].as_str().is_some_and(|m| m.starts_with("see "))).await;
    let escaped = r"[x\]\(javascript:alert\(1\)\)\[y](http://ok)";
    assert_eq!(post["message"], format!("see {escaped}"));
    assert_eq!(post["props"]["attachments"][0]["text"], escaped);
    server.stop().await;
}
