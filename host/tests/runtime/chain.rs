//! Will-hook chains over several plugins: replacements feed forward, reject and dismiss stop the chain.

use confab_host::{PluginHost, WillOutcome};

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_then_reject_stops_the_chain_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    // Dispatch order is by plugin id: a, b, c.
    load(&host, &chain_link(tmp.path(), &api, "chain.a", serde_json::json!({"action": "replace", "from": "cat", "to": "dog"}))).await;
    load(&host, &chain_link(tmp.path(), &api, "chain.b", serde_json::json!({"action": "reject", "reason": "no dogs allowed", "when": "dog"}))).await;
    load(&host, &chain_link(tmp.path(), &api, "chain.c", serde_json::json!({"action": "replace", "from": "dog", "to": "wolf"}))).await;

    let outcome = host.message_will_be_posted(&ctx(), post("my cat")).await;
    assert_eq!(outcome, WillOutcome::Rejected { plugin_id: "chain.b".into(), reason: "no dogs allowed".into() });
    let metrics = host.metrics();
    assert!(!metrics.hooks["chain.c"].contains_key("message-will-be-posted"), "the chain stopped before c");

    // Without the trigger word b allows, and c sees a's replacement.
    let outcome = host.message_will_be_posted(&ctx(), post("my bird dog")).await;
    assert_eq!(outcome, WillOutcome::Rejected { plugin_id: "chain.b".into(), reason: "no dogs allowed".into() });
    let outcome = host.message_will_be_posted(&ctx(), post("plain")).await;
    assert_eq!(outcome, WillOutcome::Continue(post("plain")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacements_compose_across_plugins() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &chain_link(tmp.path(), &api, "chain.a", serde_json::json!({"action": "replace", "from": "cat", "to": "dog"}))).await;
    load(&host, &chain_link(tmp.path(), &api, "chain.b", serde_json::json!({"action": "replace", "from": "dog", "to": "wolf"}))).await;
    load(&host, &chain_link(tmp.path(), &api, "chain.c", serde_json::json!({"action": "allow"}))).await;
    assert_eq!(host.message_will_be_posted(&ctx(), post("cat")).await, WillOutcome::Continue(post("wolf")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dismiss_drops_silently_and_stops_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &chain_link(tmp.path(), &api, "chain.a", serde_json::json!({"action": "replace", "from": "x", "to": "y"}))).await;
    load(&host, &chain_link(tmp.path(), &api, "chain.b", serde_json::json!({"action": "dismiss"}))).await;
    load(&host, &chain_link(tmp.path(), &api, "chain.c", serde_json::json!({"action": "reject", "reason": "never reached"}))).await;
    assert_eq!(host.message_will_be_posted(&ctx(), post("x")).await, WillOutcome::Dismissed { plugin_id: "chain.b".into() });
    assert!(!host.metrics().hooks["chain.c"].contains_key("message-will-be-posted"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_hooks_run_off_the_request_path() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &chain_link(tmp.path(), &api, "chain.a", serde_json::json!({"action": "allow"}))).await;
    for i in 0..5 {
        host.message_has_been_posted(&ctx(), &post(&format!("m{i}")));
    }
    host.flush_background().await;
    let seen = api.kv_text("chain.a", "seen").unwrap_or_default();
    for i in 0..5 {
        assert!(seen.contains(&format!("m{i}")), "{seen}");
    }
    assert_eq!(host.metrics().hooks["chain.a"]["message-has-been-posted"].calls, 5);
}
