//! B9: the JavaScript and Python example plugins through the same host path as B1 — component size, cold compile, cached load, and a warm `message-will-be-posted` call.

use std::path::Path;
use std::sync::Arc;

use confab_host::types::{PluginContext, Post};
use confab_host::{CacheOutcome, HostConfig, LoadOptions, PluginHost, WillOutcome};
use confab_server::PluginBridge;
use confab_server::hub::Hub;
use confab_server::service::{Services, Settings};
use confab_server::store::Store;

use crate::fixtures;
use crate::report::Row;
use crate::stats::{Effort, Summary, micros_per_op_async};

/// (example folder, component name, plugin id).
const PLUGINS: &[(&str, &str, &str)] = &[("js-word-filter", "js_word_filter", "com.confab.js-word-filter"), ("py-karma", "py_karma", "com.confab.py-karma")];

/// A host whose plugin API is the real one over a SQLite store (both plugins register
/// a command and read settings when they activate), and the services behind it, which
/// the caller keeps alive while it uses the host (the bridge holds them weakly).
async fn host(cache: &Path) -> anyhow::Result<(PluginHost, Services)> {
    let data = cache.with_extension("data");
    std::fs::create_dir_all(&data)?;
    let store = Store::connect(&confab_server::testing::sqlite_url(&data)).await?;
    let services = Services::new(store, Arc::new(Hub::default()), Settings::default());
    let (bridge, _) = PluginBridge::new(&services, data.join("plugins"));
    let bridge = Arc::new(bridge);
    let host = PluginHost::new(HostConfig { cache_dir: cache.to_path_buf(), ..HostConfig::default() }, bridge)?;
    services.set_host(host.clone());
    Ok((host, services))
}

/// A plugin directory for the example `folder` with its built component.
fn plugin_dir(tmp: &Path, folder: &str, component: &str) -> anyhow::Result<std::path::PathBuf> {
    let dir = tmp.join(folder);
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(fixtures::repo_root().join("example-plugins").join(folder).join("plugin.json"), dir.join("plugin.json"))?;
    std::fs::copy(fixtures::wasm(component)?, dir.join("server.wasm"))?;
    Ok(dir)
}

pub async fn b9(effort: Effort, quick: bool, tmp: &Path, b1_host: f64) -> anyhow::Result<Row> {
    let mut row = Row {
        id: "B9",
        what: "JS and Python plugin call and cached load",
        figures: vec![],
        ratios: vec![],
        target: "report only",
        met: None,
        note: String::new(),
        gap: String::new(),
    };
    // A clean 200-byte post: both plugins allow it without touching KV, so the figure
    // is the language runtime's call cost, comparable with B1's host path.
    let post = Post {
        channel_id: "c".repeat(26),
        user_id: "u".repeat(26),
        message: "lorem ipsum ".repeat(17)[..200].to_string(),
        props: "{}".into(),
        ..Default::default()
    };
    let ctx = PluginContext::default();
    let rounds = if quick { 1 } else { 3 };
    let mut notes = Vec::new();
    // Calls are slower than in Rust; fewer of them keep the suite's time in bounds.
    let effort = Effort { ops_per_round: (effort.ops_per_round / 10).max(100), warmup_ops: (effort.warmup_ops / 10).max(50), ..effort };
    for &(folder, component, id) in PLUGINS {
        let Ok(wasm) = fixtures::wasm(component) else {
            notes.push(format!("{component}.wasm is not built (Node.js or Python missing when the plugins were built), so it was skipped"));
            continue;
        };
        let size_kib = std::fs::metadata(&wasm)?.len() as f64 / 1024.0;
        row.figure(format!("{folder}: component size"), "KiB", Summary::of(vec![size_kib]));
        let dir = plugin_dir(&tmp.join("b9"), folder, component)?;
        let (mut cold, mut cached) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let cache = tmp.join(format!("b9-cache-{component}-{round}"));
            let (first, _first_services) = host(&cache).await?;
            let report = first.load(&dir, LoadOptions { grant_all_requested: true, ..Default::default() }).await?;
            anyhow::ensure!(report.cache == CacheOutcome::Compiled, "a fresh cache must compile");
            cold.push(report.total_time.as_secs_f64() * 1e3);
            first.shutdown().await;
            let (second, _second_services) = host(&cache).await?;
            let report = second.load(&dir, LoadOptions { grant_all_requested: true, ..Default::default() }).await?;
            anyhow::ensure!(report.cache == CacheOutcome::Hit, "the second load must come from the cache");
            cached.push(report.total_time.as_secs_f64() * 1e3);
            if round + 1 == rounds {
                let call = row.figure(
                    format!("{folder}: warm message-will-be-posted"),
                    "µs",
                    micros_per_op_async(effort, async || {
                        let outcome = second.message_will_be_posted(&ctx, post.clone()).await;
                        assert!(matches!(outcome, WillOutcome::Continue(_)), "{outcome:?}");
                    })
                    .await,
                );
                let metrics = second.metrics().hooks[id]["message-will-be-posted"].clone();
                row.ratios.push((format!("{folder} call / B1 host path (Rust)"), call.median / b1_host));
                notes.push(format!("{folder}: fuel per call {}", metrics.fuel_used / metrics.calls.max(1)));
            }
            second.shutdown().await;
        }
        row.figure(format!("{folder}: cold compile + activate"), "ms", Summary::of(cold));
        row.figure(format!("{folder}: cached load + activate"), "ms", Summary::of(cached));
    }
    row.note =
        format!("Same host, limits and path as B1, with the real plugin API over a SQLite store (the measured posts need no API call). {}.", notes.join("; "));
    Ok(row)
}
