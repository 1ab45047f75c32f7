//! The runner's settler: finished runs are written back in batches, one transaction for all the runs that finished while the previous batch was being written.
//!
//! Settling a run used to be a write of its own, and on SQLite's single writer that
//! write, not the plugin, set how many runs a second a burst of due jobs got. A run
//! hands its settle over here without waiting and its permit goes to the next run;
//! the row keeps its claim (and its lease) until the batch is written, so no other
//! run of it can start meanwhile. A batch that cannot be written is tried again a few
//! times, then left: those runs run again when their leases lapse, as after a crash.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::SchedulerState;
use crate::service::now_ms;
use crate::store::{JobFinish, Store};

/// Most runs settled by one transaction.
const BATCH: usize = 1000;
/// Tries of one batch's write.
const TRIES: usize = 3;
/// Wait between two tries.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// The settling task; [`Settler::close`] writes what is left and ends it.
pub(super) struct Settler {
    runs: mpsc::UnboundedSender<JobFinish>,
    task: JoinHandle<()>,
}

impl Settler {
    pub(super) fn spawn(store: Store, state: Arc<SchedulerState>) -> Settler {
        let (runs, received) = mpsc::unbounded_channel();
        Settler { runs, task: tokio::spawn(settle(store, state, received)) }
    }

    /// A handle runs send their settles through.
    pub(super) fn sender(&self) -> mpsc::UnboundedSender<JobFinish> {
        self.runs.clone()
    }

    /// Write every settle sent so far, then end. The senders handed out must be gone
    /// (their runs ended or aborted) for this to return.
    pub(super) async fn close(self) {
        drop(self.runs);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "job runner: the settler ended abnormally; unsettled runs run again when their leases lapse");
        }
    }
}

async fn settle(store: Store, state: Arc<SchedulerState>, mut received: mpsc::UnboundedReceiver<JobFinish>) {
    let mut batch = Vec::with_capacity(BATCH);
    while received.recv_many(&mut batch, BATCH).await > 0 {
        for attempt in 1..=TRIES {
            match store.job_finish_many(&batch, now_ms()).await {
                Ok(()) => break,
                Err(e) if attempt < TRIES => {
                    tracing::warn!(error = %e, runs = batch.len(), "job runner: could not settle runs; trying again");
                    tokio::time::sleep(RETRY_AFTER).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, runs = batch.len(), "job runner: could not settle runs; they run again when their leases lapse");
                }
            }
        }
        batch.clear();
        // Settled rows have their next due times (or are gone): the runner's timer was
        // set while they were claimed.
        state.wake();
    }
}
