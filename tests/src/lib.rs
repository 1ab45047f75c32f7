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
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), confab_server::RunError>>>,
}

impl TestServer {
    /// Start a server with default settings on `dir`, bound to a free loopback port.
    /// Returns once plugins are loaded and the listener accepts.
    pub async fn start(dir: &TestDir) -> TestServer {
        TestServer::start_with(Config { data_dir: dir.path().to_path_buf(), ..Config::default() }).await
    }

    /// Start a server with `config` (its `listen` is ignored: the port is picked by the OS).
    pub async fn start_with(config: Config) -> TestServer {
        init_logging();
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
            shutdown: Some(tx),
            task: Some(task),
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
