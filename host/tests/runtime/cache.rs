//! The precompiled cache: the second load of a component does not compile.

use confab_host::{CacheOutcome, PluginHost};

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_load_hits_the_precompiled_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let dir = plugin_dir(tmp.path(), "example-plugins/hello", "hello", |_| {});

    let first = PluginHost::new(config(&cache), RecordingApi::new()).unwrap();
    let report = load(&first, &dir).await;
    assert_eq!(report.cache, CacheOutcome::Compiled);
    assert_eq!((first.counters().compiles, first.counters().cache_hits), (1, 0));
    first.shutdown().await;

    // A new host (a restart) with the same cache directory.
    let second = PluginHost::new(config(&cache), RecordingApi::new()).unwrap();
    let report = load(&second, &dir).await;
    assert_eq!(report.cache, CacheOutcome::Hit);
    assert_eq!((second.counters().compiles, second.counters().cache_hits), (0, 1), "no compile happened");

    // A corrupted artifact is discarded and recompiled, never trusted.
    for entry in std::fs::read_dir(&cache).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let third = PluginHost::new(config(&cache), RecordingApi::new()).unwrap();
    assert_eq!(load(&third, &dir).await.cache, CacheOutcome::Compiled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_component_is_a_clear_load_error() {
    let tmp = tempfile::tempdir().unwrap();
    let host = PluginHost::new(config(&tmp.path().join("cache")), RecordingApi::new()).unwrap();
    let dir = plugin_dir(tmp.path(), "example-plugins/hello", "hello", |_| {});
    std::fs::write(dir.join("server.wasm"), b"\0asm not really").unwrap();
    let err = host.load(&dir, Default::default()).await.unwrap_err();
    assert!(err.to_string().contains("not a loadable wasm component"), "{err}");
    let status = host.status("com.confab.hello").unwrap();
    assert_eq!(status.state, confab_host::PluginState::FailedToStart);
}
