//! `cargo xtask tidy`: the house rules and the layering ARCHITECTURE.md promises, checked on the source tree; every violation is printed as `path:line: rule — what to do`.
//!
//! The rules read Rust with `syn` (test code left out, see `source.rs`) and manifests
//! with `toml`, never with text patterns over Rust. Conventions (`conventions.rs`): a
//! `//!` line atop every `.rs` file, no `mod.rs`, workspace lints in every crate.
//! Layering (`layering.rs`): `host` without axum or sqlx, SQL only in `store/`, no axum
//! in `service/` or `domain/`, no hook call in `api/`, HTTP clients only in
//! `outbound.rs` (and the CLI), store writes only through `Store::writer()`. Size
//! (`size.rs`): no file over 600 lines, no function over 80, tests excepted.
//! Violations listed in `allowlist.rs` are warnings until the files are restructured.

mod allowlist;
mod capabilities;
mod conventions;
mod layering;
mod size;
mod source;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::project_root;
use source::Facts;

/// One tidy rule; its name is what a violation line and the allow-list say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Rule {
    /// syn could not read the file, so the Rust rules could not check it.
    Parse,
    DocHeader,
    NoModRs,
    WorkspaceLints,
    HostLayering,
    SqlOnlyInStore,
    NoAxumInCore,
    NoHookCallInApi,
    HttpClientOnlyInOutbound,
    WritesThroughWriter,
    FileSize,
    FunctionSize,
    /// A plugin permission the System Console cannot explain.
    CapabilityDescribed,
    /// An allow-list entry that no longer matches a violation.
    StaleAllowance,
}

impl Rule {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Rule::Parse => "parse",
            Rule::DocHeader => "doc-header",
            Rule::NoModRs => "no-mod-rs",
            Rule::WorkspaceLints => "workspace-lints",
            Rule::HostLayering => "host-without-axum-sqlx",
            Rule::SqlOnlyInStore => "sql-only-in-store",
            Rule::NoAxumInCore => "no-axum-in-service-domain",
            Rule::NoHookCallInApi => "no-hook-call-in-api",
            Rule::HttpClientOnlyInOutbound => "http-client-only-in-outbound",
            Rule::WritesThroughWriter => "store-writes-through-writer",
            Rule::FileSize => "file-size",
            Rule::FunctionSize => "function-size",
            Rule::CapabilityDescribed => "capability-described",
            Rule::StaleAllowance => "stale-allowance",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken rule at a place: `path:line: rule — what`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Violation {
    pub path: String,
    pub line: usize,
    pub rule: Rule,
    /// What is wrong and what to do about it.
    pub what: String,
}

impl Violation {
    pub(crate) fn new(path: &str, line: usize, rule: Rule, what: impl Into<String>) -> Violation {
        Violation { path: path.to_string(), line, rule, what: what.into() }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {} — {}", self.path, self.line, self.rule, self.what)
    }
}

/// The files the rules read: every `.rs` file, every `Cargo.toml` and the console's
/// `capabilities.ts`, by path relative
/// to the repository root with `/` separators.
#[derive(Default)]
pub(crate) struct Tree {
    files: BTreeMap<String, String>,
}

impl Tree {
    /// Read the repository under `root`, skipping build output (`target/`), installed
    /// JS tools (`node_modules/`) and hidden directories (`.git`, `.cargo`, ...).
    pub(crate) fn load(root: &Path) -> Result<Tree> {
        let mut tree = Tree::default();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
                let entry = entry?;
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                let kind = entry.file_type()?;
                if kind.is_dir() {
                    if name != "target" && name != "node_modules" && !name.starts_with('.') {
                        stack.push(path);
                    }
                } else if kind.is_file() && (name.ends_with(".rs") || name == "Cargo.toml" || name == "capabilities.ts") {
                    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                    let relative = path.strip_prefix(root).unwrap_or(&path).components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                    tree.files.insert(relative, text);
                }
            }
        }
        Ok(tree)
    }

    /// A tree of the given files (the checker's own tests).
    #[cfg(test)]
    pub(crate) fn of(files: &[(&str, &str)]) -> Tree {
        Tree { files: files.iter().map(|(path, text)| (path.to_string(), text.to_string())).collect() }
    }

    pub(crate) fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// `(path, text)` of every file.
    pub(crate) fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(path, text)| (path.as_str(), text.as_str()))
    }

    pub(crate) fn rust_files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files().filter(|(path, _)| path.ends_with(".rs"))
    }
}

/// Whether `path` is test code as a whole: under a `tests/` directory, or a `tests.rs`.
pub(crate) fn is_test_path(path: &str) -> bool {
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        if (part == "tests" && parts.peek().is_some()) || part == "tests.rs" {
            return true;
        }
    }
    false
}

/// Whether `path` is the module `module` (a path without `.rs`): its file or a file below it.
pub(crate) fn in_module(path: &str, module: &str) -> bool {
    path.strip_suffix(".rs") == Some(module) || path.strip_prefix(module).is_some_and(|rest| rest.starts_with('/'))
}

/// Every violation in `tree`, sorted, allow-list not applied.
pub(crate) fn check(tree: &Tree) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut facts: BTreeMap<&str, Facts> = BTreeMap::new();
    for (path, text) in tree.rust_files() {
        match source::read(text) {
            Ok(f) => {
                facts.insert(path, f);
            }
            Err(e) => {
                let line = e.span().start().line;
                out.push(Violation::new(path, line, Rule::Parse, format!("syn cannot read this file ({e}), so no Rust rule checked it; make it valid Rust")));
            }
        }
    }
    conventions::check(tree, &mut out);
    layering::check(tree, &facts, &mut out);
    size::check(tree, &facts, &mut out);
    capabilities::check(tree, &mut out);
    out.sort();
    out.dedup();
    out
}

/// The outcome of a run with the allow-list applied.
pub(crate) struct Outcome {
    /// Violations that fail the run, stale allow-list entries included.
    pub errors: Vec<Violation>,
    /// Violations the allow-list tolerates for now.
    pub allowed: Vec<Violation>,
}

/// Check `tree` and apply the allow-list `entries` (`allowlist::ALLOWED` for a real run).
pub(crate) fn check_with_allowlist(tree: &Tree, entries: &[(&str, Rule)]) -> Outcome {
    let (allowed, mut errors): (Vec<Violation>, Vec<Violation>) = check(tree).into_iter().partition(|v| allowlist::covers(entries, v));
    errors.extend(allowlist::stale(tree, entries, &allowed));
    Outcome { errors, allowed }
}

/// `cargo xtask tidy`.
pub(crate) fn run() -> Result<()> {
    let root = project_root();
    let tree = Tree::load(&root)?;
    let outcome = check_with_allowlist(&tree, allowlist::ALLOWED);
    for v in &outcome.errors {
        println!("{v}");
    }
    if !outcome.allowed.is_empty() {
        println!("tidy: warning: {} allow-listed violation(s) in files being restructured, not counted (xtask/src/tidy/allowlist.rs):", outcome.allowed.len());
        for ((path, rule), count) in allowlist::summary(&outcome.allowed) {
            println!("  {path}: {rule} ×{count}");
        }
    }
    if !outcome.errors.is_empty() {
        bail!("tidy: {} violation(s); fix each as its line says", outcome.errors.len());
    }
    println!("tidy: {} files checked, every rule holds", tree.files.len());
    Ok(())
}
