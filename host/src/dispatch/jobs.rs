//! Scheduled job delivery: which plugins may run jobs now, and one `run-job` call under the job budget.

use std::time::{Duration, Instant};

use crate::bindings::types::JobRun as WitJobRun;
use crate::error::CallError;
use crate::families::HookFamily;
use crate::host::PluginHost;
use crate::runtime::Budget;
use crate::status::PluginState;
use crate::types::JobRun;

impl PluginHost {
    /// The plugins whose jobs may run now: serving, and exporting `job-hooks`. A
    /// disabled, failed or removed plugin is not among them, so its jobs wait (or, once
    /// removed, are deleted by the server).
    pub fn job_plugins(&self) -> Vec<String> {
        self.snapshot().iter().filter(|r| r.exports(HookFamily::Job) && r.state() == PluginState::Running).map(|r| r.id().to_string()).collect()
    }

    /// Run one due job on `plugin_id` with the job deadline and fuel
    /// (`limits.job_deadline_ms`, `limits.job_fuel`). At most half the plugin's
    /// instances run jobs at once; a further job waits here for a slot, so the hooks on
    /// the request path always find an instance. The run starts within `start_within`
    /// (the wait for a slot and then for an instance) or not at all (`Busy`): the
    /// scheduler's lease on the run must outlast its start plus its deadline.
    /// `Ok(Err(text))` is the plugin's own error; a trap or limit hit is a `CallError`
    /// and counts towards quarantine like any hook failure.
    pub async fn run_job(&self, plugin_id: &str, run: JobRun, start_within: Duration) -> Result<Result<(), String>, CallError> {
        let runtime = self.runtime(plugin_id)?;
        if !runtime.exports(HookFamily::Job) {
            return Err(CallError::NotImplemented { plugin_id: plugin_id.to_string(), hook: "run-job" });
        }
        let waiting = Instant::now();
        let _slot = match tokio::time::timeout(start_within, runtime.job_slots.acquire()).await {
            Ok(Ok(slot)) => slot,
            Ok(Err(_)) => return Err(CallError::NotRunning { plugin_id: plugin_id.to_string() }),
            Err(_) => return Err(CallError::Busy { plugin_id: plugin_id.to_string(), waited: waiting.elapsed() }),
        };
        let budget = Budget::job(&runtime.limits);
        let budget = Budget { wait: budget.wait.min(start_within.saturating_sub(waiting.elapsed())), ..budget };
        let args = WitJobRun { name: run.name, payload: run.payload, due_at: run.due_at, recurring: run.recurring };
        runtime
            .call_within("run-job", budget, &args, |inst, run| {
                Box::pin(async move { inst.exports.job.as_ref().expect("exports job-hooks").call_run_job(&mut inst.store, run).await })
            })
            .await
    }
}
