//! Credentials across nodes: a session revoked, or a user deactivated, on one node is refused on another within a second (no node keeps a copy of a session), and its sockets there close.

use std::time::{Duration, Instant};

use confab_e2e::cluster::{Node, Nodes};
use serde_json::json;

use super::Team;

/// How soon another node must refuse a credential ended elsewhere (issue 19, requirement 5).
const REFUSED_WITHIN: Duration = Duration::from_secs(1);

/// Ask `node` for `/users/me` with `token` until it answers 401; how long that took.
async fn refused_after(node: &Node, token: &str, since: Instant) -> Duration {
    loop {
        let (status, body) = node.get_as("/api/v4/users/me", token).await;
        if status == 401 {
            return since.elapsed();
        }
        assert_eq!(status, 200, "{body}");
        assert!(since.elapsed() < REFUSED_WITHIN * 5, "{} still accepts the token {:?} after it was ended", node.name, since.elapsed());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_session_or_deactivated_user_is_refused_on_every_node_within_a_second() {
    let Some(nodes) = Nodes::clustered("cluster::sessions::refused_everywhere", 3).await else { return };
    let team = Team::create(&nodes).await;
    let (leaver, deactivated) = (&team.members[0], &team.members[1]);
    // Both tokens are in use on node 2 (a node that had a session cache would now hold
    // them), with a socket open there.
    for user in [leaver, deactivated] {
        let (status, me) = nodes[2].get_as("/api/v4/users/me", &user.token).await;
        assert_eq!((status, me["id"].as_str()), (200, Some(user.id.as_str())), "{me}");
    }
    let mut leaver_ws = nodes[2].websocket(&leaver.token).await;
    let mut deactivated_ws = nodes[2].websocket(&deactivated.token).await;

    // A logout on node 0 ends the session on node 2.
    let started = Instant::now();
    let (status, body) = nodes[0].post_as("/api/v4/users/logout", &leaver.token, &json!({})).await;
    assert_eq!(status, 200, "{body}");
    let took = refused_after(&nodes[2], &leaver.token, started).await;
    assert!(took <= REFUSED_WITHIN, "node-2 refused the logged-out session only after {took:?}");
    assert!(leaver_ws.wait_closed(Duration::from_secs(5)).await.is_some(), "the session's socket on node-2 closed");

    // A deactivation on node 0 ends the user's sessions on node 2.
    let started = Instant::now();
    let (status, body) = nodes[0].delete_as(&format!("/api/v4/users/{}", deactivated.id), &team.admin.token).await;
    assert_eq!(status, 200, "{body}");
    let took = refused_after(&nodes[2], &deactivated.token, started).await;
    assert!(took <= REFUSED_WITHIN, "node-2 refused the deactivated user only after {took:?}");
    assert!(deactivated_ws.wait_closed(Duration::from_secs(5)).await.is_some(), "the user's socket on node-2 closed");
}
