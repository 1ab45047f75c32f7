//! Scheduled job runs: a run that cannot start within its window (no free job slot, or no free instance) is refused as busy, so the scheduler's lease always outlasts a run it started.

use std::sync::Arc;
use std::time::{Duration, Instant};

use confab_host::types::{HttpRequest, JobRun};
use confab_host::{CallError, PluginHost};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::harness::*;

const ID: &str = "fx.jobs";
const WINDOW: Duration = Duration::from_millis(200);

fn run(name: &str) -> JobRun {
    JobRun { name: name.into(), payload: vec![], due_at: 0, recurring: false }
}

/// A host with fx-jobs on `instances` instances, and every KV read held until the
/// returned semaphore is closed.
async fn held_host(tmp: &std::path::Path, instances: u32) -> (PluginHost, Arc<RecordingApi>, Arc<Semaphore>) {
    let api = RecordingApi::new();
    let hold = Arc::new(Semaphore::new(0));
    *api.kv_hold.lock().unwrap() = Some(hold.clone());
    let host = PluginHost::new(config(&tmp.join("cache")), api.clone()).unwrap();
    load(&host, &fixture_with(tmp, "jobs", |m| m["limits"]["instances"] = instances.into())).await;
    (host, api, hold)
}

/// Wait (bounded) until `n` calls of fx-jobs are inside a held KV read.
async fn until_held(api: &RecordingApi, n: usize) {
    for _ in 0..400 {
        if api.calls_of(ID, "kv_get").len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{n} calls never reached their KV read: {:?}", api.calls_of(ID, ""));
}

async fn assert_refused_after_its_window(host: &PluginHost, name: &str) {
    let waiting = Instant::now();
    let refused = host.run_job(ID, run(name), WINDOW).await;
    let waited = waiting.elapsed();
    assert!(matches!(refused, Err(CallError::Busy { .. })), "{refused:?}");
    assert!(waited >= WINDOW && waited < Duration::from_secs(5), "refused after {waited:?}, the window being {WINDOW:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_finding_every_job_slot_taken_is_refused_after_its_window() {
    let tmp = tempfile::tempdir().unwrap();
    // Four instances: two job slots.
    let (host, api, hold) = held_host(tmp.path(), 4).await;
    let mut running = JoinSet::new();
    for name in ["first", "second"] {
        let host = host.clone();
        running.spawn(async move { host.run_job(ID, run(name), Duration::from_secs(30)).await });
    }
    until_held(&api, 2).await;

    assert_refused_after_its_window(&host, "third").await;
    hold.close();
    while let Some(done) = running.join_next().await {
        assert_eq!(done.unwrap().unwrap(), Ok(()));
    }
    // Slots free again: the same window is enough.
    assert_eq!(host.run_job(ID, run("fourth"), WINDOW).await.unwrap(), Ok(()));
    let runs = api.kv_text(ID, "runs").unwrap();
    assert!(runs.contains("first") && runs.contains("second") && runs.contains("fourth"), "{runs}");
    assert!(!runs.contains("third"), "the refused run never reached the plugin: {runs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_finding_a_slot_but_no_instance_is_refused_after_its_window() {
    let tmp = tempfile::tempdir().unwrap();
    // Two instances (one job slot), both taken by HTTP calls waiting in a KV read.
    let (host, api, hold) = held_host(tmp.path(), 2).await;
    let mut serving = JoinSet::new();
    for _ in 0..2 {
        let host = host.clone();
        serving.spawn(async move {
            let request = HttpRequest { method: "GET".into(), path: "/runs".into(), ..Default::default() };
            host.serve_http(ID, &ctx(), request).await.map(|r| r.status)
        });
    }
    until_held(&api, 2).await;

    assert_refused_after_its_window(&host, "starved").await;

    hold.close();
    while let Some(done) = serving.join_next().await {
        assert_eq!(done.unwrap().unwrap(), 200);
    }
    assert_eq!(host.run_job(ID, run("fed"), WINDOW).await.unwrap(), Ok(()));
}
