//! Confab's server: the Mattermost-compatible HTTP and WebSocket API, the chat core behind it, and the wasm plugin host wired into it; `run` is the whole server, `main.rs` only wires it to the process.
//!
//! A guided tour, in the order a request travels:
//! - [`api`]: axum handlers (extract, authorize, call one service, map errors);
//! - [`service`]: the use cases, where permission checks, plugin hooks, persistence
//!   and WebSocket broadcasts happen;
//! - [`store`]: all SQL (SQLite or PostgreSQL through one `AnyPool`);
//! - [`domain`]: types with Mattermost's JSON shapes and validation, no I/O;
//! - [`hub`]: WebSocket fan-out; [`plugins`]: the plugin lifecycle (installs, loading,
//!   administration) and the plugin API over the services.

pub mod api;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod domain;
pub mod hub;
pub mod ids;
pub mod outbound;
pub mod plugins;
pub mod sealed;
pub mod service;
pub mod store;
pub mod testing;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use confab_host::{EngineOptions, HostConfig};
use tokio::net::TcpListener;

pub use config::Config;
pub use plugins::PluginBridge;

use crate::hub::Hub;
use crate::plugins::admin::PluginAdmin;
use crate::service::{Services, Settings};
use crate::store::Store;

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
    /// The database could not be opened or migrated.
    #[error("database {url}: {source}")]
    Store {
        /// The URL, password removed.
        url: String,
        /// What failed.
        source: store::Error,
    },
    /// The wasm engine could not be set up.
    #[error(transparent)]
    Host(#[from] confab_host::HostInitError),
    /// A trusted plugin signing key could not be read.
    #[error("plugin signature key {path}: {message}")]
    SigningKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The `--metrics-listen` address could not be bound.
    #[error("cannot listen for metrics on {addr}: {source}")]
    MetricsListen {
        /// The address.
        addr: std::net::SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Cluster mode could not start (SQLite, a bad node id, NATS unreachable).
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterError),
    /// Accepting or serving connections failed.
    #[error("http server: {0}")]
    Serve(#[source] std::io::Error),
}

/// A fresh random key for [`sealed::Sealer`].
fn random_key() -> [u8; sealed::KEY_LEN] {
    let mut key = [0; sealed::KEY_LEN];
    getrandom::fill(&mut key).expect("the operating system provides randomness");
    key
}

/// The stored key; a damaged value (edited by hand) falls back to a process-local key,
/// which only costs outstanding cookies.
fn decode_key(stored: &[u8]) -> [u8; sealed::KEY_LEN] {
    stored.try_into().unwrap_or_else(|_| {
        tracing::error!("the stored sealing key is damaged; using a temporary one");
        random_key()
    })
}

/// This server's version; plugins' `min_server_version` is checked against it.
fn server_version() -> semver::Version {
    semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("the crate version is semver")
}

/// Plugin administration settings from the config; reads the trusted key files.
fn admin_options(config: &Config) -> Result<plugins::admin::AdminOptions, RunError> {
    let mut texts = Vec::new();
    for path in &config.plugin_signature_public_keys {
        let text = std::fs::read_to_string(path).map_err(|e| RunError::SigningKey { path: path.clone(), message: e.to_string() })?;
        texts.push((path.display().to_string(), text));
    }
    let keys = plugins::bundle::TrustedKeys::from_texts(texts.iter().map(|(p, t)| (p.as_str(), t.clone())))
        .map_err(|e| RunError::SigningKey { path: PathBuf::from("(key)"), message: e.to_string() })?;
    if config.require_plugin_signature && keys.is_empty() {
        tracing::warn!("plugin signatures are required but no public key is configured: every install will be refused");
    }
    Ok(plugins::admin::AdminOptions {
        uploads_enabled: config.enable_plugin_uploads,
        max_bundle_bytes: config.plugin_max_bundle_bytes,
        limits: plugins::bundle::BundleLimits { max_entries: config.plugin_max_bundle_entries, max_unpacked_bytes: config.plugin_max_unpacked_bytes },
        require_signature: config.require_plugin_signature,
        keys,
        server_version: server_version(),
        marketplace_enabled: config.enable_marketplace,
        marketplace_url: config.marketplace_url.clone(),
    })
}

/// The services' settings from the config.
fn service_settings(config: &Config, site_url: &str) -> Settings {
    Settings {
        site_url: site_url.to_string(),
        open_server: config.open_server,
        kv_max_value_bytes: config.plugin_kv_max_value_bytes,
        kv_quota_bytes: config.plugin_kv_quota_bytes,
        outbound: config.outbound_policy(),
        enable_post_username_override: config.enable_post_username_override,
        enable_post_icon_override: config.enable_post_icon_override,
        webhooks: config.webhook_settings(),
        privacy: domain::user::Privacy { show_email_address: config.show_email_address, show_full_name: config.show_full_name },
        login: config.login_security.login_settings(),
        unread_bookkeeping: !config.bench_without_unreads,
        jobs: service::scheduler::JobSettings { quota: config.plugin_job_quota.max(0), ..Default::default() },
        ..Settings::default()
    }
}

/// The plugin runtime's settings from the config.
fn host_config(config: &Config) -> HostConfig {
    HostConfig {
        cache_dir: config.plugin_cache_dir(),
        server_version: server_version(),
        engine: EngineOptions { pacing: config.plugin_pacing(), ..EngineOptions::default() },
        ..HostConfig::default()
    }
}

/// This node's cluster membership when `--cluster-nats-url` is set: its id (given, or
/// kept in the data directory) and the NATS connection.
async fn join_cluster(config: &Config, store: &Store) -> Result<Option<Arc<cluster::Cluster>>, RunError> {
    let Some(url) = &config.cluster_nats_url else { return Ok(None) };
    let node_id = cluster::node_id(&config.data_dir, config.cluster_node_id.as_deref())?;
    let stored = store.ensure_secret(cluster::NAMESPACE_SECRET, ids::new_id().as_bytes(), service::now_ms()).await;
    let stored = stored.map_err(|source| RunError::Store { url: store::redact(&config.database_url()), source })?;
    let namespace = String::from_utf8_lossy(&stored).into_owned();
    Ok(Some(Arc::new(cluster::Cluster::connect(url, node_id, namespace).await?)))
}

/// Open (and migrate) the database; cluster mode is refused on SQLite before anything
/// connects (nodes would each have their own data).
async fn open_store(config: &Config) -> Result<Store, RunError> {
    let database_url = config.database_url();
    if config.cluster_nats_url.is_some() && database_url.starts_with("sqlite:") {
        return Err(cluster::ClusterError::NeedsPostgres.into());
    }
    let acquire_timeout = std::time::Duration::from_secs(config.database_acquire_timeout_secs.max(1));
    let store = Store::connect_with(&database_url, acquire_timeout).await.map_err(|source| RunError::Store { url: store::redact(&database_url), source })?;
    tracing::info!(database = %store::redact(&database_url), backend = ?store.backend(), "database ready");
    Ok(store)
}

/// The services with their plugin host, over `store` and `hub`, as a node of the
/// cluster in cluster mode.
async fn build_services(
    config: &Config,
    store: &Store,
    hub: &Arc<Hub>,
    site_url: &str,
) -> Result<(Services, Arc<PluginAdmin>, Option<Arc<cluster::Cluster>>), RunError> {
    let sealing_key = store
        .ensure_secret("sealing_key", &random_key(), service::now_ms())
        .await
        .map_err(|source| RunError::Store { url: store::redact(&config.database_url()), source })?;
    let cluster = join_cluster(config, store).await?;
    let mut services = Services::builder(store.clone(), hub.clone(), service_settings(config, site_url)).sealer(sealed::Sealer::new(&decode_key(&sealing_key)));
    if let Some(cluster) = &cluster {
        services = services.cluster(cluster.clone());
    }
    let (services, plugin_admin) = PluginAdmin::start(services, host_config(config), config.plugin_dir(), admin_options(config)?)?;
    Ok((services, plugin_admin, cluster))
}

/// Run the server on `listener` until `shutdown` resolves: open (and migrate) the
/// database, load the enabled local plugins, serve HTTP and WebSockets, then stop
/// accepting, close the WebSockets, let in-flight requests finish and deactivate every
/// plugin. Tests call this with a listener on `127.0.0.1:0`.
pub async fn run<F>(config: Config, listener: TcpListener, shutdown: F) -> Result<(), RunError>
where
    F: Future<Output = ()> + Send + 'static,
{
    let plugin_dir = config.plugin_dir();
    for path in [&config.data_dir, &plugin_dir, &config.plugin_cache_dir()] {
        std::fs::create_dir_all(path).map_err(|source| RunError::CreateDir { path: path.clone(), source })?;
    }
    let store = open_store(&config).await?;
    let hub = Arc::new(Hub::default());
    let site_url = match (&config.site_url, listener.local_addr()) {
        (Some(url), _) => url.trim_end_matches('/').to_string(),
        (None, Ok(addr)) => format!("http://{addr}"),
        (None, Err(_)) => String::new(),
    };
    let (services, plugin_admin, cluster) = build_services(&config, &store, &hub, &site_url).await?;
    let host = plugin_admin.host().clone();
    // Before anything is served, so every event published from now on reaches this
    // node's sockets.
    let delivery = cluster.as_ref().map(|cluster| cluster.start_delivery(hub.clone()));
    let summary = plugin_admin.load_installed().await;
    tracing::info!(dir = %plugin_dir.display(), loaded = summary.loaded.len(), disabled = summary.disabled.len(), failed = summary.failed.len(), "local plugins loaded");
    // After loading, so the first pass runs the jobs missed while the server was down.
    let job_runner = service::scheduler::runner::Runner::spawn(&services);

    let _watcher = if config.watch_plugins { plugins::watcher::watch(&plugin_dir, plugin_admin.clone()) } else { None };
    let allowed_origins = Arc::new(api::origin::AllowedOrigins::new(&site_url, &config.allow_cors_from));
    let metrics = api::MetricsAccess { allowed_from: config.metrics_allowed_from.clone(), on_main_listener: config.metrics_listen.is_none() };
    let metrics_server = match config.metrics_listen {
        Some(addr) => {
            let listener = TcpListener::bind(addr).await.map_err(|source| RunError::MetricsListen { addr, source })?;
            tracing::info!(addr = %listener.local_addr().unwrap_or(addr), "serving /metrics on its own listener");
            Some(tokio::spawn(api::serve_metrics(listener, host.clone(), services.jobs().clone())))
        }
        None => None,
    };
    let app = api::router(api::AppState {
        host: host.clone(),
        services: services.clone(),
        site_url,
        allowed_origins,
        plugin_admin,
        metrics,
        rate_limit: config.login_security.rate_limit_settings(),
    });
    match listener.local_addr() {
        Ok(addr) => tracing::info!(%addr, "listening"),
        Err(e) => tracing::warn!(error = %e, "listening on an unknown address"),
    }
    // Upgraded WebSockets are not connections hyper waits for; closing their queues
    // when shutdown starts ends them, so the drain below is bounded.
    let signal = {
        let hub = hub.clone();
        async move {
            shutdown.await;
            hub.close_all();
        }
    };
    // Connect info gives plugins the client address (`PluginContext.ip_address`).
    let served = axum::serve(without_nagle(listener), app.into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(signal).await;

    if let Some(task) = metrics_server {
        task.abort();
    }
    // Plugins are deactivated whether serving ended cleanly or not: their deactivate
    // hooks are their last chance to save state.
    tracing::info!("http server stopped; deactivating plugins");
    service::scheduler::runner::stop(job_runner).await;
    host.flush_background().await;
    host.shutdown().await;
    if let Some(cluster) = &cluster {
        cluster.shutdown().await;
    }
    if let Some(delivery) = delivery {
        let _ = delivery.await;
    }
    store.close().await;
    tracing::info!("shutdown complete");
    served.map_err(RunError::Serve)
}

/// Every accepted connection with Nagle's algorithm off: a WebSocket event is one small
/// write, and the next one would otherwise wait for the client's delayed ACK (about
/// 40 ms on Linux) whenever events come faster than that.
fn without_nagle(listener: TcpListener) -> axum::serve::TapIo<TcpListener, fn(&mut tokio::net::TcpStream)> {
    axum::serve::ListenerExt::tap_io(listener, set_nodelay)
}

fn set_nodelay(tcp: &mut tokio::net::TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "cannot turn off Nagle's algorithm on a connection");
    }
}
