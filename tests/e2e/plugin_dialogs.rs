//! A plugin's interactive dialogs through the real `fx-dialogs` component: opened from its slash command's trigger id and from a click on its own button (routed in process to its `serve-http`), submitted back to it with the submitter's id, field errors keeping the dialog open; another plugin's path, a forged trigger id and a missing grant refused.

use confab_e2e::{Backend, TestDir, TestServer, User, event_post, on_both_backends};
use confab_server::Config;
use serde_json::{Value, json};

const PLUGIN: &str = "/plugins/fx.dialogs";

async fn start(dir: &TestDir, backend: Backend, name: &str) -> Option<TestServer> {
    TestServer::start_on_with(backend, name, Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).await
}

/// Admin, a team and bob in it; the town-square channel id.
async fn team(server: &TestServer) -> (User, User, String) {
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let (_, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "team_id": team_id, "user_id": bob.id })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &admin.token).await;
    (admin, bob, town["id"].as_str().unwrap().to_string())
}

async fn execute(server: &TestServer, user: &User, channel_id: &str, command: &str) -> Value {
    let (status, answer) = server.post_as("/api/v4/commands/execute", &user.token, &json!({ "channel_id": channel_id, "command": command })).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// The `open_dialog` request a client was sent.
async fn opened(ws: &mut confab_e2e::WsClient) -> Value {
    let event = ws.expect_event("open_dialog", |_| true).await;
    serde_json::from_str(event["data"]["dialog"].as_str().expect("data.dialog is JSON text")).unwrap()
}

fn submission(channel_id: &str, name: &str) -> Value {
    json!({ "url": format!("{PLUGIN}/submit"), "callback_id": "fx", "state": "forged", "channel_id": channel_id, "submission": { "name": name }, "cancelled": false })
}

async fn submissions(server: &TestServer, user: &User) -> Vec<Value> {
    let (status, list) = server.get_as(&format!("{PLUGIN}/submissions"), &user.token).await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().clone()
}

async fn dialogs_from_a_command_and_a_button(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-dialogs", "fx_dialogs.wasm");
    let Some(server) = start(&dir, backend, "plugin_dialogs::command_and_button").await else { return };
    let (admin, bob, channel_id) = team(&server).await;
    let mut bob_ws = server.websocket(&bob.token).await;

    // The command's trigger id reaches the plugin, which opens a dialog for bob.
    let answer = execute(&server, &bob, &channel_id, "/fxdialog").await;
    assert_eq!(answer["text"], "dialog: ok", "{answer}");
    let shown = opened(&mut bob_ws).await;
    assert_eq!(shown["trigger_id"], answer["trigger_id"], "the client sees its own trigger id");
    assert_eq!(shown["url"], format!("{PLUGIN}/submit"), "a plugin path becomes the plugin's route");
    assert_eq!((shown["dialog"]["title"].as_str(), shown["dialog"]["state"].as_str()), (Some("FX dialog"), Some("from-command")));

    // Submitting goes to the plugin in process: a field error keeps the dialog open,
    // a good answer closes it; the plugin sees the submitter and its own state.
    let (status, answer) = server.post_as("/api/v4/actions/dialogs/submit", &bob.token, &submission(&channel_id, "ab")).await;
    assert_eq!((status, &answer), (200, &json!({ "errors": { "name": "Use at least 3 characters." } })));
    let (status, answer) = server.post_as("/api/v4/actions/dialogs/submit", &bob.token, &submission(&channel_id, "bob")).await;
    assert_eq!((status, &answer), (200, &json!({})));
    let (status, error) = server.post_as("/api/v4/actions/dialogs/submit", &bob.token, &submission(&channel_id, "bob")).await;
    assert_eq!((status, error["id"].as_str()), (403, Some("api.dialog.submit.not_open.app_error")), "closed once accepted: {error}");
    let seen = submissions(&server, &bob).await;
    assert_eq!(seen.len(), 2, "{seen:?}");
    for entry in &seen {
        assert_eq!(entry["path"], "/submit");
        assert_eq!(entry["header_user_id"], bob.id.as_str(), "Mattermost-User-Id is the submitter");
        assert_eq!(entry["submission"]["user_id"], bob.id.as_str());
        assert_eq!((entry["submission"]["state"].as_str(), entry["submission"]["type"].as_str()), (Some("from-command"), Some("dialog_submission")));
    }

    // A button whose integration is the plugin: the click reaches its serve-http in
    // process with a trigger id, which opens the dialog; the post is updated.
    let attachments = json!([{ "text": "Remind me", "actions": [{ "name": "Snooze", "integration": { "url": format!("{PLUGIN}/click") } }] }]);
    let (status, post) =
        server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": channel_id, "message": "", "props": { "attachments": attachments } })).await;
    assert_eq!(status, 201, "{post}");
    let post_id = post["id"].as_str().unwrap();
    let action_id = post["props"]["attachments"][0]["actions"][0]["id"].as_str().unwrap();
    let (status, answer) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/{action_id}"), &bob.token, &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    let shown = opened(&mut bob_ws).await;
    assert_eq!((shown["dialog"]["state"].as_str(), shown["trigger_id"].as_str()), (Some("from-click"), answer["trigger_id"].as_str()));
    let ephemeral = bob_ws.expect_event("ephemeral_message", |_| true).await;
    assert_eq!(event_post(&ephemeral)["message"], "dialog: ok");
    let (_, stored) = server.get_as(&format!("/api/v4/posts/{post_id}"), &admin.token).await;
    assert_eq!(stored["message"], "clicked by bob");

    server.stop().await;
}

async fn foreign_paths_forged_triggers_and_no_grant_are_refused(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-dialogs", "fx_dialogs.wasm");
    let Some(server) = start(&dir, backend, "plugin_dialogs::refused").await else { return };
    let (_admin, bob, channel_id) = team(&server).await;

    for path in ["/plugins/fx.other/submit", "/plugins/fx.dialogs.evil/submit", "https://collector.example/submit", "submit"] {
        let answer = execute(&server, &bob, &channel_id, &format!("/fxdialog {path}")).await;
        assert!(answer["text"].as_str().unwrap().starts_with("dialog: invalid input"), "{path}: {answer}");
    }
    // Written the Mattermost way, its own route is fine.
    let answer = execute(&server, &bob, &channel_id, "/fxdialog /plugins/fx.dialogs/elsewhere").await;
    assert_eq!(answer["text"], "dialog: ok", "{answer}");

    for trigger_id in ["", "not-hex", "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"] {
        let (status, answer) = server.post_as(&format!("{PLUGIN}/open"), &bob.token, &json!({ "trigger_id": trigger_id, "path": "/submit" })).await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer["result"].as_str().unwrap().starts_with("invalid input"), "{trigger_id:?}: {answer}");
    }
    server.stop().await;

    // Without the `dialogs` permission the host refuses before the server sees it.
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-dialogs", "fx_dialogs.wasm");
    let manifest_path = dir.plugin_dir().join("fx.dialogs/plugin.json");
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    manifest["permissions"] = json!(["commands", "kv"]);
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let Some(server) = start(&dir, backend, "plugin_dialogs::ungranted").await else { return };
    let (_admin, bob, channel_id) = team(&server).await;
    let answer = execute(&server, &bob, &channel_id, "/fxdialog").await;
    assert_eq!(answer["text"], "dialog: permission denied", "{answer}");
    server.stop().await;
}

on_both_backends!(dialogs_from_a_command_and_a_button, foreign_paths_forged_triggers_and_no_grant_are_refused);
