//! Plugins' scheduled jobs: create or replace within a quota, list, cancel, and the runner's atomic claim of due runs.
//!
//! The claim is one `UPDATE ... WHERE next_run_at <= now` that moves `next_run_at` to
//! the end of a lease and stamps a token, so on PostgreSQL two nodes claiming at once
//! get disjoint rows (the second re-checks the condition on the row it waited for and
//! skips it), and a node that dies mid-run leaves the job due again when the lease
//! lapses.

use std::collections::{HashMap, HashSet};

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Backend, Result, Store};

/// A job's schedule as stored: `kind` is `at`, `after`, `every` or `cron`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSpec {
    /// `at`, `after`, `every` or `cron`.
    pub kind: &'static str,
    /// The time (`at`), delay (`after`) or interval (`every`) in ms; 0 for `cron`.
    pub value: i64,
    /// The cron expression; empty otherwise.
    pub cron: String,
}

/// One row of `plugin_jobs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJob {
    pub id: String,
    pub plugin_id: String,
    pub name: String,
    pub kind: String,
    pub value: i64,
    pub cron: String,
    pub payload: Vec<u8>,
    pub next_run_at: i64,
    /// When the claimed run was due.
    pub due_at: i64,
    /// The claim this row was returned under ('' outside a claim).
    pub claim_token: String,
    pub runs: i64,
}

const COLUMNS: &str = "id, plugin_id, name, kind, value, cron, payload, next_run_at, due_at, claim_token, runs";

fn job(row: &AnyRow) -> Result<StoredJob, sqlx::Error> {
    Ok(StoredJob {
        id: row.try_get("id")?,
        plugin_id: row.try_get("plugin_id")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        value: row.try_get("value")?,
        cron: row.try_get("cron")?,
        payload: row.try_get("payload")?,
        next_run_at: row.try_get("next_run_at")?,
        due_at: row.try_get("due_at")?,
        claim_token: row.try_get("claim_token")?,
        runs: row.try_get("runs")?,
    })
}

/// Most ids bound by one settling statement (well inside both databases' limits).
const SETTLE_CHUNK: usize = 500;

/// A finished run for [`Store::job_finish_many`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFinish {
    pub id: String,
    /// The claim it ran under.
    pub token: String,
    /// When a recurring job is due next; `None` deletes a one-shot job.
    pub next_run_at: Option<i64>,
}

/// `$first, $first+1, ...` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// What [`Store::job_put`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobPut {
    /// Stored (created or replaced).
    Stored(StoredJob),
    /// The plugin already holds `quota` jobs and this name is not one of them.
    OverQuota,
}

impl Store {
    /// Create the job `name` of `plugin_id`, or replace its schedule and payload. A
    /// new job is refused when the plugin already has `quota` jobs; on SQLite the
    /// count and the insert are serialized by the writer, on PostgreSQL concurrent
    /// creations of one plugin may overshoot the quota by their own number, never more.
    /// Replacing a job mid-run clears the run's claim, so its end leaves the new
    /// schedule alone.
    // Each argument is one column or rule of the single write; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub async fn job_put(&self, plugin_id: &str, name: &str, spec: &JobSpec, payload: &[u8], next_run_at: i64, quota: i64, now: i64) -> Result<JobPut> {
        let mut tx = self.writer().begin().await?;
        let replaced = sqlx::query(
            "UPDATE plugin_jobs SET kind = $3, value = $4, cron = $5, payload = $6, next_run_at = $7, claim_token = '', update_at = $8 \
             WHERE plugin_id = $1 AND name = $2",
        )
        .bind(plugin_id)
        .bind(name)
        .bind(spec.kind)
        .bind(spec.value)
        .bind(&spec.cron)
        .bind(payload.to_vec())
        .bind(next_run_at)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if replaced == 0 {
            let inserted = sqlx::query(
                "INSERT INTO plugin_jobs (id, plugin_id, name, kind, value, cron, payload, next_run_at, create_at, update_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $9 WHERE (SELECT COUNT(*) FROM plugin_jobs WHERE plugin_id = $2) < $10",
            )
            .bind(crate::ids::new_id())
            .bind(plugin_id)
            .bind(name)
            .bind(spec.kind)
            .bind(spec.value)
            .bind(&spec.cron)
            .bind(payload.to_vec())
            .bind(next_run_at)
            .bind(now)
            .bind(quota)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(JobPut::OverQuota);
            }
        }
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM plugin_jobs WHERE plugin_id = $1 AND name = $2"))
            .bind(plugin_id)
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        let stored = job(&row)?;
        tx.commit().await?;
        Ok(JobPut::Stored(stored))
    }

    /// Remove a job; `false` when there was none.
    pub async fn job_delete(&self, plugin_id: &str, name: &str) -> Result<bool> {
        let n =
            sqlx::query("DELETE FROM plugin_jobs WHERE plugin_id = $1 AND name = $2").bind(plugin_id).bind(name).execute(self.writer()).await?.rows_affected();
        Ok(n > 0)
    }

    /// One job.
    pub async fn job_get(&self, plugin_id: &str, name: &str) -> Result<Option<StoredJob>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM plugin_jobs WHERE plugin_id = $1 AND name = $2"))
            .bind(plugin_id)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(job).transpose()?)
    }

    /// Every job of a plugin, by name in byte order (as `kv_list`).
    pub async fn job_list(&self, plugin_id: &str) -> Result<Vec<StoredJob>> {
        let order = match self.backend {
            Backend::Sqlite => "name",
            Backend::Postgres => "name COLLATE \"C\"",
        };
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM plugin_jobs WHERE plugin_id = $1 ORDER BY {order}")).bind(plugin_id).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(job).collect::<Result<_, _>>()?)
    }

    /// The earliest `next_run_at` among the jobs of `plugin_ids` (claimed ones count
    /// with their lease end), for the runner's timer.
    pub async fn job_next_due(&self, plugin_ids: &[String]) -> Result<Option<i64>> {
        if plugin_ids.is_empty() {
            return Ok(None);
        }
        let sql = format!("SELECT MIN(next_run_at) FROM plugin_jobs WHERE plugin_id IN ({})", placeholders(1, plugin_ids.len()));
        let mut query = sqlx::query_scalar::<_, Option<i64>>(&sql);
        for id in plugin_ids {
            query = query.bind(id);
        }
        Ok(query.fetch_one(&self.pool).await?)
    }

    /// Claim up to `limit` jobs of `plugin_ids` due at `now`, plugins taking turns:
    /// every plugin's earliest due run, then every plugin's second, and so on, each turn
    /// earliest first (so one plugin's backlog cannot fill a batch while others wait).
    /// Each gets `token`, its due time moves to `due_at`, and `next_run_at` to
    /// `lease_until`. Returns the claimed rows.
    pub async fn job_claim(&self, plugin_ids: &[String], now: i64, lease_until: i64, token: &str, limit: i64) -> Result<Vec<StoredJob>> {
        if plugin_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = placeholders(5, plugin_ids.len());
        // The outer `next_run_at <= $1` is what makes the claim atomic across nodes:
        // PostgreSQL re-evaluates it on a row another claim changed meanwhile.
        let sql = format!(
            "UPDATE plugin_jobs SET due_at = next_run_at, next_run_at = $2, claim_token = $3, update_at = $1 \
             WHERE next_run_at <= $1 AND id IN (SELECT id FROM (\
               SELECT id, next_run_at, ROW_NUMBER() OVER (PARTITION BY plugin_id ORDER BY next_run_at) AS turn \
               FROM plugin_jobs WHERE next_run_at <= $1 AND plugin_id IN ({ids})) AS due \
             ORDER BY turn, next_run_at LIMIT $4) \
             RETURNING {COLUMNS}"
        );
        let mut query = sqlx::query(&sql).bind(now).bind(lease_until).bind(token).bind(limit);
        for id in plugin_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(self.writer()).await?;
        let mut jobs: Vec<StoredJob> = rows.iter().map(job).collect::<Result<_, _>>()?;
        // RETURNING keeps no order: earliest due first, as claimed.
        jobs.sort_by_key(|j| j.due_at);
        Ok(jobs)
    }

    /// End a claimed run: a one-shot job (`next_run_at` = `None`) is deleted, a
    /// recurring one is due next at `next_run_at`. [`Store::job_finish_many`] for one.
    pub async fn job_finish(&self, id: &str, token: &str, next_run_at: Option<i64>, now: i64) -> Result<()> {
        self.job_finish_many(&[JobFinish { id: id.to_string(), token: token.to_string(), next_run_at }], now).await
    }

    /// End many claimed runs in one transaction: each one-shot job is deleted, each
    /// recurring one is due next at its `next_run_at`; either only if the claim is
    /// still the run's own (the job was not replaced or cancelled meanwhile). A run
    /// whose claim had changed is still counted while its row exists. The one-shot
    /// runs of a claim go in one statement, so a burst of due jobs costs a write per
    /// batch, not per run.
    pub async fn job_finish_many(&self, runs: &[JobFinish], now: i64) -> Result<()> {
        if runs.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer().begin().await?;
        let mut settled: HashSet<String> = HashSet::with_capacity(runs.len());
        let mut one_shots: HashMap<&str, Vec<&str>> = HashMap::new();
        for run in runs {
            match run.next_run_at {
                None => one_shots.entry(run.token.as_str()).or_default().push(run.id.as_str()),
                Some(next) => {
                    let n = sqlx::query(
                        "UPDATE plugin_jobs SET next_run_at = $3, claim_token = '', runs = runs + 1, update_at = $4 WHERE id = $1 AND claim_token = $2",
                    )
                    .bind(&run.id)
                    .bind(&run.token)
                    .bind(next)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n > 0 {
                        settled.insert(run.id.clone());
                    }
                }
            }
        }
        for (token, ids) in one_shots {
            for chunk in ids.chunks(SETTLE_CHUNK) {
                let sql = format!("DELETE FROM plugin_jobs WHERE claim_token = $1 AND id IN ({}) RETURNING id", placeholders(2, chunk.len()));
                let mut query = sqlx::query_scalar::<_, String>(&sql).bind(token);
                for id in chunk {
                    query = query.bind(*id);
                }
                settled.extend(query.fetch_all(&mut *tx).await?);
            }
        }
        // Rare: a job replaced or cancelled mid-run. Its run happened; count it.
        let unsettled: Vec<&str> = runs.iter().map(|r| r.id.as_str()).filter(|id| !settled.contains(*id)).collect();
        for chunk in unsettled.chunks(SETTLE_CHUNK) {
            let sql = format!("UPDATE plugin_jobs SET runs = runs + 1 WHERE id IN ({})", placeholders(1, chunk.len()));
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Give a claimed run back without running it (its plugin stopped meanwhile, or
    /// the run was deferred): due again at `next_run_at`.
    pub async fn job_release(&self, id: &str, token: &str, next_run_at: i64) -> Result<()> {
        sqlx::query("UPDATE plugin_jobs SET next_run_at = $3, claim_token = '' WHERE id = $1 AND claim_token = $2")
            .bind(id)
            .bind(token)
            .bind(next_run_at)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
