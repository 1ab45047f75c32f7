//! The soak: a bounded run of posting, WebSocket churn, plugin hot reloads and misbehaving plugins against a real `confab` process, with its resident memory, file descriptors, tokio tasks, threads and database connections compared at baseline and after; `cargo xtask soak`.
//!
//! What "returns to baseline" means per figure, and why:
//! - file descriptors and tokio tasks: back within a few of the baseline (every socket,
//!   file and task the load opened is closed once it stops);
//! - threads: within a few (tokio's blocking pool reaps idle threads after 10 s; the
//!   settle wait is longer);
//! - database connections: at most the pool's size (sqlx keeps idle connections up to
//!   its idle timeout; more than the pool would be a leak);
//! - resident memory: within half again plus 64 MiB of the baseline, and for long runs
//!   no growth over the second half of the run beyond 10 % (the allocator keeps freed
//!   pages, so "back to the baseline" is "not growing", not "the same number").

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::StreamExt;
use serde_json::json;

use crate::fixtures;
use crate::server::{Server, Session};

/// The misbehaving fixtures, each with the message prefix that sets it off.
const MISBEHAVING: &[(&str, &str, &str)] = &[("fx-loop", "fx_loop", "loop"), ("fx-panic", "fx_panic", "panic"), ("fx-memory", "fx_memory", "memory")];
/// The plugin replaced at every reload.
const RELOADED: &str = "bench.soak";
/// Posting clients (besides the one sending the misbehaving triggers).
const POSTERS: usize = 4;
/// The largest pool the server opens (SQLite: 8 readers + 1 writer; PostgreSQL: 16).
const POOL_MAX: usize = 17;

/// How long and how often.
#[derive(Debug, Clone)]
pub struct SoakOptions {
    pub duration: Duration,
    pub reload_every: Duration,
    pub database_url: Option<String>,
}

/// One reading of the server process.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Reading {
    pub at_s: f64,
    pub rss_kib: u64,
    pub fds: usize,
    pub threads: usize,
    pub tasks: Option<u64>,
    pub db_connections: usize,
}

/// Counts of what the run did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Activity {
    pub posts_ok: u64,
    pub posts_failed: u64,
    pub triggers_sent: u64,
    pub triggers_failed: u64,
    pub websocket_sessions: u64,
    pub websocket_failed: u64,
    pub reloads: u64,
    pub reloads_failed: u64,
}

/// The run's outcome.
#[derive(Debug, serde::Serialize)]
pub struct SoakReport {
    pub seconds: f64,
    pub backend: &'static str,
    pub baseline: Reading,
    pub after: Reading,
    pub peak_rss_kib: u64,
    pub series: Vec<Reading>,
    pub activity: Activity,
    /// Broken expectations; empty when the run passed.
    pub failures: Vec<String>,
}

pub async fn run(options: &SoakOptions, tmp: &Path) -> anyhow::Result<SoakReport> {
    let data = tmp.join("soak");
    for (dir, wasm, _) in MISBEHAVING {
        let plugin = data.join("plugins").join(dir);
        std::fs::create_dir_all(&plugin)?;
        std::fs::copy(fixtures::repo_root().join("tests/plugins").join(dir).join("plugin.json"), plugin.join("plugin.json"))?;
        std::fs::copy(fixtures::wasm(wasm)?, plugin.join("server.wasm"))?;
    }
    let server = Server::start(&data, options.database_url.as_deref(), &["--enable-plugin-uploads", "true"]).await?;
    let pid = server.pid().context("the server's pid")?;
    let session = Session::admin(&server.base, "soak").await?;
    let mut version = 1;
    crate::reload::upload_as(&session, RELOADED, version, false).await?;
    admin_post(&session, &format!("/api/v4/plugins/{RELOADED}/permissions/approve")).await?;
    admin_post(&session, &format!("/api/v4/plugins/{RELOADED}/enable")).await?;
    // Warm up every path once, then let the server settle before the baseline.
    let _ = crate::server::post_load(&session, 1, Duration::from_millis(300), |i| format!("warm {i}")).await;
    let _ = websocket_session(&session).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let started = Instant::now();
    let probe = Probe::new(&session);
    let baseline = probe.read(pid, started).await;

    let stop = Arc::new(AtomicBool::new(false));
    let counters = Arc::new(Counters::default());
    let mut tasks = Vec::new();
    for c in 0..POSTERS {
        tasks.push(tokio::spawn(poster(session.clone(), stop.clone(), counters.clone(), c)));
    }
    tasks.push(tokio::spawn(triggers(session.clone(), stop.clone(), counters.clone())));
    tasks.push(tokio::spawn(churn(session.clone(), stop.clone(), counters.clone())));

    let mut series = vec![baseline];
    let (mut next_reload, mut next_sample) = (started + options.reload_every, started + Duration::from_secs(10));
    let (mut reloads, mut reloads_failed) = (0, 0);
    while started.elapsed() < options.duration {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if Instant::now() >= next_reload {
            next_reload += options.reload_every;
            version += 1;
            reloads += 1;
            if reload(&session, version).await.is_err() {
                reloads_failed += 1;
            }
        }
        if Instant::now() >= next_sample {
            next_sample += Duration::from_secs(10);
            series.push(probe.read(pid, started).await);
        }
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await?;
    }
    let seconds = started.elapsed().as_secs_f64();

    // The load's keep-alive connections end with its client, as a departing client's
    // would; the server must then give back their sockets and tasks.
    drop(session);
    // Settle: the figures get up to 30 s to come back.
    let settle_until = Instant::now() + Duration::from_secs(30);
    let mut after = probe.read(pid, started).await;
    while !within(&baseline, &after).is_empty() && Instant::now() < settle_until {
        tokio::time::sleep(Duration::from_secs(1)).await;
        after = probe.read(pid, started).await;
    }
    series.push(after);
    server.stop().await;

    let activity = counters.activity(reloads, reloads_failed);
    let peak_rss_kib = series.iter().map(|r| r.rss_kib).max().unwrap_or_default();
    let failures = failures(&baseline, &after, &series, &activity);
    let backend = if options.database_url.is_some() { "PostgreSQL" } else { "SQLite" };
    Ok(SoakReport { seconds, backend, baseline, after, peak_rss_kib, series, activity, failures })
}

/// Every broken expectation of a run: figures not back at their baseline, steady
/// growth, and load that did not run or failed.
fn failures(baseline: &Reading, after: &Reading, series: &[Reading], activity: &Activity) -> Vec<String> {
    let mut failures = within(baseline, after);
    failures.extend(growth(series));
    if activity.posts_ok == 0 || activity.websocket_sessions == 0 {
        failures.push(format!("the load did not run: {activity:?}"));
    }
    if activity.posts_failed > 0 {
        failures.push(format!("{} ordinary posts failed", activity.posts_failed));
    }
    if activity.reloads_failed > 0 {
        failures.push(format!("{} of {} reloads failed", activity.reloads_failed, activity.reloads));
    }
    failures
}

/// What is not back at its baseline (see the module comment for the tolerances).
fn within(baseline: &Reading, after: &Reading) -> Vec<String> {
    let mut out = Vec::new();
    if after.fds > baseline.fds + 5 {
        out.push(format!("file descriptors {} → {}", baseline.fds, after.fds));
    }
    if after.threads > baseline.threads + 4 {
        out.push(format!("threads {} → {}", baseline.threads, after.threads));
    }
    if let (Some(b), Some(a)) = (baseline.tasks, after.tasks)
        && a > b + 5
    {
        out.push(format!("tokio tasks {b} → {a}"));
    }
    if after.db_connections > POOL_MAX {
        out.push(format!("database connections {} → {} (pool at most {POOL_MAX})", baseline.db_connections, after.db_connections));
    }
    if after.rss_kib > baseline.rss_kib * 3 / 2 + 64 * 1024 {
        out.push(format!("resident memory {} MiB → {} MiB", baseline.rss_kib / 1024, after.rss_kib / 1024));
    }
    out
}

/// Over a run of at least five minutes: memory in the last sample of the run against
/// the sample at its midpoint (the load still on in both), more than 10 % is growth.
fn growth(series: &[Reading]) -> Option<String> {
    let during = &series[..series.len().saturating_sub(1)];
    let last = during.last()?;
    if last.at_s < 300.0 {
        return None;
    }
    let mid = during.iter().find(|r| r.at_s >= last.at_s / 2.0)?;
    (last.rss_kib > mid.rss_kib + mid.rss_kib / 10)
        .then(|| format!("resident memory grew over the second half of the run: {} MiB → {} MiB", mid.rss_kib / 1024, last.rss_kib / 1024))
}

#[derive(Default)]
struct Counters {
    posts_ok: AtomicU64,
    posts_failed: AtomicU64,
    triggers_sent: AtomicU64,
    triggers_failed: AtomicU64,
    websocket_sessions: AtomicU64,
    websocket_failed: AtomicU64,
}

impl Counters {
    fn activity(&self, reloads: u64, reloads_failed: u64) -> Activity {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Activity {
            posts_ok: get(&self.posts_ok),
            posts_failed: get(&self.posts_failed),
            triggers_sent: get(&self.triggers_sent),
            triggers_failed: get(&self.triggers_failed),
            websocket_sessions: get(&self.websocket_sessions),
            websocket_failed: get(&self.websocket_failed),
            reloads,
            reloads_failed,
        }
    }
}

/// An ordinary client posting in a loop (with a short pause, so the soak is a steady
/// load, not a saturation test).
async fn poster(session: Session, stop: Arc<AtomicBool>, counters: Arc<Counters>, c: usize) {
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let ok = post(&session, &format!("soak {c} {i}")).await;
        let counter = if ok { &counters.posts_ok } else { &counters.posts_failed };
        counter.fetch_add(1, Ordering::Relaxed);
        i += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every second a message that sets off one of the misbehaving plugins; a stopped or
/// quarantined plugin fails open, so these must still be answered (any status).
async fn triggers(session: Session, stop: Arc<AtomicBool>, counters: Arc<Counters>) {
    let mut i = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let (_, _, prefix) = MISBEHAVING[i % MISBEHAVING.len()];
        let answered = session
            .client
            .post(format!("{}/api/v4/posts", session.base))
            .bearer_auth(&session.token)
            .json(&json!({ "channel_id": session.channel_id, "message": format!("{prefix} {i}") }))
            .send()
            .await
            .is_ok();
        counters.triggers_sent.fetch_add(1, Ordering::Relaxed);
        if !answered {
            counters.triggers_failed.fetch_add(1, Ordering::Relaxed);
        }
        i += 1;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// WebSocket churn: connect, wait for `hello`, disconnect, again and again.
async fn churn(session: Session, stop: Arc<AtomicBool>, counters: Arc<Counters>) {
    while !stop.load(Ordering::Relaxed) {
        let counter = if websocket_session(&session).await.is_ok() { &counters.websocket_sessions } else { &counters.websocket_failed };
        counter.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn websocket_session(session: &Session) -> anyhow::Result<()> {
    let url = format!("{}/api/v4/websocket", session.base.replacen("http", "ws", 1));
    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url.as_str())?;
    request.headers_mut().insert("authorization", format!("Bearer {}", session.token).parse()?);
    let (mut stream, _) = tokio::time::timeout(Duration::from_secs(10), tokio_tungstenite::connect_async(request)).await??;
    let hello = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(message) = stream.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(text) = message?
                && text.contains("\"hello\"")
            {
                return Ok(());
            }
        }
        anyhow::bail!("closed before hello")
    })
    .await?;
    let _ = stream.close(None).await;
    hello
}

/// Replace the reloaded plugin with its next version, and give the misbehaving plugins
/// a fresh start (disable, enable: a quarantined plugin serves again and misbehaves again).
async fn reload(session: &Session, version: u32) -> anyhow::Result<()> {
    crate::reload::upload_as(session, RELOADED, version, true).await?;
    for (dir, _, _) in MISBEHAVING {
        let id = format!("fx.{}", dir.trim_start_matches("fx-"));
        let _ = admin_post(session, &format!("/api/v4/plugins/{id}/disable")).await;
        let _ = admin_post(session, &format!("/api/v4/plugins/{id}/enable")).await;
    }
    Ok(())
}

async fn post(session: &Session, message: &str) -> bool {
    let response = session
        .client
        .post(format!("{}/api/v4/posts", session.base))
        .bearer_auth(&session.token)
        .json(&json!({ "channel_id": session.channel_id, "message": message }))
        .send()
        .await;
    response.is_ok_and(|r| r.status().as_u16() == 201)
}

async fn admin_post(session: &Session, path: &str) -> anyhow::Result<()> {
    let response = session.client.post(format!("{}{path}", session.base)).bearer_auth(&session.token).json(&json!({})).send().await?;
    anyhow::ensure!(response.status().is_success(), "{path} answered {}", response.status());
    Ok(())
}

/// Reads the server's figures from /proc and its /metrics, over a connection of its
/// own that is not kept alive (so the reading adds no socket or task of its own).
struct Probe {
    client: reqwest::Client,
    metrics: String,
    token: String,
}

impl Probe {
    fn new(session: &Session) -> Probe {
        let client =
            reqwest::Client::builder().no_proxy().pool_max_idle_per_host(0).timeout(Duration::from_secs(30)).build().expect("client settings are valid");
        Probe { client, metrics: format!("{}/metrics", session.base), token: session.token.clone() }
    }

    async fn read(&self, pid: u32, started: Instant) -> Reading {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok()).unwrap_or(0);
        let links: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|d| d.filter_map(Result::ok).filter_map(|e| std::fs::read_link(e.path()).ok()).map(|p| p.display().to_string()).collect())
            .unwrap_or_default();
        let (db_connections, db_fds) = db_connections(&links);
        Reading {
            at_s: started.elapsed().as_secs_f64(),
            rss_kib: field("VmRSS:"),
            fds: links.len() - db_fds,
            threads: field("Threads:") as usize,
            tasks: self.alive_tasks().await,
            db_connections,
        }
    }

    /// `confab_runtime_alive_tasks` from /metrics, if the server exports it.
    async fn alive_tasks(&self) -> Option<u64> {
        let text = self.client.get(&self.metrics).bearer_auth(&self.token).send().await.ok()?.text().await.ok()?;
        text.lines().find_map(|l| l.strip_prefix("confab_runtime_alive_tasks ")).and_then(|v| v.trim().parse().ok())
    }
}

/// Open database connections and the descriptors they hold: SQLite connections are
/// the open `confab.db` files (each also holds its `-wal` and `-shm` descriptors),
/// PostgreSQL ones the process' TCP sockets to port 5432. The descriptors are counted
/// apart so that the pool growing to its size is not mistaken for a descriptor leak.
fn db_connections(links: &[String]) -> (usize, usize) {
    let sqlite = links.iter().filter(|l| l.ends_with("confab.db")).count();
    let sqlite_fds = links.iter().filter(|l| l.contains("confab.db")).count();
    let inodes: std::collections::HashSet<&str> = links.iter().filter_map(|l| l.strip_prefix("socket:[")?.strip_suffix(']')).collect();
    let mut postgres = 0;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for line in std::fs::read_to_string(table).unwrap_or_default().lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // remote address is column 2 (`ADDR:PORT` in hex), the inode column 9.
            if cols.len() > 9 && cols[2].ends_with(":1538") && inodes.contains(cols[9]) {
                postgres += 1;
            }
        }
    }
    (sqlite + postgres, sqlite_fds + postgres)
}

/// The report as a Markdown section (kept in BENCHMARKS.md across regenerations).
pub fn markdown(report: &SoakReport, options: &SoakOptions) -> String {
    let (b, a) = (&report.baseline, &report.after);
    let tasks = |r: &Reading| r.tasks.map_or("n/a".to_string(), |t| t.to_string());
    let act = &report.activity;
    let mut out = String::new();
    out.push_str(&format!(
        "## Soak\n\nWritten by `cargo xtask soak --record` ({:.0} s, {}, {} build, {} cores); `cargo xtask bench` keeps this section. \
         4 clients post continuously (20 ms pause), a fifth sends a message that sets off fx-loop, fx-panic or fx-memory every second, \
         a WebSocket connects, waits for `hello` and disconnects every 100 ms, and every {} s a plugin is replaced by upload (force) and the misbehaving \
         plugins are disabled and re-enabled (so a quarantined one misbehaves again). Readings from `/proc/<pid>` and `/metrics`; \"after\" is once the load \
         stopped and the figures settled (at most 30 s).\n\n",
        report.seconds,
        report.backend,
        if cfg!(debug_assertions) { "dev" } else { "release" },
        std::thread::available_parallelism().map(usize::from).unwrap_or(1),
        options.reload_every.as_secs()
    ));
    out.push_str("| figure | baseline | peak during | after | rule |\n|---|---|---|---|---|\n");
    let peak = |f: fn(&Reading) -> u64| report.series.iter().map(f).max().unwrap_or_default();
    out.push_str(&format!(
        "| resident memory (MiB) | {:.1} | {:.1} | {:.1} | after ≤ 1.5 × baseline + 64 MiB; ≤ 10 % growth over the run's second half |\n",
        b.rss_kib as f64 / 1024.0,
        report.peak_rss_kib as f64 / 1024.0,
        a.rss_kib as f64 / 1024.0
    ));
    out.push_str(&format!("| open file descriptors (besides the database's) | {} | {} | {} | after ≤ baseline + 5 |\n", b.fds, peak(|r| r.fds as u64), a.fds));
    out.push_str(&format!("| threads | {} | {} | {} | after ≤ baseline + 4 |\n", b.threads, peak(|r| r.threads as u64), a.threads));
    out.push_str(&format!("| tokio tasks | {} | {} | {} | after ≤ baseline + 5 |\n", tasks(b), peak(|r| r.tasks.unwrap_or(0)), tasks(a)));
    out.push_str(&format!(
        "| database connections | {} | {} | {} | ≤ the pool's size ({POOL_MAX}) |\n",
        b.db_connections,
        peak(|r| r.db_connections as u64),
        a.db_connections
    ));
    out.push_str(&format!(
        "\nActivity: {} posts ({} failed), {} misbehaving-plugin triggers ({} unanswered), {} WebSocket sessions ({} failed), {} reloads ({} failed). Result: {}.\n",
        act.posts_ok + act.posts_failed,
        act.posts_failed,
        act.triggers_sent,
        act.triggers_failed,
        act.websocket_sessions + act.websocket_failed,
        act.websocket_failed,
        act.reloads,
        act.reloads_failed,
        if report.failures.is_empty() { "every figure back within its rule".to_string() } else { format!("**failed**: {}", report.failures.join("; ")) }
    ));
    out
}

/// Begin and end markers of the soak section in BENCHMARKS.md.
pub const SECTION_START: &str = "<!-- soak:start -->";
pub const SECTION_END: &str = "<!-- soak:end -->";

/// The soak section of an existing BENCHMARKS.md, markers included.
pub fn section_of(text: &str) -> Option<&str> {
    let start = text.find(SECTION_START)?;
    let end = text[start..].find(SECTION_END)? + start + SECTION_END.len();
    Some(&text[start..end])
}

/// `text` with its soak section replaced by (or, without one, followed by) `section`.
pub fn with_section(text: &str, section: &str) -> String {
    let block = format!("{SECTION_START}\n{}\n{SECTION_END}", section.trim_end());
    match section_of(text) {
        Some(old) => text.replacen(old, &block, 1),
        None => format!("{}\n\n{block}\n", text.trim_end()),
    }
}
