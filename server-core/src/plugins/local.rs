//! Start-up loading of the plugins in the local plugin directory, one subdirectory (`plugin.json` + component) per plugin, as their stored state says.
//!
//! The `plugins` table is the record of what is installed, enabled and granted. A
//! directory seen for the first time is recorded as enabled with every capability its
//! manifest requests (whoever can write to the local plugin directory already controls
//! this server); a plugin an admin disabled stays unloaded across restarts.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use confab_host::{Capability, LoadOptions, Manifest, PluginHost};

use crate::plugins::bridge::PluginBridge;
use crate::plugins::installer::blocking;
use crate::service::now_ms;
use crate::store::{PluginRecord, Store};

/// What `load_all` did.
#[derive(Debug, Default)]
pub struct LoadSummary {
    /// Ids of the plugins now serving.
    pub loaded: Vec<String>,
    /// Ids of installed plugins left off because they are disabled.
    pub disabled: Vec<String>,
    /// Directories that did not load, with the reason.
    pub failed: Vec<(PathBuf, String)>,
}

/// Load every enabled plugin under `plugin_dir`, in name order. A plugin that fails to
/// load is logged (and listed as failed in the statuses when its manifest was
/// readable); it never stops the server.
pub async fn load_all(host: &PluginHost, bridge: &PluginBridge, store: &Store, plugin_dir: &Path, server_version: &semver::Version) -> LoadSummary {
    let mut summary = LoadSummary::default();
    let root = plugin_dir.to_path_buf();
    let listed = blocking(move || -> std::io::Result<Vec<PathBuf>> {
        Ok(std::fs::read_dir(&root)?.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.join("plugin.json").is_file()).collect())
    });
    let mut dirs: Vec<PathBuf> = match listed.await {
        Ok(dirs) => dirs,
        Err(e) => {
            tracing::warn!(dir = %plugin_dir.display(), error = %e, "cannot read the plugin directory; starting without plugins");
            return summary;
        }
    };
    dirs.sort();
    for dir in dirs {
        // The manifest first, for the id: settings are looked up by directory, and
        // `activate` may ask for them.
        let (at, version) = (dir.clone(), server_version.clone());
        let manifest = match blocking(move || Manifest::load(&at, &version)).await {
            Ok(manifest) => manifest,
            Err(e) => {
                tracing::error!(dir = %dir.display(), error = %e, "plugin not loaded: invalid manifest");
                summary.failed.push((dir, e.to_string()));
                continue;
            }
        };
        let record = match record_for(store, &manifest).await {
            Ok(record) => record,
            Err(e) => {
                tracing::error!(plugin_id = %manifest.id, error = %e, "plugin not loaded: cannot read its state");
                summary.failed.push((dir, e.to_string()));
                continue;
            }
        };
        if !record.enabled {
            tracing::info!(plugin_id = %manifest.id, "plugin installed but disabled; not loading it");
            summary.disabled.push(manifest.id);
            continue;
        }
        bridge.register_plugin_dir(&manifest.id, &dir);
        let granted: Vec<Capability> = record.granted.iter().filter_map(|c| Capability::from_str(c).ok()).collect();
        let options = LoadOptions { granted, grant_all_requested: record.grant_all_requested, ..LoadOptions::default() };
        match host.load(&dir, options).await {
            Ok(report) => {
                tracing::info!(
                    plugin_id = %manifest.id,
                    version = %manifest.version,
                    cache = ?report.cache,
                    compile_ms = report.compile_time.as_millis() as u64,
                    total_ms = report.total_time.as_millis() as u64,
                    families = ?report.families,
                    "plugin loaded"
                );
                summary.loaded.push(manifest.id);
            }
            Err(e) => {
                tracing::error!(plugin_id = %manifest.id, dir = %dir.display(), error = %e, "plugin failed to load");
                summary.failed.push((dir, e.to_string()));
            }
        }
    }
    summary
}

/// The stored state of a plugin, recording a first-seen one as enabled with its
/// manifest's request granted.
async fn record_for(store: &Store, manifest: &Manifest) -> Result<PluginRecord, crate::store::Error> {
    if let Some(record) = store.get_plugin(&manifest.id).await? {
        return Ok(record);
    }
    let now = now_ms();
    tracing::info!(plugin_id = %manifest.id, permissions = ?manifest.permissions, "new local plugin: enabled, granted every permission its manifest requests");
    let record =
        PluginRecord { plugin_id: manifest.id.clone(), enabled: true, granted: Vec::new(), grant_all_requested: true, installed_at: now, update_at: now };
    store.upsert_plugin(&record).await?;
    Ok(record)
}
