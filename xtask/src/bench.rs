//! `bench`: build the plugins, then run the benchmark suite (`bench/`, crate confab-bench) and write BENCHMARKS.md plus JSON results.

use anyhow::Result;

use crate::{cargo, project_root, run};

/// `cargo xtask bench [--quick] [--smoke]`. Release build by default; `--smoke` runs
/// the dev build and writes only under `target/bench/` — CI's check that the suite
/// still runs, whose numbers mean nothing.
pub(crate) fn bench(args: &[String]) -> Result<()> {
    let smoke = args.iter().any(|a| a == "--smoke");
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
    build.args(["build", "-p", "confab-server", "-p", "confab-bench", "--bin", "confab", "--bin", "confab-bench"]);
    if !smoke {
        build.arg("--release");
    }
    run(&mut build)?;
    // Where cargo put it: `CARGO_TARGET_DIR` when set, else `<root>/target`.
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), std::path::PathBuf::from);
    let mut cmd = std::process::Command::new(target.join(if smoke { "debug" } else { "release" }).join("confab-bench"));
    if args.iter().any(|a| a == "--quick") || smoke {
        cmd.arg("--quick");
    }
    if smoke {
        let out = root.join("target/bench");
        cmd.arg("--out").arg(out.join("BENCHMARKS.smoke.md")).arg("--json").arg(out.join("results.smoke.json"));
    }
    run(&mut cmd)
}
