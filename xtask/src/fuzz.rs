//! `fuzz`: install cargo-fuzz (pinned, into `target/tools`) when missing, build the fuzz targets of `fuzz/` with libFuzzer's coverage instrumentation on stable Rust (`--sanitizer none`), and run each one.
//!
//! CI runs every target for a few seconds (`smoke`); `cargo xtask fuzz --seconds N
//! [target...]` runs longer. Each target's corpus grows in `target/fuzz/corpus/<target>`
//! from the committed seeds in `fuzz/seeds/<target>`; a crashing input is written to
//! `target/fuzz/artifacts/<target>/` (commit it under `fuzz/regressions/<target>/` once
//! fixed, where `cargo test -p confab-fuzz` replays it).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::{cargo, project_root, run};

/// The cargo-fuzz release CI installs; with `--sanitizer none` it builds on stable Rust.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// How long CI's smoke runs each target.
const SMOKE_SECONDS: u64 = 5;

/// `cargo xtask fuzz [--seconds N] [--release] [target...]`.
pub(crate) fn fuzz(args: &[String]) -> Result<()> {
    let mut seconds = 60;
    let mut release = false;
    let mut targets = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--seconds" => seconds = rest.next().map(|s| s.parse()).transpose()?.unwrap_or(seconds),
            "--release" => release = true,
            other => targets.push(other.to_string()),
        }
    }
    run_targets(&targets, seconds, release)
}

/// CI: build every target (dev profile: the instrumented release build of the server's
/// dependencies would take most of CI's budget) and run each for a few seconds.
pub(crate) fn smoke() -> Result<()> {
    run_targets(&[], SMOKE_SECONDS, false)
}

fn run_targets(targets: &[String], seconds: u64, release: bool) -> Result<()> {
    let root = project_root();
    let path = tools_path(&root)?;
    let all = list(&root)?;
    let targets: Vec<String> = if targets.is_empty() { all } else { targets.to_vec() };
    let profile: &[&str] = if release { &[] } else { &["--dev"] };
    run(cargo(&root).env("PATH", &path).args(["fuzz", "build", "--sanitizer", "none"]).args(profile))?;
    for target in &targets {
        let corpus = root.join("target/fuzz/corpus").join(target);
        let artifacts = root.join("target/fuzz/artifacts").join(target);
        std::fs::create_dir_all(&corpus)?;
        std::fs::create_dir_all(&artifacts)?;
        let mut cmd = cargo(&root);
        cmd.env("PATH", &path).args(["fuzz", "run", "--sanitizer", "none"]).args(profile).arg(target).arg(&corpus).arg(root.join("fuzz/seeds").join(target));
        cmd.arg("--").arg(format!("-max_total_time={seconds}")).arg(format!("-artifact_prefix={}/", artifacts.display())).arg("-rss_limit_mb=2048");
        if let Some(dict) = dictionary(&root, target) {
            cmd.arg(format!("-dict={}", dict.display()));
        }
        run(&mut cmd)?;
    }
    Ok(())
}

/// The target's token dictionary: `fuzz/dicts/<target>.dict`, else the JSON one for
/// the targets whose input is JSON.
fn dictionary(root: &Path, target: &str) -> Option<PathBuf> {
    let own = root.join("fuzz/dicts").join(format!("{target}.dict"));
    let json = ["attachments", "command_response", "dialog", "manifest", "webhook_payload"].contains(&target);
    if own.is_file() { Some(own) } else { json.then(|| root.join("fuzz/dicts/json.dict")) }
}

/// The targets: the binaries in `fuzz/fuzz_targets/`.
fn list(root: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("fuzz/fuzz_targets"))?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".rs").map(str::to_string))
        .collect();
    names.sort();
    if names.is_empty() {
        bail!("no fuzz targets in fuzz/fuzz_targets");
    }
    Ok(names)
}

/// `PATH` with `target/tools/bin` first, cargo-fuzz installed there if it is missing.
fn tools_path(root: &Path) -> Result<std::ffi::OsString> {
    let tools = root.join("target/tools");
    let bin = tools.join("bin");
    if !bin.join("cargo-fuzz").is_file() {
        println!("xtask: cargo-fuzz is missing; installing {CARGO_FUZZ_VERSION} into {}", tools.display());
        run(cargo(root).args(["install", "--locked", &format!("cargo-fuzz@{CARGO_FUZZ_VERSION}"), "--root"]).arg(&tools))?;
    }
    let mut paths: Vec<PathBuf> = vec![bin];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    Ok(std::env::join_paths(paths)?)
}
