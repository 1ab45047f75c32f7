//! The development loop: watch the plugin directory and hot-reload a plugin whose files changed, after a quiet period so a build that writes many files reloads once.
//!
//! Only plugins placed in the directory by hand are watched; installed bundles (they
//! carry an install token) change only through the API, whose own swap must not be
//! repeated by the watcher.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::plugins::admin::PluginAdmin;
use crate::plugins::installer;

/// How long the directory must stay quiet before changed plugins reload.
pub const DEBOUNCE: Duration = Duration::from_millis(400);

/// Start watching `plugin_dir`; the watch lasts as long as the returned watcher.
/// `None` (logged) when the platform cannot watch it.
pub fn watch(plugin_dir: &Path, admin: Arc<PluginAdmin>) -> Option<notify::RecommendedWatcher> {
    // The callback runs on the watcher's own thread, so the `stat` that tells which
    // plugin a path belongs to happens there rather than on a runtime worker.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let root = plugin_dir.to_path_buf();
    let mut watcher = match notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            for name in event.paths.iter().filter_map(|path| plugin_of(&root, path)) {
                let _ = tx.send(name);
            }
        }
    }) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch the plugin directory");
            return None;
        }
    };
    if let Err(e) = watcher.watch(plugin_dir, RecursiveMode::Recursive) {
        tracing::warn!(dir = %plugin_dir.display(), error = %e, "cannot watch the plugin directory");
        return None;
    }
    let root = plugin_dir.to_path_buf();
    tokio::spawn(async move {
        // Ends when the watcher (and so the sender) is dropped.
        while let Some(first) = rx.recv().await {
            let mut changed = BTreeSet::from([first]);
            loop {
                match tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                    Ok(Some(name)) => {
                        changed.insert(name);
                    }
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            for name in changed {
                let dir = root.join(&name);
                let marked = dir.clone();
                if installer::blocking(move || installer::read_token(&marked)).await.is_some() {
                    continue;
                }
                tracing::info!(dir = %dir.display(), "plugin files changed; reloading");
                if let Err(e) = admin.reload_dir(&dir).await {
                    tracing::warn!(dir = %dir.display(), error = %e, "reload after a file change failed");
                }
            }
        }
    });
    tracing::info!(dir = %plugin_dir.display(), "watching the plugin directory for changes");
    Some(watcher)
}

/// The plugin directory name a changed path belongs to (skipping `.install` and other
/// hidden entries).
fn plugin_of(root: &Path, path: &Path) -> Option<String> {
    let first = path.strip_prefix(root).ok()?.components().next()?;
    let name = first.as_os_str().to_string_lossy().into_owned();
    (!name.starts_with('.') && root.join(&name).join(confab_host::manifest::MANIFEST_FILE).is_file()).then_some(name)
}
