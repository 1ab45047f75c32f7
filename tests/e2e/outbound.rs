//! A plugin's outbound HTTP in a real server, through the `fx-outbound` fixture against loopback upstreams: ungranted hosts, private addresses and redirects to either are refused before anything reaches them; granted loopback (allowed by the admin) works; the request quota, the body cap and the hook deadline hold.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use confab_e2e::{TestDir, TestServer, User};
use confab_server::Config;
use serde_json::{Value, json};

/// A loopback upstream counting the requests it gets: `/hello` answers `hello from
/// upstream`, `/big` 10 000 bytes, `/hang` never; with `redirect_to` set, every path
/// answers `302` to it instead.
struct Upstream {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Upstream {
    async fn start(redirect_to: Option<String>) -> Upstream {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            counter.fetch_add(1, Ordering::SeqCst);
            let redirect_to = redirect_to.clone();
            async move {
                use axum::response::IntoResponse;
                if let Some(to) = redirect_to {
                    return (axum::http::StatusCode::FOUND, [("location", to)]).into_response();
                }
                match uri.path() {
                    "/big" => vec![b'x'; 10_000].into_response(),
                    // Longer than any hook deadline here; the test's end drops it.
                    "/hang" => {
                        tokio::time::sleep(Duration::from_secs(120)).await;
                        "late".into_response()
                    }
                    _ => "hello from upstream".into_response(),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Upstream { port, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Install `fx-outbound` with `permissions` and `limits` in place of its manifest's.
fn install(dir: &TestDir, permissions: &[String], limits: Value) {
    let id = dir.install_plugin("tests/plugins/fx-outbound", "fx_outbound.wasm");
    let path = dir.plugin_dir().join(&id).join("plugin.json");
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    manifest["permissions"] = json!(permissions);
    manifest["limits"] = limits;
    std::fs::write(&path, manifest.to_string()).unwrap();
}

async fn start(dir: &TestDir, allowed_internal: &str) -> TestServer {
    let config = Config { data_dir: dir.path().to_path_buf(), allowed_untrusted_internal_connections: allowed_internal.into(), ..Config::default() };
    TestServer::start_with(config).await
}

/// A team's town square for a new user.
async fn channel(server: &TestServer) -> (User, String) {
    let user = server.signup("ann").await;
    let (_, team) = server.post_as("/api/v4/teams", &user.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{}/channels/name/town-square", team["id"].as_str().unwrap()), &user.token).await;
    (user, town["id"].as_str().unwrap().to_string())
}

/// Post `message` and return the message as stored (what the fixture made of it).
async fn post(server: &TestServer, user: &User, channel_id: &str, message: &str) -> String {
    let (status, post) = server.post_as("/api/v4/posts", &user.token, &json!({ "channel_id": channel_id, "message": message })).await;
    assert_eq!(status, 201, "{post}");
    post["message"].as_str().unwrap().to_string()
}

/// [`post`], again while the quota refuses it (the bucket refills within a second;
/// waiting for a token beats guessing how long).
async fn post_within_quota(server: &TestServer, user: &User, channel_id: &str, message: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = post(server, user, channel_id, message).await;
        if answer != "err quota exceeded" || Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ungranted_hosts_and_private_addresses_are_refused() {
    let granted = Upstream::start(None).await;
    let ungranted = Upstream::start(None).await;
    let dir = TestDir::new();
    install(&dir, &[format!("http:127.0.0.1:{}", granted.port)], json!({}));
    // The admin allowed no internal address: loopback is private.
    let server = start(&dir, "").await;
    let (ann, channel_id) = channel(&server).await;

    let to_ungranted = post(&server, &ann, &channel_id, &format!("fetch {}", ungranted.url("/hello"))).await;
    assert_eq!(to_ungranted, "err permission denied");
    let by_name = post(&server, &ann, &channel_id, &format!("fetch http://localhost:{}/hello", granted.port)).await;
    assert_eq!(by_name, "err permission denied", "a grant names a host, not whatever resolves to its address");
    let to_private = post(&server, &ann, &channel_id, &format!("fetch {}", granted.url("/hello"))).await;
    assert_eq!(to_private, "err permission denied", "granted, but a private address the admin did not allow");
    assert_eq!((granted.hits(), ungranted.hits()), (0, 0), "nothing reached either upstream");

    let not_http = post(&server, &ann, &channel_id, "fetch file:///etc/passwd").await;
    assert!(not_http.starts_with("err invalid input"), "{not_http}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_followed_only_to_granted_public_or_allowed_hosts() {
    let upstream = Upstream::start(None).await;
    let ungranted = Upstream::start(None).await;
    let to_upstream = Upstream::start(Some(upstream.url("/hello"))).await;
    let to_ungranted = Upstream::start(Some(ungranted.url("/hello"))).await;
    // The cloud metadata service: granted by a careless admin, still internal.
    let to_metadata = Upstream::start(Some("http://169.254.169.254/latest/meta-data/".into())).await;
    let dir = TestDir::new();
    let permissions: Vec<String> = [&upstream, &to_upstream, &to_ungranted, &to_metadata]
        .iter()
        .map(|u| format!("http:127.0.0.1:{}", u.port))
        .chain(["http:169.254.169.254".to_string()])
        .collect();
    install(&dir, &permissions, json!({}));
    let server = start(&dir, "127.0.0.1").await;
    let (ann, channel_id) = channel(&server).await;

    assert_eq!(post(&server, &ann, &channel_id, &format!("fetch {}", upstream.url("/hello"))).await, "ok 200 19 hello from upstream");
    assert_eq!(post(&server, &ann, &channel_id, &format!("fetch {}", to_upstream.url("/"))).await, "ok 200 19 hello from upstream", "a granted redirect");
    assert_eq!(upstream.hits(), 2);

    assert_eq!(post(&server, &ann, &channel_id, &format!("fetch {}", to_ungranted.url("/"))).await, "err permission denied");
    assert_eq!((to_ungranted.hits(), ungranted.hits()), (1, 0), "the redirect was not followed");
    assert_eq!(post(&server, &ann, &channel_id, &format!("fetch {}", to_metadata.url("/"))).await, "err permission denied");
    assert_eq!(to_metadata.hits(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quota_the_body_cap_and_the_deadline_hold() {
    let upstream = Upstream::start(None).await;
    let dir = TestDir::new();
    let limits = json!({ "http_requests_per_second": 3, "http_max_response_bytes": 1000, "deadline_ms": 1000 });
    install(&dir, &[format!("http:127.0.0.1:{}", upstream.port)], limits);
    let server = start(&dir, "127.0.0.1").await;
    let (ann, channel_id) = channel(&server).await;

    let flood = post(&server, &ann, &channel_id, &format!("flood 50 {}", upstream.url("/hello"))).await;
    // A bucket of 3, refilled every third of a second: on a slow machine one or two
    // may have refilled while the first ones ran.
    let sent: usize = flood.strip_prefix("flood ").and_then(|rest| rest.strip_suffix(" quota exceeded")).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!((3..=5).contains(&sent), "the flood was stopped by the quota: {flood}");
    assert_eq!(upstream.hits(), sent, "the refused ones were never sent");

    let cut = post_within_quota(&server, &ann, &channel_id, &format!("fetch {}", upstream.url("/big"))).await;
    assert!(cut.starts_with("ok 200 1000 xxx"), "the body is cut at the plugin's limit: {cut}");

    // An upstream that never answers holds the hook only until its deadline; the
    // post goes through untouched (fail open) and the failure is counted.
    let started = Instant::now();
    let message = format!("fetch {}", upstream.url("/hang"));
    assert_eq!(post_within_quota(&server, &ann, &channel_id, &message).await, message);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(5), "the deadline ended the wait after {waited:?}");
    server.stop().await;
}
