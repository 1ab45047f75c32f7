//! Plugins across nodes: bring this node's plugin directory and runtime to what the database records (installed bundle, enabled, grants, settings), after another node changed a plugin and at start-up.
//!
//! The database is the record of every plugin installed through the API, with its
//! bundle ([`crate::store::StoredBundle`]); each node's plugin directory is a copy.
//! Reconciling one plugin, under its lock:
//!
//! - no row, but a directory carrying an install token: another node removed it, so
//!   it is unloaded and its files go (journaled like a removal here);
//! - a row whose install token differs from the directory's: the stored bundle is
//!   checked (hash), unpacked, compiled and placed with the same journal as an install,
//!   whose commit is already in the database, then loaded if enabled (a hot swap: the
//!   old version serves until the new one is active);
//! - enabled or disabled, grants or settings changed since this node last applied the
//!   row: load, unload, reload or `configuration-changed`.
//!
//! Plugins recorded without a token (found in a node's own plugin directory) are that
//! node's own and are left alone. What this node last applied is kept per plugin, so a
//! notification of a change this node made itself costs one read and nothing else.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use confab_host::PluginState;

use super::{AdminError, PluginAdmin, io, is_manageable_id, load_options};
use crate::plugins::bundle;
use crate::plugins::installer::{self, Journal, blocking};
use crate::plugins::placement::Placement;
use crate::store::{InstalledPlugin, PluginRecord, StoredBundle};

/// The state of one plugin this node last brought itself to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Applied {
    /// The install token of the files in place ('' for a node-local plugin).
    token: String,
    /// The row: enabled, grants, when it changed.
    record: Option<PluginRecord>,
    /// When the settings were saved (0: never).
    settings_at: i64,
}

/// What one reconciliation did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reconciled {
    /// Plugins whose bundle was installed from the database.
    pub installed: Vec<String>,
    /// Plugins whose files were removed because their row is gone.
    pub removed: Vec<String>,
    /// Plugins loaded, unloaded, reloaded or told of new settings.
    pub applied: Vec<String>,
    /// Plugins that could not be brought up to date, with why.
    pub failed: Vec<(String, String)>,
}

impl PluginAdmin {
    /// Reconcile every plugin with the database. `load`: also load, unload and reload
    /// (false at start-up, before [`PluginAdmin::load_installed`] loads everything).
    pub async fn reconcile(&self, load: bool) -> Result<Reconciled, AdminError> {
        let rows: HashMap<String, InstalledPlugin> =
            self.services.store().list_installed_plugins().await?.into_iter().map(|r| (r.record.plugin_id.clone(), r)).collect();
        let settings: HashMap<String, i64> = self.services.store().plugin_settings_times().await?.into_iter().collect();
        let mut ids: Vec<String> = rows.keys().cloned().collect();
        ids.extend(self.local_installed_ids().await);
        ids.sort();
        ids.dedup();
        let mut done = Reconciled::default();
        for id in ids {
            let settings_at = settings.get(&id).copied().unwrap_or(0);
            if let Err(e) = self.reconcile_one(&id, rows.get(&id), settings_at, load, &mut done).await {
                tracing::warn!(plugin_id = %id, error = %e, "could not bring the plugin up to date with the cluster");
                done.failed.push((id, e.to_string()));
            }
        }
        if done != Reconciled::default() {
            tracing::info!(?done, "plugins reconciled with the database");
            self.publish_statuses().await;
        }
        Ok(done)
    }

    /// Reconcile one plugin (after a notification naming it).
    pub async fn reconcile_plugin(&self, id: &str) -> Result<Reconciled, AdminError> {
        let mut done = Reconciled::default();
        if !is_manageable_id(id) {
            return Ok(done);
        }
        let row = self.services.store().get_installed_plugin(id).await?;
        let settings_at = self.services.store().plugin_settings_times().await?.into_iter().find(|(p, _)| p == id).map_or(0, |(_, at)| at);
        self.reconcile_one(id, row.as_ref(), settings_at, true, &mut done).await?;
        if done != Reconciled::default() {
            self.publish_statuses().await;
        }
        Ok(done)
    }

    /// Remember the database state of `id` as applied here (after this node changed
    /// it itself, or loaded it at start-up).
    pub(super) async fn mark_applied(&self, id: &str) {
        let store = self.services.store();
        let (row, settings) = match (store.get_installed_plugin(id).await, store.plugin_settings_times().await) {
            (Ok(row), Ok(settings)) => (row, settings),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(plugin_id = id, error = %e, "cannot read the plugin's state; the next reconciliation applies it again");
                self.applied.lock().unwrap().remove(id);
                return;
            }
        };
        let settings_at = settings.into_iter().find(|(p, _)| p == id).map_or(0, |(_, at)| at);
        let mut applied = self.applied.lock().unwrap();
        match row {
            Some(row) => applied.insert(id.to_string(), Applied { token: row.install_token, record: Some(row.record), settings_at }),
            None => applied.remove(id),
        };
    }

    /// Ids of the directories under the plugin directory that an install put there.
    async fn local_installed_ids(&self) -> Vec<String> {
        let root = self.layout.root.clone();
        blocking(move || {
            let Ok(entries) = std::fs::read_dir(&root) else { return Vec::new() };
            entries
                .filter_map(Result::ok)
                .filter(|e| installer::read_token(&e.path()).is_some())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|id| is_manageable_id(id))
                .collect()
        })
        .await
    }

    async fn reconcile_one(&self, id: &str, row: Option<&InstalledPlugin>, settings_at: i64, load: bool, done: &mut Reconciled) -> Result<(), AdminError> {
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        let live = self.layout.live(id);
        let dir = live.clone();
        let local_token = blocking(move || installer::read_token(&dir)).await;
        let Some(row) = row else {
            if local_token.is_some() {
                self.remove_local(id).await?;
                self.applied.lock().unwrap().remove(id);
                done.removed.push(id.to_string());
            }
            return Ok(());
        };
        let wanted = Applied { token: row.install_token.clone(), record: Some(row.record.clone()), settings_at };
        let last = self.applied.lock().unwrap().get(id).cloned();
        if row.install_token.is_empty() || (last.as_ref() == Some(&wanted) && local_token.as_deref() == Some(row.install_token.as_str())) {
            return Ok(());
        }
        if local_token.as_deref() != Some(row.install_token.as_str()) {
            self.install_stored(row, load).await?;
            done.installed.push(id.to_string());
        } else if load {
            self.apply_state(row, last.as_ref(), settings_at).await;
            done.applied.push(id.to_string());
        }
        if load {
            self.applied.lock().unwrap().insert(id.to_string(), wanted);
        }
        Ok(())
    }

    /// Load, unload, reload or tell of new settings, as the row says.
    async fn apply_state(&self, row: &InstalledPlugin, last: Option<&Applied>, settings_at: i64) {
        let id = row.record.plugin_id.as_str();
        let live = self.layout.live(id);
        let running = self.host.status(id).is_some_and(|s| s.state == PluginState::Running);
        let record_changed = last.is_none_or(|l| l.record.as_ref() != Some(&row.record));
        if row.record.enabled && (record_changed || !running) {
            self.bridge.register_plugin_dir(id, &live);
            match self.host.load(&live, load_options(&row.record)).await {
                Ok(_) => {
                    if let Ok(manifest) = self.manifest_at(&live).await {
                        self.publish_webapp_change("plugin_enabled", &manifest, &live).await;
                    }
                }
                Err(e) => tracing::warn!(plugin_id = id, error = %e, "plugin enabled on another node failed to start here"),
            }
        } else if !row.record.enabled && self.host.status(id).is_some() {
            let was_running = self.host.unload(id).await;
            self.services.plugin_commands().unregister_plugin(id);
            if was_running && let Ok(manifest) = self.manifest_at(&live).await {
                self.publish_webapp_change("plugin_disabled", &manifest, &live).await;
            }
        } else if running && last.is_none_or(|l| l.settings_at != settings_at) {
            let _ = self.host.configuration_changed(id).await;
        }
    }

    /// Install the bundle the database records for `row` in this node's directory,
    /// loading it when enabled and `load`. The commit is the one already in the
    /// database, so recovery after a crash here keeps the files (same token).
    async fn install_stored(&self, row: &InstalledPlugin, load: bool) -> Result<(), AdminError> {
        let id = row.record.plugin_id.as_str();
        let stored = self.services.store().get_bundle(id, &row.install_token).await?;
        let Some(stored) = stored else {
            return Err(AdminError::invalid_plugin(format!("no bundle stored for install {} of {id}", row.install_token)));
        };
        let (unpack_dir, root) = self.unpack_stored(&stored).await?;
        let result = self.place_stored(row, &stored.install_token, &root, load).await;
        blocking(move || installer::remove_path(&unpack_dir)).await;
        result
    }

    /// Unpack a stored bundle into a fresh directory under `.install/`, compile it and
    /// mark it with the bundle's install token. Returns the unpack directory (the
    /// caller removes it) and the plugin root inside it.
    async fn unpack_stored(&self, stored: &StoredBundle) -> Result<(PathBuf, PathBuf), AdminError> {
        if !stored.intact() {
            return Err(AdminError::invalid_plugin(format!("the stored bundle of {} does not match its hash", stored.plugin_id)));
        }
        let layout = self.layout.clone();
        let (_, unpack_dir) = blocking(move || layout.new_unpack_dir()).await.map_err(io("cannot create the unpack directory"))?;
        let (bytes, dir, limits) = (stored.bytes.clone(), unpack_dir.clone(), self.options.limits);
        let unpacked = blocking(move || bundle::extract(&bytes, &dir, limits)).await;
        let checked = match unpacked {
            Ok(root) => match self.host.prepare(&root).await {
                Ok(_) => {
                    tokio::fs::write(root.join(installer::TOKEN_FILE), &stored.install_token).await.map_err(io("cannot write the install token")).map(|_| root)
                }
                Err(e) => Err(AdminError::invalid_plugin(e.to_string())),
            },
            Err(e) => Err(e.into()),
        };
        match checked {
            Ok(root) => Ok((unpack_dir, root)),
            Err(e) => {
                blocking(move || installer::remove_path(&unpack_dir)).await;
                Err(e)
            }
        }
    }

    /// Place an unpacked stored bundle as the live plugin, load it when enabled and
    /// `load`, and finish the placement (its commit is the database row).
    async fn place_stored(&self, row: &InstalledPlugin, token: &str, root: &Path, load: bool) -> Result<(), AdminError> {
        let id = row.record.plugin_id.as_str();
        let placement = Placement::begin(&self.layout, id, token, root).await?;
        let live = placement.live().to_path_buf();
        if load && row.record.enabled {
            self.bridge.register_plugin_dir(id, &live);
            if let Err(e) = self.host.load(&live, load_options(&row.record)).await {
                // The database says this version is installed; it stays, failed, as on
                // the node that installed it would show.
                tracing::warn!(plugin_id = id, error = %e, "plugin installed on another node failed to start here");
            }
        } else if !row.record.enabled && self.host.status(id).is_some() {
            self.host.unload(id).await;
            self.services.plugin_commands().unregister_plugin(id);
        }
        placement.commit_with(std::future::ready(Ok::<(), AdminError>(()))).await?;
        tracing::info!(plugin_id = id, version = %row.version, "plugin installed from the database");
        if load
            && row.record.enabled
            && let Ok(manifest) = self.manifest_at(&live).await
        {
            self.publish_webapp_change("plugin_enabled", &manifest, &live).await;
        }
        Ok(())
    }

    /// Unload `id` and delete its files here (its row is already gone), journaled so a
    /// crash finishes the removal at start-up.
    async fn remove_local(&self, id: &str) -> Result<(), AdminError> {
        let live = self.layout.live(id);
        let manifest = self.manifest_at(&live).await.ok();
        let was_running = self.host.unload(id).await;
        self.services.plugin_commands().unregister_plugin(id);
        let token = crate::ids::new_id();
        let moved = self.layout.work().join(format!("{token}.removed"));
        let journal = Journal::Remove { plugin_id: id.to_string(), moved: moved.clone() };
        let (layout, staged) = (self.layout.clone(), self.layout.staged(id));
        blocking(move || -> std::io::Result<()> {
            layout.write_journal(&token, &journal)?;
            if live.exists() {
                std::fs::rename(&live, &moved)?;
            }
            installer::remove_path(&moved);
            installer::remove_path(&staged);
            layout.clear_journal(&token);
            Ok(())
        })
        .await
        .map_err(io("cannot remove the plugin's files"))?;
        self.last_errors.write().unwrap().remove(id);
        tracing::info!(plugin_id = id, "plugin removed on another node; files removed here");
        if was_running && let Some(manifest) = manifest {
            self.publish_webapp_change("plugin_disabled", &manifest, &self.layout.live(id)).await;
        }
        Ok(())
    }

    /// Make the upgrade of `id` staged in the database (by another node) available in
    /// this node's `.install/staged-<id>/`, so its permissions can be shown and approved
    /// here. Nothing happens when it is already here or none is staged.
    pub(super) async fn fetch_staged(&self, id: &str) -> Result<(), AdminError> {
        let staged = self.layout.staged(id);
        let dir = staged.clone();
        let local = blocking(move || installer::read_token(&dir)).await;
        let Some(stored) = self.services.store().get_staged_bundle(id).await? else {
            // Approved through another node: the copy fetched here earlier is installed now.
            let installed = self.services.store().get_installed_plugin(id).await?.map(|r| r.install_token);
            if local.is_some() && local == installed {
                blocking(move || installer::remove_path(&staged)).await;
            }
            return Ok(());
        };
        if local.as_deref() == Some(stored.install_token.as_str()) {
            return Ok(());
        }
        let (unpack_dir, root) = self.unpack_stored(&stored).await?;
        blocking(move || {
            installer::remove_path(&staged);
            let moved = std::fs::rename(&root, &staged);
            installer::remove_path(&unpack_dir);
            moved
        })
        .await
        .map_err(io("cannot stage the upgrade"))
    }
}
