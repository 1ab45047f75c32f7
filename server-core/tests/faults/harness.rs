//! The pieces every fault test uses: the real `confab` process on a free port, a signed-in admin with a channel, concurrent posters that record every acknowledged post, and a private PostgreSQL cluster the tests may stop and start.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Say a test skipped, past the harness' output capture.
pub fn skip(test: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "{test}: skipped: {why}");
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `confab serve`; SIGKILLed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub client: reqwest::Client,
}

/// Where and how to start the server.
#[derive(Default, Clone)]
pub struct Launch {
    pub data: PathBuf,
    pub database_url: Option<String>,
    pub plugin_dir: Option<PathBuf>,
    pub port: Option<u16>,
}

impl Server {
    pub async fn start(launch: &Launch) -> Server {
        let port = launch.port.unwrap_or_else(free_port);
        let mut command = Command::new(env!("CARGO_BIN_EXE_confab"));
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--enable-plugin-uploads", "true", "--log", "warn"])
            .arg("--data-dir")
            .arg(&launch.data)
            .env_remove("CONFAB_CONFIG")
            .env_remove("CONFAB_DATABASE_URL")
            .env_remove("CONFAB_PLUGIN_DIR")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(url) = &launch.database_url {
            command.arg("--database-url").arg(url);
        }
        if let Some(dir) = &launch.plugin_dir {
            command.arg("--plugin-dir").arg(dir);
        }
        let child = command.spawn().expect("spawn confab");
        confab_server::outbound::install_tls_provider();
        let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).pool_max_idle_per_host(32).build().unwrap();
        let server = Server { child, base: format!("http://127.0.0.1:{port}"), client };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = server.client.get(format!("{}/api/v4/system/ping", server.base)).send().await
                && r.status().is_success()
            {
                return server;
            }
            assert!(Instant::now() < deadline, "confab did not start within 120 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL and reap.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sign up `root` (the first account is the admin) unless present, and log in.
    pub async fn login(&self) -> String {
        let body = json!({ "username": "root", "email": "root@example.com", "password": "root-password" });
        let _ = self.client.post(format!("{}/api/v4/users", self.base)).json(&body).send().await;
        let response =
            self.client.post(format!("{}/api/v4/users/login", self.base)).json(&json!({"login_id": "root", "password": "root-password"})).send().await.unwrap();
        assert_eq!(response.status(), 200, "login");
        response.headers()["token"].to_str().unwrap().to_string()
    }

    /// Create team `faults` and return its town-square's id.
    pub async fn channel(&self, token: &str) -> String {
        let team: Value = self
            .client
            .post(format!("{}/api/v4/teams", self.base))
            .bearer_auth(token)
            .json(&json!({ "name": "faults", "display_name": "Faults", "type": "O" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let team_id = team["id"].as_str().expect("team id");
        let town: Value = self
            .client
            .get(format!("{}/api/v4/teams/{team_id}/channels/name/town-square", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        town["id"].as_str().expect("channel id").to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> reqwest::Result<reqwest::Response> {
        self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a poster saw: ids of acknowledged posts (201), and every other outcome.
#[derive(Default, Debug)]
pub struct Posted {
    pub acknowledged: Vec<String>,
    /// Non-201 answers: (status, body).
    pub refused: Vec<(u16, String)>,
    /// Transport errors (connection reset, timeout).
    pub errors: Vec<String>,
    /// The slowest request, whatever its outcome.
    pub slowest: Duration,
}

/// `clients` loops posting into `channel` until `stop` is set; each request has its own
/// client timeout of `timeout`, so a hang shows up as an error, not a stuck test.
pub async fn post_until(
    client: reqwest::Client,
    base: String,
    token: String,
    channel: String,
    clients: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
    timeout: Duration,
) -> Posted {
    let posted = Arc::new(Mutex::new(Posted::default()));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, url, token, channel, stop, posted) =
            (client.clone(), format!("{base}/api/v4/posts"), token.clone(), channel.clone(), stop.clone(), posted.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let started = Instant::now();
                let sent = client
                    .post(&url)
                    .bearer_auth(&token)
                    .timeout(timeout)
                    .json(&json!({ "channel_id": channel, "message": format!("c{c} m{i}") }))
                    .send()
                    .await;
                let outcome = match sent {
                    Ok(r) if r.status().as_u16() == 201 => match r.json::<Value>().await {
                        Ok(post) => Ok(post["id"].as_str().unwrap_or_default().to_string()),
                        Err(e) => Err(Err(e.to_string())),
                    },
                    Ok(r) => {
                        let status = r.status().as_u16();
                        Err(Ok((status, r.text().await.unwrap_or_default())))
                    }
                    Err(e) => Err(Err(e.to_string())),
                };
                let failed = outcome.is_err();
                {
                    let mut p = posted.lock().unwrap();
                    p.slowest = p.slowest.max(started.elapsed());
                    match outcome {
                        Ok(id) => p.acknowledged.push(id),
                        Err(Ok(refused)) => p.refused.push(refused),
                        Err(Err(error)) => p.errors.push(error),
                    }
                }
                i += 1;
                if failed {
                    // A refused request is retried after a pause, as a client would.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    Arc::try_unwrap(posted).map(|m| m.into_inner().unwrap()).unwrap_or_default()
}

/// A private PostgreSQL cluster in a temporary directory, on a free port, trust
/// authentication, run as the `postgres` user when this process is root (PostgreSQL
/// refuses to run as root). Stopped (immediate) and removed on drop.
pub struct PrivatePostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
}

impl PrivatePostgres {
    /// Initialise and start a cluster; `Err(why)` when this machine cannot.
    pub fn start() -> Result<PrivatePostgres, String> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|_| "no /usr/lib/postgresql (PostgreSQL server binaries are not installed)".to_string())?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("pg_ctl").is_file() && p.join("initdb").is_file())
            .max()
            .ok_or("no initdb/pg_ctl under /usr/lib/postgresql/*/bin")?;
        let as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("confab-pg-").tempdir_in("/tmp").map_err(|e| e.to_string())?;
        if as_postgres {
            let status = Command::new("chown").arg("postgres:postgres").arg(dir.path()).status().map_err(|e| e.to_string())?;
            if !status.success() {
                return Err("cannot chown the cluster directory to the postgres user (no such user?)".into());
            }
        }
        let pg = PrivatePostgres { bin, dir, port: free_port(), as_postgres };
        let data = pg.data();
        pg.run("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"])?;
        pg.pg_ctl_start()?;
        Ok(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Run a PostgreSQL program (as `postgres` when root).
    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        let output = command.args(args).current_dir("/tmp").stdin(Stdio::null()).output().map_err(|e| format!("cannot run {program}: {e}"))?;
        if !output.status.success() {
            return Err(format!("{program} failed: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)));
        }
        Ok(())
    }

    /// Start (or restart) the cluster and wait until it accepts connections.
    pub fn pg_ctl_start(&self) -> Result<(), String> {
        let data = self.data();
        let log = self.dir.path().join("log").display().to_string();
        let options = format!("-p {} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off", self.port);
        self.run("pg_ctl", &["-D", &data, "-l", &log, "-o", &options, "-w", "-t", "60", "start"])
    }

    /// Stop with `mode` (`fast`: disconnect clients, `immediate`: like a crash).
    pub fn pg_ctl_stop(&self, mode: &str) -> Result<(), String> {
        self.run("pg_ctl", &["-D", &self.data(), "-m", mode, "-w", "-t", "60", "stop"])
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self.pg_ctl_stop("immediate");
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The data directory of a SQLite server.
pub fn sqlite_url(data: &Path) -> String {
    confab_server::testing::sqlite_url(data)
}
