//! A plugin's scheduled job across three processes: each due time runs on exactly one node, and when the node that ran it is killed another one takes over the later runs.

use std::time::Duration;

use confab_e2e::cluster::Nodes;
use serde_json::json;

use super::plugins::{bundle_of, install_and_enable};
use super::{Team, eventually};

const ID: &str = "fx.jobs";
/// The job's interval: the shortest the scheduler accepts by default.
const EVERY_MS: i64 = 1000;

/// When each recorded run of `tick` was due, in the order recorded.
async fn tick_runs(nodes: &Nodes, at: usize, token: &str) -> Vec<i64> {
    let (status, runs) = nodes[at].get_as(&format!("/plugins/{ID}/runs"), token).await;
    assert_eq!(status, 200, "{runs}");
    runs.as_array().expect("a list of runs").iter().filter(|r| r["name"] == "tick").filter_map(|r| r["due_at"].as_i64()).collect()
}

/// Read the runs of `tick` due after `after` through node `at` until `enough` holds
/// of them; panics naming `what` after `limit`.
async fn runs_until(nodes: &Nodes, at: usize, token: &str, after: i64, what: &str, limit: Duration, enough: impl Fn(&[i64]) -> bool) -> Vec<i64> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let due: Vec<i64> = tick_runs(nodes, at, token).await.into_iter().filter(|&d| d > after).collect();
        if enough(&due) {
            return due;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {limit:?} (runs: {due:?})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The nodes whose log says they ran `tick` due at `due_at`, one entry per log line.
fn runners(nodes: &Nodes, due_at: i64) -> Vec<usize> {
    let line = format!("tick@{due_at}");
    (0..nodes.len()).flat_map(|i| std::iter::repeat_n(i, nodes[i].log_lines_with(&line))).collect()
}

/// Every run in `due` was due at least an interval after the one before it, and each
/// ran on exactly one node; returns the node of each.
fn assert_once_each(nodes: &Nodes, due: &[i64]) -> Vec<usize> {
    for pair in due.windows(2) {
        assert!(pair[1] - pair[0] >= EVERY_MS, "runs due at {} and {} are less than an interval apart: {due:?}", pair[0], pair[1]);
    }
    due.iter()
        .map(|&at| match runners(nodes, at).as_slice() {
            [node] => *node,
            other => panic!("the run due at {at} ran on nodes {other:?}, not exactly one (runs: {due:?})"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recurring_job_runs_once_per_due_time_and_moves_when_its_node_dies() {
    let Some(mut nodes) = Nodes::clustered_with("cluster::jobs::once_per_due_time", 3, &["--enable-plugin-uploads", "true"]).await else { return };
    let team = Team::create(&nodes).await;
    let token = team.admin.token.clone();
    install_and_enable(&nodes[0], &token, bundle_of("tests/plugins/fx-jobs", "fx_jobs.wasm"), ID).await;
    for i in 0..nodes.len() {
        eventually(&format!("node-{i} serves {ID}"), Duration::from_secs(15), || async {
            nodes[i].get_as(&format!("/plugins/{ID}/jobs"), &token).await.0 == 200
        })
        .await;
    }

    // The same job scheduled through every node in turn (each replaces it): every
    // node's runner is woken by its own scheduling and knows when the job is due, so
    // all three claim at every due time.
    for i in 0..nodes.len() {
        let (status, job) = nodes[i].post_as(&format!("/plugins/{ID}/schedule"), &token, &json!({ "name": "tick", "every": EVERY_MS })).await;
        assert_eq!(status, 200, "schedule through node-{i}: {job}");
    }
    let scheduled_at = confab_server::service::now_ms();
    let due = runs_until(&nodes, 0, &token, scheduled_at, "six runs", Duration::from_secs(30), |due| due.len() >= 6).await;
    let ran_on = assert_once_each(&nodes, &due);

    // Kill the node that ran the latest run, between two runs (a node killed mid-run
    // holds its lease until it lapses, minutes later).
    let victim = *ran_on.last().expect("runs were made");
    tokio::time::sleep(Duration::from_millis(300)).await;
    nodes.kill(victim).await;
    let killed_at = confab_server::service::now_ms();
    let survivor = (victim + 1) % nodes.len();

    // Another node takes the later runs: the survivors' runners find the job due at
    // their next look (at most the runner's longest sleep, 30 s).
    let due = runs_until(&nodes, survivor, &token, scheduled_at, "two runs after the kill", Duration::from_secs(60), |due| {
        due.iter().filter(|&&at| at > killed_at).count() >= 2
    })
    .await;
    let ran_on = assert_once_each(&nodes, &due);
    for (at, node) in due.iter().zip(&ran_on) {
        if *at > killed_at {
            assert_ne!(*node, victim, "the run due at {at} ran on the killed node");
        }
    }
    let (status, job) = nodes[survivor].get_as(&format!("/plugins/{ID}/job?name=tick"), &token).await;
    assert_eq!(status, 200, "{job}");
    assert_eq!(job["name"], "tick", "the job is still scheduled: {job}");
}
