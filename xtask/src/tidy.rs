//! House rules as tests (they run under `cargo test --workspace`): `//!` headers, no `mod.rs`, workspace lints in every crate.
//!
//! Each test walks the source tree itself (no git needed) and fails with the full list
//! of offending files, relative to the repository root, so one run shows everything
//! to fix.

use std::path::{Path, PathBuf};

use crate::project_root;

/// Every file under the repository root, skipping build output (`target/`), hidden
/// directories (`.git`, `.cargo`, ...) and npm's `node_modules/` (the web client's
/// dependencies; some ship Rust sources of their own).
fn files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                if name != "target" && name != "node_modules" && !name.starts_with('.') {
                    walk(&path, out);
                }
            } else if kind.is_file() {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&project_root(), &mut out);
    out.sort();
    out
}

fn rust_files() -> Vec<PathBuf> {
    files().into_iter().filter(|p| p.extension().is_some_and(|e| e == "rs")).collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(project_root()).unwrap_or(path).display().to_string()
}

/// Fail with `rule` and the offending files, one per line.
fn report(rule: &str, offenders: &[String]) {
    assert!(offenders.is_empty(), "{rule}; {} file(s) break the rule:\n  {}\n", offenders.len(), offenders.join("\n  "));
}

#[test]
fn sanity_the_walk_finds_this_file() {
    let me = project_root().join("xtask/src/tidy.rs");
    assert!(rust_files().contains(&me), "the tidy walk did not find {}", me.display());
}

#[test]
fn every_rust_file_starts_with_a_module_doc_line() {
    let offenders: Vec<String> = rust_files()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            !text.lines().next().is_some_and(|first| first.starts_with("//!"))
        })
        .map(|p| relative(&p))
        .collect();
    report("every .rs file must start with a `//!` line saying what the file is for", &offenders);
}

#[test]
fn no_mod_rs_files() {
    let offenders: Vec<String> = rust_files().into_iter().filter(|p| p.file_name().is_some_and(|n| n == "mod.rs")).map(|p| relative(&p)).collect();
    report("use `foo.rs` + `foo/`, never `foo/mod.rs`", &offenders);
}

/// Whether a manifest has `[lints]` followed by `workspace = true` (or the dotted form).
fn inherits_workspace_lints(manifest: &str) -> bool {
    let lines: Vec<&str> = manifest.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    lines.iter().any(|l| l.replace(' ', "") == "lints.workspace=true")
        || lines.windows(2).any(|w| w[0] == "[lints]" && w[1].replace(' ', "") == "workspace=true")
}

/// The manifest of the workspace `crate_manifest` belongs to: its `package.workspace`
/// if given, else the nearest ancestor manifest with a `[workspace]` table.
fn workspace_manifest_of(crate_manifest: &Path, text: &str) -> Option<PathBuf> {
    let dir = crate_manifest.parent()?;
    let explicit = text.lines().map(str::trim).find_map(|l| {
        let value = l.strip_prefix("workspace")?.trim_start().strip_prefix('=')?.trim();
        value.starts_with('"').then(|| value.trim_matches('"').to_string())
    });
    if let Some(rel) = explicit {
        return Some(dir.join(rel).join("Cargo.toml"));
    }
    dir.ancestors().skip(1).map(|d| d.join("Cargo.toml")).find(|m| std::fs::read_to_string(m).is_ok_and(|t| t.lines().any(|l| l.trim() == "[workspace]")))
}

#[test]
fn every_crate_inherits_the_workspace_lints() {
    let mut offenders = Vec::new();
    for manifest in files().into_iter().filter(|p| p.file_name().is_some_and(|n| n == "Cargo.toml")) {
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        if !text.lines().any(|l| l.trim() == "[package]") {
            continue; // a virtual workspace manifest
        }
        // A workspace without `[workspace.lints]` has nothing to inherit (cargo would
        // reject `workspace = true`), so its crates are exempt.
        let workspace_has_lints = workspace_manifest_of(&manifest, &text)
            .and_then(|ws| std::fs::read_to_string(ws).ok())
            .is_some_and(|ws| ws.lines().any(|l| l.trim().starts_with("[workspace.lints")));
        if workspace_has_lints && !inherits_workspace_lints(&text) {
            offenders.push(relative(&manifest));
        }
    }
    report("every crate manifest must say `[lints]` / `workspace = true`", &offenders);
}

#[test]
fn lint_detection() {
    assert!(inherits_workspace_lints("[package]\nname = \"x\"\n\n[lints]\nworkspace = true\n"));
    assert!(inherits_workspace_lints("[package]\nlints.workspace = true\n"));
    assert!(!inherits_workspace_lints("[package]\nname = \"x\"\n"));
    assert!(!inherits_workspace_lints("[lints.rust]\nunsafe_code = \"deny\"\n"));
}
