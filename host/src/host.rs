//! `PluginHost`: the façade the server holds — load (and hot-swap), unload, statuses, metrics — over a registry of plugin runtimes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use wasmtime::Engine;
use wasmtime::component::{Component, InstancePre, Linker};

use crate::background::Background;
use crate::cache::{CacheOutcome, CompileCache};
use crate::capabilities::{Capability, Grants};
use crate::engine::{EngineOptions, build_engine};
use crate::error::{CallError, HostInitError, LoadError};
use crate::families::HookFamily;
use crate::limits::{HealthPolicy, Limits, RequestedLimits};
use crate::manifest::Manifest;
use crate::metrics::{HostCounters, LoadTimings, MetricsSnapshot};
use crate::runtime::{ExportIndices, PluginRuntime, SharedCounters};
use crate::server_api::ServerApi;
use crate::state::{HostState, PluginIdentity};
use crate::status::{PluginState, PluginStatus};
use crate::versions::{self, WitVersion};

/// The linkers of the served contract versions, built once with the engine.
struct Linkers {
    latest: Linker<HostState>,
    v0_1_0: Linker<HostState>,
}

impl Linkers {
    fn new(engine: &Engine) -> wasmtime::Result<Linkers> {
        let mut latest = Linker::new(engine);
        crate::imports::add_to_linker(&mut latest, WitVersion::LATEST)?;
        let mut v0_1_0 = Linker::new(engine);
        crate::imports::add_to_linker(&mut v0_1_0, WitVersion::V0_1_0)?;
        Ok(Linkers { latest, v0_1_0 })
    }

    fn get(&self, version: WitVersion) -> &Linker<HostState> {
        match version {
            WitVersion::V0_2_0 => &self.latest,
            WitVersion::V0_1_0 => &self.v0_1_0,
        }
    }
}

/// How the host is set up. `Default` gives the server's defaults with the cache under
/// `./data/plugin-cache`.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Where precompiled components are kept.
    pub cache_dir: PathBuf,
    /// This server's version, checked against `min_server_version`.
    pub server_version: semver::Version,
    /// Limits for plugins that ask for nothing.
    pub default_limits: Limits,
    /// The most any plugin may get.
    pub ceiling: Limits,
    /// When failures quarantine a plugin.
    pub health: HealthPolicy,
    /// Engine construction.
    pub engine: EngineOptions,
    /// Background hook events that may wait; more are dropped (and counted).
    pub background_queue: usize,
    /// Background events processed at once.
    pub background_concurrency: usize,
    /// How long deactivation waits for in-flight calls.
    pub deactivate_grace: Duration,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            cache_dir: PathBuf::from("data/plugin-cache"),
            server_version: semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("crate version is semver"),
            default_limits: Limits::default(),
            ceiling: Limits::ceiling(),
            health: HealthPolicy::default(),
            engine: EngineOptions::default(),
            background_queue: 4_096,
            background_concurrency: 64,
            deactivate_grace: Duration::from_secs(10),
        }
    }
}

/// What an admin decided for one plugin at load time.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Capabilities granted; intersected with the manifest's request. Empty = none.
    pub granted: Vec<Capability>,
    /// Grant everything the manifest requests (local development, trusted bundles).
    pub grant_all_requested: bool,
    /// Admin limit overrides, applied over the manifest's request.
    pub overrides: RequestedLimits,
    /// When an earlier [`PluginHost::prepare`] of this version finished compiling it (an
    /// install compiles before moving files into place); the load's "compiled → serving"
    /// time then counts from there. `None`: from this load's own compile or cache load.
    pub compiled_at: Option<Instant>,
}

/// Details of a successful load.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// The new status (state 2, running).
    pub status: PluginStatus,
    /// Whether the component was compiled or came from the cache.
    pub cache: CacheOutcome,
    /// Time spent compiling or deserializing.
    pub compile_time: Duration,
    /// Time from start to serving (includes `activate`).
    pub total_time: Duration,
    /// Time from the end of the compile (this load's, or the earlier `prepare` named by
    /// [`LoadOptions::compiled_at`]) until the new version served: link, instantiate,
    /// configure, `activate`, swap.
    pub compiled_to_serving: Duration,
    /// Hook families the component exports.
    pub families: Vec<HookFamily>,
    /// The contract version the component was built against.
    pub wit_version: WitVersion,
    /// Whether an older version was replaced.
    pub replaced: bool,
}

/// The plugin runtime as the server sees it. Cheap to clone.
#[derive(Clone)]
pub struct PluginHost {
    pub(crate) inner: Arc<HostInner>,
}

pub(crate) struct HostInner {
    pub engine: Engine,
    /// Whether the pooling allocator is in use.
    pub pooling: bool,
    /// One linker per served contract version.
    linkers: Linkers,
    cache: CompileCache,
    pub api: Arc<dyn ServerApi>,
    pub config: HostConfig,
    /// Running (or quarantined) versions by id; the value is replaced atomically on reload.
    plugins: RwLock<BTreeMap<String, Arc<PluginRuntime>>>,
    /// The same runtimes in dispatch order (by id), rebuilt on every change so the hot
    /// path clones one `Arc` instead of walking the map.
    snapshot: RwLock<Arc<Vec<Arc<PluginRuntime>>>>,
    /// The families some loaded runtime exports, one bit each (`HookFamily::bit`),
    /// rebuilt with the snapshot: a hot path with no such plugin pays one atomic load.
    exported: AtomicU32,
    /// Statuses of plugins whose last load failed and that have no running version.
    failed: RwLock<BTreeMap<String, PluginStatus>>,
    pub counters: Arc<SharedCounters>,
    pub background: Background,
    /// One lock per plugin id: two loads of one id cannot interleave, while loads of
    /// different plugins (a slow compile, say) proceed in parallel.
    load_locks: std::sync::Mutex<BTreeMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl PluginHost {
    /// Build the engine, linker and background dispatcher. Must be called inside a
    /// tokio runtime.
    pub fn new(config: HostConfig, api: Arc<dyn ServerApi>) -> Result<PluginHost, HostInitError> {
        let (engine, pooling) = build_engine(&config.engine).map_err(|e| HostInitError(format!("{e:#}")))?;
        let linkers = Linkers::new(&engine).map_err(|e| HostInitError(format!("{e:#}")))?;
        let counters = Arc::new(SharedCounters::default());
        let background = Background::start(config.background_queue, config.background_concurrency, counters.clone());
        let inner = HostInner {
            cache: CompileCache::new(config.cache_dir.clone()),
            engine,
            pooling,
            linkers,
            api,
            config,
            plugins: RwLock::new(BTreeMap::new()),
            snapshot: RwLock::new(Arc::new(Vec::new())),
            exported: AtomicU32::new(0),
            failed: RwLock::new(BTreeMap::new()),
            counters,
            background,
            load_locks: std::sync::Mutex::new(BTreeMap::new()),
        };
        Ok(PluginHost { inner: Arc::new(inner) })
    }

    /// Whether instances come from the pooling allocator.
    pub fn pooling_enabled(&self) -> bool {
        self.inner.pooling
    }

    /// Load the plugin in `dir` (`plugin.json` + its component), activate it and start
    /// serving. If a version with the same id is running, the new one is activated
    /// beside it and swapped in only on success; the old one then drains and is
    /// deactivated. On failure the old version keeps serving.
    pub async fn load(&self, dir: &Path, options: LoadOptions) -> Result<LoadReport, LoadError> {
        let started = Instant::now();
        let manifest = Manifest::load(dir, &self.inner.config.server_version)?;
        let id = manifest.id.clone();
        let lock = self.lock_for(&id);
        let _guard = lock.lock().await;
        let result = self.load_manifest(dir, manifest, options, started).await;
        if let Err(e) = &result {
            tracing::warn!(plugin_id = %id, error = %e, "plugin failed to load");
            if !self.inner.plugins.read().unwrap().contains_key(&id) {
                let status = PluginStatus {
                    plugin_id: id.clone(),
                    plugin_path: dir.display().to_string(),
                    state: PluginState::FailedToStart,
                    error: e.to_string(),
                    name: String::new(),
                    description: String::new(),
                    version: String::new(),
                };
                self.inner.api.plugin_status_changed(&status);
                self.inner.failed.write().unwrap().insert(id, status);
            }
        }
        result
    }

    /// Check that the plugin in `dir` would load, without running it: the manifest
    /// validates, the component compiles (into the cache, so the `load` that follows
    /// does not compile again), links against the host and exports what it must.
    /// Installs call this before moving a bundle into place.
    pub async fn prepare(&self, dir: &Path) -> Result<Manifest, LoadError> {
        let manifest = Manifest::load(dir, &self.inner.config.server_version)?;
        let id = manifest.id.clone();
        let server = manifest.server.as_ref().ok_or_else(|| LoadError::NoServerPart(id.clone()))?;
        manifest.capabilities().map_err(|e| LoadError::Manifest(e.into()))?;
        let wasm_path = dir.join(&server.wasm);
        let wasm = tokio::fs::read(&wasm_path).await.map_err(|source| LoadError::ReadWasm { path: wasm_path.clone(), source })?;
        let (engine, cache) = (self.inner.engine.clone(), self.inner.cache.clone());
        let compiled = tokio::task::spawn_blocking(move || cache.load_or_compile(&engine, &wasm)).await.map_err(|e| LoadError::Host(e.to_string()))?;
        let (component, _) = compiled.map_err(|e| LoadError::Compile { plugin_id: id.clone(), path: wasm_path.clone(), detail: format!("{e:#}") })?;
        self.link(&id, &component)?;
        Ok(manifest)
    }

    async fn load_manifest(&self, dir: &Path, manifest: Manifest, options: LoadOptions, started: Instant) -> Result<LoadReport, LoadError> {
        let id = manifest.id.clone();
        let server = manifest.server.as_ref().ok_or_else(|| LoadError::NoServerPart(id.clone()))?;
        let wasm_path = dir.join(&server.wasm);
        let wasm = tokio::fs::read(&wasm_path).await.map_err(|source| LoadError::ReadWasm { path: wasm_path.clone(), source })?;

        // Compiling takes from milliseconds to seconds; keep it off the async threads.
        let compile_started = Instant::now();
        let (engine, cache) = (self.inner.engine.clone(), self.inner.cache.clone());
        let compiled = tokio::task::spawn_blocking(move || cache.load_or_compile(&engine, &wasm)).await.map_err(|e| LoadError::Host(e.to_string()))?;
        let (component, cache_outcome) =
            compiled.map_err(|e| LoadError::Compile { plugin_id: id.clone(), path: wasm_path.clone(), detail: format!("{e:#}") })?;
        let compiled_at = Instant::now();
        let compile_time = compiled_at - compile_started;
        let counter = match cache_outcome {
            CacheOutcome::Compiled => &self.inner.counters.compiles,
            CacheOutcome::Hit => &self.inner.counters.cache_hits,
        };
        counter.fetch_add(1, Ordering::Relaxed);

        let (pre, indices, wit_version) = self.link(&id, &component)?;
        let requested = manifest.capabilities().map_err(|e| LoadError::Manifest(e.into()))?;
        let grants = if options.grant_all_requested { Grants::all_requested(&requested) } else { Grants::new(&requested, &options.granted) };
        let config = &self.inner.config;
        let limits = config.default_limits.resolve(&config.ceiling, &manifest.limits, &options.overrides);
        let http = crate::imports::HttpLimits::new(limits.http_requests_per_second, limits.http_max_response_bytes);
        // A new version keeps the metrics the old one recorded.
        let metrics = self.inner.plugins.read().unwrap().get(&id).map(|old| old.identity.metrics.clone()).unwrap_or_default();
        let identity = Arc::new(PluginIdentity { id: id.clone(), manifest, grants, http, metrics });
        let runtime = Arc::new(PluginRuntime::new(
            identity,
            dir.to_path_buf(),
            limits,
            pre,
            indices,
            self.inner.api.clone(),
            config.health.clone(),
            config.engine.deadline_check_fuel,
            config.engine.pacing,
            self.inner.counters.clone(),
        ));
        runtime.activate().await?;
        let families = runtime.families.clone();
        let old = {
            let mut plugins = self.inner.plugins.write().unwrap();
            let old = plugins.insert(id.clone(), runtime.clone());
            self.rebuild_snapshot(&plugins);
            old
        };
        // Serving from here on; the old version's drain below is not part of the figure.
        let compiled_to_serving = options.compiled_at.map_or(compiled_at, |earlier| earlier.min(compiled_at)).elapsed();
        runtime.set_load_timings(LoadTimings { compile: compile_time, cache_hit: cache_outcome == CacheOutcome::Hit, compiled_to_serving });
        self.inner.failed.write().unwrap().remove(&id);
        let replaced = old.is_some();
        if let Some(old) = old {
            old.deactivate(config.deactivate_grace).await;
        }
        tracing::info!(plugin_id = %id, version = %runtime.identity.manifest.version, ?cache_outcome, ?compile_time, "plugin serving");
        Ok(LoadReport {
            status: runtime.status(),
            cache: cache_outcome,
            compile_time,
            total_time: started.elapsed(),
            compiled_to_serving,
            families,
            wit_version,
            replaced,
        })
    }

    /// Link `component` against the contract version it was built against and find its
    /// hook exports. A version this server does not serve is refused by name.
    fn link(&self, id: &str, component: &Component) -> Result<(InstancePre<HostState>, ExportIndices, WitVersion), LoadError> {
        let version = versions::detect(component, &self.inner.engine, id)?;
        let linker = self.inner.linkers.get(version);
        let pre = linker.instantiate_pre(component).map_err(|e| LoadError::Link { plugin_id: id.to_string(), detail: format!("{e:#}") })?;
        let indices = ExportIndices::discover(&pre, id, version)?;
        Ok((pre, indices, version))
    }

    fn lock_for(&self, plugin_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.inner.load_locks.lock().unwrap().entry(plugin_id.to_string()).or_default().clone()
    }

    fn rebuild_snapshot(&self, plugins: &BTreeMap<String, Arc<PluginRuntime>>) {
        let exported = plugins.values().flat_map(|r| r.families.iter()).fold(0, |bits, family| bits | family.bit());
        *self.inner.snapshot.write().unwrap() = Arc::new(plugins.values().cloned().collect());
        self.inner.exported.store(exported, Ordering::Release);
    }

    /// Whether some loaded plugin exports `family`: one atomic load, so a hot path
    /// (reading posts) can skip all hook work when none does.
    pub fn has_family(&self, family: HookFamily) -> bool {
        self.inner.exported.load(Ordering::Acquire) & family.bit() != 0
    }

    /// Runtimes in dispatch order.
    pub(crate) fn snapshot(&self) -> Arc<Vec<Arc<PluginRuntime>>> {
        self.inner.snapshot.read().unwrap().clone()
    }

    pub(crate) fn runtime(&self, plugin_id: &str) -> Result<Arc<PluginRuntime>, CallError> {
        self.inner.plugins.read().unwrap().get(plugin_id).cloned().ok_or_else(|| CallError::UnknownPlugin { plugin_id: plugin_id.to_string() })
    }

    /// Deactivate and forget a plugin. Returns whether it was loaded.
    pub async fn unload(&self, plugin_id: &str) -> bool {
        let lock = self.lock_for(plugin_id);
        let _guard = lock.lock().await;
        self.inner.failed.write().unwrap().remove(plugin_id);
        let removed = {
            let mut plugins = self.inner.plugins.write().unwrap();
            let removed = plugins.remove(plugin_id);
            self.rebuild_snapshot(&plugins);
            removed
        };
        match removed {
            Some(runtime) => {
                runtime.deactivate(self.inner.config.deactivate_grace).await;
                true
            }
            None => false,
        }
    }

    /// Deactivate every plugin (in parallel, each bounded by the grace period).
    pub async fn shutdown(&self) {
        let ids: Vec<String> = self.inner.plugins.read().unwrap().keys().cloned().collect();
        let mut tasks = tokio::task::JoinSet::new();
        for id in ids {
            let host = self.clone();
            tasks.spawn(async move { host.unload(&id).await });
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Tell a plugin its settings changed: `configuration-changed` runs on every instance.
    pub async fn configuration_changed(&self, plugin_id: &str) -> Result<(), CallError> {
        self.runtime(plugin_id)?.configuration_changed().await;
        Ok(())
    }

    /// Status of every loaded plugin and of failed loads, by id.
    pub fn statuses(&self) -> Vec<PluginStatus> {
        let mut all: BTreeMap<String, PluginStatus> = self.inner.failed.read().unwrap().clone();
        for (id, runtime) in self.inner.plugins.read().unwrap().iter() {
            all.insert(id.clone(), runtime.status());
        }
        all.into_values().collect()
    }

    /// Status of one plugin.
    pub fn status(&self, plugin_id: &str) -> Option<PluginStatus> {
        if let Some(runtime) = self.inner.plugins.read().unwrap().get(plugin_id) {
            return Some(runtime.status());
        }
        self.inner.failed.read().unwrap().get(plugin_id).cloned()
    }

    /// The hook families a loaded plugin exports.
    pub fn families(&self, plugin_id: &str) -> Option<Vec<HookFamily>> {
        self.inner.plugins.read().unwrap().get(plugin_id).map(|r| r.families.clone())
    }

    /// The effective limits of a loaded plugin.
    pub fn limits(&self, plugin_id: &str) -> Option<Limits> {
        self.inner.plugins.read().unwrap().get(plugin_id).map(|r| r.limits.clone())
    }

    /// The effective capabilities of a loaded plugin.
    pub fn grants(&self, plugin_id: &str) -> Option<Vec<Capability>> {
        self.inner.plugins.read().unwrap().get(plugin_id).map(|r| r.identity.grants.iter().cloned().collect())
    }

    /// The manifest of a loaded plugin.
    pub fn manifest(&self, plugin_id: &str) -> Option<Manifest> {
        self.inner.plugins.read().unwrap().get(plugin_id).map(|r| r.identity.manifest.clone())
    }

    /// (live instances, most ever live at once) of a loaded plugin.
    pub fn instance_counts(&self, plugin_id: &str) -> Option<(usize, usize)> {
        self.inner.plugins.read().unwrap().get(plugin_id).map(|r| r.instance_counts())
    }

    /// Host-wide counters.
    pub fn counters(&self) -> HostCounters {
        let c = &self.inner.counters;
        HostCounters {
            compiles: c.compiles.load(Ordering::Relaxed),
            cache_hits: c.cache_hits.load(Ordering::Relaxed),
            instantiations: c.instantiations.load(Ordering::Relaxed),
            background_dropped: c.background_dropped.load(Ordering::Relaxed),
        }
    }

    /// Everything `/metrics` shows about plugins.
    pub fn metrics(&self) -> MetricsSnapshot {
        let plugins = self.inner.plugins.read().unwrap();
        MetricsSnapshot {
            host: self.counters(),
            hooks: plugins.iter().map(|(id, r)| (id.clone(), r.metrics.snapshot())).collect(),
            instances: plugins.iter().map(|(id, r)| (id.clone(), r.instance_counts())).collect(),
            loads: plugins.iter().filter_map(|(id, r)| r.load_timings().map(|t| (id.clone(), t))).collect(),
            memory: plugins.iter().map(|(id, r)| (id.clone(), r.metrics.memory_bytes())).collect(),
            custom: plugins.iter().map(|(id, r)| (id.clone(), r.identity.metrics.snapshot())).filter(|(_, m)| !m.is_empty()).collect(),
        }
    }
}
