//! `confab-bench`: runs the benchmark rows, prints them, writes BENCHMARKS.md and a JSON file. Run through `cargo xtask bench [--quick]`.

mod activation;
mod bare;
mod client;
mod cluster_reload;
mod cluster_throughput;
mod consume;
mod fanout;
mod fixtures;
mod instructions;
mod multilang;
mod peers;
mod plugin_path;
mod reload;
mod report;
mod scaling;
mod scheduler;
mod server;
mod server_load;
mod soak;
mod stats;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use report::Machine;

/// The rows `--only` may name.
const ROWS: [&str; 15] = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11", "B12", "B13", "S1", "C1"];

/// Runs the benchmark rows against baselines measured in the same run, prints them and
/// writes BENCHMARKS.md (or `--out`) and a JSON file. Usually run through
/// `cargo xtask bench [--quick]`.
#[derive(Debug, Parser)]
#[command(name = "confab-bench", version)]
struct Args {
    /// Fewer rounds and smaller rows: the suite still runs, its numbers are rough.
    #[arg(long)]
    quick: bool,
    /// Where the Markdown report goes [default: BENCHMARKS.md at the repository root].
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Where the JSON results go [default: target/bench/results.json].
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Run only these rows (comma-separated, e.g. `B3,B13`); needs `--out`, so a
    /// partial run never replaces BENCHMARKS.md.
    #[arg(long, value_name = "IDS", value_delimiter = ',', requires = "out", value_parser = clap::builder::PossibleValuesParser::new(ROWS))]
    only: Option<Vec<String>>,
    /// Make only N calls of one B1 subject (a|native, b|bare, c|limited, host) and
    /// exit, writing nothing: for `valgrind --tool=callgrind` or `perf`.
    #[arg(long, num_args = 2, value_names = ["SUBJECT", "N"], conflicts_with_all = ["only", "soak"])]
    calls: Option<Vec<String>>,
    /// Run only the soak for this many seconds (`cargo xtask soak`); fails when a
    /// figure does not return to its baseline.
    #[arg(long, value_name = "SECONDS", conflicts_with = "only")]
    soak: Option<u64>,
    /// Soak: replace a plugin every this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, requires = "soak")]
    reload_every: u64,
    /// Soak: the database (default SQLite in a temporary directory).
    #[arg(long, value_name = "URL", requires = "soak")]
    database_url: Option<String>,
    /// Soak: write its section into BENCHMARKS.md (or `--out`).
    #[arg(long, requires = "soak")]
    record: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let quick = args.quick;
    let root = fixtures::repo_root();
    let out = args.out.clone().unwrap_or_else(|| root.join("BENCHMARKS.md"));
    let json = args.json.clone().unwrap_or_else(|| root.join("target/bench/results.json"));

    // `--calls <a|b|c|host> <n>`: only n calls of one B1 subject, then exit (for
    // `valgrind --tool=callgrind` or `perf`; nothing is written).
    if let Some([which, n]) = args.calls.as_deref() {
        let which: plugin_path::Subject = which.parse()?;
        let n: u64 = n.parse().map_err(|e| anyhow::anyhow!("--calls {which:?} {n}: the count is not a number ({e})"))?;
        let tmp = tempfile::tempdir()?;
        plugin_path::Subjects::new(tmp.path()).await?.run(which, n).await;
        return Ok(());
    }

    // `--soak <seconds> [--reload-every <seconds>] [--database-url <url>] [--record]`.
    if let Some(seconds) = args.soak {
        return run_soak(&args, seconds, &out, &root).await;
    }

    let machine = Machine::detect(quick);
    let effort = stats::Effort::new(quick);
    let tmp = tempfile::tempdir()?;
    let mut rows = Vec::new();

    // `--only B3,B8` runs just those rows (clap has made sure `--out` is given).
    let wanted = |id: &str| args.only.as_ref().is_none_or(|ids| ids.iter().any(|x| x == id));

    // B2 and B9 are read against B1, so B1 runs whenever either does.
    let b1_host = if wanted("B1") || wanted("B2") || wanted("B9") {
        let (b1, b1_host) = plugin_path::b1(effort, quick, tmp.path()).await?;
        rows.push(b1);
        b1_host
    } else {
        0.0
    };
    if wanted("B2") {
        rows.push(plugin_path::b2(effort, tmp.path(), b1_host).await?);
    }
    let b3 = if wanted("B3") { Some(server_load::b3(quick, tmp.path()).await?) } else { None };
    rows.extend(b3.clone());
    let (b4, b7) = if wanted("B4") || wanted("B7") { activation::b4_b7(quick, tmp.path()).await.map(|(a, b)| (Some(a), Some(b)))? } else { (None, None) };
    rows.extend(b4);
    if wanted("B5") {
        rows.push(reload::b5(quick, tmp.path()).await?);
    }
    if wanted("B6") {
        rows.push(server_load::b6(quick, tmp.path()).await?);
    }
    rows.extend(b7);
    if wanted("B8") {
        rows.push(fanout::b8(quick, tmp.path()).await?);
    }
    if wanted("B9") {
        rows.push(multilang::b9(effort, quick, tmp.path(), b1_host).await?);
    }

    rows.extend(cluster_rows(&wanted, quick, tmp.path()).await?);
    if wanted("B12") {
        rows.push(consume::b10(quick, tmp.path()).await?);
    }

    if wanted("B13") {
        rows.push(scheduler::b13(quick, tmp.path()).await?);
    }

    if wanted("S1") {
        rows.push(scaling::s1(quick, tmp.path()).await?);
    }

    if wanted("C1") {
        rows.push(client::c1(&root, b3.as_ref())?);
    }

    write_report(&machine, &rows, &out, &json)
}

/// The cluster rows asked for: B10 (three nodes against one), B11 (hot reload across three).
async fn cluster_rows(wanted: &impl Fn(&str) -> bool, quick: bool, tmp: &Path) -> anyhow::Result<Vec<report::Row>> {
    let mut rows = Vec::new();
    if wanted("B10") {
        rows.push(cluster_throughput::b10(quick, tmp).await?);
    }
    if wanted("B11") {
        rows.push(cluster_reload::b11(quick, tmp).await?);
    }
    Ok(rows)
}

/// Print the report, then write it to `out` (keeping its soak section) and the rows to `json`.
fn write_report(machine: &Machine, rows: &[report::Row], out: &Path, json: &Path) -> anyhow::Result<()> {
    let markdown = report::markdown(machine, rows);
    println!("{markdown}");
    for path in [out, json] {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
    }
    // The soak section is written by `--soak --record`, the design measurements by hand,
    // not by this run: keep both.
    let existing = std::fs::read_to_string(out).unwrap_or_default();
    let kept = [soak::section_of(&existing), report::history_section(&existing)];
    let markdown = kept.into_iter().flatten().fold(markdown, |text, section| format!("{}\n\n{section}\n", text.trim_end()));
    std::fs::write(out, &markdown)?;
    std::fs::write(json, serde_json::to_vec_pretty(&serde_json::json!({ "machine": machine, "rows": rows }))?)?;
    eprintln!("wrote {} and {}", out.display(), json.display());
    Ok(())
}

/// The soak alone; see [`soak`].
async fn run_soak(args: &Args, seconds: u64, out: &Path, root: &Path) -> anyhow::Result<()> {
    let options = soak::SoakOptions {
        duration: Duration::from_secs(seconds),
        reload_every: Duration::from_secs(args.reload_every),
        database_url: args.database_url.clone(),
    };
    let tmp = tempfile::tempdir()?;
    let report = soak::run(&options, tmp.path()).await?;
    let section = soak::markdown(&report, &options);
    println!("{section}");
    let json = root.join("target/bench/soak.json");
    std::fs::create_dir_all(json.parent().expect("target/bench has a parent"))?;
    std::fs::write(&json, serde_json::to_vec_pretty(&report)?)?;
    if args.record {
        let existing = std::fs::read_to_string(out).unwrap_or_default();
        std::fs::write(out, soak::with_section(&existing, &section))?;
        eprintln!("wrote the soak section of {}", out.display());
    }
    anyhow::ensure!(report.failures.is_empty(), "the soak failed: {}", report.failures.join("; "));
    Ok(())
}
