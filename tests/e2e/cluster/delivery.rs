//! Events across nodes: a client on any node gets what it would get on a single node, exactly once, in order, and only what it may see; every answer names its node.

use std::time::Duration;

use confab_e2e::cluster::Nodes;
use confab_e2e::event_post;
use serde_json::{Value, json};

use super::Team;

/// The names of the events in `events` that mention `post_id`, in order.
fn about(events: &[Value], post_id: &str) -> Vec<String> {
    events.iter().filter(|e| e.to_string().contains(post_id)).filter_map(|e| e["event"].as_str().map(str::to_string)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_nodes_once_in_order_and_filtered() {
    let Some(nodes) = Nodes::clustered("cluster::delivery::events_cross_nodes", 3).await else { return };
    let team = Team::create(&nodes).await;
    let [m0, m1, m2] = [&team.members[0], &team.members[1], &team.members[2]];

    // Every answer names the node that gave it.
    for i in 0..nodes.len() {
        let response = nodes[i].request(reqwest::Method::GET, "/api/v4/system/ping", "").send().await.expect("ping");
        assert_eq!(response.headers().get("x-cluster-id").and_then(|v| v.to_str().ok()), Some(nodes[i].name.as_str()));
    }

    // A private channel of member0 (node 0) and member1 (node 1); member2 (node 2) is
    // in the team but not in it.
    let (status, channel) =
        nodes[0].post_as("/api/v4/channels", &m0.token, &json!({ "team_id": team.team_id, "name": "secret", "display_name": "Secret", "type": "P" })).await;
    assert_eq!(status, 201, "{channel}");
    let channel_id = channel["id"].as_str().expect("a channel id").to_string();
    let (status, body) = nodes[0].post_as(&format!("/api/v4/channels/{channel_id}/members"), &m0.token, &json!({ "user_id": m1.id })).await;
    assert_eq!(status, 201, "{body}");
    let mut ws1 = nodes[1].websocket(&m1.token).await;
    let mut ws2 = nodes[2].websocket(&m2.token).await;

    // Posted on node 0, edited on node 2, reacted to on node 1, deleted on node 2.
    let (status, post) = nodes[0].post_as("/api/v4/posts", &m0.token, &json!({ "channel_id": channel_id, "message": "across" })).await;
    assert_eq!(status, 201, "{post}");
    let post_id = post["id"].as_str().expect("a post id").to_string();
    let (status, body) = nodes[2].put_as(&format!("/api/v4/posts/{post_id}/patch"), &m0.token, &json!({ "message": "across, edited" })).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = nodes[1].post_as("/api/v4/reactions", &m1.token, &json!({ "user_id": m1.id, "post_id": post_id, "emoji_name": "tada" })).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = nodes[2].delete_as(&format!("/api/v4/posts/{post_id}"), &m0.token).await;
    assert_eq!(status, 200, "{body}");

    ws1.expect_event("post_deleted", |e| event_post(e)["id"] == post_id.as_str()).await;
    ws1.drain(Duration::from_millis(500)).await;
    assert_eq!(about(&ws1.received, &post_id), ["posted", "post_edited", "reaction_added", "post_deleted"], "once each, in order: {:#?}", ws1.received);

    // The non-member on node 2 heard nothing of it.
    let heard = ws2.drain(Duration::from_millis(500)).await;
    assert_eq!(about(&heard, &post_id), Vec::<String>::new(), "member2 is not in the channel");
}
