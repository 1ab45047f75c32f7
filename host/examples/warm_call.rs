//! Times warm `message-will-be-posted` calls through the full dispatch path (200-byte post; word-filter, then a plugin that only allows); a quick reading, not the benchmark suite.
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
    for (source, wasm, id) in [("example-plugins/word-filter", "word_filter", "com.confab.word-filter"), ("tests/plugins/fx-chain", "fx_chain", "fx.chain")] {
        let dir = tmp.path().join(id);
        std::fs::create_dir_all(&dir)?;
        std::fs::copy(root.join(source).join("plugin.json"), dir.join("plugin.json"))?;
        std::fs::copy(root.join(format!("target/plugins/wasm32-wasip2/release/{wasm}.wasm")), dir.join("server.wasm"))?;
        let config = HostConfig { cache_dir: tmp.path().join("cache"), ..HostConfig::default() };
        let host = PluginHost::new(config, Arc::new(NoServer))?;
        let report = host.load(&dir, LoadOptions { grant_all_requested: true, ..Default::default() }).await?;
        println!("{id}: pooling allocator {}; cold load {:?} (compile {:?})", host.pooling_enabled(), report.total_time, report.compile_time);
        measure(&host, id).await;
    }
    Ok(())
}

async fn measure(host: &PluginHost, id: &str) {
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
    let stats = host.metrics().hooks[id]["message-will-be-posted"].clone();
    println!(
        "{id}: warm message-will-be-posted via dispatch: median {:?}, min {:?}, max {:?}; fuel per call {}",
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1],
        stats.fuel_used / stats.calls.max(1)
    );
}
