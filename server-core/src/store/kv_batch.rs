//! Plugin KV writes committed together: the writes that arrive while one batch commits go in the next, one transaction for all of them.
//!
//! Each KV write used to be a commit of its own, and a commit waits for the disk
//! (SQLite syncs its WAL, about 230 µs on the machine we measure on; PostgreSQL
//! flushes its own). A burst of jobs that each write one value (bench B13) then ran
//! at the commit rate, about 1,500 a second on SQLite. Here a write joins a queue;
//! whoever finds no batch being written starts a task that writes the queue, then
//! whatever queued meanwhile, until it is empty. A lone write pays one spawn more
//! than before and keeps its single-statement commit.
//!
//! Each write keeps its own statement and its own outcome (a compare-and-set still
//! sees the writes queued before it), except that runs of plain sets go in
//! multi-row upserts. If the transaction fails, nothing of it is kept and each write
//! is tried again on its own, so one bad write costs only itself.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use sqlx::Any;
use tokio::sync::oneshot;

use super::kv::{KvWrite, KvWriteOutcome, REPLACE, write_one};
use super::{Error, Result, Store};

/// Most writes one transaction carries; what is left waits for the next.
const MAX_BATCH: usize = 2000;
/// Rows in one multi-row upsert (five parameters each, far below both databases' limits).
const UPSERT_ROWS: usize = 200;

/// The queue of writes waiting for a commit.
#[derive(Default)]
pub(super) struct KvBatcher {
    queue: Mutex<Queue>,
}

impl fmt::Debug for KvBatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KvBatcher").finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Queue {
    pending: Vec<Pending>,
    /// A task is writing; it takes whatever is pending before it ends.
    writing: bool,
}

struct Pending {
    plugin_id: String,
    key: String,
    value: Option<Vec<u8>>,
    atomic: bool,
    old_value: Option<Vec<u8>>,
    expire_at: i64,
    now: i64,
    done: oneshot::Sender<Result<KvWriteOutcome>>,
}

impl Pending {
    fn write(&self) -> KvWrite<'_> {
        KvWrite { value: self.value.as_deref(), atomic: self.atomic, old_value: self.old_value.as_deref(), expire_at: self.expire_at }
    }

    /// A set that replaces whatever is there: the only kind a multi-row upsert carries.
    fn is_plain_set(&self) -> bool {
        !self.atomic && self.value.is_some()
    }
}

/// Ends the writing task's turn even if it unwinds: the flag is cleared and the
/// writes it had not taken fail (their senders drop) rather than wait forever.
struct TurnGuard(Arc<KvBatcher>);

impl Drop for TurnGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut queue = self.0.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.writing = false;
            queue.pending.clear();
        }
    }
}

impl Store {
    /// Write, delete or compare-and-set one key, committed with the other plugin KV
    /// writes queued at the same moment. Concurrent writers (several instances,
    /// several nodes) never lose an update: each write is one statement.
    pub async fn kv_write(&self, plugin_id: &str, key: &str, write: &KvWrite<'_>, now: i64) -> Result<KvWriteOutcome> {
        let (done, outcome) = oneshot::channel();
        let pending = Pending {
            plugin_id: plugin_id.to_string(),
            key: key.to_string(),
            value: write.value.map(<[u8]>::to_vec),
            atomic: write.atomic,
            old_value: write.old_value.map(<[u8]>::to_vec),
            expire_at: write.expire_at,
            now,
            done,
        };
        let start = {
            let mut queue = self.kv_batch.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.pending.push(pending);
            !std::mem::replace(&mut queue.writing, true)
        };
        if start {
            // A task, not this caller: a plugin call dropped at its deadline must not
            // take the other plugins' writes down with it.
            let store = self.clone();
            tokio::spawn(async move { store.write_queued_kv().await });
        }
        outcome.await.map_err(|_| Error::Db(sqlx::Error::WorkerCrashed))?
    }

    /// Write batches until the queue is empty, then give up the turn.
    async fn write_queued_kv(&self) {
        let _guard = TurnGuard(self.kv_batch.clone());
        loop {
            let batch: Vec<Pending> = {
                let mut queue = self.kv_batch.queue.lock().unwrap_or_else(|e| e.into_inner());
                if queue.pending.is_empty() {
                    queue.writing = false;
                    return;
                }
                if queue.pending.len() <= MAX_BATCH {
                    std::mem::take(&mut queue.pending)
                } else {
                    queue.pending.drain(..MAX_BATCH).collect()
                }
            };
            self.write_kv_batch(batch).await;
        }
    }

    async fn write_kv_batch(&self, batch: Vec<Pending>) {
        if let [one] = batch.as_slice() {
            let outcome = write_one(self.writer(), &one.plugin_id, &one.key, &one.write(), one.now).await;
            let one = batch.into_iter().next().expect("one write");
            let _ = one.done.send(outcome);
            return;
        }
        match self.kv_batch_transaction(&batch).await {
            Ok(outcomes) => {
                for (pending, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = pending.done.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, writes = batch.len(), "plugin KV: a batched commit failed; writing each on its own");
                for pending in batch {
                    let outcome = write_one(self.writer(), &pending.plugin_id, &pending.key, &pending.write(), pending.now).await;
                    let _ = pending.done.send(outcome);
                }
            }
        }
    }

    /// Every write of `batch` in order, in one transaction; the outcomes in the same order.
    async fn kv_batch_transaction(&self, batch: &[Pending]) -> Result<Vec<KvWriteOutcome>> {
        let mut tx = self.writer().begin().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut next = 0;
        while next < batch.len() {
            let run = plain_set_run(&batch[next..]);
            if run > 0 {
                upsert_rows(&mut tx, &batch[next..next + run]).await?;
                outcomes.extend(std::iter::repeat_n(KvWriteOutcome::Written, run));
                next += run;
            } else {
                let pending = &batch[next];
                outcomes.push(write_one(&mut *tx, &pending.plugin_id, &pending.key, &pending.write(), pending.now).await?);
                next += 1;
            }
        }
        tx.commit().await?;
        Ok(outcomes)
    }
}

/// How many writes from the start of `writes` one multi-row upsert can carry: plain
/// sets of distinct keys (PostgreSQL refuses a statement that updates a row twice),
/// at most [`UPSERT_ROWS`].
fn plain_set_run(writes: &[Pending]) -> usize {
    let mut keys = HashSet::new();
    writes.iter().take(UPSERT_ROWS).take_while(|w| w.is_plain_set() && keys.insert((w.plugin_id.as_str(), w.key.as_str()))).count()
}

async fn upsert_rows(tx: &mut sqlx::Transaction<'_, Any>, rows: &[Pending]) -> Result<()> {
    let values: Vec<String> = (0..rows.len())
        .map(|i| {
            let p = i * 5;
            format!("(${}, ${}, ${}, ${}, ${})", p + 1, p + 2, p + 3, p + 4, p + 5)
        })
        .collect();
    let sql = format!("INSERT INTO plugin_kv (plugin_id, key, value, value_size, expire_at) VALUES {} {REPLACE}", values.join(", "));
    let mut query = sqlx::query(&sql);
    for row in rows {
        let value = row.value.clone().unwrap_or_default();
        let size = value.len() as i64;
        query = query.bind(row.plugin_id.clone()).bind(row.key.clone()).bind(value).bind(size).bind(row.expire_at);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}
