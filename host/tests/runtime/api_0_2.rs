//! Host functions added in `confab:plugin@0.2.0`, called by a compiled component (`fx-api-0-2`): server facts, direct channels and saving the plugin's own settings, each behind its capability.

use confab_host::types::*;
use confab_host::{LoadOptions, PluginHost};

use crate::harness::*;

const ID: &str = "fx.api-0-2";

async fn call(host: &PluginHost, method: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
    let request = HttpRequest { method: method.into(), path: path.into(), body: body.as_bytes().to_vec(), ..Default::default() };
    let response = host.serve_http(ID, &ctx(), request).await.unwrap();
    (response.status, serde_json::from_slice(&response.body).unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&response.body))))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_answers_the_server_facts() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &fixture(tmp.path(), "api-0-2")).await;
    let (status, body) = call(&host, "GET", "/server", "").await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"site_url": "https://chat.example.com", "server_version": "9.8.7", "diagnostic_id": "diagnosticid0000000000000a"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_channels_need_channels_write() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &fixture(tmp.path(), "api-0-2")).await;
    let (status, body) = call(&host, "POST", "/direct", r#"{"a":"bot1","b":"u2"}"#).await;
    assert_eq!((status, body), (200, serde_json::json!({"id": "dm-bot1-u2", "type": "D", "name": "bot1__u2"})));
    assert_eq!(api.calls_of(ID, "get_direct_channel"), ["get_direct_channel bot1 u2"]);

    // Granted nothing: refused by the host, the server never sees the call.
    host.load(&fixture(tmp.path(), "api-0-2"), LoadOptions::default()).await.unwrap();
    let (status, body) = call(&host, "POST", "/direct", r#"{"a":"bot1","b":"u3"}"#).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("permission"), "{body}");
    assert_eq!(api.calls_of(ID, "get_direct_channel").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_settings_reach_the_plugin_and_need_config_write() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &fixture(tmp.path(), "api-0-2")).await;
    let (_, before) = call(&host, "GET", "/settings", "").await;
    assert_eq!(before, serde_json::json!({"greeting": "hi", "loud": false}));

    // The server side stores them; the host checks the capability and the JSON shape.
    let (status, body) = call(&host, "POST", "/save", r#"{"greeting":"hello"}"#).await;
    assert_eq!((status, body), (200, serde_json::json!({"saved": true})));
    assert_eq!(api.calls_of(ID, "save_plugin_settings"), [r#"save_plugin_settings {"greeting":"hello"}"#]);
    for bad in ["[1,2]", "not json"] {
        let (status, body) = call(&host, "POST", "/save", bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"].as_str().unwrap().contains("invalid input"), "{body}");
    }

    host.load(&fixture(tmp.path(), "api-0-2"), LoadOptions::default()).await.unwrap();
    let (status, body) = call(&host, "POST", "/save", r#"{"greeting":"sneaky"}"#).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("permission"), "{body}");
    assert_eq!(api.calls_of(ID, "save_plugin_settings").len(), 1);
}
