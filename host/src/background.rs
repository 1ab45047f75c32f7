//! The bounded queue that runs has-hooks (notifications) off the request path.
//!
//! Enqueueing never blocks: a full queue drops the event and counts it, because a
//! slow plugin must never slow down posting. Events are processed concurrently up
//! to a limit; per plugin, concurrency is further bounded by its instance pool.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Notify, Semaphore, mpsc};

use crate::runtime::SharedCounters;

/// A unit of background work: calls into every plugin it concerns.
pub(crate) type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Handle to the background dispatcher.
pub(crate) struct Background {
    tx: mpsc::Sender<Job>,
    state: Arc<Pending>,
    counters: Arc<SharedCounters>,
}

struct Pending {
    count: AtomicUsize,
    idle: Notify,
}

impl Pending {
    fn done(&self) {
        if self.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }
}

impl Background {
    pub(crate) fn start(queue: usize, concurrency: usize, counters: Arc<SharedCounters>) -> Background {
        let (tx, mut rx) = mpsc::channel::<Job>(queue.max(1));
        let state = Arc::new(Pending { count: AtomicUsize::new(0), idle: Notify::new() });
        let worker_state = state.clone();
        let limit = Arc::new(Semaphore::new(concurrency.max(1)));
        tokio::spawn(async move {
            while let Some(job) = rx.recv().await {
                let Ok(permit) = limit.clone().acquire_owned().await else { break };
                let state = worker_state.clone();
                tokio::spawn(async move {
                    job.await;
                    drop(permit);
                    state.done();
                });
            }
        });
        Background { tx, state, counters }
    }

    /// Queue a job; returns `false` (and counts a drop) when the queue is full.
    pub(crate) fn submit(&self, job: Job) -> bool {
        self.state.count.fetch_add(1, Ordering::SeqCst);
        match self.tx.try_send(job) {
            Ok(()) => true,
            Err(_) => {
                self.counters.background_dropped.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("plugin background queue full; dropping a hook event");
                self.state.done();
                false
            }
        }
    }

    /// Wait until every queued job has finished.
    pub(crate) async fn flush(&self) {
        loop {
            let notified = self.state.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.state.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}
