//! The e2e harness: a real `confab_server::run` on a loopback port with a temporary data directory, built plugins installed into it, and an HTTP client.
//!
//! ```no_run
//! # use confab_e2e::{TestDir, TestServer};
//! # async fn example() {
//! let dir = TestDir::new();
//! dir.install_plugin("example-plugins/kv-counter", "kv_counter.wasm");
//! let server = TestServer::start(&dir).await;
//! let response = server.get("/api/v4/system/ping").await;
//! assert_eq!(response.status(), 200);
//! server.stop().await;
//! # }
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use confab_server::Config;
use confab_server::testing::{PgSchema, sqlite_url};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

pub mod cluster;

/// Which database a test server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the test's data directory.
    Sqlite,
    /// A private schema on `CONFAB_TEST_DATABASE_URL`.
    Postgres,
}

/// How long a test waits for the server to stop before failing.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// A built plugin component, e.g. `kv_counter.wasm`. Panics with the command to run
/// when it has not been built.
pub fn built_plugin(wasm_name: &str) -> PathBuf {
    let path = repo_root().join("target/plugins/wasm32-wasip2/release").join(wasm_name);
    assert!(path.is_file(), "{} is missing: run `cargo xtask plugins` first (or `cargo xtask test` for everything)", path.display());
    path
}

/// A temporary data directory for one server; removed when dropped.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl Default for TestDir {
    fn default() -> Self {
        TestDir { dir: tempfile::Builder::new().prefix("confab-e2e-").tempdir().expect("create a temporary directory") }
    }
}

impl TestDir {
    /// A fresh, empty data directory.
    pub fn new() -> TestDir {
        TestDir::default()
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The server's plugin directory (`<data>/plugins`).
    pub fn plugin_dir(&self) -> PathBuf {
        self.path().join("plugins")
    }

    /// Install a plugin the way an admin would drop it in: `<source>/plugin.json` plus
    /// the built component as `server.wasm`, in `<plugins>/<id>/`. `source` is relative
    /// to the repository root (`"example-plugins/kv-counter"`). Returns the plugin id.
    pub fn install_plugin(&self, source: &str, wasm_name: &str) -> String {
        let manifest_path = repo_root().join(source).join("plugin.json");
        let manifest_text = std::fs::read_to_string(&manifest_path).unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest_path.display()));
        let manifest: serde_json::Value = serde_json::from_str(&manifest_text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", manifest_path.display()));
        let id = manifest["id"].as_str().unwrap_or_else(|| panic!("{} has no id", manifest_path.display())).to_string();
        let wasm_file = manifest["server"]["wasm"].as_str().unwrap_or("server.wasm");
        let dir = self.plugin_dir().join(&id);
        std::fs::create_dir_all(&dir).expect("create the plugin directory");
        std::fs::write(dir.join("plugin.json"), manifest_text).expect("write plugin.json");
        std::fs::copy(built_plugin(wasm_name), dir.join(wasm_file)).expect("copy the component");
        id
    }
}

/// A running server. Call [`TestServer::stop`] at the end of a test to check it shuts
/// down cleanly; dropping it without `stop` still signals shutdown.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The HTTP client tests use.
    pub client: reqwest::Client,
    /// Which database it runs on.
    pub backend: Backend,
    /// The database URL the server uses (tests may open it beside the server).
    pub database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), confab_server::RunError>>>,
    /// Dropped (schema removed) after the server stopped.
    _schema: Option<PgSchema>,
}

impl TestServer {
    /// Start a server with default settings on `dir`, bound to a free loopback port.
    /// Returns once plugins are loaded and the listener accepts.
    pub async fn start(dir: &TestDir) -> TestServer {
        TestServer::start_with(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).await
    }

    /// Start a server on `dir` with `backend`; `None` (after printing why) when the
    /// backend is PostgreSQL and `CONFAB_TEST_DATABASE_URL` is not set.
    pub async fn start_on(dir: &TestDir, backend: Backend, test_name: &str) -> Option<TestServer> {
        TestServer::start_on_with(backend, test_name, Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).await
    }

    /// [`TestServer::start_on`] with more settings; `config.data_dir` must be set.
    pub async fn start_on_with(backend: Backend, test_name: &str, config: Config) -> Option<TestServer> {
        let data_dir = config.data_dir.clone();
        match backend {
            Backend::Sqlite => Some(TestServer::start_with(Config { database_url: Some(sqlite_url(&data_dir)), ..config }).await),
            Backend::Postgres => {
                let schema = PgSchema::create(test_name).await?;
                let mut server = TestServer::start_with(Config { database_url: Some(schema.url.clone()), ..config }).await;
                server.backend = Backend::Postgres;
                server._schema = Some(schema);
                Some(server)
            }
        }
    }

    /// Start a server with `config` (its `listen` is ignored: the port is picked by the OS).
    pub async fn start_with(config: Config) -> TestServer {
        init_logging();
        confab_server::outbound::install_tls_provider();
        let database_url = config.database_url();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let addr = listener.local_addr().expect("listener address");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(confab_server::run(config, listener, async move {
            // A dropped sender (test panicked) also shuts the server down.
            let _ = rx.await;
        }));
        let server = TestServer {
            base_url: format!("http://{addr}"),
            // `no_proxy`: an HTTP_PROXY in the environment must not capture loopback requests.
            client: reqwest::Client::builder().timeout(Duration::from_secs(60)).no_proxy().build().expect("build the HTTP client"),
            backend: Backend::Sqlite,
            database_url,
            shutdown: Some(tx),
            task: Some(task),
            _schema: None,
        };
        server.wait_until_ready().await;
        server
    }

    /// Plugins load before `run` starts serving, so the first answered ping means ready.
    async fn wait_until_ready(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(response) = self.client.get(self.url("/api/v4/system/ping")).send().await
                && response.status().is_success()
            {
                return;
            }
            if self.task.as_ref().is_some_and(JoinHandle::is_finished) {
                panic!("the server exited during startup");
            }
            assert!(tokio::time::Instant::now() < deadline, "the server did not answer a ping within 120 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// A request to `path` with `token` as bearer (when not empty).
    pub fn request(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        if token.is_empty() { builder } else { builder.bearer_auth(token) }
    }

    /// `GET path` as `token`: (status, JSON body or `null`).
    pub async fn get_as(&self, path: &str, token: &str) -> (u16, Value) {
        send(self.request(reqwest::Method::GET, path, token)).await
    }

    /// `POST path` with a JSON body as `token`.
    pub async fn post_as(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        send(self.request(reqwest::Method::POST, path, token).json(body)).await
    }

    /// `PUT path` with a JSON body as `token`.
    pub async fn put_as(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        send(self.request(reqwest::Method::PUT, path, token).json(body)).await
    }

    /// `DELETE path` as `token`.
    pub async fn delete_as(&self, path: &str, token: &str) -> (u16, Value) {
        send(self.request(reqwest::Method::DELETE, path, token)).await
    }

    /// Create an account and log in. The first account of a server is its admin.
    pub async fn signup(&self, username: &str) -> User {
        let password = format!("{username}-password");
        let (status, body) =
            self.post_as("/api/v4/users", "", &json!({ "username": username, "email": format!("{username}@example.com"), "password": password })).await;
        assert_eq!(status, 201, "sign-up of {username}: {body}");
        self.login(username, &password).await
    }

    /// Log in; panics unless it works.
    pub async fn login(&self, username: &str, password: &str) -> User {
        let response =
            self.client.post(self.url("/api/v4/users/login")).json(&json!({ "login_id": username, "password": password })).send().await.expect("login request");
        assert_eq!(response.status(), 200, "login of {username}");
        let token = response.headers().get("token").expect("a Token header").to_str().unwrap().to_string();
        let body = json(response).await;
        User { id: body["id"].as_str().unwrap().to_string(), username: username.to_string(), token }
    }

    /// Open `/api/v4/websocket` with `token` in the `Authorization` header and read
    /// the `hello` event.
    pub async fn websocket(&self, token: &str) -> WsClient {
        open_websocket(&self.base_url, token).await
    }

    /// Open `/api/v4/websocket` with these request headers (`cookie`, `origin`,
    /// `authorization`...); the upgrade's HTTP status when it is refused.
    pub async fn websocket_with(&self, headers: &[(&str, &str)]) -> Result<WsClient, u16> {
        let url = format!("{}/api/v4/websocket", self.base_url.replacen("http", "ws", 1));
        let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
        for (name, value) in headers {
            request.headers_mut().insert(tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((stream, _)) => Ok(WsClient { stream, received: Vec::new() }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(e) => panic!("websocket connect: {e}"),
        }
    }

    /// Open the WebSocket without credentials (for `authentication_challenge`).
    pub async fn websocket_unauthenticated(&self) -> WsClient {
        let url = format!("{}/api/v4/websocket", self.base_url.replacen("http", "ws", 1));
        let (stream, _) = tokio_tungstenite::connect_async(url).await.expect("websocket connect");
        WsClient { stream, received: Vec::new() }
    }

    /// Signal shutdown and wait (bounded) for `run` to return; fails the test if it
    /// errors or hangs.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let task = self.task.take().expect("stop is called once");
        match tokio::time::timeout(SHUTDOWN_TIMEOUT, task).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => panic!("the server stopped with an error: {e}"),
            Ok(Err(e)) => panic!("the server task panicked: {e}"),
            Err(_) => panic!("the server did not shut down within {SHUTDOWN_TIMEOUT:?}"),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Logs for failing tests: captured by the test harness, shown only on failure.
/// `RUST_LOG` overrides the default filter.
fn init_logging() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| confab_server::config::DEFAULT_LOG_FILTER.to_string());
    let _ = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).with_test_writer().try_init();
}

/// A response's JSON body, with the status and body in the panic message when it is not JSON.
pub async fn json(response: reqwest::Response) -> serde_json::Value {
    let status = response.status();
    let text = response.text().await.expect("read the response body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("status {status}: body is not JSON ({e}): {text}"))
}

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub username: String,
    /// The session token from the login's `Token` header.
    pub token: String,
}

/// Open `/api/v4/websocket` of the server at `base_url` with `token` in the
/// `Authorization` header and read the `hello` event.
pub(crate) async fn open_websocket(base_url: &str, token: &str) -> WsClient {
    let url = format!("{}/api/v4/websocket", base_url.replacen("http", "ws", 1));
    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (stream, _) = tokio_tungstenite::connect_async(request).await.expect("websocket connect");
    let mut client = WsClient { stream, received: Vec::new() };
    let hello = client.next_message().await.expect("a hello");
    assert_eq!(hello["event"], "hello", "{hello}");
    client
}

pub(crate) async fn send(builder: reqwest::RequestBuilder) -> (u16, Value) {
    let response = builder.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) })
}

/// How long a test waits for an event it expects.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(20);

/// A WebSocket client that keeps every message it read.
pub struct WsClient {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    /// Everything read so far, in order.
    pub received: Vec<Value>,
}

impl WsClient {
    /// Send a client action.
    pub async fn send(&mut self, value: &Value) {
        self.stream.send(Message::Text(value.to_string().into())).await.expect("websocket send");
    }

    /// The next JSON message, or `None` when the stream ended or `EVENT_TIMEOUT` passed.
    pub async fn next_message(&mut self) -> Option<Value> {
        self.next_within(EVENT_TIMEOUT).await
    }

    async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next()).await.ok()??.ok()?;
            if let Message::Text(text) = message {
                let value: Value = serde_json::from_str(text.as_str()).expect("websocket JSON");
                self.received.push(value.clone());
                return Some(value);
            }
        }
    }

    /// Wait for the first event named `event` that `matches`; panics on timeout.
    pub async fn expect_event(&mut self, event: &str, matches: impl Fn(&Value) -> bool) -> Value {
        loop {
            match self.next_message().await {
                Some(value) if value["event"] == event && matches(&value) => return value,
                Some(_) => {}
                None => panic!("no `{event}` event within {EVENT_TIMEOUT:?}; received {:#?}", self.received),
            }
        }
    }

    /// The reply to the action with `seq`.
    pub async fn expect_reply(&mut self, seq: i64) -> Value {
        loop {
            match self.next_message().await {
                Some(value) if value["seq_reply"] == seq => return value,
                Some(_) => {}
                None => panic!("no reply to seq {seq}; received {:#?}", self.received),
            }
        }
    }

    /// Read (keeping what arrives in `received`) until the server closes the socket or
    /// `wait` passes: `Some(close code)` when it closed (`Some(None)` without a close
    /// frame), `None` when it is still open.
    pub async fn wait_closed(&mut self, wait: Duration) -> Option<Option<u16>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return None,
                Ok(None | Some(Err(_))) => return Some(None),
                Ok(Some(Ok(Message::Close(frame)))) => return Some(frame.map(|f| u16::from(f.code))),
                Ok(Some(Ok(Message::Text(text)))) => self.received.push(serde_json::from_str(text.as_str()).expect("websocket JSON")),
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Close the socket from this side and wait (bounded) for the server to end it.
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
        self.wait_closed(EVENT_TIMEOUT).await;
    }

    /// Read for `wait` and return every message that arrived.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut got = Vec::new();
        let deadline = tokio::time::Instant::now() + wait;
        while let Some(value) = self.next_within(deadline.saturating_duration_since(tokio::time::Instant::now())).await {
            got.push(value);
        }
        got
    }
}

/// The `post` of a `posted`/`post_edited`/`post_deleted` event, parsed from its JSON string.
pub fn event_post(event: &Value) -> Value {
    serde_json::from_str(event["data"]["post"].as_str().expect("data.post is a JSON string")).expect("data.post parses")
}

/// Generate `<module>::sqlite::<name>` and `<module>::postgres::<name>` tests from
/// `async fn <name>(backend: Backend)`; the PostgreSQL one returns early (printing why)
/// when `CONFAB_TEST_DATABASE_URL` is not set.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::Backend::Postgres).await })*
        }
    };
}
