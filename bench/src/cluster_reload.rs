//! B11: a forced plugin upload on one node of a three-node cluster (one PostgreSQL schema, NATS) while clients post through the plugin's message hook on every node: how long until all three nodes serve the new version, and whether any request failed.
//!
//! Each node is a real `confab serve` process with `--cluster-nats-url`; the upload
//! goes to node 1 only, the other nodes install the bundle from the database when the
//! change is announced on the bus. A node serves version n from the first post sent to
//! it that came back rewritten by version n, provided no post sent to it later came
//! back older. The row is skipped (with a note) without PostgreSQL
//! (`CONFAB_TEST_DATABASE_URL`) or a NATS server at `CONFAB_TEST_NATS_URL`
//! (default `nats://127.0.0.1:4222`).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::reload::{PLUGIN_ID, Sample, admin_post, bundle, start_posters, upload};
use crate::report::Row;
use crate::server::{Server, Session};
use crate::stats::Summary;

const NODES: usize = 3;
/// Posting clients per node (the machine is shared by three servers and this process).
const CLIENTS_PER_NODE: usize = 4;
/// Longest wait for every node to serve a version before the run is called failed.
const CONVERGE_LIMIT: Duration = Duration::from_secs(10);

/// The NATS server the cluster uses, if one answers.
pub(crate) fn nats_url() -> Option<String> {
    let url = std::env::var("CONFAB_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let addr = url.strip_prefix("nats://").unwrap_or(&url).to_string();
    let reachable = std::net::ToSocketAddrs::to_socket_addrs(&addr)
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok());
    reachable.then_some(url)
}

fn row() -> Row {
    Row {
        id: "B11",
        what: "cluster hot reload: three nodes on one PostgreSQL schema and NATS, 4 clients per node posting through a message hook while the plugin is \
               force-uploaded to node 1 three times",
        figures: vec![],
        ratios: vec![],
        target: "all three nodes serve the new version ≤ 2 s after the upload answered; 0 failed requests",
        met: None,
        note: String::new(),
        gap: String::new(),
    }
}

/// Start the three nodes on one schema; node 1's admin session, and one per node.
async fn start_cluster(tmp: &Path, db_url: &str, nats: &str) -> anyhow::Result<(Vec<Server>, Vec<Session>)> {
    let mut servers = Vec::new();
    for n in 1..=NODES {
        let data = tmp.join(format!("b11-node{n}"));
        let node_id = format!("b11-node{n}");
        let args = ["--enable-plugin-uploads", "true", "--cluster-nats-url", nats, "--cluster-node-id", &node_id];
        servers.push(Server::start(&data, Some(db_url), &args).await?);
    }
    let admin = Session::admin(&servers[0].base, "bench").await?;
    // A session is a database row: the same token works on every node.
    let sessions = servers.iter().map(|s| Session { base: s.base.clone(), ..admin.clone() }).collect();
    Ok((servers, sessions))
}

/// When each node (index) first served version `n` for good, measured from `done`.
fn converged_ms(per_node: &[Vec<Sample>], n: u32, done: Instant) -> Vec<Option<f64>> {
    per_node
        .iter()
        .map(|samples| {
            // The last post sent to this node that still saw an older version...
            let last_old = samples.iter().filter(|s| s.ok && s.version.is_some_and(|v| v < n)).map(|s| s.sent).max();
            // ...and the first one after it that saw n or later.
            samples
                .iter()
                .filter(|s| s.ok && s.version.is_some_and(|v| v >= n) && last_old.is_none_or(|old| s.sent > old))
                .map(|s| s.sent)
                .min()
                .map(|first| first.saturating_duration_since(done).as_secs_f64() * 1e3)
        })
        .collect()
}

pub async fn b11(quick: bool, tmp: &Path) -> anyhow::Result<Row> {
    let mut row = row();
    let Some(nats) = nats_url() else {
        row.note = "skipped: no NATS server answered (set CONFAB_TEST_NATS_URL or run nats-server -js on 127.0.0.1:4222).".into();
        return Ok(row);
    };
    let Some(schema) = confab_server::testing::PgSchema::create("bench-b11").await else {
        row.note = "skipped: cluster mode needs PostgreSQL and CONFAB_TEST_DATABASE_URL is not set.".into();
        return Ok(row);
    };
    let (servers, sessions) = start_cluster(tmp, &schema.url, &nats).await?;
    let admin = &sessions[0];
    upload(admin, bundle(1)?, false).await?;
    admin_post(admin, &format!("/api/v4/plugins/{PLUGIN_ID}/permissions/approve")).await?;
    admin_post(admin, &format!("/api/v4/plugins/{PLUGIN_ID}/enable")).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let posters: Vec<_> = sessions.iter().map(|s| start_posters(s, CLIENTS_PER_NODE, &stop)).collect();
    // Version 1 reaches every node before the swaps start.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rounds = if quick { 1 } else { 3 };
    let mut swaps = Vec::new();
    for n in 2..2 + rounds {
        let started = Instant::now();
        upload(admin, bundle(n)?, true).await?;
        swaps.push((n, started, Instant::now()));
        tokio::time::sleep(CONVERGE_LIMIT.min(Duration::from_secs(4))).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut per_node = Vec::new();
    for node in posters {
        let mut samples = Vec::new();
        for poster in node {
            samples.extend(poster.await?);
        }
        per_node.push(samples);
    }
    for server in servers {
        server.stop().await;
    }
    drop(schema);

    let total: usize = per_node.iter().map(Vec::len).sum();
    let failed: usize = per_node.iter().flatten().filter(|s| !s.ok).count();
    let (mut all_ms, mut other_ms, mut never) = (Vec::new(), Vec::new(), 0usize);
    for &(n, _, done) in &swaps {
        let times = converged_ms(&per_node, n, done);
        never += times.iter().filter(|t| t.is_none()).count();
        other_ms.extend(times[1..].iter().flatten());
        if times.iter().all(Option::is_some) {
            all_ms.push(times.iter().flatten().fold(0.0, |a: f64, &b| a.max(b)));
        }
    }
    let upload_ms: Vec<f64> = swaps.iter().map(|&(_, started, done)| (done - started).as_secs_f64() * 1e3).collect();
    row.figure("upload round trip on node 1 (unpack, check, compile, place, store the bundle, swap, answer)", "ms", Summary::of(upload_ms));
    let all = row.figure("upload answered → all three nodes serve the new version", "ms", Summary::of(all_ms.clone()));
    row.figure("upload answered → another node serves it (nodes 2 and 3)", "ms", Summary::of(other_ms));
    row.figure("requests during the run", "requests", Summary::of(vec![total as f64]));
    row.figure("failed requests", "requests", Summary::of(vec![failed as f64]));
    row.met = Some(failed == 0 && never == 0 && !all_ms.is_empty() && all.max <= 2000.0);
    row.note = format!(
        "{total} create-post requests over {NODES} nodes, {failed} failed; {never} node-swaps never seen. Nodes 2 and 3 learn of the upload from \
         `plugins.changed` on NATS, read the bundle from PostgreSQL, check its hash, unpack, compile (every version has the same component bytes, so \
         after the first version each node's compile cache answers) and hot-swap with the same journal as an install; the old version serves until then."
    );
    Ok(row)
}
