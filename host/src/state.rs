//! Per-instance store data: the plugin's identity and grants, the server API, a minimal WASI context and the memory limiter.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::types::Error as WitError;
use crate::capabilities::{Capability, Grants};
use crate::manifest::Manifest;
use crate::server_api::ServerApi;
use crate::stdio::LogStream;
use crate::types::PluginCallChain;

/// What every instance of one plugin version shares.
#[derive(Debug)]
pub(crate) struct PluginIdentity {
    /// The plugin id, as used for KV namespaces and log tags.
    pub id: String,
    /// The validated manifest.
    pub manifest: Manifest,
    /// Effective capabilities (requested ∩ granted).
    pub grants: Grants,
    /// Outbound HTTP quota and response cap, from the plugin's limits.
    pub http: crate::imports::HttpLimits,
    /// The plugin's own metrics (`metrics` import), shared by its versions.
    pub metrics: Arc<crate::custom_metrics::CustomMetrics>,
}

/// Data owned by one `Store`: everything a host import needs.
pub(crate) struct HostState {
    pub identity: Arc<PluginIdentity>,
    pub api: Arc<dyn ServerApi>,
    wasi: WasiCtx,
    table: ResourceTable,
    pub limiter: MemoryLimiter,
    /// The plugins whose `plugin-http` calls led to the call this instance is running
    /// (empty for a call from the server); set around each such call.
    pub callers: PluginCallChain,
    /// The post a 0.2.0 message hook is running for (`hook-post`); set around each call.
    pub lent: Option<Arc<crate::imports::LentPost>>,
}

impl HostState {
    pub(crate) fn new(identity: Arc<PluginIdentity>, api: Arc<dyn ServerApi>, memory_cap: usize, plugin_memory: Arc<AtomicUsize>) -> HostState {
        // No preopened directories, environment, arguments or network: std's WASI
        // imports resolve, but a plugin reaches the world only through our API.
        // stdout/stderr become log lines tagged with the plugin id.
        let wasi = WasiCtx::builder().stdout(LogStream::new(identity.id.clone(), false)).stderr(LogStream::new(identity.id.clone(), true)).build();
        HostState {
            identity,
            api,
            wasi,
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(memory_cap, plugin_memory),
            callers: PluginCallChain::default(),
            lent: None,
        }
    }

    pub(crate) fn plugin_id(&self) -> &str {
        &self.identity.id
    }

    /// `Ok` if the plugin holds `cap`, else the WIT `permission-denied` error.
    pub(crate) fn require(&self, cap: Capability) -> Result<(), WitError> {
        if self.identity.grants.allows(&cap) {
            Ok(())
        } else {
            tracing::debug!(plugin_id = %self.identity.id, capability = %cap, "plugin call denied");
            Err(WitError::PermissionDenied)
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Caps linear memory growth and remembers that the cap was hit, so the trap that
/// usually follows (an allocation failure aborting) is reported as a memory limit.
///
/// It also keeps the instance's linear memory in the plugin's total (`plugin_memory`,
/// shown in the admin metrics): wasmtime asks before creating a memory (from 0) and
/// before every growth, and memories never shrink, so the sum of the granted growths
/// is what the instance holds; dropping the store gives it back.
pub(crate) struct MemoryLimiter {
    pub cap: usize,
    pub hit: bool,
    held: usize,
    plugin_memory: Arc<AtomicUsize>,
}

impl MemoryLimiter {
    pub(crate) fn new(cap: usize, plugin_memory: Arc<AtomicUsize>) -> MemoryLimiter {
        MemoryLimiter { cap, hit: false, held: 0, plugin_memory }
    }
}

impl Drop for MemoryLimiter {
    fn drop(&mut self) {
        self.plugin_memory.fetch_sub(self.held, Ordering::Relaxed);
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.cap {
            self.hit = true;
            return Ok(false);
        }
        let grown = desired.saturating_sub(current);
        self.held += grown;
        self.plugin_memory.fetch_add(grown, Ordering::Relaxed);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        // Tables hold function references; no honest plugin needs a million.
        Ok(desired <= 1_000_000)
    }
}
