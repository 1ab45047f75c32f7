//! The `poll` example plugin in a real server: `/poll` posts a `custom_poll` post with buttons, clicks reach the plugin's `serve-http` in process through the action URL, votes are kept in KV, every member sees the post change and gets the `custom_com.confab.poll_votes` tally.

use confab_e2e::{Backend, TestDir, TestServer, event_post, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(a_poll_counts_votes_and_updates_for_everyone);

/// The `Sushi (1)`-style labels of the poll's buttons.
fn labels(post: &Value) -> Vec<String> {
    post["props"]["attachments"][0]["actions"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect()
}

async fn a_poll_counts_votes_and_updates_for_everyone(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/poll", "poll.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "poll::votes").await else { return };
    let alice = server.signup("alice").await;
    let bob = server.signup("bob").await;
    let (_, team) = server.post_as("/api/v4/teams", &alice.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "team_id": team_id, "user_id": bob.id })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &alice.token).await;
    let channel_id = town["id"].as_str().unwrap();
    let mut alice_ws = server.websocket(&alice.token).await;
    let mut bob_ws = server.websocket(&bob.token).await;

    let (status, answer) =
        server.post_as("/api/v4/commands/execute", &alice.token, &json!({ "channel_id": channel_id, "command": r#"/poll "Lunch?" "Pizza" "Sushi""# })).await;
    assert_eq!(status, 200, "{answer}");
    // The webapp half draws `custom_poll`; the type stays although the post has attachments.
    let posted = bob_ws.expect_event("posted", |e| event_post(e)["type"] == "custom_poll").await;
    let poll = event_post(&posted);
    let post_id = poll["id"].as_str().unwrap().to_string();
    assert_eq!(poll["props"]["attachments"][0]["title"], "Lunch?");
    assert_eq!(labels(&poll), ["Pizza (0)", "Sushi (0)"]);
    assert_eq!(poll["props"]["poll"], json!({"question": "Lunch?", "answers": ["Pizza", "Sushi"], "counts": [0, 0], "total": 0}));
    assert!(!poll.to_string().contains("/plugins/com.confab.poll"), "the action URL stays on the server: {poll}");
    let (_, bot) = server.get_as(&format!("/api/v4/users/{}", poll["user_id"].as_str().unwrap()), &alice.token).await;
    assert_eq!(bot["username"], "pollbot");

    // Bob votes Sushi: both see the tally change; Bob is told what he chose.
    let (status, body) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/vote1"), &bob.token, &json!({})).await;
    assert_eq!(status, 200, "{body}");
    // The tally goes to the channel as the plugin's own event (the webapp's live bars),
    // published before the server applies the click's post update.
    let votes = alice_ws.expect_event("custom_com.confab.poll_votes", |e| e["data"]["post_id"] == post_id.as_str()).await;
    assert_eq!((votes["data"]["counts"].clone(), votes["data"]["total"].clone()), (json!([0, 1]), json!(1)));
    assert_eq!(votes["broadcast"]["channel_id"], channel_id);
    let edited = alice_ws.expect_event("post_edited", |e| event_post(e)["id"] == post_id.as_str()).await;
    assert_eq!(labels(&event_post(&edited)), ["Pizza (0)", "Sushi (1)"]);
    assert!(event_post(&edited)["props"]["attachments"][0]["text"].as_str().unwrap().contains("@bob"));
    assert_eq!((event_post(&edited)["type"].as_str(), event_post(&edited)["props"]["poll"]["counts"].clone()), (Some("custom_poll"), json!([0, 1])));
    bob_ws.expect_event("post_edited", |e| event_post(e)["id"] == post_id.as_str()).await;
    let told = bob_ws.expect_event("ephemeral_message", |_| true).await;
    assert_eq!(event_post(&told)["message"], "You voted for **Sushi**.");

    // Alice votes Pizza, then Bob changes his mind: the KV-kept votes add up.
    server.post_as(&format!("/api/v4/posts/{post_id}/actions/vote0"), &alice.token, &json!({})).await;
    let (status, _) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/vote0"), &bob.token, &json!({})).await;
    assert_eq!(status, 200);
    let (_, stored) = server.get_as(&format!("/api/v4/posts/{post_id}"), &alice.token).await;
    assert_eq!(labels(&stored), ["Pizza (2)", "Sushi (0)"]);
    assert_eq!(stored["props"]["from_bot"], "true", "the update keeps who made the post");

    // A bad command gets the usage, only for the caller.
    let (status, usage) = server.post_as("/api/v4/commands/execute", &alice.token, &json!({ "channel_id": channel_id, "command": "/poll \"unclosed" })).await;
    assert_eq!(status, 200, "{usage}");
    let told = alice_ws.expect_event("ephemeral_message", |e| event_post(e)["message"].as_str().is_some_and(|m| m.contains("Usage"))).await;
    assert_eq!(event_post(&told)["channel_id"], channel_id);
    server.stop().await;
}
