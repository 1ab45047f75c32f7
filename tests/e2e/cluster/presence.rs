//! Statuses when a node dies without closing its sockets (`kill -9`): a surviving node notices its heartbeat stopped and settles the automatic status of the users whose sockets were there — offline unless they have a socket on a live node, a manual status kept.

use std::time::{Duration, Instant};

use confab_e2e::cluster::{Node, Nodes};
use serde_json::json;

use super::{Team, eventually};

/// A node's heartbeat expires after 15 s and survivors look every 2 s
/// (`service/departed.rs`); the rest is slack for a loaded machine.
const SETTLED_WITHIN: Duration = Duration::from_secs(30);

async fn status_of(node: &Node, token: &str, user_id: &str) -> String {
    let (status, body) = node.get_as(&format!("/api/v4/users/{user_id}/status"), token).await;
    assert_eq!(status, 200, "{body}");
    body["status"].as_str().expect("a status").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_users_go_offline_unless_connected_elsewhere() {
    let Some(mut nodes) = Nodes::clustered("cluster::presence::killed_node", 3).await else { return };
    let team = Team::create(&nodes).await;
    let token = team.admin.token.clone();
    // member0's only socket is on node 1; member1 has one on node 1 and one on node 2;
    // the admin, on node 1 only, chose `dnd`.
    let (only_there, also_elsewhere, manual) = (&team.members[0], &team.members[1], &team.admin);
    let _sockets = [
        nodes[1].websocket(&only_there.token).await,
        nodes[1].websocket(&also_elsewhere.token).await,
        nodes[2].websocket(&also_elsewhere.token).await,
        nodes[1].websocket(&manual.token).await,
    ];
    let (status, body) = nodes[0].put_as(&format!("/api/v4/users/{}/status", manual.id), &token, &json!({ "user_id": manual.id, "status": "dnd" })).await;
    assert_eq!(status, 200, "{body}");
    for user in [only_there, also_elsewhere] {
        eventually(&format!("{} online", user.username), Duration::from_secs(10), || async { status_of(&nodes[0], &token, &user.id).await == "online" }).await;
    }

    nodes.kill(1).await;
    let killed = Instant::now();
    eventually("member0 offline after its node died", SETTLED_WITHIN, || async { status_of(&nodes[0], &token, &only_there.id).await == "offline" }).await;
    let took = killed.elapsed();
    // The others were settled in the same pass.
    assert_eq!(status_of(&nodes[2], &token, &also_elsewhere.id).await, "online", "a socket on node 2 keeps member1 online");
    assert_eq!(status_of(&nodes[2], &token, &manual.id).await, "dnd", "a manual status is kept");
    eprintln!("cluster::presence: offline {took:?} after the kill");

    // member0 comes back on node 2: the automatic status follows the new socket again,
    // and the change is announced to it (had member0 stayed `online`, nothing would be).
    let mut back = nodes[2].websocket(&only_there.token).await;
    let event = back.expect_event("status_change", |e| e["data"]["user_id"] == only_there.id.as_str()).await;
    assert_eq!(event["data"]["status"], "online", "{event}");
    assert_eq!(status_of(&nodes[0], &token, &only_there.id).await, "online");
}

/// A single node (no cluster) killed with its users connected: at its next start no
/// socket of theirs exists, so their automatic `online` is settled to `offline`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_node_restarted_after_a_kill_shows_its_users_offline() {
    let Some(mut nodes) = Nodes::start("cluster::presence::single_node_killed", 1, None).await else { return };
    let team = Team::create(&nodes).await;
    let token = team.admin.token.clone();
    let member = &team.members[0];
    let socket = nodes[0].websocket(&member.token).await;
    eventually("member0 online", Duration::from_secs(10), || async { status_of(&nodes[0], &token, &member.id).await == "online" }).await;

    nodes.kill(0).await;
    drop(socket);
    nodes.restart(0).await;
    eventually("member0 offline after the restart", Duration::from_secs(10), || async { status_of(&nodes[0], &token, &member.id).await == "offline" }).await;
}
