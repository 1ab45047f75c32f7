//! Three `confab` processes in cluster mode on one PostgreSQL schema and a NATS server of the test's own (`confab_e2e::cluster`): events across nodes, plugins and their jobs and cluster events on every node, credentials ended everywhere, statuses after a node dies, and what a node's `kill -9`, a NATS restart and a PostgreSQL restart must not lose.
//!
//! Every test here skips, saying so on stderr, without `CONFAB_TEST_DATABASE_URL` or
//! when PostgreSQL (or the NATS server it needs) is unreachable.

mod delivery;
mod failure;
mod jobs;
mod plugins;
mod presence;
mod sessions;

use std::future::Future;
use std::time::Duration;

use confab_e2e::User;
use confab_e2e::cluster::Nodes;
use serde_json::json;

/// An admin (signed up on node 0), an open team, its town square, and one member
/// signed up on each node.
struct Team {
    admin: User,
    team_id: String,
    town_id: String,
    /// `members[i]` signed up and logged in on node `i`.
    members: Vec<User>,
}

impl Team {
    async fn create(nodes: &Nodes) -> Team {
        let admin = nodes[0].signup("admin").await;
        let (status, team) = nodes[0].post_as("/api/v4/teams", &admin.token, &json!({ "name": "ops", "display_name": "Ops", "type": "O" })).await;
        assert_eq!(status, 201, "{team}");
        let team_id = team["id"].as_str().expect("a team id").to_string();
        let mut members = Vec::new();
        for i in 0..nodes.len() {
            let member = nodes[i].signup(&format!("member{i}")).await;
            let (status, body) =
                nodes[i].post_as(&format!("/api/v4/teams/{team_id}/members"), &member.token, &json!({ "team_id": team_id, "user_id": member.id })).await;
            assert_eq!(status, 201, "member{i} joins on node-{i}: {body}");
            members.push(member);
        }
        let (status, town) = nodes[0].get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &admin.token).await;
        assert_eq!(status, 200, "{town}");
        Team { admin, team_id, town_id: town["id"].as_str().expect("a channel id").to_string(), members }
    }
}

/// Wait until `check` holds, trying every 100 ms; panics naming `what` after `limit`.
async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
