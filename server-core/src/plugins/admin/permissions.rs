//! Permission approval: what a plugin (or its staged upgrade) requests beyond its grant, and granting it, which lets a staged upgrade replace the running version.

use std::collections::BTreeSet;

use confab_host::Manifest;
use serde_json::{Value, json};

use super::{AdminError, PluginAdmin, Source, load_options};
use crate::plugins::installer::{self, blocking};
use crate::service::{Caller, now_ms};
use crate::store::{InstalledPlugin, PluginRecord};

impl PluginAdmin {
    /// Requested, granted and pending permissions, a staged upgrade's version, and
    /// whether the bundle has web code (`has_webapp`): that runs in every user's browser
    /// with their session, beyond any capability, so the approval prompt says so.
    pub async fn permissions(&self, caller: &Caller, id: &str) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        let (row, manifest) = self.installed(id).await?;
        self.fetch_staged(id).await?;
        let staged = self.manifest_at(&self.layout.staged(id)).await.ok();
        let target = staged.as_ref().unwrap_or(&manifest);
        Ok(json!({
            "plugin_id": id,
            "requested": target.permissions,
            "granted": if row.record.grant_all_requested { manifest.permissions.clone() } else { row.record.granted.clone() },
            "pending": pending_permissions(&row.record, target),
            "has_webapp": target.webapp.is_some(),
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
            self.fetch_staged(id).await?;
            let staged_dir = self.layout.staged(id);
            let staged = self.manifest_at(&staged_dir).await.ok();
            let target = staged.as_ref().unwrap_or(&manifest);
            let mut granted: BTreeSet<String> = row.record.granted.iter().cloned().collect();
            granted.extend(target.permissions.iter().cloned());
            let record = PluginRecord { granted: granted.into_iter().collect(), update_at: now_ms(), ..row.record.clone() };
            self.services.store().upsert_plugin(&record).await?;
            if let Some(staged) = staged {
                let dir = staged_dir.clone();
                let token = blocking(move || installer::read_token(&dir)).await.unwrap_or_else(crate::ids::new_id);
                let existing = InstalledPlugin { record, ..row };
                let source = match existing.source.as_str() {
                    "url" => Source::Url,
                    "marketplace" => Source::Marketplace,
                    "local" => Source::Local,
                    _ => Source::Upload,
                };
                let result = self.place(id, &staged_dir, &token, &staged, Some(existing), source, None, None).await;
                blocking(move || installer::remove_path(&staged_dir)).await;
                if result? {
                    self.activated(id).await;
                }
            } else if record.enabled && self.host.status(id).is_some() {
                // Running with the old grant: reload so the new one applies.
                self.host.load(&self.layout.live(id), load_options(&record)).await.map_err(|e| AdminError::activation(id, e))?;
            }
            self.changed(id).await;
        }
        self.permissions(caller, id).await
    }
}

/// What an installed plugin asks for beyond its grant.
pub(super) fn pending_permissions(record: &PluginRecord, manifest: &Manifest) -> Vec<String> {
    if record.grant_all_requested {
        return Vec::new();
    }
    manifest.permissions.iter().filter(|p| !record.granted.contains(p)).cloned().collect()
}
