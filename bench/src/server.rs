//! A real `confab` server process for the load benchmarks, and the HTTP client that drives it: accounts, a team, and concurrent post loops with per-request latencies.
//!
//! Why a separate process: the load generator must not share the server's runtime
//! threads in a way that flatters (or hurts) the numbers. The server is the release
//! `confab` binary, started with `serve` on a free loopback port; the generator is this
//! process's tokio runtime. Both share the machine's cores, as a client on the same box
//! would; the README of the benchmarks says so next to every load figure.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// The `confab` binary built beside this one (`cargo xtask bench` builds both in one go).
pub fn binary() -> anyhow::Result<PathBuf> {
    let here = std::env::current_exe()?;
    let path = here.parent().context("the bench binary has a directory")?.join("confab");
    anyhow::ensure!(path.exists(), "{} is missing: `cargo xtask bench` builds it (or `cargo build -p confab-server --bin confab`)", path.display());
    Ok(path)
}

/// A running server; killed when dropped.
pub struct Server {
    child: tokio::process::Child,
    pub base: String,
}

impl Server {
    /// Start `confab serve` on `data_dir` (plugins under `data_dir/plugins`) with
    /// `database_url` (`None`: SQLite in the data dir) and wait until it answers.
    pub async fn start(data_dir: &Path, database_url: Option<&str>, extra: &[&str]) -> anyhow::Result<Server> {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let mut command = tokio::process::Command::new(binary()?);
        command.arg("serve").arg("--listen").arg(format!("127.0.0.1:{port}")).arg("--data-dir").arg(data_dir).args(extra);
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        }
        command.env("CONFAB_LOG", "warn").stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
        let child = command.spawn().context("start the confab server")?;
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let client = client();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if client.get(format!("{}/api/v4/system/ping", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                bail!("the server did not answer within 120 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stop the server (SIGKILL: its data directory is thrown away).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// An HTTP client for the generator: keep-alive pool, no proxy.
pub fn client() -> reqwest::Client {
    confab_server::outbound::install_tls_provider();
    reqwest::Client::builder().no_proxy().pool_max_idle_per_host(64).timeout(Duration::from_secs(30)).build().expect("client settings are valid")
}

/// A signed-in user on a server, and a channel to post in.
#[derive(Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
    pub channel_id: String,
}

impl Session {
    /// Sign up `username` (the first account is the admin), log in, create team `bench`
    /// and use its town-square.
    pub async fn admin(base: &str, username: &str) -> anyhow::Result<Session> {
        let client = client();
        let (_, token) = signup(&client, base, username).await?;
        let team: Value = client
            .post(format!("{base}/api/v4/teams"))
            .bearer_auth(&token)
            .json(&json!({ "name": "bench", "display_name": "Bench", "type": "O" }))
            .send()
            .await?
            .json()
            .await?;
        let team_id = team["id"].as_str().context("team id")?.to_string();
        let town: Value = client.get(format!("{base}/api/v4/teams/{team_id}/channels/name/town-square")).bearer_auth(&token).send().await?.json().await?;
        let channel_id = town["id"].as_str().context("channel id")?.to_string();
        Ok(Session { client, base: base.to_string(), token, channel_id })
    }
}

/// Create an account and log in: (user id, token).
pub async fn signup(client: &reqwest::Client, base: &str, username: &str) -> anyhow::Result<(String, String)> {
    let password = format!("{username}-password-1");
    let created = client
        .post(format!("{base}/api/v4/users"))
        .json(&json!({ "username": username, "email": format!("{username}@bench.example.com"), "password": password }))
        .send()
        .await?;
    anyhow::ensure!(created.status().is_success(), "sign-up of {username}: {}", created.status());
    let login = client.post(format!("{base}/api/v4/users/login")).json(&json!({ "login_id": username, "password": password })).send().await?;
    anyhow::ensure!(login.status().is_success(), "login of {username}: {}", login.status());
    let token = login.headers().get("token").and_then(|v| v.to_str().ok()).context("a Token header")?.to_string();
    let body: Value = login.json().await?;
    Ok((body["id"].as_str().context("user id")?.to_string(), token))
}

/// What a post loop measured.
#[derive(Debug, Default, Clone)]
pub struct LoadResult {
    pub ok: u64,
    pub failed: u64,
    /// Per successful request, milliseconds.
    pub latencies_ms: Vec<f64>,
    pub elapsed: Duration,
}

impl LoadResult {
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile (0..=1) of the latencies.
    pub fn quantile(&self, q: f64) -> f64 {
        quantile(&self.latencies_ms, q)
    }

    fn merge(&mut self, other: LoadResult) {
        self.ok += other.ok;
        self.failed += other.failed;
        self.latencies_ms.extend(other.latencies_ms);
    }
}

/// The `q` quantile of `values` (nearest rank); 0 when empty.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Create posts from `clients` concurrent loops for `duration`; `message(i)` is the
/// i-th message of a loop.
pub async fn post_load(session: &Session, clients: usize, duration: Duration, message: impl Fn(usize) -> String + Clone + Send + 'static) -> LoadResult {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, token, channel_id, message) =
            (session.client.clone(), format!("{}/api/v4/posts", session.base), session.token.clone(), session.channel_id.clone(), message.clone());
        tasks.push(tokio::spawn(async move {
            let mut result = LoadResult::default();
            let mut i = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let response = client.post(&url).bearer_auth(&token).json(&json!({ "channel_id": channel_id, "message": message(i) })).send().await;
                match response {
                    Ok(r) if r.status().as_u16() == 201 => {
                        result.ok += 1;
                        result.latencies_ms.push(sent.elapsed().as_secs_f64() * 1e3);
                    }
                    _ => result.failed += 1,
                }
                i += 1;
            }
            result
        }));
    }
    let mut total = LoadResult::default();
    for task in tasks {
        total.merge(task.await.unwrap_or_default());
    }
    total.elapsed = started.elapsed();
    total
}
