//! `confab-bench`: runs the benchmark rows, prints them, writes BENCHMARKS.md and a JSON file. Run through `cargo xtask bench [--quick]`.

mod activation;
mod bare;
mod client;
mod consume;
mod fanout;
mod fixtures;
mod instructions;
mod multilang;
mod plugin_path;
mod reload;
mod report;
mod scaling;
mod server;
mod server_load;
mod soak;
mod stats;

use std::path::PathBuf;

use report::Machine;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).map(PathBuf::from);
    let root = fixtures::repo_root();
    let out = value("--out").unwrap_or_else(|| root.join("BENCHMARKS.md"));
    let json = value("--json").unwrap_or_else(|| root.join("target/bench/results.json"));

    // `--calls <a|b|c|host> <n>`: only n calls of one B1 subject, then exit (for
    // `valgrind --tool=callgrind` or `perf`; nothing is written).
    if let Some(i) = args.iter().position(|a| a == "--calls") {
        let which: plugin_path::Subject = args.get(i + 1).map(String::as_str).unwrap_or_default().parse()?;
        let n: u64 = args.get(i + 2).map(String::as_str).unwrap_or("0").parse()?;
        let tmp = tempfile::tempdir()?;
        plugin_path::Subjects::new(tmp.path()).await?.run(which, n).await;
        return Ok(());
    }

    // `--soak <seconds> [--reload-every <seconds>] [--database-url <url>] [--record]`:
    // only the soak (`cargo xtask soak`); fails when a figure does not return to its
    // baseline. `--record` puts its section into BENCHMARKS.md (or `--out`).
    if let Some(seconds) = value("--soak") {
        return run_soak(&args, &seconds, &out, &root).await;
    }

    let machine = Machine::detect(quick);
    let effort = stats::Effort::new(quick);
    let tmp = tempfile::tempdir()?;
    let mut rows = Vec::new();

    // `--only B3,B8` runs just those rows;
    // the report is then written only where `--out`/`--json` say, never over BENCHMARKS.md.
    let only: Option<Vec<String>> =
        args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).map(|ids| ids.split(',').map(str::to_string).collect());
    let wanted = |id: &str| only.as_ref().is_none_or(|ids| ids.iter().any(|x| x == id));
    anyhow::ensure!(only.is_none() || value("--out").is_some(), "--only needs --out (a partial run must not replace BENCHMARKS.md)");

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

    if wanted("B12") {
        rows.push(consume::b10(quick, tmp.path()).await?);
    }

    if wanted("S1") {
        rows.push(scaling::s1(quick, tmp.path()).await?);
    }

    if wanted("C1") {
        rows.push(client::c1(&root, b3.as_ref())?);
    }

    write_report(&machine, &rows, &out, &json)
}

/// Print the report, then write it to `out` (keeping its soak section) and the rows to `json`.
fn write_report(machine: &Machine, rows: &[report::Row], out: &std::path::Path, json: &std::path::Path) -> anyhow::Result<()> {
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
async fn run_soak(args: &[String], seconds: &std::path::Path, out: &std::path::Path, root: &std::path::Path) -> anyhow::Result<()> {
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let secs = |text: &str| text.parse::<u64>().map(std::time::Duration::from_secs);
    let options = soak::SoakOptions {
        duration: secs(&seconds.display().to_string())?,
        reload_every: secs(&value("--reload-every").unwrap_or_else(|| "30".into()))?,
        database_url: value("--database-url"),
    };
    let tmp = tempfile::tempdir()?;
    let report = soak::run(&options, tmp.path()).await?;
    let section = soak::markdown(&report, &options);
    println!("{section}");
    let json = root.join("target/bench/soak.json");
    std::fs::create_dir_all(json.parent().expect("target/bench has a parent"))?;
    std::fs::write(&json, serde_json::to_vec_pretty(&report)?)?;
    if args.iter().any(|a| a == "--record") {
        let existing = std::fs::read_to_string(out).unwrap_or_default();
        std::fs::write(out, soak::with_section(&existing, &section))?;
        eprintln!("wrote the soak section of {}", out.display());
    }
    anyhow::ensure!(report.failures.is_empty(), "the soak failed: {}", report.failures.join("; "));
    Ok(())
}
