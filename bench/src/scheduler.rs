//! B13: 10,000 scheduled jobs across 100 plugins all due at one moment: how late each run starts, as the plugin sees it, on SQLite and PostgreSQL.
//!
//! The plugins are the `fx-jobs` fixture under 100 ids. Each schedules its 100 jobs
//! through the real `scheduler` import (`POST /batch`, in chunks that stay well inside
//! the hook deadline), all due at the same time T, chosen far enough ahead that every
//! job is stored before T. Each run writes its own KV key with the guest's wall clock
//! at the start of `run-job`; the start delay of a run is that time minus its due time.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use futures_util::future::try_join_all;

use crate::fixtures;
use crate::report::Row;
use crate::server::{Server, Session, quantile};
use crate::stats::Summary;

/// The budget: every run starts within this of its due time (p99).
const BUDGET_MS: f64 = 1000.0;
/// Jobs one `POST /batch` schedules: each is a database write inside one `serve-http`
/// call (the bench copies ask for a 10 s deadline); one request per plugin keeps a
/// round's setup within the plugin routes' rate limit burst (100, then 10/s per client).
const CHUNK: usize = 100;
/// The plugin routes' sustained rate limit (requests per second per client): a setup
/// answered 429 waits this long per request before trying again.
const RATE_LIMITED_WAIT: Duration = Duration::from_millis(1100);
/// Concurrent setup requests.
const SETUP_CLIENTS: usize = 4;
/// Tries at a due time the setup stays ahead of, the margin doubling each time.
const SETUP_TRIES: usize = 3;
/// How long a round may take after T before the row gives up.
const ROUND_TIMEOUT: Duration = Duration::from_secs(180);

/// How big a run: plugins × jobs per plugin, and rounds per backend.
#[derive(Debug, Clone, Copy)]
struct Size {
    plugins: usize,
    jobs: usize,
    rounds: usize,
    /// How many of [`JOBS`] to run (the smoke run only the first).
    jobs_kinds: usize,
}

impl Size {
    fn new(quick: bool) -> Size {
        if quick { Size { plugins: 10, jobs: 20, rounds: 1, jobs_kinds: 1 } } else { Size { plugins: 100, jobs: 100, rounds: 2, jobs_kinds: JOBS.len() } }
    }

    fn total(self) -> usize {
        self.plugins * self.jobs
    }
}

/// What one round measured, in ms.
struct Round {
    delays: Vec<f64>,
    /// From T to the start of the last run.
    all_started: f64,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn plugin_id(i: usize) -> String {
    format!("bench.jobs-{i}")
}

/// A server with `size.plugins` copies of fx-jobs, signed in.
async fn start(tmp: &Path, name: &str, database_url: Option<&str>, size: Size) -> anyhow::Result<(Server, Session)> {
    let data = tmp.join(name);
    for i in 0..size.plugins {
        fixtures::jobs(&data.join("plugins"), &plugin_id(i))?;
    }
    let server = Server::start(&data, database_url, &[]).await?;
    let session = Session::admin(&server.base, "bench").await?;
    Ok((server, session))
}

/// `POST /plugins/<id>/batch` for every plugin and chunk, `SETUP_CLIENTS` at a time.
async fn schedule_all(session: &Session, size: Size, job: Job, at: i64) -> anyhow::Result<()> {
    let mut requests = Vec::new();
    for i in 0..size.plugins {
        for from in (0..size.jobs).step_by(CHUNK) {
            let count = CHUNK.min(size.jobs - from);
            let kv = u8::from(job.kv);
            requests.push(format!("{}/plugins/{}/batch?from={from}&count={count}&at={at}&kv={kv}", session.base, plugin_id(i)));
        }
    }
    let per_client = requests.len().div_ceil(SETUP_CLIENTS);
    let loops = requests.chunks(per_client).map(|urls| async move {
        for url in urls {
            let mut response = session.client.post(url).bearer_auth(&session.token).send().await?;
            while response.status().as_u16() == 429 {
                tokio::time::sleep(RATE_LIMITED_WAIT).await;
                response = session.client.post(url).bearer_auth(&session.token).send().await?;
            }
            let status = response.status();
            anyhow::ensure!(status.is_success(), "{url}: {status} {}", response.text().await.unwrap_or_default());
        }
        anyhow::Ok(())
    });
    try_join_all(loops).await?;
    Ok(())
}

/// Schedule every job at one due time the setup finishes ahead of; returns it. The
/// first guess comes from timing one plugin's jobs scheduled an hour away.
async fn schedule_round(session: &Session, size: Size, job: Job) -> anyhow::Result<i64> {
    let probe = Instant::now();
    schedule_all(session, Size { plugins: 1, ..size }, job, now_ms() + 3_600_000).await?;
    // The writes queue on one writer (SQLite), so concurrent setup requests do not
    // divide the time: one plugin's time × plugins, with room to spare.
    let estimate = probe.elapsed().as_millis() as i64 * size.plugins as i64;
    let mut margin = 2_000 + estimate * 3 / 2;
    for _ in 0..SETUP_TRIES {
        let at = now_ms() + margin;
        schedule_all(session, size, job, at).await?;
        if now_ms() + 200 < at {
            return Ok(at);
        }
        // Some jobs came due before the last was stored: schedule them all again
        // (the same names, replaced) further ahead; this round's records carry the
        // new due time, so the early runs are not counted.
        margin *= 2;
    }
    anyhow::bail!("scheduling {} jobs took longer than {margin} ms {SETUP_TRIES} times", size.total())
}

/// The server's `/metrics` page.
async fn metrics(session: &Session) -> anyhow::Result<String> {
    let response = session.client.get(format!("{}/metrics", session.base)).bearer_auth(&session.token).send().await?;
    anyhow::ensure!(response.status().is_success(), "/metrics: {}", response.status());
    Ok(response.text().await?)
}

/// The series of gauge `name` as (labels → value in ms), from `/metrics` text.
fn gauges(text: &str, name: &str) -> HashMap<String, i64> {
    let prefix = format!("{name}{{");
    text.lines()
        .filter_map(|line| {
            let (labels, value) = line.strip_prefix(&prefix)?.rsplit_once("} ")?;
            Some((labels.to_string(), value.parse::<f64>().ok()? as i64))
        })
        .collect()
}

/// A counter family of `/metrics` summed over the bench plugins.
async fn counter(session: &Session, family: &str) -> anyhow::Result<u64> {
    let text = metrics(session).await?;
    let prefix = format!("{family}{{plugin_id=\"bench.jobs-");
    Ok(text.lines().filter(|l| l.starts_with(&prefix)).filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok()).sum())
}

const RUNS: &str = "confab_plugin_jobs_runs_total";
const DEFERRED: &str = "confab_plugin_jobs_deferred_total";

/// The job each run does: nothing but recording its start (what the scheduler itself
/// costs), or also one KV write (a job with work of its own).
#[derive(Debug, Clone, Copy)]
struct Job {
    label: &'static str,
    kv: bool,
}

const JOBS: [Job; 2] = [Job { label: "a trivial job", kv: false }, Job { label: "a job writing one KV value", kv: true }];

/// This round's start delays, once every run due at `at` recorded its start; `None`
/// while some have not.
fn delays_of(text: &str, at: i64, size: Size) -> Option<Round> {
    let started = gauges(text, "confab_plugin_custom_timed_started_at");
    let due = gauges(text, "confab_plugin_custom_timed_due_at");
    let mine: Vec<i64> = started.iter().filter(|(series, _)| due.get(*series) == Some(&at)).map(|(_, &t)| t).collect();
    if mine.len() < size.total() {
        return None;
    }
    let last = mine.iter().copied().max().unwrap_or(at);
    Some(Round { delays: mine.iter().map(|t| (t - at) as f64).collect(), all_started: (last - at) as f64 })
}

/// One round: schedule, wait for every run (the cheap run counter first, then the
/// gauges), read this due time's start delays.
async fn round(session: &Session, size: Size, job: Job) -> anyhow::Result<Round> {
    let runs_before = counter(session, RUNS).await?;
    let at = schedule_round(session, size, job).await?;
    tokio::time::sleep(Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0))).await;
    let deadline = Instant::now() + ROUND_TIMEOUT;
    let wanted = runs_before + size.total() as u64;
    loop {
        if counter(session, RUNS).await? >= wanted
            && let Some(round) = delays_of(&metrics(session).await?, at, size)
        {
            return Ok(round);
        }
        anyhow::ensure!(Instant::now() < deadline, "not every run due at {at} started within {ROUND_TIMEOUT:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// One backend: a server, `size.rounds` rounds of each job; figures, and each job whose
/// p99 is over the budget (with the job and that p99).
async fn backend(row: &mut Row, label: &str, tmp: &Path, database_url: Option<&str>, size: Size) -> anyhow::Result<Vec<(Job, f64)>> {
    let (server, session) = start(tmp, &format!("b13-{}", label.to_lowercase()), database_url, size).await?;
    let mut over = Vec::new();
    for job in &JOBS[..size.jobs_kinds] {
        let job = *job;
        let mut rounds = Vec::new();
        for _ in 0..size.rounds {
            rounds.push(round(&session, size, job).await?);
        }
        let name = format!("{label}, {}", job.label);
        let per_round = |f: &dyn Fn(&Round) -> f64| Summary::of(rounds.iter().map(f).collect());
        row.figure(format!("{name}: start delay p50"), "ms", per_round(&|r| quantile(&r.delays, 0.50)));
        row.figure(format!("{name}: start delay p99"), "ms", per_round(&|r| quantile(&r.delays, 0.99)));
        row.figure(format!("{name}: start delay max"), "ms", per_round(&|r| quantile(&r.delays, 1.0)));
        row.figure(format!("{name}: all {} runs started", size.total()), "ms", per_round(&|r| r.all_started));
        let all: Vec<f64> = rounds.iter().flat_map(|r| r.delays.iter().copied()).collect();
        let p99 = quantile(&all, 0.99);
        row.ratios.push((format!("{name}: p99 start delay (all rounds) / 1 s budget"), p99 / BUDGET_MS));
        if p99 > BUDGET_MS {
            over.push((job, p99));
        }
    }
    let deferred = counter(&session, DEFERRED).await?;
    row.figure(format!("{label}: runs held back by the run guard"), "runs", Summary::of(vec![deferred as f64]));
    server.stop().await;
    Ok(over)
}

/// B13 on SQLite, and on PostgreSQL when `CONFAB_TEST_DATABASE_URL` names a server.
pub async fn b13(quick: bool, tmp: &Path) -> anyhow::Result<Row> {
    let size = Size::new(quick);
    let mut row = Row {
        id: "B13",
        what: "scheduled jobs all due at one moment across many plugins (fx-jobs under 100 ids, 100 jobs each, scheduled through the `scheduler` import): \
               each run's start (the plugin's clock when `run-job` begins) minus its due time, SQLite and PostgreSQL",
        figures: vec![],
        ratios: vec![],
        target: "10,000 due jobs across 100 plugins all start within 1 s of their due time (p99)",
        met: None,
        note: String::new(),
        gap: String::new(),
    };
    let schema = confab_server::testing::PgSchema::create("bench-b13").await;
    let mut backends: Vec<(&str, Option<String>)> = vec![("SQLite", None)];
    if let Some(schema) = &schema {
        backends.push(("PostgreSQL", Some(schema.url.clone())));
    }
    let mut gaps = Vec::new();
    let mut writes_over = false;
    for (label, url) in &backends {
        for (job, p99) in backend(&mut row, label, tmp, url.as_deref(), size).await.with_context(|| format!("B13 on {label}"))? {
            gaps.push(format!("{label}, {}: p99 {p99:.0} ms", job.label));
            writes_over |= job.kv;
        }
    }
    row.met = Some(gaps.is_empty());
    row.gap = gaps.join("; ");
    if writes_over {
        row.gap.push_str(
            ". A run that writes holds one of its plugin's two job slots while its write waits for the next batched commit (plugin KV \
             writes that arrive together commit in one transaction), so a plugin's hundred runs start about fifty commit waits apart",
        );
    }
    row.note = note(size, schema.is_none());
    Ok(row)
}

/// How B13 was measured, for its row.
fn note(size: Size, pg_skipped: bool) -> String {
    format!(
        "{} plugins × {} jobs = {} runs due at one time T, {} round(s) of each job per backend on one release `confab` process. Each plugin \
         schedules its jobs over its own HTTP route in chunks of {CHUNK} (the real `scheduler` import, one database write per job), T set far enough \
         ahead that all are stored first. A run's start is the guest's wall clock (WASI) read first thing in `run-job` and published as a gauge (no \
         database write); the trivial job does only that, the other then writes one KV value. So the delay includes the claim, the run guard, the wait \
         for a permit and one of the plugin's job slots, and instantiation. Per-round figures are medians over rounds; the ratios use the p99 over \
         every run of every round. Default job settings (256 runs in flight, half of a plugin's 4 instances for jobs). {}",
        size.plugins,
        size.jobs,
        size.total(),
        size.rounds,
        if pg_skipped { "PostgreSQL was skipped: CONFAB_TEST_DATABASE_URL is not set." } else { "" }
    )
}
