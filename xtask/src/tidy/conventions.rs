//! The house conventions: a `//!` line atop every `.rs` file, `foo.rs` + `foo/` instead of `foo/mod.rs`, and every crate inheriting its workspace's lints.

use super::{Rule, Tree, Violation};

pub(super) fn check(tree: &Tree, out: &mut Vec<Violation>) {
    for (path, text) in tree.rust_files() {
        if !text.lines().next().is_some_and(|first| first.starts_with("//!")) {
            out.push(Violation::new(path, 1, Rule::DocHeader, "start the file with a `//!` line saying what it is for"));
        }
        if path == "mod.rs" || path.ends_with("/mod.rs") {
            out.push(Violation::new(path, 1, Rule::NoModRs, "rename `foo/mod.rs` to `foo.rs` beside the `foo/` directory"));
        }
    }
    for (path, text) in tree.files().filter(|(path, _)| *path == "Cargo.toml" || path.ends_with("/Cargo.toml")) {
        workspace_lints(tree, path, text, out);
    }
}

/// A crate whose workspace has `[workspace.lints]` must say `[lints]` / `workspace = true`.
fn workspace_lints(tree: &Tree, path: &str, text: &str, out: &mut Vec<Violation>) {
    let manifest = match text.parse::<toml::Table>() {
        Ok(manifest) => manifest,
        Err(e) => {
            out.push(Violation::new(path, 1, Rule::WorkspaceLints, format!("not valid TOML ({e}); fix the manifest")));
            return;
        }
    };
    let Some(package) = manifest.get("package").and_then(|p| p.as_table()) else { return }; // a virtual manifest
    let own = manifest.get("workspace").is_some_and(|w| w.is_table()).then(|| path.to_string());
    let workspace_has_lints = own
        .or_else(|| workspace_manifest_of(tree, path, package))
        .and_then(|ws| tree.get(&ws)?.parse::<toml::Table>().ok())
        .is_some_and(|ws| ws.get("workspace").and_then(|w| w.get("lints")).is_some());
    // A workspace without `[workspace.lints]` has nothing to inherit (cargo would reject
    // `workspace = true`), so its crates are exempt.
    let inherits = manifest.get("lints").and_then(|l| l.get("workspace")).and_then(|w| w.as_bool()) == Some(true);
    if workspace_has_lints && !inherits {
        let line = text.lines().position(|l| l.trim() == "[package]").map_or(1, |i| i + 1);
        out.push(Violation::new(path, line, Rule::WorkspaceLints, "add `[lints]` / `workspace = true` so the crate gets the workspace's lints"));
    }
}

/// The manifest of the workspace the crate at `path` belongs to: its `package.workspace`
/// if given, else the nearest ancestor manifest with a `[workspace]` table.
fn workspace_manifest_of(tree: &Tree, path: &str, package: &toml::Table) -> Option<String> {
    let dir = path.strip_suffix("Cargo.toml")?.trim_end_matches('/');
    if let Some(explicit) = package.get("workspace").and_then(|w| w.as_str()) {
        return Some(normalize(&format!("{dir}/{explicit}/Cargo.toml")));
    }
    let mut ancestor = dir;
    while !ancestor.is_empty() {
        ancestor = ancestor.rsplit_once('/').map_or("", |(parent, _)| parent);
        let candidate = if ancestor.is_empty() { "Cargo.toml".to_string() } else { format!("{ancestor}/Cargo.toml") };
        if tree.get(&candidate).and_then(|t| t.parse::<toml::Table>().ok()).is_some_and(|m| m.contains_key("workspace")) {
            return Some(candidate);
        }
    }
    None
}

/// Resolve `.` and `..` in a relative `/` path.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}
