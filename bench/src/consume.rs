//! B12: reading a 60-post page (`GET /api/v4/channels/{id}/posts?per_page=60`) over HTTP with no plugin, with a plugin that does not consume posts, and with one trivial `messages-will-be-consumed` plugin (`fx-consume`).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::fixtures;
use crate::report::Row;
use crate::server::{LoadResult, Server, Session, quantile};
use crate::server_load::LoadEffort;
use crate::stats::Summary;

/// Concurrent readers: enough to keep the server's cores busy.
const CLIENTS: usize = 4;

/// Posts in the channel, and on the page read.
const PAGE: usize = 60;

/// One server of the comparison, with its channel full and its measurements so far.
struct Reader {
    server: Server,
    session: Session,
    rps: Vec<f64>,
    latencies_ms: Vec<f64>,
}

impl Reader {
    /// A server whose plugin directory holds what `plugins` puts there, with `PAGE`
    /// posts in town-square, warmed up.
    async fn start(tmp: &Path, name: &str, plugins: impl FnOnce(&Path) -> anyhow::Result<()>, effort: LoadEffort) -> anyhow::Result<Reader> {
        let data = tmp.join(name);
        plugins(&data.join("plugins"))?;
        let server = Server::start(&data, None, &[]).await?;
        let session = Session::admin(&server.base, "bench").await?;
        for i in 0..PAGE {
            let message = format!("{i:>4} {}", "lorem ipsum dolor sit amet ".repeat(6));
            let response = session
                .client
                .post(format!("{}/api/v4/posts", session.base))
                .bearer_auth(&session.token)
                .json(&serde_json::json!({ "channel_id": session.channel_id, "message": message }))
                .send()
                .await?;
            anyhow::ensure!(response.status().as_u16() == 201, "post {i}: {}", response.status());
        }
        let mut reader = Reader { server, session, rps: Vec::new(), latencies_ms: Vec::new() };
        read_load(&reader.session, effort.warmup).await.context("warm-up")?;
        reader.rps.clear();
        Ok(reader)
    }

    async fn measure(&mut self, window: Duration) -> anyhow::Result<()> {
        let result = read_load(&self.session, window).await?;
        self.rps.push(result.throughput());
        self.latencies_ms.extend(result.latencies_ms);
        Ok(())
    }
}

/// Read the page from `CLIENTS` loops for `window`; every read must bring `PAGE` posts.
async fn read_load(session: &Session, window: Duration) -> anyhow::Result<LoadResult> {
    let started = Instant::now();
    let deadline = started + window;
    let url = format!("{}/api/v4/channels/{}/posts?page=0&per_page={PAGE}", session.base, session.channel_id);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, token) = (session.client.clone(), url.clone(), session.token.clone());
        tasks.push(tokio::spawn(async move {
            let mut result = LoadResult::default();
            while Instant::now() < deadline {
                let sent = Instant::now();
                let page: Option<serde_json::Value> = match client.get(&url).bearer_auth(&token).send().await {
                    Ok(r) if r.status().is_success() => r.json().await.ok(),
                    _ => None,
                };
                match page.and_then(|p| p["order"].as_array().map(Vec::len)) {
                    Some(PAGE) => {
                        result.ok += 1;
                        result.latencies_ms.push(sent.elapsed().as_secs_f64() * 1e3);
                    }
                    _ => result.failed += 1,
                }
            }
            result
        }));
    }
    let mut total = LoadResult::default();
    for task in tasks {
        let part = task.await?;
        total.ok += part.ok;
        total.failed += part.failed;
        total.latencies_ms.extend(part.latencies_ms);
    }
    total.elapsed = started.elapsed();
    anyhow::ensure!(total.failed == 0, "{} of {} page reads failed or were short", total.failed, total.ok + total.failed);
    Ok(total)
}

/// The median over rounds of `time(a) / time(b)` = `rps(b) / rps(a)`.
fn time_ratio(a: &[f64], b: &[f64]) -> f64 {
    Summary::of(a.iter().zip(b).map(|(a, b)| b / a).collect()).median
}

/// B12 on SQLite.
pub async fn b10(quick: bool, tmp: &Path) -> anyhow::Result<Row> {
    let effort = LoadEffort::new(quick);
    let mut row = Row {
        id: "B12",
        what: "Reading a 60-post channel page over HTTP (4 concurrent readers, SQLite): the server with no plugin, with a plugin that does not export \
               `consume-hooks` (word-filter), and with one trivial `messages-will-be-consumed` plugin (fx-consume, hands the posts back)",
        figures: vec![],
        ratios: vec![],
        target: "time per read: no consuming plugin ≤ 1.02× of no plugin at all; one trivial consumer ≤ 1.3×",
        met: None,
        note: String::new(),
        gap: String::new(),
    };
    let mut readers = [
        Reader::start(tmp, "b10-none", |_| Ok(()), effort).await?,
        Reader::start(tmp, "b10-other", |dir| fixtures::word_filter(dir, "bench.filter").map(drop), effort).await?,
        Reader::start(tmp, "b10-consumer", |dir| fixtures::consumer(dir).map(drop), effort).await?,
    ];
    for round in 0..effort.rounds {
        let mut order: Vec<&mut Reader> = readers.iter_mut().collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for reader in order {
            reader.measure(effort.window).await?;
        }
    }
    let [none, other, consumer] = readers;
    for (reader, label) in [(&none, "no plugin"), (&other, "a plugin not consuming"), (&consumer, "one trivial consumer")] {
        row.figure(format!("{label}: reads"), "pages/s", Summary::of(reader.rps.clone()));
        row.figure(format!("{label}: p50 over all rounds"), "ms", Summary::of(vec![quantile(&reader.latencies_ms, 0.50)]));
    }
    let other_ratio = time_ratio(&other.rps, &none.rps);
    let consumer_ratio = time_ratio(&consumer.rps, &none.rps);
    row.ratios.push(("time per read, a plugin not consuming / no plugin".into(), other_ratio));
    row.ratios.push(("time per read, one trivial consumer / no plugin".into(), consumer_ratio));
    let mut gaps = Vec::new();
    if other_ratio > 1.02 {
        gaps.push(format!(
            "a non-consuming plugin {other_ratio:.3}×: the read path only loads one atomic there, so this is the machine's drift between rounds \
             (per-round reads/s ratios {}); more rounds on a quiet machine would settle it",
            spread(&none.rps, &other.rps)
        ));
    }
    if consumer_ratio > 1.3 {
        gaps.push(format!(
            "one consumer {consumer_ratio:.2}×: the 60 posts are converted, lowered into the guest, lifted back and merged on every read; passing \
             only changed posts back (an option<list> result) would halve the copying"
        ));
    }
    row.met = Some(gaps.is_empty());
    row.gap = gaps.join("; ");
    row.note = format!(
        "Each server is the release `confab` binary in its own process with {PAGE} posts of about 170 bytes in town-square; readers fetch \
         `?per_page={PAGE}` in a loop and check every page is whole. {} rounds of {:?} each, the three servers measured in turns with the order reversed \
         every other round; ratios are medians of per-round ratios. The plugin-free server runs the same code as before `consume-hooks` existed except \
         one atomic load per read (`PluginHost::has_consumers`).",
        effort.rounds, effort.window
    );
    for reader in [none, other, consumer] {
        reader.server.stop().await;
    }
    Ok(row)
}

fn spread(a: &[f64], b: &[f64]) -> String {
    let ratios = Summary::of(a.iter().zip(b).map(|(x, y)| x / y).collect());
    format!("{:.3}–{:.3}", ratios.min, ratios.max)
}
