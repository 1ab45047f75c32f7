//! `kill -9` of the server while 16 clients post, on SQLite and PostgreSQL: after a restart on the same data every acknowledged post is there, and no post is half-written (each channel's `total_msg_count` counts its posts, `last_post_at` is not behind its newest post).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;

use crate::harness::{Launch, Server, post_until, sqlite_url};

const CLIENTS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_while_16_clients_post_loses_no_acknowledged_post_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let url = sqlite_url(&data);
    kill_while_posting(Launch { data, ..Launch::default() }, &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_while_16_clients_post_loses_no_acknowledged_post_postgres() {
    let Some(schema) = confab_server::testing::PgSchema::create("kill_9_while_16_clients_post_postgres").await else { return };
    let tmp = tempfile::tempdir().unwrap();
    kill_while_posting(Launch { data: tmp.path().join("data"), database_url: Some(schema.url.clone()), ..Launch::default() }, &schema.url).await;
}

async fn kill_while_posting(launch: Launch, database_url: &str) {
    let server = Server::start(&launch).await;
    let token = server.login().await;
    let channel = server.channel(&token).await;

    let stop = Arc::new(AtomicBool::new(false));
    let load =
        tokio::spawn(post_until(server.client.clone(), server.base.clone(), token.clone(), channel.clone(), CLIENTS, stop.clone(), Duration::from_secs(20)));
    // Let the posters get going, then pull the plug mid-stream.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let posted = load.await.unwrap();
    assert!(posted.acknowledged.len() >= CLIENTS, "the posters got going before the kill: {} acknowledged", posted.acknowledged.len());
    assert!(!posted.errors.is_empty(), "some requests were cut off by the kill");

    let server = Server::start(&launch).await;
    let token = server.login().await;
    for id in &posted.acknowledged {
        let response = server.get(&token, &format!("/api/v4/posts/{id}")).await.unwrap();
        assert_eq!(response.status(), 200, "acknowledged post {id} is gone after kill -9");
        let post: Value = response.json().await.unwrap();
        assert_eq!(post["channel_id"], channel.as_str());
    }
    server.kill();
    check_counters(database_url, &channel, posted.acknowledged.len()).await;
    eprintln!("kill -9 with {CLIENTS} posters: {} acknowledged posts all present, {} requests cut off", posted.acknowledged.len(), posted.errors.len());
}

/// The channel's counters agree with its rows: nothing half-written.
async fn check_counters(database_url: &str, channel: &str, acknowledged: usize) {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(database_url).await.unwrap();
    let posts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE channel_id = $1").bind(channel).fetch_one(&mut conn).await.unwrap();
    let newest: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(create_at), 0) FROM posts WHERE channel_id = $1").bind(channel).fetch_one(&mut conn).await.unwrap();
    let (count, last): (i64, i64) =
        sqlx::query_as("SELECT total_msg_count, last_post_at FROM channels WHERE id = $1").bind(channel).fetch_one(&mut conn).await.unwrap();
    assert!(posts as usize >= acknowledged, "{posts} posts stored, {acknowledged} acknowledged");
    assert_eq!(count, posts, "total_msg_count {count} but {posts} posts: a post was half-written");
    assert!(last >= newest, "last_post_at {last} is behind the newest post {newest}");
}
