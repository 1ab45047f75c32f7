//! One loaded plugin version: its pre-linked component, the exported hook families, a pool of warm instances, and the guarded call path.
//!
//! Every hook call goes through [`PluginRuntime::call`]: check the state, take a pool
//! permit, reuse or create an instance, refill fuel, arm the deadline, run, measure,
//! and on any failure discard the instance and count it towards quarantine.
//! `exports.rs` finds the exported families at load; `lifecycle.rs` holds activation,
//! settings changes and deactivation.

use std::collections::VecDeque;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit, TryAcquireError};
use tracing::Instrument;
use wasmtime::component::InstancePre;
use wasmtime::{Store, Trap};

use crate::convert::PayloadSize;
use crate::deadline::{self, DeadlinePassed, PacedCalls, Pacing};
use crate::error::{CallError, FailureKind};
use crate::families::HookFamily;
use crate::limits::{HealthPolicy, Limits};
use crate::metrics::{LoadTimings, PluginMetrics};
use crate::server_api::ServerApi;
use crate::state::{HostState, PluginIdentity};
use crate::status::{PluginState, PluginStatus};

mod exports;
mod lifecycle;

pub(crate) use exports::{ExportIndices, Exports, MessageHook, Verdict};

/// A warm instance: its own store (so a trap poisons nothing else) and its exports.
pub(crate) struct Instance {
    pub store: Store<HostState>,
    /// Boxed: an instance moves in and out of the idle pool on every call, and the
    /// handles of every hook family are a few kilobytes to copy each way.
    pub exports: Box<Exports>,
    /// The settings generation this instance last saw through `configuration-changed`.
    config_generation: u64,
}

/// What one call may spend: a hook's budget, or a scheduled job's longer one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    /// Fuel refilled before the call.
    pub fuel: u64,
    /// Wall-clock deadline of the call.
    pub deadline: Duration,
    /// How long the call may wait for a free instance: the deadline, except for calls
    /// from another plugin, which must not wait long on instances while their caller
    /// holds one (`dispatch/plugin_http.rs`).
    pub wait: Duration,
    /// The manifest keys that raise them, named in failure messages.
    pub keys: (&'static str, &'static str),
}

impl Budget {
    /// A hook call's budget.
    pub(crate) fn hook(limits: &Limits) -> Budget {
        Budget { fuel: limits.fuel_per_call, deadline: limits.deadline, wait: limits.deadline, keys: ("limits.fuel_per_call", "limits.deadline_ms") }
    }

    /// A scheduled job run's budget.
    pub(crate) fn job(limits: &Limits) -> Budget {
        Budget { fuel: limits.job_fuel, deadline: limits.job_deadline, wait: limits.job_deadline, keys: ("limits.job_fuel", "limits.job_deadline_ms") }
    }
}

/// A boxed hook invocation on one instance.
pub(crate) type HookFuture<'a, R> = Pin<Box<dyn Future<Output = wasmtime::Result<R>> + Send + 'a>>;

/// Host-wide counters shared by every runtime.
#[derive(Debug, Default)]
pub(crate) struct SharedCounters {
    pub compiles: AtomicU64,
    pub cache_hits: AtomicU64,
    pub instantiations: AtomicU64,
    pub background_dropped: AtomicU64,
}

/// One loaded version of one plugin.
pub(crate) struct PluginRuntime {
    pub identity: Arc<PluginIdentity>,
    /// Directory the plugin was loaded from.
    pub path: PathBuf,
    pub limits: Limits,
    pub families: Vec<HookFamily>,
    indices: ExportIndices,
    pre: InstancePre<HostState>,
    api: Arc<dyn ServerApi>,
    health_policy: HealthPolicy,
    /// Fuel between two deadline checks (`EngineOptions::deadline_check_fuel`).
    deadline_check_fuel: u64,
    /// How hook calls share a thread once they run long (`EngineOptions::pacing`).
    pacing: Pacing,
    /// This version's calls past their pacing grace, which share its pacing share.
    paced_calls: PacedCalls,
    /// Idle warm instances. A std mutex: it is held only to push or pop.
    idle: Mutex<Vec<Instance>>,
    /// One permit per instance that may exist; a call holds one while it runs.
    permits: Arc<Semaphore>,
    /// Job runs in flight at once: half the instances (at least one), so long jobs
    /// never take every instance from the hooks on the request path.
    pub(crate) job_slots: Semaphore,
    live: AtomicUsize,
    max_live: AtomicUsize,
    /// Bumped when settings change; instances catch up before their next hook.
    config_generation: AtomicU64,
    state: Mutex<(PluginState, String)>,
    /// `state == Running`, readable without the lock on every call.
    serving: AtomicBool,
    failures: Mutex<VecDeque<Instant>>,
    pub metrics: PluginMetrics,
    counters: Arc<SharedCounters>,
    /// Set once, when this version starts serving.
    load_timings: OnceLock<LoadTimings>,
}

/// What an invocation on one instance produced.
struct Invocation<R> {
    result: Result<R, (FailureKind, String)>,
    fuel: u64,
}

impl PluginRuntime {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        identity: Arc<PluginIdentity>,
        path: PathBuf,
        limits: Limits,
        pre: InstancePre<HostState>,
        indices: ExportIndices,
        api: Arc<dyn ServerApi>,
        health_policy: HealthPolicy,
        deadline_check_fuel: u64,
        pacing: Pacing,
        counters: Arc<SharedCounters>,
    ) -> PluginRuntime {
        let families = indices.families();
        PluginRuntime {
            identity,
            path,
            permits: Arc::new(Semaphore::new(limits.instances)),
            job_slots: Semaphore::new((limits.instances / 2).max(1)),
            limits,
            families,
            indices,
            pre,
            api,
            health_policy,
            deadline_check_fuel,
            pacing,
            paced_calls: PacedCalls::default(),
            idle: Mutex::new(Vec::new()),
            live: AtomicUsize::new(0),
            max_live: AtomicUsize::new(0),
            config_generation: AtomicU64::new(0),
            state: Mutex::new((PluginState::Starting, String::new())),
            serving: AtomicBool::new(false),
            failures: Mutex::new(VecDeque::new()),
            metrics: PluginMetrics::default(),
            counters,
            load_timings: OnceLock::new(),
        }
    }

    pub(crate) fn id(&self) -> &str {
        &self.identity.id
    }

    pub(crate) fn exports(&self, family: HookFamily) -> bool {
        self.families.contains(&family)
    }

    pub(crate) fn state(&self) -> PluginState {
        self.state.lock().unwrap().0
    }

    pub(crate) fn set_state(&self, state: PluginState, error: impl Into<String>) {
        {
            let mut current = self.state.lock().unwrap();
            *current = (state, error.into());
            self.serving.store(state == PluginState::Running, Ordering::Release);
        }
        self.api.plugin_status_changed(&self.status());
    }

    pub(crate) fn status(&self) -> PluginStatus {
        let (state, error) = self.state.lock().unwrap().clone();
        let m = &self.identity.manifest;
        PluginStatus {
            plugin_id: m.id.clone(),
            plugin_path: self.path.display().to_string(),
            state,
            error,
            name: m.name.clone(),
            description: m.description.clone(),
            version: m.version.clone(),
        }
    }

    pub(crate) fn set_load_timings(&self, timings: LoadTimings) {
        let _ = self.load_timings.set(timings);
    }

    pub(crate) fn load_timings(&self) -> Option<LoadTimings> {
        self.load_timings.get().copied()
    }

    /// (live instances, most ever live at once).
    pub(crate) fn instance_counts(&self) -> (usize, usize) {
        (self.live.load(Ordering::Relaxed), self.max_live.load(Ordering::Relaxed))
    }

    /// Run one hook on a pooled instance under the plugin's limits.
    ///
    /// `args` are borrowed by the invocation rather than moved into `f`, so a chain of
    /// plugins lowers the same converted records without copying them once per plugin.
    // Not an `async fn`: a future of its own around `call_within`'s would be one more
    // copy of the call's state on every call.
    pub(crate) fn call<A, R>(
        &self,
        hook: &'static str,
        args: &A,
        f: impl for<'a> FnOnce(&'a mut Instance, &'a A) -> HookFuture<'a, R> + Send,
    ) -> impl Future<Output = Result<R, CallError>>
    where
        A: Sync,
        R: PayloadSize + Send,
    {
        self.call_within(hook, Budget::hook(&self.limits), args, f)
    }

    /// [`PluginRuntime::call`] with another budget (scheduled jobs).
    ///
    /// One state machine for the whole call. The common case (a free permit, an idle
    /// instance with current settings) awaits nothing but the hook; every other await
    /// is boxed, because an async fn's future is as large as its largest await and a
    /// caller's future holds it by value.
    pub(crate) async fn call_within<A, R>(
        &self,
        hook: &'static str,
        budget: Budget,
        args: &A,
        f: impl for<'a> FnOnce(&'a mut Instance, &'a A) -> HookFuture<'a, R> + Send,
    ) -> Result<R, CallError>
    where
        A: Sync,
        R: PayloadSize + Send,
    {
        if !self.serving.load(Ordering::Acquire) {
            return Err(self.refused(hook, None));
        }
        // One clock read times the whole call (and its deadline) in the common case;
        // a call that waited for an instance reads it again after the wait.
        let mut started = Instant::now();
        // Waiting for a free instance is bounded by the deadline too, but it is the
        // server's congestion, not the plugin's fault: it never counts as a failure.
        // A free instance is the common case: take it without arming a timer (a timer
        // per call is a measurable share of a microsecond-scale hook).
        let permit = match self.permits.try_acquire() {
            Ok(permit) => permit,
            Err(TryAcquireError::Closed) => return Err(self.refused(hook, None)),
            Err(TryAcquireError::NoPermits) => match Box::pin(tokio::time::timeout(budget.wait, self.permits.acquire())).await {
                Ok(Ok(permit)) => {
                    started = Instant::now();
                    permit
                }
                Ok(Err(_closed)) => return Err(self.refused(hook, None)),
                Err(_elapsed) => return Err(self.refused(hook, Some(started.elapsed()))),
            },
        };
        let idle = self.idle.lock().unwrap().pop();
        // The deadline runs from `started` unless instantiation or a settings refresh
        // (each under its own deadline) came first.
        let (mut instance, deadline_from) = match idle {
            Some(instance) if !self.config_stale(&instance) => (instance, started),
            idle => match Box::pin(self.ready_instance(idle)).await {
                Ok(instance) => (instance, Instant::now()),
                Err(failure) => return self.finish(hook, permit, started, Err(failure), 0),
            },
        };
        let (result, fuel) = match arm(&mut instance, budget.fuel) {
            Ok(()) => {
                let call = traced(f(&mut instance, args), self.id(), hook);
                let ended = deadline::within(deadline_from, deadline_from + budget.deadline, self.pacing, &self.paced_calls, call).await;
                let fuel = spent(&instance, budget.fuel);
                (self.outcome(&instance, ended, budget).and_then(|value| self.fits_response_limit(value)), fuel)
            }
            Err(failure) => (Err(failure), 0),
        };
        if result.is_ok() {
            self.idle.lock().unwrap().push(instance);
        } else {
            self.retire(instance);
        }
        self.finish(hook, permit, started, result, fuel)
    }

    /// Count a call refused before it reached the plugin: not running (`waited` is
    /// `None`), or no instance free within the wait.
    fn refused(&self, hook: &'static str, waited: Option<Duration>) -> CallError {
        self.metrics.record_refused(hook);
        let plugin_id = self.id().to_string();
        match waited {
            None => CallError::NotRunning { plugin_id },
            Some(waited) => CallError::Busy { plugin_id, waited },
        }
    }

    /// An instance for a call off the common path: a new one when none was idle, or
    /// the idle one brought up to the current settings.
    async fn ready_instance(&self, idle: Option<Instance>) -> Result<Instance, (FailureKind, String)> {
        let mut instance = match idle {
            Some(instance) => instance,
            None => self.create_instance().await?,
        };
        if let Err(failure) = self.refresh_config(&mut instance).await {
            self.retire(instance);
            return Err(failure);
        }
        Ok(instance)
    }

    /// A result larger than the plugin may return is its failure.
    fn fits_response_limit<R: PayloadSize>(&self, value: R) -> Result<R, (FailureKind, String)> {
        let size = value.payload_size();
        if size > self.limits.max_response_bytes {
            return Err((FailureKind::ResponseTooLarge, format!("returned {size} bytes; the limit is {}", self.limits.max_response_bytes)));
        }
        Ok(value)
    }

    /// Give the permit back, record the call, and turn a failure into the caller's
    /// error (counted towards quarantine).
    fn finish<R>(
        &self,
        hook: &'static str,
        permit: SemaphorePermit<'_>,
        started: Instant,
        result: Result<R, (FailureKind, String)>,
        fuel: u64,
    ) -> Result<R, CallError> {
        drop(permit);
        self.metrics.record(hook, started.elapsed(), fuel, result.as_ref().err().map(|(kind, _)| *kind));
        result.map_err(|(kind, detail)| {
            tracing::warn!(plugin_id = %self.id(), hook, %kind, %detail, "plugin hook failed");
            self.record_failure(kind, &detail);
            CallError::Failed { plugin_id: self.id().to_string(), hook, kind, detail }
        })
    }

    /// Run `f` on `instance` with a fresh fuel budget and a deadline from `started`,
    /// paced by `pacing`, and classify any failure: the lifecycle calls' path
    /// (`call_within` does the same inline).
    async fn invoke<R>(
        &self,
        instance: &mut Instance,
        hook: &'static str,
        budget: Budget,
        pacing: Pacing,
        f: impl for<'a> FnOnce(&'a mut Instance) -> HookFuture<'a, R>,
        started: Instant,
    ) -> Invocation<R> {
        if let Err(failure) = arm(instance, budget.fuel) {
            return Invocation { result: Err(failure), fuel: 0 };
        }
        let call = traced(f(instance), self.id(), hook);
        let ended = deadline::within(started, started + budget.deadline, pacing, &self.paced_calls, call).await;
        Invocation { result: self.outcome(instance, ended, budget), fuel: spent(instance, budget.fuel) }
    }

    /// Classify how a call on `instance` ended.
    fn outcome<R>(&self, instance: &Instance, ended: Result<wasmtime::Result<R>, DeadlinePassed>, budget: Budget) -> Result<R, (FailureKind, String)> {
        match ended {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                let kind = classify(&e, instance.store.data().limiter.hit);
                Err((kind, describe(kind, &e, &self.limits, budget)))
            }
            Err(DeadlinePassed) => Err((FailureKind::Deadline, format!("still running after {:?}", budget.deadline))),
        }
    }

    async fn create_instance(&self) -> Result<Instance, (FailureKind, String)> {
        let state = HostState::new(self.identity.clone(), self.api.clone(), self.limits.memory_bytes, self.metrics.memory.clone());
        let mut store = Store::new(self.pre.engine(), state);
        store.limiter(|state| &mut state.limiter);
        // Every `deadline_check_fuel` units the running call yields to the executor:
        // a busy plugin shares its thread, and the deadline timer gets its look.
        store.fuel_async_yield_interval(Some(self.deadline_check_fuel)).map_err(|e| (FailureKind::Host, format!("{e:#}")))?;
        // Instantiation runs start-up code (data segments, constructors): give it the
        // call budget and deadline too.
        store.set_fuel(self.limits.fuel_per_call).map_err(|e| (FailureKind::Host, format!("{e:#}")))?;
        let started = Instant::now();
        let deadline_at = started + self.limits.deadline;
        let instantiated = deadline::within(started, deadline_at, Pacing::UNPACED, &self.paced_calls, Box::pin(self.pre.instantiate_async(&mut store))).await;
        let instance = match instantiated {
            Ok(Ok(instance)) => instance,
            Ok(Err(e)) => {
                let kind = match classify(&e, store.data().limiter.hit) {
                    FailureKind::Host => FailureKind::Instantiate,
                    other => other,
                };
                return Err((kind, format!("instantiation failed: {}", describe(kind, &e, &self.limits, Budget::hook(&self.limits)))));
            }
            Err(_) => return Err((FailureKind::Deadline, "instantiation ran past the deadline".into())),
        };
        let exports = self.indices.load(&mut store, &instance).map_err(|e| (FailureKind::Instantiate, format!("{e:#}")))?;
        self.counters.instantiations.fetch_add(1, Ordering::Relaxed);
        let live = self.live.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_live.fetch_max(live, Ordering::SeqCst);
        // u64::MAX = "never configured": the first refresh always runs.
        Ok(Instance { store, exports: Box::new(exports), config_generation: u64::MAX })
    }

    fn retire(&self, instance: Instance) {
        drop(instance);
        self.live.fetch_sub(1, Ordering::SeqCst);
    }

    /// Count a failure; quarantine when the policy's count is reached within its window.
    fn record_failure(&self, kind: FailureKind, detail: &str) {
        let policy = &self.health_policy;
        if policy.max_failures == 0 {
            return;
        }
        let now = Instant::now();
        let quarantine = {
            let mut failures = self.failures.lock().unwrap();
            failures.push_back(now);
            while failures.front().is_some_and(|t| now.duration_since(*t) > policy.window) {
                failures.pop_front();
            }
            let hit = failures.len() >= policy.max_failures;
            if hit {
                failures.clear();
            }
            hit
        };
        if quarantine {
            let message = format!(
                "plugin failed {} times within {} minutes and was stopped; last failure: {kind}: {detail}",
                policy.max_failures,
                policy.window.as_secs() / 60
            );
            tracing::error!(plugin_id = %self.id(), "{message}");
            let idle: Vec<Instance> = std::mem::take(&mut *self.idle.lock().unwrap());
            for instance in idle {
                self.retire(instance);
            }
            self.set_state(PluginState::FailedToStayRunning, message);
        }
    }
}

/// Refill `fuel` and clear the memory-cap flag before a call.
fn arm(instance: &mut Instance, fuel: u64) -> Result<(), (FailureKind, String)> {
    instance.store.set_fuel(fuel).map_err(|e| (FailureKind::Host, format!("{e:#}")))?;
    instance.store.data_mut().limiter.hit = false;
    Ok(())
}

/// Fuel a call used of the `budget` it was armed with.
fn spent(instance: &Instance, budget: u64) -> u64 {
    budget.saturating_sub(instance.store.get_fuel().unwrap_or(0))
}

/// `call` inside a `plugin_hook` span when debug events can be on. Otherwise the call
/// runs bare: a disabled span still records its fields (tracing's `log`
/// compatibility), a measurable share of a short hook.
fn traced<'a, R: 'a>(call: HookFuture<'a, R>, plugin_id: &str, hook: &'static str) -> HookFuture<'a, R> {
    if tracing::level_enabled!(tracing::Level::DEBUG) { Box::pin(call.instrument(tracing::debug_span!("plugin_hook", plugin_id, hook))) } else { call }
}

/// Map a wasmtime error to a failure kind. A memory-cap hit usually surfaces as the
/// guest aborting on allocation failure, so the limiter's flag wins over the trap code.
fn classify(error: &wasmtime::Error, memory_cap_hit: bool) -> FailureKind {
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => FailureKind::Fuel,
        Some(Trap::StackOverflow) => FailureKind::StackOverflow,
        _ if memory_cap_hit => FailureKind::Memory,
        Some(Trap::UnreachableCodeReached) => FailureKind::Panic,
        Some(_) => FailureKind::Trap,
        None => FailureKind::Host,
    }
}

/// The failure text for statuses and logs. A limit hit names the limit, its value and
/// the manifest key that raises it (a JavaScript or Python runtime may need a bigger
/// budget than a Rust plugin), without the wasm backtrace, which for an interpreter is
/// long and says nothing to an admin. Other failures keep wasmtime's full message.
fn describe(kind: FailureKind, error: &wasmtime::Error, limits: &Limits, budget: Budget) -> String {
    let (fuel_key, deadline_key) = budget.keys;
    match kind {
        FailureKind::Fuel => format!("ran out of fuel: a call may use {} (`{fuel_key}`)", budget.fuel),
        FailureKind::Deadline => format!("ran past its deadline of {} ms (`{deadline_key}`)", budget.deadline.as_millis()),
        FailureKind::Memory => format!("hit its memory cap of {} MiB (`limits.memory_mb`)", limits.memory_bytes >> 20),
        _ => format!("{error:#}"),
    }
}
