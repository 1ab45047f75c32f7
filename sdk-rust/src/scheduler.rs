//! Work for later (`scheduler` interface; capability `scheduler`): named jobs the host keeps in its database and hands to [`Plugin::run_job`](crate::Plugin::run_job) when due.
//!
//! A component has no threads or timers, so this is how a plugin acts later: a
//! reminder in ten minutes, a summary every morning. Jobs survive restarts and plugin
//! upgrades; a run missed while the server was down runs once when it is back.
//! Scheduling a name that exists replaces that job. The server caps how many jobs a
//! plugin holds (`Error::QuotaExceeded`), and runs one name at most once a second.
//!
//! ```ignore
//! use confab_plugin::prelude::*;
//! use confab_plugin::scheduler::{self, Schedule};
//!
//! scheduler::schedule("daily-summary", Schedule::Cron("0 9 * * MON-FRI".into()), b"")?;
//! scheduler::schedule_json("remind:42", Schedule::After(10 * 60 * 1000), &("u1", "stand-up"))?;
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bindings::confab::plugin::scheduler as wit;
use crate::error::wit as lift;
use crate::{JobRun, Result};

/// When a job runs (`at` / `after` in ms, `every` in ms of at least 1000, or a
/// five- or six-field cron expression in UTC).
pub use wit::Schedule;

/// A job as the host keeps it.
pub use wit::Job;

/// Creates the job `name`, or replaces the job of that name (its schedule, payload
/// and next run). Returns the job as stored.
pub fn schedule(name: &str, when: Schedule, payload: impl AsRef<[u8]>) -> Result<Job> {
    lift(wit::schedule_job(name, &when, payload.as_ref()))
}

/// [`schedule`] with `value` as the JSON payload; read it back with [`JobRun::json`].
pub fn schedule_json<T: Serialize + ?Sized>(name: &str, when: Schedule, value: &T) -> Result<Job> {
    schedule(name, when, serde_json::to_vec(value)?)
}

/// Removes a job; `false` when there was none.
pub fn cancel(name: &str) -> Result<bool> {
    lift(wit::cancel_job(name))
}

/// One job, `None` when there is none by that name.
pub fn get(name: &str) -> Result<Option<Job>> {
    lift(wit::get_job(name))
}

/// Every job of this plugin, by name.
pub fn list() -> Result<Vec<Job>> {
    lift(wit::list_jobs())
}

impl JobRun {
    /// The payload parsed as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(serde_json::from_slice(&self.payload)?)
    }
}
