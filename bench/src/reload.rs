//! B5: hot reload under the B3 load — 16 clients post through a message hook while the plugin is replaced three times over the REST API; every request must succeed, and each new version must serve right after its upload returns.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::fixtures;
use crate::report::Row;
use crate::server::{Server, Session, quantile};
use crate::stats::Summary;

pub(crate) const PLUGIN_ID: &str = "bench.swap";
const CLIENTS: usize = 16;

/// fx-chain as [`PLUGIN_ID`] at `version`, replacing "marker" with `v<n>` by default.
pub(crate) fn bundle(n: u32) -> anyhow::Result<Vec<u8>> {
    bundle_as(PLUGIN_ID, n)
}

/// Upload fx-chain as plugin `id` at version `n`.0.0 (the soak's reloads).
pub async fn upload_as(session: &Session, id: &str, n: u32, force: bool) -> anyhow::Result<()> {
    upload(session, bundle_as(id, n)?, force).await
}

/// fx-chain as plugin `id` at version `n`.0.0.
fn bundle_as(id: &str, n: u32) -> anyhow::Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(fixtures::repo_root().join("tests/plugins/fx-chain/plugin.json"))?)?;
    manifest["id"] = id.into();
    manifest["version"] = format!("{n}.0.0").into();
    for setting in manifest["settings_schema"]["settings"].as_array_mut().into_iter().flatten() {
        let default = match setting["key"].as_str() {
            Some("action") => "replace".to_string(),
            Some("from") => "marker".to_string(),
            Some("to") => format!("v{n}"),
            _ => continue,
        };
        setting["default"] = default.into();
    }
    std::fs::write(dir.path().join("plugin.json"), manifest.to_string())?;
    std::fs::copy(fixtures::wasm("fx_chain")?, dir.path().join("server.wasm"))?;
    Ok(confab_server::plugins::bundle::pack_dir(dir.path(), id)?)
}

pub(crate) async fn upload(session: &Session, bundle: Vec<u8>, force: bool) -> anyhow::Result<()> {
    let mut form = reqwest::multipart::Form::new().part("plugin", reqwest::multipart::Part::bytes(bundle).file_name("plugin.tar.gz"));
    if force {
        form = form.text("force", "true");
    }
    let response = session.client.post(format!("{}/api/v4/plugins", session.base)).bearer_auth(&session.token).multipart(form).send().await?;
    anyhow::ensure!(response.status().as_u16() == 201, "upload answered {}: {}", response.status(), response.text().await.unwrap_or_default());
    Ok(())
}

/// The server's `confab_plugin_load_ready_seconds` for [`PLUGIN_ID`], in ms: from the
/// end of the version's compile (inside the upload's check) until it served.
async fn ready_ms(session: &Session) -> anyhow::Result<f64> {
    let text = session.client.get(format!("{}/metrics", session.base)).send().await?.text().await?;
    let prefix = format!("confab_plugin_load_ready_seconds{{plugin_id=\"{PLUGIN_ID}\"");
    let line = text.lines().find(|l| l.starts_with(&prefix)).with_context(|| format!("/metrics has no {prefix}"))?;
    let seconds: f64 = line.rsplit(' ').next().unwrap_or_default().parse()?;
    Ok(seconds * 1e3)
}

pub(crate) async fn admin_post(session: &Session, path: &str) -> anyhow::Result<()> {
    let response = session.client.post(format!("{}{path}", session.base)).bearer_auth(&session.token).json(&json!({})).send().await?;
    anyhow::ensure!(response.status().is_success(), "{path} answered {}", response.status());
    Ok(())
}

/// One post of the load: when it was sent, whether it succeeded, which version it saw.
pub(crate) struct Sample {
    pub sent: Instant,
    pub ok: bool,
    pub version: Option<u32>,
}

/// The load: `clients` tasks posting one after the other until `stop`, each keeping
/// what every post saw.
pub(crate) fn start_posters(session: &Session, clients: usize, stop: &Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<Vec<Sample>>> {
    let mut posters = Vec::new();
    for _ in 0..clients {
        let (client, url, token, channel_id, stop) =
            (session.client.clone(), format!("{}/api/v4/posts", session.base), session.token.clone(), session.channel_id.clone(), stop.clone());
        posters.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let sent = Instant::now();
                let response = client.post(&url).bearer_auth(&token).json(&json!({ "channel_id": channel_id, "message": "marker" })).send().await;
                let (ok, version) = match response {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let body: Value = r.json().await.unwrap_or_default();
                        (true, body["message"].as_str().and_then(|m| m.strip_prefix('v')).and_then(|v| v.parse().ok()))
                    }
                    _ => (false, None),
                };
                samples.push(Sample { sent, ok, version });
            }
            samples
        }));
    }
    posters
}

pub async fn b5(quick: bool, tmp: &Path) -> anyhow::Result<Row> {
    let mut row = Row {
        id: "B5",
        what: "hot reload under the B3 load: 16 clients post through a message hook while the plugin is replaced three times (REST upload with force)",
        figures: vec![],
        ratios: vec![],
        target: "0 failed requests; new version serving ≤ 50 ms after its compile ends",
        met: None,
        note: String::new(),
        gap: String::new(),
    };
    let rounds = if quick { 1 } else { 3 };
    let (mut upload_ms, mut ready, mut first_seen_ms, mut total, mut failed, mut stale) = (Vec::new(), Vec::new(), Vec::new(), 0usize, 0usize, 0usize);
    for round in 0..rounds {
        let data = tmp.join(format!("b5-{round}"));
        let server = Server::start(&data, None, &["--enable-plugin-uploads", "true"]).await?;
        let session = Session::admin(&server.base, "bench").await?;
        upload(&session, bundle(1)?, false).await?;
        admin_post(&session, &format!("/api/v4/plugins/{PLUGIN_ID}/permissions/approve")).await?;
        admin_post(&session, &format!("/api/v4/plugins/{PLUGIN_ID}/enable")).await?;

        let stop = Arc::new(AtomicBool::new(false));
        let posters = start_posters(&session, CLIENTS, &stop);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut swaps = Vec::new();
        for n in 2..=4 {
            let started = Instant::now();
            upload(&session, bundle(n)?, true).await?;
            let done = Instant::now();
            swaps.push((n, started, done));
            upload_ms.push((done - started).as_secs_f64() * 1e3);
            ready.push(ready_ms(&session).await?);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        stop.store(true, Ordering::Relaxed);
        let mut samples = Vec::new();
        for poster in posters {
            samples.extend(poster.await?);
        }
        server.stop().await;

        total += samples.len();
        failed += samples.iter().filter(|s| !s.ok).count();
        for &(n, _, done) in &swaps {
            // Posts sent after the upload answered must see version n or later.
            stale += samples.iter().filter(|s| s.ok && s.sent >= done && s.version.unwrap_or(0) < n).count();
            // How soon after the upload answered a response showed version n.
            if let Some(first) = samples.iter().filter(|s| s.version.is_some_and(|v| v >= n)).map(|s| s.sent).min() {
                first_seen_ms.push(first.saturating_duration_since(done).as_secs_f64() * 1e3);
            }
        }
    }
    let ready = row.figure(
        "compile end → new version serving (server side: install steps, load from the compile cache, instantiate, activate, swap)",
        "ms",
        Summary::of(ready),
    );
    row.figure("upload round trip under the load (client side: send, unpack, check and compile, the above, answer)", "ms", Summary::of(upload_ms.clone()));
    row.figure("upload answered → first post sent that saw it", "ms", Summary::of(first_seen_ms));
    row.figure("requests during the run", "requests", Summary::of(vec![total as f64]));
    row.figure("failed requests", "requests", Summary::of(vec![failed as f64]));
    row.met = Some(failed == 0 && stale == 0 && ready.max <= 50.0);
    row.note = format!(
        "{total} create-post requests, {failed} failed, {stale} sent after a swap answered that still saw the old version. Every version has the same \
         component bytes, so the check's compile is a cache hit; a new component adds its compile (B4's cold figure) before the compile end, while the \
         old version keeps serving. The server-side figure is the `confab_plugin_load_ready_seconds` gauge read from `/metrics` after each upload; \
         the round trip (p99 {:.1} ms) adds the upload itself and the queueing of a machine saturated by the 16 posting clients.",
        quantile(&upload_ms, 0.99)
    );
    Ok(row)
}
