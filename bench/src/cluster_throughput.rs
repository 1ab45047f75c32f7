//! B10: three cluster nodes (one PostgreSQL schema, NATS) against one node on PostgreSQL at the same offered load: create-post throughput (closed loop), and post-to-delivery latency at a fixed rate (open loop) for a WebSocket client on another node than the posters'.
//!
//! Same offered load means the same posting clients and, for the latency, the same
//! rate. Throughput: [`CLIENTS`] loops posting back to back, spread over the nodes
//! (on one node, all on it). Latency: the same clients each send a post every
//! `1 / PER_CLIENT_HZ` s whether or not the previous one was answered (so a slow
//! answer does not lower the load it is measured under); the reader, a WebSocket of
//! another user in the channel, is on the one node in the baseline and on node 3 in
//! the cluster, where every post goes to nodes 1 and 2, so every delivery measured
//! crossed the bus. Each post carries its send time; the reader subtracts it on
//! receipt. All processes share this machine's cores: the cluster's three servers
//! compete with each other, so the throughput ratio says what a cluster costs on one
//! machine, not what it gains on three. The row is skipped (with a note) without
//! PostgreSQL (`CONFAB_TEST_DATABASE_URL`) or a NATS server (`CONFAB_TEST_NATS_URL`,
//! default `nats://127.0.0.1:4222`).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::cluster_reload::nats_url;
use crate::report::Row;
use crate::server::{LoadResult, Server, Session, post_load, quantile, signup};
use crate::stats::Summary;

/// Posting clients, in both set-ups.
const CLIENTS: usize = 6;
/// Posts per second each client sends in the latency phase (open loop).
const PER_CLIENT_HZ: u64 = 10;
/// The latency target: the cluster's p99 at most this much over the single node's.
const P99_SLACK_MS: f64 = 5.0;
/// Deliveries received in the first second of a latency phase are not counted (connection
/// pools and caches warming).
const WARM_UP: Duration = Duration::from_secs(1);

fn row() -> Row {
    Row {
        id: "B10",
        what: "cluster: three nodes (one PostgreSQL schema, NATS) against one node on PostgreSQL at the same offered load — 6 clients posting back to back \
               (throughput), then 6 clients at 10 posts/s each, open loop (a WebSocket reader on another node than the posters')",
        figures: vec![],
        ratios: vec![],
        target: "post-to-delivery p99 on another node ≤ the single node's p99 + 5 ms; throughput ratio reported",
        met: None,
        note: String::new(),
        gap: String::new(),
    }
}

fn now_micros() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0)
}

/// The send time (µs since the epoch) in a `posted` frame of this bench, from its
/// `b10:<micros>` message.
fn sent_at(frame: &str) -> Option<u128> {
    let event: Value = serde_json::from_str(frame).ok()?;
    if event["event"] != "posted" {
        return None;
    }
    let post: Value = serde_json::from_str(event["data"]["post"].as_str()?).ok()?;
    post["message"].as_str()?.strip_prefix("b10:")?.parse().ok()
}

/// One set-up's servers (killed when dropped), a poster session per node and the
/// reader's token.
struct Setup {
    servers: Vec<Server>,
    sessions: Vec<Session>,
    reader_token: String,
}

impl Setup {
    /// `nodes` servers on the schema `db_url`, in cluster mode on `nats` when given.
    async fn start(tmp: &Path, name: &str, nodes: usize, db_url: &str, nats: Option<&str>) -> anyhow::Result<Setup> {
        let mut servers = Vec::new();
        for n in 1..=nodes {
            let data = tmp.join(format!("b10-{name}-{n}"));
            let node_id = format!("b10-{name}-{n}");
            let args: Vec<&str> = match nats {
                Some(url) => vec!["--cluster-nats-url", url, "--cluster-node-id", &node_id],
                None => vec![],
            };
            servers.push(Server::start(&data, Some(db_url), &args).await?);
        }
        let admin = Session::admin(&servers[0].base, "bench").await?;
        // The reader: another member of the channel, so it is not the poster.
        let (reader_id, reader_token) = signup(&admin.client, &admin.base, "reader").await?;
        let team = admin.client.get(format!("{}/api/v4/channels/{}", admin.base, admin.channel_id)).bearer_auth(&admin.token).send().await?;
        let team_id = team.json::<Value>().await?["team_id"].as_str().context("the channel's team")?.to_string();
        for (path, body) in [
            (format!("/api/v4/teams/{team_id}/members"), json!({ "team_id": team_id, "user_id": reader_id })),
            (format!("/api/v4/channels/{}/members", admin.channel_id), json!({ "user_id": reader_id })),
        ] {
            let response = admin.client.post(format!("{}{path}", admin.base)).bearer_auth(&admin.token).json(&body).send().await?;
            anyhow::ensure!(response.status().is_success() || response.status() == 409, "{path}: {}", response.status());
        }
        // A session is a database row: the same token works on every node.
        let sessions = servers.iter().map(|s| Session { base: s.base.clone(), ..admin.clone() }).collect();
        Ok(Setup { servers, sessions, reader_token })
    }

    /// Closed loop: [`CLIENTS`] loops for `duration`, spread evenly over the nodes.
    async fn throughput(&self, duration: Duration) -> LoadResult {
        let per_node = CLIENTS / self.sessions.len();
        let runs: Vec<_> = self.sessions.iter().map(|s| post_load(s, per_node, duration, |i| format!("b10 throughput {i}"))).collect();
        let mut total = LoadResult::default();
        let mut elapsed = Duration::ZERO;
        for result in futures_util::future::join_all(runs).await {
            total.ok += result.ok;
            total.failed += result.failed;
            elapsed = elapsed.max(result.elapsed);
        }
        total.elapsed = elapsed;
        total
    }

    /// Open loop at [`CLIENTS`] × [`PER_CLIENT_HZ`] posts/s for `duration`, posting to
    /// `posters` (node indexes) in turn, the reader on node `reader`: every delivery's
    /// latency in ms, and the posts that failed.
    async fn latency(&self, duration: Duration, posters: &[usize], reader: usize) -> anyhow::Result<(Vec<f64>, u64)> {
        let ws_url = format!("{}/api/v4/websocket", self.sessions[reader].base.replacen("http", "ws", 1));
        let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws_url.as_str())?;
        request.headers_mut().insert("authorization", format!("Bearer {}", self.reader_token).parse()?);
        let (mut stream, _) = tokio_tungstenite::connect_async(request).await?;
        let latencies = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let reading = {
            let latencies = latencies.clone();
            tokio::spawn(async move {
                while let Some(Ok(message)) = stream.next().await {
                    let Message::Text(text) = message else { continue };
                    let received = now_micros();
                    if let Some(sent) = sent_at(&text)
                        && started.elapsed() > WARM_UP
                    {
                        latencies.lock().expect("not poisoned").push(received.saturating_sub(sent) as f64 / 1e3);
                    }
                }
            })
        };
        let failed = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut clients = Vec::new();
        for c in 0..CLIENTS {
            let session = self.sessions[posters[c % posters.len()]].clone();
            let failed = failed.clone();
            clients.push(tokio::spawn(async move {
                let mut ticks = tokio::time::interval(Duration::from_micros(1_000_000 / PER_CLIENT_HZ));
                // Open loop: a late tick fires at once rather than lowering the rate.
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                let mut sends = Vec::new();
                while started.elapsed() < duration {
                    ticks.tick().await;
                    let (session, failed) = (session.clone(), failed.clone());
                    sends.push(tokio::spawn(async move {
                        let body = json!({ "channel_id": session.channel_id, "message": format!("b10:{}", now_micros()) });
                        let sent = session.client.post(format!("{}/api/v4/posts", session.base)).bearer_auth(&session.token).json(&body).send().await;
                        if !sent.is_ok_and(|r| r.status().as_u16() == 201) {
                            failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }));
                }
                futures_util::future::join_all(sends).await;
            }));
        }
        futures_util::future::join_all(clients).await;
        // The last deliveries are on their way.
        tokio::time::sleep(Duration::from_secs(1)).await;
        reading.abort();
        let latencies = std::mem::take(&mut *latencies.lock().expect("not poisoned"));
        anyhow::ensure!(!latencies.is_empty(), "the reader received no posts");
        Ok((latencies, failed.load(std::sync::atomic::Ordering::Relaxed)))
    }

    async fn stop(self) {
        for server in self.servers {
            server.stop().await;
        }
    }
}

/// What one set-up measured.
struct Measured {
    throughput: LoadResult,
    latencies: Vec<f64>,
    failed: u64,
}

async fn measure(setup: &Setup, quick: bool, posters: &[usize], reader: usize) -> anyhow::Result<Measured> {
    let phase = Duration::from_secs(if quick { 5 } else { 15 });
    // A short warm-up load (connection pools, prepared statements), not counted.
    setup.throughput(Duration::from_secs(1)).await;
    let throughput = setup.throughput(phase).await;
    let (latencies, failed) = setup.latency(phase, posters, reader).await?;
    let failed = failed + throughput.failed;
    Ok(Measured { throughput, latencies, failed })
}

pub async fn b10(quick: bool, tmp: &Path) -> anyhow::Result<Row> {
    let mut row = row();
    let Some(nats) = nats_url() else {
        row.note = "skipped: no NATS server answered (set CONFAB_TEST_NATS_URL or run nats-server -js on 127.0.0.1:4222).".into();
        return Ok(row);
    };
    let Some(single_schema) = confab_server::testing::PgSchema::create("bench-b10-single").await else {
        row.note = "skipped: B10 runs on PostgreSQL and CONFAB_TEST_DATABASE_URL is not set.".into();
        return Ok(row);
    };
    let single = Setup::start(tmp, "single", 1, &single_schema.url, None).await?;
    let one = measure(&single, quick, &[0], 0).await;
    single.stop().await;
    drop(single_schema);
    let one = one?;

    let cluster_schema = confab_server::testing::PgSchema::create("bench-b10-cluster").await.context("the cluster's schema")?;
    let cluster = Setup::start(tmp, "cluster", 3, &cluster_schema.url, Some(&nats)).await?;
    // Posts to nodes 1 and 2, the reader on node 3: every delivery crosses the bus.
    let three = measure(&cluster, quick, &[0, 1], 2).await;
    cluster.stop().await;
    drop(cluster_schema);
    let three = three?;

    report(&mut row, &one, &three);
    Ok(row)
}

fn report(row: &mut Row, one: &Measured, three: &Measured) {
    let (tp1, tp3) = (one.throughput.throughput(), three.throughput.throughput());
    row.figure("create-post throughput, one node", "posts/s", Summary::of(vec![tp1]));
    row.figure("create-post throughput, three nodes", "posts/s", Summary::of(vec![tp3]));
    let (p50_1, p99_1) = (quantile(&one.latencies, 0.5), quantile(&one.latencies, 0.99));
    let (p50_3, p99_3) = (quantile(&three.latencies, 0.5), quantile(&three.latencies, 0.99));
    row.figure("post → delivery p50, one node (reader on the posters' node)", "ms", Summary::of(vec![p50_1]));
    row.figure("post → delivery p99, one node (reader on the posters' node)", "ms", Summary::of(vec![p99_1]));
    row.figure("post → delivery p50, three nodes (reader on another node)", "ms", Summary::of(vec![p50_3]));
    row.figure("post → delivery p99, three nodes (reader on another node)", "ms", Summary::of(vec![p99_3]));
    row.ratios.push(("throughput, three nodes / one node".into(), tp3 / tp1));
    row.ratios.push(("post → delivery p99, three nodes / one node".into(), p99_3 / p99_1));
    let met = p99_3 <= p99_1 + P99_SLACK_MS && one.failed == 0 && three.failed == 0;
    row.met = Some(met);
    row.note = format!(
        "Both on PostgreSQL, fresh schemas. {} and {} deliveries measured (one node, three nodes); {} and {} failed requests. All servers, \
         PostgreSQL, NATS and the load generator share this machine's cores, so three nodes compete for what one node had alone: the throughput \
         ratio is the cluster's cost on one machine (the bus publish, each node's delivery task, presence), not its gain on three.",
        one.latencies.len(),
        three.latencies.len(),
        one.failed,
        three.failed
    );
    if !met {
        row.gap = format!(
            "p99 on another node {p99_3:.1} ms against {p99_1:.1} + {P99_SLACK_MS} ms on one node{}; the cross-node path adds the JetStream publish \
             and the reader node's ordered stream read, and three servers share the cores",
            if one.failed + three.failed > 0 { ", and requests failed" } else { "" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_posted_frames_of_the_bench_carry_a_send_time() {
        let post = json!({ "message": "b10:1234" }).to_string();
        assert_eq!(sent_at(&json!({ "event": "posted", "data": { "post": post } }).to_string()), Some(1234));
        assert_eq!(sent_at(&json!({ "event": "post_edited", "data": { "post": post } }).to_string()), None);
        let other = json!({ "message": "b8:1234" }).to_string();
        assert_eq!(sent_at(&json!({ "event": "posted", "data": { "post": other } }).to_string()), None);
    }
}
