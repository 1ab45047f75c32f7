//! Fixture `fx-jobs` (`fx.jobs`): schedules, lists and cancels jobs when a test asks over HTTP, and records every run it gets in KV, so a test sees what the scheduler delivered and when. Two hostile modes: `POST /flood` schedules past the job quota, and a job named `spin…` reschedules itself 1 ms later on every run. For the scheduler benchmark, `POST /batch` schedules many jobs at one time and each of those runs records when it started in a gauge. Contract: tests/plugins/README.md.

use std::time::{SystemTime, UNIX_EPOCH};

use confab_plugin::prelude::*;
use confab_plugin::scheduler::{self, Job, Schedule};
use confab_plugin::{kv, log, metrics};
use serde::{Deserialize, Serialize};

/// KV key of the list of runs.
const RUNS: &str = "runs";

/// One delivered run, as recorded.
#[derive(Clone, Serialize, Deserialize)]
struct Run {
    name: String,
    payload: String,
    due_at: i64,
    recurring: bool,
}

/// Name prefix of the jobs `POST /batch` schedules.
const TIMED: &str = "timed-";

/// Now, in ms since the epoch (the host's wall clock through WASI).
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `POST /schedule` body: the name, exactly one of the schedule fields, the payload.
#[derive(Deserialize)]
struct ScheduleRequest {
    name: String,
    at: Option<i64>,
    after: Option<u64>,
    every: Option<u64>,
    cron: Option<String>,
    #[serde(default)]
    payload: String,
}

impl ScheduleRequest {
    fn schedule(&self) -> Option<Schedule> {
        match (self.at, self.after, self.every, &self.cron) {
            (Some(at), None, None, None) => Some(Schedule::At(at)),
            (None, Some(ms), None, None) => Some(Schedule::After(ms)),
            (None, None, Some(ms), None) => Some(Schedule::Every(ms)),
            (None, None, None, Some(expr)) => Some(Schedule::Cron(expr.clone())),
            _ => None,
        }
    }
}

fn job_json(job: &Job) -> serde_json::Value {
    serde_json::json!({ "name": job.name, "next_run_at": job.next_run_at, "runs": job.runs, "payload": String::from_utf8_lossy(&job.payload) })
}

fn error(e: &Error) -> HttpResponse {
    let status = if matches!(e, Error::QuotaExceeded) { 429 } else { 400 };
    HttpResponse::error(status, &e.to_string())
}

fn schedule(request: &HttpRequest) -> HttpResponse {
    let Ok(body) = request.json::<ScheduleRequest>() else { return HttpResponse::error(400, "bad body") };
    let Some(when) = body.schedule() else { return HttpResponse::error(400, "give exactly one of at, after, every, cron") };
    match scheduler::schedule(&body.name, when, body.payload.as_bytes()) {
        Ok(job) => HttpResponse::json(200, &job_json(&job)),
        Err(e) => error(&e),
    }
}

/// Schedule `count` jobs an hour away until the first refusal; answer how many were
/// accepted and the refusal.
fn flood(request: &HttpRequest) -> HttpResponse {
    let count = request.query_param("count").and_then(|c| c.parse::<u32>().ok()).unwrap_or(0);
    let mut accepted = 0;
    let mut refusal = String::new();
    for i in 0..count {
        match scheduler::schedule(&format!("flood-{i}"), Schedule::After(3_600_000), b"") {
            Ok(_) => accepted += 1,
            Err(e) => {
                refusal = match e {
                    Error::QuotaExceeded => "quota-exceeded".to_owned(),
                    other => other.to_string(),
                };
                break;
            }
        }
    }
    HttpResponse::json(200, &serde_json::json!({ "accepted": accepted, "refusal": refusal }))
}

/// `POST /batch?from=F&count=N&at=T[&kv=1]`: schedule `timed-F` … `timed-<F+N-1>`, all
/// due at `T`; with `kv=1` each run also writes one KV value.
fn batch(request: &HttpRequest) -> HttpResponse {
    let param = |name: &str| request.query_param(name).and_then(|v| v.parse::<i64>().ok());
    let (Some(count), Some(at)) = (param("count"), param("at")) else { return HttpResponse::error(400, "give count and at") };
    let from = param("from").unwrap_or(0);
    let payload: &[u8] = if param("kv") == Some(1) { b"kv" } else { b"" };
    for i in from..from + count {
        if let Err(e) = scheduler::schedule(&format!("{TIMED}{i}"), Schedule::At(at), payload) {
            return error(&e);
        }
    }
    HttpResponse::json(200, &serde_json::json!({ "scheduled": count }))
}

/// A timed run: its start (the guest's wall clock, first thing) and due time as
/// gauges labelled with the job name, so `/metrics` shows every run's start delay
/// without a database write; with payload `kv`, one KV write as the job's work.
fn timed(run: &JobRun) -> Result<()> {
    let started = now_ms();
    metrics::gauge_set("timed_started_at", &[("job", &run.name)], started as f64)?;
    metrics::gauge_set("timed_due_at", &[("job", &run.name)], run.due_at as f64)?;
    if run.payload == b"kv" {
        kv::set(&format!("timed:{}", run.name), started.to_string())?;
    }
    Ok(())
}

#[derive(Default)]
struct Jobs;

#[plugin]
impl Plugin for Jobs {
    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/schedule") => schedule(&request),
            ("POST", "/flood") => flood(&request),
            ("POST", "/batch") => batch(&request),
            ("POST", "/cancel") => match scheduler::cancel(&request.query_param("name").unwrap_or_default()) {
                Ok(cancelled) => HttpResponse::json(200, &serde_json::json!({ "cancelled": cancelled })),
                Err(e) => error(&e),
            },
            ("GET", "/job") => match scheduler::get(&request.query_param("name").unwrap_or_default()) {
                Ok(job) => HttpResponse::json(200, &job.as_ref().map(job_json)),
                Err(e) => error(&e),
            },
            ("GET", "/jobs") => match scheduler::list() {
                Ok(jobs) => HttpResponse::json(200, &jobs.iter().map(job_json).collect::<Vec<_>>()),
                Err(e) => error(&e),
            },
            ("GET", "/runs") => match kv::get_json::<Vec<Run>>(RUNS) {
                Ok(runs) => HttpResponse::json(200, &runs.unwrap_or_default()),
                Err(e) => error(&e),
            },
            _ => HttpResponse::not_found(),
        }
    }

    fn run_job(&self, run: JobRun) -> Result<(), String> {
        if run.name.starts_with(TIMED) {
            return timed(&run).map_err(|e| e.to_string());
        }
        // KV is shared by every node; the node's own log says which node ran it
        // (written first, so a run a test finds in KV is in a log already).
        log::info("fx-jobs ran", &[("run", &format!("{}@{}", run.name, run.due_at))]);
        let record = Run { name: run.name.clone(), payload: String::from_utf8_lossy(&run.payload).into_owned(), due_at: run.due_at, recurring: run.recurring };
        kv::update_json::<Vec<Run>, _>(RUNS, |runs| {
            let mut runs = runs.unwrap_or_default();
            runs.push(record.clone());
            runs
        })?;
        if run.name.starts_with("spin") {
            // The storm: every run asks for the next one a millisecond later.
            scheduler::schedule(&run.name, Schedule::After(1), &run.payload)?;
        }
        if run.payload == b"fail" {
            log::warn("fx-jobs failing on request", &[("job", &run.name)]);
            return Err(format!("job {} failed on request", run.name));
        }
        Ok(())
    }
}
