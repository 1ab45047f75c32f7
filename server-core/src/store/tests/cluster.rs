//! Store tests of the cluster plugin tables: bundles committed with their install, staged upgrades, node statuses under a heartbeat, a dead node's departure claimed once, and the statuses re-checked then.

use super::{TestStore, postgres, sqlite};
use crate::domain::command::Status;
use crate::store::{InstalledPlugin, JobPut, JobSpec, PluginRecord, Store, StoredBundle};

on_both_backends!(
    bundles_follow_the_committed_install,
    node_statuses_expire_with_their_heartbeat,
    a_job_moves_to_a_surviving_node_when_its_lease_lapses,
    a_silent_nodes_departure_is_claimed_once,
    automatic_online_users_are_listed_for_a_recheck
);

fn installed(token: &str, version: &str) -> InstalledPlugin {
    let record = PluginRecord { plugin_id: "p".into(), enabled: true, granted: vec![], grant_all_requested: false, installed_at: 1, update_at: 1 };
    InstalledPlugin { record, version: version.into(), source: "upload".into(), install_token: token.into() }
}

async fn bundles_follow_the_committed_install(store: TestStore) {
    let v1 = StoredBundle::new("p", "t1", "1.0.0", b"bundle one \0 with a NUL byte", false, 10);
    assert!(v1.intact());
    store.commit_plugin_install(&installed("t1", "1.0.0"), Some(&v1)).await.unwrap();
    assert_eq!(store.get_bundle("p", "t1").await.unwrap(), Some(v1.clone()), "bytes come back exactly");
    assert_eq!(store.get_staged_bundle("p").await.unwrap(), None);

    // A staged upgrade sits beside the installed bundle; a later one replaces it.
    let staged = StoredBundle::new("p", "t2", "2.0.0", b"two", true, 20);
    store.put_staged_bundle(&staged).await.unwrap();
    let newer = StoredBundle::new("p", "t3", "3.0.0", b"three", true, 30);
    store.put_staged_bundle(&newer).await.unwrap();
    assert_eq!(store.get_staged_bundle("p").await.unwrap().map(|b| b.install_token), Some("t3".into()));
    assert!(store.get_bundle("p", "t2").await.unwrap().is_none());
    assert!(store.get_bundle("p", "t1").await.unwrap().is_some());

    // Approving commits the staged token without new bytes: it becomes the installed
    // bundle and the old one goes.
    store.commit_plugin_install(&installed("t3", "3.0.0"), None).await.unwrap();
    let now = store.get_bundle("p", "t3").await.unwrap().unwrap();
    assert!(!now.staged && now.bytes == b"three");
    assert!(store.get_bundle("p", "t1").await.unwrap().is_none());
    assert!(store.get_staged_bundle("p").await.unwrap().is_none());

    // A damaged row is noticed.
    let mut damaged = now.clone();
    damaged.bytes.push(0);
    assert!(!damaged.intact());

    store.delete_plugin_data("p").await.unwrap();
    assert!(store.get_bundle("p", "t3").await.unwrap().is_none(), "a removed plugin's bundle goes with it");
}

async fn node_statuses_expire_with_their_heartbeat(store: TestStore) {
    let status = |id: &str| serde_json::json!({ "plugin_id": id, "state": 2 });
    store.put_node_statuses("a", &[status("x"), status("y")], 1000, 0).await.unwrap();
    store.put_node_statuses("b", &[status("x")], 1500, 0).await.unwrap();
    let live = store.live_node_statuses(1000).await.unwrap();
    assert_eq!(live.iter().map(|n| (n.node_id.as_str(), n.statuses.len())).collect::<Vec<_>>(), [("a", 2), ("b", 1)]);
    assert_eq!(live[0].statuses[1], status("y"));

    // `a` stops beating: it drops out of the listing, then a writer deletes its row.
    assert_eq!(store.live_node_statuses(1200).await.unwrap().len(), 1);
    store.put_node_statuses("b", &[], 2000, 1200).await.unwrap();
    let live = store.live_node_statuses(0).await.unwrap();
    assert_eq!(live.iter().map(|n| n.node_id.as_str()).collect::<Vec<_>>(), ["b"]);
    assert!(live[0].statuses.is_empty(), "a write replaces the node's statuses");

    store.delete_node_statuses("b").await.unwrap();
    assert!(store.live_node_statuses(0).await.unwrap().is_empty());
}

/// Another node's store on the same database (its own pool).
async fn second_node(store: &TestStore) -> Store {
    let url = match (&store._dir, &store._schema) {
        (_, Some(schema)) => schema.url.clone(),
        (Some(dir), None) => crate::testing::sqlite_url(dir.path()),
        (None, None) => unreachable!("a test store has a file or a schema"),
    };
    Store::connect(&url).await.unwrap()
}

async fn a_job_moves_to_a_surviving_node_when_its_lease_lapses(store: TestStore) {
    let (a, b) = (&store.store, second_node(&store).await);
    let every = JobSpec { kind: "every", value: 1000, cron: String::new() };
    assert!(matches!(a.job_put("p", "j", &every, b"", 100, 10, 0).await.unwrap(), JobPut::Stored(_)));
    let plugins = ["p".to_string()];

    // Both nodes look at once: exactly one claims the run.
    let (on_a, on_b) = tokio::join!(a.job_claim(&plugins, 100, 10_100, "node-a", 10), b.job_claim(&plugins, 100, 10_100, "node-b", 10));
    let (on_a, on_b) = (on_a.unwrap(), on_b.unwrap());
    assert_eq!(on_a.len() + on_b.len(), 1, "one run, one node");
    let (survivor, survivor_token) = if on_a.is_empty() { (a, "node-a") } else { (&b, "node-b") };

    // The winner dies mid-run (never finishes). Until its lease ends nobody runs the
    // job again; then the surviving node claims it.
    assert!(survivor.job_claim(&plugins, 10_099, 20_000, survivor_token, 10).await.unwrap().is_empty());
    let moved = survivor.job_claim(&plugins, 10_100, 20_100, survivor_token, 10).await.unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].claim_token, survivor_token);
    survivor.job_finish(&moved[0].id, survivor_token, Some(11_100), 10_200).await.unwrap();
    assert_eq!(survivor.job_get("p", "j").await.unwrap().unwrap().runs, 1, "the run counted once");
    b.close().await;
}

async fn a_silent_nodes_departure_is_claimed_once(store: TestStore) {
    let (a, b) = (&store.store, second_node(&store).await);
    a.put_node_statuses("dead", &[], 1000, 0).await.unwrap();
    a.put_node_statuses("alive", &[], 5000, 0).await.unwrap();
    assert_eq!(a.silent_nodes(4000).await.unwrap(), [("dead".to_string(), 1000)]);
    assert_eq!(a.node_heartbeat("alive").await.unwrap(), Some(5000));
    assert_eq!(a.node_heartbeat("never").await.unwrap(), None);

    // Two survivors claim at once: one wins.
    let (on_a, on_b) = tokio::join!(a.claim_departed_node("dead", 1000), b.claim_departed_node("dead", 1000));
    assert_eq!(u8::from(on_a.unwrap()) + u8::from(on_b.unwrap()), 1, "one claim wins");
    assert!(a.silent_nodes(4000).await.unwrap().is_empty());

    // A node that beat again after it was seen silent is not claimed.
    a.put_node_statuses("slow", &[], 2000, 0).await.unwrap();
    a.put_node_statuses("slow", &[], 6000, 0).await.unwrap();
    assert!(!a.claim_departed_node("slow", 2000).await.unwrap());
    assert_eq!(a.node_heartbeat("slow").await.unwrap(), Some(6000));
    b.close().await;
}

async fn automatic_online_users_are_listed_for_a_recheck(store: TestStore) {
    let status = |user: &str, status: &str, manual: bool| Status { user_id: user.into(), status: status.into(), manual, last_activity_at: 1 };
    for s in [status("auto", "online", false), status("gone", "offline", false), status("busy", "dnd", true), status("chosen", "online", true)] {
        store.upsert_status(&s).await.unwrap();
    }
    assert_eq!(store.automatic_online_user_ids().await.unwrap(), ["auto"]);
}
