//! The checker's own tests: for each rule, fixture files that break it and must be reported at the right line, and clean ones that must not be; plus the repository itself passing.

use super::allowlist::ALLOWED;
use super::layering::{is_write_sql, looks_like_sql};
use super::{Rule, Tree, Violation, check, check_with_allowlist, in_module, is_test_path};
use crate::project_root;

/// A `dispatch.rs` with the shapes the hook list is read from: a hook method, a helper
/// that is no hook, and a macro-made hook.
const DISPATCH: &str = r#"//! Dispatch.
impl PluginHost {
    pub async fn serve_http(&self, request: Request) -> Response {
        self.runtime().call("serve-http", request).await
    }
    pub async fn flush_background(&self) {}
    background_hook!(
        /// A WebSocket connection opened.
        on_websocket_connect(connection_id: &str => String) => HookFamily::Websocket, "on-websocket-connect", websocket, call_on_websocket_connect);
}
"#;

fn violations(files: &[(&str, &str)]) -> Vec<Violation> {
    check(&Tree::of(files))
}

/// `(path, line, rule)` of each violation.
fn found(files: &[(&str, &str)]) -> Vec<(String, usize, Rule)> {
    violations(files).into_iter().map(|v| (v.path, v.line, v.rule)).collect()
}

fn at(path: &str, line: usize, rule: Rule) -> (String, usize, Rule) {
    (path.to_string(), line, rule)
}

/// A `//!` header, then `body`.
fn rs(body: &str) -> String {
    format!("//! Fixture.\n{body}")
}

#[test]
fn a_violation_prints_as_path_line_rule_and_what_to_do() {
    let v = Violation::new("a/b.rs", 7, Rule::FileSize, "split it");
    assert_eq!(v.to_string(), "a/b.rs:7: file-size — split it");
}

#[test]
fn doc_header_and_mod_rs() {
    assert_eq!(found(&[("a/src/lib.rs", "fn f() {}\n")]), [at("a/src/lib.rs", 1, Rule::DocHeader)]);
    assert_eq!(found(&[("a/src/foo/mod.rs", "//! Foo.\n")]), [at("a/src/foo/mod.rs", 1, Rule::NoModRs)]);
    assert_eq!(found(&[("a/src/foo.rs", "//! Foo.\n"), ("a/src/foo/bar.rs", "//! Bar.\n")]), []);
}

#[test]
fn workspace_lints() {
    let root = "[workspace]\nmembers = [\"a\"]\n\n[workspace.lints.rust]\nunsafe_code = \"deny\"\n";
    let without = "# a crate\n[package]\nname = \"a\"\n";
    let with = "[package]\nname = \"a\"\n\n[lints]\nworkspace = true\n";
    assert_eq!(found(&[("Cargo.toml", root), ("a/Cargo.toml", without)]), [at("a/Cargo.toml", 2, Rule::WorkspaceLints)]);
    assert_eq!(found(&[("Cargo.toml", root), ("a/Cargo.toml", with)]), []);
    assert_eq!(found(&[("Cargo.toml", root), ("a/Cargo.toml", "lints.workspace = true\n\n[package]\nname = \"a\"\n")]), []);
    // A workspace without lints has nothing to inherit.
    assert_eq!(found(&[("Cargo.toml", "[workspace]\n"), ("a/Cargo.toml", without)]), []);
    // `package.workspace` points elsewhere.
    let pointing = "[package]\nname = \"p\"\nworkspace = \"../../ws\"\n";
    assert_eq!(found(&[("ws/Cargo.toml", root), ("x/p/Cargo.toml", pointing)]), [at("x/p/Cargo.toml", 1, Rule::WorkspaceLints)]);
}

#[test]
fn host_depends_on_neither_axum_nor_sqlx() {
    let manifest =
        "[package]\nname = \"confab-host\"\n\n[dependencies]\ntokio.workspace = true\nsqlx.workspace = true\n\n[dev-dependencies.axum]\nversion = \"0.8\"\n";
    assert_eq!(found(&[("host/Cargo.toml", manifest)]), [at("host/Cargo.toml", 6, Rule::HostLayering), at("host/Cargo.toml", 8, Rule::HostLayering)]);
    let renamed = "[package]\nname = \"confab-host\"\n[dependencies]\nweb = { package = \"axum\", version = \"0.8\" }\n";
    assert_eq!(found(&[("host/Cargo.toml", renamed)]), [at("host/Cargo.toml", 4, Rule::HostLayering)]);
    let code = rs("use std::sync::Arc;\nuse axum::{Router, routing::get};\n\nfn f() {\n    let _ = sqlx::query(\"x\");\n}\n");
    assert_eq!(
        found(&[("host/src/server.rs", &code)]),
        [at("host/src/server.rs", 3, Rule::HostLayering), at("host/src/server.rs", 3, Rule::HostLayering), at("host/src/server.rs", 6, Rule::HostLayering)]
    );
    let clean = rs("/// Knows nothing of axum or sqlx.\nuse tokio::sync::Mutex;\n");
    assert_eq!(found(&[("host/Cargo.toml", "[package]\nname = \"h\"\n[dependencies]\ntokio = \"1\"\n"), ("host/src/lib.rs", &clean)]), []);
}

#[test]
fn sql_only_in_store() {
    let service = rs(concat!(
        "use sqlx::Row;\n",
        "fn f(id: &str) -> String {\n",
        "    let q = \"SELECT id FROM users WHERE id = $1\";\n",
        "    format!(\"DELETE FROM {}\", q)\n",
        "}\n",
        "const S: &str = \"\n    UPDATE posts SET message = $1\";\n",
    ));
    assert_eq!(
        found(&[("server-core/src/service/users.rs", &service)]),
        [
            at("server-core/src/service/users.rs", 2, Rule::SqlOnlyInStore),
            at("server-core/src/service/users.rs", 4, Rule::SqlOnlyInStore),
            at("server-core/src/service/users.rs", 5, Rule::SqlOnlyInStore),
            at("server-core/src/service/users.rs", 7, Rule::SqlOnlyInStore),
        ]
    );
    // Prose, doc comments, test code and the store itself are not SQL outside store/.
    let prose = rs(concat!(
        "/// SELECT id FROM users: what the store runs.\n",
        "fn f() -> [&'static str; 3] { [\"Select a channel\", \"Update the channel SET\", \"Delete from the channel\"] }\n",
        "#[cfg(test)]\nmod tests {\n    fn t() { let _ = sqlx::query(\"SELECT 1\"); }\n}\n",
    ));
    let store = rs("fn f() { let _ = sqlx::query(\"SELECT id FROM users\"); }\n");
    assert_eq!(
        found(&[
            ("host/src/dispatch.rs", DISPATCH),
            ("server-core/src/api/users.rs", &prose),
            ("server-core/src/store/users.rs", &store),
            ("server-core/src/store.rs", &store)
        ]),
        []
    );
    assert_eq!(found(&[("server-core/tests/db.rs", &store)]), []);
}

#[test]
fn sql_text_is_recognised_without_catching_prose() {
    for sql in [
        "SELECT 1",
        "  SELECT id\nFROM t",
        "INSERT INTO t (a) VALUES ($1)",
        "UPDATE t SET a = 1",
        "DELETE FROM t",
        "WITH x AS (SELECT 1) SELECT 2",
        "CREATE TABLE t (a TEXT)",
        "DROP SCHEMA s CASCADE",
        "PRAGMA journal_mode = WAL",
    ] {
        assert!(looks_like_sql(sql), "{sql:?} is SQL");
    }
    for prose in
        ["Select a team", "SELECTED", "Update the channel", "UPDATE is not allowed", "DELETE the post", "WITH love", "CREATE a team", "select * from t"]
    {
        assert!(!looks_like_sql(prose), "{prose:?} is not SQL");
    }
    assert!(is_write_sql(" RETURNING id) INSERT INTO posts ("));
    assert!(is_write_sql("UPDATE users SET roles = $1"));
    assert!(!is_write_sql("SELECT id FROM channels FOR UPDATE"));
}

#[test]
fn no_axum_in_service_or_domain() {
    let service = rs("use axum::http::StatusCode;\n\nfn f() -> axum::Json<()> { todo() }\n");
    assert_eq!(
        found(&[("server-core/src/service/posts.rs", &service), ("server-core/src/domain.rs", &service)]),
        [
            at("server-core/src/domain.rs", 2, Rule::NoAxumInCore),
            at("server-core/src/domain.rs", 4, Rule::NoAxumInCore),
            at("server-core/src/service/posts.rs", 2, Rule::NoAxumInCore),
            at("server-core/src/service/posts.rs", 4, Rule::NoAxumInCore),
        ]
    );
    let mention = rs("/// Unlike axum's rejection, this keeps Mattermost's shape.\nfn f() {}\n");
    assert_eq!(found(&[("host/src/dispatch.rs", DISPATCH), ("server-core/src/api/posts.rs", &service), ("server-core/src/domain/paging.rs", &mention)]), []);
}

#[test]
fn no_hook_call_in_api() {
    let api = rs(concat!(
        "async fn serve(state: State) {\n",
        "    let response = state.host.serve_http(request).await;\n",
        "    if let Some(host) = services.host() {\n",
        "        host.on_websocket_connect(&id);\n",
        "    }\n",
        "    PluginHost::serve_http(&plugin_host, request).await;\n",
        "}\n",
    ));
    assert_eq!(
        found(&[("host/src/dispatch.rs", DISPATCH), ("server-core/src/api/plugins.rs", &api)]),
        [
            at("server-core/src/api/plugins.rs", 3, Rule::NoHookCallInApi),
            at("server-core/src/api/plugins.rs", 5, Rule::NoHookCallInApi),
            at("server-core/src/api/plugins.rs", 7, Rule::NoHookCallInApi)
        ]
    );
    // A use case of the same name, a host helper that is no hook, and the service
    // layer calling the hook are all fine.
    let clean = rs("async fn serve(state: State) {\n    state.services.serve_http(request).await;\n    state.host.flush_background().await;\n}\n");
    assert_eq!(found(&[("host/src/dispatch.rs", DISPATCH), ("server-core/src/api/plugins.rs", &clean), ("server-core/src/service/plugins.rs", &api)]), []);
    // Without the hook list the rule cannot pass quietly.
    assert_eq!(found(&[("server-core/src/api/plugins.rs", &clean)]), [at("host/src/dispatch.rs", 1, Rule::NoHookCallInApi)]);
}

#[test]
fn http_clients_only_in_outbound_and_the_cli() {
    let client = rs("use reqwest::Client;\n\nfn f() {\n    let c = reqwest::Client::builder().build();\n    let m = reqwest::Method::GET;\n}\n");
    assert_eq!(
        found(&[("server-core/src/service/commands.rs", &client)]),
        [
            at("server-core/src/service/commands.rs", 2, Rule::HttpClientOnlyInOutbound),
            at("server-core/src/service/commands.rs", 5, Rule::HttpClientOnlyInOutbound)
        ]
    );
    let parts = rs("fn f() { let _ = (reqwest::Method::POST, reqwest::header::CONTENT_TYPE); }\n");
    assert_eq!(
        found(&[
            ("server-core/src/outbound.rs", &client),
            ("server-core/src/cli/plugin.rs", &client),
            ("server-core/src/service/actions.rs", &parts),
            ("server-core/src/api/commands/tests.rs", &client)
        ]),
        []
    );
}

#[test]
fn store_writes_go_through_the_writer() {
    let store = rs(concat!(
        "impl Store {\n",
        "    async fn a(&self) { sqlx::query(\"DELETE FROM t\").execute(&self.pool).await; }\n",
        "    async fn b(&self) { let tx = self.pool.begin().await; }\n",
        "    async fn c(&self) {\n",
        "        sqlx::query(\"UPDATE t SET a = 1 RETURNING id\")\n",
        "            .bind(1)\n",
        "            .fetch_one(&self.pool)\n",
        "            .await;\n",
        "    }\n",
        "}\n",
    ));
    assert_eq!(
        found(&[("server-core/src/store/posts.rs", &store)]),
        [
            at("server-core/src/store/posts.rs", 3, Rule::WritesThroughWriter),
            at("server-core/src/store/posts.rs", 4, Rule::WritesThroughWriter),
            at("server-core/src/store/posts.rs", 8, Rule::WritesThroughWriter)
        ]
    );
    let clean = rs(concat!(
        "impl Store {\n",
        "    async fn a(&self) { sqlx::query(\"DELETE FROM t\").execute(self.writer()).await; }\n",
        "    async fn b(&self) { let mut tx = self.writer().begin().await; sqlx::query(\"UPDATE t SET a = 1\").execute(&mut *tx).await; }\n",
        "    async fn c(&self) { sqlx::query(\"SELECT a FROM t\").fetch_all(&self.pool).await; }\n",
        "    async fn connect(pool: AnyPool) { sqlx::query(\"PRAGMA journal_mode = WAL\").execute(&pool).await; }\n",
        "}\n",
    ));
    assert_eq!(found(&[("server-core/src/store/posts.rs", &clean), ("server-core/src/store.rs", &clean)]), []);
}

/// A function of `lines` lines, from `fn` to `}`.
fn function(name: &str, lines: usize) -> String {
    format!("fn {name}() {{\n{}}}\n", "    let _ = 1;\n".repeat(lines - 2))
}

#[test]
fn function_size() {
    let long = rs(&format!("{}\n{}", function("short", 80), function("long", 81)));
    assert_eq!(found(&[("bench/src/b1.rs", &long)]), [at("bench/src/b1.rs", 83, Rule::FunctionSize)]);
    let in_impl = rs(&format!("impl X {{\n    /// Doc lines do not count.\n    {}}}\n", function("method", 90)));
    assert_eq!(found(&[("host/src/x.rs", &in_impl)]), [at("host/src/x.rs", 4, Rule::FunctionSize)]);
    let tests = rs(&format!("#[cfg(test)]\nmod tests {{\n{}}}\n#[test]\n{}", function("t", 200), function("u", 200)));
    assert_eq!(found(&[("host/src/x.rs", &tests), ("host/tests/big.rs", &long), ("server-core/src/store/tests.rs", &long)]), []);
}

#[test]
fn file_size() {
    let body = |lines: usize| rs(&"const A: u8 = 1;\n".repeat(lines - 1));
    assert_eq!(found(&[("host/src/big.rs", &body(601))]), [at("host/src/big.rs", 1, Rule::FileSize)]);
    assert_eq!(found(&[("host/src/ok.rs", &body(600))]), []);
    // The lines of an inline test module do not count, nor do test files.
    let with_tests = format!("{}#[cfg(test)]\nmod tests {{\n{}}}\n", body(590), "    const B: u8 = 1;\n".repeat(100));
    assert_eq!(found(&[("host/src/ok.rs", &with_tests), ("tests/e2e/big.rs", &body(900)), ("host/src/tests.rs", &body(900))]), []);
}

#[test]
fn unreadable_rust_is_reported() {
    assert_eq!(found(&[("a/src/lib.rs", "//! Broken.\nfn f( {\n")]), [at("a/src/lib.rs", 2, Rule::Parse)]);
}

#[test]
fn the_allowlist_turns_listed_violations_into_warnings_and_reports_stale_entries() {
    let big = rs(&"const A: u8 = 1;\n".repeat(700));
    let tree = Tree::of(&[("server-core/src/service/big.rs", &big)]);
    let outcome = check_with_allowlist(&tree, &[("server-core/src/service/big.rs", Rule::FileSize)]);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.allowed.len(), 1);
    // Another rule in the same file is not covered, and an entry with nothing left to cover fails.
    let outcome = check_with_allowlist(&tree, &[("server-core/src/service/big.rs", Rule::FunctionSize), ("server-core/src/gone.rs", Rule::FileSize)]);
    let rules: Vec<Rule> = outcome.errors.iter().map(|v| v.rule).collect();
    assert_eq!(rules, [Rule::FileSize, Rule::StaleAllowance, Rule::StaleAllowance]);
    assert!(outcome.allowed.is_empty());
}

#[test]
fn test_paths_and_modules() {
    assert!(is_test_path("host/tests/runtime/harness.rs"));
    assert!(is_test_path("tests/e2e/posts.rs"));
    assert!(is_test_path("server-core/src/store/tests.rs"));
    assert!(!is_test_path("server-core/src/service/tests_helper.rs"));
    assert!(!is_test_path("xtask/src/tidy/tests")); // a file named `tests`, not a directory
    assert!(in_module("server-core/src/store.rs", "server-core/src/store"));
    assert!(in_module("server-core/src/store/posts.rs", "server-core/src/store"));
    assert!(!in_module("server-core/src/stores.rs", "server-core/src/store"));
}

/// The tidy walk finds the real tree, and the repository obeys every rule (allow-list
/// applied), so `cargo test` alone catches a broken rule too.
#[test]
fn the_repository_is_tidy() {
    let tree = Tree::load(&project_root()).expect("read the repository");
    assert!(tree.get("xtask/src/tidy.rs").is_some(), "the walk did not find xtask/src/tidy.rs");
    assert!(tree.get("host/Cargo.toml").is_some());
    let outcome = check_with_allowlist(&tree, ALLOWED);
    let lines: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
    assert!(lines.is_empty(), "cargo xtask tidy fails:\n{}", lines.join("\n"));
}

/// ARCHITECTURE.md names the rule that checks each invariant; a renamed or dropped rule
/// would leave the map promising a check that no longer runs.
#[test]
fn architecture_md_names_exactly_the_rules_that_exist() {
    let all = [
        Rule::DocHeader,
        Rule::NoModRs,
        Rule::WorkspaceLints,
        Rule::HostLayering,
        Rule::SqlOnlyInStore,
        Rule::NoAxumInCore,
        Rule::NoHookCallInApi,
        Rule::HttpClientOnlyInOutbound,
        Rule::WritesThroughWriter,
        Rule::FileSize,
        Rule::FunctionSize,
    ];
    let text = std::fs::read_to_string(crate::project_root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md is readable");
    let cited: std::collections::BTreeSet<&str> = text.split("(tidy: `").skip(1).filter_map(|rest| rest.split('`').next()).collect();
    let known: std::collections::BTreeSet<&str> = all.iter().map(|r| r.name()).collect();
    assert_eq!(cited, known, "ARCHITECTURE.md's `(tidy: `rule`)` marks must name every checked rule, and only those");
}

/// A host parser naming two plain permissions and two prefixes.
const CAPABILITIES_RS: &str = r#"//! Capabilities.
fn parse(s: &str) -> Capability {
    match s {
        "kv" => Capability::Kv,
        "teams:write" => Capability::TeamsWrite,
        other => match (other.strip_prefix("http:"), other.strip_prefix("plugin:")) {
            _ => Capability::Unknown,
        },
    }
}
fn host(pattern: &str) -> bool {
    pattern.strip_prefix("*.").is_some()
}
"#;

#[test]
fn capability_described_reports_each_permission_the_console_cannot_explain() {
    let console = "const WORDS = {\n  kv: 'keep data',\n};\nif (c.startsWith('http:')) {}\n";
    let found = found(&[("host/src/capabilities.rs", CAPABILITIES_RS), ("webapp/src/components/console/capabilities.ts", console)]);
    assert_eq!(found, vec![at("host/src/capabilities.rs", 5, Rule::CapabilityDescribed), at("host/src/capabilities.rs", 6, Rule::CapabilityDescribed)]);
    let complete = "const WORDS = {\n  kv: 'keep data',\n  'teams:write': 'add members',\n};\nif (c.startsWith('http:') || c.startsWith('plugin:')) {}\n";
    assert!(violations(&[("host/src/capabilities.rs", CAPABILITIES_RS), ("webapp/src/components/console/capabilities.ts", complete)]).is_empty());
}
