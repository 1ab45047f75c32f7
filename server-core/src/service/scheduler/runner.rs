//! The job runner: one task that sleeps until the next due job (or a wake-up), claims due runs in batches ahead of its permits, runs them under a bounded number of concurrent runs, plugins taking turns, and settles them in batches.
//!
//! It never polls: the sleep ends at the earliest `next_run_at` of the plugins that
//! may run jobs, when a job is scheduled, a run ends or a plugin starts
//! ([`SchedulerState::wake`]), or after [`MAX_SLEEP`] at the latest (so jobs other
//! nodes wrote are seen). Claimed runs wait in a queue for a permit; one claim
//! statement fills it, and while claims come back full (a burst of due jobs) each
//! claims twice as many as the last, up to [`MOST_CLAIMED`] and to what the runs of
//! late have shown can start in time, so a burst costs a few claims, not one per run.
//! Finished runs are written back by the [`Settler`] in batches. A run starts within
//! [`START_WITHIN_MS`] of its claim or is given back, so even the longest run ends
//! inside its lease. The runner holds the services weakly between passes, so a
//! stopped server releases its database; on stop, runs in flight are cancelled and
//! their claims (and the queued ones) given back, so they run at the next start, and
//! the finished ones are settled.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use confab_host::CallError;
use confab_host::types::JobRun;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

use super::settler::Settler;
use super::{SchedulerState, next_run_after};
use crate::ids::new_id;
use crate::service::{Services, WeakServices, now_ms};
use crate::store::{JobFinish, Store, StoredJob};

/// Longest sleep between two looks at the table.
pub const MAX_SLEEP: Duration = Duration::from_secs(30);
/// How long a claimed run stays claimed: past the longest job deadline a plugin can be
/// given (300 s), so only a node that died mid-run lets it lapse.
const LEASE_MS: i64 = 6 * 60 * 1000;
/// A claimed run starts within this of its claim (the queue, the wait for a permit, a
/// job slot and an instance) or is given back: started later, the longest run (300 s)
/// could outlast the lease and another node could run it again.
const START_WITHIN_MS: i64 = 30 * 1000;
/// Most runs claimed by one statement (and so most runs queued).
const MOST_CLAIMED: usize = 4096;
/// After a database error, wait this long before the next look.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// A run the plugin had no free instance for is tried again this much later.
const BUSY_RETRY_MS: i64 = 1000;

/// Runs claimed and not yet settled: id → (token, when due), given back on stop.
type Claims = Arc<Mutex<HashMap<String, (String, i64)>>>;

/// The running runner; [`Runner::stop`] ends it.
pub struct Runner {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Runner {
    /// Start the runner over `services`' store and host; `None` without a host.
    pub fn spawn(services: &Services) -> Option<Runner> {
        services.host()?;
        let (stop, stopped) = watch::channel(false);
        let concurrency = services.settings().jobs.concurrency.max(1);
        let loop_ = Loop {
            services: services.downgrade(),
            store: services.store().clone(),
            state: services.jobs().clone(),
            limit: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            claim_size: 2 * concurrency,
            last_claim: None,
            claims: Claims::default(),
            settler: Settler::spawn(services.store().clone(), services.jobs().clone()),
            queue: VecDeque::new(),
            in_flight: JoinSet::new(),
        };
        Some(Runner { stop, task: tokio::spawn(loop_.run(stopped)) })
    }

    /// Stop claiming, cancel the runs in flight and give their claims back.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Stop `runner`, if there is one (a server without plugins has none).
pub async fn stop(runner: Option<Runner>) {
    if let Some(runner) = runner {
        runner.stop().await;
    }
}

/// What to do after a pass.
enum Next {
    /// More runs are due than were claimed: go again.
    Now,
    /// Every permit is taken and runs wait for one: wait for a run to finish.
    Saturated,
    /// Sleep until this time (ms), or [`MAX_SLEEP`].
    At(Option<i64>),
    /// The services are gone.
    Exit,
}

struct Loop {
    services: WeakServices,
    store: Store,
    state: Arc<SchedulerState>,
    limit: Arc<Semaphore>,
    /// The permits `limit` started with.
    concurrency: usize,
    /// How many runs the next claim fills the queue up to: doubles while claims come
    /// back full (never past what can start within [`START_WITHIN_MS`] at the rate
    /// runs started since the last claim), back to twice `concurrency` once one does
    /// not.
    claim_size: usize,
    /// When the last claim was made, and the queue's length right after it.
    last_claim: Option<(i64, usize)>,
    claims: Claims,
    settler: Settler,
    /// Claimed runs waiting for a permit, in [`take_turns`] order, each with the time
    /// it must start by ([`START_WITHIN_MS`]).
    queue: VecDeque<(StoredJob, i64)>,
    in_flight: JoinSet<()>,
}

impl Loop {
    async fn run(mut self, mut stopped: watch::Receiver<bool>) {
        loop {
            while self.in_flight.try_join_next().is_some() {}
            let next = match self.pass().await {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!(error = %e, "job runner: database error; trying again shortly");
                    Next::At(Some(now_ms() + RETRY_AFTER.as_millis() as i64))
                }
            };
            let sleep = match next {
                Next::Exit => break,
                Next::Now => continue,
                Next::Saturated => MAX_SLEEP,
                Next::At(at) => at.map_or(MAX_SLEEP, |t| Duration::from_millis(u64::try_from(t - now_ms()).unwrap_or(0)).min(MAX_SLEEP)),
            };
            let saturated = matches!(next, Next::Saturated);
            tokio::select! {
                _ = stopped.changed() => break,
                () = self.state.wake.notified() => {}
                () = tokio::time::sleep(sleep) => {}
                Some(_) = self.in_flight.join_next(), if saturated => {}
            }
        }
        self.shut_down().await;
    }

    /// Start queued runs while permits are free; top the queue up when it runs low (one
    /// claim for the next `claim_size` runs) and start more.
    async fn pass(&mut self) -> Result<Next, crate::store::Error> {
        let Some(services) = self.services.upgrade() else { return Ok(Next::Exit) };
        let Some(host) = services.host() else { return Ok(Next::Exit) };
        self.give_back_expired();
        self.start_queued(&services);
        if self.queue.len() >= self.concurrency {
            return Ok(Next::Saturated);
        }
        let plugins = host.job_plugins();
        let wanted = self.claim_size.saturating_sub(self.queue.len()).max(1);
        let now = now_ms();
        let token = new_id();
        let claimed = self.store.job_claim(&plugins, now, now + LEASE_MS, &token, wanted as i64).await?;
        let more_due = claimed.len() == wanted;
        // What can start within the window at the rate runs left the queue since the
        // last claim (half of it, for margin): a long-running backlog does not hold
        // thousands of claims other nodes could be running.
        let in_time = self.last_claim.map_or(MOST_CLAIMED, |(at, queued)| {
            let started = queued.saturating_sub(self.queue.len()) as i64;
            usize::try_from(started * (START_WITHIN_MS / 2) / (now - at).max(1)).unwrap_or(0)
        });
        self.claim_size = if more_due { (2 * self.claim_size).min(MOST_CLAIMED).min(in_time).max(2 * self.concurrency) } else { 2 * self.concurrency };
        {
            let mut claims = self.claims.lock().unwrap();
            for job in &claimed {
                claims.insert(job.id.clone(), (token.clone(), job.due_at));
            }
        }
        let start_by = now + START_WITHIN_MS;
        self.queue = take_turns(self.queue.drain(..).chain(claimed.into_iter().map(|job| (job, start_by))));
        self.last_claim = Some((now, self.queue.len()));
        self.start_queued(&services);
        if !self.queue.is_empty() {
            return Ok(Next::Saturated);
        }
        if more_due {
            return Ok(Next::Now);
        }
        Ok(Next::At(self.store.job_next_due(&plugins).await?))
    }

    /// Start queued runs while permits are free.
    fn start_queued(&mut self, services: &Services) {
        while !self.queue.is_empty() {
            let Ok(permit) = self.limit.clone().try_acquire_owned() else { break };
            let (job, start_by) = self.queue.pop_front().expect("the queue is not empty");
            self.start(services, job, permit, start_by);
        }
    }

    /// Run one claimed job on its own task, holding `permit` until it has run, then
    /// hand its settle to the settler.
    fn start(&mut self, services: &Services, job: StoredJob, permit: OwnedSemaphorePermit, start_by: i64) {
        let (services, claims, settles) = (services.clone(), self.claims.clone(), self.settler.sender());
        self.in_flight.spawn(async move {
            let id = job.id.clone();
            let finished = run_one(&services, job, start_by).await;
            // No await from here to the send: a run aborted by a stop is either still
            // claimed (given back) or handed to the settler, never both.
            claims.lock().unwrap().remove(&id);
            match finished {
                Ok(Some(finish)) => {
                    let _ = settles.send(finish);
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, job_id = %id, "job runner: could not give a run back"),
            }
            drop(permit);
            // A permit is free, and the row's next time changed (due again, held back,
            // deleted): the runner's timer was set while it was claimed.
            services.jobs().wake();
        });
    }

    /// Give back, in one task, the queued runs that can no longer start within
    /// [`START_WITHIN_MS`] of their claim: each is due again at once, and the next claim
    /// takes it with a fresh lease.
    fn give_back_expired(&mut self) {
        let now = now_ms();
        if self.queue.iter().all(|(_, start_by)| *start_by >= now) {
            return;
        }
        let (expired, kept): (Vec<_>, Vec<_>) = self.queue.drain(..).partition(|(_, start_by)| *start_by < now);
        self.queue = kept.into();
        tracing::debug!(runs = expired.len(), "job runner: queued runs outwaited their start window; given back");
        let (store, claims, state) = (self.store.clone(), self.claims.clone(), self.state.clone());
        self.in_flight.spawn(async move {
            for (job, _) in expired {
                if let Err(e) = store.job_release(&job.id, &job.claim_token, job.due_at).await {
                    tracing::warn!(error = %e, job_id = %job.id, "job runner: could not give a claim back; it lapses on its own");
                }
                claims.lock().unwrap().remove(&job.id);
            }
            // Due again now: the runner's timer was set while they were claimed.
            state.wake();
        });
    }

    async fn shut_down(mut self) {
        self.in_flight.abort_all();
        while self.in_flight.join_next().await.is_some() {}
        self.settler.close().await;
        let claims: Vec<_> = self.claims.lock().unwrap().drain().collect();
        for (id, (token, due_at)) in claims {
            if let Err(e) = self.store.job_release(&id, &token, due_at).await {
                tracing::warn!(error = %e, job_id = %id, "job runner: could not give a claim back; it lapses on its own");
            }
        }
    }
}

/// `runs` ordered so plugins take turns: every plugin's earliest run, then every
/// plugin's second, and so on, each turn earliest due first. A plugin runs only a few
/// jobs at once (half its instances), so a stretch of one plugin's runs would hold
/// every permit waiting on it while other plugins' runs wait behind.
fn take_turns<T>(runs: impl Iterator<Item = (StoredJob, T)>) -> VecDeque<(StoredJob, T)> {
    let mut runs: Vec<(StoredJob, T)> = runs.collect();
    runs.sort_by_key(|(job, _)| job.due_at);
    let mut turns: HashMap<String, usize> = HashMap::new();
    let mut ranked: Vec<(usize, (StoredJob, T))> = runs
        .into_iter()
        .map(|run| {
            let turn = turns.entry(run.0.plugin_id.clone()).or_default();
            *turn += 1;
            (*turn, run)
        })
        .collect();
    ranked.sort_by_key(|(turn, (job, _))| (*turn, job.due_at));
    ranked.into_iter().map(|(_, run)| run).collect()
}

/// Run one claimed job if it can start by `start_by`, or give it back (the guard holds
/// it back, its plugin stopped or had no slot or instance free in time). A run that
/// happened is returned for the settler.
async fn run_one(services: &Services, job: StoredJob, start_by: i64) -> Result<Option<JobFinish>, crate::store::Error> {
    let store = services.store();
    let state = services.jobs();
    let now = now_ms();
    let held = state.guard.lock().unwrap().admit(&job.plugin_id, &job.name, job.due_at, now);
    if let Some(later) = held {
        state.count(&job.plugin_id, |c| c.deferred += 1);
        tracing::debug!(plugin_id = %job.plugin_id, job = %job.name, later, "job run held back by the guard");
        return store.job_release(&job.id, &job.claim_token, later).await.map(|()| None);
    }
    let Some(host) = services.host() else { return store.job_release(&job.id, &job.claim_token, job.due_at).await.map(|()| None) };
    let recurring = matches!(job.kind.as_str(), "every" | "cron");
    let run = JobRun { name: job.name.clone(), payload: job.payload.clone(), due_at: job.due_at, recurring };
    let start_within = Duration::from_millis(u64::try_from(start_by - now).unwrap_or(0));
    match host.run_job(&job.plugin_id, run, start_within).await {
        // The plugin stopped between the claim and the call: the run waits for it.
        Err(CallError::NotRunning { .. } | CallError::UnknownPlugin { .. } | CallError::NotImplemented { .. }) => {
            store.job_release(&job.id, &job.claim_token, job.due_at).await.map(|()| None)
        }
        Err(CallError::Busy { .. }) => store.job_release(&job.id, &job.claim_token, now + BUSY_RETRY_MS).await.map(|()| None),
        outcome => {
            state.count(&job.plugin_id, |c| c.runs += 1);
            if let Ok(Err(message)) = &outcome {
                tracing::warn!(plugin_id = %job.plugin_id, job = %job.name, %message, "plugin job returned an error");
            }
            let next_run_at = if recurring { next_run_after(&job, now) } else { None };
            Ok(Some(JobFinish { id: job.id, token: job.claim_token, next_run_at }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(plugin: &str, name: &str, due_at: i64) -> StoredJob {
        StoredJob {
            id: format!("{plugin}/{name}"),
            plugin_id: plugin.into(),
            name: name.into(),
            kind: "at".into(),
            value: due_at,
            cron: String::new(),
            payload: Vec::new(),
            next_run_at: 0,
            due_at,
            claim_token: "t".into(),
            runs: 0,
        }
    }

    #[test]
    fn plugins_take_turns_earliest_first() {
        let runs = vec![run("a", "1", 10), run("a", "2", 10), run("a", "3", 11), run("b", "1", 12), run("c", "1", 5), run("b", "2", 12)];
        let order: Vec<String> = take_turns(runs.into_iter().map(|j| (j, ()))).into_iter().map(|(j, ())| j.id).collect();
        assert_eq!(order, ["c/1", "a/1", "b/1", "a/2", "b/2", "a/3"]);
    }
}
