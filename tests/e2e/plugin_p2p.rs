//! Plugin to plugin calls and plugin-defined metrics through the real `fx-p2p` component, loaded twice (`fx.p2p-a`, `fx.p2p-b`): the caller named and the user header dropped, grants per target, a call back into a plugin without a free instance refused at once instead of waiting on itself, an A→B→A bounce stopped by the depth limit, counted and quarantined while the server keeps serving; metrics on `/metrics` with a `plugin_id` label, bounded, gone with the plugin.

use std::time::{Duration, Instant};

use confab_e2e::{Backend, TestDir, TestServer, User, on_both_backends};
use confab_server::Config;
use serde_json::{Value, json};

/// Install fx-p2p as `id` with `permissions` and `limits`.
fn install(dir: &TestDir, id: &str, permissions: Value, limits: Value) {
    let installed = dir.install_plugin("tests/plugins/fx-p2p", "fx_p2p.wasm");
    let from = dir.plugin_dir().join(&installed);
    let to = dir.plugin_dir().join(id);
    std::fs::rename(&from, &to).unwrap();
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(to.join("plugin.json")).unwrap()).unwrap();
    manifest["id"] = json!(id);
    manifest["permissions"] = permissions;
    manifest["limits"] = limits;
    std::fs::write(to.join("plugin.json"), manifest.to_string()).unwrap();
}

async fn start(dir: &TestDir, backend: Backend, name: &str) -> Option<TestServer> {
    TestServer::start_on_with(backend, name, Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).await
}

async fn send(server: &TestServer, user: &User, method: reqwest::Method, path: &str) -> (u16, Value) {
    let response = server.request(method, path, &user.token).send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn metrics_text(server: &TestServer, admin: &User) -> String {
    let response = server.request(reqwest::Method::GET, "/metrics", &admin.token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn plugin_state(server: &TestServer, admin: &User, id: &str) -> i64 {
    let (status, statuses) = server.get_as("/api/v4/plugins/statuses", &admin.token).await;
    assert_eq!(status, 200, "{statuses}");
    statuses.as_array().unwrap().iter().find(|s| s["plugin_id"] == id).unwrap_or_else(|| panic!("no status for {id}"))["state"].as_i64().unwrap()
}

async fn calls_are_named_granted_and_never_wait_on_themselves(backend: Backend) {
    let dir = TestDir::new();
    // A may call B; B may call A back. A has a single instance.
    install(&dir, "fx.p2p-a", json!(["plugin:fx.p2p-b"]), json!({ "instances": 1 }));
    install(&dir, "fx.p2p-b", json!(["plugin:fx.p2p-a"]), json!({}));
    let Some(server) = start(&dir, backend, "plugin_p2p::calls").await else { return };
    let admin = server.signup("root").await;

    // The target sees the caller's id and not the user header the caller forged.
    let (status, answer) = send(&server, &admin, reqwest::Method::POST, "/plugins/fx.p2p-a/call?target=fx.p2p-b&path=%2Fecho%3Fq%3D1").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], 200, "{answer}");
    let echoed = &answer["body"];
    assert_eq!((echoed["plugin_id"].as_str(), echoed["user_id"].as_str()), (Some("fx.p2p-a"), Some("")), "{answer}");
    assert_eq!((echoed["path"].as_str(), echoed["query"].as_str(), echoed["x_test"].as_str()), (Some("/echo"), Some("q=1"), Some("1")));

    // A client cannot claim to be a plugin.
    let (_, echoed) = send(&server, &admin, reqwest::Method::GET, "/plugins/fx.p2p-b/echo").await;
    assert_eq!(echoed["plugin_id"], "", "{echoed}");
    let response =
        server.request(reqwest::Method::GET, "/plugins/fx.p2p-b/echo", &admin.token).header("Mattermost-Plugin-ID", "fx.p2p-a").send().await.unwrap();
    assert_eq!(confab_e2e::json(response).await["plugin_id"], "");

    // Only granted targets: B may not call itself, A may not call an unknown plugin.
    let (_, answer) = send(&server, &admin, reqwest::Method::POST, "/plugins/fx.p2p-b/call?target=fx.p2p-b").await;
    assert_eq!(answer["error"], "permission denied", "{answer}");

    // A → B → A with A's only instance held by the chain: refused at once, not a
    // wait until the deadline, and not counted against anyone.
    let started = Instant::now();
    let (status, answer) = send(&server, &admin, reqwest::Method::POST, "/plugins/fx.p2p-a/call?target=fx.p2p-b&path=%2Fping-back").await;
    assert_eq!(status, 200, "{answer}");
    let inner = answer["body"]["error"].as_str().unwrap_or_else(|| panic!("B's call back was refused: {answer}"));
    assert!(inner.contains("busy"), "{answer}");
    assert!(started.elapsed() < Duration::from_millis(900), "no wait on a held instance: {:?}", started.elapsed());
    assert_eq!(plugin_state(&server, &admin, "fx.p2p-a").await, 2, "still running");
    server.stop().await;

    // With a second instance, the call back is served.
    let dir = TestDir::new();
    install(&dir, "fx.p2p-a", json!(["plugin:fx.p2p-b"]), json!({ "instances": 2 }));
    install(&dir, "fx.p2p-b", json!(["plugin:fx.p2p-a"]), json!({}));
    let Some(server) = start(&dir, backend, "plugin_p2p::calls_back").await else { return };
    let admin = server.signup("root").await;
    let (_, answer) = send(&server, &admin, reqwest::Method::POST, "/plugins/fx.p2p-a/call?target=fx.p2p-b&path=%2Fping-back").await;
    assert_eq!(answer["body"]["body"]["plugin_id"], "fx.p2p-b", "A answered B's call back: {answer}");
    server.stop().await;
}

async fn a_bounce_between_two_plugins_is_stopped_counted_and_quarantined(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, "fx.p2p-a", json!(["plugin:fx.p2p-b"]), json!({}));
    install(&dir, "fx.p2p-b", json!(["plugin:fx.p2p-a"]), json!({}));
    let Some(server) = start(&dir, backend, "plugin_p2p::bounce").await else { return };
    let admin = server.signup("root").await;

    // A → B → A → B → A, and A's fifth call is refused: every level panics on the
    // error below it, so A fails three times (quarantined) and B twice.
    let (status, _) = send(&server, &admin, reqwest::Method::GET, "/plugins/fx.p2p-a/bounce?to=fx.p2p-b&back=fx.p2p-a").await;
    assert_eq!(status, 500, "A's own failure answers the client");
    let text = metrics_text(&server, &admin).await;
    for (plugin, failures) in [("fx.p2p-a", 3), ("fx.p2p-b", 2)] {
        let line = format!("confab_plugin_hook_failures_total{{plugin_id=\"{plugin}\",hook=\"serve-http\",kind=\"panic\"}} {failures}");
        assert!(text.contains(&line), "{line} in\n{text}");
    }
    assert_eq!(plugin_state(&server, &admin, "fx.p2p-a").await, 4, "A quarantined");
    // B's next bounce finds A stopped, fails a third time and is quarantined too.
    send(&server, &admin, reqwest::Method::GET, "/plugins/fx.p2p-b/bounce?to=fx.p2p-a&back=fx.p2p-b").await;
    assert_eq!(plugin_state(&server, &admin, "fx.p2p-b").await, 4, "B quarantined");
    // The server serves on.
    let (status, _) = server.get_as("/api/v4/system/ping", &admin.token).await;
    assert_eq!(status, 200);
    server.stop().await;
}

async fn metrics_are_labelled_bounded_and_removed_with_the_plugin(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, "fx.p2p-a", json!(["metrics"]), json!({}));
    install(&dir, "fx.p2p-b", json!([]), json!({}));
    let Some(server) = start(&dir, backend, "plugin_p2p::metrics").await else { return };
    let admin = server.signup("root").await;
    let record = |id: &'static str, body: Value| {
        let server = &server;
        let token = admin.token.clone();
        async move {
            let response = server.request(reqwest::Method::POST, &format!("/plugins/{id}/metric"), &token).json(&body).send().await.unwrap();
            confab_e2e::json(response).await["result"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(record("fx.p2p-a", json!({ "kind": "counter", "name": "reminders sent", "labels": { "kind": "snooze" }, "value": 2 })).await, "ok");
    assert_eq!(record("fx.p2p-a", json!({ "kind": "counter", "name": "reminders sent", "labels": { "kind": "snooze" }, "value": 1 })).await, "ok");
    assert_eq!(record("fx.p2p-a", json!({ "kind": "gauge", "name": "pending", "labels": {}, "value": 7 })).await, "ok");
    assert_eq!(record("fx.p2p-a", json!({ "kind": "histogram", "name": "upstream_seconds", "labels": {}, "value": 0.2 })).await, "ok");
    assert!(
        record("fx.p2p-a", json!({ "kind": "gauge", "name": "pending", "labels": { "plugin_id": "fx.p2p-b" }, "value": 1 })).await.starts_with("invalid input")
    );
    assert!(record("fx.p2p-a", json!({ "kind": "gauge", "name": "reminders sent", "labels": {}, "value": 1 })).await.starts_with("invalid input"));
    assert_eq!(record("fx.p2p-b", json!({ "kind": "gauge", "name": "pending", "labels": {}, "value": 1 })).await, "permission denied");

    let text = metrics_text(&server, &admin).await;
    for line in [
        "# TYPE confab_plugin_custom_reminders_sent counter",
        "confab_plugin_custom_reminders_sent{plugin_id=\"fx.p2p-a\",kind=\"snooze\"} 3",
        "confab_plugin_custom_pending{plugin_id=\"fx.p2p-a\"} 7",
        "confab_plugin_custom_upstream_seconds_bucket{plugin_id=\"fx.p2p-a\",le=\"0.25\"} 1",
        "confab_plugin_custom_upstream_seconds_count{plugin_id=\"fx.p2p-a\"} 1",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }

    // Hostile: a series per number stops at the plugin's cap; what was there stays.
    let response = server.request(reqwest::Method::POST, "/plugins/fx.p2p-a/metric-flood?count=10000", &admin.token).send().await.unwrap();
    let flood = confab_e2e::json(response).await;
    assert_eq!((flood["accepted"].as_u64(), flood["refusal"].as_str()), (Some(256 - 3), Some("quota exceeded")), "{flood}");
    let text = metrics_text(&server, &admin).await;
    assert_eq!(text.lines().filter(|l| l.starts_with("confab_plugin_custom_flood{")).count(), 253);
    assert!(text.contains("confab_plugin_custom_pending{plugin_id=\"fx.p2p-a\"} 7"));

    // Removed with the plugin.
    let (status, body) = server.post_as("/api/v4/plugins/fx.p2p-a/disable", &admin.token, &json!({})).await;
    assert_eq!(status, 200, "{body}");
    let text = metrics_text(&server, &admin).await;
    assert!(!text.contains("confab_plugin_custom_"), "{text}");
    server.stop().await;
}

on_both_backends!(
    calls_are_named_granted_and_never_wait_on_themselves,
    a_bounce_between_two_plugins_is_stopped_counted_and_quarantined,
    metrics_are_labelled_bounded_and_removed_with_the_plugin
);
