//! The JavaScript and Python example plugins log through the real `confab` binary with their plugin id on every line, as an admin reading the server's output sees it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `(example folder, component, plugin id, what its activate logs)`.
const PLUGINS: &[(&str, &str, &str, &str)] = &[
    ("js-word-filter", "js_word_filter", "com.confab.js-word-filter", "js-word-filter activated"),
    ("py-karma", "py_karma", "com.confab.py-karma", "py-karma activated"),
];

/// Install the examples into `data/plugins`; false (after saying why) when a component
/// was not built because Node.js or Python was missing, unless CI requires them.
fn install(data: &Path) -> bool {
    for (folder, component, id, _) in PLUGINS {
        let wasm = repo_root().join("target/plugins/wasm32-wasip2/release").join(format!("{component}.wasm"));
        if !wasm.is_file() {
            assert!(std::env::var_os("CONFAB_REQUIRE_MULTILANG").is_none(), "{} is missing and CONFAB_REQUIRE_MULTILANG is set", wasm.display());
            eprintln!("skipped: {} is not built (run `cargo xtask plugins` with Node.js and Python present)", wasm.display());
            return false;
        }
        let dir = data.join("plugins").join(id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(repo_root().join("example-plugins").join(folder).join("plugin.json"), dir.join("plugin.json")).unwrap();
        std::fs::copy(wasm, dir.join("server.wasm")).unwrap();
    }
    true
}

#[test]
fn js_and_python_plugins_log_with_their_plugin_id() {
    let data = tempfile::tempdir().unwrap();
    if !install(data.path()) {
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_confab"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data.path())
        .env_remove("CONFAB_CONFIG")
        .env_remove("CONFAB_DATABASE_URL")
        .env_remove("CONFAB_PLUGIN_DIR")
        .env_remove("CONFAB_LOG")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn confab");
    // The fmt subscriber writes to stdout; read both streams, line by line.
    let (tx, rx) = mpsc::channel::<String>();
    for stream in [Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>, Box::new(child.stderr.take().unwrap())] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    // Compiling the Python component in a debug build takes tens of seconds.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut missing: Vec<&(&str, &str, &str, &str)> = PLUGINS.iter().collect();
    let mut seen = Vec::new();
    while !missing.is_empty() && Instant::now() < deadline {
        let Ok(line) = rx.recv_timeout(Duration::from_secs(1)) else { continue };
        missing.retain(|(_, _, id, message)| !(line.contains(message) && line.contains(id)));
        seen.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        missing.is_empty(),
        "no log line with the plugin id for {:?}; the server printed:\n{}",
        missing.iter().map(|p| p.2).collect::<Vec<_>>(),
        seen.join("\n")
    );
}
