//! The example plugins do what their READMEs say, driven through the host like the server drives them.

use confab_host::types::*;
use confab_host::{HookFamily, PluginHost, WillOutcome};

use crate::harness::*;

fn example(root: &std::path::Path, name: &str) -> std::path::PathBuf {
    plugin_dir(root, &format!("example-plugins/{name}"), &name.replace('-', "_"), |_| {})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hello_registers_and_answers_its_command() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    let report = load(&host, &example(tmp.path(), "hello")).await;
    assert_eq!(report.families, vec![HookFamily::Lifecycle, HookFamily::Command]);
    assert_eq!(api.commands.lock().unwrap()[0].1.trigger, "hello");
    let args = CommandArgs { command: "/hello".into(), user_id: "u1".into(), channel_id: "c1".into(), ..Default::default() };
    let response = host.execute_command("com.confab.hello", &ctx(), args).await.unwrap().unwrap();
    assert_eq!((response.response_type.as_str(), response.text.as_str()), ("ephemeral", "Hello, @user-u1!"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn word_filter_replaces_words_and_rejects_phrases() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    api.set_settings("com.confab.word-filter", serde_json::json!({"blocked_phrases": "buy now"}));
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &example(tmp.path(), "word-filter")).await;
    // The default replacements apply, the saved blocked phrase too.
    let WillOutcome::Continue(p) = host.message_will_be_posted(&ctx(), post("Heck, darn it, check this")).await else { panic!() };
    assert_eq!(p.message, "h*ck, d*rn it, check this", "whole words only: `check` stays");
    let outcome = host.message_will_be_posted(&ctx(), post("great deal, BUY NOW")).await;
    assert!(matches!(&outcome, WillOutcome::Rejected { reason, .. } if reason.contains("\"buy now\"")), "{outcome:?}");
    let WillOutcome::Continue(p) = host.message_will_be_updated(&ctx(), post("oh darn"), &post("oh")).await else { panic!() };
    assert_eq!(p.message, "oh d*rn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kv_counter_counts_posts_per_channel_over_http() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &example(tmp.path(), "kv-counter")).await;
    for channel in ["c1", "c1", "c2"] {
        host.message_has_been_posted(&ctx(), &Post { channel_id: channel.into(), ..post("x") });
    }
    host.flush_background().await;
    let get = |path: &str| HttpRequest { method: "GET".into(), path: path.into(), ..Default::default() };
    let response = host.serve_http("com.confab.kv-counter", &ctx(), get("/counts")).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&response.body).unwrap(), serde_json::json!({"c1": 2, "c2": 1}));
    let response = host.serve_http("com.confab.kv-counter", &ctx(), get("/counts/c9")).await.unwrap();
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&response.body).unwrap(), serde_json::json!({"channel_id": "c9", "count": 0}));
    assert_eq!(host.serve_http("com.confab.kv-counter", &ctx(), get("/nope")).await.unwrap().status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn welcome_bot_greets_channel_joiners_as_its_bot() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    load(&host, &example(tmp.path(), "welcome-bot")).await;
    assert_eq!(api.calls_of("com.confab.welcome-bot", "ensure_bot"), ["ensure_bot welcomebot"]);
    let member = ChannelMember { channel_id: "c1".into(), user_id: "u7".into(), ..Default::default() };
    host.user_has_joined_channel(&ctx(), &member, None);
    host.flush_background().await;
    assert_eq!(api.calls_of("com.confab.welcome-bot", "create_post"), ["create_post Welcome, @user-u7!"]);
}
