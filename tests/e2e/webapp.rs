//! The web client at `/`: the embedded build with its content types and cache rules, deep links answered with the app, and API, hook and plugin paths that keep Mattermost's JSON 404.

use confab_e2e::{TestDir, TestServer, json};

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// The hashed script `index.html` loads (`/static/index-<hash>.js`).
fn script_of(index: &str) -> String {
    let start = index.find("src=\"/static/").expect("index.html loads a script from /static/") + "src=\"".len();
    let end = index[start..].find('"').unwrap() + start;
    index[start..end].to_string()
}

#[tokio::test]
async fn the_client_and_its_assets_are_served_with_their_types_and_cache_rules() {
    let dir = TestDir::new();
    let server = TestServer::start(&dir).await;

    let page = server.get("/").await;
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&page, "cache-control"), "no-cache", "a new build is picked up on the next load");
    assert!(header(&page, "content-security-policy").contains("script-src 'self'"));
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    let index = page.text().await.unwrap();
    assert!(index.contains("<div id=\"root\">"), "{index}");

    let script = server.get(&script_of(&index)).await;
    assert_eq!(script.status(), 200);
    assert_eq!(header(&script, "content-type"), "text/javascript; charset=utf-8");
    assert_eq!(header(&script, "cache-control"), "public, max-age=31536000, immutable", "hashed names never change content");
    assert!(script.bytes().await.unwrap().len() > 10_000);

    let head = server.client.head(server.url("/")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.bytes().await.unwrap().is_empty());

    server.stop().await;
}

#[tokio::test]
async fn deep_links_answer_the_app() {
    let dir = TestDir::new();
    let server = TestServer::start(&dir).await;
    for path in [
        "/login",
        "/signup_user_complete",
        "/select_team",
        "/eng/channels/town-square",
        "/eng/pl/abcdefghijklmnopqrstuvwxyz",
        "/eng/messages/@bob",
        "/admin_console/plugins/plugin_management",
    ] {
        let response = server.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "content-type"), "text/html; charset=utf-8", "{path}");
        assert!(response.text().await.unwrap().contains("<div id=\"root\">"), "{path}");
    }
    server.stop().await;
}

#[tokio::test]
async fn server_paths_and_missing_assets_keep_json_404s() {
    let dir = TestDir::new();
    let server = TestServer::start(&dir).await;
    for path in ["/api/v4/no/such/route", "/api/v4", "/hooks/x/y", "/static/index-missing.js", "/static/plugins/x/y.js", "/favicon-missing.png", "/metrics/x"] {
        let response = server.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(header(&response, "content-type").starts_with("application/json"), "{path}");
        assert_eq!(json(response).await["id"], "api.context.404.app_error", "{path}");
    }
    // Only GET and HEAD reach the client; a write to a client path is the API's 404.
    let post = server.client.post(server.url("/eng/channels/town-square")).send().await.unwrap();
    assert_eq!(post.status(), 404);
    assert_eq!(json(post).await["id"], "api.context.404.app_error");
    server.stop().await;
}
