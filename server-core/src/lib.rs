//! Confab's server: the Mattermost-compatible HTTP API around the wasm plugin host; `run` is the whole server, `main.rs` only wires it to the process.
//!
//! Until the chat core (issue 3) this is deliberately thin: the plugin host with the
//! local plugin directory loaded, the in-memory [`MemoryServerApi`], and the system and
//! plugin routes (ping, metrics, statuses, `/plugins/{id}/...`).

pub mod api;
pub mod config;
pub mod domain;
pub mod ids;
pub mod local_plugins;
pub mod memory_api;
pub mod store;
pub mod testing;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use confab_host::{HostConfig, PluginHost};
use tokio::net::TcpListener;

pub use config::Config;
pub use memory_api::MemoryServerApi;

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A directory the server needs could not be created.
    #[error("cannot create {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The wasm engine could not be set up.
    #[error(transparent)]
    Host(#[from] confab_host::HostInitError),
    /// Accepting or serving connections failed.
    #[error("http server: {0}")]
    Serve(#[source] std::io::Error),
}

/// This server's version; plugins' `min_server_version` is checked against it.
fn server_version() -> semver::Version {
    semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("the crate version is semver")
}

/// Run the server on `listener` until `shutdown` resolves: load the local plugins,
/// serve HTTP, then stop accepting, let in-flight requests finish and deactivate every
/// plugin. Tests call this with a listener on `127.0.0.1:0`.
pub async fn run<F>(config: Config, listener: TcpListener, shutdown: F) -> Result<(), RunError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let plugin_dir = config.plugin_dir();
    for path in [&plugin_dir, &config.plugin_cache_dir()] {
        std::fs::create_dir_all(path).map_err(|source| RunError::CreateDir { path: path.clone(), source })?;
    }

    let api = Arc::new(MemoryServerApi::new(plugin_dir.clone()));
    let host_config = HostConfig { cache_dir: config.plugin_cache_dir(), server_version: server_version(), ..HostConfig::default() };
    let host = PluginHost::new(host_config, api.clone())?;
    let summary = local_plugins::load_all(&host, &api, &plugin_dir, &server_version()).await;
    tracing::info!(dir = %plugin_dir.display(), loaded = summary.loaded.len(), failed = summary.failed.len(), "local plugins loaded");

    let app = api::router(api::AppState { host: host.clone() });
    match listener.local_addr() {
        Ok(addr) => tracing::info!(%addr, "listening"),
        Err(e) => tracing::warn!(error = %e, "listening on an unknown address"),
    }
    // Connect info gives plugins the client address (`PluginContext.ip_address`).
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(shutdown).await;

    // Plugins are deactivated whether serving ended cleanly or not: their deactivate
    // hooks are their last chance to save state.
    tracing::info!("http server stopped; deactivating plugins");
    host.shutdown().await;
    tracing::info!("shutdown complete");
    served.map_err(RunError::Serve)
}
