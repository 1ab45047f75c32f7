//! The authorization matrix: every route the router declares, called as anonymous, a plain member, a team member outside the channels, a team admin and a system admin against a fixture with private and direct channels; the status each gets, that no response or WebSocket event shows private or direct content to anyone outside, and that no route is left out.
//!
//! - `routes`: the router's (method, path) pairs, read from `server-core/src/api*.rs`
//!   (axum cannot list its routes);
//! - `table`: one line per route and target with each role's status (Mattermost's
//!   default permissions; where Confab knowingly differs, its answer and why);
//! - `fixture`: the users and objects, and the `:key` placeholders of the table;
//! - `runner`: runs the rows and checks bodies for leaks;
//! - `socket`: a WebSocket per role, open across the whole run.

mod fixture;
mod routes;
mod runner;
mod socket;
mod table;

use std::collections::BTreeSet;

use confab_e2e::{Backend, TestDir, TestServer, on_both_backends};
use confab_server::Config;

on_both_backends!(authorization_matrix);

/// A loopback integration that answers every action click and dialog submission `{}`.
async fn integration() -> String {
    let app = axum::Router::new().fallback(|| async { axum::Json(serde_json::json!({})) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the integration");
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

async fn authorization_matrix(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/kv-counter", "kv_counter.wasm");
    let integration = integration().await;
    // The integration is on loopback, which outbound requests may reach only when allowed.
    let config = Config { data_dir: dir.path().to_path_buf(), allowed_untrusted_internal_connections: "127.0.0.1".into(), ..Config::default() };
    let Some(server) = TestServer::start_on_with(backend, "authz_matrix", config).await else { return };
    let world = fixture::build(&server, &integration).await;
    let mut sockets = socket::open(&server, &world).await;
    socket::private_events_stay_private(&server, &world, &mut sockets).await;

    // Logging out ends the roles' sessions, so it runs after everything else.
    let (last, rows): (Vec<&table::Row>, Vec<&table::Row>) = table::ROWS.iter().partition(|r| r.route == "/api/v4/users/logout");
    let mut report = runner::Report::default();
    runner::run(&server, &world, &rows, &mut report).await;
    report.failures.extend(socket::nothing_leaked(&server, &world, &mut sockets).await);
    drop(sockets);
    runner::run(&server, &world, &last, &mut report).await;
    for role in [fixture::Role::Member, fixture::Role::Admin] {
        let (status, _) = server.get_as("/api/v4/users/me", world.token(role)).await;
        if status != 401 {
            report.failures.push(format!("{role:?}'s session still works after logout: {status}"));
        }
    }
    report.assert_clean();
    server.stop().await;
}

/// Every route the router declares has a row, and every row names a route that exists.
#[test]
fn every_route_has_a_row() {
    let declared = routes::api_routes();
    let covered: BTreeSet<routes::Route> = table::ROWS.iter().map(|r| (r.method.to_string(), r.route.to_string())).collect();
    let missing: Vec<String> = declared.iter().filter(|(route, _)| !covered.contains(*route)).map(|((m, p), file)| format!("{m} {p} (api/{file})")).collect();
    let stale: Vec<String> = covered.iter().filter(|route| !declared.contains_key(*route)).map(|(m, p)| format!("{m} {p}")).collect();
    assert!(missing.is_empty(), "routes with no row in tests/e2e/authz_matrix/table.rs:\n{}", missing.join("\n"));
    assert!(stale.is_empty(), "rows for routes the router no longer has:\n{}", stale.join("\n"));
    // Not a count to keep in step with the router: a floor that catches a reader
    // that silently stopped finding routes.
    assert!(declared.len() > 90, "only {} routes found", declared.len());
}

/// The reader finds literal, chained, multi-line and `const` routes, skips test modules
/// and layers, and knows some routes of the real router.
#[test]
fn the_route_reader_finds_chained_split_and_const_routes() {
    let source = r#"
        const HOOK: &str = "/c/{id}";
        fn router() -> Router {
            Router::new()
                .route("/a", get(a).post(b))
                .route(
                    "/b",
                    put(c)
                        .delete(d)
                        .layer(DefaultBodyLimit::max(1)),
                )
                .route(HOOK, any(e))
        }
        // .route("/in-a-comment", get(x))
        /* .route("/in-a-block-comment", get(x)) */
        const NOT_A_ROUTE: &str = ".route(\"/in-a-string\", get(x))";
        #[cfg(test)]
        mod tests {
            fn t() { Router::new().route("/only-in-tests", get(x)); }
        }
    "#;
    let found = routes::routes_in_source(source).expect("reads");
    let expected: BTreeSet<routes::Route> =
        [("GET", "/a"), ("POST", "/a"), ("PUT", "/b"), ("DELETE", "/b"), ("ANY", "/c/{id}")].into_iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(found, expected);

    let real = routes::api_routes();
    for (method, path) in
        [("POST", "/api/v4/commands"), ("GET", "/api/v4/commands"), ("POST", "/hooks/commands/{hook_id}"), ("ANY", "/plugins/{plugin_id}/{*rest}")]
    {
        assert!(real.contains_key(&(method.to_string(), path.to_string())), "{method} {path} not found");
    }
}

/// What the reader cannot read fails instead of being skipped.
#[test]
fn the_route_reader_refuses_what_it_cannot_read() {
    for source in [
        r#"fn r() -> Router { Router::new().nest("/x", other()) }"#,
        r#"fn r() -> Router { Router::new().route(&format!("/x/{}", 1), get(a)) }"#,
        r#"fn r() -> Router { Router::new().route("/x", method_router()) }"#,
        r#"fn r() -> Router { Router::new().route("/x", get(a).on(MethodFilter::POST, b)) }"#,
        r#"fn r() -> Router { Router::new().route_service("/x", service) }"#,
        r#"fn r() -> Router { Router::new().route(UNKNOWN_CONST, get(a)) }"#,
    ] {
        assert!(routes::routes_in_source(source).is_err(), "accepted: {source}");
    }
}
