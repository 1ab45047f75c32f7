//! A real Mattermost client library against Confab: the Python `mattermostdriver` from PyPI, installed by the test itself into `target/py-client`, logs in, creates a team and a channel, makes Mattermost's first-load and channel-switch calls, posts, reads the post back and receives its `posted` event.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use confab_e2e::{Backend, TestDir, TestServer, on_both_backends, repo_root};

on_both_backends!(mattermostdriver_logs_in_posts_and_receives_posted);

/// The pinned client and the WebSocket library it runs on.
const PACKAGES: [&str; 2] = ["mattermostdriver==7.3.2", "websockets==17.4"];

/// Both backends' tests run in one process; one installs, the other waits.
static INSTALL: tokio::sync::OnceCell<PathBuf> = tokio::sync::OnceCell::const_new();

/// `target/py-client` with the packages in it (pip runs once per checkout).
async fn client_dir() -> PathBuf {
    INSTALL
        .get_or_init(|| async {
            let dir = repo_root().join("target/py-client");
            let marker = dir.join(format!(".installed-{}", PACKAGES.join("-")));
            if !marker.exists() {
                let output = tokio::task::spawn_blocking({
                    let dir = dir.clone();
                    move || {
                        Command::new("python3")
                            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "--target"])
                            .arg(&dir)
                            .args(PACKAGES)
                            .output()
                    }
                })
                .await
                .unwrap()
                .expect("python3 must be installed to run the client-library test");
                assert!(
                    output.status.success(),
                    "pip install {PACKAGES:?} failed:\n{}\n{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
                std::fs::write(&marker, "").unwrap();
            }
            dir
        })
        .await
        .clone()
}

async fn mattermostdriver_logs_in_posts_and_receives_posted(backend: Backend) {
    let packages = client_dir().await;
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "client_library::mattermostdriver").await else { return };
    server.signup("pyuser").await;
    let port = server.base_url.rsplit(':').next().unwrap().to_string();
    let script = repo_root().join("tests/e2e/clients/mattermostdriver_smoke.py");

    let mut command = tokio::process::Command::new("python3");
    command.arg(&script).args(["127.0.0.1", &port, "pyuser", "pyuser-password"]).env("PYTHONPATH", &packages).kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(120), command.output()).await.expect("the client finished within 120 s").expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "mattermostdriver failed:\nstdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&output.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|e| panic!("no summary line ({e}): {stdout}"));
    assert_eq!(summary["ok"], true);
    assert!(summary["events"].as_array().unwrap().iter().any(|e| e == "posted"), "{summary}");

    // What the client did is really there.
    let admin = server.login("pyuser", "pyuser-password").await;
    let (status, post) = server.get_as(&format!("/api/v4/posts/{}", summary["post"].as_str().unwrap()), &admin.token).await;
    assert_eq!((status, post["message"].as_str()), (200, Some("hello from mattermostdriver")));
    server.stop().await;
}
