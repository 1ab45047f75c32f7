//! Two cluster nodes in one process over a real PostgreSQL schema and NATS, each with its own plugin directory: an install on one node serves on the other without anyone asking it to, and the statuses list the plugin once per node. Skipped, with a line saying so, when either service is absent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::reconcile::{hello_bundle, node_with};
use crate::cluster::{Cluster, NAMESPACE_SECRET};
use crate::plugins::admin::{Caller, Source};
use crate::testing::PgSchema;

fn nats_url() -> String {
    std::env::var("CONFAB_TEST_NATS_URL").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "nats://127.0.0.1:4222".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_install_on_one_node_serves_on_the_other_and_both_list_it() {
    let test = "plugins::cluster_nodes";
    let Some(schema) = PgSchema::create(test).await else { return };
    if async_nats::connect(nats_url()).await.is_err() {
        eprintln!("{test}: skipped: no NATS server at {} (set CONFAB_TEST_NATS_URL)", nats_url());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut nodes = Vec::new();
    for name in ["node-a", "node-b"] {
        let store = crate::store::Store::connect(&schema.url).await.unwrap();
        let namespace = store.ensure_secret(NAMESPACE_SECRET, crate::ids::new_id().as_bytes(), 0).await.unwrap();
        let cluster = Arc::new(Cluster::connect(&nats_url(), name.into(), String::from_utf8(namespace).unwrap()).await.unwrap());
        let node = node_with(tmp.path(), store, name, Some(cluster)).await;
        node.admin.load_installed().await;
        nodes.push(node);
    }
    let (a, b) = (&nodes[0], &nodes[1]);
    let caller = Caller::plugin("test-admin");
    let id = "com.confab.hello";
    a.admin.install_upload(&caller, &hello_bundle(tmp.path(), "0.1.0", &["commands", "users:read"]), None, false, Source::Upload).await.unwrap();
    a.admin.approve_permissions(&caller, id).await.unwrap();
    a.admin.enable(&caller, id).await.unwrap();

    // Nobody calls B: the announcement on NATS makes it install and serve.
    let started = Instant::now();
    while super::reconcile::serving(b, id).is_none() {
        assert!(started.elapsed() < Duration::from_secs(10), "node B never served the plugin installed on A");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A lists it once per node, B's entry from B's heartbeat row.
    loop {
        let statuses = a.admin.status_values().await.unwrap();
        let mut listed: Vec<String> =
            statuses.iter().filter(|s| s["plugin_id"] == id && s["state"] == 2).filter_map(|s| s["cluster_id"].as_str().map(str::to_string)).collect();
        listed.sort();
        if listed == ["node-a", "node-b"] {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "statuses never listed both nodes: {statuses:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for node in nodes {
        node.admin.leave_cluster().await;
        node.admin.host().shutdown().await;
    }
}
