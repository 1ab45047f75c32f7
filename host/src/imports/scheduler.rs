//! `scheduler`: the plugin's named jobs, kept by the server and run through `job-hooks`; capability `scheduler`.
//!
//! The host checks the capability and converts; the server applies the rules (name
//! and payload size, minimum interval, cron syntax, quota), since they are settings.

use super::WitResult;
use crate::bindings::confab::plugin::scheduler::{Host, Job, Schedule};
use crate::bindings::types::Error;
use crate::capabilities::Capability;
use crate::state::HostState;
use crate::types::{Job as PlainJob, JobSchedule};

impl From<Schedule> for JobSchedule {
    fn from(s: Schedule) -> JobSchedule {
        match s {
            Schedule::At(at) => JobSchedule::At(at),
            Schedule::After(ms) => JobSchedule::After(ms),
            Schedule::Every(ms) => JobSchedule::Every(ms),
            Schedule::Cron(expr) => JobSchedule::Cron(expr),
        }
    }
}

impl From<JobSchedule> for Schedule {
    fn from(s: JobSchedule) -> Schedule {
        match s {
            JobSchedule::At(at) => Schedule::At(at),
            JobSchedule::After(ms) => Schedule::After(ms),
            JobSchedule::Every(ms) => Schedule::Every(ms),
            JobSchedule::Cron(expr) => Schedule::Cron(expr),
        }
    }
}

impl From<PlainJob> for Job {
    fn from(j: PlainJob) -> Job {
        Job { name: j.name, schedule: j.schedule.into(), payload: j.payload, next_run_at: j.next_run_at, runs: j.runs }
    }
}

/// Run a scheduler call after the capability check.
macro_rules! scheduler_op {
    ($state:ident, $call:expr) => {{
        if let Err(e) = $state.require(Capability::Scheduler) {
            return Ok(Err(e));
        }
        Ok($call.map_err(Error::from))
    }};
}

impl Host for HostState {
    async fn schedule_job(&mut self, name: String, when: Schedule, payload: Vec<u8>) -> wasmtime::Result<WitResult<Job>> {
        scheduler_op!(self, self.api.schedule_job(self.plugin_id(), &name, when.into(), payload).await.map(Job::from))
    }

    async fn cancel_job(&mut self, name: String) -> wasmtime::Result<WitResult<bool>> {
        scheduler_op!(self, self.api.cancel_job(self.plugin_id(), &name).await)
    }

    async fn get_job(&mut self, name: String) -> wasmtime::Result<WitResult<Option<Job>>> {
        scheduler_op!(self, self.api.get_job(self.plugin_id(), &name).await.map(|job| job.map(Job::from)))
    }

    async fn list_jobs(&mut self) -> wasmtime::Result<WitResult<Vec<Job>>> {
        scheduler_op!(self, self.api.list_jobs(self.plugin_id()).await.map(|jobs| jobs.into_iter().map(Job::from).collect()))
    }
}
