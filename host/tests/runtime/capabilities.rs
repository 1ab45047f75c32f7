//! Capability checks: calls outside the grant return `permission-denied` and the server never sees them.

use confab_host::{Capability, LoadOptions, PluginHost, WillOutcome};

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ungranted_calls_are_denied_and_have_no_effect() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &fixture(tmp.path(), "ungranted")).await;
    let outcome = host.message_will_be_posted(&ctx(), post("hello")).await;
    assert_eq!(outcome, WillOutcome::Continue(post("denied")), "both calls saw permission-denied");
    assert!(api.calls_of("fx.ungranted", "").is_empty(), "the server saw nothing: {:?}", api.calls_of("fx.ungranted", ""));
    assert!(api.kv.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_is_intersected_with_the_request() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    // The manifest asks for http:slow.test among others; the admin grants kv and
    // commands, plus a host the plugin never asked for.
    let granted = vec![Capability::Kv, Capability::Commands, Capability::Http("other.test".into())];
    host.load(&fixture(tmp.path(), "all-hooks"), LoadOptions { granted, ..Default::default() }).await.unwrap();
    assert_eq!(host.grants("fx.all-hooks").unwrap(), vec![Capability::Kv, Capability::Commands]);

    let request = confab_host::types::HttpRequest { method: "GET".into(), path: "/slow".into(), ..Default::default() };
    let response = host.serve_http("fx.all-hooks", &ctx(), request).await.unwrap();
    assert_eq!(response.status, 502, "outbound HTTP was denied inside the plugin");
    assert!(String::from_utf8_lossy(&response.body).contains("permission"), "{}", String::from_utf8_lossy(&response.body));
    assert!(api.calls_of("fx.all-hooks", "http_request").is_empty(), "the server never saw the request");
    assert_eq!(api.kv_text("fx.all-hooks", "hook:serve-http").as_deref(), Some("GET /slow"), "granted kv works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_grant_denies_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    // activate registers a command and fails on the denial: the plugin does not start.
    let err = host.load(&fixture(tmp.path(), "all-hooks"), LoadOptions::default()).await.unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
    assert_eq!(host.status("fx.all-hooks").unwrap().state, confab_host::PluginState::FailedToStart);
    assert!(api.commands.lock().unwrap().is_empty());
    assert!(api.kv.lock().unwrap().is_empty());
    assert!(api.calls_of("fx.all-hooks", "").is_empty(), "{:?}", api.calls_of("fx.all-hooks", ""));
}
