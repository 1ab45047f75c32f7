//! A full disk during a plugin install: the plugin directory is a small tmpfs, version 1 fits and version 2 does not; the upload is refused in Mattermost's error shape, version 1 keeps running, and no staging files or rows are left behind.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::harness::{Launch, Server, skip};

/// Room for version 1 (about 160 kB) but not for version 2's extra 2 MiB asset.
const TMPFS_SIZE: &str = "1m";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `fx-chain` as plugin `id` at `version`, with `padding` bytes of incompressible asset.
fn bundle(id: &str, version: &str, padding: usize) -> Vec<u8> {
    let wasm = repo_root().join("target/plugins/wasm32-wasip2/release/fx_chain.wasm");
    assert!(wasm.is_file(), "{} is missing: run `cargo xtask plugins` first", wasm.display());
    let dir = tempfile::tempdir().unwrap();
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(repo_root().join("tests/plugins/fx-chain/plugin.json")).unwrap()).unwrap();
    manifest["id"] = id.into();
    manifest["version"] = version.into();
    std::fs::write(dir.path().join("plugin.json"), manifest.to_string()).unwrap();
    std::fs::copy(wasm, dir.path().join("server.wasm")).unwrap();
    if padding > 0 {
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        // A xorshift stream: gzip cannot shrink it, so it takes its full size on the disk.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let bytes: Vec<u8> = (0..padding)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        std::fs::write(dir.path().join("assets/padding.bin"), bytes).unwrap();
    }
    confab_server::plugins::bundle::pack_dir(dir.path(), id).unwrap()
}

/// A tmpfs mounted on a fresh directory; unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: PathBuf) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(&at).map_err(|e| e.to_string())?;
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={TMPFS_SIZE},mode=0755"), "confab-fault", &at.display().to_string()])
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !output.status.success() {
            return Err(format!("mounting a tmpfs is not permitted here: {}", String::from_utf8_lossy(&output.stderr).trim()));
        }
        Ok(Tmpfs(at))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disk_full_during_install_is_refused_and_the_old_version_keeps_serving() {
    let test = "disk_full_during_install_is_refused_and_the_old_version_keeps_serving";
    let tmp = tempfile::tempdir().unwrap();
    let tmpfs = match Tmpfs::mount(tmp.path().join("plugins")) {
        Ok(t) => t,
        Err(why) => return skip(test, &why),
    };
    let data = tmp.path().join("data");
    let server = Server::start(&Launch { data: data.clone(), plugin_dir: Some(tmpfs.0.clone()), ..Launch::default() }).await;
    let token = server.login().await;
    let id = "fx.diskfull";

    let upload = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part("plugin", reqwest::multipart::Part::bytes(bytes).file_name("p.tar.gz")).text("force", "true");
        server.client.post(format!("{}/api/v4/plugins", server.base)).bearer_auth(&token).multipart(form).send()
    };
    let call = |path: String| server.client.post(format!("{}{path}", server.base)).bearer_auth(&token).send();
    assert_eq!(upload(bundle(id, "1.0.0", 0)).await.unwrap().status(), 201, "version 1 fits");
    assert!(call(format!("/api/v4/plugins/{id}/permissions/approve")).await.unwrap().status().is_success());
    assert!(call(format!("/api/v4/plugins/{id}/enable")).await.unwrap().status().is_success());
    let before = entries(&tmpfs.0);

    let response = upload(bundle(id, "2.0.0", 2 * 1024 * 1024)).await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or_default();
    assert!(status >= 400, "an install that cannot fit must be refused, got {status} {body}");
    for key in ["id", "message", "detailed_error", "request_id", "status_code"] {
        assert!(body.get(key).is_some(), "the refusal lacks `{key}`: {body}");
    }
    eprintln!("disk full: install refused with {status} {}", body["id"]);

    let statuses: Value = server.get(&token, "/api/v4/plugins/statuses").await.unwrap().json().await.unwrap();
    let mine = statuses.as_array().unwrap().iter().find(|s| s["plugin_id"] == id).cloned().unwrap_or_default();
    assert_eq!((mine["version"].as_str(), mine["state"].as_i64()), (Some("1.0.0"), Some(2)), "version 1 keeps running: {statuses}");
    let manifest: Value = serde_json::from_slice(&std::fs::read(tmpfs.0.join(id).join("plugin.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], "1.0.0", "version 1's files are untouched");
    assert_eq!(entries(&tmpfs.0), before, "no staging leftovers in the plugin directory");
    assert_eq!(entries(&tmpfs.0.join(".install")), Vec::<String>::new(), "no staging leftovers in .install");
    server.kill();

    let store = confab_server::store::Store::connect(&confab_server::testing::sqlite_url(&data)).await.unwrap();
    let row = store.get_installed_plugin(id).await.unwrap().expect("the installed row is still there");
    assert_eq!(row.version, "1.0.0", "the installed row still names version 1");
    store.close().await;

    // The server restarts on the same directory serving version 1.
    let server = Server::start(&Launch { data, plugin_dir: Some(tmpfs.0.clone()), ..Launch::default() }).await;
    let token = server.login().await;
    let statuses: Value = server.get(&token, "/api/v4/plugins/statuses").await.unwrap().json().await.unwrap();
    assert!(statuses.to_string().contains("\"1.0.0\""), "after a restart version 1 runs: {statuses}");
    server.kill();
}
