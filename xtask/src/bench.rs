//! `bench` and `soak`: build the plugins, then run the benchmark suite (`bench/`, crate confab-bench) and write BENCHMARKS.md plus JSON results, or run the soak alone.

use anyhow::Result;

use crate::{cargo, project_root, run};

/// `cargo xtask bench [--quick] [--smoke]`. Release build by default; `--smoke` runs
/// the dev build and writes only under `target/bench/` — CI's check that the suite
/// still runs, whose numbers mean nothing.
pub(crate) fn bench(args: &[String]) -> Result<()> {
    let smoke = args.iter().any(|a| a == "--smoke");
    let mut cmd = build(smoke)?;
    if args.iter().any(|a| a == "--quick") || smoke {
        cmd.arg("--quick");
    }
    if smoke {
        let out = project_root().join("target/bench");
        cmd.arg("--out").arg(out.join("BENCHMARKS.smoke.md")).arg("--json").arg(out.join("results.smoke.json"));
    }
    run(&mut cmd)
}

/// `cargo xtask soak [--seconds N] [--record] [--dev] [--smoke]`: the soak alone
/// (bench/src/soak.rs). Release build and 30 minutes by default; `--record` writes its
/// section into BENCHMARKS.md; `--dev` uses the dev build (a leak does not need
/// optimised code to show); `--smoke` (CI) is the dev build for 60 s, recording nothing.
pub(crate) fn soak(args: &[String]) -> Result<()> {
    let smoke = args.iter().any(|a| a == "--smoke");
    let seconds = args.iter().position(|a| a == "--seconds").and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| if smoke { "60" } else { "1800" }.into());
    let mut cmd = build(smoke || args.iter().any(|a| a == "--dev"))?;
    cmd.arg("--soak").arg(seconds);
    if args.iter().any(|a| a == "--record") && !smoke {
        cmd.arg("--record");
    }
    run(&mut cmd)
}

/// Build `confab` and `confab-bench` (dev for `smoke`, else release, plugins first) and
/// return the bench binary as a command.
fn build(smoke: bool) -> Result<std::process::Command> {
    let root = project_root();
    if !smoke {
        // The suite measures the built components; CI's smoke run follows `test`,
        // which has just built them.
        run(cargo(&root).args(["xtask", "plugins"]))?;
    }
    // The load rows drive a real `confab` process. Both binaries are built in one
    // cargo call (one feature resolution, so neither rebuilds the other's
    // dependencies) and the suite is run directly.
    let mut build = cargo(&root);
    // `confab-bench-oop-plugin` is B1's and B2's plugin process, found beside the suite.
    build.args(["build", "-p", "confab-server", "-p", "confab-bench", "--bin", "confab", "--bin", "confab-bench", "--bin", "confab-bench-oop-plugin"]);
    if !smoke {
        build.arg("--release");
    }
    run(&mut build)?;
    // Where cargo put it: `CARGO_TARGET_DIR` when set, else `<root>/target`.
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), std::path::PathBuf::from);
    Ok(std::process::Command::new(target.join(if smoke { "debug" } else { "release" }).join("confab-bench")))
}
