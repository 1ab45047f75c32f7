//! Installing a bundle (upload, URL, marketplace): size and signature checks, unpacking beside the plugin directory, compiling, then placing it with a hot swap or staging it until new permissions are approved.

use std::path::{Path, PathBuf};

use confab_host::{LoadOptions, Manifest};

use super::permissions::pending_permissions;
use super::{AdminError, Installed, PluginAdmin, Source, io, is_manageable_id, load_options};
use crate::plugins::bundle;
use crate::plugins::installer::{self, blocking, crash_point};
use crate::plugins::placement::Placement;
use crate::service::{Caller, now_ms};
use crate::store::{InstalledPlugin, PluginRecord, StoredBundle};

impl PluginAdmin {
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
            return Err(AdminError::uploads_disabled());
        }
        self.install_bundle(caller, bytes, signature, force, source).await
    }

    /// Install a bundle from any source: size and signature checks, unpack beside the
    /// plugin directory, validate and compile, then place it (or stage it when it
    /// asks for permissions the running version was not granted). `caller` is the
    /// admin installing it, whom the plugin's `on-install` names.
    pub async fn install_bundle(&self, caller: &Caller, bytes: &[u8], signature: Option<&str>, force: bool, source: Source) -> Result<Installed, AdminError> {
        let started = std::time::Instant::now();
        if bytes.len() > self.options.max_bundle_bytes {
            return Err(AdminError::TooLarge { limit: self.options.max_bundle_bytes });
        }
        self.check_signature(bytes, signature)?;
        let layout = self.layout.clone();
        let (token, unpack_dir) = blocking(move || layout.new_unpack_dir()).await.map_err(io("cannot create the unpack directory"))?;
        let result = match self.unpack_and_check(bytes, &token, &unpack_dir).await {
            Ok((root, manifest, compiled_at)) => {
                let bundle = StoredBundle::new(&manifest.id, &token, &manifest.version, bytes, false, now_ms());
                self.install_checked(caller, &root, &token, manifest, bundle, force, source, compiled_at, started).await
            }
            Err(e) => Err(e),
        };
        // Whatever happened, the unpack directory is either renamed away or garbage.
        blocking(move || installer::remove_path(&unpack_dir)).await;
        result
    }

    /// Unpack into `unpack_dir`, read the manifest, compile the component and mark the
    /// files with the install `token`. Returns the plugin root, its manifest and when
    /// the compile ended.
    async fn unpack_and_check(&self, bytes: &[u8], token: &str, unpack_dir: &Path) -> Result<(PathBuf, Manifest, std::time::Instant), AdminError> {
        let (bytes, dir, limits) = (bytes.to_vec(), unpack_dir.to_path_buf(), self.options.limits);
        let root = blocking(move || bundle::extract(&bytes, &dir, limits)).await?;
        crash_point("unpacked");
        // The manifest alone first: with its id, a component that does not compile or
        // link is reported in the status of the version still serving.
        let manifest = self.manifest_at(&root).await.map_err(|e| AdminError::invalid_plugin(e.to_string()))?;
        if !is_manageable_id(&manifest.id) {
            return Err(AdminError::invalid_plugin(format!("plugin id `{}` may not start with '.'", manifest.id)));
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
            return Err(AdminError::invalid_plugin(e.to_string()));
        }
        tokio::fs::write(root.join(installer::TOKEN_FILE), token).await.map_err(io("cannot write the install token"))?;
        Ok((root, manifest, compiled_at))
    }

    /// Place (or stage) a checked plugin, under its id's lock.
    #[allow(clippy::too_many_arguments)]
    async fn install_checked(
        &self,
        caller: &Caller,
        root: &Path,
        token: &str,
        manifest: Manifest,
        bundle: StoredBundle,
        force: bool,
        source: Source,
        compiled_at: std::time::Instant,
        started: std::time::Instant,
    ) -> Result<Installed, AdminError> {
        let id = manifest.id.clone();
        let lock = self.lock_for(&id);
        let _guard = lock.lock().await;
        let existing = self.services.store().get_installed_plugin(&id).await?;
        let live = self.layout.live(&id);
        if (existing.is_some() || tokio::fs::try_exists(&live).await.unwrap_or(false)) && !force {
            return Err(AdminError::already_installed(&id));
        }
        // A plugin found in the directory was granted whatever it asked for; a bundle
        // replacing it gets exactly that grant, so anything more waits for approval.
        let existing = match existing {
            Some(mut e) if e.record.grant_all_requested => {
                e.record.granted = self.manifest_at(&live).await.map(|m| m.permissions).unwrap_or_default();
                e.record.grant_all_requested = false;
                Some(e)
            }
            other => other,
        };
        // An upgrade asking for more than the running version was granted waits.
        if let Some(existing) = &existing
            && existing.record.enabled
        {
            let pending = pending_permissions(&existing.record, &manifest);
            if !pending.is_empty() {
                self.stage(root, &manifest, &pending, &bundle).await?;
                self.installed_by(&id, caller, false).await;
                return Ok(Installed { manifest, serving: false, pending, elapsed_ms: started.elapsed().as_millis() as u64 });
            }
        }
        let serving = self.place(&id, root, token, &manifest, existing, source, Some(compiled_at), Some(bundle)).await?;
        self.installed_by(&id, caller, serving).await;
        Ok(Installed { manifest, serving, pending: Vec::new(), elapsed_ms: started.elapsed().as_millis() as u64 })
    }

    /// Keep an upgrade aside until an admin approves the permissions it adds; the
    /// running version keeps serving. The bundle is kept in the database too, so the
    /// approval can come through any node.
    async fn stage(&self, root: &Path, manifest: &Manifest, pending: &[String], bundle: &StoredBundle) -> Result<(), AdminError> {
        let id = &manifest.id;
        self.services.store().put_staged_bundle(bundle).await?;
        let (root, staged) = (root.to_path_buf(), self.layout.staged(id));
        blocking(move || {
            installer::remove_path(&staged);
            std::fs::rename(&root, &staged)
        })
        .await
        .map_err(io("cannot stage the upgrade"))?;
        tracing::info!(plugin_id = %id, version = %manifest.version, ?pending, "upgrade staged until its new permissions are approved");
        self.last_errors.write().unwrap().insert(id.clone(), format!("version {} waits for approval of: {}", manifest.version, pending.join(", ")));
        self.publish_statuses().await;
        Ok(())
    }

    /// Move `root` into place as plugin `id`, load it if enabled (hot swap), commit.
    /// Caller holds the id's lock. Returns whether it serves. `compiled_at`: when the
    /// install's `prepare` finished compiling, for the load's timings. `bundle`: the
    /// bytes installed, stored with the commit (`None`: a staged bundle already stored
    /// under `token`).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn place(
        &self,
        id: &str,
        root: &Path,
        token: &str,
        manifest: &Manifest,
        existing: Option<InstalledPlugin>,
        source: Source,
        compiled_at: Option<std::time::Instant>,
        bundle: Option<StoredBundle>,
    ) -> Result<bool, AdminError> {
        let placement = Placement::begin(&self.layout, id, token, root).await?;
        let (live, had_old) = (placement.live().to_path_buf(), placement.had_old());
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
                placement.roll_back().await;
                let reason = e.to_string();
                self.last_errors.write().unwrap().insert(id.to_string(), format!("version {} was not installed: {reason}", manifest.version));
                self.publish_statuses().await;
                return Err(AdminError::activation(id, reason));
            }
        }
        crash_point("loaded");
        let installed = InstalledPlugin { record, version: manifest.version.clone(), source: source.as_str().to_string(), install_token: token.to_string() };
        if let Err(e) = placement.commit_with(self.services.store().commit_plugin_install(&installed, bundle.as_ref())).await {
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
        self.last_errors.write().unwrap().remove(id);
        tracing::info!(plugin_id = %id, version = %manifest.version, source = source.as_str(), serving, "plugin installed");
        self.changed(id).await;
        if serving {
            self.publish_webapp_change("plugin_enabled", manifest, &live).await;
        }
        self.publish_statuses().await;
        Ok(serving)
    }
}
