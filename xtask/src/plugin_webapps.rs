//! The webapp halves of example plugins (`example-plugins/<plugin>/webapp/`, e.g. the poll's live bars): `npm ci` from the lock file, then `npm run build`, which writes the bundle `plugin.json`'s `webapp.bundle_path` names.
//!
//! The bundles take React from the page (`window.React`, Mattermost's externals
//! convention), so each project installs only its bundler. Without Node the projects
//! are skipped loudly for `plugins` and `test`; for `ci` and `web` that is an error.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::guests::{Missing, Skipped};
use crate::{project_root, run};

/// Every `example-plugins/*/webapp` with a `package.json`, sorted.
fn projects() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(project_root().join("example-plugins")) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path().join("webapp")).filter(|dir| dir.join("package.json").is_file()).collect();
    found.sort();
    found
}

/// Where the plugin's manifest says its bundle is.
fn bundle_path(plugin_dir: &Path) -> Result<PathBuf> {
    let manifest = plugin_dir.join("plugin.json");
    let text = std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", manifest.display()))?;
    match json["webapp"]["bundle_path"].as_str() {
        Some(path) => Ok(plugin_dir.join(path)),
        None => bail!("{} has a webapp/ project but no `webapp.bundle_path`", manifest.display()),
    }
}

fn node_missing() -> Option<&'static str> {
    ["node", "npm"].into_iter().find(|tool| !Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Build every plugin webapp; `missing` says what a missing Node means.
pub(crate) fn build(missing: Missing) -> Result<Vec<Skipped>> {
    let mut skipped = Vec::new();
    for dir in projects() {
        let plugin_dir = dir.parent().expect("webapp/ has a parent").to_path_buf();
        let shown = dir.strip_prefix(project_root()).unwrap_or(&dir).display().to_string();
        let bundle = bundle_path(&plugin_dir)?;
        if let Some(tool) = node_missing() {
            let reason = format!("`{tool}` is not on PATH, so {shown} was not built; install Node.js 20+ with npm to build it");
            if missing == Missing::Fail {
                bail!("{reason}");
            }
            println!("xtask: SKIPPING {shown}: {reason}");
            // A bundle left from an earlier build would be packed as if it were current.
            let _ = std::fs::remove_file(&bundle);
            skipped.push(Skipped { component: shown, reason });
            continue;
        }
        if !dir.join("package-lock.json").is_file() {
            bail!("{shown}: no package-lock.json; run `npm install` there and commit the lock file");
        }
        // `--ignore-scripts`: the bundler's platform binary comes as an optional package;
        // nothing needs an install script.
        run(Command::new("npm").current_dir(&dir).args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"]))?;
        run(Command::new("npm").current_dir(&dir).args(["run", "build"]))?;
        if !bundle.is_file() {
            bail!("{shown}: `npm run build` did not write {}", bundle.display());
        }
        println!("xtask: webapp bundle {}", bundle.strip_prefix(project_root()).unwrap_or(&bundle).display());
    }
    Ok(skipped)
}
