//! `cargo xtask`: the repository's build and CI tasks (build the wasm plugins, run every test, run CI, check the house rules and layering with `tidy`).
//!
//! Run `cargo xtask help` for the list. Everything here shells out to `cargo`,
//! `rustc` and `rustup` with inherited stdio, so what you see is what CI sees.

mod bench;
mod ci;
mod fuzz;
mod guests;
mod plugin_webapps;
mod plugins;
mod tidy;
mod web;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <task> [args]

tasks:
  plugins        add the wasm32-wasip2 target if missing, build every plugin (release)
                 and the benchmarks' Extism peer (wasm32-unknown-unknown);
                 JS (npm) and Python (venv) plugins and the plugins' webapp halves
                 (npm) too, skipped loudly without node/npm or python3
  test [ARGS]    plugins, then the whole test suite: `cargo test --workspace [ARGS]`
                 and the plugin crates' own unit tests
  tidy           the house rules and the layering ARCHITECTURE.md promises (headers,
                 no mod.rs, workspace lints, host without axum/sqlx, SQL only in
                 store/, no axum in service/ or domain/, no hook call in api/, HTTP
                 clients only in outbound.rs, store writes through the writer, files
                 <= 600 lines, functions <= 80); prints `path:line: rule — fix`
  ci             fmt check, tidy, clippy (-D warnings) on every workspace, then `test`, `web`;
                 here missing JS/Python tools are an error, never a skip,
                 then a smoke run of the fuzz targets (5 s each), of the benchmarks
                 (dev build, --quick) and of the soak (60 s)
  bench [--quick] [--smoke]
                 run the benchmark suite (release) and write BENCHMARKS.md and
                 target/bench/results.json; --quick finishes in under two minutes
  soak [--seconds N] [--record] [--dev] [--smoke]
                 the soak alone (release, 30 minutes): posting, WebSocket churn,
                 plugin reloads, misbehaving plugins; fails when memory, file
                 descriptors, tasks, threads or database connections do not return
                 to their baseline; --record writes its section into BENCHMARKS.md
  fuzz [--seconds N] [--release] [TARGET...]
                 build the fuzz targets (fuzz/, cargo-fuzz installed into
                 target/tools when missing; stable Rust, --sanitizer none) and
                 run each for N seconds (default 60); see docs/fuzzing.md
  web            the web client (webapp/): npm ci, tsc, ESLint, Vitest, a rebuild
                 of webapp/dist that must match the committed one, then the browser
                 tests (Debian's chromium, installed with apt-get when root)
  help           this text";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    let result = match task.as_deref() {
        Some("plugins") => plugins::build(guests::Missing::Skip).map(|built| report_skipped(&built.skipped)),
        Some("test") => test(&rest, guests::Missing::Skip),
        Some("tidy") => tidy::run(),
        Some("ci") => ci::run_all(),
        Some("bench") => bench::bench(&rest),
        Some("soak") => bench::soak(&rest),
        Some("fuzz") => fuzz::fuzz(&rest),
        Some("web") => web::web(),
        Some("help" | "-h" | "--help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(anyhow::anyhow!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `test`: build the plugins (the e2e and host tests load them), then run every test.
/// With `Missing::Fail` (CI) every JS/Python plugin must have been built, and the host
/// tests are told so (`CONFAB_REQUIRE_MULTILANG`): none of their tests may skip.
fn test(args: &[String], missing_tools: guests::Missing) -> Result<()> {
    let built = plugins::build(missing_tools)?;
    let mut cmd = cargo(&project_root());
    cmd.args(["test", "--workspace"]).args(args);
    if missing_tools == guests::Missing::Fail {
        cmd.env("CONFAB_REQUIRE_MULTILANG", "1");
    }
    run(&mut cmd)?;
    plugins::test(&built)?;
    report_skipped(&built.skipped);
    Ok(())
}

/// Repeat, last thing on screen, what was not built and so not tested.
fn report_skipped(skipped: &[guests::Skipped]) {
    if skipped.is_empty() {
        return;
    }
    println!(
        "xtask: SKIPPED {} plugin(s): not built, so the host tests that load them (host/tests/runtime/multilang.rs) skip, testing nothing:",
        skipped.len()
    );
    for s in skipped {
        println!("  {}: {}", s.component, s.reason);
    }
}

/// The repository root (the parent of `xtask/`).
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ has a parent").to_path_buf()
}

/// A `cargo` command running in `dir`: the same cargo that runs xtask, when known.
pub(crate) fn cargo(dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir);
    cmd
}

/// Run `cmd` with inherited stdio, echoing it first; a non-zero exit is an error.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    println!("$ {}", display(cmd));
    let status = cmd.status().with_context(|| format!("cannot start `{}`", display(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(cmd));
    }
    Ok(())
}

/// Run `cmd` and return its stdout; a non-zero exit is an error that includes stderr.
pub(crate) fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("cannot start `{}`", display(cmd)))?;
    if !out.status.success() {
        bail!("`{}` failed ({}): {}", display(cmd), out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `cd <dir> && program args...`, for echoing and error messages.
fn display(cmd: &Command) -> String {
    let mut s = String::new();
    if let Some(dir) = cmd.get_current_dir() {
        let dir = dir.strip_prefix(project_root()).unwrap_or(dir);
        if !dir.as_os_str().is_empty() {
            s.push_str(&format!("(cd {}) ", dir.display()));
        }
    }
    let program = Path::new(cmd.get_program());
    // Show `cargo`, not the absolute path of the cargo binary that $CARGO points to.
    s.push_str(&program.file_name().unwrap_or(OsStr::new("?")).to_string_lossy());
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}
