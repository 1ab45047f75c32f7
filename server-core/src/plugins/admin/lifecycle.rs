//! Enabling, disabling, removing and (for the development watcher) reloading an installed plugin.

use std::path::Path;

use confab_host::PluginStatus;

use super::permissions::pending_permissions;
use super::{AdminError, PluginAdmin, io, is_manageable_id, load_options};
use crate::plugins::installer::{self, Journal, blocking, crash_point};
use crate::service::{Caller, now_ms};
use crate::store::PluginRecord;

impl PluginAdmin {
    /// `POST /api/v4/plugins/{id}/enable`.
    pub async fn enable(&self, caller: &Caller, id: &str) -> Result<PluginStatus, AdminError> {
        Self::require_admin(caller)?;
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        let (installed, manifest) = self.installed(id).await?;
        let pending = pending_permissions(&installed.record, &manifest);
        if !pending.is_empty() {
            return Err(AdminError::needs_approval(id, &pending));
        }
        let record = PluginRecord { enabled: true, update_at: now_ms(), ..installed.record.clone() };
        self.services.store().upsert_plugin(&record).await?;
        self.fill_generated_settings(id, &manifest).await?;
        let live = self.layout.live(id);
        self.bridge.register_plugin_dir(id, &live);
        // Mattermost answers enable before activation finishes; a failure shows in the
        // status (state 3 with the reason), not as an error of this request.
        match self.host.load(&live, load_options(&record)).await {
            Ok(_) => {
                self.publish_webapp_change("plugin_enabled", &manifest, &live).await;
                self.activated(id).await;
            }
            Err(e) => tracing::warn!(plugin_id = id, error = %e, "enabled plugin failed to start"),
        }
        self.changed(id).await;
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
        let was_running = self.host.unload(id).await;
        self.services.plugin_commands().unregister_plugin(id);
        if was_running {
            self.publish_webapp_change("plugin_disabled", &manifest, &self.layout.live(id)).await;
        }
        self.changed(id).await;
        self.publish_statuses().await;
        Ok(())
    }

    /// `DELETE /api/v4/plugins/{id}`: stop it, then delete its files, state, settings,
    /// KV data and commands (journaled, so a crash finishes the removal at start-up).
    pub async fn remove(&self, caller: &Caller, id: &str) -> Result<(), AdminError> {
        Self::require_admin(caller)?;
        if !is_manageable_id(id) {
            return Err(AdminError::not_installed(id));
        }
        let lock = self.lock_for(id);
        let _guard = lock.lock().await;
        let live = self.layout.live(id);
        let row = self.services.store().get_installed_plugin(id).await?;
        if row.is_none() && !tokio::fs::try_exists(&live).await.unwrap_or(false) {
            return Err(AdminError::not_installed(id));
        }
        let was_running = self.host.unload(id).await;
        self.services.plugin_commands().unregister_plugin(id);
        let token = crate::ids::new_id();
        let moved = self.layout.work().join(format!("{token}.removed"));
        let journal = Journal::Remove { plugin_id: id.to_string(), moved: moved.clone() };
        let (layout, t) = (self.layout.clone(), token.clone());
        blocking(move || layout.write_journal(&t, &journal)).await.map_err(io("cannot write the removal journal"))?;
        let manifest = self.manifest_at(&live).await.ok();
        let (from, to) = (live.clone(), moved.clone());
        blocking(move || if from.exists() { std::fs::rename(&from, &to) } else { Ok(()) }).await.map_err(io("cannot move the plugin out"))?;
        crash_point("remove_moved");
        self.services.store().delete_plugin_data(id).await?;
        self.services.jobs().guard.lock().unwrap().forget(id);
        let (layout, staged) = (self.layout.clone(), self.layout.staged(id));
        blocking(move || {
            installer::remove_path(&moved);
            installer::remove_path(&staged);
            layout.clear_journal(&token);
        })
        .await;
        self.last_errors.write().unwrap().remove(id);
        tracing::info!(plugin_id = id, "plugin removed");
        self.changed(id).await;
        if was_running && let Some(manifest) = manifest {
            self.publish_webapp_change("plugin_disabled", &manifest, &live).await;
        }
        self.publish_statuses().await;
        Ok(())
    }

    /// Load a plugin from its directory again after its files changed there (the
    /// development watcher): the same hot swap as an upload, the old version serving
    /// until the new one is active.
    pub async fn reload_dir(&self, dir: &Path) -> Result<(), AdminError> {
        let manifest = self.manifest_at(dir).await.map_err(|e| AdminError::invalid_plugin(e.to_string()))?;
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
                // Clients swap in the new bundle (its name carries its hash).
                self.publish_webapp_change("plugin_enabled", &manifest, dir).await;
            }
            Err(e) => {
                self.last_errors.write().unwrap().insert(id.to_string(), format!("reload failed: {e}"));
            }
        }
        self.publish_statuses().await;
        Ok(())
    }
}
