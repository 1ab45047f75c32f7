//! Startup loading of the plugins installed in the local plugin directory, one subdirectory (`plugin.json` + component) per plugin.

use std::path::{Path, PathBuf};

use confab_host::{LoadOptions, Manifest, PluginHost};

use crate::memory_api::MemoryServerApi;

/// What `load_all` did.
#[derive(Debug, Default)]
pub struct LoadSummary {
    /// Ids of the plugins now serving.
    pub loaded: Vec<String>,
    /// Directories that did not load, with the reason.
    pub failed: Vec<(PathBuf, String)>,
}

/// Load every subdirectory of `plugin_dir` that has a `plugin.json`, in name order.
/// A plugin that fails to load is logged (and listed as failed in the statuses when its
/// manifest was readable); it never stops the server.
pub async fn load_all(host: &PluginHost, api: &MemoryServerApi, plugin_dir: &Path, server_version: &semver::Version) -> LoadSummary {
    let mut summary = LoadSummary::default();
    let mut dirs: Vec<PathBuf> = match std::fs::read_dir(plugin_dir) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.join("plugin.json").is_file()).collect(),
        Err(e) => {
            tracing::warn!(dir = %plugin_dir.display(), error = %e, "cannot read the plugin directory; starting without plugins");
            return summary;
        }
    };
    dirs.sort();
    for dir in dirs {
        // Read the manifest first for the id: settings are looked up by directory, and
        // `activate` may ask for them.
        let manifest = match Manifest::load(&dir, server_version) {
            Ok(manifest) => manifest,
            Err(e) => {
                tracing::error!(dir = %dir.display(), error = %e, "plugin not loaded: invalid manifest");
                summary.failed.push((dir, e.to_string()));
                continue;
            }
        };
        api.register_plugin_dir(&manifest.id, &dir);
        // Whoever can write to the local plugin directory already controls this server,
        // so its plugins get every capability their manifest asks for. Uploaded and
        // marketplace plugins will go through an admin's grant instead.
        tracing::info!(plugin_id = %manifest.id, permissions = ?manifest.permissions, "granting a local plugin every permission its manifest requests");
        match host.load(&dir, LoadOptions { grant_all_requested: true, ..LoadOptions::default() }).await {
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
