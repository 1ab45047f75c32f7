//! JavaScript and Python plugins in a real server: `js-word-filter` rewrites a post made over HTTP, `py-karma` keeps karma in KV, rejects self-karma with Mattermost's error and answers `/karma`, and a restart loads both from the precompiled cache.

use confab_e2e::{Backend, TestDir, TestServer, on_both_backends};
use confab_server::Config;
use serde_json::json;

on_both_backends!(js_and_python_plugins_change_and_reject_posts);

/// The components exist only when Node and Python were present at build time. CI sets
/// `CONFAB_REQUIRE_MULTILANG=1`, which turns a missing one into a failure.
fn built(wasm: &str) -> bool {
    let path = confab_e2e::repo_root().join("target/plugins/wasm32-wasip2/release").join(wasm);
    if path.is_file() {
        return true;
    }
    assert!(std::env::var_os("CONFAB_REQUIRE_MULTILANG").is_none(), "{} is missing and CONFAB_REQUIRE_MULTILANG is set", path.display());
    eprintln!("SKIPPED multilang e2e: {} was not built (no Node.js or Python when `cargo xtask plugins` ran)", path.display());
    false
}

async fn js_and_python_plugins_change_and_reject_posts(backend: Backend) {
    if !built("js_word_filter.wasm") || !built("py_karma.wasm") {
        return;
    }
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/js-word-filter", "js_word_filter.wasm");
    dir.install_plugin("example-plugins/py-karma", "py_karma.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "multilang::change_and_reject").await else { return };
    let admin = server.signup("root").await;
    let (status, statuses) = server.get_as("/api/v4/plugins/statuses", &admin.token).await;
    assert_eq!(status, 200);
    assert!(statuses.as_array().unwrap().iter().all(|s| s["state"] == 2), "both plugins run: {statuses}");

    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let (_, team) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "poly", "display_name": "Poly", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    let (status, _) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 201);
    let (_, channel) =
        server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "langs", "display_name": "Langs", "type": "O" })).await;
    let channel_id = channel["id"].as_str().unwrap();
    let (status, _) = server.post_as(&format!("/api/v4/channels/{channel_id}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 201);

    // JavaScript: the word filter rewrites the stored text.
    let (status, post) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": channel_id, "message": "darn, it compiles" })).await;
    assert_eq!(status, 201, "{post}");
    assert_eq!(post["message"], "d*rn, it compiles");

    // Python: karma is kept in KV across posts and shown in the post.
    for expected in [1, 2] {
        let (status, post) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": channel_id, "message": "thanks @bob++" })).await;
        assert_eq!(status, 201, "{post}");
        assert!(post["message"].as_str().unwrap().contains(&format!("(karma: {expected})")), "{post}");
    }
    // Python: self-karma is refused with Mattermost's error and nothing is stored.
    let (status, body) = server.post_as("/api/v4/posts", &bob.token, &json!({ "channel_id": channel_id, "message": "me @bob++" })).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["id"], "api.post.create_post.rejected_by_plugin.app_error");
    let (_, posts) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts"), &ann.token).await;
    assert!(!posts.to_string().contains("me @bob++"), "{posts}");

    // Python: the plugin's `/karma` answers in the channel through `commands/execute`.
    let (status, answer) = server.post_as("/api/v4/commands/execute", &ann.token, &json!({ "channel_id": channel_id, "command": "/karma bob" })).await;
    assert_eq!((status, answer["text"].as_str(), answer["response_type"].as_str()), (200, Some("@bob has 2 karma."), Some("in_channel")), "{answer}");
    let (_, posts) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts"), &bob.token).await;
    assert!(posts.to_string().contains("@bob has 2 karma."), "{posts}");

    if backend != Backend::Sqlite {
        server.stop().await;
        return;
    }
    // A restart on the same data directory loads both from the precompiled cache.
    let database_url = server.database_url.clone();
    server.stop().await;
    let again = TestServer::start_with(Config { data_dir: dir.path().to_path_buf(), database_url: Some(database_url), ..Config::default() }).await;
    let metrics = again.get("/metrics").await.text().await.unwrap();
    let value = |name: &str| metrics.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().last()).and_then(|v| v.parse::<u64>().ok());
    assert_eq!(value("confab_plugin_compiles_total"), Some(0), "{metrics}");
    assert_eq!(value("confab_plugin_cache_hits_total"), Some(2), "{metrics}");
    again.stop().await;
}
