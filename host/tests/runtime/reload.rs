//! Loading a new version over a running one: swap on success, in-flight calls finish on the old version, a broken new version leaves the old one serving; `prepare` checks a version without running it.

use confab_host::types::HttpRequest;
use confab_host::{PluginHost, PluginState, WillOutcome};

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_version_replaces_the_old_and_a_broken_one_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    let v1 = chain_link(tmp.path(), &api, "fx.reload", serde_json::json!({"action": "replace", "from": "a", "to": "b"}));
    assert!(!load(&host, &v1).await.replaced);
    assert_eq!(host.message_will_be_posted(&ctx(), post("a")).await, WillOutcome::Continue(post("b")));

    api.set_settings("fx.reload", serde_json::json!({"action": "replace", "from": "a", "to": "c"}));
    let v2 = fixture_with(tmp.path(), "chain", |m| {
        m["id"] = "fx.reload".into();
        m["version"] = "0.2.0".into();
    });
    let report = load(&host, &v2).await;
    assert!(report.replaced);
    assert_eq!(host.status("fx.reload").unwrap().version, "0.2.0");
    assert_eq!(host.message_will_be_posted(&ctx(), post("a")).await, WillOutcome::Continue(post("c")));

    let v3 = fixture_with(tmp.path(), "chain", |m| {
        m["id"] = "fx.reload".into();
        m["version"] = "0.3.0".into();
    });
    std::fs::write(v3.join("server.wasm"), b"not wasm").unwrap();
    let err = host.load(&v3, Default::default()).await.unwrap_err();
    assert!(err.to_string().contains("not a loadable wasm component"), "{err}");
    let status = host.status("fx.reload").unwrap();
    assert_eq!((status.state, status.version.as_str()), (PluginState::Running, "0.2.0"), "old version keeps serving");
    assert_eq!(host.message_will_be_posted(&ctx(), post("a")).await, WillOutcome::Continue(post("c")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_calls_finish_on_the_old_version() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &fixture(tmp.path(), "all-hooks")).await;
    let slow = {
        let host = host.clone();
        tokio::spawn(async move {
            let request = HttpRequest { method: "GET".into(), path: "/slow".into(), ..Default::default() };
            host.serve_http("fx.all-hooks", &ctx(), request).await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let report = load(&host, &fixture_with(tmp.path(), "all-hooks", |m| m["version"] = "0.2.0".into())).await;
    assert!(report.replaced);
    let response = slow.await.unwrap().expect("the in-flight call finished");
    assert_eq!(response.status, 200);
    assert_eq!(api.kv_text("fx.all-hooks", "hook:deactivate").as_deref(), Some("ok"), "old version deactivated after draining");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepare_checks_without_running_and_warms_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    let dir = fixture(tmp.path(), "chain");
    let manifest = host.prepare(&dir).await.unwrap();
    assert_eq!(manifest.id, "fx.chain");
    assert!(host.status("fx.chain").is_none(), "prepared, not running");
    assert_eq!(load(&host, &dir).await.cache, confab_host::CacheOutcome::Hit, "the load reuses what prepare compiled");

    let broken = fixture_with(tmp.path(), "chain", |m| m["id"] = "fx.broken".into());
    std::fs::write(broken.join("server.wasm"), b"not wasm").unwrap();
    let err = host.prepare(&broken).await.unwrap_err();
    assert!(err.to_string().contains("not a loadable wasm component"), "{err}");
    assert!(host.status("fx.broken").is_none(), "a failed prepare records nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_timings_count_from_the_compile_and_reach_the_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    let dir = chain_link(tmp.path(), &api, "fx.timed", serde_json::json!({"action": "allow"}));
    let report = load(&host, &dir).await;
    assert!(report.compiled_to_serving <= report.total_time, "{report:?}");
    assert!(report.compile_time + report.compiled_to_serving <= report.total_time, "{report:?}");

    // An install compiles in `prepare` before moving files; the load then counts from there.
    host.prepare(&dir).await.unwrap();
    let compiled_at = std::time::Instant::now() - std::time::Duration::from_millis(300);
    let options = confab_host::LoadOptions { grant_all_requested: true, compiled_at: Some(compiled_at), ..Default::default() };
    let report = host.load(&dir, options).await.unwrap();
    assert!(report.compiled_to_serving >= std::time::Duration::from_millis(300), "{report:?}");

    let text = host.metrics().render_prometheus();
    let ready = text.lines().find(|l| l.starts_with("confab_plugin_load_ready_seconds{plugin_id=\"fx.timed\",cache_hit=\"true\"}")).expect(&text);
    let seconds: f64 = ready.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(seconds >= 0.3, "{ready}");
    assert!(text.contains("# TYPE confab_plugin_load_compile_seconds gauge"), "{text}");
}
