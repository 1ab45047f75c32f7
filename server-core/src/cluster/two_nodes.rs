//! Two nodes in one process over a real PostgreSQL schema and a real NATS server: events cross nodes exactly once and in causal order, sockets close on every node, and presence keeps a user online while any node has their socket. Skipped, with a line saying so, when either service is absent.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use super::Cluster;
use crate::hub::{BroadcastInfo, CloseReason, Hub, Outgoing};
use crate::service::{Services, Settings, to_channel, to_user};
use crate::store::Store;
use crate::testing::PgSchema;

/// The NATS server for tests; unset means the machine's usual one.
const NATS_ENV: &str = "CONFAB_TEST_NATS_URL";

fn nats_url() -> String {
    std::env::var(NATS_ENV).ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "nats://127.0.0.1:4222".into())
}

struct Node {
    services: Services,
    hub: Arc<Hub>,
    cluster: Arc<Cluster>,
}

impl Drop for Node {
    fn drop(&mut self) {
        // Ends the delivery task and the subscriptions.
        self.cluster.stopping.send_replace(true);
    }
}

/// Two nodes on one fresh schema, or `None` (after saying why) without PostgreSQL or NATS.
async fn two_nodes(test: &str) -> Option<(PgSchema, Node, Node)> {
    let schema = PgSchema::create(test).await?;
    if async_nats::connect(nats_url()).await.is_err() {
        eprintln!("{test}: skipped: no NATS server at {} (set {NATS_ENV})", nats_url());
        return None;
    }
    let mut nodes = Vec::new();
    for name in ["node-a", "node-b"] {
        let store = Store::connect(&schema.url).await.unwrap();
        let namespace = store.ensure_secret(super::NAMESPACE_SECRET, crate::ids::new_id().as_bytes(), 0).await.unwrap();
        let cluster = Arc::new(Cluster::connect(&nats_url(), name.into(), String::from_utf8(namespace).unwrap()).await.unwrap());
        let hub = Arc::new(Hub::default());
        let services = Services::builder(store, hub.clone(), Settings::default()).cluster(cluster.clone()).build();
        cluster.start_delivery(hub.clone());
        nodes.push(Node { services, hub, cluster });
    }
    // The consumers are attached once a first event reaches both.
    let b = nodes.pop().unwrap();
    let a = nodes.pop().unwrap();
    let mut probe_a = a.hub.register("probe-a", "probe", "s").events;
    let mut probe_b = b.hub.register("probe-b", "probe", "s").events;
    for attempt in 0.. {
        assert!(attempt < 50, "the nodes' consumers never attached");
        a.services.publish("probe", json!({}), to_user("probe")).await.unwrap();
        let seen_a = tokio::time::timeout(Duration::from_millis(200), probe_a.recv()).await.is_ok();
        let seen_b = tokio::time::timeout(Duration::from_millis(200), probe_b.recv()).await.is_ok();
        if seen_a && seen_b {
            break;
        }
    }
    a.hub.unregister("probe-a");
    b.hub.unregister("probe-b");
    Some((schema, a, b))
}

async fn next(events: &mut mpsc::Receiver<Arc<Outgoing>>) -> Arc<Outgoing> {
    tokio::time::timeout(Duration::from_secs(5), events.recv()).await.expect("an event within 5 s").expect("connection open")
}

async fn nothing_more(events: &mut mpsc::Receiver<Arc<Outgoing>>) {
    assert!(tokio::time::timeout(Duration::from_millis(300), events.recv()).await.is_err(), "no further event");
}

#[tokio::test]
async fn an_event_reaches_its_recipients_on_every_node_exactly_once() {
    let Some((_schema, a, b)) = two_nodes("cluster::an_event_reaches_its_recipients_on_every_node_exactly_once").await else { return };
    let mut ann_on_a = a.hub.register("c1", "ann", "s1").events;
    let mut ann_on_b = b.hub.register("c2", "ann", "s2").events;
    let mut bob_on_b = b.hub.register("c3", "bob", "s3").events;

    a.services.publish("typing", json!({ "n": 1 }), to_user("ann")).await.unwrap();
    for events in [&mut ann_on_a, &mut ann_on_b] {
        let event = next(events).await;
        assert_eq!((event.event.as_str(), &event.data), ("typing", &json!({ "n": 1 })));
        nothing_more(events).await;
    }
    nothing_more(&mut bob_on_b).await;

    // Everyone but the omitted user, from the other node.
    let omit = BroadcastInfo { omit_users: Some([("ann".to_string(), true)].into()), ..BroadcastInfo::default() };
    b.services.publish("hello_all", json!({}), omit).await.unwrap();
    assert_eq!(next(&mut bob_on_b).await.event, "hello_all");
    nothing_more(&mut ann_on_a).await;
}

#[tokio::test]
async fn an_edit_from_another_node_never_overtakes_its_post() {
    let Some((_schema, a, b)) = two_nodes("cluster::an_edit_from_another_node_never_overtakes_its_post").await else { return };
    let mut watcher = b.hub.register("c1", "ann", "s1").events;
    let now = crate::service::now_ms();
    let post = json!({ "id": "p1", "create_at": now, "channel_id": "" }).to_string();
    // The edit is published (on A) before the post's `posted` (on B): the race the
    // hold-back is for. Both go to one user so no channel is needed.
    a.services.publish("post_edited", json!({ "post": post }), to_user("ann")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    b.services.publish("posted", json!({ "post": post }), to_user("ann")).await.unwrap();
    assert_eq!(next(&mut watcher).await.event, "posted");
    assert_eq!(next(&mut watcher).await.event, "post_edited");

    // An edit whose post never arrives is delivered anyway, after a bounded wait.
    let orphan = json!({ "id": "p2", "create_at": now }).to_string();
    a.services.publish("post_deleted", json!({ "post": orphan }), to_user("ann")).await.unwrap();
    assert_eq!(next(&mut watcher).await.event, "post_deleted");
    // A channel event with nobody in the channel reaches nobody.
    a.services.publish("posted", json!({ "post": "{}" }), to_channel("no-such-channel")).await.unwrap();
    nothing_more(&mut watcher).await;
}

#[tokio::test]
async fn revoking_closes_the_sockets_on_every_node() {
    let Some((_schema, a, b)) = two_nodes("cluster::revoking_closes_the_sockets_on_every_node").await else { return };
    let mut on_a = a.hub.register("c1", "ann", "session-1");
    let mut on_b = b.hub.register("c2", "ann", "session-1");
    let mut other = b.hub.register("c3", "ann", "session-2");
    assert_eq!(a.services.close_session_sockets("ann", "session-1").await, 1, "closed here at once");
    assert_eq!(on_a.closed.try_recv(), Ok(CloseReason::Revoked));
    assert_eq!(tokio::time::timeout(Duration::from_secs(5), &mut on_b.closed).await.unwrap(), Ok(CloseReason::Revoked));
    assert!(other.closed.try_recv().is_err(), "another session stays");
    b.services.close_user_sockets("ann").await;
    a.services.close_user_sockets("ann").await;
    assert_eq!(other.closed.try_recv(), Ok(CloseReason::Revoked));
    assert_eq!(a.hub.connection_count() + b.hub.connection_count(), 0);
}

#[tokio::test]
async fn a_user_stays_online_while_any_node_has_their_socket() {
    let Some((_schema, a, b)) = two_nodes("cluster::a_user_stays_online_while_any_node_has_their_socket").await else { return };
    let status = |node: &Node| {
        let store = node.services.store().clone();
        async move { store.get_status("ann").await.unwrap().map(|s| s.status) }
    };
    let _on_a = a.hub.register("c1", "ann", "s1");
    a.services.statuses().follow_connections("ann").await;
    let _on_b = b.hub.register("c2", "ann", "s2");
    b.services.statuses().follow_connections("ann").await;
    assert_eq!(status(&a).await.as_deref(), Some("online"));

    a.hub.unregister("c1");
    a.services.statuses().follow_connections("ann").await;
    assert_eq!(status(&a).await.as_deref(), Some("online"), "still connected on B");

    b.hub.unregister("c2");
    b.services.statuses().follow_connections("ann").await;
    assert_eq!(status(&b).await.as_deref(), Some("offline"), "no node has a socket");
}

/// A burst published on one node reaches the user's sockets on both nodes whole, once
/// and in publish order (the stream's one order, not each node's own).
#[tokio::test]
async fn a_burst_reaches_both_nodes_once_and_in_order() {
    let Some((_schema, a, b)) = two_nodes("cluster::burst_in_order").await else { return };
    let mut local = a.hub.register("c0", "ann", "s0").events;
    let mut remote = b.hub.register("c1", "ann", "s1").events;
    const BURST: i64 = 200;
    for i in 0..BURST {
        a.services.publish("typing", json!({ "i": i }), to_user("ann")).await.unwrap();
    }
    for (name, events) in [("publishing node", &mut local), ("other node", &mut remote)] {
        for i in 0..BURST {
            assert_eq!(next(events).await.data["i"], json!(i), "event {i} on the {name}");
        }
        nothing_more(events).await;
    }
}
