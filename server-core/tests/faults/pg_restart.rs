//! PostgreSQL stopped and restarted under load (a private cluster, never the shared test server): requests during the gap fail within a bounded time with a 5xx in Mattermost's error shape, none hangs, and once the database is back requests succeed again without restarting `confab`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{Launch, PrivatePostgres, Server, post_until, skip};

/// The longest any request may take while the database is away: the pool's acquire
/// timeout plus slack. A request that takes longer counts as hung.
const BOUND: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_under_load_fails_cleanly_then_recovers() {
    let test = "postgres_restarted_under_load_fails_cleanly_then_recovers";
    let pg = match PrivatePostgres::start() {
        Ok(pg) => pg,
        Err(why) => return skip(test, &why),
    };
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&Launch { data: tmp.path().join("data"), database_url: Some(pg.url()), ..Launch::default() }).await;
    let token = server.login().await;
    let channel = server.channel(&token).await;

    let stop = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(post_until(server.client.clone(), server.base.clone(), token.clone(), channel.clone(), 4, stop.clone(), BOUND * 3));
    tokio::time::sleep(Duration::from_millis(800)).await;

    pg.pg_ctl_stop("fast").expect("stop the private PostgreSQL");
    // Probes while it is down: each must come back, 5xx, in Mattermost's shape.
    for path in ["/api/v4/users/me", "/api/v4/channels/{c}/posts"] {
        let started = Instant::now();
        let response = server.client.get(format!("{}{}", server.base, path.replace("{c}", &channel))).bearer_auth(&token).timeout(BOUND * 3).send().await;
        let elapsed = started.elapsed();
        let response = response.unwrap_or_else(|e| panic!("{path} with the database down: no answer ({e}) after {elapsed:?}"));
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or_default();
        assert!((500..600).contains(&status), "{path} with the database down answered {status} {body}");
        for key in ["id", "message", "detailed_error", "request_id", "status_code"] {
            assert!(body.get(key).is_some(), "{path}: the error lacks `{key}`: {body}");
        }
        assert!(elapsed < BOUND, "{path} took {elapsed:?} with the database down");
        eprintln!("database down: {path} answered {status} in {elapsed:?}");
    }

    pg.pg_ctl_start().expect("restart the private PostgreSQL");
    let back = Instant::now();
    let deadline = back + Duration::from_secs(30);
    loop {
        let response = server.client.get(format!("{}/api/v4/users/me", server.base)).bearer_auth(&token).timeout(BOUND).send().await;
        if response.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "requests still fail 30 s after the database came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("database back: requests succeed again after {:?}", back.elapsed());
    // Let the posters run against the recovered database for a moment.
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::Relaxed);
    let posted = load.await.unwrap();

    assert!(posted.errors.is_empty(), "requests hung or were cut off: {:?}", &posted.errors[..posted.errors.len().min(5)]);
    for (status, body) in &posted.refused {
        assert!((500..600).contains(status), "a post during the gap answered {status} {body}");
        let body: Value = serde_json::from_str(body).unwrap_or_default();
        assert!(body.get("id").is_some() && body.get("status_code").is_some(), "not Mattermost's error shape: {body}");
    }
    assert!(posted.slowest < BOUND, "the slowest post took {:?}", posted.slowest);
    assert!(!posted.refused.is_empty(), "some posts fell into the gap");
    eprintln!("posts: {} acknowledged, {} refused with 5xx during the gap, slowest {:?}", posted.acknowledged.len(), posted.refused.len(), posted.slowest);
    // And posting works again on the same server process.
    let response = server
        .client
        .post(format!("{}/api/v4/posts", server.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "channel_id": channel, "message": "after the restart" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "posting after the database restart");
    server.kill();
}
