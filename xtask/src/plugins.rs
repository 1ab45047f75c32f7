//! `cargo xtask plugins`: make sure the `wasm32-wasip2` target is installed, then build every plugin workspace in release mode, the benchmarks' Extism peer, then the JS and Python plugins and the plugins' webapp halves.
//!
//! Plugins live outside the root workspace (they are built for wasm32-wasip2, which
//! `cargo test --workspace` must never attempt), so they are built here, into
//! `target/plugins/wasm32-wasip2/release/<crate_name>.wasm`, where the host and e2e
//! tests look for them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, bail};

use crate::{cargo, output, project_root, run};

/// The plugin compilation target: emits a wasm component directly.
pub(crate) const TARGET: &str = "wasm32-wasip2";

/// The benchmarks' Extism peer (B1 and B2's (d), `bench/extism-guest`): not a Confab
/// plugin but a core module for Extism, so built for the target Extism loads.
pub(crate) const EXTISM_GUEST: &str = "bench/extism-guest";
/// The target of [`EXTISM_GUEST`].
pub(crate) const EXTISM_TARGET: &str = "wasm32-unknown-unknown";

/// Directories that may be the root of a plugin build workspace. Today the fixtures in
/// `tests/plugins/` are members of the `example-plugins` workspace; if they ever get a
/// workspace of their own it is picked up without changing this file.
const WORKSPACE_CANDIDATES: &[&str] = &["example-plugins", "tests/plugins"];

/// Directories whose subdirectories holding `Cargo.toml` + `plugin.json` are plugin crates.
const PLUGIN_PARENTS: &[&str] = &["example-plugins", "tests/plugins"];

/// What `build` produced.
pub(crate) struct Built {
    /// The plugin workspaces that were built.
    pub workspaces: Vec<PathBuf>,
    /// JS/Python plugins not built because their tools are missing.
    pub skipped: Vec<crate::guests::Skipped>,
}

/// `target/plugins`: the plugin workspaces' target directory (also set in their
/// `.cargo/config.toml`; passed explicitly so a `CARGO_TARGET_DIR` in the environment
/// cannot send the components where the tests do not look).
pub(crate) fn target_dir() -> PathBuf {
    project_root().join("target/plugins")
}

/// Where the release components land.
pub(crate) fn out_dir() -> PathBuf {
    target_dir().join(TARGET).join("release")
}

/// The root directories of the plugin workspaces.
pub(crate) fn workspaces() -> Vec<PathBuf> {
    let root = project_root();
    WORKSPACE_CANDIDATES
        .iter()
        .map(|dir| root.join(dir))
        .filter(|dir| std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|manifest| manifest.lines().any(|l| l.trim() == "[workspace]")))
        .collect()
}

/// A plugin crate found on disk.
struct PluginCrate {
    /// Its directory.
    dir: PathBuf,
    /// The package name from its manifest.
    name: String,
}

impl PluginCrate {
    /// The component cargo produces for it.
    fn wasm(&self) -> PathBuf {
        out_dir().join(format!("{}.wasm", self.name.replace('-', "_")))
    }
}

/// Every plugin crate under [`PLUGIN_PARENTS`], sorted by directory.
fn plugin_crates() -> Result<Vec<PluginCrate>> {
    let root = project_root();
    let mut crates = Vec::new();
    for parent in PLUGIN_PARENTS {
        let Ok(entries) = std::fs::read_dir(root.join(parent)) else { continue };
        for entry in entries {
            let dir = entry?.path();
            let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else { continue };
            if !dir.join("plugin.json").is_file() {
                continue;
            }
            let Some(name) = package_name(&manifest) else { bail!("{}: no `name = \"...\"` in [package]", dir.join("Cargo.toml").display()) };
            crates.push(PluginCrate { dir, name });
        }
    }
    crates.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(crates)
}

/// The `name` of the `[package]` section (enough TOML for our own manifests).
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(value) = line.strip_prefix("name").map(str::trim_start).and_then(|l| l.strip_prefix('=')) {
            return Some(value.trim().trim_matches('"').to_string());
        }
    }
    None
}

/// Install the plugin target when it is missing and rustup can add it; otherwise fail
/// with the one-line fix.
pub(crate) fn ensure_target() -> Result<()> {
    ensure_rust_target(TARGET)
}

/// Install `target` when it is missing and rustup can add it; otherwise fail with the
/// one-line fix.
pub(crate) fn ensure_rust_target(target: &str) -> Result<()> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = output(Command::new(&rustc).args(["--print", "sysroot"]))?;
    if Path::new(sysroot.trim()).join("lib/rustlib").join(target).is_dir() {
        return Ok(());
    }
    // rustup proxies set RUSTUP_TOOLCHAIN for their children, so this adds the target
    // to the toolchain that is running xtask.
    if Command::new("rustup").arg("--version").output().is_ok_and(|o| o.status.success()) {
        println!("xtask: the {target} target is missing; adding it");
        return run(Command::new("rustup").args(["target", "add", target]));
    }
    bail!(
        "the {target} target is not installed and rustup is not available: install the rust-std component for {target} (with rustup: `rustup target add {target}`)"
    )
}

/// Build the benchmarks' Extism peer and check its module is there.
fn build_extism_guest() -> Result<()> {
    ensure_rust_target(EXTISM_TARGET)?;
    let mut cmd = cargo(&project_root().join(EXTISM_GUEST));
    cmd.args(["build", "--release", "--target", EXTISM_TARGET, "--target-dir"]).arg(target_dir());
    run(&mut cmd)?;
    let module = target_dir().join(EXTISM_TARGET).join("release/word_filter_extism.wasm");
    match std::fs::metadata(&module) {
        Ok(meta) => println!("xtask: the benchmarks' Extism peer: {} ({} KiB)", module.display(), meta.len().div_ceil(1024)),
        Err(e) => bail!("{EXTISM_GUEST} produced no {}: {e}", module.display()),
    }
    Ok(())
}

/// Build every plugin workspace in release mode and check every plugin crate produced
/// its component; then the JS and Python plugins.
/// `missing_tools` says what a missing tool means (see `guests`).
pub(crate) fn build(missing_tools: crate::guests::Missing) -> Result<Built> {
    ensure_target()?;
    let workspaces = workspaces();
    if workspaces.is_empty() {
        bail!("no plugin workspace found (looked in {})", WORKSPACE_CANDIDATES.join(", "));
    }
    for ws in &workspaces {
        let mut cmd = cargo(ws);
        cmd.args(["build", "--release", "--workspace", "--target", TARGET, "--target-dir"]).arg(target_dir());
        run(&mut cmd)?;
    }
    let root = project_root();
    let mut missing = Vec::new();
    println!("xtask: plugin components in {}:", out_dir().strip_prefix(&root).unwrap_or(&out_dir()).display());
    for plugin in plugin_crates()? {
        let dir = plugin.dir.strip_prefix(&root).unwrap_or(&plugin.dir).display().to_string();
        match std::fs::metadata(plugin.wasm()) {
            Ok(meta) => println!("  {:<32} {:>8} KiB  from {dir}", format!("{}.wasm", plugin.name.replace('-', "_")), meta.len().div_ceil(1024)),
            Err(_) => missing.push(dir),
        }
    }
    if !missing.is_empty() {
        bail!("these plugin crates produced no component (are they members of a plugin workspace?): {}", missing.join(", "));
    }
    build_extism_guest()?;
    let mut skipped = crate::guests::build(missing_tools)?;
    skipped.extend(crate::plugin_webapps::build(missing_tools)?);
    Ok(Built { workspaces, skipped })
}

/// One crate of the `example-plugins` workspace (the browser tests need only the
/// poll); returns its component.
pub(crate) fn build_example(package: &str) -> Result<PathBuf> {
    ensure_target()?;
    let mut cmd = cargo(&project_root().join("example-plugins"));
    cmd.args(["build", "--release", "-p", package, "--target", TARGET, "--target-dir"]).arg(target_dir());
    run(&mut cmd)?;
    Ok(out_dir().join(format!("{}.wasm", package.replace('-', "_"))))
}

/// The plugin crates' own unit tests, run natively (pure logic such as routing; the
/// host API is only reachable inside wasm, which the e2e and host tests cover).
pub(crate) fn test(built: &Built) -> Result<()> {
    let host = host_triple()?;
    for ws in &built.workspaces {
        let mut cmd = cargo(ws);
        cmd.args(["test", "--workspace", "--target", &host, "--target-dir"]).arg(target_dir());
        run(&mut cmd)?;
    }
    Ok(())
}

/// The triple of the machine we run on (`rustc -vV`'s `host:` line).
fn host_triple() -> Result<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let info = output(Command::new(rustc).arg("-vV"))?;
    match info.lines().find_map(|l| l.strip_prefix("host: ")) {
        Some(host) => Ok(host.trim().to_string()),
        None => bail!("`rustc -vV` printed no `host:` line"),
    }
}

#[cfg(test)]
mod tests {
    use super::package_name;

    #[test]
    fn reads_the_package_name() {
        let manifest = "[workspace]\nname = \"no\"\n\n[package]\n# comment\nname = \"kv-counter\"\nversion = \"1\"\n[dependencies]\nname = \"no\"\n";
        assert_eq!(package_name(manifest).as_deref(), Some("kv-counter"));
        assert_eq!(package_name("[dependencies]\nname = \"x\"\n"), None);
    }
}
