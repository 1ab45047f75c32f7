//! Plugins wired through the chat core: `word-filter` changes and rejects posts made over HTTP, `kv-counter` counts them, `welcome-bot` greets people joining a channel, every listener in the channel sees the changed text and a non-member sees nothing; `/plugins/{id}/...` gets `Mattermost-User-Id` only for a real session.

use std::time::Duration;

use confab_e2e::{Backend, TestDir, TestServer, event_post, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(word_filter_kv_counter_and_welcome_bot_end_to_end, plugin_requests_carry_the_session_user_only);

const KV_COUNTER: &str = "com.confab.kv-counter";

async fn word_filter_kv_counter_and_welcome_bot_end_to_end(backend: Backend) {
    let dir = TestDir::new();
    let filter = dir.install_plugin("example-plugins/word-filter", "word_filter.wasm");
    std::fs::write(dir.plugin_dir().join(&filter).join("settings.json"), r#"{"replacements": "darn=d*rn", "blocked_phrases": "buy now"}"#).unwrap();
    dir.install_plugin("example-plugins/kv-counter", "kv_counter.wasm");
    dir.install_plugin("example-plugins/welcome-bot", "welcome_bot.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_chat::end_to_end").await else { return };
    let admin = server.signup("root").await;
    let (status, statuses) = server.get_as("/api/v4/plugins/statuses", &admin.token).await;
    assert_eq!(status, 200);
    assert!(statuses.as_array().unwrap().iter().all(|s| s["state"] == 2), "every plugin runs: {statuses}");

    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let eve = server.signup("eve").await;
    let (_, team) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    for user in [&bob, &eve] {
        let (status, _) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &user.token, &json!({ "user_id": user.id })).await;
        assert_eq!(status, 201);
    }
    let (_, dev) = server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "dev", "display_name": "Dev", "type": "O" })).await;
    let dev_id = dev["id"].as_str().unwrap().to_string();

    let mut ann_ws = server.websocket(&ann.token).await;
    let mut bob_ws = server.websocket(&bob.token).await;
    let mut eve_ws = server.websocket(&eve.token).await;

    // welcome-bot greets bob when he joins, as its bot, through the same post path.
    let (status, _) = server.post_as(&format!("/api/v4/channels/{dev_id}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 201);
    let greeting = ann_ws.expect_event("posted", |e| e["broadcast"]["channel_id"] == dev_id.as_str() && event_post(e)["message"] == "Welcome, @bob!").await;
    let bot_id = event_post(&greeting)["user_id"].as_str().unwrap().to_string();
    let (_, bot) = server.get_as(&format!("/api/v4/users/{bot_id}"), &ann.token).await;
    assert_eq!((bot["username"].as_str(), bot["is_bot"].as_bool()), (Some("welcomebot"), Some(true)));
    assert_eq!(event_post(&greeting)["props"]["from_plugin"], "true");

    // word-filter rewrites the post; the author gets the stored text back and every
    // listener in the channel gets `posted` with it.
    let (status, post) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": dev_id, "message": "darn, the build" })).await;
    assert_eq!(status, 201, "{post}");
    assert_eq!(post["message"], "d*rn, the build");
    for ws in [&mut ann_ws, &mut bob_ws] {
        let posted = ws.expect_event("posted", |e| event_post(e)["id"] == post["id"]).await;
        assert_eq!(event_post(&posted)["message"], "d*rn, the build");
    }
    let (_, stored) = server.get_as(&format!("/api/v4/posts/{}", post["id"].as_str().unwrap()), &bob.token).await;
    assert_eq!(stored["message"], "d*rn, the build");

    // A blocked phrase: Mattermost's error, and nothing stored or sent.
    let (status, body) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": dev_id, "message": "BUY NOW while stocks last" })).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["id"], "api.post.create_post.rejected_by_plugin.app_error");
    assert!(body["message"].as_str().unwrap().contains("blocked phrase \"buy now\""), "{body}");
    let (_, posts) = server.get_as(&format!("/api/v4/channels/{dev_id}/posts"), &ann.token).await;
    assert!(!posts.to_string().to_lowercase().contains("buy now"), "{posts}");
    // Edits pass the filter too.
    let (_, edited) = server.put_as(&format!("/api/v4/posts/{}/patch", post["id"].as_str().unwrap()), &ann.token, &json!({ "message": "heck, darn" })).await;
    assert_eq!(edited["message"], "heck, d*rn");

    // kv-counter counted every stored post in the channel (greetings included), not the
    // rejected one. Has-hooks run in the background, so poll.
    let stored_posts = posts["order"].as_array().unwrap().len() as u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let response = server.get(&format!("/plugins/{KV_COUNTER}/counts/{dev_id}")).await;
        let count = confab_e2e::json(response).await["count"].as_u64().unwrap();
        if count == stored_posts {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "kv-counter says {count}, the channel has {stored_posts} posts");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Eve is in the team, not in the channel: she saw none of it.
    eve_ws.drain(Duration::from_millis(300)).await;
    let leaked: Vec<&Value> = eve_ws.received.iter().filter(|e| e["broadcast"]["channel_id"] == dev_id.as_str()).collect();
    assert!(leaked.is_empty(), "a non-member got {leaked:#?}");
    server.stop().await;
}

async fn plugin_requests_carry_the_session_user_only(backend: Backend) {
    let dir = TestDir::new();
    let plugin = dir.install_plugin("tests/plugins/fx-all-hooks", "fx_all_hooks.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_chat::session_user").await else { return };
    let ann = server.signup("ann").await;
    let echo = format!("/plugins/{plugin}/echo");

    let response = server.client.get(server.url(&echo)).header("mattermost-user-id", "someone-else").send().await.unwrap();
    assert_eq!(confab_e2e::json(response).await["user_id"], "", "a spoofed header is dropped");
    let response = server.client.get(server.url(&echo)).bearer_auth(&ann.token).header("mattermost-user-id", "someone-else").send().await.unwrap();
    assert_eq!(confab_e2e::json(response).await["user_id"], ann.id.as_str(), "the session's user, not the spoofed one");
    let response = server.client.get(server.url(&format!("{echo}?access_token={}", ann.token))).send().await.unwrap();
    let body = confab_e2e::json(response).await;
    assert_eq!(body["user_id"], ann.id.as_str());
    assert!(!body["query"].as_str().unwrap().contains(&ann.token), "the token is not passed on: {body}");
    let cookie = format!("MMAUTHTOKEN={}", ann.token);
    let response = server.client.post(server.url(&echo)).header("cookie", &cookie).body("x").send().await.unwrap();
    assert_eq!(confab_e2e::json(response).await["user_id"], "", "a cookie write without CSRF proof is anonymous");
    let response = server.client.get(server.url(&echo)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(confab_e2e::json(response).await["user_id"], ann.id.as_str());
    server.stop().await;
}
