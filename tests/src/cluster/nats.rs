//! A NATS server of a test's own (`nats-server -js`), for tests that stop and restart it; its JetStream store survives a restart.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// Where the `nats-server` binary may be: `CONFAB_TEST_NATS_SERVER`, then the usual places.
fn nats_server_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CONFAB_TEST_NATS_SERVER") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).chain(["/usr/sbin".into(), "/usr/local/bin".into()]).map(|dir| dir.join("nats-server")).find(|p| p.is_file())
}

/// Whether a `nats-server` binary is there to start.
pub(super) fn installed() -> bool {
    nats_server_binary().is_some()
}

/// A running (or stopped) `nats-server` on a loopback port; killed when dropped.
pub struct NatsServer {
    /// `nats://127.0.0.1:<port>`, the same after a restart.
    pub url: String,
    binary: PathBuf,
    port: u16,
    store: tempfile::TempDir,
    child: Option<tokio::process::Child>,
}

impl NatsServer {
    /// Start one with JetStream on a free port; `None` (after printing why) when no
    /// `nats-server` binary is installed.
    pub async fn start(test_name: &str) -> Option<NatsServer> {
        let Some(binary) = nats_server_binary() else {
            super::say_skipped(test_name, "the test", "no nats-server binary (set CONFAB_TEST_NATS_SERVER or put it on PATH)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free loopback port").port();
        let store = tempfile::Builder::new().prefix("confab-nats-").tempdir().expect("create the JetStream directory");
        let mut server = NatsServer { url: format!("nats://127.0.0.1:{port}"), binary, port, store, child: None };
        server.spawn().await;
        Some(server)
    }

    async fn spawn(&mut self) {
        let mut command = tokio::process::Command::new(&self.binary);
        command
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string(), "-js", "-sd"])
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        self.child = Some(command.spawn().unwrap_or_else(|e| panic!("start {}: {e}", self.binary.display())));
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !super::reachable(&self.url).await {
            assert!(tokio::time::Instant::now() < deadline, "nats-server did not listen on {} within 20 s", self.url);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kill the server (SIGKILL) and wait until it is gone.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("kill nats-server");
        }
    }

    /// Start it again on the same port and store, after [`NatsServer::stop`].
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "nats-server is still running");
        self.spawn().await;
    }
}
