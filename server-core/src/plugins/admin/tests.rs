//! Administration rules that need no HTTP: settings checks, pending permissions, manageable ids, and what disable and remove take away (with the built `hello` example).

use std::path::Path;
use std::sync::Arc;

use confab_host::Manifest;
use serde_json::json;

use super::permissions::pending_permissions;
use super::*;
use crate::service::now_ms;
use crate::store::PluginRecord;

fn manifest() -> Manifest {
    Manifest::parse(
        r#"{"id":"com.example.s","name":"s","version":"1.0.0","server":{"wasm":"server.wasm"},"permissions":["kv","posts:write"],
           "settings_schema":{"settings":[{"key":"on","type":"bool"},{"key":"n","type":"number"},{"key":"t","type":"text"},
           {"key":"pick","type":"dropdown","options":[{"display_name":"A","value":"a"}]}]}}"#,
        &semver::Version::new(99, 0, 0),
    )
    .unwrap()
}

#[test]
fn settings_are_checked_against_the_schema() {
    let m = manifest();
    let ok = json!({"on": true, "n": 3, "t": "x", "pick": "a"});
    validate_settings(&m, ok.as_object().unwrap()).unwrap();
    for bad in [json!({"on": "yes"}), json!({"n": "3"}), json!({"t": 1}), json!({"pick": "b"}), json!({"nope": 1})] {
        assert!(validate_settings(&m, bad.as_object().unwrap()).is_err(), "{bad}");
    }
}

/// Disable and remove drop the plugin's slash commands (re-registered on enable);
/// remove drops its KV data too. Uses the built `hello` example.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_and_remove_drop_commands_and_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let wasm = root.join("target/plugins/wasm32-wasip2/release/hello.wasm");
    assert!(wasm.is_file(), "{} is missing: run `cargo xtask plugins`", wasm.display());
    let tmp = tempfile::tempdir().unwrap();
    let store = crate::store::Store::connect(&crate::testing::sqlite_url(tmp.path())).await.unwrap();
    let builder = Services::builder(store, Arc::new(crate::hub::Hub::default()), crate::service::Settings::default());
    let plugins = tmp.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    let host_config = confab_host::HostConfig { cache_dir: tmp.path().join("cache"), server_version: crate::cli::server_version(), ..Default::default() };
    let options = test_options();
    let (services, admin) = PluginAdmin::start(builder, host_config, plugins.clone(), options).unwrap();
    let host = admin.host().clone();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy(root.join("example-plugins/hello/plugin.json"), src.join("plugin.json")).unwrap();
    std::fs::copy(&wasm, src.join("server.wasm")).unwrap();
    let bundle = crate::plugins::bundle::pack_dir(&src, "hello").unwrap();
    let caller = Caller::plugin("test-admin");
    let id = "com.confab.hello";

    admin.install_upload(&caller, &bundle, None, false, Source::Upload).await.unwrap();
    admin.approve_permissions(&caller, id).await.unwrap();
    admin.enable(&caller, id).await.unwrap();
    assert_eq!(services.plugin_commands().owner("", "hello").as_deref(), Some(id), "activate registered /hello");
    services.store().kv_write(id, "k", &crate::store::KvWrite { value: Some(b"v"), atomic: false, old_value: None, expire_at: 0 }, now_ms()).await.unwrap();

    admin.disable(&caller, id).await.unwrap();
    assert_eq!(services.plugin_commands().owner("", "hello"), None, "disable unregisters");
    admin.enable(&caller, id).await.unwrap();
    assert_eq!(services.plugin_commands().owner("", "hello").as_deref(), Some(id), "enable registers again");

    admin.remove(&caller, id).await.unwrap();
    assert_eq!(services.plugin_commands().owner("", "hello"), None, "remove unregisters");
    assert!(services.plugin_commands().triggers_of(id).is_empty());
    assert_eq!(services.store().kv_get(id, "k", now_ms()).await.unwrap(), None, "KV gone");
    assert!(services.store().get_installed_plugin(id).await.unwrap().is_none(), "row gone");
    assert!(!plugins.join(id).exists(), "files gone");
    host.shutdown().await;
}

#[test]
fn hidden_and_climbing_ids_are_never_managed() {
    for bad in ["..", ".", "...", ".install", "a/b", "", "ab"] {
        assert!(!is_manageable_id(bad), "{bad}");
    }
    assert!(is_manageable_id("com.example.p"));
}

#[test]
fn pending_is_what_the_grant_lacks() {
    let m = manifest();
    let record = PluginRecord { plugin_id: m.id.clone(), enabled: true, granted: vec!["kv".into()], grant_all_requested: false, installed_at: 0, update_at: 0 };
    assert_eq!(pending_permissions(&record, &m), vec!["posts:write".to_string()]);
    assert!(pending_permissions(&PluginRecord { grant_all_requested: true, ..record }, &m).is_empty());
}

mod cluster_nodes;
mod reconcile;

/// Administration options for tests: uploads on, no signature, no marketplace.
fn test_options() -> AdminOptions {
    AdminOptions {
        uploads_enabled: true,
        max_bundle_bytes: 1 << 24,
        limits: BundleLimits::default(),
        require_signature: false,
        keys: TrustedKeys::default(),
        server_version: crate::cli::server_version(),
        marketplace_enabled: false,
        marketplace_url: None,
    }
}
