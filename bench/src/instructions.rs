//! Instructions per call, counted by `valgrind --tool=callgrind` on this binary's `--calls` mode: a figure that does not move with the machine's load.
//!
//! Two runs that set up the same subjects and make 0 and `n` calls differ only by the
//! calls, so (instructions of the second − instructions of the first) / `n` is the
//! cost of one call, start-up and compilation cancelled out. Wall-clock figures on a
//! shared two-core machine drift by a factor of two within minutes; these do not.

use std::process::Command;

use anyhow::Context;

use crate::plugin_path::Subject;

/// Calls per counted run: enough that per-call noise (a page fault, a lazy init) is
/// lost in the division, few enough that a run under valgrind takes seconds.
const CALLS: u64 = 4_000;

/// Whether valgrind can be run here.
pub fn available() -> bool {
    Command::new("valgrind").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Total instructions of `confab-bench --calls <which> <n>` under callgrind.
fn total(which: &str, n: u64) -> anyhow::Result<u64> {
    let exe = std::env::current_exe()?;
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null", "--smc-check=all-non-file"])
        .arg(exe)
        .args(["--calls", which, &n.to_string()])
        .output()
        .context("run valgrind")?;
    anyhow::ensure!(output.status.success(), "valgrind --calls {which} {n} failed: {}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find(|l| l.contains("Collected :")).context("callgrind printed no total")?;
    Ok(line.rsplit(':').next().unwrap_or_default().trim().replace(',', "").parse()?)
}

/// Instructions per call of each subject, in the order given.
pub fn per_call(subjects: &[(Subject, &str)]) -> anyhow::Result<Vec<f64>> {
    // Every run sets up every subject, so one zero-call run serves them all.
    let base = total(subjects[0].1, 0)?;
    subjects.iter().map(|(_, name)| Ok(total(name, CALLS)?.saturating_sub(base) as f64 / CALLS as f64)).collect()
}
