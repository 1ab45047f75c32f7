//! Numbers per plugin language (Rust, JavaScript on QuickJS and on StarlingMonkey, Python): component size, compile, cached load, instantiate, warm call and fuel per call; a quick reading for the example READMEs, not the benchmark suite.
//!
//! Run: `cargo xtask plugins && (cd example-plugins/js-word-filter && npm run build:starlingmonkey)`
//! then `cargo run --release -p confab-host --example guest_numbers`. A component that
//! is not built is left out of the table.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use confab_host::types::*;
use confab_host::{ApiResult, CacheOutcome, EngineOptions, HostConfig, LoadOptions, NoServer, PluginHost, ServerApi, WillOutcome};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let out = root.join("target/plugins/wasm32-wasip2/release");
    let cases: [(&str, &str, PathBuf); 4] = [
        ("Rust (word-filter)", "example-plugins/word-filter", out.join("word_filter.wasm")),
        ("JS QuickJS (js-word-filter)", "example-plugins/js-word-filter", out.join("js_word_filter.wasm")),
        ("JS StarlingMonkey (js-word-filter)", "example-plugins/js-word-filter", root.join("example-plugins/js-word-filter/dist/plugin-starlingmonkey.wasm")),
        ("Python (py-karma)", "example-plugins/py-karma", out.join("py_karma.wasm")),
    ];
    println!("| plugin | size | compile | cached load (deserialize / whole load) | instantiate | warm call | fuel per call (warm / 1st call) |");
    println!("|---|---|---|---|---|---|---|");
    for (label, source, wasm) in cases {
        if !wasm.exists() {
            eprintln!("{label}: {} not built, left out", wasm.display());
            continue;
        }
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join("plugin");
        std::fs::create_dir_all(&dir)?;
        std::fs::copy(root.join(source).join("plugin.json"), dir.join("plugin.json"))?;
        std::fs::copy(&wasm, dir.join("server.wasm"))?;
        let config = HostConfig { cache_dir: tmp.path().join("cache"), ..HostConfig::default() };
        let options = || LoadOptions { grant_all_requested: true, ..Default::default() };

        let cold = PluginHost::new(config.clone(), Arc::new(Accepting))?;
        let compiled = cold.load(&dir, options()).await?;
        assert_eq!(compiled.cache, CacheOutcome::Compiled);
        cold.shutdown().await;
        let host = PluginHost::new(config, Arc::new(Accepting))?;
        let cached = host.load(&dir, options()).await?;
        assert_eq!(cached.cache, CacheOutcome::Hit);
        let id = host.statuses()[0].plugin_id.clone();

        let (warm, first_fuel, warm_fuel) = warm_call(&host, &id).await;
        let instantiate = instantiate_time(&wasm)?;
        println!(
            "| {label} | {:.2} MB | {:.2} s | {:.1} ms / {:.1} ms | {:.2} ms | {:.1} µs | {warm_fuel} / {first_fuel} |",
            std::fs::metadata(&wasm)?.len() as f64 / 1e6,
            compiled.compile_time.as_secs_f64(),
            ms(cached.compile_time),
            ms(cached.total_time),
            ms(instantiate),
            warm.as_secs_f64() * 1e6,
        );
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median of 20 rounds of 500 `message-will-be-posted` calls through the host's dispatch
/// path, with a 200-byte post that no plugin changes (the common case); plus the fuel
/// of the first call and of a warm one.
async fn warm_call(host: &PluginHost, id: &str) -> (Duration, u64, u64) {
    let message = "lorem ipsum dolor sit amet ".repeat(8)[..200].to_string();
    let post = Post { channel_id: "c".repeat(26), user_id: "u".repeat(26), message, props: "{}".into(), ..Default::default() };
    let ctx = PluginContext::default();
    let fuel = || host.metrics().hooks[id].get("message-will-be-posted").map(|s| s.fuel_used).unwrap_or(0);
    assert!(matches!(host.message_will_be_posted(&ctx, post.clone()).await, WillOutcome::Continue(_)));
    let first = fuel();
    for _ in 0..500 {
        host.message_will_be_posted(&ctx, post.clone()).await;
    }
    let before = fuel();
    host.message_will_be_posted(&ctx, post.clone()).await;
    let one_warm = fuel() - before;
    let mut samples = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        for _ in 0..500 {
            host.message_will_be_posted(&ctx, post.clone()).await;
        }
        samples.push(started.elapsed() / 500);
    }
    samples.sort();
    (samples[samples.len() / 2], first, one_warm)
}

struct Wasi(WasiCtx, ResourceTable);

impl WasiView for Wasi {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.0, table: &mut self.1 }
    }
}

/// Median time to instantiate the component on an engine configured like the host's
/// (component model, async, fuel with deadline yields; on-demand allocation), with WASI linked and
/// the Confab imports stubbed: instantiation runs start-up code but calls no import.
fn instantiate_time(wasm: &Path) -> Result<Duration, Box<dyn std::error::Error>> {
    let mut config = Config::new();
    config.wasm_component_model(true).consume_fuel(true);
    let engine = Engine::new(&config)?;
    let component = Component::new(&engine, std::fs::read(wasm)?)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    // Trap stubs for the Confab imports (`define_unknown_imports_as_traps` would also
    // try to stub the WASI imports the toolchains name at newer patch versions, and
    // fail on their resources).
    for (name, item) in component.component_type().imports(&engine) {
        let wasmtime::component::types::ComponentItem::ComponentInstance(instance) = item.ty else { continue };
        if !name.starts_with("confab:plugin/") {
            continue;
        }
        let mut stub = linker.instance(name)?;
        for (func, item) in instance.exports(&engine) {
            if matches!(item.ty, wasmtime::component::types::ComponentItem::ComponentFunc(_)) {
                stub.func_new(func, |_, _, _, _| Err(wasmtime::Error::msg("not available while measuring instantiation")))?;
            }
        }
    }
    let pre = linker.instantiate_pre(&component)?;
    let runtime = tokio::runtime::Handle::current();
    let mut samples = Vec::new();
    for _ in 0..20 {
        let mut store = Store::new(&engine, Wasi(WasiCtx::builder().build(), ResourceTable::new()));
        store.fuel_async_yield_interval(Some(EngineOptions::default().deadline_check_fuel))?;
        store.set_fuel(u64::MAX)?;
        let started = Instant::now();
        tokio::task::block_in_place(|| runtime.block_on(pre.instantiate_async(&mut store)))?;
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok(samples[samples.len() / 2])
}

/// `NoServer`, except that registering a command succeeds (the plugins measured here
/// register one in `activate`, which must succeed for them to serve).
struct Accepting;

#[async_trait]
#[rustfmt::skip]
impl ServerApi for Accepting {
    async fn kv_get(&self, p: &str, k: &str) -> ApiResult<Option<Vec<u8>>> { NoServer.kv_get(p, k).await }
    async fn kv_set(&self, p: &str, k: &str, v: Vec<u8>) -> ApiResult<()> { NoServer.kv_set(p, k, v).await }
    async fn kv_set_with_options(&self, p: &str, k: &str, v: Option<Vec<u8>>, o: KvSetOptions) -> ApiResult<bool> { NoServer.kv_set_with_options(p, k, v, o).await }
    async fn kv_delete(&self, p: &str, k: &str) -> ApiResult<()> { NoServer.kv_delete(p, k).await }
    async fn kv_list(&self, p: &str, a: u32, b: u32) -> ApiResult<Vec<String>> { NoServer.kv_list(p, a, b).await }
    async fn kv_delete_all(&self, p: &str) -> ApiResult<()> { NoServer.kv_delete_all(p).await }
    async fn create_post(&self, p: &str, x: Post) -> ApiResult<Post> { NoServer.create_post(p, x).await }
    async fn get_post(&self, p: &str, x: &str) -> ApiResult<Post> { NoServer.get_post(p, x).await }
    async fn update_post(&self, p: &str, x: Post) -> ApiResult<Post> { NoServer.update_post(p, x).await }
    async fn delete_post(&self, p: &str, x: &str) -> ApiResult<()> { NoServer.delete_post(p, x).await }
    async fn send_ephemeral_post(&self, p: &str, u: &str, x: Post) -> ApiResult<Post> { NoServer.send_ephemeral_post(p, u, x).await }
    async fn get_channel(&self, p: &str, c: &str) -> ApiResult<Channel> { NoServer.get_channel(p, c).await }
    async fn get_channel_by_name(&self, p: &str, t: &str, n: &str) -> ApiResult<Channel> { NoServer.get_channel_by_name(p, t, n).await }
    async fn create_channel(&self, p: &str, c: Channel) -> ApiResult<Channel> { NoServer.create_channel(p, c).await }
    async fn add_channel_member(&self, p: &str, c: &str, u: &str) -> ApiResult<ChannelMember> { NoServer.add_channel_member(p, c, u).await }
    async fn remove_channel_member(&self, p: &str, c: &str, u: &str) -> ApiResult<()> { NoServer.remove_channel_member(p, c, u).await }
    async fn list_channel_members(&self, p: &str, c: &str, a: u32, b: u32) -> ApiResult<Vec<ChannelMember>> { NoServer.list_channel_members(p, c, a, b).await }
    async fn get_user(&self, p: &str, u: &str) -> ApiResult<User> { NoServer.get_user(p, u).await }
    async fn get_user_by_username(&self, p: &str, u: &str) -> ApiResult<User> { NoServer.get_user_by_username(p, u).await }
    async fn get_user_by_email(&self, p: &str, e: &str) -> ApiResult<User> { NoServer.get_user_by_email(p, e).await }
    async fn get_team(&self, p: &str, t: &str) -> ApiResult<Team> { NoServer.get_team(p, t).await }
    async fn get_team_by_name(&self, p: &str, n: &str) -> ApiResult<Team> { NoServer.get_team_by_name(p, n).await }
    async fn list_team_members(&self, p: &str, t: &str, a: u32, b: u32) -> ApiResult<Vec<TeamMember>> { NoServer.list_team_members(p, t, a, b).await }
    async fn register_command(&self, _: &str, _: Command) -> ApiResult<()> { Ok(()) }
    async fn unregister_command(&self, _: &str, _: &str, _: &str) -> ApiResult<()> { Ok(()) }
    async fn plugin_settings(&self, p: &str) -> ApiResult<serde_json::Map<String, serde_json::Value>> { NoServer.plugin_settings(p).await }
    async fn publish_event(&self, p: &str, e: &str, d: serde_json::Value, b: Broadcast) -> ApiResult<()> { NoServer.publish_event(p, e, d, b).await }
    async fn ensure_bot(&self, p: &str, b: BotSpec) -> ApiResult<String> { NoServer.ensure_bot(p, b).await }
    async fn http_request(&self, p: &str, r: OutboundRequest) -> ApiResult<OutboundResponse> { NoServer.http_request(p, r).await }
    async fn publish_cluster_event(&self, p: &str, e: ClusterEvent) -> ApiResult<()> { NoServer.publish_cluster_event(p, e).await }
    async fn get_direct_channel(&self, p: &str, a: &str, b: &str) -> ApiResult<Channel> { NoServer.get_direct_channel(p, a, b).await }
    async fn save_plugin_settings(&self, p: &str, s: serde_json::Map<String, serde_json::Value>) -> ApiResult<()> { NoServer.save_plugin_settings(p, s).await }
    fn site_url(&self) -> String { NoServer.site_url() }
    fn server_version(&self) -> String { NoServer.server_version() }
    async fn diagnostic_id(&self) -> ApiResult<String> { NoServer.diagnostic_id().await }
}
