//! What is installed and how it runs: the plugin list, statuses (pushed to admins as `plugin_statuses_changed`), client manifests, and the files plugins serve (webapp bundles, `public/`).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use confab_host::{Manifest, PluginState, PluginStatus};
use serde_json::{Value, json};

use super::{AdminError, PluginAdmin};
use crate::hub::{BroadcastInfo, Event, Recipients};
use crate::plugins::installer::blocking;
use crate::service::Caller;
use crate::store::InstalledPlugin;

impl PluginAdmin {
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

    /// `GET /api/v4/plugins/statuses`: Mattermost's JSON, one entry per plugin per
    /// node in a cluster.
    pub async fn statuses(&self, caller: &Caller) -> Result<Vec<Value>, AdminError> {
        Self::require_admin(caller)?;
        self.status_values().await
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

    pub(super) fn status_of(&self, id: &str, _row: &InstalledPlugin, manifest: &Manifest) -> PluginStatus {
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
                out.push(client_manifest(&manifest, &self.layout.live(&manifest.id)).await);
            }
        }
        Ok(out)
    }

    /// The webapp bundle of a running plugin, if `file` is its public name.
    pub async fn webapp_bundle(&self, id: &str, file: &str) -> Option<Vec<u8>> {
        let manifest = self.host.manifest(id)?;
        let live = self.layout.live(id);
        let path = live.join(&manifest.webapp.as_ref()?.bundle_path);
        let bytes = tokio::fs::read(&path).await.ok()?;
        (file == bundle_file_name(id, &bytes)).then_some(bytes)
    }

    /// A file under a running plugin's `public/`, refusing anything that resolves
    /// outside it.
    pub async fn public_file(&self, id: &str, file: &str) -> Option<Vec<u8>> {
        self.host.manifest(id)?;
        let public = self.layout.live(id).join("public");
        let path = public.join(file);
        blocking(move || {
            let (public, path) = (public.canonicalize().ok()?, path.canonicalize().ok()?);
            if !path.starts_with(&public) || !path.is_file() {
                return None;
            }
            std::fs::read(path).ok()
        })
        .await
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

    /// `plugin_enabled` / `plugin_disabled` with the client manifest, to every connected
    /// user as Mattermost sends them: web clients load or drop the plugin's bundle live.
    /// Only plugins with a webapp part are announced (Mattermost's `HasClient`); for the
    /// others nothing changes in a client, and admins follow `plugin_statuses_changed`.
    pub async fn publish_webapp_change(&self, event: &str, manifest: &Manifest, dir: &Path) {
        if manifest.webapp.is_none() {
            return;
        }
        let data = json!({ "manifest": client_manifest(manifest, dir).await });
        self.services.hub().send(Event { event: event.to_string(), data, broadcast: BroadcastInfo::default() }, &Recipients::All);
    }

    /// `plugin_statuses_changed` with every status, to admins.
    pub async fn publish_statuses(&self) {
        self.write_node_statuses().await;
        match self.status_values().await {
            Ok(statuses) => {
                self.publish_to_admins("plugin_statuses_changed", json!({ "plugin_statuses": statuses })).await;
            }
            Err(e) => tracing::error!(error = %e, "cannot list plugin statuses"),
        }
    }
}

/// A status as Mattermost's JSON (with `cluster_id`).
pub fn status_json(status: &PluginStatus) -> Value {
    let mut value = serde_json::to_value(status).expect("statuses serialize");
    value["cluster_id"] = json!("");
    value
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
pub async fn client_manifest(manifest: &Manifest, dir: &Path) -> Value {
    let bundle = match &manifest.webapp {
        Some(w) => tokio::fs::read(dir.join(&w.bundle_path)).await.ok(),
        None => None,
    };
    let webapp = bundle.map(|bytes| json!({ "bundle_path": format!("/static/plugins/{}/{}", manifest.id, bundle_file_name(&manifest.id, &bytes)) }));
    let mut value = json!({ "id": manifest.id, "version": manifest.version, "name": "", "description": "", "props": manifest.props });
    if let Some(webapp) = webapp {
        value["webapp"] = webapp;
    }
    value
}
