//! A node killed with `kill -9` while three clients post, the NATS server restarted, and PostgreSQL ending every connection: no acknowledged post is lost, clients carry on at another node and catch up, nothing is missed silently.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use confab_e2e::cluster::Nodes;
use confab_e2e::event_post;
use serde_json::{Value, json};

use super::Team;

/// Posts each writer makes (three writers stay under the 1000 posts a `since` read
/// returns).
const PER_WRITER: usize = 120;

/// A post a node answered 201 for.
#[derive(Debug, Clone)]
struct Acked {
    id: String,
    message: String,
    create_at: i64,
}

/// What one writer did: its acknowledged posts, and how many of them a node other than
/// its first one acknowledged.
#[derive(Debug, Default)]
struct Written {
    acked: Vec<Acked>,
    acked_elsewhere: usize,
    failed: usize,
}

/// Post `PER_WRITER` messages to `channel_id` as `token`, starting at `bases[first]`
/// and moving to the next node whenever one fails (what a client behind a load
/// balancer sees); counts each 201 in `progress`.
async fn write(bases: Vec<String>, first: usize, token: String, channel_id: String, progress: Arc<AtomicUsize>) -> Written {
    let client = confab_e2e::cluster::http_client();
    let mut written = Written::default();
    let mut at = first;
    for i in 0..PER_WRITER {
        let message = format!("writer {first} post {i}");
        loop {
            let sent = client
                .post(format!("{}/api/v4/posts", bases[at]))
                .bearer_auth(&token)
                .json(&json!({ "channel_id": channel_id, "message": message }))
                .send()
                .await;
            let post: Option<Value> = match sent {
                Ok(response) if response.status() == 201 => response.json().await.ok(),
                _ => None,
            };
            if let Some(post) = post {
                let (id, create_at) = (post["id"].as_str().expect("a post id").to_string(), post["create_at"].as_i64().expect("create_at"));
                written.acked.push(Acked { id, message: message.clone(), create_at });
                written.acked_elsewhere += usize::from(at != first);
                progress.fetch_add(1, Ordering::SeqCst);
                break;
            }
            written.failed += 1;
            assert!(written.failed < 50, "writer {first}: 50 failed posts, every node refusing?");
            at = (at + 1) % bases.len();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    written
}

/// Every `acked` post, read back through `node`'s `POST /api/v4/posts/ids`, has its message.
async fn assert_stored(node: &confab_e2e::cluster::Node, token: &str, acked: &[Acked]) {
    for chunk in acked.chunks(100) {
        let ids: Vec<&str> = chunk.iter().map(|a| a.id.as_str()).collect();
        let (status, posts) = node.post_as("/api/v4/posts/ids", token, &json!(ids)).await;
        assert_eq!(status, 200, "{posts}");
        let found: std::collections::HashMap<&str, &str> = posts
            .as_array()
            .expect("a list of posts")
            .iter()
            .map(|p| (p["id"].as_str().unwrap_or_default(), p["message"].as_str().unwrap_or_default()))
            .collect();
        for a in chunk {
            assert_eq!(found.get(a.id.as_str()), Some(&a.message.as_str()), "acknowledged post {} ({}) is missing on {}", a.id, a.message, node.name);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_under_load_loses_no_acknowledged_post() {
    let Some(mut nodes) = Nodes::clustered("cluster::failure::kill_nine_under_load", 3).await else { return };
    let team = Team::create(&nodes).await;
    // A reader connected to the node that will die.
    let reader = &team.members[0];
    let mut ws = nodes[1].websocket(&reader.token).await;

    let bases: Vec<String> = (0..nodes.len()).map(|i| nodes[i].base_url.clone()).collect();
    let on_victim = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..nodes.len())
        .map(|i| {
            let progress = if i == 1 { on_victim.clone() } else { Arc::new(AtomicUsize::new(0)) };
            tokio::spawn(write(bases.clone(), i, team.members[i].token.clone(), team.town_id.clone(), progress))
        })
        .collect();
    // Kill node 1 a third of the way through its writer's posts, requests in flight.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while on_victim.load(Ordering::SeqCst) < PER_WRITER / 3 {
        assert!(tokio::time::Instant::now() < deadline, "node-1 acknowledged only {} posts in 120 s", on_victim.load(Ordering::SeqCst));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    nodes.kill(1).await;
    let mut written = Vec::new();
    for writer in writers {
        written.push(writer.await.expect("a writer panicked"));
    }
    assert!(written[1].acked_elsewhere > 0, "node-1's writer moved to another node after the kill: {:?}", written[1].failed);
    let acked: Vec<Acked> = written.iter().flat_map(|w| w.acked.iter().cloned()).collect();
    assert_eq!(acked.len(), PER_WRITER * nodes.len());

    // Every acknowledged post is there, on both survivors.
    assert_stored(&nodes[0], &team.admin.token, &acked).await;
    assert_stored(&nodes[2], &team.admin.token, &acked).await;

    // The reader's socket died with its node; it reconnects to node 2 and catches up
    // the way Mattermost's clients do: the channel's posts since shortly before the
    // last one it saw.
    assert!(ws.wait_closed(Duration::from_secs(10)).await.is_some(), "the socket to the killed node ended");
    let seen: Vec<Value> = ws.received.iter().filter(|e| e["event"] == "posted").map(event_post).collect();
    let last_seen = seen.iter().filter_map(|p| p["create_at"].as_i64()).max().unwrap_or(0);
    let mut ws = nodes[2].websocket(&reader.token).await;
    let since = last_seen - 1000;
    let (status, caught_up) = nodes[2].get_as(&format!("/api/v4/channels/{}/posts?since={since}", team.town_id), &reader.token).await;
    assert_eq!(status, 200, "{caught_up}");
    let mut known: HashSet<String> = caught_up["order"].as_array().expect("an order").iter().filter_map(|id| id.as_str().map(str::to_string)).collect();
    known.extend(seen.iter().filter_map(|p| p["id"].as_str().map(str::to_string)));
    // Without a bus a node's sockets hear only its own posts, so only what followed the
    // last one seen must come from the catch-up; with one, nothing may be missing.
    let must_know = acked.iter().filter(|a| nodes.nats_url.is_some() || a.create_at > since);
    for a in must_know {
        assert!(known.contains(&a.id), "the reader never learnt of {} ({})", a.id, a.message);
    }
    // And the new socket is live: a post on node 0 reaches it (through the bus in
    // cluster mode; without one, made on node 2 itself).
    let poster = if nodes.nats_url.is_some() { 0 } else { 2 };
    let (status, post) = nodes[poster].post_as("/api/v4/posts", &team.admin.token, &json!({ "channel_id": team.town_id, "message": "after the kill" })).await;
    assert_eq!(status, 201, "{post}");
    ws.expect_event("posted", |e| event_post(e)["id"] == post["id"]).await;

    // The killed node comes back on the same database and serves what was posted while
    // it was down.
    nodes.restart(1).await;
    let last = acked.iter().max_by_key(|a| a.create_at).expect("posts were made");
    let (status, body) = nodes[1].get_as(&format!("/api/v4/posts/{}", last.id), &team.admin.token).await;
    assert_eq!((status, body["message"].as_str()), (200, Some(last.message.as_str())), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_ending_every_connection_is_survived() {
    let Some(nodes) = Nodes::clustered("cluster::failure::postgres_restart", 2).await else { return };
    let team = Team::create(&nodes).await;
    let mut ws = nodes[1].websocket(&team.members[1].token).await;

    // What a PostgreSQL restart does to the pools: every connection ends at once.
    let ended = nodes.schema.terminate_connections().await;
    assert!(ended >= 2, "both nodes had connections open ({ended} ended)");

    // Both nodes serve again within a bounded time (the pool reconnects; a request
    // that met a dead connection may fail, none may hang), and nothing written before
    // is lost.
    for i in 0..nodes.len() {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let message = format!("after the restart on node-{i}");
            let (status, post) = nodes[i].post_as("/api/v4/posts", &team.members[i].token, &json!({ "channel_id": team.town_id, "message": message })).await;
            if status == 201 {
                if i == 1 {
                    ws.expect_event("posted", |e| event_post(e)["id"] == post["id"]).await;
                }
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "node-{i} still fails 20 s after the connections ended: {status} {post}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let (status, me) = nodes[0].get_as("/api/v4/users/me", &team.admin.token).await;
    assert_eq!((status, me["id"].as_str()), (200, Some(team.admin.id.as_str())), "{me}");
    let (status, team_back) = nodes[1].get_as(&format!("/api/v4/teams/{}", team.team_id), &team.admin.token).await;
    assert_eq!((status, team_back["name"].as_str()), (200, Some("ops")), "{team_back}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_restart_is_survived_and_nothing_is_missed_silently() {
    let Some(mut nodes) = Nodes::clustered("cluster::failure::nats_restart", 2).await else { return };
    if nodes.nats.is_none() {
        confab_e2e::cluster::say_skipped("cluster::failure::nats_restart", "the test", "it restarts NATS, and no nats-server binary is installed");
        return;
    }
    let team = Team::create(&nodes).await;
    let (poster, reader) = (&team.members[0], &team.members[1]);
    let mut ws = nodes[1].websocket(&reader.token).await;
    let (status, before) = nodes[0].post_as("/api/v4/posts", &poster.token, &json!({ "channel_id": team.town_id, "message": "before" })).await;
    assert_eq!(status, 201, "{before}");
    ws.expect_event("posted", |e| event_post(e)["id"] == before["id"]).await;

    // NATS goes away; a post made meanwhile is still acknowledged (it is in PostgreSQL).
    nodes.nats.as_mut().expect("the test's own NATS").stop().await;
    let (status, gap) = nodes[0].post_as("/api/v4/posts", &poster.token, &json!({ "channel_id": team.town_id, "message": "during the gap" })).await;
    assert_eq!(status, 201, "{gap}");
    nodes.nats.as_mut().expect("the test's own NATS").restart().await;

    // The reader either gets the gap's post over its socket, or its socket is closed so
    // that it reconnects and refetches — never silence.
    let gap_id = gap["id"].as_str().expect("a post id").to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut closed = false;
    while !ws.received.iter().any(|e| e["event"] == "posted" && event_post(e)["id"] == gap_id.as_str()) {
        if ws.wait_closed(Duration::from_millis(200)).await.is_some() {
            closed = true;
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "30 s after NATS came back the reader neither got the gap's post nor lost its socket");
    }
    if closed {
        ws = nodes[1].websocket(&reader.token).await;
        let (status, since) = nodes[1].get_as(&format!("/api/v4/channels/{}/posts?since={}", team.town_id, before["create_at"]), &reader.token).await;
        assert_eq!(status, 200, "{since}");
        assert!(since["posts"].get(&gap_id).is_some(), "the catch-up after the reconnect has the gap's post: {since}");
    }

    // And the bus works again: a new post on node 0 reaches the reader on node 1.
    let (status, after) = nodes[0].post_as("/api/v4/posts", &poster.token, &json!({ "channel_id": team.town_id, "message": "after" })).await;
    assert_eq!(status, 201, "{after}");
    ws.expect_event("posted", |e| event_post(e)["id"] == after["id"]).await;
}
