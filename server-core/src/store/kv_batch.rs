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
//!
//! The plugin's storage quota is checked here too. A batch reads each of its plugins'
//! usage once; a value that fits under that figure (which still counts the value it
//! replaces, so it is an upper bound) plus what the batch added before it is within
//! the quota, and only a value that does not is checked exactly, excluding its own
//! key, before it is refused. Summing a plugin's whole KV table per write had made the
//! quota read, not the write, the cost of a small value. A plugin's figure is kept
//! between batches, with what this node wrote since added, and read again once it
//! is [`USAGE_FRESH`] old or past half the quota: on one node it stays an upper bound
//! (deletes and expiry only lower the truth); with several, another node's writes
//! count from the next read, so they can overshoot the quota only by what they write
//! in that time, and never while this node's figure is past half of it.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::Any;
use tokio::sync::oneshot;

use super::kv::{KvWrite, KvWriteOutcome, REPLACE, usage_excluding, usage_of, write_one};
use super::{Error, Result, Store};

/// Most writes one transaction carries; what is left waits for the next.
const MAX_BATCH: usize = 2000;
/// Rows in one multi-row upsert (five parameters each, far below both databases' limits).
const UPSERT_ROWS: usize = 200;
/// How long a plugin's usage read stands, while under half its quota.
const USAGE_FRESH: Duration = Duration::from_secs(5);

/// The queue of writes waiting for a commit.
#[derive(Default)]
pub(super) struct KvBatcher {
    queue: Mutex<Queue>,
    /// plugin id → its usage as of a read, plus what this node wrote since.
    usage: Mutex<HashMap<String, KnownUsage>>,
}

#[derive(Debug, Clone, Copy)]
struct KnownUsage {
    bytes: i64,
    read_at: Instant,
}

impl KvBatcher {
    fn known_usage(&self) -> std::sync::MutexGuard<'_, HashMap<String, KnownUsage>> {
        self.usage.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A value this node wrote outside a batch's accounting.
    fn add_usage(&self, plugin_id: &str, bytes: i64) {
        if let Some(known) = self.known_usage().get_mut(plugin_id) {
            known.bytes += bytes;
        }
    }
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
    /// Most bytes the plugin may store, checked for a value; `None`: no quota.
    quota: Option<i64>,
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

    /// The bytes the quota is checked for: a value's, when there is a quota.
    fn quota_check(&self) -> Option<(i64, i64)> {
        Some((self.quota?, self.value.as_ref()?.len() as i64))
    }
}

/// Each plugin's usage as the batch goes: an upper bound of its stored bytes.
type Usage<'a> = HashMap<&'a str, i64>;

/// Whether `write` clears its quota on the estimate alone; if so, its bytes are added.
fn fits_estimate<'a>(usage: &mut Usage<'a>, write: &'a Pending) -> bool {
    let Some((quota, bytes)) = write.quota_check() else { return true };
    let used = usage.entry(write.plugin_id.as_str()).or_default();
    if *used + bytes <= quota {
        *used += bytes;
        true
    } else {
        false
    }
}

/// Ends the writing task's turn however it ends: if it unwinds or is dropped (its
/// runtime shutting down), the flag is cleared and the writes it had not taken fail
/// (their senders drop) rather than wait forever, and the next write starts a new turn.
struct TurnGuard {
    batcher: Arc<KvBatcher>,
    /// The turn ended normally, under the queue's lock.
    ended: bool,
}

impl Drop for TurnGuard {
    fn drop(&mut self) {
        if !self.ended {
            let mut queue = self.batcher.queue.lock().unwrap_or_else(|e| e.into_inner());
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
        self.kv_write_within(plugin_id, key, write, None, now).await
    }

    /// [`Store::kv_write`], refused (`OverQuota`) when a value would take the plugin's
    /// live values past `quota` bytes. Writes of one plugin committed by several
    /// nodes at once may overshoot it by their own values, never by more.
    pub async fn kv_write_within(&self, plugin_id: &str, key: &str, write: &KvWrite<'_>, quota: Option<i64>, now: i64) -> Result<KvWriteOutcome> {
        let (done, outcome) = oneshot::channel();
        let pending = Pending {
            plugin_id: plugin_id.to_string(),
            key: key.to_string(),
            value: write.value.map(<[u8]>::to_vec),
            atomic: write.atomic,
            old_value: write.old_value.map(<[u8]>::to_vec),
            expire_at: write.expire_at,
            quota,
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
        let mut guard = TurnGuard { batcher: self.kv_batch.clone(), ended: false };
        loop {
            let batch: Vec<Pending> = {
                let mut queue = self.kv_batch.queue.lock().unwrap_or_else(|e| e.into_inner());
                if queue.pending.is_empty() {
                    queue.writing = false;
                    guard.ended = true;
                    return;
                }
                if queue.pending.len() <= MAX_BATCH { std::mem::take(&mut queue.pending) } else { queue.pending.drain(..MAX_BATCH).collect() }
            };
            self.write_kv_batch(batch).await;
        }
    }

    async fn write_kv_batch(&self, batch: Vec<Pending>) {
        if batch.len() == 1 {
            let one = batch.into_iter().next().expect("one write");
            let outcome = self.write_alone(&one).await;
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
                {
                    let mut known = self.kv_batch.known_usage();
                    for pending in &batch {
                        known.remove(&pending.plugin_id);
                    }
                }
                for pending in batch {
                    let outcome = self.write_alone(&pending).await;
                    let _ = pending.done.send(outcome);
                }
            }
        }
    }

    /// One write in a commit of its own, its quota checked exactly first.
    async fn write_alone(&self, pending: &Pending) -> Result<KvWriteOutcome> {
        if let Some((quota, bytes)) = pending.quota_check()
            && self.kv_usage(&pending.plugin_id, &pending.key, pending.now).await? + bytes > quota
        {
            return Ok(KvWriteOutcome::OverQuota);
        }
        let outcome = write_one(self.writer(), &pending.plugin_id, &pending.key, &pending.write(), pending.now).await?;
        if let (KvWriteOutcome::Written, Some((_, bytes))) = (outcome, pending.quota_check()) {
            self.kv_batch.add_usage(&pending.plugin_id, bytes);
        }
        Ok(outcome)
    }

    /// Every write of `batch` in order, in one transaction; the outcomes in the same order.
    async fn kv_batch_transaction(&self, batch: &[Pending]) -> Result<Vec<KvWriteOutcome>> {
        // Read before the transaction, on the readers: on SQLite the one writer then
        // waits for no scan. Writes that land in between can only come from another
        // node (this node's batches take turns), which may overshoot as ever.
        let mut usage = self.batch_usage(batch).await?;
        let mut tx = self.writer().begin().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut next = 0;
        while next < batch.len() {
            let run = plain_set_run(&batch[next..], &mut usage);
            if run > 0 {
                upsert_rows(&mut tx, &batch[next..next + run]).await?;
                outcomes.extend(std::iter::repeat_n(KvWriteOutcome::Written, run));
                next += run;
                continue;
            }
            let pending = &batch[next];
            let within = fits_estimate(&mut usage, pending) || within_quota_exactly(&mut tx, pending, &mut usage).await?;
            outcomes.push(if within {
                write_one(&mut *tx, &pending.plugin_id, &pending.key, &pending.write(), pending.now).await?
            } else {
                KvWriteOutcome::OverQuota
            });
            next += 1;
        }
        tx.commit().await?;
        let mut known = self.kv_batch.known_usage();
        for (plugin_id, bytes) in usage {
            if let Some(known) = known.get_mut(plugin_id) {
                known.bytes = bytes;
            }
        }
        Ok(outcomes)
    }
}

/// Whether `write`, over the estimate, is within its quota after all: the exact figure
/// sees the batch's earlier writes and leaves out the value this one replaces.
async fn within_quota_exactly<'a>(tx: &mut sqlx::Transaction<'_, Any>, write: &'a Pending, usage: &mut Usage<'a>) -> Result<bool> {
    let Some((quota, bytes)) = write.quota_check() else { return Ok(true) };
    let used = usage_excluding(&mut **tx, &write.plugin_id, &write.key, write.now).await? + bytes;
    usage.insert(write.plugin_id.as_str(), used);
    Ok(used <= quota)
}

impl Store {
    /// The usage of every plugin of `batch` with a quota to check: the figure kept from
    /// earlier batches while it stands, else read (all such plugins in one statement).
    async fn batch_usage<'a>(&self, batch: &'a [Pending]) -> Result<Usage<'a>> {
        let mut quotas: Vec<(&str, i64)> = batch.iter().filter_map(|w| Some((w.plugin_id.as_str(), w.quota_check()?.0))).collect();
        quotas.sort_unstable();
        quotas.dedup_by_key(|(plugin_id, _)| *plugin_id);
        let mut usage = Usage::new();
        let mut to_read = Vec::new();
        {
            let known = self.kv_batch.known_usage();
            for (plugin_id, quota) in quotas {
                match known.get(plugin_id) {
                    Some(k) if k.read_at.elapsed() < USAGE_FRESH && k.bytes.saturating_mul(2) <= quota => {
                        usage.insert(plugin_id, k.bytes);
                    }
                    _ => to_read.push(plugin_id),
                }
            }
        }
        // The earliest clock of the batch counts every value any of its writes could see.
        let Some(now) = batch.iter().map(|w| w.now).min() else { return Ok(usage) };
        for chunk in to_read.chunks(UPSERT_ROWS) {
            let read_at = Instant::now();
            let read = usage_of(&self.pool, chunk, now).await?;
            let mut known = self.kv_batch.known_usage();
            for plugin_id in chunk {
                let bytes = read.iter().find(|(id, _)| id == plugin_id).map_or(0, |(_, bytes)| *bytes);
                usage.insert(plugin_id, bytes);
                known.insert(plugin_id.to_string(), KnownUsage { bytes, read_at });
            }
        }
        Ok(usage)
    }
}

/// How many writes from the start of `writes` one multi-row upsert can carry: plain
/// sets of distinct keys (PostgreSQL refuses a statement that updates a row twice)
/// that clear their quota on the estimate, at most [`UPSERT_ROWS`].
fn plain_set_run<'a>(writes: &'a [Pending], usage: &mut Usage<'a>) -> usize {
    let mut keys = HashSet::new();
    writes
        .iter()
        .take(UPSERT_ROWS)
        .take_while(|w| {
            w.is_plain_set()
                && !keys.contains(&(w.plugin_id.as_str(), w.key.as_str()))
                && fits_estimate(usage, w)
                && keys.insert((w.plugin_id.as_str(), w.key.as_str()))
        })
        .count()
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
