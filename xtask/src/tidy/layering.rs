//! The layering ARCHITECTURE.md promises, checked on non-test code: `host` without axum or sqlx, SQL only in `store/`, no axum in `service/` or `domain/`, no plugin hook call in `api/`, HTTP clients only in `outbound.rs` (and the CLI), store writes only through `Store::writer()`.
//!
//! Each rule reads what `source.rs` collected (paths, method calls, string literals),
//! never the text. Two of them are heuristics, stated where they are checked: SQL text
//! is a string literal starting with an upper-case statement keyword, and a hook call
//! is a call of a dispatch method of `host/src/dispatch.rs` on a receiver whose name
//! says host (`state.host`, `services.host()`, `host`).

use std::collections::{BTreeMap, BTreeSet};

use quote::ToTokens;

use super::source::{Facts, flatten, has_field};
use super::{Rule, Tree, Violation, in_module, is_test_path};

const HOST_MANIFEST: &str = "host/Cargo.toml";
/// Where the hook methods the server calls are defined.
const DISPATCH: &str = "host/src/dispatch.rs";

pub(super) fn check(tree: &Tree, facts: &BTreeMap<&str, Facts>, out: &mut Vec<Violation>) {
    host_manifest(tree, out);
    let hooks = hook_methods(tree, facts, out);
    for (&path, f) in facts.iter().filter(|(path, _)| !is_test_path(path)) {
        if in_module(path, "host") {
            forbidden_crates(
                path,
                f,
                &["axum", "sqlx"],
                Rule::HostLayering,
                "`host` knows nothing of HTTP or SQL: keep it to wasmtime, tokio and serde and pass plain data through `ServerApi`",
                out,
            );
        }
        if !in_module(path, "server-core/src") {
            continue;
        }
        if in_module(path, "server-core/src/store") {
            writes_through_writer(path, f, out);
        } else {
            sql(path, f, out);
        }
        if in_module(path, "server-core/src/service") || in_module(path, "server-core/src/domain") {
            forbidden_crates(
                path,
                f,
                &["axum"],
                Rule::NoAxumInCore,
                "axum belongs in `api/`: return a domain error or value and let the handler map it to HTTP",
                out,
            );
        }
        if in_module(path, "server-core/src/api") {
            hook_calls(path, f, &hooks, out);
        }
        if !in_module(path, "server-core/src/outbound") && !in_module(path, "server-core/src/cli") {
            http_clients(path, f, out);
        }
    }
}

/// Every path into one of `crates` (a `use`, an expression, a type, a macro).
fn forbidden_crates(path: &str, f: &Facts, crates: &[&str], rule: Rule, fix: &str, out: &mut Vec<Violation>) {
    for p in f.paths.iter().filter(|p| crates.iter().any(|c| p.starts_with(c))) {
        out.push(Violation::new(path, p.line, rule, format!("`{}`: {fix}", p.segments.join("::"))));
    }
}

/// `host/Cargo.toml` lists neither axum nor sqlx, under any dependency table or rename.
fn host_manifest(tree: &Tree, out: &mut Vec<Violation>) {
    let Some(text) = tree.get(HOST_MANIFEST) else { return };
    let Ok(manifest) = text.parse::<toml::Table>() else { return }; // workspace-lints reports bad TOML
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut tables: Vec<&toml::Table> = kinds.iter().filter_map(|k| manifest.get(*k)?.as_table()).collect();
    for target in manifest.get("target").and_then(|t| t.as_table()).into_iter().flat_map(|t| t.values()) {
        tables.extend(kinds.iter().filter_map(|k| target.get(*k)?.as_table()));
    }
    for (name, spec) in tables.into_iter().flatten() {
        let package = spec.get("package").and_then(|p| p.as_str()).unwrap_or(name);
        if ["axum", "sqlx"].contains(&package) {
            let line = text
                .lines()
                .position(|l| {
                    let l = l.trim();
                    l.strip_prefix(name.as_str()).is_some_and(|rest| rest.starts_with([' ', '=', '.'])) || l.ends_with(&format!(".{name}]"))
                })
                .map_or(1, |i| i + 1);
            out.push(Violation::new(
                HOST_MANIFEST,
                line,
                Rule::HostLayering,
                format!("`{package}` is a dependency of `host`: remove it; the server adapts HTTP and SQL to `ServerApi`"),
            ));
        }
    }
}

/// The hook methods: public methods (or macro-made ones) of `impl PluginHost` in
/// `dispatch.rs` whose body names the WIT hook of the same name (`serve_http` calls
/// `"serve-http"`), which leaves out helpers such as `flush_background`.
fn hook_methods(tree: &Tree, facts: &BTreeMap<&str, Facts>, out: &mut Vec<Violation>) -> BTreeSet<String> {
    let mut hooks = BTreeSet::new();
    let file = tree.get(DISPATCH).and_then(|text| syn::parse_file(text).ok());
    for imp in file.iter().flat_map(|f| &f.items).filter_map(|item| if let syn::Item::Impl(imp) = item { Some(imp) } else { None }) {
        if !imp.self_ty.to_token_stream().to_string().ends_with("PluginHost") {
            continue;
        }
        for item in &imp.items {
            let (name, toks) = match item {
                syn::ImplItem::Fn(f) if matches!(f.vis, syn::Visibility::Public(_)) => (f.sig.ident.to_string(), flatten(f.block.to_token_stream())),
                syn::ImplItem::Macro(m) => {
                    let toks = flatten(m.mac.tokens.clone());
                    let Some(name) = toks.first().map(|t| t.text.clone()) else { continue };
                    (name, toks)
                }
                _ => continue,
            };
            let wit_name = name.replace('_', "-");
            if toks.iter().any(|t| t.string.as_deref() == Some(wit_name.as_str())) {
                hooks.insert(name);
            }
        }
    }
    // Without the list the rule would pass vacuously; say so when there is an `api/` to check.
    if hooks.is_empty() && facts.keys().any(|p| in_module(p, "server-core/src/api") && !is_test_path(p)) {
        out.push(Violation::new(
            DISPATCH,
            1,
            Rule::NoHookCallInApi,
            "found no hook methods here: update `hook_methods` in xtask/src/tidy/layering.rs to where they are defined",
        ));
    }
    hooks
}

fn hook_calls(path: &str, f: &Facts, hooks: &BTreeSet<String>, out: &mut Vec<Violation>) {
    const FIX: &str = "hooks run in `service/`: call a use case that runs the hook, so every caller gets the same chain";
    for call in f.calls.iter().filter(|c| hooks.contains(&c.method)) {
        if call.receiver.iter().any(|t| t.string.is_none() && t.text.to_ascii_lowercase().contains("host")) {
            out.push(Violation::new(path, call.line, Rule::NoHookCallInApi, format!("`.{}(..)` on the plugin host: {FIX}", call.method)));
        }
    }
    for p in f
        .paths
        .iter()
        .filter(|p| p.segments.len() >= 2 && p.segments[p.segments.len() - 2] == "PluginHost" && hooks.contains(&p.segments[p.segments.len() - 1]))
    {
        out.push(Violation::new(path, p.line, Rule::NoHookCallInApi, format!("`{}`: {FIX}", p.segments.join("::"))));
    }
}

/// SQL outside `store/`: a `sqlx` path, or a string literal that reads as SQL.
fn sql(path: &str, f: &Facts, out: &mut Vec<Violation>) {
    const FIX: &str = "`store/` is the only place with SQL: add a `Store` method in server-core/src/store/ and call it";
    forbidden_crates(path, f, &["sqlx"], Rule::SqlOnlyInStore, FIX, out);
    for (text, line) in f.strings.iter().filter(|(s, _)| looks_like_sql(s)) {
        let head: String = text.trim_start().chars().take(30).collect();
        out.push(Violation::new(path, *line, Rule::SqlOnlyInStore, format!("SQL text \"{head}…\": {FIX}")));
    }
}

/// A string literal that starts like an SQL statement, keywords in upper case (the
/// house style), so prose such as "Update the channel" never matches.
pub(super) fn looks_like_sql(text: &str) -> bool {
    let s = text.trim_start();
    let word = |w: &str| s.strip_prefix(w).is_some_and(|rest| rest.starts_with([' ', '\n', '\t']));
    let ddl = ["CREATE", "ALTER", "DROP"].iter().any(|w| word(w))
        && s.split_whitespace().nth(1).is_some_and(|object| ["TABLE", "INDEX", "UNIQUE", "SCHEMA", "VIEW", "TRIGGER"].contains(&object));
    word("SELECT")
        || s.starts_with("INSERT INTO ")
        || s.starts_with("DELETE FROM ")
        || (word("UPDATE") && s.contains(" SET "))
        || (word("WITH") && s.contains(" AS ("))
        || word("PRAGMA")
        || ddl
}

/// Whether a piece of SQL writes (a statement or a fragment of one in `concat!`).
pub(super) fn is_write_sql(text: &str) -> bool {
    ["INSERT INTO ", "DELETE FROM ", "REPLACE INTO "].iter().any(|w| text.contains(w))
        || text.trim_start().starts_with("UPDATE ")
        || (text.contains("UPDATE ") && text.contains(" SET "))
        || text.contains(" RETURNING ")
}

/// In `store/`, nothing writes through `self.pool`: no `execute` on it, no transaction
/// begun on it, no writing statement fetched from it. Writes take `self.writer()`.
fn writes_through_writer(path: &str, f: &Facts, out: &mut Vec<Violation>) {
    const FIX: &str = "use `self.writer()`, the one writer connection on SQLite, so writers queue in order";
    for call in &f.calls {
        if !has_field(&call.args, "pool") && !has_field(&call.receiver, "pool") {
            continue;
        }
        let what = match call.method.as_str() {
            "begin" => "a transaction begun on `self.pool`",
            "execute" | "execute_many" => "`execute` on `self.pool`",
            "fetch" | "fetch_one" | "fetch_optional" | "fetch_all" | "fetch_many"
                if call.receiver.iter().filter_map(|t| t.string.as_deref()).any(is_write_sql) =>
            {
                "a writing statement run on `self.pool`"
            }
            _ => continue,
        };
        out.push(Violation::new(path, call.line, Rule::WritesThroughWriter, format!("{what}: {FIX}")));
    }
}

/// An HTTP client built outside `outbound.rs` and the CLI. Request parts
/// (`reqwest::Method`, `reqwest::header`) are fine; clients are not.
fn http_clients(path: &str, f: &Facts, out: &mut Vec<Violation>) {
    const CLIENT: &[&str] = &["Client", "ClientBuilder", "blocking", "get", "*"];
    for p in &f.paths {
        let second = p.segments.get(1).map(String::as_str);
        let client = (p.starts_with("reqwest") && second.is_some_and(|s| CLIENT.contains(&s)))
            || p.starts_with("ureq")
            || ((p.starts_with("hyper") || p.starts_with("hyper_util")) && second == Some("client"));
        if client {
            out.push(Violation::new(
                path,
                p.line,
                Rule::HttpClientOnlyInOutbound,
                format!(
                    "`{}`: requests the server makes on its own go through `outbound::Outbound` (internal addresses refused, timeouts, body caps)",
                    p.segments.join("::")
                ),
            ));
        }
    }
}
