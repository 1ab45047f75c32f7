//! Plugins' scheduled jobs through the real `fx-jobs` component: one-shot and recurring runs, cancel and bad schedules, survival across a restart with the run missed while down delivered once at start-up, the job quota, and a job rescheduling itself every millisecond held to once a second.
//!
//! Scheduling is time itself, so these tests poll the plugin's record of runs in
//! bounded loops (there is no event to await for "a job ran"), and the restart test
//! leaves the server down past a due time on purpose.

use std::time::Duration;

use confab_e2e::{Backend, TestDir, TestServer, json, on_both_backends};
use confab_server::Config;
use confab_server::testing::{PgSchema, sqlite_url};
use serde_json::{Value, json};

const PLUGIN: &str = "/plugins/fx.jobs";

/// A server with `fx-jobs` on `backend` over `dir`, and the database URL it uses (so a
/// restart can reopen it). `None` when PostgreSQL is asked for but not configured.
async fn start(dir: &TestDir, backend: Backend, database: &mut Option<(String, Option<PgSchema>)>, test_name: &str) -> Option<TestServer> {
    start_with(dir, backend, database, test_name, Config::default()).await
}

/// [`start`] with more settings.
async fn start_with(dir: &TestDir, backend: Backend, database: &mut Option<(String, Option<PgSchema>)>, test_name: &str, config: Config) -> Option<TestServer> {
    if database.is_none() {
        *database = Some(match backend {
            Backend::Sqlite => (sqlite_url(dir.path()), None),
            Backend::Postgres => {
                let schema = PgSchema::create(test_name).await?;
                (schema.url.clone(), Some(schema))
            }
        });
    }
    let url = database.as_ref().expect("set above").0.clone();
    Some(TestServer::start_with(Config { data_dir: dir.path().to_path_buf(), database_url: Some(url), ..config }).await)
}

/// The server and a signed-in user's token: unauthenticated requests are rate limited,
/// and the tests poll.
struct Fx<'a> {
    server: &'a TestServer,
    token: String,
}

impl Fx<'_> {
    async fn new<'a>(server: &'a TestServer, username: &str) -> Fx<'a> {
        let user = server.signup(username).await;
        Fx { server, token: user.token }
    }
}

async fn call(fx: &Fx<'_>, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = fx.server.request(method, &format!("{PLUGIN}{path}"), &fx.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = response.status().as_u16();
    (status, json(response).await)
}

async fn schedule(server: &Fx<'_>, body: Value) -> (u16, Value) {
    call(server, reqwest::Method::POST, "/schedule", Some(body)).await
}

async fn runs(server: &Fx<'_>) -> Vec<Value> {
    let (status, runs) = call(server, reqwest::Method::GET, "/runs", None).await;
    assert_eq!(status, 200, "{runs}");
    runs.as_array().expect("a list").clone()
}

fn runs_of<'a>(runs: &'a [Value], name: &str) -> Vec<&'a Value> {
    runs.iter().filter(|r| r["name"] == name).collect()
}

/// Poll the runs until `done` holds, for at most `within`.
async fn wait_for_runs(server: &Fx<'_>, within: Duration, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let runs = runs(server).await;
        if done(&runs) {
            return runs;
        }
        assert!(tokio::time::Instant::now() < deadline, "the runs did not arrive within {within:?}: {runs:?}");
        // Under the rate limit of plugin routes (10 a second).
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn now_ms() -> i64 {
    confab_server::service::now_ms()
}

async fn one_shot_recurring_cancel_and_refusals(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-jobs", "fx_jobs.wasm");
    let mut database = None;
    let Some(server) = start(&dir, backend, &mut database, "jobs::one_shot").await else { return };
    let fx = Fx::new(&server, "ann").await;

    let before = now_ms();
    let (status, once) = schedule(&fx, json!({ "name": "once", "after": 200, "payload": "hello" })).await;
    assert_eq!(status, 200, "{once}");
    assert!(once["next_run_at"].as_i64().unwrap() >= before + 200, "{once}");
    let (status, tick) = schedule(&fx, json!({ "name": "tick", "every": 1000, "payload": "t" })).await;
    assert_eq!(status, 200, "{tick}");
    let (status, _) = schedule(&fx, json!({ "name": "later", "after": 3_600_000 })).await;
    assert_eq!(status, 200);
    let (_, cancelled) = call(&fx, reqwest::Method::POST, "/cancel?name=later", None).await;
    assert_eq!(cancelled["cancelled"], true);
    let (_, cancelled) = call(&fx, reqwest::Method::POST, "/cancel?name=later", None).await;
    assert_eq!(cancelled["cancelled"], false, "a second cancel finds nothing");

    // Refused: an interval under the minimum, a cron expression that does not parse, no name.
    for (body, expected) in [
        (json!({ "name": "fast", "every": 10 }), "at most every 1000 ms"),
        (json!({ "name": "bad", "cron": "61 * * * *" }), "invalid cron expression"),
        (json!({ "name": "", "after": 1 }), "1 to 150 characters"),
    ] {
        let (status, answer) = schedule(&fx, body).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer.to_string().contains(expected), "{answer} should say {expected}");
    }

    let runs = wait_for_runs(&fx, Duration::from_secs(15), |runs| runs_of(runs, "tick").len() >= 2 && !runs_of(runs, "once").is_empty()).await;
    let once_runs = runs_of(&runs, "once");
    assert_eq!(once_runs.len(), 1, "a one-shot job runs once: {runs:?}");
    assert_eq!(once_runs[0]["payload"], "hello");
    assert_eq!(once_runs[0]["recurring"], false);
    assert_eq!(once_runs[0]["due_at"], once["next_run_at"]);
    assert!(runs_of(&runs, "tick").iter().all(|r| r["recurring"] == true && r["payload"] == "t"));
    assert!(runs_of(&runs, "later").is_empty(), "a cancelled job never runs");
    let tick_due: Vec<i64> = runs_of(&runs, "tick").iter().map(|r| r["due_at"].as_i64().unwrap()).collect();
    assert_eq!(tick_due[1] - tick_due[0], 1000, "an interval keeps its phase: {tick_due:?}");

    let (_, jobs) = call(&fx, reqwest::Method::GET, "/jobs", None).await;
    let names: Vec<&str> = jobs.as_array().unwrap().iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["tick"], "the one-shot job is gone once run, the cancelled one too");
    assert!(jobs[0]["runs"].as_u64().unwrap() >= 2, "{jobs}");
    server.stop().await;
}

async fn jobs_survive_a_restart_and_a_missed_run_runs_once(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-jobs", "fx_jobs.wasm");
    let mut database = None;
    let Some(server) = start(&dir, backend, &mut database, "jobs::restart").await else { return };
    let fx = Fx::new(&server, "ann").await;
    let (status, _) = schedule(&fx, json!({ "name": "while-down", "after": 600, "payload": "kept" })).await;
    assert_eq!(status, 200);
    let (status, _) = schedule(&fx, json!({ "name": "beat", "every": 1000 })).await;
    assert_eq!(status, 200);
    let (status, _) = schedule(&fx, json!({ "name": "future", "after": 3_600_000 })).await;
    assert_eq!(status, 200);
    server.stop().await;

    // Down across "while-down"'s due time and two of "beat"'s intervals.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let restarted_at = now_ms();
    let server = start(&dir, backend, &mut database, "jobs::restart").await.expect("the same database as before");
    let fx = Fx::new(&server, "bob").await;
    let runs = wait_for_runs(&fx, Duration::from_secs(15), |runs| !runs_of(runs, "while-down").is_empty() && !runs_of(runs, "beat").is_empty()).await;
    let missed = runs_of(&runs, "while-down");
    assert_eq!(missed.len(), 1, "{runs:?}");
    assert_eq!(missed[0]["payload"], "kept");
    assert!(missed[0]["due_at"].as_i64().unwrap() < restarted_at, "it was due while the server was down");
    let beats_missed = runs_of(&runs, "beat").iter().filter(|r| r["due_at"].as_i64().unwrap() < restarted_at).count();
    assert_eq!(beats_missed, 1, "the intervals missed while down run once, not once each: {runs:?}");
    let (_, future) = call(&fx, reqwest::Method::GET, "/job?name=future", None).await;
    assert_eq!(future["name"], "future", "a job not yet due is still there after the restart");
    server.stop().await;
}

async fn quota_and_a_self_rescheduling_job_are_contained(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-jobs", "fx_jobs.wasm");
    let mut database = None;
    let config = Config { plugin_job_quota: 20, ..Config::default() };
    let Some(server) = start_with(&dir, backend, &mut database, "jobs::hostile", config).await else { return };
    let fx = Fx::new(&server, "ann").await;

    // The storm: every run reschedules itself a millisecond later.
    let started = now_ms();
    let (status, _) = schedule(&fx, json!({ "name": "spin", "after": 1 })).await;
    assert_eq!(status, 200);

    // Past the quota (20 here), meanwhile.
    let (status, flood) = call(&fx, reqwest::Method::POST, "/flood?count=25", None).await;
    assert_eq!(status, 200, "{flood}");
    assert_eq!(flood["accepted"], 20 - 1, "the quota counts the spinning job too: {flood}");
    assert_eq!(flood["refusal"], "quota-exceeded");
    let (status, replaced) = schedule(&fx, json!({ "name": "flood-0", "after": 7_200_000 })).await;
    assert_eq!(status, 200, "replacing a job at the quota is fine: {replaced}");

    let runs = wait_for_runs(&fx, Duration::from_secs(15), |runs| runs_of(runs, "spin").len() >= 3).await;
    let elapsed_s = (now_ms() - started) as f64 / 1000.0;
    let spins = runs_of(&runs, "spin").len() as f64;
    assert!(spins <= elapsed_s + 2.0, "{spins} runs in {elapsed_s:.1} s: the guard allows one a second");
    let (status, _) = server.request(reqwest::Method::GET, "/api/v4/system/ping", "").send().await.map(|r| (r.status().as_u16(), ())).unwrap();
    assert_eq!(status, 200, "the server keeps answering");

    let metrics = server.get("/metrics").await.text().await.unwrap();
    let deferred = metrics.lines().find(|l| l.starts_with("confab_plugin_jobs_deferred_total{plugin_id=\"fx.jobs\"}")).unwrap_or_else(|| panic!("{metrics}"));
    assert!(deferred.rsplit(' ').next().unwrap().parse::<u64>().unwrap() >= 1, "held-back runs are counted: {deferred}");
    let refused = metrics.lines().find(|l| l.starts_with("confab_plugin_jobs_quota_refused_total{plugin_id=\"fx.jobs\"}")).unwrap();
    assert!(refused.ends_with(" 1"), "{refused}");
    server.stop().await;
}

on_both_backends!(one_shot_recurring_cancel_and_refusals, jobs_survive_a_restart_and_a_missed_run_runs_once, quota_and_a_self_rescheduling_job_are_contained);
