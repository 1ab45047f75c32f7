//! One `confab serve` child process with its own data directory and loopback port, the HTTP and WebSocket calls tests make on it, and `kill -9`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::{User, WsClient};

/// How long a node may take to answer its first ping (migrations, plugin loading).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running (or killed) node. Killed when dropped.
pub struct Node {
    /// `node-<i>`, also its cluster node id in cluster mode.
    pub name: String,
    /// `http://127.0.0.1:<port>`; the same after a restart.
    pub base_url: String,
    /// The HTTP client tests use on this node.
    pub client: reqwest::Client,
    binary: PathBuf,
    args: Vec<String>,
    port: u16,
    data_dir: tempfile::TempDir,
    child: Option<tokio::process::Child>,
}

impl Node {
    /// Start `binary serve` with `args` on a free port and a fresh data directory, and
    /// wait until it answers.
    pub async fn start(binary: &Path, name: String, args: Vec<String>) -> Node {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free loopback port").port();
        let data_dir = tempfile::Builder::new().prefix("confab-node-").tempdir().expect("create a data directory");
        let client = super::http_client();
        let mut node = Node { name, base_url: format!("http://127.0.0.1:{port}"), client, binary: binary.to_path_buf(), args, port, data_dir, child: None };
        node.spawn().await;
        node
    }

    /// The node's data directory (its plugins are under `plugins/`).
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// What the process wrote so far (its log, stdout and stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir().join("node.log")).unwrap_or_default()
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.data_dir().join("node.log")).expect("open the node's log");
        let mut command = tokio::process::Command::new(&self.binary);
        command
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .args(&self.args)
            // Plugins' info logs too: KV is shared, so a fixture's log line is how a
            // test learns which node ran its hook.
            .env("CONFAB_LOG", "confab_server=info,confab_plugin=info,warn")
            // `tracing_subscriber::fmt` writes to stdout; both go to the log.
            .stdout(log.try_clone().expect("share the node's log"))
            .stderr(log)
            .kill_on_drop(true);
        self.child = Some(command.spawn().unwrap_or_else(|e| panic!("start {}: {e}", self.binary.display())));
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            if self.client.get(self.url("/api/v4/system/ping")).send().await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(tokio::process::Child::try_wait) {
                panic!("{} exited during start-up ({status}); its log:\n{}", self.name, self.log());
            }
            assert!(tokio::time::Instant::now() < deadline, "{} did not answer a ping within {START_TIMEOUT:?}; its log:\n{}", self.name, self.log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `kill -9` the process and reap it.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap_or_else(|e| panic!("kill -9 {}: {e}", self.name));
        }
    }

    /// Start the process again (same data directory, port and flags) after [`Node::kill`].
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "{} is still running", self.name);
        self.spawn().await;
    }

    /// Whether the process runs.
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A request to `path` with `token` as bearer (when not empty).
    pub fn request(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        if token.is_empty() { builder } else { builder.bearer_auth(token) }
    }

    /// `GET path` as `token`: (status, JSON body or `null`).
    pub async fn get_as(&self, path: &str, token: &str) -> (u16, Value) {
        crate::send(self.request(reqwest::Method::GET, path, token)).await
    }

    /// `POST path` with a JSON body as `token`.
    pub async fn post_as(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        crate::send(self.request(reqwest::Method::POST, path, token).json(body)).await
    }

    /// `PUT path` with a JSON body as `token`.
    pub async fn put_as(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        crate::send(self.request(reqwest::Method::PUT, path, token).json(body)).await
    }

    /// `DELETE path` as `token`.
    pub async fn delete_as(&self, path: &str, token: &str) -> (u16, Value) {
        crate::send(self.request(reqwest::Method::DELETE, path, token)).await
    }

    /// Create an account and log in on this node (the first account of the cluster is
    /// its admin).
    pub async fn signup(&self, username: &str) -> User {
        let password = format!("{username}-password");
        let (status, body) =
            self.post_as("/api/v4/users", "", &json!({ "username": username, "email": format!("{username}@example.com"), "password": password })).await;
        assert_eq!(status, 201, "sign-up of {username} on {}: {body}", self.name);
        self.login(username, &password).await
    }

    /// Log in on this node; panics unless it works.
    pub async fn login(&self, username: &str, password: &str) -> User {
        let response =
            self.client.post(self.url("/api/v4/users/login")).json(&json!({ "login_id": username, "password": password })).send().await.expect("login request");
        assert_eq!(response.status(), 200, "login of {username} on {}", self.name);
        let token = response.headers().get("token").expect("a Token header").to_str().expect("an ASCII token").to_string();
        let body = crate::json(response).await;
        User { id: body["id"].as_str().expect("a user id").to_string(), username: username.to_string(), token }
    }

    /// `POST /api/v4/plugins` (multipart `plugin`, `force` when asked) as `token`.
    pub async fn upload_plugin(&self, token: &str, bundle: Vec<u8>, force: bool) -> (u16, Value) {
        let mut form = reqwest::multipart::Form::new().part("plugin", reqwest::multipart::Part::bytes(bundle).file_name("plugin.tar.gz"));
        if force {
            form = form.text("force", "true");
        }
        crate::send(self.request(reqwest::Method::POST, "/api/v4/plugins", token).multipart(form)).await
    }

    /// How many lines of the node's log contain `needle`.
    pub fn log_lines_with(&self, needle: &str) -> usize {
        self.log().lines().filter(|line| line.contains(needle)).count()
    }

    /// Open `/api/v4/websocket` on this node with `token` and read the `hello`.
    pub async fn websocket(&self, token: &str) -> WsClient {
        crate::open_websocket(&self.base_url, token).await
    }
}
