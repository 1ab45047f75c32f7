//! Two nodes' plugin administrations on one database, each with its own plugin directory: what one node installs, changes, stages or removes, the other brings itself to by reconciling (the built `hello` example).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use confab_host::PluginState;

use super::super::*;
use crate::plugins::installer;

/// One node: its services, administration and plugin directory.
pub(super) struct Node {
    pub(super) services: Services,
    pub(super) admin: Arc<PluginAdmin>,
    pub(super) plugins: PathBuf,
}

async fn node(tmp: &Path, db_url: &str, name: &str) -> Node {
    node_with(tmp, crate::store::Store::connect(db_url).await.unwrap(), name, None).await
}

/// A node over `store`, in `cluster` when given.
pub(super) async fn node_with(tmp: &Path, store: crate::store::Store, name: &str, cluster: Option<Arc<crate::cluster::Cluster>>) -> Node {
    let mut builder = Services::builder(store, Arc::new(crate::hub::Hub::default()), crate::service::Settings::default());
    if let Some(cluster) = cluster {
        builder = builder.cluster(cluster);
    }
    let plugins = tmp.join(name).join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    let host_config = confab_host::HostConfig { cache_dir: tmp.join(name).join("cache"), server_version: crate::cli::server_version(), ..Default::default() };
    let options = super::test_options();
    let (services, admin) = PluginAdmin::start(builder, host_config, plugins.clone(), options).unwrap();
    Node { services, admin, plugins }
}

/// The `hello` bundle with its manifest's version and permissions replaced.
pub(super) fn hello_bundle(tmp: &Path, version: &str, permissions: &[&str]) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let wasm = root.join("target/plugins/wasm32-wasip2/release/hello.wasm");
    assert!(wasm.is_file(), "{} is missing: run `cargo xtask plugins`", wasm.display());
    let src = tmp.join(format!("src-{version}"));
    std::fs::create_dir_all(&src).unwrap();
    let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(root.join("example-plugins/hello/plugin.json")).unwrap()).unwrap();
    manifest["version"] = version.into();
    manifest["permissions"] = permissions.iter().map(|p| serde_json::Value::from(*p)).collect();
    std::fs::write(src.join("plugin.json"), manifest.to_string()).unwrap();
    std::fs::copy(&wasm, src.join("server.wasm")).unwrap();
    crate::plugins::bundle::pack_dir(&src, "hello").unwrap()
}

pub(super) fn serving(node: &Node, id: &str) -> Option<String> {
    node.admin.host().status(id).filter(|s| s.state == PluginState::Running).map(|s| s.version)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_node_follows_installs_changes_approvals_and_removal() {
    let tmp = tempfile::tempdir().unwrap();
    let url = crate::testing::sqlite_url(tmp.path());
    let (a, b) = (node(tmp.path(), &url, "a").await, node(tmp.path(), &url, "b").await);
    let caller = Caller::plugin("test-admin");
    let id = "com.confab.hello";
    let base = ["commands", "users:read"];

    // Installed and enabled on A: B installs the stored bundle and serves it.
    a.admin.install_upload(&caller, &hello_bundle(tmp.path(), "0.1.0", &base), None, false, Source::Upload).await.unwrap();
    a.admin.approve_permissions(&caller, id).await.unwrap();
    a.admin.enable(&caller, id).await.unwrap();
    assert_eq!(serving(&b, id), None);
    let done = b.admin.reconcile(true).await.unwrap();
    assert_eq!(done.installed, [id], "{done:?}");
    assert_eq!(serving(&b, id).as_deref(), Some("0.1.0"));
    assert_eq!(installer::read_token(&b.plugins.join(id)), installer::read_token(&a.plugins.join(id)), "the same install on both");
    assert_eq!(b.services.plugin_commands().owner("", "hello").as_deref(), Some(id), "B's own copy registered /hello");
    assert_eq!(b.admin.reconcile(true).await.unwrap(), Reconciled::default(), "nothing left to do");

    // Disabled, then enabled again on A.
    a.admin.disable(&caller, id).await.unwrap();
    b.admin.reconcile_plugin(id).await.unwrap();
    assert_eq!(serving(&b, id), None);
    assert_eq!(b.services.plugin_commands().owner("", "hello"), None);
    a.admin.enable(&caller, id).await.unwrap();
    b.admin.reconcile_plugin(id).await.unwrap();
    assert_eq!(serving(&b, id).as_deref(), Some("0.1.0"));

    // An upgrade asking for more is staged on A and approved through B: B fetches the
    // staged bundle, installs it, and A follows.
    let more = ["commands", "users:read", "kv"];
    let staged = a.admin.install_upload(&caller, &hello_bundle(tmp.path(), "0.2.0", &more), None, true, Source::Upload).await.unwrap();
    assert_eq!(staged.pending, ["kv"]);
    let seen = b.admin.permissions(&caller, id).await.unwrap();
    assert_eq!(seen["staged_version"], "0.2.0", "B sees the upgrade staged on A: {seen}");
    b.admin.approve_permissions(&caller, id).await.unwrap();
    assert_eq!(serving(&b, id).as_deref(), Some("0.2.0"));
    assert_eq!(serving(&a, id).as_deref(), Some("0.1.0"), "A serves the old version until it reconciles");
    a.admin.reconcile_plugin(id).await.unwrap();
    assert_eq!(serving(&a, id).as_deref(), Some("0.2.0"));
    assert!(a.services.store().get_staged_bundle(id).await.unwrap().is_none(), "the staged bundle became the installed one");

    // A third node that starts late installs everything at start-up.
    let c = node(tmp.path(), &url, "c").await;
    let done = c.admin.reconcile(false).await.unwrap();
    assert_eq!(done.installed, [id]);
    let summary = local::load_all(&c.admin.host, &c.admin.bridge, c.services.store(), &c.plugins, &crate::cli::server_version()).await;
    assert_eq!(summary.loaded, [id]);
    assert_eq!(serving(&c, id).as_deref(), Some("0.2.0"));

    // Removed on B: A and C unload it and delete their files.
    b.admin.remove(&caller, id).await.unwrap();
    for n in [&a, &c] {
        let done = n.admin.reconcile(true).await.unwrap();
        assert_eq!(done.removed, [id]);
        assert_eq!(serving(n, id), None);
        assert!(!n.plugins.join(id).exists());
    }
    for n in [a, b, c] {
        n.admin.host().shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_stored_bundle_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let url = crate::testing::sqlite_url(tmp.path());
    let (a, b) = (node(tmp.path(), &url, "a").await, node(tmp.path(), &url, "b").await);
    let caller = Caller::plugin("test-admin");
    let id = "com.confab.hello";
    a.admin.install_upload(&caller, &hello_bundle(tmp.path(), "0.1.0", &["commands", "users:read"]), None, false, Source::Upload).await.unwrap();
    let row = a.services.store().get_installed_plugin(id).await.unwrap().unwrap();
    let mut bundle = a.services.store().get_bundle(id, &row.install_token).await.unwrap().unwrap();
    bundle.sha256 = "0".repeat(64);
    a.services.store().delete_plugin_data(id).await.unwrap();
    a.services.store().commit_plugin_install(&row, Some(&bundle)).await.unwrap();
    let done = b.admin.reconcile(true).await.unwrap();
    assert_eq!(done.failed.len(), 1, "{done:?}");
    assert!(done.failed[0].1.contains("hash"), "{done:?}");
    assert!(!b.plugins.join(id).exists(), "nothing placed");
    for n in [a, b] {
        n.admin.host().shutdown().await;
    }
}
