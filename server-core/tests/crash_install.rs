//! `kill -9` of the real `confab` binary at each step of a plugin install (fault injection through `CONFAB_TEST_CRASH_AFTER`), then a restart: the plugin is either fully installed (files, row and running version agree) or as it was before, and no install leftovers remain; a removal killed midway is finished.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `fx-chain` as plugin `id` at `version`.
fn bundle(id: &str, version: &str) -> Vec<u8> {
    let wasm = repo_root().join("target/plugins/wasm32-wasip2/release/fx_chain.wasm");
    assert!(wasm.is_file(), "{} is missing: run `cargo xtask plugins` first", wasm.display());
    let dir = tempfile::tempdir().unwrap();
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(repo_root().join("tests/plugins/fx-chain/plugin.json")).unwrap()).unwrap();
    manifest["id"] = id.into();
    manifest["version"] = version.into();
    std::fs::write(dir.path().join("plugin.json"), manifest.to_string()).unwrap();
    std::fs::copy(wasm, dir.path().join("server.wasm")).unwrap();
    confab_server::plugins::bundle::pack_dir(dir.path(), id).unwrap()
}

struct Server {
    child: Child,
    base: String,
    client: reqwest::Client,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start(data: &Path, crash_after: Option<&str>) -> Server {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_confab"));
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--enable-plugin-uploads", "true", "--log", "warn"])
        .arg("--data-dir")
        .arg(data)
        .env_remove("CONFAB_CONFIG")
        .env_remove("CONFAB_DATABASE_URL")
        .env_remove("CONFAB_PLUGIN_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match crash_after {
        Some(step) => command.env(confab_server::plugins::installer::CRASH_ENV, step),
        None => command.env_remove(confab_server::plugins::installer::CRASH_ENV),
    };
    let child = command.spawn().expect("spawn confab");
    confab_server::outbound::install_tls_provider();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().unwrap(),
    };
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

impl Server {
    async fn login(&self) -> String {
        let body = json!({ "username": "root", "email": "root@example.com", "password": "root-password" });
        let _ = self.client.post(format!("{}/api/v4/users", self.base)).json(&body).send().await;
        let response =
            self.client.post(format!("{}/api/v4/users/login", self.base)).json(&json!({"login_id": "root", "password": "root-password"})).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.headers()["token"].to_str().unwrap().to_string()
    }

    async fn upload(&self, token: &str, bytes: Vec<u8>) -> reqwest::Result<reqwest::Response> {
        let form = reqwest::multipart::Form::new().part("plugin", reqwest::multipart::Part::bytes(bytes).file_name("p.tar.gz")).text("force", "true");
        self.client.post(format!("{}/api/v4/plugins", self.base)).bearer_auth(token).multipart(form).send().await
    }

    async fn call(&self, method: reqwest::Method, path: &str, token: &str) -> Value {
        let response = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(token).send().await.unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.unwrap()
    }

    /// (version, state) of `id`, if installed.
    async fn status(&self, token: &str, id: &str) -> Option<(String, i64)> {
        let statuses = self.call(reqwest::Method::GET, "/api/v4/plugins/statuses", token).await;
        statuses.as_array().unwrap().iter().find(|s| s["plugin_id"] == id).map(|s| (s["version"].as_str().unwrap().to_string(), s["state"].as_i64().unwrap()))
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Wait for the process to die on its own (the injected crash).
    async fn wait_for_crash(mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                #[cfg(unix)]
                assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9), "killed by SIGKILL, not exited: {status}");
                assert!(!status.success(), "the server was expected to die, it exited with {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the injected crash did not happen");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Install leftovers: anything in `.install/`.
fn leftovers(data: &Path) -> Vec<String> {
    std::fs::read_dir(data.join("plugins/.install"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

fn installed_version(data: &Path, id: &str) -> Option<String> {
    let manifest: Value = serde_json::from_slice(&std::fs::read(data.join("plugins").join(id).join("plugin.json")).ok()?).ok()?;
    assert!(data.join("plugins").join(id).join("server.wasm").is_file(), "a manifest without its component");
    Some(manifest["version"].as_str()?.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_install_leaves_the_plugin_fully_installed_or_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let id = "fx.crash";

    // A running version 1 to upgrade from.
    let server = start(&data, None).await;
    let token = server.login().await;
    assert_eq!(server.upload(&token, bundle(id, "1.0.0")).await.unwrap().status(), 201);
    server.call(reqwest::Method::POST, &format!("/api/v4/plugins/{id}/permissions/approve"), &token).await;
    server.call(reqwest::Method::POST, &format!("/api/v4/plugins/{id}/enable"), &token).await;
    assert_eq!(server.status(&token, id).await, Some(("1.0.0".into(), 2)));
    server.kill();

    let mut current = "1.0.0".to_string();
    for (n, step) in ["unpacked", "journal", "moved_old", "moved_new", "loaded", "committed"].into_iter().enumerate() {
        let version = format!("{}.0.0", n + 2);
        let server = start(&data, Some(step)).await;
        let token = server.login().await;
        let answer = server.upload(&token, bundle(id, &version)).await;
        assert!(answer.is_err(), "{step}: the upload should die with the server, got {:?}", answer.map(|r| r.status()));
        server.wait_for_crash().await;

        let server = start(&data, None).await;
        let token = server.login().await;
        let expected = if step == "committed" { version.clone() } else { current.clone() };
        let which = if step == "committed" { "new" } else { "old" };
        assert_eq!(installed_version(&data, id), Some(expected.clone()), "after a kill at `{step}` the files are the {which} version");
        assert_eq!(server.status(&token, id).await, Some((expected.clone(), 2)), "after a kill at `{step}` that version runs");
        assert_eq!(leftovers(&data), Vec::<String>::new(), "after a kill at `{step}` no install leftovers");
        current = expected;
        server.kill();
        eprintln!("kill -9 after `{step}`: restarted serving {current}");
    }

    // A removal killed after the files moved out, before the rows went: finished at restart.
    let server = start(&data, Some("remove_moved")).await;
    let token = server.login().await;
    let answer = server.client.delete(format!("{}/api/v4/plugins/{id}", server.base)).bearer_auth(&token).send().await;
    assert!(answer.is_err(), "the removal should die with the server");
    server.wait_for_crash().await;
    let server = start(&data, None).await;
    let token = server.login().await;
    assert_eq!(installed_version(&data, id), None, "removal finished: no files");
    assert_eq!(server.status(&token, id).await, None, "removal finished: no status");
    assert_eq!(leftovers(&data), Vec::<String>::new());
    server.kill();
    let store = confab_server::store::Store::connect(&confab_server::testing::sqlite_url(&data)).await.unwrap();
    assert_eq!(store.get_installed_plugin(id).await.unwrap(), None, "removal finished: no row");
    store.close().await;

    // A first install killed after its files moved into place: absent after restart.
    let server = start(&data, Some("moved_new")).await;
    let token = server.login().await;
    assert!(server.upload(&token, bundle("fx.fresh", "1.0.0")).await.is_err());
    server.wait_for_crash().await;
    let server = start(&data, None).await;
    let token = server.login().await;
    assert_eq!(installed_version(&data, "fx.fresh"), None, "no files");
    assert_eq!(server.status(&token, "fx.fresh").await, None, "no row");
    let list = server.call(reqwest::Method::GET, "/api/v4/plugins", &token).await;
    assert!(!list.to_string().contains("fx.fresh"), "{list}");
    assert_eq!(leftovers(&data), Vec::<String>::new());
    server.kill();
}
