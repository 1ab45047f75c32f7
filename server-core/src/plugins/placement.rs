//! Placing an unpacked plugin as its live directory: a guard that either commits (the database recorded the install) or rolls back (the previous files return), doing its filesystem work on blocking threads.
//!
//! [`Placement::begin`] journals the move, puts the previous version aside and the
//! new one in place. Until the database records the install the files are provisional:
//! [`Placement::commit_with`] awaits that decision and then finishes (old copy deleted)
//! or undoes the move; [`Placement::roll_back`] undoes it outright. A placement
//! dropped before its decision started is rolled back; one dropped while the database
//! was deciding is left to start-up recovery, the only place that can ask the database
//! which way it went.

use std::future::Future;
use std::path::{Path, PathBuf};

use super::installer::{self, Journal, Layout, blocking, crash_point};

/// Why a placement could not begin; nothing is left half-moved.
#[derive(Debug, thiserror::Error)]
#[error("{step}: {source}")]
pub struct PlaceError {
    /// What was being done.
    pub step: &'static str,
    /// The I/O error.
    #[source]
    pub source: std::io::Error,
}

/// The file moves of one placement, owned so they can run on a blocking thread.
#[derive(Debug, Clone)]
struct Moves {
    layout: Layout,
    plugin_id: String,
    token: String,
    unpacked: PathBuf,
    live: PathBuf,
    old: PathBuf,
    had_old: bool,
}

impl Moves {
    /// Journal, previous version aside, new version in. Runs on a blocking thread.
    fn run(mut self) -> Result<Moves, PlaceError> {
        let step = |step: &'static str| move |source| PlaceError { step, source };
        let journal = Journal::Install { plugin_id: self.plugin_id.clone(), token: self.token.clone(), unpacked: self.unpacked.clone(), old: self.old.clone() };
        self.layout.write_journal(&self.token, &journal).map_err(step("cannot write the install journal"))?;
        crash_point("journal");
        self.had_old = self.live.exists();
        if self.had_old
            && let Err(e) = std::fs::rename(&self.live, &self.old)
        {
            // Nothing moved: the journal has nothing to recover.
            self.layout.clear_journal(&self.token);
            return Err(step("cannot move the previous version aside")(e));
        }
        crash_point("moved_old");
        if let Err(e) = std::fs::rename(&self.unpacked, &self.live) {
            self.undo();
            return Err(step("cannot move the plugin into place")(e));
        }
        installer::sync_dir(&self.layout.root);
        crash_point("moved_new");
        Ok(self)
    }

    /// The install committed: the previous version and the journal go.
    fn finish(&self) {
        installer::remove_path(&self.old);
        self.layout.clear_journal(&self.token);
    }

    /// The install did not commit: new files out, old files back.
    fn undo(&self) {
        if installer::read_token(&self.live).as_deref() == Some(self.token.as_str()) {
            installer::remove_path(&self.live);
        }
        if self.had_old
            && let Err(e) = std::fs::rename(&self.old, &self.live)
        {
            tracing::error!(plugin_id = %self.plugin_id, error = %e, "could not restore the previous version");
        }
        self.layout.clear_journal(&self.token);
    }
}

/// A plugin directory moved into place, not yet committed or rolled back.
#[derive(Debug)]
pub struct Placement {
    /// `None` once decided.
    moves: Option<Moves>,
    /// The database is deciding: a drop now cannot know which way it went.
    deciding: bool,
}

impl Placement {
    /// Move `unpacked` into place as plugin `plugin_id` for the install `token`,
    /// journaled first so a crash at any point is recovered at start-up.
    pub async fn begin(layout: &Layout, plugin_id: &str, token: &str, unpacked: &Path) -> Result<Placement, PlaceError> {
        let moves = Moves {
            layout: layout.clone(),
            plugin_id: plugin_id.to_string(),
            token: token.to_string(),
            unpacked: unpacked.to_path_buf(),
            live: layout.live(plugin_id),
            old: layout.work().join(format!("{token}.old")),
            had_old: false,
        };
        let moves = blocking(move || moves.run()).await?;
        Ok(Placement { moves: Some(moves), deciding: false })
    }

    fn moves(&self) -> &Moves {
        self.moves.as_ref().expect("an undecided placement has its moves")
    }

    /// Where the plugin now lives.
    pub fn live(&self) -> &Path {
        &self.moves().live
    }

    /// Whether a previous version was moved aside (and comes back on roll-back).
    pub fn had_old(&self) -> bool {
        self.moves().had_old
    }

    /// Await `decision` (the database recording the install), then finish the
    /// placement if it succeeded or undo it if it failed; its result is passed on.
    pub async fn commit_with<T, E>(mut self, decision: impl Future<Output = Result<T, E>>) -> Result<T, E> {
        self.deciding = true;
        let result = decision.await;
        let moves = self.moves.take().expect("a placement is decided once");
        if result.is_ok() {
            crash_point("committed");
            blocking(move || moves.finish()).await;
        } else {
            blocking(move || moves.undo()).await;
        }
        result
    }

    /// Undo the placement: the new files go, the previous version comes back.
    pub async fn roll_back(mut self) {
        let moves = self.moves.take().expect("a placement is decided once");
        blocking(move || moves.undo()).await;
    }
}

impl Drop for Placement {
    fn drop(&mut self) {
        let Some(moves) = self.moves.take() else { return };
        if self.deciding {
            tracing::warn!(plugin_id = %moves.plugin_id, "install abandoned while committing; start-up recovery will finish or undo it");
            return;
        }
        tracing::warn!(plugin_id = %moves.plugin_id, "install abandoned before committing; rolling back");
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(move || moves.undo())),
            Err(_) => moves.undo(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plugin(dir: &Path, version: &str, token: Option<&str>) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("plugin.json"), version).unwrap();
        if let Some(token) = token {
            std::fs::write(dir.join(installer::TOKEN_FILE), token).unwrap();
        }
    }

    fn setup(old: bool) -> (tempfile::TempDir, Layout, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let layout = Layout::new(tmp.path().to_path_buf());
        if old {
            plugin(&layout.live("p"), "old", None);
        }
        let unpacked = layout.work().join("t1").join("root");
        plugin(&unpacked, "new", Some("t1"));
        (tmp, layout, unpacked)
    }

    fn version(layout: &Layout) -> Option<String> {
        std::fs::read_to_string(layout.live("p").join("plugin.json")).ok()
    }

    fn journals(layout: &Layout) -> usize {
        std::fs::read_dir(layout.work()).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "journal")).count()
    }

    #[tokio::test]
    async fn a_commit_keeps_the_new_version_and_drops_the_old() {
        let (_tmp, layout, unpacked) = setup(true);
        let placement = Placement::begin(&layout, "p", "t1", &unpacked).await.unwrap();
        assert!(placement.had_old());
        assert_eq!(version(&layout).as_deref(), Some("new"));
        assert_eq!(journals(&layout), 1, "journaled until decided");
        placement.commit_with(async { Ok::<_, ()>(()) }).await.unwrap();
        assert_eq!(version(&layout).as_deref(), Some("new"));
        assert!(!layout.work().join("t1.old").exists());
        assert_eq!(journals(&layout), 0);
    }

    #[tokio::test]
    async fn a_failed_commit_or_a_roll_back_restores_the_old_version() {
        let (_tmp, layout, unpacked) = setup(true);
        let placement = Placement::begin(&layout, "p", "t1", &unpacked).await.unwrap();
        assert_eq!(placement.commit_with(async { Err::<(), _>("db down") }).await, Err("db down"));
        assert_eq!(version(&layout).as_deref(), Some("old"));
        assert_eq!(journals(&layout), 0);

        let (_tmp, layout, unpacked) = setup(false);
        let placement = Placement::begin(&layout, "p", "t1", &unpacked).await.unwrap();
        assert!(!placement.had_old());
        placement.roll_back().await;
        assert_eq!(version(&layout), None, "a first install leaves nothing behind");
        assert_eq!(journals(&layout), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dropped_placement_rolls_back_unless_the_database_was_deciding() {
        let (_tmp, layout, unpacked) = setup(true);
        drop(Placement::begin(&layout, "p", "t1", &unpacked).await.unwrap());
        // The undo runs on a blocking thread; wait for it.
        for _ in 0..100 {
            if version(&layout).as_deref() == Some("old") && journals(&layout) == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(version(&layout).as_deref(), Some("old"));
        assert_eq!(journals(&layout), 0);

        let (_tmp, layout, unpacked) = setup(true);
        let placement = Placement::begin(&layout, "p", "t1", &unpacked).await.unwrap();
        let deciding = placement.commit_with(std::future::pending::<Result<(), ()>>());
        assert!(tokio::time::timeout(std::time::Duration::from_millis(20), deciding).await.is_err());
        assert_eq!(version(&layout).as_deref(), Some("new"), "left as it was");
        assert_eq!(journals(&layout), 1, "the journal stays for start-up recovery");
    }
}
