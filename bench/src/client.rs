//! C1, the web client's row: its JavaScript gzipped, the time from login to the first channel drawn (from the browser tests' last run), and what unread bookkeeping costs on the post path (from B3).

use std::io::Write;
use std::path::Path;

use crate::report::Row;
use crate::stats::Summary;

/// The budgets.
const MAX_JS_GZIP_KB: f64 = 300.0;
const MAX_FIRST_CHANNEL_MS: f64 = 1000.0;
const MAX_UNREADS_COST: f64 = 1.05;

/// Gzipped size (level 9, as the browser test measures it) of every `.js` in `dir`, in KiB.
fn js_gzip_kib(dir: &Path) -> anyhow::Result<f64> {
    let mut total = 0usize;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "js") {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&std::fs::read(&path)?)?;
            total += gz.finish()?.len();
        }
    }
    Ok(total as f64 / 1024.0)
}

/// C1 from the committed build (`webapp/dist`), the browser tests' `metrics.json` when
/// `cargo xtask web` ran on this machine, and `b3`'s unread-bookkeeping ratios when B3 ran.
pub fn c1(root: &Path, b3: Option<&Row>) -> anyhow::Result<Row> {
    let mut row = Row {
        id: "C1",
        what: "web client: JavaScript gzipped, login → first channel drawn (headless Chromium, `cargo xtask web`), unread bookkeeping on the post path (B3)",
        figures: vec![],
        ratios: vec![],
        target: "JS ≤ 300 KB gzipped; first channel ≤ 1 s; bookkeeping ≤ 1.05×",
        met: None,
        note: String::new(),
        gap: String::new(),
    };
    let kib = js_gzip_kib(&root.join("webapp/dist/static"))?;
    row.figure("JavaScript, gzipped", "KiB", Summary::of(vec![kib]));
    let mut met = kib <= MAX_JS_GZIP_KB;
    let mut notes = vec!["The size is of `webapp/dist/static/*.js`, the committed build the binary embeds.".to_string()];
    let metrics = root.join("target/webapp-screenshots/metrics.json");
    match std::fs::read(&metrics).ok().and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok()).and_then(|m| m["first_channel_ms"].as_f64()) {
        Some(ms) => {
            row.figure("login → first channel drawn", "ms", Summary::of(vec![ms]));
            met &= ms <= MAX_FIRST_CHANNEL_MS;
            notes.push("The first-channel time is the browser tests' (`cargo xtask web`, debug server) last run on this machine.".to_string());
        }
        None => notes.push(format!("No first-channel time: `{}` is missing (run `cargo xtask web` first).", metrics.display())),
    }
    for (label, ratio) in b3.map(|b| b.ratios.as_slice()).unwrap_or_default() {
        if let Some(backend) = label.strip_suffix(" unread bookkeeping: throughput without / with") {
            row.ratios.push((format!("{backend}: unread bookkeeping, throughput without / with"), *ratio));
            met &= *ratio <= MAX_UNREADS_COST;
        }
    }
    if b3.is_none() {
        notes.push("B3 did not run, so no bookkeeping ratio.".to_string());
    }
    row.met = Some(met);
    if !met {
        row.gap = "see the figures against the budgets; B3's gap names the bookkeeping's cost where that is the one missed".to_string();
    }
    row.note = notes.join(" ");
    Ok(row)
}
