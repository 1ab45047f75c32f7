//! Plugins end to end: statuses, `/plugins/{id}/...` reaching the plugin's `serve-http`, and the Mattermost errors for unknown, hook-less and oversized requests.

use confab_e2e::{TestDir, TestServer, json};

const KV_COUNTER: &str = "com.confab.kv-counter";

/// Install a plugin whose component is not wasm at all, under `id`.
fn install_broken_plugin(dir: &TestDir, id: &str) {
    let plugin = dir.plugin_dir().join(id);
    std::fs::create_dir_all(&plugin).unwrap();
    let manifest = serde_json::json!({ "id": id, "name": "Broken", "version": "0.1.0", "server": { "wasm": "server.wasm" } });
    std::fs::write(plugin.join("plugin.json"), manifest.to_string()).unwrap();
    std::fs::write(plugin.join("server.wasm"), b"this is not a wasm component").unwrap();
}

#[tokio::test]
async fn requests_under_plugins_reach_the_plugin() {
    let dir = TestDir::new();
    assert_eq!(dir.install_plugin("example-plugins/kv-counter", "kv_counter.wasm"), KV_COUNTER);
    let server = TestServer::start(&dir).await;

    // The plugin lists its counters (none yet: nothing was posted).
    let response = server.get(&format!("/plugins/{KV_COUNTER}/counts")).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"), "plugin responses carry the request id too");
    assert_eq!(response.headers()["content-type"], "application/json", "the plugin's headers are passed on");
    assert_eq!(json(response).await, serde_json::json!({}));

    // One counter: the plugin read its KV (granted from its manifest) and found nothing.
    let response = server.get(&format!("/plugins/{KV_COUNTER}/counts/town-square?x=1")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await, serde_json::json!({ "channel_id": "town-square", "count": 0 }));

    // The method reaches the plugin, which only takes GET.
    let response = server.client.post(server.url(&format!("/plugins/{KV_COUNTER}/counts"))).body("{}").send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert!(json(response).await["error"].is_string(), "the plugin's own error body, not the server's");

    // `/plugins/{id}` and `/plugins/{id}/` reach the plugin with path "/", which it does not serve.
    for path in [format!("/plugins/{KV_COUNTER}"), format!("/plugins/{KV_COUNTER}/")] {
        let response = server.get(&path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body = json(response).await;
        assert_eq!(body["error"], "not found", "{path}: answered by the plugin: {body}");
    }

    server.stop().await;
}

#[tokio::test]
async fn unknown_plugins_get_a_mattermost_404() {
    let dir = TestDir::new();
    let server = TestServer::start(&dir).await;

    for path in ["/plugins/com.example.missing/anything", "/plugins/com.example.missing"] {
        let response = server.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let request_id = response.headers()["x-request-id"].to_str().unwrap().to_string();
        let body = json(response).await;
        assert_eq!(body["id"], "app.plugin.not_installed.app_error", "{path}: {body}");
        assert_eq!(body["status_code"], 404);
        assert_eq!(body["request_id"], request_id.as_str());
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(body["detailed_error"].as_str().is_some_and(|d| d.contains("com.example.missing")), "{body}");
    }

    server.stop().await;
}

#[tokio::test]
async fn a_plugin_without_http_hooks_is_not_found() {
    let dir = TestDir::new();
    let id = dir.install_plugin("tests/plugins/fx-lifecycle-only", "fx_lifecycle_only.wasm");
    let server = TestServer::start(&dir).await;

    let response = server.get(&format!("/plugins/{id}/anything")).await;
    assert_eq!(response.status(), 404);
    assert_eq!(json(response).await["id"], "app.plugin.serve_http.not_implemented.app_error");

    server.stop().await;
}

#[tokio::test]
async fn statuses_show_running_and_failed_plugins_and_a_failed_one_does_not_stop_the_server() {
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/kv-counter", "kv_counter.wasm");
    install_broken_plugin(&dir, "com.example.broken");
    let server = TestServer::start(&dir).await;
    let admin = server.signup("root").await;

    assert_eq!(server.get("/api/v4/plugins/statuses").await.status(), 401, "statuses are for admins");
    let response = server.client.get(server.url("/api/v4/plugins/statuses")).bearer_auth(&admin.token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let statuses = json(response).await;
    let statuses = statuses.as_array().expect("an array of statuses");
    let find = |id: &str| statuses.iter().find(|s| s["plugin_id"] == id).unwrap_or_else(|| panic!("no status for {id} in {statuses:?}")).clone();

    let running = find(KV_COUNTER);
    assert_eq!(running["state"], 2, "{running}");
    assert_eq!(running["name"], "KV Counter");
    assert_eq!(running["version"], "0.1.0");
    assert_eq!(running["error"], "");
    assert_eq!(running["cluster_id"], "");
    assert!(running["plugin_path"].as_str().unwrap().ends_with(KV_COUNTER));

    let failed = find("com.example.broken");
    assert_eq!(failed["state"], 3, "failed to start: {failed}");
    assert!(failed["error"].as_str().is_some_and(|e| !e.is_empty()), "{failed}");

    // The working plugin serves regardless.
    assert_eq!(server.get(&format!("/plugins/{KV_COUNTER}/counts")).await.status(), 200);

    server.stop().await;
}

#[tokio::test]
async fn oversized_plugin_requests_are_refused_before_the_plugin() {
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/kv-counter", "kv_counter.wasm");
    let server = TestServer::start(&dir).await;

    let body = vec![b'x'; 1024 * 1024 + 1];
    let response = server.client.post(server.url(&format!("/plugins/{KV_COUNTER}/counts"))).body(body).send().await.unwrap();
    assert_eq!(response.status(), 413);
    let body = json(response).await;
    assert_eq!(body["id"], "api.context.request_body_too_large.app_error");
    assert_eq!(body["status_code"], 413);

    // Exactly at the limit is fine: the plugin answers (405: it only takes GET).
    let body = vec![b'x'; 1024 * 1024];
    let response = server.client.post(server.url(&format!("/plugins/{KV_COUNTER}/counts"))).body(body).send().await.unwrap();
    assert_eq!(response.status(), 405);

    server.stop().await;
}
