//! Plugin administration use cases: install (upload, URL, marketplace) with atomic placement and hot swap, enable, disable, remove, list, statuses, settings and permission approval, each system-admin only, each announcing itself to admins over the WebSocket.
//!
//! The database row and the plugin directory are kept consistent by the journal in
//! [`crate::plugins::installer`]: files are unpacked and compiled off to the side, moved into
//! place, loaded (beside the running version, which keeps serving until the swap),
//! and only then committed in the database; any failure before the commit puts the
//! previous files back.

mod cluster;
mod install;
mod lifecycle;
mod marketplace;
mod metrics;
mod on_install;
mod permissions;
mod reconcile;
mod settings;
mod status;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, RwLock, Weak};

use confab_host::manifest::ManifestError;
use confab_host::{Capability, HostConfig, HostInitError, LoadOptions, Manifest, PluginHost};

pub use crate::plugins::marketplace::ListQuery;
pub use reconcile::Reconciled;
pub use settings::validate_settings;
pub use status::{client_manifest, status_json};

use crate::plugins::bridge::{PluginBridge, StatusChanges};
use crate::plugins::bundle::{BundleLimits, TrustedKeys};
pub use crate::plugins::error::AdminError;
use crate::plugins::installer::{self, Layout, blocking};
use crate::plugins::local::{self, LoadSummary};
use crate::service::{Caller, Services, ServicesBuilder};
use crate::store::{InstalledPlugin, PluginRecord};

/// How plugin administration is configured.
#[derive(Debug, Clone)]
pub struct AdminOptions {
    /// Whether bundles may be uploaded or installed from a URL (Mattermost's `EnableUploads`).
    pub uploads_enabled: bool,
    /// Largest bundle accepted, in bytes.
    pub max_bundle_bytes: usize,
    /// Bounds on what a bundle unpacks to.
    pub limits: BundleLimits,
    /// Refuse bundles without a valid signature, on every install path.
    pub require_signature: bool,
    /// Keys signatures are checked against.
    pub keys: TrustedKeys,
    /// This server's version (`min_server_version` checks, marketplace filtering).
    pub server_version: semver::Version,
    /// Whether the marketplace routes are on.
    pub marketplace_enabled: bool,
    /// Where the marketplace index is (URL or file), if anywhere.
    pub marketplace_url: Option<String>,
}

/// An I/O failure while doing `what`, as an internal error keeping its source.
fn io(what: &'static str) -> impl Fn(std::io::Error) -> AdminError {
    move |e| AdminError::internal(what, e)
}

/// Where a bundle came from (stored as the plugin's `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Upload,
    Url,
    Marketplace,
    /// The plugin directory watcher (development).
    Local,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Upload => "upload",
            Source::Url => "url",
            Source::Marketplace => "marketplace",
            Source::Local => "local",
        }
    }
}

/// What an install did.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The new version's manifest.
    pub manifest: Manifest,
    /// Whether it is serving now (enabled and swapped in).
    pub serving: bool,
    /// Permissions that wait for approval (the upgrade is staged, the old version serves).
    pub pending: Vec<String>,
    /// Milliseconds from receiving the bundle to the new version serving (or to the commit).
    pub elapsed_ms: u64,
}

/// The plugin administration service. One per server, shared by the handlers.
pub struct PluginAdmin {
    services: Services,
    host: PluginHost,
    bridge: Arc<PluginBridge>,
    layout: Layout,
    options: AdminOptions,
    /// Serializes administration of one plugin id (install, enable, remove...).
    locks: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Why the last install of a plugin failed while an older version kept serving;
    /// shown in its status until a later install succeeds.
    last_errors: RwLock<HashMap<String, String>>,
    /// Installs whose `on-install` waits for the plugin's first activation.
    pending_installs: std::sync::Mutex<HashMap<String, on_install::PendingInstall>>,
    /// What this node last brought each plugin to from the database (cluster mode).
    applied: std::sync::Mutex<HashMap<String, reconcile::Applied>>,
}

impl PluginAdmin {
    /// The services and plugin administration over `plugin_dir`, with the plugin
    /// runtime it drives, built before anything is shared: the services are built
    /// with the host (whose bridge holds them weakly, see
    /// [`ServicesBuilder::build_with_host`]), then this service over both. Status
    /// changes the host reports travel from the bridge to a task that publishes them
    /// to admins, so the bridge never refers back to this. Call inside a Tokio runtime
    /// (the publishing task is spawned here).
    pub fn start(
        services: ServicesBuilder,
        host_config: HostConfig,
        plugin_dir: PathBuf,
        options: AdminOptions,
    ) -> Result<(Services, Arc<PluginAdmin>), HostInitError> {
        let mut made = None;
        let services = services.build_with_host(|weak| {
            let (bridge, status_changes) = PluginBridge::new(weak, plugin_dir.clone());
            let bridge = Arc::new(bridge);
            made = Some((bridge.clone(), status_changes));
            PluginHost::new(host_config, bridge)
        })?;
        let (bridge, status_changes) = made.expect("the builder made the bridge");
        let host = services.host().expect("built with a host").clone();
        let admin = Arc::new(PluginAdmin {
            services: services.clone(),
            host,
            bridge,
            layout: Layout::new(plugin_dir),
            options,
            locks: Default::default(),
            last_errors: Default::default(),
            pending_installs: Default::default(),
            applied: Default::default(),
        });
        tokio::spawn(publish_status_changes(Arc::downgrade(&admin), status_changes));
        Ok((services, admin))
    }

    /// The plugin runtime this service drives.
    pub fn host(&self) -> &PluginHost {
        &self.host
    }

    /// Start-up: finish or undo the installs a crash interrupted (before anything reads
    /// the directory); in a cluster, install what other nodes installed or removed
    /// meanwhile; then load every enabled plugin in the directory and follow the
    /// cluster ([`PluginAdmin::join_cluster`]).
    pub async fn load_installed(self: &Arc<Self>) -> LoadSummary {
        // Before this run's first heartbeat overwrites the last one's.
        let previous_run_departed = self.services.claim_own_previous_run().await;
        installer::recover(&self.layout, self.services.store()).await;
        if self.node_id().is_some()
            && let Err(e) = self.reconcile(false).await
        {
            tracing::error!(error = %e, "cannot reconcile the plugin directory with the cluster; starting with what it holds");
        }
        let summary = local::load_all(&self.host, &self.bridge, self.services.store(), &self.layout.root, &self.options.server_version).await;
        if self.node_id().is_some() {
            let rows = self.services.store().list_installed_plugins().await.unwrap_or_default();
            for row in rows {
                self.mark_applied(&row.record.plugin_id).await;
            }
            self.write_node_statuses().await;
            self.join_cluster(previous_run_departed);
        } else {
            self.services.settle_previous_single_run().await;
        }
        summary
    }

    /// The configuration in effect.
    pub fn options(&self) -> &AdminOptions {
        &self.options
    }

    fn lock_for(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.locks.lock().unwrap().entry(id.to_string()).or_default().clone()
    }

    fn require_admin(caller: &Caller) -> Result<(), AdminError> {
        if caller.is_admin() { Ok(()) } else { Err(AdminError::Forbidden) }
    }

    /// The manifest in `dir`, read on a blocking thread.
    async fn manifest_at(&self, dir: &Path) -> Result<Manifest, ManifestError> {
        let (dir, version) = (dir.to_path_buf(), self.options.server_version.clone());
        blocking(move || Manifest::load(&dir, &version)).await
    }

    /// The row and the manifest of an installed plugin, or `NotInstalled`.
    async fn installed(&self, id: &str) -> Result<(InstalledPlugin, Manifest), AdminError> {
        if !is_manageable_id(id) {
            return Err(AdminError::not_installed(id));
        }
        let row = self.services.store().get_installed_plugin(id).await?.ok_or_else(|| AdminError::not_installed(id))?;
        let manifest = self.manifest_at(&self.layout.live(id)).await.map_err(|_| AdminError::not_installed(id))?;
        Ok((row, manifest))
    }

    /// Every installed plugin with its manifest (those whose files are readable).
    pub async fn installed_plugins(&self) -> Result<Vec<(InstalledPlugin, Manifest)>, AdminError> {
        let mut out = Vec::new();
        for row in self.services.store().list_installed_plugins().await? {
            if let Ok(manifest) = self.manifest_at(&self.layout.live(&row.record.plugin_id)).await {
                out.push((row, manifest));
            }
        }
        Ok(out)
    }
}

/// Whether `id` may name a directory under the plugin directory: Mattermost's id rule
/// and not hidden, so no request can reach `.install/` or climb out with `..`.
fn is_manageable_id(id: &str) -> bool {
    confab_host::manifest::is_valid_plugin_id(id) && !id.starts_with('.')
}

/// Publish every status change the bridge reports to admins, until the bridge or
/// this service is gone. Changes that arrive while one is published are coalesced:
/// the next publication carries every status anyway.
async fn publish_status_changes(admin: Weak<PluginAdmin>, mut changes: StatusChanges) {
    while changes.next().await {
        let Some(admin) = admin.upgrade() else { return };
        admin.publish_statuses().await;
    }
}

fn load_options(record: &PluginRecord) -> LoadOptions {
    let granted: Vec<Capability> = record.granted.iter().filter_map(|c| Capability::from_str(c).ok()).collect();
    LoadOptions { granted, grant_all_requested: record.grant_all_requested, ..LoadOptions::default() }
}
