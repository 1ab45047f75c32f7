//! Misbehaving fixtures: each fails only its own call within its limit, a healthy plugin in the chain is unaffected, the next call runs on a fresh instance, counters record the kind, and quarantine follows the configured count.

use std::time::{Duration, Instant};

use confab_host::{CallError, FailureKind, HealthPolicy, PluginHost, PluginState, WillOutcome};

use crate::harness::*;

struct Case {
    fixture: &'static str,
    trigger: &'static str,
    limits: serde_json::Value,
    kind: FailureKind,
    /// Upper bound on how long the failing call may take, when time is the limit.
    within: Option<Duration>,
}

async fn check(case: Case) {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    let id = format!("fx.{}", case.fixture);
    let limits = case.limits.clone();
    load(
        &host,
        &fixture_with(tmp.path(), case.fixture, |m| {
            if let Some(obj) = limits.as_object() {
                for (k, v) in obj {
                    m["limits"][k] = v.clone();
                }
            }
        }),
    )
    .await;
    // "zz" sorts after every fixture id, so the healthy link runs after the failing one.
    load(&host, &chain_link(tmp.path(), &api, "zz.healthy", serde_json::json!({"action": "replace", "from": "now", "to": "NOW"}))).await;
    let instantiations = host.counters().instantiations;

    let started = Instant::now();
    let outcome = host.message_will_be_posted(&ctx(), post(&format!("{} now", case.trigger))).await;
    let elapsed = started.elapsed();
    assert_eq!(outcome, WillOutcome::Continue(post(&format!("{} NOW", case.trigger))), "{id}: fail-open, healthy plugin still applied");
    if let Some(bound) = case.within {
        assert!(elapsed < bound, "{id}: failing call took {elapsed:?}, bound {bound:?}");
    }
    let stats = host.metrics().hooks[&id]["message-will-be-posted"].clone();
    assert_eq!(stats.failures.get(&case.kind), Some(&1), "{id}: failures {:?}", stats.failures);
    assert_eq!(host.status(&id).unwrap().state, PluginState::Running, "{id}: one failure does not quarantine");

    // The same plugin's next call works, on a fresh instance.
    let outcome = host.message_will_be_posted(&ctx(), post("hello now")).await;
    assert_eq!(outcome, WillOutcome::Continue(post("hello NOW")), "{id}: next call");
    let stats = host.metrics().hooks[&id]["message-will-be-posted"].clone();
    assert_eq!((stats.calls, stats.errors), (2, 1), "{id}");
    assert!(host.counters().instantiations > instantiations, "{id}: the failed instance was replaced");
    let healthy = host.metrics().hooks["zz.healthy"]["message-will-be-posted"].clone();
    assert_eq!((healthy.calls, healthy.errors), (2, 0), "healthy plugin unaffected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_loop_stops_at_the_deadline() {
    let deadline = 200;
    check(Case {
        fixture: "loop",
        trigger: "loop",
        limits: serde_json::json!({"deadline_ms": deadline, "fuel_per_call": 20_000_000_000u64}),
        kind: FailureKind::Deadline,
        // deadline + one deadline check (every 1M fuel, about a millisecond; 10 ms allowed), plus generous scheduling slack for a loaded CI box
        within: Some(Duration::from_millis(deadline + 10 + 400)),
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_loop_runs_out_of_fuel() {
    check(Case {
        fixture: "loop",
        trigger: "loop",
        limits: serde_json::json!({"fuel_per_call": 5_000_000, "deadline_ms": 10_000}),
        kind: FailureKind::Fuel,
        within: None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_bomb_hits_the_memory_cap() {
    check(Case { fixture: "memory", trigger: "memory", limits: serde_json::json!({"memory_mb": 16}), kind: FailureKind::Memory, within: None }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_recursion_overflows_the_stack() {
    check(Case { fixture: "recursion", trigger: "recurse", limits: serde_json::json!({}), kind: FailureKind::StackOverflow, within: None }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panic_is_a_failed_call() {
    check(Case { fixture: "panic", trigger: "panic", limits: serde_json::json!({}), kind: FailureKind::Panic, within: None }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_megabyte_result_exceeds_the_response_cap() {
    check(Case {
        fixture: "huge",
        trigger: "huge",
        limits: serde_json::json!({"max_response_bytes": 1_048_576}),
        kind: FailureKind::ResponseTooLarge,
        within: None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sleeping_host_call_is_cut_at_the_deadline() {
    let deadline = 300;
    check(Case {
        fixture: "slow-host",
        trigger: "slow",
        limits: serde_json::json!({"deadline_ms": deadline}),
        kind: FailureKind::Deadline,
        within: Some(Duration::from_millis(deadline + 400)),
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_quarantine_at_the_configured_count() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let mut cfg = config(&tmp.path().join("cache"));
    cfg.health = HealthPolicy { max_failures: 2, window: Duration::from_secs(3600) };
    let host = PluginHost::new(cfg, api.clone()).unwrap();
    load(&host, &fixture(tmp.path(), "panic")).await;

    host.message_will_be_posted(&ctx(), post("panic 1")).await;
    assert_eq!(host.status("fx.panic").unwrap().state, PluginState::Running);
    host.message_will_be_posted(&ctx(), post("panic 2")).await;
    let status = host.status("fx.panic").unwrap();
    assert_eq!(status.state, PluginState::FailedToStayRunning);
    assert!(status.error.contains("failed 2 times"), "{}", status.error);
    assert!(api.statuses.lock().unwrap().iter().any(|s| s.state == PluginState::FailedToStayRunning), "admin notified");
    assert_eq!(serde_json::to_value(&status).unwrap()["state"], 4);

    // A quarantined plugin is skipped: posts go through, the plugin is not called.
    assert_eq!(host.message_will_be_posted(&ctx(), post("panic 3")).await, WillOutcome::Continue(post("panic 3")));
    let stats = host.metrics().hooks["fx.panic"]["message-will-be-posted"].clone();
    assert_eq!(stats.failures.get(&FailureKind::Panic), Some(&2));
    assert_eq!(host.instance_counts("fx.panic").unwrap().0, 0, "no instance kept for a quarantined plugin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_closed_plugin_rejects_when_it_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &fixture_with(tmp.path(), "panic", |m| m["limits"]["fail_closed"] = true.into())).await;
    let outcome = host.message_will_be_posted(&ctx(), post("panic")).await;
    let WillOutcome::Rejected { plugin_id, reason } = outcome else { panic!("expected a rejection, got {outcome:?}") };
    assert_eq!(plugin_id, "fx.panic");
    assert!(reason.contains("failed"), "{reason}");
    // Healthy calls are unaffected by the policy.
    assert_eq!(host.message_will_be_posted(&ctx(), post("fine")).await, WillOutcome::Continue(post("fine")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targeted_calls_report_the_failure_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &fixture_with(tmp.path(), "all-hooks", |m| m["limits"]["deadline_ms"] = 100.into())).await;
    // /slow waits 300 ms on a host call: past this plugin's 100 ms deadline.
    let request = confab_host::types::HttpRequest { method: "GET".into(), path: "/slow".into(), ..Default::default() };
    let err = host.serve_http("fx.all-hooks", &ctx(), request).await.unwrap_err();
    assert!(matches!(err, CallError::Failed { kind: FailureKind::Deadline, .. }), "{err}");
}
