//! Plugins across three processes: a plugin uploaded on one node serves on all three and follows enable, disable and remove made on any node; a plugin's `cluster.publish` reaches its copies on the other nodes and not the sender.

use std::time::Duration;

use confab_e2e::cluster::{Node, Nodes};
use confab_e2e::{built_plugin, repo_root};
use serde_json::{Value, json};

use super::{Team, eventually};

/// The flag every node of these tests needs: uploads are off by default.
const UPLOADS: [&str; 2] = ["--enable-plugin-uploads", "true"];

/// A bundle of the plugin whose source (and `plugin.json`) is `source` under the
/// repository root and whose built component is `wasm_name`.
pub(super) fn bundle_of(source: &str, wasm_name: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("a bundle directory");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join(source).join("plugin.json")).expect("the manifest")).expect("a JSON manifest");
    std::fs::write(dir.path().join("plugin.json"), manifest.to_string()).expect("write the manifest");
    std::fs::copy(built_plugin(wasm_name), dir.path().join("server.wasm")).expect("copy the component");
    confab_server::plugins::bundle::pack_dir(dir.path(), manifest["id"].as_str().expect("an id")).expect("pack the bundle")
}

/// Upload `bundle` on `node` as `admin`, approve what it asks for and enable it there.
pub(super) async fn install_and_enable(node: &Node, admin: &str, bundle: Vec<u8>, id: &str) {
    let (status, body) = node.upload_plugin(admin, bundle, false).await;
    assert_eq!(status, 201, "upload on {}: {body}", node.name);
    let (status, body) = node.post_as(&format!("/api/v4/plugins/{id}/permissions/approve"), admin, &json!({})).await;
    assert!(status == 200 || status == 204, "approve on {}: {status} {body}", node.name);
    let (status, body) = node.post_as(&format!("/api/v4/plugins/{id}/enable"), admin, &json!({})).await;
    assert_eq!(status, 200, "enable on {}: {body}", node.name);
}

/// The message a post of `message` on `node` was stored with.
async fn posted_as(node: &Node, token: &str, channel_id: &str, message: &str) -> String {
    let (status, post) = node.post_as("/api/v4/posts", token, &json!({ "channel_id": channel_id, "message": message })).await;
    assert_eq!(status, 201, "post on {}: {post}", node.name);
    post["message"].as_str().expect("a message").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_uploaded_on_one_node_serves_on_all_three() {
    let Some(nodes) = Nodes::clustered_with("cluster::plugins::uploaded_on_one", 3, &UPLOADS).await else { return };
    let team = Team::create(&nodes).await;
    const ID: &str = "com.confab.word-filter";
    install_and_enable(&nodes[0], &team.admin.token, bundle_of("example-plugins/word-filter", "word_filter.wasm"), ID).await;

    // A post on each node comes back filtered: every node installed the bundle from the
    // database and runs it.
    for i in 0..nodes.len() {
        let member = &team.members[i];
        eventually(&format!("node-{i} filters"), Duration::from_secs(15), || async {
            posted_as(&nodes[i], &member.token, &team.town_id, "darn it").await == "d*rn it"
        })
        .await;
    }

    // Disabled through node 2: no node filters any more.
    let (status, body) = nodes[2].post_as(&format!("/api/v4/plugins/{ID}/disable"), &team.admin.token, &json!({})).await;
    assert_eq!(status, 200, "{body}");
    for i in 0..nodes.len() {
        let member = &team.members[i];
        eventually(&format!("node-{i} stops filtering"), Duration::from_secs(15), || async {
            posted_as(&nodes[i], &member.token, &team.town_id, "darn again").await == "darn again"
        })
        .await;
    }

    // Removed through node 1: gone from every node's statuses and plugin directory.
    let (status, body) = nodes[1].delete_as(&format!("/api/v4/plugins/{ID}"), &team.admin.token).await;
    assert_eq!(status, 200, "{body}");
    for i in 0..nodes.len() {
        eventually(&format!("node-{i} removes its copy"), Duration::from_secs(15), || async { !nodes[i].data_dir().join("plugins").join(ID).exists() }).await;
    }
    // Each node rewrites its own status rows after removing its copy, so the list
    // catches up a moment after the directories do.
    eventually("no node lists the removed plugin", Duration::from_secs(15), || async {
        let (status, statuses) = nodes[0].get_as("/api/v4/plugins/statuses", &team.admin.token).await;
        assert_eq!(status, 200, "{statuses}");
        !statuses.as_array().expect("a list").iter().any(|s| s["plugin_id"] == ID)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_events_reach_the_other_nodes_and_not_the_sender() {
    let Some(nodes) = Nodes::clustered_with("cluster::plugins::cluster_events", 3, &UPLOADS).await else { return };
    let team = Team::create(&nodes).await;
    const ID: &str = "fx.all-hooks";
    install_and_enable(&nodes[0], &team.admin.token, bundle_of("tests/plugins/fx-all-hooks", "fx_all_hooks.wasm"), ID).await;
    // Every node serves the plugin before anything is published (an event reaching a
    // node that does not run the plugin yet has no one to go to).
    for i in 0..nodes.len() {
        eventually(&format!("node-{i} serves {ID}"), Duration::from_secs(15), || async {
            nodes[i].get_as(&format!("/plugins/{ID}/echo"), &team.admin.token).await.0 == 200
        })
        .await;
    }

    let data = format!("hello-{}", confab_server::ids::new_id());
    let response = nodes[0].request(reqwest::Method::POST, &format!("/plugins/{ID}/publish"), &team.admin.token).body(data.clone()).send().await;
    let response = response.expect("publish request");
    assert_eq!(response.status(), 200, "{:?}", response.text().await);

    let logged = format!("from-http:{data}");
    for i in [1, 2] {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while nodes[i].log_lines_with(&logged) == 0 {
            assert!(tokio::time::Instant::now() < deadline, "node-{i} did not hear the event within 10 s; its log:\n{}", nodes[i].log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Time for a duplicate, or an echo to the sender, to show up.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(nodes[0].log_lines_with(&logged), 0, "the sender's copy is not called:\n{}", nodes[0].log());
    for i in [1, 2] {
        assert_eq!(nodes[i].log_lines_with(&logged), 1, "node-{i} got the event exactly once:\n{}", nodes[i].log());
    }
}
