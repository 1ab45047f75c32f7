//! Bursts of concurrent wrong-password logins against the real `confab` binary must not grow its memory: password hashing runs on a bounded number of slots whose argon2 memory is reused (issue 14, finding 1: 48 concurrent logins took the server from 20 MB to 607 MB, and five bursts to 4.25 GB).
//!
//! The rate limiter and the lock-out would stop such a flood from one address on their
//! own; they are switched off here (through environment variables, which a server
//! without those settings ignores) so that the hashing itself is what is measured.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

/// Concurrent logins per burst, and bursts: what the probe did.
const CONCURRENT: usize = 48;
const BURSTS: usize = 5;
/// Growth allowed over the baseline: two slots of 19 MiB plus allocator slack. The
/// unbounded server grew by about 587 MB in the first burst.
const MAX_GROWTH_KB: u64 = 150 * 1024;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start(data: &Path, client: &reqwest::Client) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_confab"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--log", "error"])
        .arg("--data-dir")
        .arg(data)
        .env_remove("CONFAB_CONFIG")
        .env_remove("CONFAB_DATABASE_URL")
        .env_remove("CONFAB_PLUGIN_DIR")
        .env("CONFAB_RATE_LIMIT_ENABLE", "false")
        .env("CONFAB_MAXIMUM_LOGIN_ATTEMPTS", "0")
        // Two slots whatever the machine's core count, and a queue that waits out the
        // whole burst even on a loaded machine: every login must be answered 401.
        .env("CONFAB_PASSWORD_HASHING_SLOTS", "2")
        .env("CONFAB_PASSWORD_HASHING_QUEUE_TIMEOUT_MS", "600000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn confab");
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(r) = client.get(format!("{}/api/v4/system/ping", server.base)).send().await
            && r.status().is_success()
        {
            return server;
        }
        assert!(Instant::now() < deadline, "confab did not start within 120 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The child's resident set size, in kB.
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc/<pid>/status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("a VmRSS line");
    line.split_whitespace().nth(1).and_then(|kb| kb.parse().ok()).expect("VmRSS in kB")
}

async fn login(client: &reqwest::Client, base: &str, login_id: &str, password: &str) -> u16 {
    let body = json!({ "login_id": login_id, "password": password });
    client.post(format!("{base}/api/v4/users/login")).json(&body).send().await.expect("login request").status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_of_concurrent_wrong_password_logins_do_not_grow_memory() {
    confab_server::outbound::install_tls_provider();
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(600)).build().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &client).await;
    let pid = server.child.id();

    let signup = json!({ "username": "root", "email": "root@example.com", "password": "root-password" });
    assert_eq!(client.post(format!("{}/api/v4/users", server.base)).json(&signup).send().await.unwrap().status(), 201);
    // Warm up: one hash and one check, so the baseline holds what a quiet server holds.
    assert_eq!(login(&client, &server.base, "root", "root-password").await, 200);
    let baseline = rss_kb(pid);

    let mut peak = baseline;
    for burst in 0..BURSTS {
        // Half against a real account, half against unknown names (which cost the same).
        let logins = (0..CONCURRENT).map(|n| {
            let login_id = if n % 2 == 0 { "root".to_string() } else { format!("nobody{burst}x{n}") };
            let (client, base) = (client.clone(), server.base.clone());
            tokio::spawn(async move { login(&client, &base, &login_id, "wrong-password").await })
        });
        for answer in futures_util::future::join_all(logins).await {
            assert_eq!(answer.unwrap(), 401, "every wrong login is answered 401 (none refused as busy)");
        }
        let now = rss_kb(pid);
        peak = peak.max(now);
        eprintln!("burst {}: VmRSS {} kB (baseline {baseline} kB, +{} kB)", burst + 1, now, now.saturating_sub(baseline));
    }
    let growth = peak.saturating_sub(baseline);
    assert!(
        growth < MAX_GROWTH_KB,
        "{BURSTS} bursts of {CONCURRENT} concurrent wrong logins grew VmRSS by {growth} kB (baseline {baseline} kB, peak {peak} kB)"
    );
}
