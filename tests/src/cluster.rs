//! Process nodes for the cluster tests: the real `confab` binary as child processes on one private PostgreSQL schema (so `kill -9` is a real one), and a NATS server of their own when a test restarts it.
//!
//! ```no_run
//! # use confab_e2e::cluster::Nodes;
//! # async fn example() {
//! // `None` (after saying why on stderr) when PostgreSQL or NATS is unreachable.
//! let Some(mut nodes) = Nodes::start("my_test", 3, Some("nats://127.0.0.1:4222")).await else { return };
//! let admin = nodes[0].signup("admin").await;
//! nodes.kill(1).await;
//! nodes.restart(1).await;
//! # }
//! ```
//!
//! The binary is built once per test run with `cargo build --workspace --bin confab`
//! into the test's own target directory, so it is the code under test, not a stale
//! copy; `CONFAB_TEST_BIN` names another one instead. (Run the tests with the
//! workspace selected too — `cargo test --workspace --test e2e -- cluster::` — or the
//! two builds resolve features differently and each compiles the dependencies anew.)

mod nats;
mod node;

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use confab_server::testing::PgSchema;

pub use nats::NatsServer;
pub use node::Node;

/// The variable naming the NATS server for cluster tests (default `nats://127.0.0.1:4222`).
pub const NATS_URL_ENV: &str = "CONFAB_TEST_NATS_URL";

/// The NATS server the cluster tests share: `CONFAB_TEST_NATS_URL`, or the local default.
pub fn shared_nats_url() -> String {
    std::env::var(NATS_URL_ENV).ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "nats://127.0.0.1:4222".to_string())
}

/// Write `test: skipped <what>: <why>` past the test harness' capture, so a run without
/// a service says so instead of passing silently.
pub fn say_skipped(test_name: &str, what: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "{test_name}: skipped {what}: {why}");
}

/// Whether a TCP connection to the `host:port` of `url` opens within a second.
pub async fn reachable(url: &str) -> bool {
    let Some(address) = host_port(url) else { return false };
    matches!(tokio::time::timeout(Duration::from_secs(1), tokio::net::TcpStream::connect(address)).await, Ok(Ok(_)))
}

/// `host:port` of a `scheme://[user@]host:port/...` URL.
fn host_port(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(if host_port.contains(':') { host_port.to_string() } else { format!("{host_port}:5432") })
}

/// An HTTP client for loopback nodes: no proxy, a 60 s timeout.
pub fn http_client() -> reqwest::Client {
    confab_server::outbound::install_tls_provider();
    // `no_proxy`: an HTTP_PROXY in the environment must not capture loopback requests.
    reqwest::Client::builder().timeout(Duration::from_secs(60)).no_proxy().build().expect("build the HTTP client")
}

/// The `confab` binary under test (built once per run; see the module docs).
pub fn confab_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_binary).clone()
}

fn build_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("CONFAB_TEST_BIN") {
        return PathBuf::from(path);
    }
    // The test runs as `<target>/<profile>/deps/e2e-<hash>`.
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("the test binary sits in <target>/<profile>/deps");
    let target_dir = profile_dir.parent().expect("<target>/<profile> has a parent");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    // The whole workspace selected, as `cargo xtask test` selects it, so features unify
    // alike and nothing is compiled twice.
    command
        .args(["build", "--quiet", "--workspace", "--bin", "confab", "--manifest-path"])
        .arg(crate::repo_root().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    if profile_dir.file_name().is_some_and(|p| p == "release") {
        command.arg("--release");
    }
    let status = command.status().expect("run cargo to build the confab binary");
    assert!(status.success(), "`cargo build -p confab-server --bin confab` failed");
    let binary = profile_dir.join("confab");
    assert!(binary.is_file(), "{} is missing after the build", binary.display());
    binary
}

/// Several nodes on one PostgreSQL schema; every node is killed when this is dropped,
/// then the schema is removed.
pub struct Nodes {
    nodes: Vec<Node>,
    /// The NATS server the nodes use, `None` when they run without a bus.
    pub nats_url: Option<String>,
    /// That server when it is the test's own ([`Nodes::clustered`]), to stop and restart.
    pub nats: Option<NatsServer>,
    /// The schema all nodes share.
    pub schema: PgSchema,
}

impl Nodes {
    /// `count` nodes in cluster mode on a NATS server of the test's own (so no other
    /// test's cluster shares its subjects and streams); without a `nats-server` binary,
    /// on the shared one of `CONFAB_TEST_NATS_URL` (default `nats://127.0.0.1:4222`).
    /// `None`, after printing why, when neither or PostgreSQL is there.
    pub async fn clustered(test_name: &str, count: usize) -> Option<Nodes> {
        Nodes::clustered_with(test_name, count, &[]).await
    }

    /// [`Nodes::clustered`] with more `confab serve` flags for every node.
    pub async fn clustered_with(test_name: &str, count: usize, extra: &[&str]) -> Option<Nodes> {
        // No schema, no cluster: say so before starting anything.
        if std::env::var(confab_server::testing::DATABASE_URL_ENV).ok().filter(|u| !u.is_empty()).is_none() {
            say_skipped(test_name, "PostgreSQL", &format!("{} not set", confab_server::testing::DATABASE_URL_ENV));
            return None;
        }
        let own = if nats::installed() { NatsServer::start(test_name).await } else { None };
        let url = own.as_ref().map_or_else(shared_nats_url, |n| n.url.clone());
        let mut nodes = Nodes::start_with(test_name, count, Some(&url), extra).await?;
        nodes.nats = own;
        Some(nodes)
    }

    /// Start `count` nodes named `node-0`.. on a fresh schema, one after another (each
    /// answering before the next starts), in cluster mode on `nats_url` when given.
    /// `None`, after printing why, when PostgreSQL or that NATS server is unreachable.
    pub async fn start(test_name: &str, count: usize, nats_url: Option<&str>) -> Option<Nodes> {
        Nodes::start_with(test_name, count, nats_url, &[]).await
    }

    /// [`Nodes::start`] with more `confab serve` flags for every node.
    pub async fn start_with(test_name: &str, count: usize, nats_url: Option<&str>, extra: &[&str]) -> Option<Nodes> {
        if let Some(url) = nats_url
            && !reachable(url).await
        {
            say_skipped(test_name, "the cluster test", &format!("no NATS server at {url}"));
            return None;
        }
        let admin_url = std::env::var(confab_server::testing::DATABASE_URL_ENV).ok().filter(|u| !u.is_empty());
        if let Some(url) = &admin_url
            && !reachable(url).await
        {
            say_skipped(test_name, "the cluster test", "PostgreSQL is not reachable");
            return None;
        }
        let schema = PgSchema::create(test_name).await?;
        let binary = confab_binary();
        let mut nodes = Vec::with_capacity(count);
        for i in 0..count {
            let mut args: Vec<String> = vec!["--database-url".into(), schema.url.clone()];
            if let Some(url) = nats_url {
                args.extend(["--cluster-nats-url".into(), url.to_string(), "--cluster-node-id".into(), format!("node-{i}")]);
            }
            args.extend(extra.iter().map(|a| a.to_string()));
            nodes.push(Node::start(&binary, format!("node-{i}"), args).await);
        }
        Some(Nodes { nodes, nats_url: nats_url.map(str::to_string), nats: None, schema })
    }

    /// How many nodes there are (running or killed).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// `kill -9` node `i` and wait until it is gone.
    pub async fn kill(&mut self, i: usize) {
        self.nodes[i].kill().await;
    }

    /// Start node `i` again on its data directory and port, after [`Nodes::kill`].
    pub async fn restart(&mut self, i: usize) {
        self.nodes[i].restart().await;
    }
}

impl std::ops::Index<usize> for Nodes {
    type Output = Node;
    fn index(&self, i: usize) -> &Node {
        &self.nodes[i]
    }
}
