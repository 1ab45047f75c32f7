//! S1: one node's unit costs for the sizing model of docs/scaling.md — resident memory per idle and per active WebSocket connection, server CPU per created post, and server CPU per delivered event.
//!
//! All three are read from the server process itself (`/proc/<pid>/status` `VmRSS`,
//! `/proc/<pid>/stat` user + system time), so the load generator sharing the machine
//! does not enter them. The database's own CPU is not counted (on PostgreSQL it is
//! another process, on the shared test server another tenant's too); the sizing model
//! sizes the database from Mattermost's reference architectures instead.
//!
//! Fan-out is measured as a difference inside one run: posts into channels of 100
//! whose members are all connected, against posts into channels of 100 whose members
//! are not. Everything else about the two (membership size, unread bookkeeping,
//! recipient lookup) is the same, so what is left is the cost of the deliveries.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::fanout::{CHANNEL_SIZE, Member, seed};
use crate::report::Row;
use crate::server::{Server, Session};
use crate::stats::Summary;

/// Concurrent posting loops in a window.
const LOOPS: usize = 8;

/// The server process's resident memory (bytes) and CPU time so far.
#[derive(Debug, Clone, Copy)]
struct Usage {
    rss_bytes: f64,
    cpu: Duration,
}

impl Usage {
    fn of(pid: u32, ticks_per_second: f64) -> anyhow::Result<Usage> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let rss_kib: f64 =
            status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.split_whitespace().next()).context("VmRSS in /proc/<pid>/status")?.parse()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
        // Fields after the command name (which may hold spaces) start at field 3;
        // utime and stime are fields 14 and 15.
        let after = stat.rsplit_once(')').context("/proc/<pid>/stat has a command name")?.1;
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: f64 = fields.get(11).context("utime")?.parse::<f64>()? + fields.get(12).context("stime")?.parse::<f64>()?;
        Ok(Usage { rss_bytes: rss_kib * 1024.0, cpu: Duration::from_secs_f64(ticks / ticks_per_second) })
    }
}

/// `getconf CLK_TCK`, the unit of `/proc/<pid>/stat` times (100 almost everywhere).
fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf").arg("CLK_TCK").output().ok().and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok()).unwrap_or(100.0)
}

/// Connect `members` over WebSockets; each connection counts the `posted` frames it
/// receives into `delivered`.
async fn connect(ws_url: &str, members: &[&Member], delivered: &Arc<AtomicU64>) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let mut readers = Vec::with_capacity(members.len());
    for member in members {
        let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws_url)?;
        request.headers_mut().insert("authorization", format!("Bearer {}", member.token).parse()?);
        let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
        let (mut stream, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), false).await?;
        let delivered = delivered.clone();
        readers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Text(text) = message
                    && text.as_str().contains("\"event\":\"posted\"")
                {
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    Ok(readers)
}

/// Post for `window` from [`LOOPS`] loops, each post by one of `posters` (in turn) into
/// that poster's channel; the number of posts the server answered 201.
async fn post_window(client: &reqwest::Client, base: &str, posters: &[(String, String)], window: Duration) -> anyhow::Result<u64> {
    let deadline = Instant::now() + window;
    let posters = Arc::new(posters.to_vec());
    let mut loops = Vec::new();
    for l in 0..LOOPS {
        let (client, url, posters) = (client.clone(), format!("{base}/api/v4/posts"), posters.clone());
        loops.push(tokio::spawn(async move {
            let (mut ok, mut failed, mut i) = (0u64, 0u64, l);
            while Instant::now() < deadline {
                let (token, channel_id) = &posters[i % posters.len()];
                let sent = client.post(&url).bearer_auth(token).json(&json!({ "channel_id": channel_id, "message": format!("s1 post {i}") })).send().await;
                if sent.is_ok_and(|r| r.status().as_u16() == 201) {
                    ok += 1
                } else {
                    failed += 1
                }
                i += LOOPS;
            }
            (ok, failed)
        }));
    }
    let (mut ok, mut failed) = (0, 0);
    for task in loops {
        let (o, f) = task.await?;
        ok += o;
        failed += f;
    }
    anyhow::ensure!(failed == 0, "{failed} of {} create-post requests failed", ok + failed);
    Ok(ok)
}

/// What the measured windows gave, per round.
#[derive(Default)]
struct Samples {
    quiet_post_us: Vec<f64>,
    loud_post_us: Vec<f64>,
    delivery_us: Vec<f64>,
    delivered_ratio: Vec<f64>,
}

pub async fn s1(quick: bool, tmp: &Path) -> anyhow::Result<Row> {
    let (connected, window, rounds) = if quick { (200, Duration::from_secs(2), 2) } else { (2_000, Duration::from_secs(5), 6) };
    let mut row = Row {
        id: "S1",
        what: "one node's unit costs for the sizing model (docs/scaling.md): memory per WebSocket, CPU per post, CPU per delivered event",
        figures: vec![],
        ratios: vec![],
        target: "report (inputs of docs/scaling.md)",
        met: None,
        note: String::new(),
        gap: String::new(),
    };
    let data = tmp.join("s1");
    std::fs::create_dir_all(&data)?;
    let schema = confab_server::testing::PgSchema::create("bench S1").await;
    let database_url = schema.as_ref().map_or_else(|| confab_server::testing::sqlite_url(&data), |s| s.url.clone());
    let backend = if schema.is_some() { "PostgreSQL" } else { "SQLite (CONFAB_TEST_DATABASE_URL not set)" };
    let server = Server::start(&data, Some(&database_url), &[]).await?;
    let pid = server.pid().context("the server runs")?;
    let hz = ticks_per_second();
    let admin = Session::admin(&server.base, "bench").await?;
    let team: serde_json::Value = admin.client.get(format!("{}/api/v4/teams/name/bench", server.base)).bearer_auth(&admin.token).send().await?.json().await?;
    let team_id = team["id"].as_str().context("team id")?.to_string();
    // Channels 0..n/100 get their members connected ("loud"), the rest stay "quiet".
    let (members, channels) = seed(&database_url, &team_id, connected * 2).await?;
    let loud_channels = connected / CHANNEL_SIZE;
    let posters = |loud: bool| -> Vec<(String, String)> {
        members.iter().filter(|m| (m.channel < loud_channels) == loud).map(|m| (m.token.clone(), channels[m.channel].clone())).collect()
    };
    let (quiet, loud) = (posters(false), posters(true));

    // Warm up (pools, caches, allocator) on quiet channels, then memory before and
    // after connecting.
    post_window(&admin.client, &server.base, &quiet, Duration::from_secs(1)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = Usage::of(pid, hz)?;
    let delivered = Arc::new(AtomicU64::new(0));
    let ws_url = format!("{}/api/v4/websocket", server.base.replacen("http", "ws", 1));
    let listeners: Vec<&Member> = members.iter().filter(|m| m.channel < loud_channels).collect();
    let readers = connect(&ws_url, &listeners, &delivered).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = Usage::of(pid, hz)?;

    let mut samples = Samples::default();
    for _ in 0..rounds {
        let (quiet_us, _) = measure(&admin.client, &server.base, &quiet, window, pid, hz, &delivered).await?;
        let (loud_us, deliveries_per_post) = measure(&admin.client, &server.base, &loud, window, pid, hz, &delivered).await?;
        samples.quiet_post_us.push(quiet_us);
        samples.loud_post_us.push(loud_us);
        samples.delivery_us.push((loud_us - quiet_us) / deliveries_per_post.max(1.0));
        samples.delivered_ratio.push(deliveries_per_post / CHANNEL_SIZE as f64);
    }
    let active = Usage::of(pid, hz)?;
    server.stop().await;
    for reader in readers {
        let _ = reader.await;
    }
    drop(schema);

    let per_connection = |after: Usage| (after.rss_bytes - before.rss_bytes) / connected as f64 / 1024.0;
    row.figure("resident memory per idle WebSocket", "KiB", Summary::of(vec![per_connection(idle)]));
    row.figure("resident memory per WebSocket after the posts", "KiB", Summary::of(vec![per_connection(active)]));
    row.figure("server CPU per post, channel of 100, none connected", "µs", Summary::of(samples.quiet_post_us));
    row.figure("server CPU per post, channel of 100, all connected", "µs", Summary::of(samples.loud_post_us));
    row.figure("server CPU per delivered event (difference / deliveries)", "µs", Summary::of(samples.delivery_us));
    row.ratios.push(("deliveries / (posts × 100)".into(), Summary::of(samples.delivered_ratio).median));
    row.note = format!(
        "{} ({}); {connected} WebSockets in {loud_channels} channels of {CHANNEL_SIZE}, as many members never connected; {rounds} rounds of a {window:?} \
         window on quiet channels then one on connected ones, {LOOPS} posting loops. Server process only: `VmRSS` and user+system time from /proc \
         (tick {:.0} ms); the database's CPU is not included. Memory is the resident growth over the server before connecting, divided by the connections.",
        backend,
        crate::report::Machine::detect(quick).cpu,
        1000.0 / hz,
    );
    Ok(row)
}

/// One window: server CPU per acknowledged post (µs) and `posted` deliveries per post.
async fn measure(
    client: &reqwest::Client,
    base: &str,
    posters: &[(String, String)],
    window: Duration,
    pid: u32,
    hz: f64,
    delivered: &AtomicU64,
) -> anyhow::Result<(f64, f64)> {
    let (start, delivered_before) = (Usage::of(pid, hz)?, delivered.load(Ordering::Relaxed));
    let posts = post_window(client, base, posters, window).await?;
    // Let the last deliveries go out before reading the clock, in both kinds of window.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let end = Usage::of(pid, hz)?;
    let deliveries = delivered.load(Ordering::Relaxed) - delivered_before;
    anyhow::ensure!(posts > 0, "no post was acknowledged in a {window:?} window");
    Ok(((end.cpu - start.cpu).as_secs_f64() * 1e6 / posts as f64, deliveries as f64 / posts as f64))
}
