//! No secret reaches the log: the real `confab` binary runs with every target at `debug` while an incoming webhook (valid and invalid calls), a command and its response URL, failing commands and failing outgoing webhooks are used; its output must hold none of their ids, tokens, paths or queries.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Secrets planted in integration URLs; none may be logged.
const CMD_PATH: &str = "cmdpathsecret";
const CMD_QUERY: &str = "cmdquerysecret";
const FAILING_CMD_PATH: &str = "failingcmdsecret";
const OUT_PATH: &str = "outpathsecret";
const OUT_QUERY: &str = "outquerysecret";
const REFUSED_OUT_PATH: &str = "refusedoutsecret";
const USER_INFO: &str = "userinfosecret";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Server {
    child: Child,
    base: String,
    client: reqwest::Client,
}

impl Server {
    async fn start(data: &Path, log_file: &Path) -> Server {
        let port = free_port();
        // The log goes to stdout (tracing's default writer); catch stderr too.
        let output = std::fs::File::create(log_file).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_confab"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--log", "debug", "--allowed-untrusted-internal-connections", "127.0.0.1"])
            .arg("--data-dir")
            .arg(data)
            .env_remove("CONFAB_CONFIG")
            .env_remove("CONFAB_DATABASE_URL")
            .env_remove("CONFAB_PLUGIN_DIR")
            .env_remove("RUST_LOG")
            .stdout(Stdio::from(output.try_clone().unwrap()))
            .stderr(Stdio::from(output))
            .spawn()
            .expect("spawn confab");
        confab_server::outbound::install_tls_provider();
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while !server.client.get(format!("{}/api/v4/system/ping", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            assert!(Instant::now() < deadline, "confab did not start within 120 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// `method path` with a JSON body as `token`: (status, body).
    async fn call(&self, method: reqwest::Method, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let response = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token).json(body).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, token, body).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback slash-command integration: answers every call in the channel and keeps
/// the `response_url` it was given.
async fn command_receiver() -> (u16, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |body: String| {
        let response_url = url::form_urlencoded::parse(body.as_bytes()).find(|(k, _)| k == "response_url").map(|(_, v)| v.into_owned());
        log.lock().unwrap().extend(response_url);
        async { axum::Json(json!({ "response_type": "in_channel", "text": "ran" })) }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_stay_out_of_the_debug_log() {
    let data = tempfile::tempdir().unwrap();
    let log_file = data.path().join("output.log");
    let server = Server::start(&data.path().join("data"), &log_file).await;
    let (receiver_port, response_urls) = command_receiver().await;

    let (status, _) = server.post("/api/v4/users", "", &json!({ "username": "root", "email": "root@example.com", "password": "root-password" })).await;
    assert_eq!(status, 201);
    let login =
        server.client.post(format!("{}/api/v4/users/login", server.base)).json(&json!({"login_id": "root", "password": "root-password"})).send().await.unwrap();
    let token = login.headers()["token"].to_str().unwrap().to_string();
    let (status, team) = server.post("/api/v4/teams", &token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap();
    let (_, town) = server.call(reqwest::Method::GET, &format!("/api/v4/teams/{team_id}/channels/name/town-square"), &token, &Value::Null).await;
    let channel_id = town["id"].as_str().unwrap();

    // An incoming webhook: its id is its secret. A good call, a bad payload, a 404.
    let (status, hook) = server.post("/api/v4/hooks/incoming", &token, &json!({ "channel_id": channel_id })).await;
    assert_eq!(status, 201, "{hook}");
    let hook_id = hook["id"].as_str().unwrap().to_string();
    let hook_url = format!("{}/hooks/{hook_id}", server.base);
    assert_eq!(server.client.post(&hook_url).json(&json!({ "text": "hello" })).send().await.unwrap().status(), 200);
    assert_eq!(server.client.post(&hook_url).header("content-type", "application/json").body("{").send().await.unwrap().status(), 400);
    let unknown_hook = "zzzzzzzzzzzzzzzzzzzzzzzzzz";
    assert!(server.client.post(format!("{}/hooks/{unknown_hook}", server.base)).json(&json!({ "text": "x" })).send().await.unwrap().status().is_client_error());

    // A command with secrets in its URL, its response URL used (good and bad), and a
    // command whose integration cannot be reached (a 500, logged at error level).
    let cmd_url = format!("http://{USER_INFO}:{USER_INFO}@127.0.0.1:{receiver_port}/{CMD_PATH}?token={CMD_QUERY}");
    let (status, command) = server.post("/api/v4/commands", &token, &json!({ "team_id": team_id, "trigger": "sec", "method": "P", "url": cmd_url })).await;
    assert_eq!(status, 201, "{command}");
    let (status, answer) = server.post("/api/v4/commands/execute", &token, &json!({ "channel_id": channel_id, "command": "/sec hi" })).await;
    assert_eq!(status, 200, "{answer}");
    let response_url = response_urls.lock().unwrap().first().cloned().expect("the integration got a response_url");
    let response_id = response_url.rsplit('/').next().unwrap().to_string();
    assert_eq!(server.client.post(&response_url).json(&json!({ "text": "later" })).send().await.unwrap().status(), 200);
    assert_eq!(server.client.post(&response_url).header("content-type", "application/json").body("{").send().await.unwrap().status(), 400);
    let bad_url = format!("http://127.0.0.1:1/{FAILING_CMD_PATH}?token={CMD_QUERY}");
    let (status, failing) = server.post("/api/v4/commands", &token, &json!({ "team_id": team_id, "trigger": "down", "method": "G", "url": bad_url })).await;
    assert_eq!(status, 201, "{failing}");
    let (status, _) = server.post("/api/v4/commands/execute", &token, &json!({ "channel_id": channel_id, "command": "/down now" })).await;
    assert_eq!(status, 500);

    // Outgoing webhooks that fail: one cannot connect, one is refused (internal address).
    let callbacks = [format!("http://{USER_INFO}@127.0.0.1:1/{OUT_PATH}?token={OUT_QUERY}"), format!("http://10.255.255.1/{REFUSED_OUT_PATH}")];
    let (status, outgoing) = server
        .post("/api/v4/hooks/outgoing", &token, &json!({ "team_id": team_id, "channel_id": channel_id, "trigger_words": ["go"], "callback_urls": callbacks }))
        .await;
    assert_eq!(status, 201, "{outgoing}");
    let (status, _) = server.post("/api/v4/posts", &token, &json!({ "channel_id": channel_id, "message": "go now" })).await;
    assert_eq!(status, 201);

    // Both failures are logged (bounded wait), then everything is read.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = std::fs::read_to_string(&log_file).unwrap();
        if log.contains("outgoing webhook call failed") && log.contains("outgoing webhook refused") {
            break;
        }
        assert!(Instant::now() < deadline, "the outgoing webhook failures were not logged:\n{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);
    let log = std::fs::read_to_string(&log_file).unwrap();

    let secrets = [
        ("the incoming webhook id", hook_id.as_str()),
        ("an unknown webhook id", unknown_hook),
        ("the response URL id", response_id.as_str()),
        ("the session token", token.as_str()),
        ("the command token", command["token"].as_str().unwrap()),
        ("the outgoing webhook token", outgoing["token"].as_str().unwrap()),
        ("a command URL path", CMD_PATH),
        ("a command URL query", CMD_QUERY),
        ("a failing command URL path", FAILING_CMD_PATH),
        ("an outgoing URL path", OUT_PATH),
        ("an outgoing URL query", OUT_QUERY),
        ("a refused outgoing URL path", REFUSED_OUT_PATH),
        ("URL user info", USER_INFO),
    ];
    for (what, secret) in secrets {
        let line = log.lines().find(|l| l.contains(secret));
        assert!(line.is_none(), "{what} ({secret}) is in the log: {}", line.unwrap_or_default());
    }
    // The log did record the calls: by route, and the outgoing URLs by origin.
    assert!(log.contains("/hooks/{hook_id}"), "requests are logged by route");
    assert!(log.contains("/hooks/commands/{hook_id}"), "requests are logged by route");
    let failures: Vec<&str> = log.lines().filter(|l| l.contains("outgoing webhook")).collect();
    assert!(failures.iter().any(|l| l.contains("http://127.0.0.1:1/…")), "failures name the origin: {failures:#?}");
}
