//! `cargo xtask ci`: everything CI checks, in CI order — formatting, tidy, clippy with warnings denied on every workspace, then the whole test suite (JS and Python plugins included, never skipped), then smoke runs of the fuzz targets, the benchmarks and the soak.
//!
//! The cheap checks come first so a formatting slip fails in seconds, not after the
//! plugin build and the test run.

use std::process::Command;

use anyhow::{Result, bail};

use crate::plugins::{self, TARGET};
use crate::{cargo, project_root, run};

/// Run every CI step; the first failure stops the run.
pub(crate) fn run_all() -> Result<()> {
    let root = project_root();
    let plugin_workspaces = plugins::workspaces();
    ensure_component("rustfmt", "fmt")?;
    ensure_component("clippy", "clippy")?;
    // Clippy on the plugin workspaces below checks for wasm32-wasip2, so the target must
    // be there before the first lint, not only before the plugin build.
    plugins::ensure_target()?;
    plugins::ensure_rust_target(plugins::EXTISM_TARGET)?;
    let extism_guest = root.join(plugins::EXTISM_GUEST);

    run(cargo(&root).args(["fmt", "--all", "--check"]))?;
    for ws in plugin_workspaces.iter().chain([&extism_guest]) {
        run(cargo(ws).args(["fmt", "--all", "--check"]))?;
    }
    println!("$ cargo xtask tidy");
    crate::tidy::run()?;

    run(cargo(&root).args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    for ws in &plugin_workspaces {
        // Plugins are only ever built for wasm32-wasip2; lint what actually ships.
        let mut cmd = cargo(ws);
        cmd.args(["clippy", "--workspace", "--all-targets", "--target", TARGET, "--target-dir"]).arg(plugins::target_dir()).args(["--", "-D", "warnings"]);
        run(&mut cmd)?;
    }
    let mut cmd = cargo(&extism_guest);
    cmd.args(["clippy", "--all-targets", "--target", plugins::EXTISM_TARGET, "--target-dir"]).arg(plugins::target_dir()).args(["--", "-D", "warnings"]);
    run(&mut cmd)?;

    crate::test(&[], crate::guests::Missing::Fail)?;
    crate::web::web()?;
    // Every fuzz target builds instrumented and runs a few seconds from its seeds.
    crate::fuzz::smoke()?;
    // The benchmarks report, they do not judge: only a crash or a broken invariant fails here.
    crate::bench::bench(&["--smoke".to_string()])?;
    // The soak does judge: memory, descriptors, tasks and connections back to baseline.
    crate::bench::soak(&["--smoke".to_string()])
}

/// Make sure `cargo <subcommand>` exists: the minimal rustup profile has neither
/// rustfmt nor clippy, and CI must run on a machine that has only Rust.
fn ensure_component(component: &str, subcommand: &str) -> Result<()> {
    let present = cargo(&project_root()).args([subcommand, "--version"]).output().is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    if Command::new("rustup").arg("--version").output().is_ok_and(|o| o.status.success()) {
        println!("xtask: `cargo {subcommand}` is missing; adding the {component} component");
        return run(Command::new("rustup").args(["component", "add", component]));
    }
    bail!(
        "`cargo {subcommand}` is not installed and rustup is not available: install the {component} component (with rustup: `rustup component add {component}`)"
    )
}
