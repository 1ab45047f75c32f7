//! The hooks added in contract 0.2.0 on a real server, through the `fx-hooks-0-2` fixture: membership and archive vetoes (fail-open and fail-closed), posts redacted or withheld on REST reads and WebSocket events, `user-has-been-deactivated` from both deactivation routes, `on-install` once after the first activation of an uploaded bundle, and `configuration-will-be-saved` on the admin's and the plugin's own save.

use confab_e2e::{Backend, TestDir, TestServer, User, built_plugin, event_post, on_both_backends, repo_root};
use confab_server::Config;
use serde_json::{Value, json};

on_both_backends!(
    vetoes_refuse_and_fail_open_or_closed,
    consumed_posts_are_redacted_or_withheld,
    deactivation_reaches_plugins_from_both_routes,
    on_install_once_and_settings_checked_by_the_plugin,
);

const FX: &str = "fx.hooks-0-2";

/// fx-hooks-0-2's manifest, changed by `change`.
fn manifest(change: impl FnOnce(&mut Value)) -> Value {
    let text = std::fs::read_to_string(repo_root().join("tests/plugins/fx-hooks-0-2/plugin.json")).unwrap();
    let mut manifest: Value = serde_json::from_str(&text).unwrap();
    change(&mut manifest);
    manifest
}

/// Install fx-hooks-0-2 into the plugin directory as `manifest` says.
fn install(dir: &TestDir, manifest: &Value) {
    let plugin = dir.plugin_dir().join(manifest["id"].as_str().unwrap());
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::write(plugin.join("plugin.json"), manifest.to_string()).unwrap();
    std::fs::copy(built_plugin("fx_hooks_0_2.wasm"), plugin.join("server.wasm")).unwrap();
}

/// Set the control keys of plugin `id` (an empty value clears one).
async fn control(server: &TestServer, user: &User, id: &str, keys: Value) {
    let (status, body) = server.post_as(&format!("/plugins/{id}/control"), &user.token, &keys).await;
    assert_eq!(status, 200, "control {keys}: {body}");
}

async fn record(server: &TestServer, user: &User) -> Value {
    let (status, body) = server.get_as(&format!("/plugins/{FX}/record"), &user.token).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A team and its channels named `names`, made by `owner`; returns (team id, channel ids).
async fn team_with(server: &TestServer, owner: &User, team: &str, names: &[&str]) -> (String, Vec<String>) {
    let (status, made) = server.post_as("/api/v4/teams", &owner.token, &json!({ "name": team, "display_name": team, "type": "O" })).await;
    assert_eq!(status, 201, "{made}");
    let team_id = made["id"].as_str().unwrap().to_string();
    let mut channels = Vec::new();
    for name in names {
        let (status, channel) =
            server.post_as("/api/v4/channels", &owner.token, &json!({ "team_id": team_id, "name": name, "display_name": name, "type": "O" })).await;
        assert_eq!(status, 201, "{channel}");
        channels.push(channel["id"].as_str().unwrap().to_string());
    }
    (team_id, channels)
}

fn assert_refused(status: u16, body: &Value, id: &str, reason: &str) {
    assert_eq!((status, body["id"].as_str()), (400, Some(id)), "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains(reason), "{body}");
}

async fn vetoes_refuse_and_fail_open_or_closed(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, &manifest(|_| {}));
    // The same component again, failing closed.
    install(
        &dir,
        &manifest(|m| {
            m["id"] = "fx.hooks-closed".into();
            m["limits"] = json!({ "fail_closed": true });
        }),
    );
    let Some(server) = TestServer::start_on(&dir, backend, "hooks_0_2::vetoes").await else { return };
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let (team_id, channels) = team_with(&server, &ann, "eng", &["dev", "ops", "qa"]).await;
    let (dev, ops, qa) = (&channels[0], &channels[1], &channels[2]);
    let (other_team, _) = team_with(&server, &ann, "other", &[]).await;
    let (status, _) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &ann.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 201);

    // A refusal: 400 with Mattermost's id and the plugin's reason; nothing stored.
    control(&server, &ann, FX, json!({ "veto-channel": dev })).await;
    let (status, body) = server.post_as(&format!("/api/v4/channels/{dev}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    assert_refused(status, &body, "app.channel.add_user.to.channel.rejected_by_plugin", &format!("fx-hooks-0-2 refuses channel {dev}"));
    let (status, _) = server.get_as(&format!("/api/v4/channels/{dev}/members/{}", bob.id), &ann.token).await;
    assert_eq!(status, 404, "a refused member is not stored");

    // A plugin trapping in the veto: skipped when failing open...
    control(&server, &ann, FX, json!({ "veto-channel": "", "trap-channel": ops })).await;
    let (status, body) = server.post_as(&format!("/api/v4/channels/{ops}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 201, "fail-open lets the join through: {body}");
    // ... and refusing when failing closed.
    control(&server, &ann, "fx.hooks-closed", json!({ "trap-channel": qa })).await;
    let (status, body) = server.post_as(&format!("/api/v4/channels/{qa}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    assert_refused(status, &body, "app.channel.add_user.to.channel.rejected_by_plugin", "the plugin `fx.hooks-closed` failed to check");

    // Teams.
    control(&server, &ann, FX, json!({ "veto-team": other_team })).await;
    let (status, body) = server.post_as(&format!("/api/v4/teams/{other_team}/members"), &ann.token, &json!({ "user_id": bob.id })).await;
    assert_refused(status, &body, "app.team.join_user_to_team.rejected_by_plugin", "fx-hooks-0-2 refuses team");
    let (status, _) = server.get_as(&format!("/api/v4/teams/{other_team}/members/{}", bob.id), &ann.token).await;
    assert_eq!(status, 404, "a refused team member is not stored");

    // Archiving: refused, the channel stays; allowed once the veto is lifted.
    control(&server, &ann, FX, json!({ "veto-archive": dev })).await;
    let (status, body) = server.delete_as(&format!("/api/v4/channels/{dev}"), &ann.token).await;
    assert_refused(status, &body, "app.channel.delete_channel.rejected_by_plugin", "fx-hooks-0-2 refuses archive");
    let (_, channel) = server.get_as(&format!("/api/v4/channels/{dev}"), &ann.token).await;
    assert_eq!(channel["delete_at"], 0, "not archived: {channel}");
    control(&server, &ann, FX, json!({ "veto-archive": "" })).await;
    let (status, body) = server.delete_as(&format!("/api/v4/channels/{dev}"), &ann.token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(record(&server, &ann).await["archivers"], json!([ann.id, ann.id]), "the actor is passed");
    server.stop().await;
}

async fn consumed_posts_are_redacted_or_withheld(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, &manifest(|_| {}));
    let Some(server) = TestServer::start_on(&dir, backend, "hooks_0_2::consume").await else { return };
    let ann = server.signup("ann").await;
    let (_, channels) = team_with(&server, &ann, "eng", &["dev"]).await;
    let dev = &channels[0];
    let mut ws = server.websocket(&ann.token).await;
    let mut ids = Vec::new();
    for message in ["plain", "a secret", "hidden thing", "after"] {
        let (status, post) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": dev, "message": message })).await;
        assert_eq!(status, 201, "{post}");
        ids.push(post["id"].as_str().unwrap().to_string());
    }
    let (plain, secret, hidden, after) = (&ids[0], &ids[1], &ids[2], &ids[3]);

    // WebSocket: the redacted post arrives redacted, the withheld one not at all.
    let mut seen = Vec::new();
    while seen.last().is_none_or(|p: &Value| p["message"] != "after") {
        let post = event_post(&ws.expect_event("posted", |_| true).await);
        if !post["type"].as_str().unwrap_or_default().starts_with("system_") {
            seen.push(post);
        }
    }
    let messages: Vec<&str> = seen.iter().map(|p| p["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["plain", "[redacted by fx-hooks-0-2]", "after"]);

    // REST: a channel's page, one post, a thread, posts by ids.
    let (_, page) = server.get_as(&format!("/api/v4/channels/{dev}/posts"), &ann.token).await;
    let order: Vec<&str> = page["order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(!order.contains(&hidden.as_str()) && page["posts"].get(hidden).is_none(), "withheld from the page: {page}");
    assert!(order.contains(&plain.as_str()) && order.contains(&after.as_str()), "{page}");
    assert_eq!(page["posts"][secret]["message"], "[redacted by fx-hooks-0-2]");
    assert_eq!(page["posts"][secret]["id"], secret.as_str(), "the server's fields stay");
    let (status, one) = server.get_as(&format!("/api/v4/posts/{secret}"), &ann.token).await;
    assert_eq!((status, one["message"].as_str()), (200, Some("[redacted by fx-hooks-0-2]")));
    let (status, body) = server.get_as(&format!("/api/v4/posts/{hidden}"), &ann.token).await;
    assert_eq!(status, 404, "a withheld post is not found: {body}");
    let (_, thread) = server.get_as(&format!("/api/v4/posts/{secret}/thread"), &ann.token).await;
    assert_eq!(thread["posts"][secret]["message"], "[redacted by fx-hooks-0-2]");
    let (status, by_ids) = server.post_as("/api/v4/posts/ids", &ann.token, &json!(ids)).await;
    assert_eq!(status, 200, "{by_ids}");
    let mut returned: Vec<&str> = by_ids.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    returned.sort_unstable();
    let mut expected = vec![plain.as_str(), secret.as_str(), after.as_str()];
    expected.sort_unstable();
    assert_eq!(returned, expected);

    // An edit that turns secret is redacted in its `post_edited` event.
    let (status, _) = server.put_as(&format!("/api/v4/posts/{plain}/patch"), &ann.token, &json!({ "message": "now a secret" })).await;
    assert_eq!(status, 200);
    let edited = ws.expect_event("post_edited", |_| true).await;
    assert_eq!(event_post(&edited)["message"], "[redacted by fx-hooks-0-2]");
    server.stop().await;
}

async fn deactivation_reaches_plugins_from_both_routes(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, &manifest(|_| {}));
    let Some(server) = TestServer::start_on(&dir, backend, "hooks_0_2::deactivation").await else { return };
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let carol = server.signup("carol").await;

    // Mattermost's refusals first: no `active`, yourself, someone else without the role.
    let (status, body) = server.put_as(&format!("/api/v4/users/{}/active", bob.id), &admin.token, &json!({ "active": "no" })).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("api.context.invalid_body_param.app_error")), "{body}");
    let (status, body) = server.put_as(&format!("/api/v4/users/{}/active", bob.id), &bob.token, &json!({ "active": false })).await;
    assert_eq!((status, body["id"].as_str()), (401, Some("api.user.update_active.not_enable.app_error")), "{body}");
    let (status, body) = server.put_as(&format!("/api/v4/users/{}/active", carol.id), &bob.token, &json!({ "active": false })).await;
    assert_eq!((status, body["id"].as_str()), (403, Some("api.user.update_active.permissions.app_error")), "{body}");
    let (status, body) = server.delete_as(&format!("/api/v4/users/{}", bob.id), &bob.token).await;
    assert_eq!((status, body["id"].as_str()), (401, Some("api.user.update_active.not_enable.app_error")), "{body}");
    assert_eq!(record(&server, &admin).await["deactivated"], json!([]));

    let (status, _) = server.put_as(&format!("/api/v4/users/{}/active", bob.id), &admin.token, &json!({ "active": false })).await;
    assert_eq!(status, 200);
    let (status, _) = server.delete_as(&format!("/api/v4/users/{}", carol.id), &admin.token).await;
    assert_eq!(status, 200);
    // Already inactive: nothing changes, nothing fires.
    let (status, _) = server.delete_as(&format!("/api/v4/users/{}", carol.id), &admin.token).await;
    assert_eq!(status, 200);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let deactivated = record(&server, &admin).await["deactivated"].clone();
        if deactivated.as_array().unwrap().len() >= 2 {
            assert_eq!(deactivated, json!([bob.id, carol.id]));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "deactivations not delivered: {deactivated}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Reactivation is not a deactivation.
    let (status, _) = server.put_as(&format!("/api/v4/users/{}/active", bob.id), &admin.token, &json!({ "active": true })).await;
    assert_eq!(status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(record(&server, &admin).await["deactivated"].as_array().unwrap().len(), 2);
    server.stop().await;
}

async fn upload(server: &TestServer, token: &str, force: bool) -> (u16, Value) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plugin.json"), manifest(|_| {}).to_string()).unwrap();
    std::fs::copy(built_plugin("fx_hooks_0_2.wasm"), dir.path().join("server.wasm")).unwrap();
    let bundle = confab_server::plugins::bundle::pack_dir(dir.path(), FX).unwrap();
    let mut form = reqwest::multipart::Form::new().part("plugin", reqwest::multipart::Part::bytes(bundle).file_name("plugin.tar.gz"));
    if force {
        form = form.text("force", "true");
    }
    let response = server.request(reqwest::Method::POST, "/api/v4/plugins", token).multipart(form).send().await.expect("upload");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn on_install_once_and_settings_checked_by_the_plugin(backend: Backend) {
    let dir = TestDir::new();
    let config = Config { data_dir: dir.path().to_path_buf(), enable_plugin_uploads: true, ..Config::default() };
    let Some(server) = TestServer::start_on_with(backend, "hooks_0_2::install", config).await else { return };
    let admin = server.signup("root").await;
    let (status, body) = upload(&server, &admin.token, false).await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{FX}/permissions/approve"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{FX}/enable"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(record(&server, &admin).await["installs"], json!([admin.id]), "on-install after the first activation, with the installer");
    // A disable and enable is no install; an upgrade over the running version is.
    server.post_as(&format!("/api/v4/plugins/{FX}/disable"), &admin.token, &json!({})).await;
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{FX}/enable"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(record(&server, &admin).await["installs"], json!([admin.id]));
    let (status, body) = upload(&server, &admin.token, true).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(record(&server, &admin).await["installs"], json!([admin.id, admin.id]));

    // The admin's save: refused with the plugin's message, or saved as it adjusted it.
    let settings = format!("/api/v4/plugins/{FX}/settings");
    let (status, body) = server.put_as(&settings, &admin.token, &json!({ "Mode": "refuse" })).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("app.plugin.settings.invalid.app_error")), "{body}");
    assert_eq!(body["detailed_error"], "fx-hooks-0-2 does not accept Mode refuse", "the plugin's message: {body}");
    let (status, body) = server.put_as(&settings, &admin.token, &json!({ "Mode": "shout" })).await;
    assert_eq!((status, body["Mode"].as_str()), (200, Some("SHOUT")), "{body}");
    let (_, stored) = server.get_as(&settings, &admin.token).await;
    assert_eq!(stored["Mode"], "SHOUT");
    let (status, _) = server.put_as(&settings, &admin.token, &json!({ "Mode": "calm" })).await;
    assert_eq!(status, 200);
    // The plugin's own save passes the same check.
    let (status, body) = server.post_as(&format!("/plugins/{FX}/save"), &admin.token, &json!({ "Mode": "refuse" })).await;
    assert_eq!(status, 400, "{body}");
    let (_, stored) = server.get_as(&settings, &admin.token).await;
    assert_eq!(stored["Mode"], "calm", "a refused save stores nothing");
    let (status, body) = server.post_as(&format!("/plugins/{FX}/save"), &admin.token, &json!({ "Mode": "shout" })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(record(&server, &admin).await["mode"], "SHOUT");
    server.stop().await;
}
