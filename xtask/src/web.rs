//! `cargo xtask web`: the web client's checks — Node and npm present, `npm ci`, type check, ESLint, Vitest, a rebuild of `webapp/dist` that must equal the committed one, then the poll example plugin (both halves) and the browser tests (the chat client, then the System Console with bundles made from the fixture plugins) in Debian's Chromium against a freshly built `confab`.
//!
//! The `confab` binary embeds `webapp/dist` (see `server-core/src/api/webapp.rs`), so the
//! committed build is what `cargo run` serves; this task is how CI keeps it honest.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo, output, project_root, run};

/// Oldest Node major version the client's toolchain (Vite 7) runs on.
const MIN_NODE_MAJOR: u32 = 20;
/// Where the browser tests find Chromium (Debian's `chromium` package).
const CHROMIUM: &str = "/usr/bin/chromium";

/// Run every web client check; the first failure stops the run.
pub(crate) fn web() -> Result<()> {
    let root = project_root();
    let webapp = root.join("webapp");
    check_node()?;
    run(npm(&webapp).arg("ci"))?;
    run(npm(&webapp).args(["run", "typecheck"]))?;
    run(npm(&webapp).args(["run", "lint"]))?;
    run(npm(&webapp).args(["test"]))?;
    run(npm(&webapp).args(["run", "build"]))?;
    check_dist_unchanged(&root)?;
    ensure_chromium()?;
    // The plugin the browser tests install: its server half and its webapp half.
    let poll_wasm = crate::plugins::build_example("poll")?;
    crate::plugin_webapps::build(crate::guests::Missing::Fail)?;
    run(cargo(&root).args(["build", "-p", "confab-server", "--bin", "confab"]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("target"));
    // The chat client, then the System Console's plugin pages, whose bundles are made
    // from the fixture plugins (built here unless up to date).
    crate::plugins::build(crate::guests::Missing::Skip)?;
    for script in ["tests/browser/run.mjs", "tests/browser/console.mjs"] {
        let mut tests = Command::new("node");
        tests
            .current_dir(&webapp)
            .arg(script)
            .env("CONFAB_BIN", target.join("debug").join("confab"))
            .env("POLL_WASM", &poll_wasm)
            .env("SCREENSHOT_DIR", target.join("webapp-screenshots"))
            .env("CHROMIUM_PATH", CHROMIUM);
        run(&mut tests)?;
    }
    Ok(())
}

fn npm(dir: &Path) -> Command {
    let mut cmd = Command::new("npm");
    cmd.current_dir(dir);
    cmd
}

/// Node ≥ 20 and npm, or a clear error saying what to install.
fn check_node() -> Result<()> {
    let version = output(Command::new("node").arg("--version")).context("the web client needs Node.js (20 or newer) and npm on PATH")?;
    let major: u32 = version.trim().trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if major < MIN_NODE_MAJOR {
        bail!("the web client needs Node.js {MIN_NODE_MAJOR} or newer; found {}", version.trim());
    }
    output(Command::new("npm").arg("--version")).context("the web client needs npm (it comes with Node.js)")?;
    Ok(())
}

/// The fresh build must equal the committed `webapp/dist`: same files, same bytes.
fn check_dist_unchanged(root: &Path) -> Result<()> {
    let status = output(Command::new("git").current_dir(root).args(["status", "--porcelain", "--untracked-files=all", "--", "webapp/dist"]))?;
    if !status.trim().is_empty() {
        bail!("webapp/dist differs from a build of webapp/src:\n{}\nrun `npm run build` in webapp/ and commit webapp/dist", status.trim_end());
    }
    println!("xtask: webapp/dist matches a fresh build");
    Ok(())
}

/// Install Debian's Chromium when it is missing: as root with apt-get, else a clear error.
fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    let uid = output(Command::new("id").arg("-u")).unwrap_or_default();
    if uid.trim() != "0" {
        bail!("the browser tests need Chromium at {CHROMIUM}: install Debian's package (`sudo apt-get install chromium fonts-noto-color-emoji`)");
    }
    println!("xtask: {CHROMIUM} is missing; installing Debian's chromium");
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get").args(["install", "-y", "-q", "chromium", "fonts-noto-color-emoji"]).env("DEBIAN_FRONTEND", "noninteractive"))
}
