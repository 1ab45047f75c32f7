//! The instance pool: N concurrent calls with a pool of N run in parallel, and the pool never grows past its size.

use std::time::{Duration, Instant};

use confab_host::PluginHost;
use confab_host::types::HttpRequest;

use crate::harness::*;

async fn slow_calls(host: &PluginHost, n: usize) -> Duration {
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..n {
        let host = host.clone();
        calls.spawn(async move {
            let request = HttpRequest { method: "GET".into(), path: "/slow".into(), ..Default::default() };
            let response = host.serve_http("fx.all-hooks", &ctx(), request).await.unwrap();
            assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
        });
    }
    while let Some(joined) = calls.join_next().await {
        joined.unwrap();
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_run_in_parallel_up_to_the_pool_size() {
    let tmp = tempfile::tempdir().unwrap();
    let host = PluginHost::new(config(&tmp.path().join("cache")), RecordingApi::new()).unwrap();
    load(&host, &fixture_with(tmp.path(), "all-hooks", |m| m["limits"]["instances"] = 4.into())).await;

    // Each /slow call waits 300 ms in a host call. Serialized, four would take 1.2 s.
    let elapsed = slow_calls(&host, 4).await;
    assert!(elapsed < Duration::from_millis(900), "4 calls with a pool of 4 took {elapsed:?}: they were serialized");
    assert!(elapsed >= Duration::from_millis(300));
    assert_eq!(host.instance_counts("fx.all-hooks").unwrap().1, 4);

    // Eight calls on four instances: two rounds, and never a fifth instance.
    let elapsed = slow_calls(&host, 8).await;
    assert!(elapsed >= Duration::from_millis(600), "8 calls on 4 instances cannot finish in one round ({elapsed:?})");
    let (live, max) = host.instance_counts("fx.all-hooks").unwrap();
    assert_eq!(max, 4, "the pool grew past its size");
    assert!(live <= 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_of_one_serializes() {
    let tmp = tempfile::tempdir().unwrap();
    let host = PluginHost::new(config(&tmp.path().join("cache")), RecordingApi::new()).unwrap();
    load(
        &host,
        &fixture_with(tmp.path(), "all-hooks", |m| {
            m["limits"]["instances"] = 1.into();
            m["limits"]["deadline_ms"] = 5_000.into();
        }),
    )
    .await;
    let elapsed = slow_calls(&host, 3).await;
    assert!(elapsed >= Duration::from_millis(900), "3 calls on one instance took {elapsed:?}");
    assert_eq!(host.instance_counts("fx.all-hooks").unwrap().1, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_instances_exist_from_activation_and_activate_runs_once() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(
        &host,
        &fixture_with(tmp.path(), "all-hooks", |m| {
            m["limits"]["instances"] = 4.into();
            m["limits"]["warm_instances"] = 3.into();
        }),
    )
    .await;
    assert_eq!(host.instance_counts("fx.all-hooks").unwrap(), (3, 3), "three instances before any call");
    // Three identical fresh instances hold three times one instance's linear memory
    // (at least one 64 KiB page each).
    let memory = host.metrics().memory["fx.all-hooks"];
    assert!(memory >= 3 * 65_536 && memory.is_multiple_of(3), "memory of three fresh instances: {memory}");
    assert!(host.metrics().render_prometheus().contains(&format!("confab_plugin_memory_bytes{{plugin_id=\"fx.all-hooks\"}} {memory}")));
    assert_eq!(host.counters().instantiations, 3);
    assert_eq!(api.calls_of("fx.all-hooks", "register_command"), ["register_command allhooks"], "activate's side effects happen once");

    // Three concurrent calls find their instances ready: none is created.
    slow_calls(&host, 3).await;
    assert_eq!(host.counters().instantiations, 3);
}
