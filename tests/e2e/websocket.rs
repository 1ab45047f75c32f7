//! The WebSocket end to end with a real client: `hello`, `authentication_challenge`, `seq`/`seq_reply`, typing, and events reaching only the users allowed to see them.

use std::time::Duration;

use confab_e2e::{Backend, TestDir, TestServer, User, event_post, on_both_backends};
use serde_json::json;

on_both_backends!(hello_challenge_and_typing, events_reach_only_those_who_may_see_them, statuses_follow_connections);

async fn hello_challenge_and_typing(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "websocket::hello_challenge").await else { return };
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let (_, team) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &ann.token).await;
    let town_id = town["id"].as_str().unwrap();

    // Without credentials: actions before the challenge fail; a bad token fails; a good one works.
    let mut ws = server.websocket_unauthenticated().await;
    ws.send(&json!({ "seq": 1, "action": "user_typing", "data": { "channel_id": town_id } })).await;
    assert_eq!(ws.expect_reply(1).await["status"], "FAIL");
    ws.send(&json!({ "seq": 2, "action": "authentication_challenge", "data": { "token": "nope" } })).await;
    assert_eq!(ws.expect_reply(2).await["status"], "FAIL");
    ws.send(&json!({ "seq": 3, "action": "authentication_challenge", "data": { "token": bob.token } })).await;
    assert_eq!(ws.expect_reply(3).await, json!({ "status": "OK", "seq_reply": 3 }));
    let hello = ws.expect_event("hello", |_| true).await;
    assert_eq!(hello["seq"], 0);
    assert!(hello["data"]["connection_id"].as_str().is_some_and(|c| c.len() == 26));
    assert!(hello["data"]["server_version"].is_string());
    assert_eq!(hello["broadcast"]["user_id"], bob.id.as_str());
    // Bob's first connection sets him online and tells him, right after hello
    // (Mattermost's SetStatusOnline on connect).
    let online = ws.next_message().await.unwrap();
    assert_eq!((online["event"].as_str(), online["seq"].as_i64()), (Some("status_change"), Some(1)), "{online}");
    assert_eq!((online["data"]["status"].as_str(), online["data"]["user_id"].as_str()), (Some("online"), Some(bob.id.as_str())));

    let mut ann_ws = server.websocket(&ann.token).await;
    ann_ws.send(&json!({ "seq": 1, "action": "user_typing", "data": { "channel_id": town_id, "parent_id": "" } })).await;
    assert_eq!(ann_ws.expect_reply(1).await["status"], "OK");
    let typing = ws.expect_event("typing", |_| true).await;
    assert_eq!(typing["data"]["user_id"], ann.id.as_str());
    assert_eq!(typing["broadcast"]["channel_id"], town_id);
    assert_eq!(typing["broadcast"]["omit_users"][&ann.id], true);
    assert_eq!(typing["seq"], 2, "seq counts per connection: hello, status_change, typing");
    let typed_back = ann_ws.drain(Duration::from_millis(300)).await;
    assert!(!typed_back.iter().any(|m| m["event"] == "typing"), "the typer is omitted: {typed_back:?}");
    ann_ws.send(&json!({ "seq": 2, "action": "no_such_action" })).await;
    assert_eq!(ann_ws.expect_reply(2).await["error"]["id"], "api.web_socket_router.bad_action.app_error");

    // Shutdown closes open WebSockets instead of waiting for clients to leave.
    server.stop().await;
    let started = std::time::Instant::now();
    assert_eq!(ws.next_message().await, None);
    assert!(started.elapsed() < Duration::from_secs(5), "the socket was closed by the server, not timed out");
}

async fn events_reach_only_those_who_may_see_them(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "websocket::events").await else { return };
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let eve = server.signup("eve").await;
    let (_, team) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &eve.token, &json!({ "user_id": eve.id })).await;
    let (_, secret) =
        server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "secret", "display_name": "Secret", "type": "P" })).await;
    let secret_id = secret["id"].as_str().unwrap();

    let mut ann_ws = server.websocket(&ann.token).await;
    let mut bob_ws = server.websocket(&bob.token).await;
    let mut eve_ws = server.websocket(&eve.token).await;

    let (status, _) = server.post_as(&format!("/api/v4/channels/{secret_id}/members"), &ann.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 201);
    let added = bob_ws.expect_event("user_added", |e| e["broadcast"]["channel_id"] == secret_id).await;
    assert_eq!(added["data"]["user_id"], bob.id.as_str());

    let (_, post) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": secret_id, "message": "for members" })).await;
    let post_id = post["id"].as_str().unwrap();
    for ws in [&mut ann_ws, &mut bob_ws] {
        let posted = ws.expect_event("posted", |e| e["broadcast"]["channel_id"] == secret_id).await;
        assert_eq!(posted["data"]["channel_name"], "secret");
        assert_eq!(posted["data"]["channel_display_name"], "Secret");
        assert_eq!(posted["data"]["channel_type"], "P");
        assert_eq!(posted["data"]["team_id"], team_id);
        assert_eq!(posted["data"]["sender_name"], "@ann");
        assert_eq!(event_post(&posted)["id"], post_id, "data.post is the post as a JSON string");
    }
    server.put_as(&format!("/api/v4/posts/{post_id}/patch"), &ann.token, &json!({ "message": "edited" })).await;
    let edited = bob_ws.expect_event("post_edited", |_| true).await;
    assert_eq!(event_post(&edited)["message"], "edited");
    server.post_as("/api/v4/reactions", &bob.token, &json!({ "user_id": bob.id, "post_id": post_id, "emoji_name": "eyes" })).await;
    let reaction = ann_ws.expect_event("reaction_added", |_| true).await;
    let reaction: serde_json::Value = serde_json::from_str(reaction["data"]["reaction"].as_str().unwrap()).unwrap();
    assert_eq!(reaction["emoji_name"], "eyes");
    server.delete_as(&format!("/api/v4/users/me/posts/{post_id}/reactions/eyes"), &bob.token).await;
    ann_ws.expect_event("reaction_removed", |_| true).await;
    server.delete_as(&format!("/api/v4/posts/{post_id}"), &ann.token).await;
    let deleted = bob_ws.expect_event("post_deleted", |_| true).await;
    assert_eq!(event_post(&deleted)["id"], post_id);

    let (_, dev) = server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "dev", "display_name": "Dev", "type": "O" })).await;
    let created = ann_ws.expect_event("channel_created", |_| true).await;
    assert_eq!(created["data"]["channel_id"], dev["id"]);
    server.delete_as(&format!("/api/v4/channels/{secret_id}/members/{}", bob.id), &ann.token).await;
    let removed = bob_ws.expect_event("user_removed", |e| e["broadcast"]["user_id"] == bob.id.as_str()).await;
    assert_eq!(removed["data"]["channel_id"], secret_id);
    server.post_as("/api/v4/users", "", &json!({ "username": "newbie", "email": "n@example.com", "password": "password1" })).await;
    eve_ws.expect_event("new_user", |_| true).await;

    // Eve is in the team but not in the private channel: none of its events reached her.
    let seen = eve_ws.drain(Duration::from_millis(500)).await;
    let leaked: Vec<_> = eve_ws.received.iter().filter(|e| e["broadcast"]["channel_id"] == secret_id || e.to_string().contains("for members")).collect();
    assert!(leaked.is_empty(), "a non-member got {leaked:#?} (then {seen:?})");
    let ann_ids: Vec<i64> = ann_ws.received.iter().filter_map(|e| e["seq"].as_i64()).collect();
    assert!(ann_ids.windows(2).all(|w| w[1] == w[0] + 1), "seq increases by one per event: {ann_ids:?}");
    server.stop().await;
}

/// Bob's status as ann reads it: (status, manual).
async fn status_of(server: &TestServer, reader: &User, user: &User) -> (String, bool) {
    let (code, status) = server.get_as(&format!("/api/v4/users/{}/status", user.id), &reader.token).await;
    assert_eq!(code, 200, "{status}");
    (status["status"].as_str().unwrap().to_string(), status["manual"].as_bool().unwrap())
}

/// Polls (bounded): after the last socket closes nobody gets an event, the user's
/// connections being gone.
async fn wait_for_status(server: &TestServer, reader: &User, user: &User, wanted: &str) {
    let deadline = tokio::time::Instant::now() + confab_e2e::EVENT_TIMEOUT;
    while status_of(server, reader, user).await.0 != wanted {
        assert!(tokio::time::Instant::now() < deadline, "{} never became {wanted}", user.username);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn statuses_follow_connections(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "websocket::statuses").await else { return };
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    assert_eq!(status_of(&server, &ann, &bob).await, ("offline".to_string(), false), "never connected");

    // The first connection sets bob online (before its hello) and tells him; a second
    // one changes nothing and says nothing.
    let mut first = server.websocket(&bob.token).await;
    assert_eq!(status_of(&server, &ann, &bob).await, ("online".to_string(), false));
    let online = first.expect_event("status_change", |_| true).await;
    assert_eq!((online["data"]["status"].as_str(), online["broadcast"]["user_id"].as_str()), (Some("online"), Some(bob.id.as_str())));
    let mut second = server.websocket(&bob.token).await;
    first.close().await;
    let quiet = second.drain(Duration::from_millis(300)).await;
    assert!(!quiet.iter().any(|e| e["event"] == "status_change"), "one of two closed: still online, {quiet:?}");
    assert_eq!(status_of(&server, &ann, &bob).await.0, "online");
    // The last one closing sets him offline.
    second.close().await;
    wait_for_status(&server, &ann, &bob, "offline").await;

    // A manual status outlives connections opening and closing (Mattermost: manual
    // overrides automatic); setting `online` by hand makes it automatic again.
    assert_eq!(server.put_as("/api/v4/users/me/status", &bob.token, &json!({ "user_id": bob.id, "status": "dnd" })).await.0, 200);
    let mut third = server.websocket(&bob.token).await;
    assert_eq!(status_of(&server, &ann, &bob).await, ("dnd".to_string(), true));
    let quiet = third.drain(Duration::from_millis(300)).await;
    assert!(!quiet.iter().any(|e| e["event"] == "status_change"), "dnd kept: {quiet:?}");
    let (code, saved) = server.put_as("/api/v4/users/me/status", &bob.token, &json!({ "user_id": bob.id, "status": "online" })).await;
    assert_eq!((code, saved["manual"].as_bool()), (200, Some(false)));
    third.close().await;
    wait_for_status(&server, &ann, &bob, "offline").await;
    server.stop().await;
}
