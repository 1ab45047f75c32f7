//! The `issue-tracker` example plugin against a fake GitHub-style tracker on loopback: `/issue subscribe`, `/issue create` calling the tracker's REST API through `http-outbound`, and the tracker's signed webhook posting the new issue into the channel.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use confab_e2e::{Backend, TestDir, TestServer, event_post, on_both_backends};
use confab_server::Config;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

on_both_backends!(issues_are_created_and_announced);

const PLUGIN: &str = "com.confab.issue-tracker";
const SECRET: &str = "s3cret";
const TOKEN: &str = "t0ken";

/// What the fake tracker knows: where to deliver webhooks, and the issues it made.
#[derive(Default)]
struct Tracker {
    confab: Mutex<String>,
    created: Mutex<Vec<Value>>,
    base: Mutex<String>,
}

fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Deliver `payload` as the tracker's `event` webhook, signed with `signature` (the
/// right one when `None`); the plugin's status and answer.
async fn deliver(confab: &str, event: &str, payload: &Value, signature: Option<&str>) -> (u16, Value) {
    let body = payload.to_string();
    let signature = signature.map_or_else(|| sign(body.as_bytes()), str::to_owned);
    let response = reqwest::Client::new()
        .post(format!("{confab}/plugins/{PLUGIN}/webhook"))
        .header("content-type", "application/json")
        .header("x-github-event", event)
        .header("x-hub-signature-256", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// `POST /repos/{owner}/{repo}/issues`, GitHub's shape: 401 without the token, else 201
/// with the issue, and then (as a tracker does) the signed `issues`/`opened` webhook.
async fn create_issue(
    State(tracker): State<Arc<Tracker>>,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> impl IntoResponse {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {TOKEN}")) {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "message": "Bad credentials" })));
    }
    let base = tracker.base.lock().unwrap().clone();
    let number = tracker.created.lock().unwrap().len() + 1;
    let issue = json!({
        "number": number,
        "title": body["title"],
        "html_url": format!("{base}/{owner}/{repo}/issues/{number}"),
        "body": null,
        "user": { "login": "confab-bot", "html_url": format!("{base}/confab-bot") },
    });
    tracker.created.lock().unwrap().push(issue.clone());
    let payload =
        json!({ "action": "opened", "issue": issue, "repository": { "full_name": format!("{owner}/{repo}"), "html_url": format!("{base}/{owner}/{repo}") } });
    let confab = tracker.confab.lock().unwrap().clone();
    tokio::spawn(async move { deliver(&confab, "issues", &payload, None).await });
    (StatusCode::CREATED, Json(issue))
}

async fn start_tracker() -> (Arc<Tracker>, u16) {
    let tracker = Arc::new(Tracker::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    *tracker.base.lock().unwrap() = format!("http://127.0.0.1:{port}");
    let app = axum::Router::new().route("/api/v1/repos/{owner}/{repo}/issues", axum::routing::post(create_issue)).with_state(tracker.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (tracker, port)
}

/// Install the plugin as an admin would for a self-hosted tracker: its host added to
/// the permissions, the settings filled in.
fn install(dir: &TestDir, tracker_port: u16) {
    let id = dir.install_plugin("example-plugins/issue-tracker", "issue_tracker.wasm");
    let plugin_dir = dir.plugin_dir().join(&id);
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(plugin_dir.join("plugin.json")).unwrap()).unwrap();
    manifest["permissions"].as_array_mut().unwrap().push(json!(format!("http:127.0.0.1:{tracker_port}")));
    std::fs::write(plugin_dir.join("plugin.json"), manifest.to_string()).unwrap();
    let settings = json!({ "api_url": format!("http://127.0.0.1:{tracker_port}/api/v1"), "api_token": TOKEN, "webhook_secret": SECRET });
    std::fs::write(plugin_dir.join("settings.json"), settings.to_string()).unwrap();
}

async fn issues_are_created_and_announced(backend: Backend) {
    let (tracker, tracker_port) = start_tracker().await;
    let dir = TestDir::new();
    install(&dir, tracker_port);
    // The tracker is on loopback: the admin allows it as an internal address.
    let config = Config { data_dir: dir.path().to_path_buf(), allowed_untrusted_internal_connections: "127.0.0.1".into(), ..Config::default() };
    let Some(server) = TestServer::start_on_with(backend, "issue_tracker::announced", config).await else { return };
    *tracker.confab.lock().unwrap() = server.base_url.clone();
    let alice = server.signup("alice").await;
    let (_, team) = server.post_as("/api/v4/teams", &alice.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{}/channels/name/town-square", team["id"].as_str().unwrap()), &alice.token).await;
    let channel_id = town["id"].as_str().unwrap();
    let mut ws = server.websocket(&alice.token).await;
    let command = |line: &str| json!({ "channel_id": channel_id, "command": line });

    let (status, answer) = server.post_as("/api/v4/commands/execute", &alice.token, &command("/issue create Too early")).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["text"].as_str().unwrap().contains("not subscribed"), "{answer}");
    assert!(tracker.created.lock().unwrap().is_empty());

    let (_, answer) = server.post_as("/api/v4/commands/execute", &alice.token, &command("/issue subscribe octo/hello")).await;
    assert!(answer["text"].as_str().unwrap().contains(&format!("/plugins/{PLUGIN}/webhook")), "the answer says where the webhook goes: {answer}");

    let (status, answer) = server.post_as("/api/v4/commands/execute", &alice.token, &command("/issue create The build is red")).await;
    assert_eq!(status, 200, "{answer}");
    let link = format!("http://127.0.0.1:{tracker_port}/octo/hello/issues/1");
    assert_eq!(answer["text"], format!("Created [octo/hello#1]({link}): The build is red"));
    assert_eq!(tracker.created.lock().unwrap()[0]["title"], "The build is red");

    // The tracker's webhook (sent after it answered) puts the issue in the channel.
    let posted = ws.expect_event("posted", |e| event_post(e)["type"] == "slack_attachment").await;
    let attachment = &event_post(&posted)["props"]["attachments"][0];
    assert_eq!((attachment["title"].as_str(), attachment["title_link"].as_str()), (Some("#1 The build is red"), Some(link.as_str())));
    assert_eq!(event_post(&posted)["channel_id"], channel_id);
    let (_, bot) = server.get_as(&format!("/api/v4/users/{}", event_post(&posted)["user_id"].as_str().unwrap()), &alice.token).await;
    assert_eq!(bot["username"], "issues");

    // A forged delivery is refused; other events and actions are acknowledged and ignored.
    let forged = json!({ "action": "opened", "issue": { "number": 9, "title": "forged" }, "repository": { "full_name": "octo/hello" } });
    assert_eq!(deliver(&server.base_url, "issues", &forged, Some("sha256=00")).await.0, 401);
    assert_eq!(
        deliver(&server.base_url, "issues", &json!({ "action": "closed", "repository": { "full_name": "octo/hello" } }), None).await,
        (200, json!({ "ignored": "issues/closed" }))
    );
    assert_eq!(deliver(&server.base_url, "ping", &json!({}), None).await, (200, json!({ "ok": true })));
    let (_, posts) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts"), &alice.token).await;
    assert!(!posts.to_string().contains("forged"), "{posts}");

    // Unsubscribed: deliveries for the repository reach no channel.
    server.post_as("/api/v4/commands/execute", &alice.token, &command("/issue unsubscribe")).await;
    assert_eq!(deliver(&server.base_url, "issues", &forged, None).await, (200, json!({ "posted": 0 })));
    server.stop().await;
}
