//! The plugin author's and admin's command line, end to end with the real `confab` binary: `keygen`, `plugin new`, `plugin pack` (a real wasm32-wasip2 build), `sign`, `marketplace build`, then `install|approve|enable|list|status|disable|remove` against a server that requires signatures, and the new plugin's bot answering in a channel.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Run `confab args...`; panics with its output unless it succeeds; returns stdout.
fn confab<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S], extra_env: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_confab"));
    command.args(args).env_remove("CONFAB_CONFIG");
    for (k, v) in extra_env {
        command.env(k, v);
    }
    let output = command.output().expect("run confab");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "confab {args:?} failed: {}\n{stdout}\n{}", output.status, String::from_utf8_lossy(&output.stderr));
    stdout
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_plugin_new_to_an_answer_in_a_channel() {
    confab_server::outbound::install_tls_provider();
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str| tmp.path().join(name).display().to_string();

    confab(&["plugin", "keygen", "--out", &p("key")], &[]);
    confab(&["plugin", "new", "echo", "--dir", &p("echo")], &[]);
    // Share the plugin build directory so the SDK's dependencies are not rebuilt.
    let target = repo_root().join("target/plugins").display().to_string();
    confab(&["plugin", "pack", &p("echo"), "--out", &p("echo.tar.gz")], &[("CARGO_TARGET_DIR", &target)]);
    confab(&["plugin", "sign", &p("echo.tar.gz"), "--key", &p("key")], &[]);
    std::fs::create_dir(p("market")).unwrap();
    std::fs::copy(p("echo.tar.gz"), tmp.path().join("market/echo.tar.gz")).unwrap();
    std::fs::copy(p("echo.tar.gz.sig"), tmp.path().join("market/echo.tar.gz.sig")).unwrap();
    let out = confab(&["marketplace", "build", &p("market"), "--base-url", "https://plugins.example.com"], &[]);
    assert!(out.contains("1 plugins"), "{out}");
    let index: Value = serde_json::from_slice(&std::fs::read(tmp.path().join("market/index.json")).unwrap()).unwrap();
    assert_eq!(index[0]["manifest"]["id"], "com.example.echo");
    assert_eq!(index[0]["download_url"], "https://plugins.example.com/echo.tar.gz");
    assert!(!index[0]["signature"].as_str().unwrap().is_empty());

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_confab"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir", &p("data"), "--enable-plugin-uploads", "true", "--log", "warn"])
        .args(["--require-plugin-signature", "true", "--plugin-signature-public-keys", &p("key.pub")])
        .env_remove("CONFAB_CONFIG")
        .env_remove("CONFAB_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Server(child);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !client.get(format!("{url}/api/v4/system/ping")).send().await.is_ok_and(|r| r.status().is_success()) {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let signup = json!({ "username": "root", "email": "root@example.com", "password": "root-password" });
    client.post(format!("{url}/api/v4/users")).json(&signup).send().await.unwrap();
    let login = client.post(format!("{url}/api/v4/users/login")).json(&json!({"login_id": "root", "password": "root-password"})).send().await.unwrap();
    let token = login.headers()["token"].to_str().unwrap().to_string();
    let server = ["--url", url.as_str(), "--token", token.as_str()];
    let with = |args: &[&str]| -> Vec<String> { args.iter().chain(server.iter()).map(|s| s.to_string()).collect() };

    let out = confab(&with(&["plugin", "install", &p("echo.tar.gz")]), &[]);
    assert!(out.contains("installed com.example.echo 0.1.0 (requests: bots, posts:write)"), "{out}");
    confab(&with(&["plugin", "approve", "com.example.echo"]), &[]);
    confab(&with(&["plugin", "enable", "com.example.echo"]), &[]);
    let out = confab(&with(&["plugin", "list"]), &[]);
    assert!(out.lines().any(|l| l.starts_with("active") && l.contains("com.example.echo")), "{out}");
    let out = confab(&with(&["plugin", "status"]), &[]);
    assert!(out.contains("com.example.echo") && out.contains("state 2"), "{out}");

    let auth = |r: reqwest::RequestBuilder| r.bearer_auth(&token);
    let team: Value = auth(client.post(format!("{url}/api/v4/teams")))
        .json(&json!({"name": "eng", "display_name": "Eng", "type": "O"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let channel: Value = auth(client.post(format!("{url}/api/v4/channels")))
        .json(&json!({"team_id": team["id"], "name": "dev", "display_name": "Dev", "type": "O"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let channel_id = channel["id"].as_str().unwrap();
    let posted = auth(client.post(format!("{url}/api/v4/posts"))).json(&json!({"channel_id": channel_id, "message": "!echo"})).send().await.unwrap();
    assert_eq!(posted.status(), 201);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let posts: Value = auth(client.get(format!("{url}/api/v4/channels/{channel_id}/posts"))).send().await.unwrap().json().await.unwrap();
        if posts["posts"].as_object().is_some_and(|p| p.values().any(|post| post["message"] == "pong")) {
            break;
        }
        assert!(Instant::now() < deadline, "the plugin's bot never answered: {posts}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    confab(&with(&["plugin", "disable", "com.example.echo"]), &[]);
    confab(&with(&["plugin", "remove", "com.example.echo"]), &[]);
    let out = confab(&with(&["plugin", "list"]), &[]);
    assert!(!out.contains("com.example.echo"), "{out}");
    assert!(!tmp.path().join("data/plugins/com.example.echo").exists());
}
