//! Every hook family is called from the service that owns the event: `fx-all-hooks` records each call in its KV store, which the test reads from the database beside the running server.

use std::time::Duration;

use confab_e2e::{Backend, TestDir, TestServer, on_both_backends};
use confab_server::store::Store;
use serde_json::json;

on_both_backends!(services_call_every_hook_family);

const PLUGIN: &str = "fx.all-hooks";

/// Wait until the plugin recorded `hook` with a payload satisfying `check`.
async fn recorded(store: &Store, hook: &str, check: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let value = store.kv_get(PLUGIN, &format!("hook:{hook}"), 0).await.unwrap().map(|v| String::from_utf8_lossy(&v).into_owned());
        if let Some(value) = value.as_deref().filter(|v| check(v)) {
            return value.to_string();
        }
        assert!(tokio::time::Instant::now() < deadline, "`{hook}` not recorded as expected; last value {value:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn services_call_every_hook_family(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-all-hooks", "fx_all_hooks.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "hooks::services_call_every_hook_family").await else { return };
    let store = Store::connect(&server.database_url).await.unwrap();

    let ann = server.signup("ann").await;
    recorded(&store, "user-has-been-created", |v| v == ann.id).await;
    recorded(&store, "user-will-log-in", |v| v == ann.id).await;
    recorded(&store, "user-has-logged-in", |v| v == ann.id).await;
    let bob = server.signup("bob").await;

    let (_, team) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &ann.token, &json!({ "user_id": bob.id })).await;
    recorded(&store, "user-has-joined-team", |v| v == format!("{team_id}:{}:{}", bob.id, ann.id)).await;

    let (_, dev) = server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "dev", "display_name": "Dev", "type": "O" })).await;
    let dev_id = dev["id"].as_str().unwrap();
    recorded(&store, "channel-has-been-created", |v| v == dev_id).await;
    server.post_as(&format!("/api/v4/channels/{dev_id}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    recorded(&store, "user-has-joined-channel", |v| v == format!("{dev_id}:{}:", bob.id)).await;

    let (status, post) = server.post_as("/api/v4/posts", &bob.token, &json!({ "channel_id": dev_id, "message": "hi" })).await;
    assert_eq!((status, post["message"].as_str()), (201, Some("hi [all-hooks]")), "the will-hook's replacement is stored");
    let post_id = post["id"].as_str().unwrap();
    recorded(&store, "message-will-be-posted", |v| v == "hi").await;
    recorded(&store, "message-has-been-posted", |v| v == post_id).await;
    let (_, edited) = server.put_as(&format!("/api/v4/posts/{post_id}/patch"), &bob.token, &json!({ "message": "hello" })).await;
    assert_eq!(edited["message"], "hello [edited]");
    recorded(&store, "message-has-been-updated", |v| v == post_id).await;
    server.post_as("/api/v4/reactions", &ann.token, &json!({ "user_id": ann.id, "post_id": post_id, "emoji_name": "tada" })).await;
    recorded(&store, "reaction-has-been-added", |v| v == format!("{post_id}:tada")).await;
    server.delete_as(&format!("/api/v4/users/me/posts/{post_id}/reactions/tada"), &ann.token).await;
    recorded(&store, "reaction-has-been-removed", |v| v == format!("{post_id}:tada")).await;
    server.delete_as(&format!("/api/v4/posts/{post_id}"), &bob.token).await;
    recorded(&store, "message-has-been-deleted", |v| v == post_id).await;

    server.delete_as(&format!("/api/v4/channels/{dev_id}/members/{}", bob.id), &ann.token).await;
    recorded(&store, "user-has-left-channel", |v| v == format!("{dev_id}:{}:{}", bob.id, ann.id)).await;
    server.delete_as(&format!("/api/v4/teams/{team_id}/members/{}", bob.id), &bob.token).await;
    recorded(&store, "user-has-left-team", |v| v == format!("{team_id}:{}:", bob.id)).await;

    let mut ws = server.websocket(&ann.token).await;
    recorded(&store, "on-websocket-connect", |v| v.ends_with(&format!(":{}", ann.id))).await;
    ws.send(&json!({ "seq": 7, "action": "custom_action", "data": { "x": 1 } })).await;
    recorded(&store, "websocket-message-has-been-posted", |v| v.contains(":custom_action:")).await;

    // A plugin can refuse a login.
    server.post_as("/api/v4/users", "", &json!({ "username": "blocked", "email": "b@example.com", "password": "password1" })).await;
    let (status, body) = server.post_as("/api/v4/users/login", "", &json!({ "login_id": "blocked", "password": "password1" })).await;
    assert_eq!(status, 401, "{body}");
    assert!(body["message"].as_str().unwrap().contains("fx-all-hooks refuses user blocked"), "{body}");

    drop(ws);
    store.close().await;
    server.stop().await;
}
