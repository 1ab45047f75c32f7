//! Plugin administration over the REST API: upload ⇒ approve ⇒ enable ⇒ hook runs ⇒ disable ⇒ remove (files, KV gone; admin-only WebSocket events; `plugin_enabled` / `plugin_disabled` to every user for plugins with a webapp part), 403 for regular users on every route, one test per hostile bundle class, hot reload under load (and a broken version keeping the old in service), signatures, and the marketplace from a loopback HTTP server.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use confab_e2e::{Backend, TestDir, TestServer, User, built_plugin, event_post, on_both_backends, repo_root};
use confab_server::Config;
use serde_json::{Value, json};

on_both_backends!(
    upload_enable_run_disable_remove,
    regular_users_get_403_on_every_plugin_admin_route,
    hostile_bundles_are_refused_and_leave_nothing,
    hot_reload_under_load,
    signatures_are_required_on_every_path,
    marketplace_lists_compatible_entries_and_installs_from_loopback,
    settings_are_validated_and_reach_the_plugin,
    an_upgrade_asking_for_more_stays_on_the_old_version_until_approved,
    webapp_and_public_files_are_served_while_running,
    quarantine_is_announced_to_admins,
    a_watched_plugin_directory_reloads_on_change,
    a_plugins_commands_go_with_disable_and_remove,
);

/// A bundle of the `fx-chain` fixture as plugin `id` at `version`, whose default
/// settings replace `marker` with `to`: the version's visible behaviour.
fn chain_bundle(id: &str, version: &str, to: &str) -> Vec<u8> {
    chain_bundle_with(id, version, to, |_, _| {})
}

/// [`chain_bundle`], with a chance to change the manifest and add files.
fn chain_bundle_with(id: &str, version: &str, to: &str, change: impl FnOnce(&mut Value, &Path)) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let manifest = chain_manifest(id, version, to);
    let mut manifest = manifest;
    change(&mut manifest, dir.path());
    std::fs::write(dir.path().join("plugin.json"), manifest.to_string()).unwrap();
    std::fs::copy(built_plugin("fx_chain.wasm"), dir.path().join("server.wasm")).unwrap();
    confab_server::plugins::bundle::pack_dir(dir.path(), id).unwrap()
}

/// fx-chain's manifest as `id` at `version`, replacing "marker" with `to` by default.
fn chain_manifest(id: &str, version: &str, to: &str) -> Value {
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(repo_root().join("tests/plugins/fx-chain/plugin.json")).unwrap()).unwrap();
    manifest["id"] = id.into();
    manifest["version"] = version.into();
    for setting in manifest["settings_schema"]["settings"].as_array_mut().unwrap() {
        match setting["key"].as_str().unwrap() {
            "action" => setting["default"] = "replace".into(),
            "from" => setting["default"] = "marker".into(),
            "to" => setting["default"] = to.into(),
            _ => {}
        }
    }
    manifest
}

fn admin_config(dir: &TestDir) -> Config {
    Config { data_dir: dir.path().to_path_buf(), enable_plugin_uploads: true, allowed_untrusted_internal_connections: "127.0.0.1".into(), ..Config::default() }
}

async fn upload(server: &TestServer, token: &str, bundle: Vec<u8>, force: bool, signature: Option<&str>) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().part("plugin", reqwest::multipart::Part::bytes(bundle).file_name("plugin.tar.gz"));
    if force {
        form = form.text("force", "true");
    }
    if let Some(signature) = signature {
        form = form.text("signature", signature.to_string());
    }
    let response = server.request(reqwest::Method::POST, "/api/v4/plugins", token).multipart(form).send().await.expect("upload");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A team and channel owned by `user`; returns the channel id.
async fn channel(server: &TestServer, user: &User) -> String {
    let (_, team) = server.post_as("/api/v4/teams", &user.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let (status, channel) =
        server.post_as("/api/v4/channels", &user.token, &json!({ "team_id": team["id"], "name": "dev", "display_name": "Dev", "type": "O" })).await;
    assert_eq!(status, 201, "{channel}");
    channel["id"].as_str().unwrap().to_string()
}

async fn post_message(server: &TestServer, token: &str, channel_id: &str, message: &str) -> (u16, Value) {
    server.post_as("/api/v4/posts", token, &json!({ "channel_id": channel_id, "message": message })).await
}

/// Every entry of a directory, recursively, relative to it.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Nothing in the plugin directory but an empty work directory.
fn assert_clean(plugin_dir: &Path, what: &str) {
    let left: Vec<PathBuf> = tree(plugin_dir).into_iter().filter(|p| p != Path::new(".install")).collect();
    assert_eq!(left, Vec::<PathBuf>::new(), "{what}: the plugin directory holds only the empty work directory");
}

async fn kv_keys(server: &TestServer, plugin_id: &str) -> Vec<String> {
    let store = confab_server::store::Store::connect(&server.database_url).await.unwrap();
    let keys = store.kv_list(plugin_id, 0, 1000, confab_server::service::now_ms()).await.unwrap();
    store.close().await;
    keys
}

async fn upload_enable_run_disable_remove(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::lifecycle", admin_config(&dir)).await else { return };
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let channel_id = channel(&server, &admin).await;
    let mut admin_ws = server.websocket(&admin.token).await;
    let mut ann_ws = server.websocket(&ann.token).await;
    let id = "fx.admin";

    let (status, manifest) = upload(&server, &admin.token, chain_bundle(id, "1.0.0", "v1"), false, None).await;
    assert_eq!(status, 201, "{manifest}");
    assert_eq!((manifest["id"].as_str(), manifest["permissions"].clone()), (Some(id), json!(["kv"])), "requested permissions are shown at install");
    let (status, again) = upload(&server, &admin.token, chain_bundle(id, "1.0.0", "v1"), false, None).await;
    assert_eq!((status, again["id"].as_str()), (400, Some("app.plugin.install_id.app_error")));
    let (_, list) = server.get_as("/api/v4/plugins", &admin.token).await;
    assert_eq!((list["active"].as_array().unwrap().len(), list["inactive"][0]["id"].as_str()), (0, Some(id)), "installed disabled: {list}");
    let (_, post) = post_message(&server, &admin.token, &channel_id, "marker one").await;
    assert_eq!(post["message"], "marker one", "not running before enable");

    // Enabling waits for the admin to approve what the manifest requests.
    let (status, refused) = server.post_as(&format!("/api/v4/plugins/{id}/enable"), &admin.token, &json!({})).await;
    assert_eq!((status, refused["id"].as_str()), (400, Some("app.plugin.permissions_not_approved.app_error")), "{refused}");
    let (_, permissions) = server.get_as(&format!("/api/v4/plugins/{id}/permissions"), &admin.token).await;
    assert_eq!(permissions["pending"], json!(["kv"]));
    let (status, permissions) = server.post_as(&format!("/api/v4/plugins/{id}/permissions/approve"), &admin.token, &json!({})).await;
    assert_eq!((status, permissions["pending"].clone(), permissions["granted"].clone()), (200, json!([]), json!(["kv"])));
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{id}/enable"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    // No webapp part: clients have nothing to load, so (as Mattermost) no `plugin_enabled`.
    admin_ws
        .expect_event("plugin_statuses_changed", |e| {
            e["data"]["plugin_statuses"].as_array().is_some_and(|s| s.iter().any(|s| s["plugin_id"] == id && s["state"] == 2))
        })
        .await;

    let (status, post) = post_message(&server, &admin.token, &channel_id, "marker two").await;
    assert_eq!((status, post["message"].as_str()), (201, Some("v1 two")), "the hook runs");
    let deadline = Instant::now() + Duration::from_secs(20);
    while kv_keys(&server, id).await.is_empty() {
        assert!(Instant::now() < deadline, "message-has-been-posted never wrote KV");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_metrics_show_the_hook(&server, &admin, id).await;

    let (status, _) = server.post_as(&format!("/api/v4/plugins/{id}/disable"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    admin_ws
        .expect_event("plugin_statuses_changed", |e| {
            e["data"]["plugin_statuses"].as_array().is_some_and(|s| s.iter().any(|s| s["plugin_id"] == id && s["state"] == 0))
        })
        .await;
    let (_, post) = post_message(&server, &admin.token, &channel_id, "marker three").await;
    assert_eq!(post["message"], "marker three", "no longer runs once disabled");
    let (_, statuses) = server.get_as("/api/v4/plugins/statuses", &admin.token).await;
    assert_eq!(statuses[0]["state"], 0, "installed, not running: {statuses}");

    let (status, body) = server.delete_as(&format!("/api/v4/plugins/{id}"), &admin.token).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("OK")));
    assert!(!dir.plugin_dir().join(id).exists(), "files gone");
    assert_clean(&dir.plugin_dir(), "after removal");
    assert!(kv_keys(&server, id).await.is_empty(), "KV gone");
    let (_, list) = server.get_as("/api/v4/plugins", &admin.token).await;
    assert_eq!(list, json!({"active": [], "inactive": []}));
    let (status, body) = server.delete_as(&format!("/api/v4/plugins/{id}"), &admin.token).await;
    assert_eq!((status, body["id"].as_str()), (404, Some("app.plugin.not_installed.app_error")));

    // Admin-only events never reached the regular user, and a server-only plugin sends
    // no `plugin_enabled` / `plugin_disabled` to anyone.
    let seen: Vec<Value> = ann_ws.drain(Duration::from_millis(300)).await;
    assert!(seen.iter().all(|e| !e["event"].as_str().unwrap_or_default().starts_with("plugin_")), "{seen:#?}");
    let seen: Vec<Value> = admin_ws.drain(Duration::from_millis(300)).await;
    assert!(seen.iter().all(|e| !matches!(e["event"].as_str(), Some("plugin_enabled" | "plugin_disabled"))), "{seen:#?}");
    server.stop().await;
}

async fn regular_users_get_403_on_every_plugin_admin_route(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::forbidden", admin_config(&dir)).await else { return };
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let (status, _) = upload(&server, &admin.token, chain_bundle("fx.owned", "1.0.0", "x"), false, None).await;
    assert_eq!(status, 201);
    use reqwest::Method;
    let routes = [
        (Method::GET, "/api/v4/plugins"),
        (Method::GET, "/api/v4/plugins/statuses"),
        (Method::GET, "/api/v4/plugins/metrics"),
        (Method::GET, "/api/v4/plugins/fx.owned/metrics"),
        (Method::POST, "/api/v4/plugins/install_from_url?plugin_download_url=http://127.0.0.1:9/x.tar.gz"),
        (Method::DELETE, "/api/v4/plugins/fx.owned"),
        (Method::POST, "/api/v4/plugins/fx.owned/enable"),
        (Method::POST, "/api/v4/plugins/fx.owned/disable"),
        (Method::GET, "/api/v4/plugins/fx.owned/settings"),
        (Method::PUT, "/api/v4/plugins/fx.owned/settings"),
        (Method::GET, "/api/v4/plugins/fx.owned/permissions"),
        (Method::POST, "/api/v4/plugins/fx.owned/permissions/approve"),
        (Method::GET, "/api/v4/plugins/marketplace"),
        (Method::POST, "/api/v4/plugins/marketplace"),
    ];
    for (method, path) in routes {
        let (status, body) = confab_e2e_send(server.request(method.clone(), path, &ann.token).json(&json!({"id": "fx.owned"}))).await;
        assert_eq!((status, body["id"].as_str()), (403, Some("api.context.permissions.app_error")), "{method} {path}: {body}");
    }
    // Refused before the body is read, so the server closes that connection: a small
    // body (sent whole before the answer) and a client of its own keep that race out.
    let form = reqwest::multipart::Form::new().part("plugin", reqwest::multipart::Part::bytes(b"not read".to_vec()).file_name("p.tar.gz"));
    let response =
        reqwest::Client::builder().no_proxy().build().unwrap().post(server.url("/api/v4/plugins")).bearer_auth(&ann.token).multipart(form).send().await;
    assert_eq!(response.expect("upload as a regular user").status(), 403, "POST /api/v4/plugins");
    assert!(!dir.plugin_dir().join("fx.other").exists());
    // Ids that would name something other than a plugin directory are never touched.
    for id in ["...", ".install", "%2E%2E"] {
        let (status, body) = server.delete_as(&format!("/api/v4/plugins/{id}"), &admin.token).await;
        assert_eq!(status, 404, "DELETE {id}: {body}");
    }
    assert!(dir.plugin_dir().join(".install").is_dir() && dir.path().is_dir());
    // Without a session: 401; the webapp list needs none.
    assert_eq!(server.get_as("/api/v4/plugins", "").await.0, 401);
    assert_eq!(server.get_as("/api/v4/plugins/webapp", "").await, (200, json!([])));
    // Nothing changed for the admin.
    let (_, list) = server.get_as("/api/v4/plugins", &admin.token).await;
    assert_eq!(list["inactive"][0]["id"], "fx.owned");
    server.stop().await;
}

/// The admin metrics count the `message-will-be-posted` call just made, with fuel,
/// latency and the instance's memory; the one-plugin route agrees.
async fn assert_metrics_show_the_hook(server: &TestServer, admin: &User, id: &str) {
    let (status, all) = server.get_as("/api/v4/plugins/metrics", &admin.token).await;
    assert_eq!(status, 200, "{all}");
    assert!(all["at"].as_i64().is_some_and(|at| at > 0), "{all}");
    let mine = all["plugins"].as_array().unwrap().iter().find(|p| p["plugin_id"] == id).cloned().expect("the running plugin is listed");
    let hook = &mine["hooks"]["message-will-be-posted"];
    assert_eq!((hook["calls"].as_u64(), hook["errors"].as_u64()), (Some(1), Some(0)), "{mine}");
    assert!(mine["calls"].as_u64().unwrap() >= 2, "activate and the hook at least: {mine}");
    assert!(mine["fuel_per_call"].as_f64().is_some_and(|f| f > 0.0), "{mine}");
    let (p50, p99) = (mine["latency_ms_p50"].as_f64().unwrap(), mine["latency_ms_p99"].as_f64().unwrap());
    assert!(p50 > 0.0 && p50 <= p99, "p50 {p50}, p99 {p99}");
    assert_eq!(mine["latency_buckets"].as_array().unwrap().last().unwrap()["count"], mine["calls"], "the histogram is cumulative");
    assert!(mine["instances"].as_u64().unwrap() >= 1 && mine["memory_bytes"].as_u64().unwrap() >= 65_536, "{mine}");
    let (status, one) = server.get_as(&format!("/api/v4/plugins/{id}/metrics"), &admin.token).await;
    assert_eq!((status, one["plugin"]["plugin_id"].as_str()), (200, Some(id)), "{one}");
    assert!(one["plugin"]["hooks"]["message-will-be-posted"]["calls"].as_u64() >= Some(1));
    let (status, body) = server.get_as("/api/v4/plugins/fx.nothing/metrics", &admin.token).await;
    assert_eq!((status, body["id"].as_str()), (404, Some("app.plugin.not_installed.app_error")));
}

async fn confab_e2e_send(builder: reqwest::RequestBuilder) -> (u16, Value) {
    let response = builder.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A tar entry written with raw header fields, so names and types the `tar` crate's
/// safe API refuses can be produced.
fn raw_entry(builder: &mut tar::Builder<Vec<u8>>, name: &str, kind: tar::EntryType, link: Option<&str>, data: &[u8]) {
    let mut header = tar::Header::new_gnu();
    {
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(link) = link {
            gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
    }
    header.set_entry_type(kind);
    header.set_mode(0o644);
    header.set_size(data.len() as u64);
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

fn gzip_tar(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let manifest = json!({"id": "fx.hostile", "name": "hostile", "version": "1.0.0", "server": {"wasm": "server.wasm"}}).to_string();
    raw_entry(&mut builder, "plugin.json", tar::EntryType::Regular, None, manifest.as_bytes());
    build(&mut builder);
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}

async fn hostile_bundles_are_refused_and_leave_nothing(backend: Backend) {
    let dir = TestDir::new();
    let config =
        Config { plugin_max_bundle_bytes: 2 * 1024 * 1024, plugin_max_bundle_entries: 50, plugin_max_unpacked_bytes: 4 * 1024 * 1024, ..admin_config(&dir) };
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::hostile", config).await else { return };
    let admin = server.signup("root").await;
    let outside = dir.path().join("outside");
    let absolute = format!("{}/evil.txt", outside.display());
    let before_data = tree(dir.path());
    let cases: Vec<(&str, Vec<u8>, u16, &str, &str)> = vec![
        (
            "traversal",
            gzip_tar(|b| raw_entry(b, "../../outside/evil.txt", tar::EntryType::Regular, None, b"x")),
            400,
            "app.plugin.extract.app_error",
            "escapes",
        ),
        ("absolute path", gzip_tar(|b| raw_entry(b, &absolute, tar::EntryType::Regular, None, b"x")), 400, "app.plugin.extract.app_error", "absolute"),
        ("symlink", gzip_tar(|b| raw_entry(b, "link", tar::EntryType::Symlink, Some("/etc/passwd"), b"")), 400, "app.plugin.extract.app_error", "link"),
        ("hardlink", gzip_tar(|b| raw_entry(b, "hard", tar::EntryType::Link, Some("plugin.json"), b"")), 400, "app.plugin.extract.app_error", "link"),
        ("device file", gzip_tar(|b| raw_entry(b, "dev", tar::EntryType::Char, None, b"")), 400, "app.plugin.extract.app_error", "device"),
        (
            "too many entries",
            gzip_tar(|b| (0..60).for_each(|i| raw_entry(b, &format!("f{i}"), tar::EntryType::Regular, None, b"x"))),
            400,
            "app.plugin.extract.app_error",
            "more than 50 entries",
        ),
        (
            "too many bytes",
            gzip_tar(|b| raw_entry(b, "bomb", tar::EntryType::Regular, None, &vec![0u8; 5 * 1024 * 1024])),
            400,
            "app.plugin.extract.app_error",
            "unpacks to more",
        ),
        (
            "oversize upload",
            (0..3 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect(),
            413,
            "api.plugin.upload.file_too_large.app_error",
            "",
        ),
    ];
    for (class, bundle, status, id, detail) in cases {
        let (got, body) = upload(&server, &admin.token, bundle, false, None).await;
        assert_eq!((got, body["id"].as_str()), (status, Some(id)), "{class}: {body}");
        assert!(body["detailed_error"].as_str().unwrap_or_default().contains(detail), "{class}: {body}");
        assert!(!outside.exists(), "{class}: wrote outside the plugin directory");
        assert_clean(&dir.plugin_dir(), class);
        let after: Vec<PathBuf> = tree(dir.path())
            .into_iter()
            .filter(|p| {
                !before_data.contains(p) && !p.starts_with("plugin-cache") && !p.starts_with("plugins/.install") && !p.to_string_lossy().contains("confab.db")
            })
            .collect();
        assert_eq!(after, Vec::<PathBuf>::new(), "{class}: nothing new in the data directory");
    }
    let (_, list) = server.get_as("/api/v4/plugins", &admin.token).await;
    assert_eq!(list, json!({"active": [], "inactive": []}), "no rows");
    server.stop().await;
}

async fn install_and_enable(server: &TestServer, token: &str, bundle: Vec<u8>, id: &str) {
    let (status, body) = upload(server, token, bundle, false, None).await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{id}/permissions/approve"), token, &json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{id}/enable"), token, &json!({})).await;
    assert_eq!(status, 200);
}

/// One post of the load: when it started and ended, its status and message.
struct Sample {
    started: Instant,
    status: u16,
    message: String,
}

async fn hot_reload_under_load(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::hot_reload", admin_config(&dir)).await else { return };
    let admin = server.signup("root").await;
    let channel_id = channel(&server, &admin).await;
    let id = "fx.swap";
    install_and_enable(&server, &admin.token, chain_bundle(id, "1.0.0", "v1"), id).await;

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let poster = {
        let (client, url, token, channel_id, stop) =
            (server.client.clone(), server.url("/api/v4/posts"), admin.token.clone(), channel_id.clone(), stop.clone());
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let started = Instant::now();
                let response = client.post(&url).bearer_auth(&token).json(&json!({ "channel_id": channel_id, "message": "marker" })).send().await;
                let (status, message) = match response {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        (status, body["message"].as_str().unwrap_or_default().to_string())
                    }
                    Err(e) => (0, e.to_string()),
                };
                samples.push(Sample { started, status, message });
            }
            samples
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    // (upload started, new version serving) per swap.
    let mut swaps = Vec::new();
    for n in 2..=4 {
        let started = Instant::now();
        let (status, body) = upload(&server, &admin.token, chain_bundle(id, &format!("{n}.0.0"), &format!("v{n}")), true, None).await;
        assert_eq!(status, 201, "{body}");
        swaps.push((started, Instant::now()));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // A broken version: refused, v4 stays in service, the status says why.
    let broken = {
        let tmp = tempfile::tempdir().unwrap();
        let mut manifest: Value = serde_json::from_slice(&std::fs::read(repo_root().join("tests/plugins/fx-chain/plugin.json")).unwrap()).unwrap();
        manifest["id"] = id.into();
        manifest["version"] = "5.0.0".into();
        std::fs::write(tmp.path().join("plugin.json"), manifest.to_string()).unwrap();
        std::fs::write(tmp.path().join("server.wasm"), b"\0asm not really").unwrap();
        confab_server::plugins::bundle::pack_dir(tmp.path(), id).unwrap()
    };
    let broken_started = Instant::now();
    let (status, body) = upload(&server, &admin.token, broken, true, None).await;
    let broken_done = Instant::now();
    assert_eq!((status, body["id"].as_str()), (400, Some("app.plugin.manifest.app_error")), "{body}");
    let (_, statuses) = server.get_as("/api/v4/plugins/statuses", &admin.token).await;
    let error = statuses[0]["error"].as_str().unwrap();
    assert!(error.contains("5.0.0") && error.contains("not a loadable wasm component"), "the status says why: {error}");
    // One that compiles but fails to activate (hello's activate registers a command it
    // was not granted): placed, loaded beside v4, refused, files rolled back.
    let failing = {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = json!({"id": id, "name": "fails", "version": "6.0.0", "server": {"wasm": "server.wasm"}, "permissions": ["kv"]});
        std::fs::write(tmp.path().join("plugin.json"), manifest.to_string()).unwrap();
        std::fs::copy(built_plugin("hello.wasm"), tmp.path().join("server.wasm")).unwrap();
        confab_server::plugins::bundle::pack_dir(tmp.path(), id).unwrap()
    };
    let failing_started = Instant::now();
    let (status, body) = upload(&server, &admin.token, failing, true, None).await;
    let failing_done = Instant::now();
    assert_eq!((status, body["id"].as_str()), (400, Some("app.plugin.activate.app_error")), "{body}");
    let on_disk: Value = serde_json::from_slice(&std::fs::read(dir.plugin_dir().join(id).join("plugin.json")).unwrap()).unwrap();
    assert_eq!(on_disk["version"], "4.0.0", "the files were put back");
    assert_eq!(tree(&dir.plugin_dir().join(".install")), Vec::<PathBuf>::new());
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let samples = poster.await.unwrap();

    let (_, statuses) = server.get_as("/api/v4/plugins/statuses", &admin.token).await;
    assert_eq!((statuses[0]["version"].as_str(), statuses[0]["state"].as_i64()), (Some("4.0.0"), Some(2)), "{statuses}");
    let error = statuses[0]["error"].as_str().unwrap();
    assert!(error.contains("6.0.0") && error.contains("activate"), "the status says why the last one failed: {error}");
    let failures: Vec<&Sample> = samples.iter().filter(|s| s.status != 201).collect();
    assert!(failures.is_empty(), "{} of {} posts failed, e.g. {} {}", failures.len(), samples.len(), failures[0].status, failures[0].message);
    for s in &samples {
        let version: u32 =
            s.message.strip_prefix('v').and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("half-swapped or unchanged post: {:?}", s.message));
        // Every post started after swap n finished sees version n or later.
        let newest_done = swaps.iter().enumerate().filter(|(_, (_, done))| *done <= s.started).map(|(i, _)| i as u32 + 2).max().unwrap_or(1);
        assert!(version >= newest_done, "a post started after v{newest_done} was serving saw v{version}");
        assert!(version <= 4, "the broken version never served");
    }
    let during = |from: Instant, to: Instant| samples.iter().filter(|s| s.started >= from && s.started <= to).count();
    let swap_ms: Vec<u128> = swaps.iter().map(|(a, b)| (*b - *a).as_millis()).collect();
    let during_swaps: usize = swaps.iter().map(|(a, b)| during(*a, *b)).sum();
    eprintln!(
        "hot reload under load ({backend:?}): {} posts in all, {during_swaps} during the 3 swaps, {} failed; upload→serving ms per swap: {swap_ms:?}; \
         broken component: {} posts during its upload, refused in {} ms; failing activate: {} posts during its upload, rolled back in {} ms; old version kept serving",
        samples.len(),
        failures.len(),
        during(broken_started, broken_done),
        (broken_done - broken_started).as_millis(),
        during(failing_started, failing_done),
        (failing_done - failing_started).as_millis()
    );
    assert!(during_swaps > 0, "the load overlapped the swaps");
    server.stop().await;
}

async fn signatures_are_required_on_every_path(backend: Backend) {
    let dir = TestDir::new();
    let (secret, public) = confab_server::plugins::bundle::signature::generate_key_pair().unwrap();
    let key_file = dir.path().join("trusted.pub");
    std::fs::write(&key_file, &public).unwrap();
    let key = confab_server::plugins::bundle::signature::parse_secret_key(&secret).unwrap();
    let bundle = chain_bundle("fx.signed", "1.0.0", "s");
    let signature = confab_server::plugins::bundle::signature::sign(&bundle, &key);

    // A marketplace with one signed and one unsigned entry, served from loopback.
    let market = tempfile::tempdir().unwrap();
    let (signed_m, unsigned_m) = (chain_bundle("fx.m-signed", "1.0.0", "m"), chain_bundle("fx.m-unsigned", "1.0.0", "m"));
    std::fs::write(market.path().join("signed.tar.gz"), &signed_m).unwrap();
    std::fs::write(market.path().join("signed.tar.gz.sig"), confab_server::plugins::bundle::signature::sign(&signed_m, &key)).unwrap();
    std::fs::write(market.path().join("unsigned.tar.gz"), &unsigned_m).unwrap();
    let files = LoopbackFiles::serve(vec![
        ("/p.tar.gz", bundle.clone()),
        ("/q.tar.gz", bundle.clone()),
        ("/q.tar.gz.sig", signature.clone().into_bytes()),
        ("/signed.tar.gz", signed_m),
        ("/unsigned.tar.gz", unsigned_m),
    ])
    .await;
    let index = confab_server::plugins::marketplace::build_index(market.path(), &files.base, &semver::Version::parse("0.1.0").unwrap()).unwrap();
    let index_file = dir.path().join("index.json");
    std::fs::write(&index_file, serde_json::to_vec(&index).unwrap()).unwrap();

    let config = Config {
        require_plugin_signature: true,
        plugin_signature_public_keys: vec![key_file],
        marketplace_url: Some(index_file.display().to_string()),
        ..admin_config(&dir)
    };
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::signatures", config).await else { return };
    let admin = server.signup("root").await;

    let (status, body) = upload(&server, &admin.token, bundle.clone(), false, None).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("api.plugin.verify_plugin.app_error")), "unsigned: {body}");
    let mut tampered = bundle.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let (status, body) = upload(&server, &admin.token, tampered, false, Some(&signature)).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("api.plugin.verify_plugin.app_error")), "tampered: {body}");
    let (other, _) = confab_server::plugins::bundle::signature::generate_key_pair().unwrap();
    let foreign = confab_server::plugins::bundle::signature::sign(&bundle, &confab_server::plugins::bundle::signature::parse_secret_key(&other).unwrap());
    let (status, _) = upload(&server, &admin.token, bundle.clone(), false, Some(&foreign)).await;
    assert_eq!(status, 400, "signed by an untrusted key");
    assert_clean(&dir.plugin_dir(), "signatures");

    // The marketplace path: the unsigned entry refused, the signed one accepted.
    let (status, body) = server.post_as("/api/v4/plugins/marketplace", &admin.token, &json!({"id": "fx.m-unsigned"})).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("api.plugin.verify_plugin.app_error")), "unsigned marketplace entry: {body}");
    assert!(!dir.plugin_dir().join("fx.m-unsigned").exists());
    let (status, body) = server.post_as("/api/v4/plugins/marketplace", &admin.token, &json!({"id": "fx.m-signed"})).await;
    assert_eq!((status, body["id"].as_str()), (201, Some("fx.m-signed")), "signed marketplace entry: {body}");

    // The URL path: unsigned (no .sig) refused, signed (.sig beside it) accepted.
    let (status, body) =
        server.post_as(&format!("/api/v4/plugins/install_from_url?plugin_download_url={}", files.url("/p.tar.gz")), &admin.token, &json!({})).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("api.plugin.verify_plugin.app_error")), "URL without signature: {body}");
    let (status, body) =
        server.post_as(&format!("/api/v4/plugins/install_from_url?plugin_download_url={}", files.url("/q.tar.gz")), &admin.token, &json!({})).await;
    assert_eq!((status, body["id"].as_str()), (201, Some("fx.signed")), "URL with signature: {body}");

    let (status, body) = upload(&server, &admin.token, bundle, true, Some(&signature)).await;
    assert_eq!((status, body["id"].as_str()), (201, Some("fx.signed")), "signed upload: {body}");
    server.stop().await;
}

/// A loopback HTTP server serving fixed files.
struct LoopbackFiles {
    base: String,
    _task: tokio::task::JoinHandle<()>,
}

impl LoopbackFiles {
    async fn serve(files: Vec<(&'static str, Vec<u8>)>) -> LoopbackFiles {
        let mut router = axum::Router::new();
        for (path, bytes) in files {
            router = router.route(path, axum::routing::get(move || async move { bytes.clone() }));
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        LoopbackFiles { base, _task: task }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

async fn marketplace_lists_compatible_entries_and_installs_from_loopback(backend: Backend) {
    let dir = TestDir::new();
    let bundles = tempfile::tempdir().unwrap();
    std::fs::write(bundles.path().join("fx.market-1.0.0.tar.gz"), chain_bundle("fx.market", "1.0.0", "m")).unwrap();
    let bundle = std::fs::read(bundles.path().join("fx.market-1.0.0.tar.gz")).unwrap();
    let files = LoopbackFiles::serve(vec![("/fx.market-1.0.0.tar.gz", bundle)]).await;
    let version = semver::Version::parse("0.1.0").unwrap();
    let mut index = confab_server::plugins::marketplace::build_index(bundles.path(), &files.base, &version).unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(index[0].wit_version, "0.2.0", "the builder read the component's imports (the SDK's contract)");
    // Built against the frozen 0.1.0 contract: still served, so still listed.
    let mut legacy = index[0].clone();
    legacy.manifest["id"] = "fx.legacy".into();
    legacy.manifest["name"] = "legacy".into();
    legacy.wit_version = "0.1.0".into();
    index.push(legacy);
    let mut incompatible = index[0].clone();
    incompatible.manifest["id"] = "fx.future".into();
    incompatible.manifest["name"] = "future".into();
    incompatible.wit_version = "9.0.0".into();
    index.push(incompatible);
    let index_file = dir.path().join("marketplace.json");
    std::fs::write(&index_file, serde_json::to_vec(&index).unwrap()).unwrap();

    let config = Config { marketplace_url: Some(index_file.display().to_string()), enable_plugin_uploads: false, ..admin_config(&dir) };
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::marketplace", config).await else { return };
    let admin = server.signup("root").await;
    let (status, listed) = server.get_as("/api/v4/plugins/marketplace", &admin.token).await;
    assert_eq!(status, 200, "{listed}");
    let mut ids: Vec<&str> = listed.as_array().unwrap().iter().map(|e| e["manifest"]["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["fx.legacy", "fx.market"], "the entries built against a served contract version");
    let market = |listed: &serde_json::Value| listed.as_array().unwrap().iter().find(|e| e["manifest"]["id"] == "fx.market").unwrap().clone();
    assert_eq!(market(&listed)["installed_version"], "");
    let (status, body) = server.post_as("/api/v4/plugins/marketplace", &admin.token, &json!({"id": "fx.market", "version": "1.0.0"})).await;
    assert_eq!((status, body["id"].as_str()), (201, Some("fx.market")), "{body}");
    let (status, body) = server.post_as("/api/v4/plugins/marketplace", &admin.token, &json!({"id": "fx.future"})).await;
    assert_eq!(status, 404, "incompatible entries cannot be installed: {body}");
    let (_, listed) = server.get_as("/api/v4/plugins/marketplace", &admin.token).await;
    assert_eq!(market(&listed)["installed_version"], "1.0.0");
    assert!(dir.plugin_dir().join("fx.market/server.wasm").is_file());
    // Uploads are off on this server, the marketplace is not.
    let (status, _) = upload(&server, &admin.token, chain_bundle("fx.x", "1.0.0", "x"), false, None).await;
    assert_eq!(status, 501);
    server.stop().await;
}

async fn settings_are_validated_and_reach_the_plugin(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::settings", admin_config(&dir)).await else { return };
    let admin = server.signup("root").await;
    let channel_id = channel(&server, &admin).await;
    let id = "fx.settings";
    install_and_enable(&server, &admin.token, chain_bundle(id, "1.0.0", "default"), id).await;
    let (_, post) = post_message(&server, &admin.token, &channel_id, "marker").await;
    assert_eq!(post["message"], "default");

    let (status, body) = server.put_as(&format!("/api/v4/plugins/{id}/settings"), &admin.token, &json!({"nope": 1})).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("app.plugin.settings.invalid.app_error")), "{body}");
    let (status, body) = server.put_as(&format!("/api/v4/plugins/{id}/settings"), &admin.token, &json!({"to": 5})).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = server.put_as(&format!("/api/v4/plugins/{id}/settings"), &admin.token, &json!({"to": "configured"})).await;
    assert_eq!((status, body["to"].as_str(), body["action"].as_str()), (200, Some("configured"), Some("replace")), "{body}");
    let (_, post) = post_message(&server, &admin.token, &channel_id, "marker").await;
    assert_eq!(post["message"], "configured", "configuration-changed reached the running instances");
    let (_, got) = server.get_as(&format!("/api/v4/plugins/{id}/settings"), &admin.token).await;
    assert_eq!(got["to"], "configured");

    // Restart: settings and the enabled state persist.
    server.stop().await;
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::settings2", admin_config(&dir)).await else { return };
    if backend == Backend::Sqlite {
        let admin = server.login("root", "root-password").await;
        let (_, post) = post_message(&server, &admin.token, &channel_id, "marker").await;
        assert_eq!(post["message"], "configured");
    }
    server.stop().await;
    let _ = event_post;
}

async fn an_upgrade_asking_for_more_stays_on_the_old_version_until_approved(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::approval", admin_config(&dir)).await else { return };
    let admin = server.signup("root").await;
    let channel_id = channel(&server, &admin).await;
    let id = "fx.grow";
    install_and_enable(&server, &admin.token, chain_bundle(id, "1.0.0", "v1"), id).await;
    let greedy = chain_bundle_with(id, "2.0.0", "v2", |m, _| m["permissions"] = json!(["kv", "posts:write"]));
    let (status, manifest) = upload(&server, &admin.token, greedy, true, None).await;
    assert_eq!((status, manifest["version"].as_str()), (201, Some("2.0.0")), "{manifest}");
    let (_, post) = post_message(&server, &admin.token, &channel_id, "marker").await;
    assert_eq!(post["message"], "v1", "the old version keeps serving");
    let (_, statuses) = server.get_as("/api/v4/plugins/statuses", &admin.token).await;
    assert_eq!(statuses[0]["version"], "1.0.0");
    assert!(statuses[0]["error"].as_str().unwrap().contains("posts:write"), "the status says what waits: {statuses}");
    let (_, permissions) = server.get_as(&format!("/api/v4/plugins/{id}/permissions"), &admin.token).await;
    assert_eq!((permissions["pending"].clone(), permissions["staged_version"].clone()), (json!(["posts:write"]), json!("2.0.0")));

    let (status, permissions) = server.post_as(&format!("/api/v4/plugins/{id}/permissions/approve"), &admin.token, &json!({})).await;
    assert_eq!((status, permissions["pending"].clone(), permissions["staged_version"].clone()), (200, json!([]), Value::Null), "{permissions}");
    let (_, post) = post_message(&server, &admin.token, &channel_id, "marker").await;
    assert_eq!(post["message"], "v2", "approved: the upgrade serves");
    let (_, statuses) = server.get_as("/api/v4/plugins/statuses", &admin.token).await;
    assert_eq!((statuses[0]["version"].as_str(), statuses[0]["error"].as_str()), (Some("2.0.0"), Some("")));
    assert_eq!(tree(&dir.plugin_dir().join(".install")), Vec::<PathBuf>::new(), "the staged copy moved into place");
    server.stop().await;
}

async fn webapp_and_public_files_are_served_while_running(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::webapp", admin_config(&dir)).await else { return };
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let mut ann_ws = server.websocket(&ann.token).await;
    let id = "fx.web";
    let bundle = chain_bundle_with(id, "1.0.0", "w", |m, d| {
        m["webapp"] = json!({"bundle_path": "webapp/dist/main.js"});
        std::fs::create_dir_all(d.join("webapp/dist")).unwrap();
        std::fs::write(d.join("webapp/dist/main.js"), "window.registerPlugin('fx.web', {});").unwrap();
        std::fs::create_dir_all(d.join("public/img")).unwrap();
        std::fs::write(d.join("public/img/logo.svg"), "<svg/>").unwrap();
    });
    let (status, uploaded) = upload(&server, &admin.token, bundle, false, None).await;
    assert_eq!(status, 201, "{uploaded}");
    let (_, permissions) = server.get_as(&format!("/api/v4/plugins/{id}/permissions"), &admin.token).await;
    assert_eq!(permissions["has_webapp"], true, "the approval prompt learns the bundle has web code: {permissions}");
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{id}/permissions/approve"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{id}/enable"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    // Every user's client hears of it, as in Mattermost, with the manifest to load.
    let enabled = ann_ws.expect_event("plugin_enabled", |e| e["data"]["manifest"]["id"] == id).await;
    assert_eq!(enabled["data"]["manifest"]["version"], "1.0.0");
    assert!(enabled["data"]["manifest"]["webapp"]["bundle_path"].as_str().is_some_and(|p| p.starts_with("/static/plugins/fx.web/")), "{enabled}");
    let (status, webapps) = server.get_as("/api/v4/plugins/webapp", "").await;
    assert_eq!(status, 200, "no session needed");
    assert_eq!((webapps[0]["id"].as_str(), webapps[0]["version"].as_str()), (Some(id), Some("1.0.0")), "{webapps}");
    assert!(webapps[0].get("settings_schema").is_none(), "client manifests carry no settings schema");
    let bundle_path = webapps[0]["webapp"]["bundle_path"].as_str().unwrap().to_string();
    assert!(bundle_path.starts_with("/static/plugins/fx.web/fx.web_") && bundle_path.ends_with("_bundle.js"), "{bundle_path}");
    let response = server.get(&bundle_path).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("registerPlugin"));
    let response = server.get("/plugins/fx.web/public/img/logo.svg").await;
    assert_eq!((response.status().as_u16(), response.headers()["content-type"].to_str().unwrap().to_string()), (200, "image/svg+xml".to_string()));
    assert_eq!(response.headers()["content-security-policy"], "sandbox", "a public page cannot script this origin");
    for escape in ["/plugins/fx.web/public/%2e%2e/plugin.json", "/plugins/fx.web/public/..%2fplugin.json", "/plugins/fx.web/public/img/"] {
        assert_eq!(server.get(escape).await.status(), 404, "{escape}");
    }
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{id}/disable"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    ann_ws.expect_event("plugin_disabled", |e| e["data"]["manifest"]["id"] == id).await;
    assert_eq!(server.get_as("/api/v4/plugins/webapp", "").await.1, json!([]));
    assert_eq!(server.get(&bundle_path).await.status(), 404, "not served once disabled");
    assert_eq!(server.get("/plugins/fx.web/public/img/logo.svg").await.status(), 404);
    server.stop().await;
}

async fn quarantine_is_announced_to_admins(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::quarantine", admin_config(&dir)).await else { return };
    let admin = server.signup("root").await;
    let channel_id = channel(&server, &admin).await;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(repo_root().join("tests/plugins/fx-panic/plugin.json"), tmp.path().join("plugin.json")).unwrap();
    std::fs::copy(built_plugin("fx_panic.wasm"), tmp.path().join("server.wasm")).unwrap();
    let (status, _) = upload(&server, &admin.token, confab_server::plugins::bundle::pack_dir(tmp.path(), "fx.panic").unwrap(), false, None).await;
    assert_eq!(status, 201);
    let (status, _) = server.post_as("/api/v4/plugins/fx.panic/enable", &admin.token, &json!({})).await;
    assert_eq!(status, 200, "nothing to approve");
    let mut ws = server.websocket(&admin.token).await;
    for _ in 0..3 {
        let (status, _) = post_message(&server, &admin.token, &channel_id, "panic now").await;
        assert_eq!(status, 201, "will-hooks fail open");
    }
    let event = ws
        .expect_event("plugin_statuses_changed", |e| {
            e["data"]["plugin_statuses"].as_array().is_some_and(|s| s.iter().any(|s| s["plugin_id"] == "fx.panic" && s["state"] == 4))
        })
        .await;
    assert_eq!(event["broadcast"]["channel_id"], "");
    server.stop().await;
}

async fn a_watched_plugin_directory_reloads_on_change(backend: Backend) {
    let dir = TestDir::new();
    let id = dir.install_plugin("tests/plugins/fx-chain", "fx_chain.wasm");
    let manifest_path = dir.plugin_dir().join(&id).join("plugin.json");
    std::fs::write(&manifest_path, chain_manifest(&id, "1.0.0", "before").to_string()).unwrap();
    let config = Config { watch_plugins: true, ..admin_config(&dir) };
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::watch", config).await else { return };
    let admin = server.signup("root").await;
    let channel_id = channel(&server, &admin).await;
    let (_, post) = post_message(&server, &admin.token, &channel_id, "marker").await;
    assert_eq!(post["message"], "before");

    std::fs::write(&manifest_path, chain_manifest(&id, "1.0.1", "after").to_string()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, post) = post_message(&server, &admin.token, &channel_id, "marker").await;
        assert_eq!(status, 201, "no post fails while the plugin reloads");
        if post["message"] == "after" {
            break;
        }
        assert_eq!(post["message"], "before", "old or new, never anything else");
        assert!(Instant::now() < deadline, "the change was not picked up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, statuses) = server.get_as("/api/v4/plugins/statuses", &admin.token).await;
    assert_eq!(statuses[0]["version"], "1.0.1");
    server.stop().await;
}

async fn a_plugins_commands_go_with_disable_and_remove(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on_with(backend, "plugin_admin::commands", admin_config(&dir)).await else { return };
    let admin = server.signup("root").await;
    let channel_id = channel(&server, &admin).await;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(repo_root().join("example-plugins/hello/plugin.json"), tmp.path().join("plugin.json")).unwrap();
    std::fs::copy(built_plugin("hello.wasm"), tmp.path().join("server.wasm")).unwrap();
    let id = "com.confab.hello";
    install_and_enable(&server, &admin.token, confab_server::plugins::bundle::pack_dir(tmp.path(), "hello").unwrap(), id).await;
    let body = json!({ "channel_id": channel_id, "command": "/hello" });
    let hello = || server.post_as("/api/v4/commands/execute", &admin.token, &body);

    let (status, answer) = hello().await;
    assert_eq!((status, answer["text"].as_str()), (200, Some("Hello, @root!")), "{answer}");
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{id}/disable"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    let (status, answer) = hello().await;
    assert_eq!((status, answer["id"].as_str()), (404, Some("api.command.execute_command.not_found.app_error")), "disabled: {answer}");
    let (status, _) = server.post_as(&format!("/api/v4/plugins/{id}/enable"), &admin.token, &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(hello().await.0, 200, "registered again on activation");
    let (status, _) = server.delete_as(&format!("/api/v4/plugins/{id}"), &admin.token).await;
    assert_eq!(status, 200);
    let (status, answer) = hello().await;
    assert_eq!((status, answer["id"].as_str()), (404, Some("api.command.execute_command.not_found.app_error")), "removed: {answer}");
    server.stop().await;
}
