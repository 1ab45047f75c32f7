//! The `posts` host functions beyond create/get/update/delete on a real server, through the `fx-api-users-posts` fixture: ephemeral posts changed and withdrawn for one user only, threads and channel histories as the REST API lists them, pins, reactions with their events, and every call refused without its permission.

use confab_e2e::{Backend, TestDir, TestServer, User, on_both_backends};
use serde_json::{Value, json};

pub(crate) const FIXTURE: &str = "fx.api-users-posts";

on_both_backends!(ephemeral_posts_change_and_go_for_one_user_only, threads_histories_pins_and_reactions, posts_calls_need_their_permission);

/// Call `function` of `interface` in the fixture with `args`: (status, JSON).
pub(crate) async fn call(server: &TestServer, interface: &str, function: &str, args: Value) -> (u16, Value) {
    let response = server.client.post(server.url(&format!("/plugins/{FIXTURE}/{interface}/{function}"))).json(&args).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Install the fixture, with `permissions` in place of its manifest's when given.
pub(crate) fn install(dir: &TestDir, permissions: Option<&[&str]>) {
    let id = dir.install_plugin("tests/plugins/fx-api-users-posts", "fx_api_users_posts.wasm");
    if let Some(permissions) = permissions {
        let path = dir.plugin_dir().join(&id).join("plugin.json");
        let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        manifest["permissions"] = json!(permissions);
        std::fs::write(&path, manifest.to_string()).unwrap();
    }
}

/// A team and an open channel made by `admin`, with `others` in both: (team id, channel id).
pub(crate) async fn team_and_channel(server: &TestServer, admin: &User, others: &[&User]) -> (String, String) {
    let (_, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap().to_string();
    let (status, channel) =
        server.post_as("/api/v4/channels", &admin.token, &json!({ "team_id": team_id, "name": "dev", "display_name": "Dev", "type": "O" })).await;
    assert_eq!(status, 201, "{channel}");
    let channel_id = channel["id"].as_str().unwrap().to_string();
    for user in others {
        let (status, body) =
            server.post_as(&format!("/api/v4/teams/{team_id}/members"), &admin.token, &json!({ "team_id": team_id, "user_id": user.id })).await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = server.post_as(&format!("/api/v4/channels/{channel_id}/members"), &admin.token, &json!({ "user_id": user.id })).await;
        assert_eq!(status, 201, "{body}");
    }
    (team_id, channel_id)
}

/// The post inside an event's `data.post` (a JSON string, as Mattermost sends it).
fn event_post(event: &Value) -> Value {
    serde_json::from_str(event["data"]["post"].as_str().unwrap()).unwrap()
}

fn ids(posts: &Value) -> Vec<&str> {
    posts.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect()
}

async fn ephemeral_posts_change_and_go_for_one_user_only(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, None);
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_posts::ephemeral").await else { return };
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let (_, channel_id) = team_and_channel(&server, &admin, &[&bob]).await;
    let mut bob_ws = server.websocket(&bob.token).await;
    let mut admin_ws = server.websocket(&admin.token).await;

    let (status, shown) = call(&server, "posts", "send_ephemeral", json!({ "user_id": bob.id, "channel_id": channel_id, "message": "first" })).await;
    assert_eq!(status, 200, "{shown}");
    let id = shown["id"].as_str().unwrap().to_string();
    bob_ws.expect_event("ephemeral_message", |e| event_post(e)["id"] == id).await;

    // Updated: the same id, the new text, as `post_edited` to bob.
    let args = json!({ "user_id": bob.id, "id": id, "channel_id": channel_id, "message": "second" });
    let (status, updated) = call(&server, "posts", "update_ephemeral", args).await;
    assert_eq!((status, &updated["id"], &updated["message"], &updated["type"]), (200, &json!(id), &json!("second"), &json!("system_ephemeral")), "{updated}");
    let edited = bob_ws.expect_event("post_edited", |e| event_post(e)["id"] == id).await;
    assert_eq!(event_post(&edited)["message"], "second");
    assert_eq!(edited["broadcast"]["user_id"], bob.id, "{edited}");

    // Withdrawn: `post_deleted` to bob.
    let (status, body) = call(&server, "posts", "delete_ephemeral", json!({ "user_id": bob.id, "post_id": id })).await;
    assert_eq!(status, 200, "{body}");
    let deleted = bob_ws.expect_event("post_deleted", |e| event_post(e)["id"] == id).await;
    assert_ne!(event_post(&deleted)["delete_at"], 0, "{deleted}");

    // Refusals: no id to change, an unknown user, an unknown channel.
    for (function, args) in [
        ("update_ephemeral", json!({ "user_id": bob.id, "id": "", "channel_id": channel_id, "message": "x" })),
        ("update_ephemeral", json!({ "user_id": "nosuchuser0000000000000000", "id": id, "channel_id": channel_id, "message": "x" })),
        ("update_ephemeral", json!({ "user_id": bob.id, "id": id, "channel_id": "nosuchchannel0000000000000", "message": "x" })),
        ("delete_ephemeral", json!({ "user_id": bob.id, "post_id": "not-an-id" })),
    ] {
        let (status, error) = call(&server, "posts", function, args).await;
        assert_eq!(status, 400, "{function}: {error}");
    }

    // Nothing of it reached anyone else: the next event admin sees is a post made now.
    let (_, post) = server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": channel_id, "message": "marker" })).await;
    admin_ws.expect_event("posted", |e| event_post(e)["id"] == post["id"]).await;
    let leaked: Vec<&Value> = admin_ws.received.iter().filter(|e| e["data"]["post"].as_str().is_some_and(|p| p.contains(&id))).collect();
    assert!(leaked.is_empty(), "admin saw bob's ephemeral post: {leaked:?}");
    server.stop().await;
}

async fn threads_histories_pins_and_reactions(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, None);
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_posts::reads").await else { return };
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let (_, channel_id) = team_and_channel(&server, &admin, &[&bob]).await;
    let mut posts = Vec::new();
    for message in ["one", "two", "three"] {
        let (status, post) = server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": channel_id, "message": message })).await;
        assert_eq!(status, 201, "{post}");
        posts.push(post);
    }
    let root = posts[0]["id"].as_str().unwrap().to_string();
    let (_, reply) = server.post_as("/api/v4/posts", &bob.token, &json!({ "channel_id": channel_id, "message": "re", "root_id": root })).await;
    let reply_id = reply["id"].as_str().unwrap();

    // A thread from its reply: the same posts in the same order as the REST API.
    let (status, thread) = call(&server, "posts", "get_thread", json!({ "post_id": reply_id })).await;
    assert_eq!(status, 200, "{thread}");
    let (_, rest) = server.get_as(&format!("/api/v4/posts/{root}/thread"), &admin.token).await;
    assert_eq!(ids(&thread), rest["order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>());
    assert_eq!(thread.as_array().unwrap().len(), 2, "{thread}");

    // Pages of the channel, newest first, as the REST API pages them.
    let mut paged = Vec::new();
    for page in 0..3 {
        let (status, got) = call(&server, "posts", "get_for_channel", json!({ "channel_id": channel_id, "page": page, "per_page": 2 })).await;
        assert_eq!(status, 200, "{got}");
        let (_, rest) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts?page={page}&per_page=2"), &admin.token).await;
        assert_eq!(ids(&got), rest["order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(), "page {page}");
        paged.extend(ids(&got).into_iter().map(String::from));
    }
    paged.sort();
    let mut all: Vec<String> = posts.iter().map(|p| p["id"].as_str().unwrap().to_string()).chain([reply_id.to_string()]).collect();
    all.sort();
    assert_eq!(paged, all, "three pages of two hold the four posts once each");

    // Since: a deleted post comes back with `delete_at` set.
    let since = posts[2]["create_at"].as_i64().unwrap() - 1;
    let three = posts[2]["id"].as_str().unwrap();
    assert_eq!(server.delete_as(&format!("/api/v4/posts/{three}"), &admin.token).await.0, 200);
    let (status, changed) = call(&server, "posts", "get_since", json!({ "channel_id": channel_id, "since": since })).await;
    assert_eq!(status, 200, "{changed}");
    let gone = changed.as_array().unwrap().iter().find(|p| p["id"] == three).unwrap_or_else(|| panic!("{changed}"));
    assert_ne!(gone["delete_at"], 0);
    assert!(ids(&changed).contains(&reply_id));
    assert!(changed.as_array().unwrap().iter().all(|p| p["update_at"].as_i64().unwrap() > since), "only what changed after `since`: {changed}");

    pins_and_reactions(&server, &admin, &bob, &root).await;
    server.stop().await;
}

/// Pin, unpin, react and unreact on `root`, watching what the channel is told.
async fn pins_and_reactions(server: &TestServer, admin: &User, bob: &User, root: &str) {
    let mut ws = server.websocket(&admin.token).await;
    let (status, pinned) = call(server, "posts", "pin", json!({ "post_id": root })).await;
    assert_eq!((status, &pinned["is_pinned"]), (200, &json!(true)), "{pinned}");
    let edited = ws.expect_event("post_edited", |e| event_post(e)["id"] == root).await;
    assert_eq!(event_post(&edited)["is_pinned"], true);
    assert_eq!(server.get_as(&format!("/api/v4/posts/{root}"), &admin.token).await.1["is_pinned"], true);
    let (status, unpinned) = call(server, "posts", "unpin", json!({ "post_id": root })).await;
    assert_eq!((status, &unpinned["is_pinned"]), (200, &json!(false)), "{unpinned}");
    assert_eq!(server.get_as(&format!("/api/v4/posts/{root}"), &admin.token).await.1["is_pinned"], false);

    let reaction = json!({ "user_id": bob.id, "post_id": root, "emoji_name": "thumbsup" });
    let (status, saved) = call(server, "posts", "add_reaction", reaction.clone()).await;
    assert_eq!((status, &saved["user_id"]), (200, &json!(bob.id)), "{saved}");
    assert_ne!(saved["create_at"], 0);
    let added = ws.expect_event("reaction_added", |_| true).await;
    let added: Value = serde_json::from_str(added["data"]["reaction"].as_str().unwrap()).unwrap();
    assert_eq!((&added["user_id"], &added["emoji_name"]), (&json!(bob.id), &json!("thumbsup")));
    let (_, rest) = server.get_as(&format!("/api/v4/posts/{root}/reactions"), &admin.token).await;
    let (status, listed) = call(server, "posts", "list_reactions", json!({ "post_id": root })).await;
    assert_eq!((status, &listed), (200, &rest), "the plugin lists what clients list");
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let (status, body) = call(server, "posts", "remove_reaction", reaction.clone()).await;
    assert_eq!(status, 200, "{body}");
    ws.expect_event("reaction_removed", |_| true).await;
    assert_eq!(call(server, "posts", "list_reactions", json!({ "post_id": root })).await.1, json!([]));
    let (status, _) = call(server, "posts", "remove_reaction", reaction).await;
    assert_eq!(status, 200, "removing what is not there is fine");

    let (status, error) = call(server, "posts", "add_reaction", json!({ "user_id": bob.id, "post_id": root, "emoji_name": "no such emoji!" })).await;
    assert_eq!(status, 400, "{error}");
    let (status, error) = call(server, "posts", "get_thread", json!({ "post_id": "nosuchpost0000000000000000" })).await;
    assert_eq!((status, &error["error"]), (400, &json!("not found")), "{error}");
}

async fn posts_calls_need_their_permission(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, Some(&["posts:read"]));
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_posts::denied").await else { return };
    let admin = server.signup("root").await;
    let (_, channel_id) = team_and_channel(&server, &admin, &[]).await;
    let (_, post) = server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": channel_id, "message": "hello" })).await;
    let post_id = post["id"].as_str().unwrap();

    // Reading is granted.
    for (function, args) in [
        ("get_thread", json!({ "post_id": post_id })),
        ("get_for_channel", json!({ "channel_id": channel_id, "page": 0, "per_page": 10 })),
        ("get_since", json!({ "channel_id": channel_id, "since": 0 })),
        ("list_reactions", json!({ "post_id": post_id })),
    ] {
        let (status, body) = call(&server, "posts", function, args).await;
        assert_eq!(status, 200, "{function}: {body}");
    }
    // Writing is not, and nothing changed.
    for (function, args) in [
        ("update_ephemeral", json!({ "user_id": admin.id, "id": post_id, "channel_id": channel_id, "message": "x" })),
        ("delete_ephemeral", json!({ "user_id": admin.id, "post_id": post_id })),
        ("pin", json!({ "post_id": post_id })),
        ("unpin", json!({ "post_id": post_id })),
        ("add_reaction", json!({ "user_id": admin.id, "post_id": post_id, "emoji_name": "smile" })),
        ("remove_reaction", json!({ "user_id": admin.id, "post_id": post_id, "emoji_name": "smile" })),
    ] {
        let (status, body) = call(&server, "posts", function, args).await;
        assert_eq!((status, body), (400, json!({ "error": "permission denied" })), "{function}");
    }
    let (_, stored) = server.get_as(&format!("/api/v4/posts/{post_id}"), &admin.token).await;
    assert_eq!(stored["is_pinned"], false);
    server.stop().await;

    // Without any grant, reading is refused too.
    let dir = TestDir::new();
    install(&dir, Some(&[]));
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_posts::denied_all").await else { return };
    for function in ["get_thread", "get_for_channel", "get_since", "list_reactions"] {
        let (status, body) = call(&server, "posts", function, json!({ "post_id": post_id, "channel_id": channel_id })).await;
        assert_eq!((status, body), (400, json!({ "error": "permission denied" })), "{function}");
    }
    server.stop().await;
}
