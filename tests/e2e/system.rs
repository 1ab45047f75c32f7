//! System routes end to end: the ping, request ids on every response, Mattermost 404 bodies, and `/metrics` as Prometheus text for loopback clients and admins only, or on a listener of its own.

use confab_e2e::{TestDir, TestServer, json};
use confab_server::Config;

fn request_id(response: &reqwest::Response) -> String {
    let value = response.headers().get("x-request-id").unwrap_or_else(|| panic!("no X-Request-ID on {} {}", response.status(), response.url()));
    value.to_str().unwrap().to_string()
}

fn assert_mattermost_id(id: &str) {
    assert!(id.len() == 26 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "not a Mattermost-style id: {id:?}");
}

#[tokio::test]
async fn ping_answers_ok_with_a_fresh_request_id() {
    let dir = TestDir::new();
    let server = TestServer::start(&dir).await;

    let first = server.get("/api/v4/system/ping").await;
    assert_eq!(first.status(), 200);
    let first_id = request_id(&first);
    assert_mattermost_id(&first_id);
    let body = json(first).await;
    assert_eq!(body["status"], "OK");
    assert_eq!(body["ActiveSearchBackend"], "database");

    let second = server.get("/api/v4/system/ping").await;
    assert_ne!(request_id(&second), first_id, "every request gets its own id");

    server.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_get_mattermost_error_bodies() {
    let dir = TestDir::new();
    let server = TestServer::start(&dir).await;

    let response = server.get("/api/v4/no/such/route").await;
    assert_eq!(response.status(), 404);
    let id = request_id(&response);
    let body = json(response).await;
    assert_eq!(body["id"], "api.context.404.app_error");
    assert_eq!(body["status_code"], 404);
    assert_eq!(body["request_id"], id.as_str(), "the body names the same request as the header");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body["detailed_error"].is_string());

    let response = server.client.delete(server.url("/api/v4/system/ping")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    request_id(&response);
    assert_eq!(json(response).await["id"], "api.context.405.app_error");

    server.stop().await;
}

#[tokio::test]
async fn metrics_are_prometheus_text_and_count_plugin_calls() {
    let dir = TestDir::new();
    let plugin_id = dir.install_plugin("example-plugins/kv-counter", "kv_counter.wasm");
    let server = TestServer::start(&dir).await;

    let response = server.get("/metrics").await;
    assert_eq!(response.status(), 200);
    request_id(&response);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "content-type {content_type}");
    let text = response.text().await.unwrap();
    assert!(text.contains("# TYPE confab_plugin_compiles_total counter\nconfab_plugin_compiles_total 1\n"), "one component compiled at startup:\n{text}");
    assert!(text.contains(&format!("confab_plugin_instances{{plugin_id=\"{plugin_id}\"}}")), "{text}");
    // Every sample line is `name{labels} value` or `name value`, with a numeric value.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "not a Prometheus sample: {line:?}");
    }

    assert_eq!(server.get(&format!("/plugins/{plugin_id}/counts")).await.status(), 200);
    let text = server.get("/metrics").await.text().await.unwrap();
    let calls = format!("confab_plugin_hook_calls_total{{plugin_id=\"{plugin_id}\",hook=\"serve-http\"}} 1\n");
    assert!(text.contains(&calls), "expected {calls:?} in\n{text}");

    server.stop().await;
}

/// `/metrics` outside the allowed client addresses: 403 in Mattermost's shape for
/// anyone, the page for a system admin's session. (Tests connect from loopback, so
/// the allowed range is set to exclude it.)
#[tokio::test]
async fn metrics_are_refused_outside_the_allowed_addresses_except_to_admins() {
    let dir = TestDir::new();
    let config = Config { data_dir: dir.path().to_path_buf(), metrics_allowed_from: "10.0.0.0/8".parse().unwrap(), ..Config::default() };
    let server = TestServer::start_with(config).await;
    let admin = server.signup("root").await;
    let member = server.signup("ann").await;

    for token in ["", member.token.as_str()] {
        let (status, body) = server.get_as("/metrics", token).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["id"], "api.context.permissions.app_error");
    }
    let response = server.request(reqwest::Method::GET, "/metrics", &admin.token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("confab_plugin_compiles_total"));
    server.stop().await;
}

/// With `--metrics-listen`, `/metrics` is served there to anyone and the main
/// listener answers 404 for it, even to an admin.
#[tokio::test]
async fn metrics_can_have_a_listener_of_their_own() {
    let dir = TestDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let metrics_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    let server = TestServer::start_with(Config { data_dir: dir.path().to_path_buf(), metrics_listen, ..Config::default() }).await;
    let admin = server.signup("root").await;

    let (status, body) = server.get_as("/metrics", &admin.token).await;
    assert_eq!((status, body["id"].as_str()), (404, Some("api.context.404.app_error")));
    let response = server.client.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("confab_plugin_compiles_total"));
    assert_eq!(server.client.get(format!("http://127.0.0.1:{port}/api/v4/system/ping")).send().await.unwrap().status(), 404, "nothing else there");
    server.stop().await;
}
