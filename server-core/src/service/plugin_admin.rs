//! Plugin administration use cases: install (upload, URL, marketplace) with atomic placement and hot swap, enable, disable, remove, list, statuses, settings and permission approval, each system-admin only, each announcing itself to admins over the WebSocket.
//!
//! The database row and the plugin directory are kept consistent by the journal in
//! [`crate::installer`]: files are unpacked and compiled off to the side, moved into
//! place, loaded (beside the running version, which keeps serving until the swap),
//! and only then committed in the database; any failure before the commit puts the
//! previous files back.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use confab_host::{Capability, LoadOptions, Manifest, PluginHost, PluginState, PluginStatus};
use serde_json::{Value, json};

use super::{Caller, Services, now_ms};
use crate::bundle::{self, BundleError, BundleLimits, SignatureError, TrustedKeys};
use crate::hub::{BroadcastInfo, Event, Recipients};
use crate::installer::{self, Journal, Layout, crash_point};
use crate::plugin_bridge::PluginBridge;
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

/// Why an administration request failed. The API maps each to a status and
/// Mattermost's error id.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Not a system admin.
    #[error("you do not have the appropriate permissions")]
    Forbidden,
    /// Uploads (or URL installs) are turned off.
    #[error("plugin uploads are disabled on this server")]
    UploadsDisabled,
    /// The marketplace is turned off or not configured.
    #[error("the marketplace is disabled on this server")]
    MarketplaceDisabled,
    /// The bundle is bigger than allowed.
    #[error("the bundle is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The request lacks something (no `plugin` part, no URL).
    #[error("{0}")]
    BadRequest(String),
    /// The bundle was refused while unpacking.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The signature check failed.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The manifest or component is not loadable.
    #[error("{0}")]
    Invalid(String),
    /// The id is installed and `force` was not given.
    #[error("a plugin with id `{0}` is already installed; use force to replace it")]
    AlreadyInstalled(String),
    /// No such plugin.
    #[error("plugin `{0}` is not installed")]
    NotInstalled(String),
    /// The new version did not activate; the previous one (if any) still serves.
    #[error("plugin `{plugin_id}` did not load: {reason}")]
    Activation { plugin_id: String, reason: String },
    /// The plugin requests permissions no admin approved yet.
    #[error("plugin `{plugin_id}` needs approval of: {}", pending.join(", "))]
    NeedsApproval { plugin_id: String, pending: Vec<String> },
    /// A download failed.
    #[error("download failed: {0}")]
    Download(String),
    /// The server failed (I/O, database).
    #[error("{0}")]
    Internal(String),
}

impl From<crate::store::Error> for AdminError {
    fn from(e: crate::store::Error) -> Self {
        AdminError::Internal(e.to_string())
    }
}

fn io(what: &str) -> impl Fn(std::io::Error) -> AdminError + '_ {
    move |e| AdminError::Internal(format!("{what}: {e}"))
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
}

impl PluginAdmin {
    /// The service over the plugin directory `plugin_dir`.
    pub fn new(services: Services, host: PluginHost, bridge: Arc<PluginBridge>, plugin_dir: PathBuf, options: AdminOptions) -> PluginAdmin {
        PluginAdmin { services, host, bridge, layout: Layout::new(plugin_dir), options, locks: Default::default(), last_errors: Default::default() }
    }

    /// The configuration in effect.
    pub fn options(&self) -> &AdminOptions {
        &self.options
    }

    /// The services (for the marketplace and downloads).
    pub fn services(&self) -> &Services {
        &self.services
    }

    fn lock_for(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.locks.lock().unwrap().entry(id.to_string()).or_default().clone()
    }

    fn require_admin(caller: &Caller) -> Result<(), AdminError> {
        if caller.is_admin() { Ok(()) } else { Err(AdminError::Forbidden) }
    }

    /// Check a bundle's signature when this server requires one.
    /// A signature that comes along is checked too when keys are configured, so a
    /// bad one is never silently ignored.
    pub fn check_signature(&self, bytes: &[u8], signature: Option<&str>) -> Result<(), AdminError> {
        let present = signature.is_some_and(|s| !s.trim().is_empty());
        if self.options.require_signature || (present && !self.options.keys.is_empty()) {
            self.options.keys.verify(bytes, signature)?;
        }
        Ok(())
    }

    /// `POST /api/v4/plugins` and `install_from_url`: gated by `uploads_enabled`.
    pub async fn install_upload(&self, caller: &Caller, bytes: &[u8], signature: Option<&str>, force: bool, source: Source) -> Result<Installed, AdminError> {
        Self::require_admin(caller)?;
        if !self.options.uploads_enabled {
            return Err(AdminError::UploadsDisabled);
        }
        self.install_bundle(bytes, signature, force, source).await
    }

    /// Install a bundle from any source: size and signature checks, unpack beside the
    /// plugin directory, validate and compile, then place it (or stage it when it
    /// asks for permissions the running version was not granted).
    pub async fn install_bundle(&self, bytes: &[u8], signature: Option<&str>, force: bool, source: Source) -> Result<Installed, AdminError> {
        let started = std::time::Instant::now();
        if bytes.len() > self.options.max_bundle_bytes {
            return Err(AdminError::TooLarge { limit: self.options.max_bundle_bytes });
        }
        self.check_signature(bytes, signature)?;
        let (token, unpack_dir) = self.layout.new_unpack_dir().map_err(io("cannot create the unpack directory"))?;
        let result = self.install_unpacked(bytes, &token, &unpack_dir, force, source, started).await;
        // Whatever happened, the unpack directory is either renamed away or garbage.
        installer::remove_path(&unpack_dir);
        result
    }

    async fn install_unpacked(
        &self,
        bytes: &[u8],
        token: &str,
        unpack_dir: &Path,
        force: bool,
        source: Source,
        started: std::time::Instant,
    ) -> Result<Installed, AdminError> {
        let (bytes_owned, dir, limits) = (bytes.to_vec(), unpack_dir.to_path_buf(), self.options.limits);
        let root =
            tokio::task::spawn_blocking(move || bundle::extract(&bytes_owned, &dir, limits)).await.map_err(|e| AdminError::Internal(e.to_string()))??;
        crash_point("unpacked");
        // The manifest alone first: with its id, a component that does not compile or
        // link is reported in the status of the version still serving.
        let manifest = Manifest::load(&root, &self.options.server_version).map_err(|e| AdminError::Invalid(e.to_string()))?;
        if !is_manageable_id(&manifest.id) {
            return Err(AdminError::Invalid(format!("plugin id `{}` may not start with '.'", manifest.id)));
        }
        let prepared = self.host.prepare(&root).await;
        // The compile ends inside `prepare`; the load that follows counts its
        // "compiled → serving" time from here, install steps included.
        let compiled_at = std::time::Instant::now();
        if let Err(e) = prepared {
            if self.host.status(&manifest.id).is_some() {
                self.last_errors.write().unwrap().insert(manifest.id.clone(), format!("version {} was not installed: {e}", manifest.version));
                self.publish_statuses().await;
            }
            return Err(AdminError::Invalid(e.to_string()));
        }
        let id = manifest.id.clone();
        std::fs::write(root.join(installer::TOKEN_FILE), token).map_err(io("cannot write the install token"))?;

        let lock = self.lock_for(&id);
        let _guard = lock.lock().await;
        let existing = self.services.store().get_installed_plugin(&id).await?;
        let live = self.layout.live(&id);
        if (existing.is_some() || live.exists()) && !force {
            return Err(AdminError::AlreadyInstalled(id));
        }
        // A plugin found in the directory was granted whatever it asked for; a bundle
        // replacing it gets exactly that grant, so anything more waits for approval.
        let existing = existing.map(|mut e| {
            if e.record.grant_all_requested {
                e.record.granted = Manifest::load(&live, &self.options.server_version).map(|m| m.permissions).unwrap_or_default();
                e.record.grant_all_requested = false;
            }
            e
        });
        // An upgrade asking for more than the running version was granted waits.
        if let Some(existing) = &existing
            && existing.record.enabled
        {
            let pending = pending_permissions(&existing.record, &manifest);
            if !pending.is_empty() {
                let staged = self.layout.staged(&id);
                installer::remove_path(&staged);
                std::fs::rename(&root, &staged).map_err(io("cannot stage the upgrade"))?;
                tracing::info!(plugin_id = %id, version = %manifest.version, ?pending, "upgrade staged until its new permissions are approved");
                self.last_errors.write().unwrap().insert(id.clone(), format!("version {} waits for approval of: {}", manifest.version, pending.join(", ")));
                self.publish_statuses().await;
                return Ok(Installed { manifest, serving: false, pending, elapsed_ms: started.elapsed().as_millis() as u64 });
            }
        }
        let serving = self.place(&id, &root, token, &manifest, existing, source, Some(compiled_at)).await?;
        Ok(Installed { manifest, serving, pending: Vec::new(), elapsed_ms: started.elapsed().as_millis() as u64 })
    }

    /// Move `root` into place as plugin `id`, load it if enabled (hot swap), commit.
    /// Caller holds the id's lock. Returns whether it serves. `compiled_at`: when the
    /// install's `prepare` finished compiling, for the load's timings.
    #[allow(clippy::too_many_arguments)]
    async fn place(
        &self,
        id: &str,
        root: &Path,
        token: &str,
        manifest: &Manifest,
        existing: Option<InstalledPlugin>,
        source: Source,
        compiled_at: Option<std::time::Instant>,
    ) -> Result<bool, AdminError> {
        let live = self.layout.live(id);
        let old = self.layout.work().join(format!("{token}.old"));
        self.layout
            .write_journal(token, &Journal::Install { plugin_id: id.to_string(), token: token.to_string(), unpacked: root.to_path_buf(), old: old.clone() })
            .map_err(io("cannot write the install journal"))?;
        crash_point("journal");
        let had_old = live.exists();
        if had_old {
            std::fs::rename(&live, &old).map_err(io("cannot move the previous version aside"))?;
        }
        crash_point("moved_old");
        if let Err(e) = std::fs::rename(root, &live) {
            self.roll_back(id, &live, &old, had_old, token);
            return Err(AdminError::Internal(format!("cannot move the plugin into place: {e}")));
        }
        installer::sync_dir(&self.layout.root);
        crash_point("moved_new");

        let now = now_ms();
        let record = match &existing {
            Some(e) => PluginRecord { update_at: now, ..e.record.clone() },
            // New plugins start disabled and with nothing granted, as in Mattermost
            // (activation follows an explicit enable).
            None => {
                PluginRecord { plugin_id: id.to_string(), enabled: false, granted: Vec::new(), grant_all_requested: false, installed_at: now, update_at: now }
            }
        };
        let serving = record.enabled;
        if serving {
            self.bridge.register_plugin_dir(id, &live);
            if let Err(e) = self.host.load(&live, LoadOptions { compiled_at, ..load_options(&record) }).await {
                self.roll_back(id, &live, &old, had_old, token);
                let reason = e.to_string();
                self.last_errors.write().unwrap().insert(id.to_string(), format!("version {} was not installed: {reason}", manifest.version));
                self.publish_statuses().await;
                return Err(AdminError::Activation { plugin_id: id.to_string(), reason });
            }
        }
        crash_point("loaded");
        let installed = InstalledPlugin { record, version: manifest.version.clone(), source: source.as_str().to_string(), install_token: token.to_string() };
        if let Err(e) = self.services.store().commit_plugin_install(&installed).await {
            self.roll_back(id, &live, &old, had_old, token);
            if serving {
                // The new version is serving from files that are gone: back to the old.
                match &existing {
                    Some(e) if had_old => {
                        let _ = self.host.load(&live, load_options(&e.record)).await;
                    }
                    _ => {
                        self.host.unload(id).await;
                    }
                }
            }
            return Err(e.into());
        }
        crash_point("committed");
        installer::remove_path(&old);
        self.layout.clear_journal(token);
        self.last_errors.write().unwrap().remove(id);
        tracing::info!(plugin_id = %id, version = %manifest.version, source = source.as_str(), serving, "plugin installed");
        if serving {
            self.publish_to_admins("plugin_enabled", json!({ "manifest": client_manifest(manifest, &live) })).await;
        }
        self.publish_statuses().await;
        Ok(serving)
    }

    /// Undo a placement that did not commit: new files out, old files back.
    fn roll_back(&self, id: &str, live: &Path, old: &Path, had_old: bool, token: &str) {
        if installer::read_token(live).as_deref() == Some(token) {
            installer::remove_path(live);
        }
        if had_old && let Err(e) = std::fs::rename(old, live) {
            tracing::error!(plugin_id = %id, error = %e, "could not restore the previous version");
        }
        self.layout.clear_journal(token);
    }

    /// `POST /api/v4/plugins/{id}/enable`.
    pub async fn enable(&self, caller: &Caller, id: &str) -> Result<PluginStatus, AdminError> {
        Self::require_admin(caller)?;
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        let (installed, manifest) = self.installed(id).await?;
        let pending = pending_permissions(&installed.record, &manifest);
        if !pending.is_empty() {
            return Err(AdminError::NeedsApproval { plugin_id: id.to_string(), pending });
        }
        let record = PluginRecord { enabled: true, update_at: now_ms(), ..installed.record.clone() };
        self.services.store().upsert_plugin(&record).await?;
        self.fill_generated_settings(id, &manifest).await?;
        let live = self.layout.live(id);
        self.bridge.register_plugin_dir(id, &live);
        // Mattermost answers enable before activation finishes; a failure shows in the
        // status (state 3 with the reason), not as an error of this request.
        match self.host.load(&live, load_options(&record)).await {
            Ok(_) => self.publish_to_admins("plugin_enabled", json!({ "manifest": client_manifest(&manifest, &live) })).await,
            Err(e) => tracing::warn!(plugin_id = id, error = %e, "enabled plugin failed to start"),
        }
        self.publish_statuses().await;
        Ok(self.status_of(id, &installed, &manifest))
    }

    /// `POST /api/v4/plugins/{id}/disable`: stop it, drop its commands, remember.
    pub async fn disable(&self, caller: &Caller, id: &str) -> Result<(), AdminError> {
        Self::require_admin(caller)?;
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        let (installed, manifest) = self.installed(id).await?;
        let record = PluginRecord { enabled: false, update_at: now_ms(), ..installed.record };
        self.services.store().upsert_plugin(&record).await?;
        self.host.unload(id).await;
        self.services.unregister_plugin_commands(id);
        self.publish_to_admins("plugin_disabled", json!({ "manifest": client_manifest(&manifest, &self.layout.live(id)) })).await;
        self.publish_statuses().await;
        Ok(())
    }

    /// `DELETE /api/v4/plugins/{id}`: stop it, then delete its files, state, settings,
    /// KV data and commands (journaled, so a crash finishes the removal at start-up).
    pub async fn remove(&self, caller: &Caller, id: &str) -> Result<(), AdminError> {
        Self::require_admin(caller)?;
        if !is_manageable_id(id) {
            return Err(AdminError::NotInstalled(id.to_string()));
        }
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        let live = self.layout.live(id);
        let row = self.services.store().get_installed_plugin(id).await?;
        if row.is_none() && !live.exists() {
            return Err(AdminError::NotInstalled(id.to_string()));
        }
        let was_running = self.host.unload(id).await;
        self.services.unregister_plugin_commands(id);
        let token = crate::ids::new_id();
        let moved = self.layout.work().join(format!("{token}.removed"));
        self.layout
            .write_journal(&token, &Journal::Remove { plugin_id: id.to_string(), moved: moved.clone() })
            .map_err(io("cannot write the removal journal"))?;
        let manifest = Manifest::load(&live, &self.options.server_version).ok();
        if live.exists() {
            std::fs::rename(&live, &moved).map_err(io("cannot move the plugin out"))?;
        }
        crash_point("remove_moved");
        self.services.store().delete_plugin_data(id).await?;
        installer::remove_path(&moved);
        installer::remove_path(&self.layout.staged(id));
        self.layout.clear_journal(&token);
        self.last_errors.write().unwrap().remove(id);
        tracing::info!(plugin_id = id, "plugin removed");
        if was_running && let Some(manifest) = manifest {
            self.publish_to_admins("plugin_disabled", json!({ "manifest": client_manifest(&manifest, &live) })).await;
        }
        self.publish_statuses().await;
        Ok(())
    }

    /// The row and the manifest of an installed plugin, or `NotInstalled`.
    async fn installed(&self, id: &str) -> Result<(InstalledPlugin, Manifest), AdminError> {
        if !is_manageable_id(id) {
            return Err(AdminError::NotInstalled(id.to_string()));
        }
        let row = self.services.store().get_installed_plugin(id).await?.ok_or_else(|| AdminError::NotInstalled(id.to_string()))?;
        let manifest = Manifest::load(&self.layout.live(id), &self.options.server_version).map_err(|_| AdminError::NotInstalled(id.to_string()))?;
        Ok((row, manifest))
    }

    /// Every installed plugin with its manifest (those whose files are readable).
    pub async fn installed_plugins(&self) -> Result<Vec<(InstalledPlugin, Manifest)>, AdminError> {
        let mut out = Vec::new();
        for row in self.services.store().list_installed_plugins().await? {
            if let Ok(manifest) = Manifest::load(&self.layout.live(&row.record.plugin_id), &self.options.server_version) {
                out.push((row, manifest));
            }
        }
        Ok(out)
    }

    /// `GET /api/v4/plugins`: `{active: [...], inactive: [...]}`, manifests inline.
    pub async fn list(&self, caller: &Caller) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        let (mut active, mut inactive) = (Vec::new(), Vec::new());
        for (_, manifest) in self.installed_plugins().await? {
            let running = self.host.status(&manifest.id).is_some_and(|s| s.state == PluginState::Running);
            let info = serde_json::to_value(&manifest).expect("manifests serialize");
            if running { active.push(info) } else { inactive.push(info) }
        }
        Ok(json!({ "active": active, "inactive": inactive }))
    }

    /// `GET /api/v4/plugins/statuses`.
    pub async fn statuses(&self, caller: &Caller) -> Result<Vec<PluginStatus>, AdminError> {
        Self::require_admin(caller)?;
        self.all_statuses().await
    }

    /// Every installed plugin's status: the host's for loaded ones, state 0 for the
    /// rest; a failed upgrade's reason is added while an older version serves.
    pub async fn all_statuses(&self) -> Result<Vec<PluginStatus>, AdminError> {
        let mut by_id: BTreeMap<String, PluginStatus> = self.host.statuses().into_iter().map(|s| (s.plugin_id.clone(), s)).collect();
        for (row, manifest) in self.installed_plugins().await? {
            let status = self.status_of(&manifest.id, &row, &manifest);
            by_id.insert(status.plugin_id.clone(), status);
        }
        Ok(by_id.into_values().collect())
    }

    fn status_of(&self, id: &str, _row: &InstalledPlugin, manifest: &Manifest) -> PluginStatus {
        let mut status = self.host.status(id).unwrap_or_else(|| PluginStatus {
            plugin_id: id.to_string(),
            plugin_path: self.layout.live(id).display().to_string(),
            state: PluginState::NotRunning,
            error: String::new(),
            name: manifest.name.clone(),
            description: manifest.description.clone(),
            version: manifest.version.clone(),
        });
        if let Some(error) = self.last_errors.read().unwrap().get(id)
            && status.error.is_empty()
        {
            status.error = error.clone();
        }
        status
    }

    /// `GET /api/v4/plugins/webapp` (no session): client manifests of running plugins
    /// that have a webapp part.
    pub async fn webapp_manifests(&self) -> Result<Vec<Value>, AdminError> {
        let mut out = Vec::new();
        for (_, manifest) in self.installed_plugins().await? {
            let running = self.host.status(&manifest.id).is_some_and(|s| s.state == PluginState::Running);
            if running && manifest.webapp.is_some() {
                out.push(client_manifest(&manifest, &self.layout.live(&manifest.id)));
            }
        }
        Ok(out)
    }

    /// The webapp bundle of a running plugin, if `file` is its public name.
    pub fn webapp_bundle(&self, id: &str, file: &str) -> Option<Vec<u8>> {
        let manifest = self.host.manifest(id)?;
        let live = self.layout.live(id);
        let path = live.join(&manifest.webapp.as_ref()?.bundle_path);
        let bytes = std::fs::read(&path).ok()?;
        (file == bundle_file_name(id, &bytes)).then_some(bytes)
    }

    /// A file under a running plugin's `public/`, refusing anything that resolves
    /// outside it.
    pub fn public_file(&self, id: &str, file: &str) -> Option<Vec<u8>> {
        self.host.manifest(id)?;
        let public = self.layout.live(id).join("public");
        let path = public.join(file);
        let (public, path) = (public.canonicalize().ok()?, path.canonicalize().ok()?);
        if !path.starts_with(&public) || !path.is_file() {
            return None;
        }
        std::fs::read(path).ok()
    }

    /// Settings of a plugin (admins): the saved values over the schema's defaults.
    pub async fn settings(&self, caller: &Caller, id: &str) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        let (_, manifest) = self.installed(id).await?;
        let saved = self.services.store().get_plugin_settings(id).await?.unwrap_or_default();
        Ok(manifest.settings_with_defaults(&saved))
    }

    /// Replace a plugin's settings after checking them against its schema, then tell
    /// every running instance (`configuration-changed`).
    pub async fn put_settings(&self, caller: &Caller, id: &str, values: serde_json::Map<String, Value>) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        let (_, manifest) = self.installed(id).await?;
        validate_settings(&manifest, &values).map_err(AdminError::BadRequest)?;
        self.services.store().put_plugin_settings(id, &values, now_ms()).await?;
        if self.host.status(id).is_some() {
            let _ = self.host.configuration_changed(id).await;
        }
        Ok(manifest.settings_with_defaults(&values))
    }

    /// `generated` settings get a random value the first time the plugin is enabled.
    async fn fill_generated_settings(&self, id: &str, manifest: &Manifest) -> Result<(), AdminError> {
        let Some(schema) = &manifest.settings_schema else { return Ok(()) };
        let mut saved = self.services.store().get_plugin_settings(id).await?.unwrap_or_default();
        let mut changed = false;
        for setting in schema.settings.iter().filter(|s| s.kind == "generated") {
            if saved.get(&setting.key).and_then(Value::as_str).is_none_or(str::is_empty) {
                saved.insert(setting.key.clone(), Value::String(crate::ids::new_id()));
                changed = true;
            }
        }
        if changed {
            self.services.store().put_plugin_settings(id, &saved, now_ms()).await?;
        }
        Ok(())
    }

    /// Requested, granted and pending permissions, and a staged upgrade's version.
    pub async fn permissions(&self, caller: &Caller, id: &str) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        let (row, manifest) = self.installed(id).await?;
        let staged = Manifest::load(&self.layout.staged(id), &self.options.server_version).ok();
        let target = staged.as_ref().unwrap_or(&manifest);
        Ok(json!({
            "plugin_id": id,
            "requested": target.permissions,
            "granted": if row.record.grant_all_requested { manifest.permissions.clone() } else { row.record.granted.clone() },
            "pending": pending_permissions(&row.record, target),
            "staged_version": staged.map(|m| m.version),
        }))
    }

    /// Approve the permissions a plugin (or its staged upgrade) requests; a staged
    /// upgrade then replaces the running version.
    pub async fn approve_permissions(&self, caller: &Caller, id: &str) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        {
            let lock = self.lock_for(id);
            let _guard = lock.lock().await;
            let (row, manifest) = self.installed(id).await?;
            let staged_dir = self.layout.staged(id);
            let staged = Manifest::load(&staged_dir, &self.options.server_version).ok();
            let target = staged.as_ref().unwrap_or(&manifest);
            let mut granted: BTreeSet<String> = row.record.granted.iter().cloned().collect();
            granted.extend(target.permissions.iter().cloned());
            let record = PluginRecord { granted: granted.into_iter().collect(), update_at: now_ms(), ..row.record.clone() };
            self.services.store().upsert_plugin(&record).await?;
            if let Some(staged) = staged {
                let token = installer::read_token(&staged_dir).unwrap_or_else(crate::ids::new_id);
                let existing = InstalledPlugin { record, ..row };
                let source = match existing.source.as_str() {
                    "url" => Source::Url,
                    "marketplace" => Source::Marketplace,
                    "local" => Source::Local,
                    _ => Source::Upload,
                };
                let result = self.place(id, &staged_dir, &token, &staged, Some(existing), source, None).await;
                installer::remove_path(&staged_dir);
                result?;
            } else if record.enabled && self.host.status(id).is_some() {
                // Running with the old grant: reload so the new one applies.
                self.host
                    .load(&self.layout.live(id), load_options(&record))
                    .await
                    .map_err(|e| AdminError::Activation { plugin_id: id.into(), reason: e.to_string() })?;
            }
        }
        self.permissions(caller, id).await
    }

    /// Send an event to every connected system admin.
    pub async fn publish_to_admins(&self, event: &str, data: Value) {
        let admins: HashSet<String> = match self.services.store().system_admin_ids().await {
            Ok(ids) => ids.into_iter().collect(),
            Err(e) => {
                tracing::error!(event, error = %e, "cannot find the admins to notify");
                return;
            }
        };
        self.services.hub().send(Event { event: event.to_string(), data, broadcast: BroadcastInfo::default() }, &Recipients::Users(admins));
    }

    /// `plugin_statuses_changed` with every status, to admins.
    pub async fn publish_statuses(&self) {
        match self.all_statuses().await {
            Ok(statuses) => {
                let statuses: Vec<Value> = statuses.iter().map(status_json).collect();
                self.publish_to_admins("plugin_statuses_changed", json!({ "plugin_statuses": statuses })).await;
            }
            Err(e) => tracing::error!(error = %e, "cannot list plugin statuses"),
        }
    }

    /// Load a plugin from its directory again after its files changed there (the
    /// development watcher): the same hot swap as an upload, the old version serving
    /// until the new one is active.
    pub async fn reload_dir(&self, dir: &Path) -> Result<(), AdminError> {
        let manifest = Manifest::load(dir, &self.options.server_version).map_err(|e| AdminError::Invalid(e.to_string()))?;
        let id = manifest.id.as_str();
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        let Some(row) = self.services.store().get_installed_plugin(id).await? else { return Ok(()) };
        if !row.record.enabled {
            return Ok(());
        }
        match self.host.load(dir, load_options(&row.record)).await {
            Ok(_) => {
                self.last_errors.write().unwrap().remove(id);
            }
            Err(e) => {
                self.last_errors.write().unwrap().insert(id.to_string(), format!("reload failed: {e}"));
            }
        }
        self.publish_statuses().await;
        Ok(())
    }
}

/// Whether `id` may name a directory under the plugin directory: Mattermost's id rule
/// and not hidden, so no request can reach `.install/` or climb out with `..`.
fn is_manageable_id(id: &str) -> bool {
    confab_host::manifest::is_valid_plugin_id(id) && !id.starts_with('.')
}

/// A status as Mattermost's JSON (with `cluster_id`).
pub fn status_json(status: &PluginStatus) -> Value {
    let mut value = serde_json::to_value(status).expect("statuses serialize");
    value["cluster_id"] = json!("");
    value
}

/// What an installed plugin asks for beyond its grant.
fn pending_permissions(record: &PluginRecord, manifest: &Manifest) -> Vec<String> {
    if record.grant_all_requested {
        return Vec::new();
    }
    manifest.permissions.iter().filter(|p| !record.granted.contains(p)).cloned().collect()
}

fn load_options(record: &PluginRecord) -> LoadOptions {
    let granted: Vec<Capability> = record.granted.iter().filter_map(|c| Capability::from_str(c).ok()).collect();
    LoadOptions { granted, grant_all_requested: record.grant_all_requested, ..LoadOptions::default() }
}

/// The name clients load a webapp bundle under, changing with its content so caches
/// never serve an old one (Mattermost's `<id>_<hash>_bundle.js`).
fn bundle_file_name(id: &str, bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash = hex::encode(&sha2::Sha256::digest(bytes)[..8]);
    format!("{id}_{hash}_bundle.js")
}

/// Mattermost's client manifest: id, version, webapp bundle path rewritten to where
/// clients fetch it, props; no settings schema.
pub fn client_manifest(manifest: &Manifest, dir: &Path) -> Value {
    let webapp = manifest
        .webapp
        .as_ref()
        .and_then(|w| std::fs::read(dir.join(&w.bundle_path)).ok())
        .map(|bytes| json!({ "bundle_path": format!("/static/plugins/{}/{}", manifest.id, bundle_file_name(&manifest.id, &bytes)) }));
    let mut value = json!({ "id": manifest.id, "version": manifest.version, "name": "", "description": "", "props": manifest.props });
    if let Some(webapp) = webapp {
        value["webapp"] = webapp;
    }
    value
}

/// Check settings values against the manifest's schema: known keys, the right JSON
/// type per setting type, radio and dropdown values among the options.
pub fn validate_settings(manifest: &Manifest, values: &serde_json::Map<String, Value>) -> Result<(), String> {
    let settings = manifest.settings_schema.as_ref().map(|s| s.settings.as_slice()).unwrap_or_default();
    for (key, value) in values {
        let Some(setting) = settings.iter().find(|s| s.key.eq_ignore_ascii_case(key)) else {
            return Err(format!("`{key}` is not a setting of plugin {}", manifest.id));
        };
        let ok = match setting.kind.as_str() {
            "bool" => value.is_boolean(),
            "number" => value.is_number(),
            "radio" | "dropdown" => value.as_str().is_some_and(|v| setting.options.iter().any(|o| o.value == v)),
            // text, longtext, username, generated; `custom` settings belong to the webapp and take any JSON.
            "custom" => true,
            _ => value.is_string(),
        };
        if !ok && !value.is_null() {
            let expected = match setting.kind.as_str() {
                "bool" => "true or false".to_string(),
                "number" => "a number".to_string(),
                "radio" | "dropdown" => format!("one of {:?}", setting.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>()),
                _ => "a string".to_string(),
            };
            return Err(format!("setting `{key}` ({}) must be {expected}", setting.kind));
        }
    }
    Ok(())
}

impl Services {
    /// Drop every slash command a plugin registered (it was disabled or removed).
    pub fn unregister_plugin_commands(&self, plugin_id: &str) {
        self.plugin_commands().unregister_plugin(plugin_id);
    }

    /// The triggers a plugin has registered.
    pub fn plugin_command_triggers(&self, plugin_id: &str) -> Vec<String> {
        self.plugin_commands().triggers_of(plugin_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest::parse(
            r#"{"id":"com.example.s","name":"s","version":"1.0.0","server":{"wasm":"server.wasm"},"permissions":["kv","posts:write"],
               "settings_schema":{"settings":[{"key":"on","type":"bool"},{"key":"n","type":"number"},{"key":"t","type":"text"},
               {"key":"pick","type":"dropdown","options":[{"display_name":"A","value":"a"}]}]}}"#,
            &semver::Version::new(99, 0, 0),
        )
        .unwrap()
    }

    #[test]
    fn settings_are_checked_against_the_schema() {
        let m = manifest();
        let ok = json!({"on": true, "n": 3, "t": "x", "pick": "a"});
        validate_settings(&m, ok.as_object().unwrap()).unwrap();
        for bad in [json!({"on": "yes"}), json!({"n": "3"}), json!({"t": 1}), json!({"pick": "b"}), json!({"nope": 1})] {
            assert!(validate_settings(&m, bad.as_object().unwrap()).is_err(), "{bad}");
        }
    }

    /// Disable and remove drop the plugin's slash commands (re-registered on enable);
    /// remove drops its KV data too. Uses the built `hello` example.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn disable_and_remove_drop_commands_and_data() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let wasm = root.join("target/plugins/wasm32-wasip2/release/hello.wasm");
        assert!(wasm.is_file(), "{} is missing: run `cargo xtask plugins`", wasm.display());
        let tmp = tempfile::tempdir().unwrap();
        let store = crate::store::Store::connect(&crate::testing::sqlite_url(tmp.path())).await.unwrap();
        let plugins = tmp.path().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        let host_config = confab_host::HostConfig { cache_dir: tmp.path().join("cache"), server_version: crate::cli::server_version(), ..Default::default() };
        let mut made = None;
        let services = Services::builder(store, Arc::new(crate::hub::Hub::default()), super::super::Settings::default())
            .build_with_host(|weak| {
                let bridge = Arc::new(PluginBridge::new(weak, plugins.clone()));
                made = Some(bridge.clone());
                PluginHost::new(host_config, bridge)
            })
            .unwrap();
        let (bridge, host) = (made.unwrap(), services.host().unwrap().clone());
        let options = AdminOptions {
            uploads_enabled: true,
            max_bundle_bytes: 1 << 24,
            limits: BundleLimits::default(),
            require_signature: false,
            keys: TrustedKeys::default(),
            server_version: crate::cli::server_version(),
            marketplace_enabled: false,
            marketplace_url: None,
        };
        let admin = PluginAdmin::new(services.clone(), host.clone(), bridge, plugins.clone(), options);
        let src = tmp.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::copy(root.join("example-plugins/hello/plugin.json"), src.join("plugin.json")).unwrap();
        std::fs::copy(&wasm, src.join("server.wasm")).unwrap();
        let bundle = crate::bundle::pack_dir(&src, "hello").unwrap();
        let caller = Caller::plugin("test-admin");
        let id = "com.confab.hello";

        admin.install_upload(&caller, &bundle, None, false, Source::Upload).await.unwrap();
        admin.approve_permissions(&caller, id).await.unwrap();
        admin.enable(&caller, id).await.unwrap();
        assert_eq!(services.plugin_commands().owner("", "hello").as_deref(), Some(id), "activate registered /hello");
        services.store().kv_write(id, "k", &crate::store::KvWrite { value: Some(b"v"), atomic: false, old_value: None, expire_at: 0 }, now_ms()).await.unwrap();

        admin.disable(&caller, id).await.unwrap();
        assert_eq!(services.plugin_commands().owner("", "hello"), None, "disable unregisters");
        admin.enable(&caller, id).await.unwrap();
        assert_eq!(services.plugin_commands().owner("", "hello").as_deref(), Some(id), "enable registers again");

        admin.remove(&caller, id).await.unwrap();
        assert_eq!(services.plugin_commands().owner("", "hello"), None, "remove unregisters");
        assert!(services.plugin_command_triggers(id).is_empty());
        assert_eq!(services.store().kv_get(id, "k", now_ms()).await.unwrap(), None, "KV gone");
        assert!(services.store().get_installed_plugin(id).await.unwrap().is_none(), "row gone");
        assert!(!plugins.join(id).exists(), "files gone");
        host.shutdown().await;
    }

    #[test]
    fn hidden_and_climbing_ids_are_never_managed() {
        for bad in ["..", ".", "...", ".install", "a/b", "", "ab"] {
            assert!(!is_manageable_id(bad), "{bad}");
        }
        assert!(is_manageable_id("com.example.p"));
    }

    #[test]
    fn pending_is_what_the_grant_lacks() {
        let m = manifest();
        let record =
            PluginRecord { plugin_id: m.id.clone(), enabled: true, granted: vec!["kv".into()], grant_all_requested: false, installed_at: 0, update_at: 0 };
        assert_eq!(pending_permissions(&record, &m), vec!["posts:write".to_string()]);
        assert!(pending_permissions(&PluginRecord { grant_all_requested: true, ..record }, &m).is_empty());
    }
}
