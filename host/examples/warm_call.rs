//! Times warm `message-will-be-posted` calls through the full dispatch path (word-filter, 200-byte post); not a benchmark suite, a quick reading.
//!
//! Run: `cargo xtask plugins && cargo run --release -p confab-host --example warm_call`

use std::sync::Arc;
use std::time::Instant;

use confab_host::types::{PluginContext, Post};
use confab_host::{HostConfig, LoadOptions, NoServer, PluginHost, WillOutcome};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("word-filter");
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(root.join("example-plugins/word-filter/plugin.json"), dir.join("plugin.json"))?;
    std::fs::copy(root.join("target/plugins/wasm32-wasip2/release/word_filter.wasm"), dir.join("server.wasm"))?;

    let config = HostConfig { cache_dir: tmp.path().join("cache"), ..HostConfig::default() };
    let host = PluginHost::new(config, Arc::new(NoServer))?;
    let report = host.load(&dir, LoadOptions { grant_all_requested: true, ..Default::default() }).await?;
    println!("pooling allocator: {}; cold load {:?} (compile {:?})", host.pooling_enabled(), report.total_time, report.compile_time);

    // 200 bytes, one word the filter replaces.
    let message = format!("darn {}", "lorem ipsum dolor sit amet ".repeat(8))[..200].to_string();
    let post = Post { channel_id: "c".repeat(26), user_id: "u".repeat(26), message, props: "{}".into(), ..Default::default() };
    let ctx = PluginContext::default();
    for _ in 0..2_000 {
        assert!(matches!(host.message_will_be_posted(&ctx, post.clone()).await, WillOutcome::Continue(_)));
    }
    let mut samples = Vec::new();
    for _ in 0..20 {
        let n = 2_000;
        let started = Instant::now();
        for _ in 0..n {
            let outcome = host.message_will_be_posted(&ctx, post.clone()).await;
            debug_assert!(matches!(outcome, WillOutcome::Continue(_)));
        }
        samples.push(started.elapsed() / n);
    }
    samples.sort();
    let fuel = host.metrics().hooks["com.confab.word-filter"]["message-will-be-posted"].clone();
    println!(
        "warm message-will-be-posted via dispatch: median {:?}, min {:?}, max {:?}; fuel per call {}",
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1],
        fuel.fuel_used / fuel.calls.max(1)
    );
    Ok(())
}
