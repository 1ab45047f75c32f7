//! The `todo` example plugin in a real server: `/todo add|list|pop`, `/todo send @user` reaching the user as a DM from the `@todo` bot, and the daily summary job (its cron shown by `/todo settings`, then made to run every second through the plugin's settings).

use confab_e2e::{Backend, TestDir, TestServer, User, event_post, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(todos_are_kept_sent_and_summarised);

const PLUGIN: &str = "com.confab.todo";

/// Run `line` as `user` in `channel_id`; the ephemeral answer's text.
async fn todo(server: &TestServer, user: &User, channel_id: &str, line: &str) -> String {
    let (status, answer) = server.post_as("/api/v4/commands/execute", &user.token, &json!({ "channel_id": channel_id, "command": line })).await;
    assert_eq!(status, 200, "{line}: {answer}");
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    answer["text"].as_str().unwrap_or_else(|| panic!("{answer}")).to_string()
}

/// The `@todo` bot's user id, from a post it made.
async fn author_name(server: &TestServer, user: &User, post: &Value) -> String {
    let (_, author) = server.get_as(&format!("/api/v4/users/{}", post["user_id"].as_str().unwrap()), &user.token).await;
    author["username"].as_str().unwrap().to_string()
}

async fn todos_are_kept_sent_and_summarised(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/todo", "todo.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "todo::kept").await else { return };
    let alice = server.signup("alice").await;
    let bob = server.signup("bob").await;
    let (_, team) = server.post_as("/api/v4/teams", &alice.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "team_id": team_id, "user_id": bob.id })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &alice.token).await;
    let channel = town["id"].as_str().unwrap();

    assert!(todo(&server, &alice, channel, "/todo list").await.contains("empty"));
    assert_eq!(todo(&server, &alice, channel, "/todo add Buy milk").await, "Added todo: Buy milk");
    assert_eq!(todo(&server, &alice, channel, "/todo add Write the report").await, "Added todo: Write the report");
    assert_eq!(todo(&server, &alice, channel, "/todo list").await, "Your todo list:\n1. Buy milk\n2. Write the report");
    assert_eq!(todo(&server, &alice, channel, "/todo pop").await, "Removed the top todo: Buy milk");
    assert_eq!(todo(&server, &alice, channel, "/todo list").await, "Your todo list:\n1. Write the report");
    assert!(todo(&server, &alice, channel, "/todo add").await.contains("missing"));
    assert!(todo(&server, &alice, channel, "/todo frobnicate").await.starts_with("Usage:"));

    // Sent to Bob: on his list, and he hears it from the bot in their direct channel.
    let mut bob_ws = server.websocket(&bob.token).await;
    assert_eq!(todo(&server, &alice, channel, "/todo send @bob Review the PR").await, "Sent to @bob: Review the PR");
    let dm = bob_ws.expect_event("posted", |e| e["data"]["channel_type"] == "D").await;
    let dm_post = event_post(&dm);
    assert_eq!(dm_post["message"], "@alice sent you a todo: Review the PR\nSee your list with `/todo list`.");
    assert_eq!(author_name(&server, &bob, &dm_post).await, "todo");
    let (_, dm_channel) = server.get_as(&format!("/api/v4/channels/{}", dm_post["channel_id"].as_str().unwrap()), &bob.token).await;
    assert!(dm_channel["name"].as_str().unwrap().contains(&bob.id), "a DM with Bob: {dm_channel}");
    assert_eq!(todo(&server, &bob, channel, "/todo list").await, "Your todo list:\n1. Review the PR (from @alice)");
    assert!(todo(&server, &alice, channel, "/todo send @nobody x").await.contains("no user @nobody"));
    assert!(todo(&server, &alice, channel, "/todo send @todo x").await.contains("no user @todo"), "bots keep no lists");

    // The summary job: daily by default.
    let settings = todo(&server, &alice, channel, "/todo settings").await;
    assert!(settings.starts_with("Daily summary: on for you. It is sent at `0 9 * * *` (cron, UTC); next on "), "{settings}");
    assert!(settings.ends_with(" 09:00 UTC."), "{settings}");
    assert_eq!(todo(&server, &bob, channel, "/todo settings summary off").await, "Your daily summary is now off.");

    // Every second instead: the admin's settings change reschedules it, and the run
    // DMs Alice her list; Bob, who opted out, gets nothing.
    let mut alice_ws = server.websocket(&alice.token).await;
    let (status, saved) = server.put_as(&format!("/api/v4/plugins/{PLUGIN}/settings"), &alice.token, &json!({ "summary_schedule": "* * * * * *" })).await;
    assert_eq!(status, 200, "{saved}");
    let summary = alice_ws.expect_event("posted", |e| event_post(e)["message"].as_str().is_some_and(|m| m.starts_with("#### Daily todo summary"))).await;
    assert_eq!(event_post(&summary)["message"], "#### Daily todo summary\nYou have 1 todo:\n1. Write the report");
    assert_eq!(summary["data"]["channel_type"], "D");
    assert!(todo(&server, &alice, channel, "/todo settings").await.contains("`* * * * * *`"));
    let bob_saw = bob_ws.drain(std::time::Duration::from_millis(1500)).await;
    assert!(!bob_saw.iter().any(|e| e.to_string().contains("Daily todo summary")), "Bob opted out: {bob_saw:?}");

    // No schedule: no job.
    server.put_as(&format!("/api/v4/plugins/{PLUGIN}/settings"), &alice.token, &json!({ "summary_schedule": "" })).await;
    assert!(todo(&server, &alice, channel, "/todo settings").await.contains("turned summaries off"));
    server.stop().await;
}
