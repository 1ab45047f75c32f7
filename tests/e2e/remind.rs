//! The `remind` example plugin in a real server: `/remind` for oneself and for another user, the bot's DM with Complete and Snooze buttons answered in process by the plugin, `/remind list` as an interactive dialog whose submission completes or deletes a reminder, and a reminder due while the server was down delivered by the next server on the same database.
//!
//! Reminders fire from the scheduler, so the tests wait on events with the harness's
//! bounded timeout, and the restart leaves the server down past the due time on purpose.

use std::time::Duration;

use confab_e2e::{Backend, TestDir, TestServer, User, WsClient, event_post, on_both_backends};
use confab_server::Config;
use confab_server::testing::{PgSchema, sqlite_url};
use serde_json::{Value, json};

on_both_backends!(reminders_are_delivered_snoozed_completed_and_survive_a_restart, the_list_dialog_completes_and_deletes_reminders);

const LIST_URL: &str = "/plugins/com.confab.remind/list";

/// A server with the plugin on `dir` and `database` (created on first use, so a
/// restart reopens it); `None` when PostgreSQL is asked for but not configured.
async fn start(dir: &TestDir, backend: Backend, database: &mut Option<(String, Option<PgSchema>)>) -> Option<TestServer> {
    if database.is_none() {
        *database = Some(match backend {
            Backend::Sqlite => (sqlite_url(dir.path()), None),
            Backend::Postgres => {
                let schema = PgSchema::create("remind::restart").await?;
                (schema.url.clone(), Some(schema))
            }
        });
    }
    let url = database.as_ref().expect("set above").0.clone();
    Some(TestServer::start_with(Config { data_dir: dir.path().to_path_buf(), database_url: Some(url), ..Config::default() }).await)
}

async fn remind(server: &TestServer, user: &User, channel_id: &str, line: &str) -> String {
    let (status, answer) = server.post_as("/api/v4/commands/execute", &user.token, &json!({ "channel_id": channel_id, "command": line })).await;
    assert_eq!(status, 200, "{line}: {answer}");
    answer["text"].as_str().unwrap_or_else(|| panic!("{answer}")).to_string()
}

/// The attachment's text and button names of a reminder DM.
fn reminder_dm(post: &Value) -> (String, Vec<String>) {
    let attachment = &post["props"]["attachments"][0];
    let names = attachment["actions"].as_array().map(|a| a.iter().map(|b| b["name"].as_str().unwrap().to_owned()).collect()).unwrap_or_default();
    (attachment["text"].as_str().unwrap_or_default().to_owned(), names)
}

/// `/remind list` with reminders to show: no text answer, and the `open_dialog` request
/// (`trigger_id`, `url`, `dialog`) sent to the caller's client.
async fn list_dialog(server: &TestServer, user: &User, channel_id: &str, ws: &mut WsClient) -> Value {
    let (status, answer) = server.post_as("/api/v4/commands/execute", &user.token, &json!({ "channel_id": channel_id, "command": "/remind list" })).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["text"].as_str().unwrap_or_default(), "", "the dialog is the answer: {answer}");
    let event = ws.expect_event("open_dialog", |_| true).await;
    let request: Value = serde_json::from_str(event["data"]["dialog"].as_str().expect("data.dialog is JSON text")).unwrap();
    assert_eq!(request["trigger_id"], answer["trigger_id"], "opened with the command's trigger id");
    assert_eq!(request["url"], LIST_URL);
    request
}

/// The list a dialog shows.
fn listed(request: &Value) -> &str {
    request["dialog"]["introduction_text"].as_str().unwrap()
}

/// The reminder id the dialog's select offers for `what`.
fn option(request: &Value, what: &str) -> String {
    let options = request["dialog"]["elements"][0]["options"].as_array().unwrap();
    let found = options.iter().find(|o| o["text"] == what).unwrap_or_else(|| panic!("no option {what}: {request}"));
    found["value"].as_str().unwrap().to_owned()
}

/// Submit a list dialog: `action` on the reminder `id`.
async fn submit_list(server: &TestServer, user: &User, channel_id: &str, id: &str, action: &str) -> (u16, Value) {
    let body = json!({
        "url": LIST_URL, "callback_id": "remind-list", "state": "", "channel_id": channel_id,
        "submission": { "reminder": id, "action": action }, "cancelled": false,
    });
    server.post_as("/api/v4/actions/dialogs/submit", &user.token, &body).await
}

async fn click(server: &TestServer, user: &User, post_id: &str, action: &str) -> Value {
    let (status, body) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/{action}"), &user.token, &json!({})).await;
    assert_eq!(status, 200, "{action}: {body}");
    body
}

async fn reminders_are_delivered_snoozed_completed_and_survive_a_restart(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/remind", "remind.wasm");
    let mut database = None;
    let Some(server) = start(&dir, backend, &mut database).await else { return };
    let alice = server.signup("alice").await;
    let bob = server.signup("bob").await;
    let (_, team) = server.post_as("/api/v4/teams", &alice.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "team_id": team_id, "user_id": bob.id })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &alice.token).await;
    let channel = town["id"].as_str().unwrap();

    assert!(remind(&server, &alice, channel, r#"/remind me "x" tomorrow"#).await.contains("Say when"));
    assert!(remind(&server, &alice, channel, r#"/remind @nobody "x" in 1 minute"#).await.contains("no user @nobody"));

    // For oneself: the DM from the bot, with the buttons.
    let mut alice_ws = server.websocket(&alice.token).await;
    let set = remind(&server, &alice, channel, r#"/remind me "stand up" in 1 second"#).await;
    assert!(set.starts_with("I will remind you \"stand up\" at ") && set.ends_with(" UTC."), "{set}");
    let dm = alice_ws.expect_event("posted", |e| e["data"]["channel_type"] == "D").await;
    let dm_post = event_post(&dm);
    assert_eq!(
        reminder_dm(&dm_post),
        ("You asked me to remind you \"stand up\".".to_owned(), vec!["Complete".into(), "Snooze 20 min".into(), "Snooze 1 hour".into()])
    );
    let (_, bot) = server.get_as(&format!("/api/v4/users/{}", dm_post["user_id"].as_str().unwrap()), &alice.token).await;
    assert_eq!(bot["username"], "remindbot");
    let (post_id, dm_channel) = (dm_post["id"].as_str().unwrap().to_owned(), dm_post["channel_id"].as_str().unwrap().to_owned());
    assert_eq!(listed(&list_dialog(&server, &alice, channel, &mut alice_ws).await), "Your reminders:\n1. \"stand up\" delivered, waiting for Complete");

    // Only the person reminded may answer (the server already keeps others out of the
    // DM); Snooze reschedules, Complete removes it.
    let (status, _) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/complete"), &bob.token, &json!({})).await;
    assert_eq!(status, 403);
    click(&server, &alice, &post_id, "snooze20").await;
    let edited = alice_ws.expect_event("post_edited", |e| event_post(e)["id"] == post_id.as_str()).await;
    let (text, buttons) = reminder_dm(&event_post(&edited));
    assert!(text.starts_with("Snoozed \"stand up\" until ") && text.ends_with(" UTC."), "{edited}");
    assert_eq!(buttons, ["Complete"], "done early is still done");
    assert!(listed(&list_dialog(&server, &alice, channel, &mut alice_ws).await).contains("\"stand up\" snoozed until "));
    click(&server, &alice, &post_id, "complete").await;
    let completed = alice_ws.expect_event("post_edited", |e| event_post(e)["id"] == post_id.as_str()).await;
    assert_eq!(event_post(&completed)["message"], "~~stand up~~ Completed.");
    assert_eq!(reminder_dm(&event_post(&completed)).1, Vec::<String>::new(), "the buttons are gone");
    assert!(remind(&server, &alice, channel, "/remind list").await.starts_with("You have no reminders"));

    // For someone else: Bob hears who asked.
    let mut bob_ws = server.websocket(&bob.token).await;
    assert!(remind(&server, &alice, channel, r#"/remind @bob "deploy" in 1 second"#).await.starts_with("I will remind @bob \"deploy\" at "));
    let for_bob = bob_ws.expect_event("posted", |e| e["data"]["channel_type"] == "D").await;
    assert_eq!(reminder_dm(&event_post(&for_bob)).0, "@alice asked me to remind you \"deploy\".");
    let weekly = remind(&server, &alice, channel, r#"/remind me "retro" every friday at 16:00"#).await;
    assert_eq!(weekly, "I will remind you \"retro\" every Friday at 16:00 UTC.");

    // Due while the server is down: the next server on the same database delivers it.
    let set_at = std::time::Instant::now();
    remind(&server, &alice, channel, r#"/remind me "water the plants" in 4 seconds"#).await;
    server.stop().await;
    assert!(set_at.elapsed() < Duration::from_secs(4), "the server stopped before the reminder was due");
    tokio::time::sleep(Duration::from_secs(4).saturating_sub(set_at.elapsed()) + Duration::from_millis(500)).await;
    let server = start(&dir, backend, &mut database).await.expect("the same database as before");
    let alice = server.login("alice", "alice-password").await;
    let delivered = wait_for_post(&server, &alice, &dm_channel, "water the plants").await;
    assert_eq!(reminder_dm(&delivered).0, "You asked me to remind you \"water the plants\".");
    let mut alice_ws = server.websocket(&alice.token).await;
    let list = list_dialog(&server, &alice, channel, &mut alice_ws).await;
    assert_eq!(listed(&list), "Your reminders:\n1. \"retro\" every Friday at 16:00 UTC\n2. \"water the plants\" delivered, waiting for Complete");
    server.stop().await;
}

/// Polls `channel_id` until a post whose attachment mentions `text` is there.
async fn wait_for_post(server: &TestServer, user: &User, channel_id: &str, text: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (_, page) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts"), &user.token).await;
        if let Some(post) = page["posts"].as_object().and_then(|posts| posts.values().find(|p| p["props"].to_string().contains(text))) {
            return post.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "no reminder about {text} arrived: {page}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn the_list_dialog_completes_and_deletes_reminders(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/remind", "remind.wasm");
    let config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    let Some(server) = TestServer::start_on_with(backend, "remind::list_dialog", config).await else { return };
    let alice = server.signup("alice").await;
    let bob = server.signup("bob").await;
    let (_, team) = server.post_as("/api/v4/teams", &alice.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "team_id": team_id, "user_id": bob.id })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &alice.token).await;
    let channel = town["id"].as_str().unwrap();
    for line in [r#"/remind me "review" in 1 hour"#, r#"/remind me "retro" every friday at 16:00"#, r#"/remind me "ship" in 2 hours"#] {
        assert!(remind(&server, &alice, channel, line).await.starts_with("I will remind you"), "{line}");
    }

    // The dialog lists them and offers each in its select.
    let mut alice_ws = server.websocket(&alice.token).await;
    let shown = list_dialog(&server, &alice, channel, &mut alice_ws).await;
    assert_eq!(shown["dialog"]["title"], "Your reminders");
    let lines: Vec<&str> = listed(&shown).lines().collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[2], "2. \"retro\" every Friday at 16:00 UTC");
    let (review, retro, ship) = (option(&shown, "review"), option(&shown, "retro"), option(&shown, "ship"));

    // A weekly reminder is not completed from here: a field error keeps the dialog
    // open; Delete removes it, and the plugin says so to alice only.
    let (status, answer) = submit_list(&server, &alice, channel, &retro, "complete").await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["errors"]["action"].as_str().is_some_and(|e| e.contains("Delete stops it")), "{answer}");
    let (status, answer) = submit_list(&server, &alice, channel, &retro, "delete").await;
    assert_eq!((status, &answer), (200, &json!({})));
    let told = alice_ws.expect_event("ephemeral_message", |_| true).await;
    assert_eq!(event_post(&told)["message"], "Deleted the reminder \"retro\".");
    assert_eq!(event_post(&told)["channel_id"], channel);
    let (status, error) = submit_list(&server, &alice, channel, &review, "delete").await;
    assert_eq!((status, error["id"].as_str()), (403, Some("api.dialog.submit.not_open.app_error")), "closed once accepted: {error}");

    // Another user's dialog cannot reach alice's reminders.
    assert!(remind(&server, &bob, channel, r#"/remind me "lunch" in 1 hour"#).await.starts_with("I will remind you"));
    let mut bob_ws = server.websocket(&bob.token).await;
    let bobs = list_dialog(&server, &bob, channel, &mut bob_ws).await;
    assert!(listed(&bobs).starts_with("Your reminders:\n1. \"lunch\" at "), "only bob's own: {}", listed(&bobs));
    let (_, answer) = submit_list(&server, &bob, channel, &ship, "delete").await;
    assert_eq!(answer["errors"]["reminder"], "That reminder is gone; pick another.", "{answer}");

    // Complete on a one-time reminder removes it; what is left is listed.
    let shown = list_dialog(&server, &alice, channel, &mut alice_ws).await;
    assert_eq!(listed(&shown).lines().count(), 3, "{}", listed(&shown));
    let (status, answer) = submit_list(&server, &alice, channel, &review, "complete").await;
    assert_eq!((status, &answer), (200, &json!({})));
    let told = alice_ws.expect_event("ephemeral_message", |_| true).await;
    assert_eq!(event_post(&told)["message"], "~~review~~ Completed.");
    let shown = list_dialog(&server, &alice, channel, &mut alice_ws).await;
    assert!(listed(&shown).starts_with("Your reminders:\n1. \"ship\" at "), "{}", listed(&shown));
    assert_eq!(shown["dialog"]["elements"][0]["options"].as_array().unwrap().len(), 1);
    server.stop().await;
}
