//! The plugin directory as an install target: a temporary place to unpack into, a journal per install or removal, and recovery at start-up, so a crash (even `kill -9`) at any step leaves each plugin either fully installed or absent.
//!
//! Layout, all inside the plugin directory so every move is a `rename` on one
//! filesystem (atomic):
//!
//! ```text
//! <plugins>/<id>/                    the installed plugin (what start-up loads)
//! <plugins>/<id>/.confab-install     the token of the install that put it there
//! <plugins>/.install/<token>/        a bundle being unpacked and checked
//! <plugins>/.install/<token>.old/    the replaced version, until the install commits
//! <plugins>/.install/<token>.journal what an unfinished install or removal was doing
//! <plugins>/.install/staged-<id>/    an upgrade waiting for an admin to approve its permissions
//! ```
//!
//! An install commits when the database records its token
//! ([`Store::commit_plugin_install`]). Recovery reads each journal: token recorded ⇒
//! the new files stay and the old copy goes; not recorded ⇒ the new files go and the
//! old copy is moved back. A removal is rolled forward. Anything else in `.install/`
//! except staged upgrades is a leftover of an unpack and is deleted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::Store;

/// The directory under the plugin directory where installs work.
pub const WORK_DIR: &str = ".install";
/// The file inside an installed plugin naming the install that put it there.
pub const TOKEN_FILE: &str = ".confab-install";
/// Test-only fault injection: the install step after which the process aborts.
pub const CRASH_ENV: &str = "CONFAB_TEST_CRASH_AFTER";

/// What an unfinished operation was doing.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Journal {
    /// Moving an unpacked bundle into place.
    Install {
        plugin_id: String,
        token: String,
        /// The unpacked plugin root (inside `.install/<token>/`).
        unpacked: PathBuf,
        /// Where the previous version was moved, if there was one.
        old: PathBuf,
    },
    /// Deleting a plugin's files and data.
    Remove {
        plugin_id: String,
        /// Where its directory was moved before being deleted.
        moved: PathBuf,
    },
}

/// Paths of one plugin directory.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The plugin directory.
    pub root: PathBuf,
}

impl Layout {
    /// The layout of `root`.
    pub fn new(root: PathBuf) -> Layout {
        Layout { root }
    }

    /// `.install/`.
    pub fn work(&self) -> PathBuf {
        self.root.join(WORK_DIR)
    }

    /// Where the plugin `id` is installed.
    pub fn live(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// Where an upgrade of `id` waits for approval.
    pub fn staged(&self, id: &str) -> PathBuf {
        self.work().join(format!("staged-{id}"))
    }

    /// A fresh, empty directory to unpack into, with its token.
    pub fn new_unpack_dir(&self) -> std::io::Result<(String, PathBuf)> {
        let token = crate::ids::new_id();
        let dir = self.work().join(&token);
        std::fs::create_dir_all(&dir)?;
        Ok((token, dir))
    }

    fn journal_path(&self, token: &str) -> PathBuf {
        self.work().join(format!("{token}.journal"))
    }

    /// Write a journal durably (temp file, fsync, rename, fsync the directory).
    pub fn write_journal(&self, token: &str, journal: &Journal) -> std::io::Result<()> {
        let path = self.journal_path(token);
        let tmp = path.with_extension("journal-tmp");
        {
            use std::io::Write;
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&serde_json::to_vec(journal).expect("journals serialize"))?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        sync_dir(&self.work());
        Ok(())
    }

    /// Forget a finished operation.
    pub fn clear_journal(&self, token: &str) {
        let _ = std::fs::remove_file(self.journal_path(token));
        sync_dir(&self.work());
    }
}

/// Run filesystem `work` on a blocking thread and wait for it, so no async task blocks
/// a runtime worker on disk I/O. The work finishes even if the caller stops waiting,
/// so a move is never cut in half by a cancelled request; a panic in it is re-raised.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only a runtime shutting down cancels blocking work; nothing is left to answer.
        Err(e) => panic!("blocking filesystem work cancelled: {e}"),
    }
}

/// Make renames in `dir` durable. Best effort: not every platform can open a directory.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Remove a file or directory tree if it exists.
pub fn remove_path(path: &Path) {
    let result = if path.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(path = %path.display(), error = %e, "could not remove");
    }
}

/// The token recorded in an installed plugin directory, if any.
pub fn read_token(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join(TOKEN_FILE)).ok().map(|t| t.trim().to_string())
}

/// Kill the process with SIGKILL right after `step` when `CONFAB_TEST_CRASH_AFTER`
/// names it: the crash tests' `kill -9` at an exact point (nothing is flushed, no
/// destructor runs). Unset, this does nothing.
pub fn crash_point(step: &str) {
    if std::env::var(CRASH_ENV).is_ok_and(|s| s == step) {
        eprintln!("{CRASH_ENV}={step}: kill -9");
        let _ = std::process::Command::new("kill").args(["-9", &std::process::id().to_string()]).status();
        // If `kill` is not available, an abort is the next best thing.
        std::process::abort();
    }
}

/// Finish or undo what a crash interrupted, then delete unpack leftovers. Runs at
/// start-up before plugins load; the filesystem work runs on blocking threads, the
/// database is asked in between.
pub async fn recover(layout: &Layout, store: &Store) {
    let work = layout.work();
    let Some(paths) = blocking(move || list_sorted(&work)).await else { return };
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "journal")) {
        let token = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let read = path.clone();
        let journal = blocking(move || std::fs::read(&read).ok().and_then(|b| serde_json::from_slice::<Journal>(&b).ok())).await;
        let Some(journal) = journal else {
            tracing::warn!(journal = %path.display(), "unreadable install journal; removing it");
            let path = path.clone();
            blocking(move || remove_path(&path)).await;
            continue;
        };
        let resolved = match journal {
            Journal::Install { plugin_id, token: install_token, unpacked, old } => {
                let committed = match store.get_installed_plugin(&plugin_id).await {
                    Ok(row) => row.is_some_and(|r| r.install_token == install_token),
                    Err(e) => {
                        // Without the database we cannot tell; leave it for the next start.
                        tracing::error!(plugin_id, error = %e, "cannot check an interrupted install; leaving it for the next start");
                        continue;
                    }
                };
                let live = layout.live(&plugin_id);
                Resolution::Install { plugin_id, install_token, committed, live, unpacked, old }
            }
            Journal::Remove { plugin_id, moved } => {
                tracing::info!(plugin_id, "completing an interrupted removal");
                if let Err(e) = store.delete_plugin_data(&plugin_id).await {
                    tracing::error!(plugin_id, error = %e, "cannot complete an interrupted removal; leaving it for the next start");
                    continue;
                }
                Resolution::Remove { live: layout.live(&plugin_id), moved }
            }
        };
        let layout = layout.clone();
        blocking(move || {
            resolved.apply();
            layout.clear_journal(&token);
        })
        .await;
    }
    blocking(move || remove_leftovers(&paths)).await;
}

/// The entries of `dir`, sorted; `None` when it cannot be read (nothing to recover).
fn list_sorted(dir: &Path) -> Option<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).ok()?.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    Some(paths)
}

/// What recovery decided for one journal, once the database answered.
enum Resolution {
    Install { plugin_id: String, install_token: String, committed: bool, live: PathBuf, unpacked: PathBuf, old: PathBuf },
    Remove { live: PathBuf, moved: PathBuf },
}

impl Resolution {
    /// Do the file side of the decision.
    fn apply(self) {
        match self {
            Resolution::Install { plugin_id, install_token, committed, live, unpacked, old } => {
                if committed {
                    tracing::info!(plugin_id, "completing an install interrupted after it committed");
                } else {
                    tracing::warn!(plugin_id, "rolling back an install interrupted before it committed");
                    if read_token(&live).as_deref() == Some(install_token.as_str()) {
                        remove_path(&live);
                    }
                    if old.exists()
                        && !live.exists()
                        && let Err(e) = std::fs::rename(&old, &live)
                    {
                        tracing::error!(plugin_id, error = %e, "could not restore the previous version");
                    }
                }
                remove_path(&old);
                remove_path(&unpacked);
            }
            Resolution::Remove { live, moved } => {
                remove_path(&live);
                remove_path(&moved);
            }
        }
    }
}

/// Delete unpack directories and anything else without a journal (staged upgrades stay).
fn remove_leftovers(paths: &[PathBuf]) {
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with("staged-") || name.ends_with(".journal") {
            continue;
        }
        if path.exists() {
            tracing::info!(path = %path.display(), "removing an unfinished unpack");
            remove_path(path);
        }
    }
}
