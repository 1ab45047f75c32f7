//! Plugins' scheduled jobs: the use cases behind the `scheduler` host interface (create or replace, cancel, get, list) and the runner that delivers due jobs to `job-hooks`.
//!
//! A plugin has no threads or timers, so the host keeps its jobs in the database
//! (`store/jobs.rs`) and one task per server ([`runner`]) sleeps until the next is due,
//! claims due runs atomically, and calls the plugin's `run-job` under the job deadline
//! and fuel. What keeps a plugin from flooding the server: a quota of jobs, a minimum
//! interval for recurring ones, and [`guard`], which holds back a job name run more
//! than once a second and a plugin past its run rate (each deferral counted).

pub mod guard;
pub mod runner;
mod settler;
mod timing;

use std::collections::BTreeMap;
use std::sync::Mutex;

use confab_host::types::{Job, JobSchedule};
use tokio::sync::Notify;

use crate::domain::Invalid;
use crate::domain::error_ids;
use crate::service::{Error, Result, now_ms};
use crate::store::JobPut;

pub use timing::next_run_after;

/// Limits on plugins' jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSettings {
    /// Most jobs one plugin may hold; a new one past it is `quota-exceeded`.
    pub quota: i64,
    /// Shortest `every` interval, and the shortest gap between two runs of one job
    /// name however it was (re)scheduled, in ms.
    pub min_interval_ms: i64,
    /// Largest payload, in bytes.
    pub max_payload_bytes: usize,
    /// Runs one plugin may start per second, sustained.
    pub runs_per_second: u32,
    /// Runs one plugin may start at once before `runs_per_second` applies.
    pub run_burst: u32,
    /// Job runs in flight on this server at once, over all plugins. A run mostly waits
    /// (on the database, an outbound request), and what it holds, one instance of its
    /// plugin, is bounded per plugin by its job slots anyway; too few permits made a
    /// burst of runs that each write one KV value wait on each other's commits (B13).
    pub concurrency: usize,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings { quota: 1000, min_interval_ms: 1000, max_payload_bytes: 64 * 1024, runs_per_second: 50, run_burst: 500, concurrency: 256 }
    }
}

/// Longest job name, in characters (as KV keys).
pub const MAX_NAME_CHARS: usize = 150;

/// Per-plugin scheduler counters, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounters {
    /// Runs started.
    pub runs: u64,
    /// Runs held back by the guard (a name run twice within the minimum interval, or
    /// the plugin past its run rate).
    pub deferred: u64,
    /// Jobs refused because the plugin held its quota.
    pub quota_refused: u64,
}

/// A counter family of `/metrics`: name, help text, how to read it.
type Series = (&'static str, &'static str, fn(&JobCounters) -> u64);

/// The scheduler's shared state: the runner's wake-up, the guard, the counters.
#[derive(Debug)]
pub struct SchedulerState {
    /// Woken when a job is scheduled or a plugin starts, so the runner re-reads the
    /// next due time instead of sleeping past it.
    pub(crate) wake: Notify,
    pub(crate) guard: Mutex<guard::RunGuard>,
    counters: Mutex<BTreeMap<String, JobCounters>>,
}

impl SchedulerState {
    pub(crate) fn new(settings: &JobSettings) -> SchedulerState {
        SchedulerState { wake: Notify::new(), guard: Mutex::new(guard::RunGuard::new(settings)), counters: Mutex::default() }
    }

    pub(crate) fn count(&self, plugin_id: &str, f: impl FnOnce(&mut JobCounters)) {
        f(self.counters.lock().unwrap().entry(plugin_id.to_string()).or_default());
    }

    /// Every plugin's counters.
    pub fn counters(&self) -> BTreeMap<String, JobCounters> {
        self.counters.lock().unwrap().clone()
    }

    /// Tell the runner to look again (a plugin started, a job was scheduled).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The counters in Prometheus' text format, one series per plugin.
    pub fn render_prometheus(&self) -> String {
        use std::fmt::Write as _;
        let counters = self.counters();
        let mut out = String::new();
        let series: [Series; 3] = [
            ("confab_plugin_jobs_runs_total", "Scheduled job runs started.", |c| c.runs),
            (
                "confab_plugin_jobs_deferred_total",
                "Job runs held back: a job name run again within the minimum interval, or the plugin past its run rate.",
                |c| c.deferred,
            ),
            ("confab_plugin_jobs_quota_refused_total", "Jobs refused because the plugin held its job quota.", |c| c.quota_refused),
        ];
        for (name, help, get) in series {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (plugin, c) in &counters {
                let _ = writeln!(out, "{name}{{plugin_id=\"{}\"}} {}", plugin.replace(['\\', '"', '\n'], "_"), get(c));
            }
        }
        out
    }
}

crate::service::area!(
    /// Plugins' scheduled jobs.
    Scheduler,
    scheduler
);

fn invalid(message: impl Into<String>) -> Error {
    Error::Invalid(Invalid::new(error_ids::scheduler::INVALID_JOB, message))
}

impl Scheduler<'_> {
    /// Create or replace `plugin_id`'s job `name`.
    pub async fn schedule_job(&self, plugin_id: &str, name: &str, schedule: JobSchedule, payload: Vec<u8>) -> Result<Job> {
        let settings = &self.settings().jobs;
        check_name(name)?;
        if payload.len() > settings.max_payload_bytes {
            return Err(invalid(format!("job payloads are limited to {} bytes", settings.max_payload_bytes)));
        }
        let now = now_ms();
        let spec = timing::spec(&schedule, settings.min_interval_ms).map_err(invalid)?;
        let next = timing::first_run(&schedule, now).map_err(invalid)?;
        match self.store().job_put(plugin_id, name, &spec, &payload, next, settings.quota, now).await? {
            JobPut::Stored(stored) => {
                self.jobs().wake();
                timing::to_plugin(stored).map_err(Error::internal)
            }
            JobPut::OverQuota => {
                self.jobs().count(plugin_id, |c| c.quota_refused += 1);
                tracing::warn!(plugin_id, quota = settings.quota, "plugin job refused: quota reached");
                Err(Error::QuotaExceeded(format!("a plugin may hold at most {} jobs", settings.quota)))
            }
        }
    }

    /// Remove a job; `false` when there was none.
    pub async fn cancel_job(&self, plugin_id: &str, name: &str) -> Result<bool> {
        check_name(name)?;
        Ok(self.store().job_delete(plugin_id, name).await?)
    }

    /// One job.
    pub async fn get_job(&self, plugin_id: &str, name: &str) -> Result<Option<Job>> {
        check_name(name)?;
        self.store().job_get(plugin_id, name).await?.map(timing::to_plugin).transpose().map_err(Error::internal)
    }

    /// Every job of the plugin, by name.
    pub async fn list_jobs(&self, plugin_id: &str) -> Result<Vec<Job>> {
        self.store().job_list(plugin_id).await?.into_iter().map(timing::to_plugin).collect::<std::result::Result<_, _>>().map_err(Error::internal)
    }
}

fn check_name(name: &str) -> Result<()> {
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME_CHARS {
        return Err(invalid(format!("job names must be 1 to {MAX_NAME_CHARS} characters, got {n}")));
    }
    Ok(())
}
