//! The `users` host functions beyond single lookups on a real server, through the `fx-api-users-posts` fixture: many at once, channel and team members as the REST API lists them, search, statuses with `status_change`, profile patches with REST's checks, deactivation closing the user's sockets, and every call refused without its permission.

use std::time::Duration;

use confab_e2e::{Backend, TestDir, TestServer, on_both_backends};
use serde_json::{Value, json};

use crate::plugin_api_posts::{call, install, team_and_channel};

on_both_backends!(users_are_listed_searched_and_given_statuses, users_are_patched_deactivated_and_reactivated, users_calls_need_their_permission);

fn usernames(users: &Value) -> Vec<&str> {
    users.as_array().unwrap_or_else(|| panic!("not a list: {users}")).iter().map(|u| u["username"].as_str().unwrap()).collect()
}

async fn users_are_listed_searched_and_given_statuses(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, None);
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_users::reads").await else { return };
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let carol = server.signup("carol").await;
    let (team_id, channel_id) = team_and_channel(&server, &admin, &[&bob]).await;
    let (status, body) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &admin.token, &json!({ "team_id": team_id, "user_id": carol.id })).await;
    assert_eq!(status, 201, "{body}");

    let (status, many) = call(&server, "users", "get_many", json!({ "user_ids": [bob.id, carol.id, "nosuchuser0000000000000000"] })).await;
    assert_eq!(status, 200, "{many}");
    let mut names = usernames(&many);
    names.sort();
    assert_eq!(names, ["bob", "carol"]);
    assert!(many.as_array().unwrap().iter().all(|u| u["email"] == ""), "no users:read-email: {many}");

    // Members as `GET /users?in_channel=` and `?in_team=` list them.
    let (status, in_channel) = call(&server, "users", "list_in_channel", json!({ "channel_id": channel_id, "page": 0, "per_page": 200 })).await;
    assert_eq!(status, 200, "{in_channel}");
    let (_, rest) = server.get_as(&format!("/api/v4/users?in_channel={channel_id}&page=0&per_page=200"), &admin.token).await;
    assert_eq!(usernames(&in_channel), usernames(&rest));
    assert_eq!(usernames(&in_channel), ["bob", "root"]);
    let (_, in_team) = call(&server, "users", "list_in_team", json!({ "team_id": team_id, "page": 0, "per_page": 200 })).await;
    assert_eq!(usernames(&in_team), ["bob", "carol", "root"]);
    let (_, second_page) = call(&server, "users", "list_in_team", json!({ "team_id": team_id, "page": 1, "per_page": 2 })).await;
    assert_eq!(usernames(&second_page), ["root"]);
    let (status, error) = call(&server, "users", "list_in_channel", json!({ "channel_id": "nosuchchannel0000000000000", "page": 0, "per_page": 10 })).await;
    assert_eq!((status, &error["error"]), (400, &json!("not found")), "{error}");

    // Search: by prefix, narrowed to a channel or team.
    let (status, found) = call(&server, "users", "search", json!({ "term": "ca" })).await;
    assert_eq!((status, usernames(&found)), (200, vec!["carol"]), "{found}");
    let (_, found) = call(&server, "users", "search", json!({ "term": "ca", "channel_id": channel_id })).await;
    assert_eq!(usernames(&found), Vec::<&str>::new(), "carol is not in the channel");
    let (_, found) = call(&server, "users", "search", json!({ "term": "", "team_id": team_id, "limit": 2 })).await;
    assert_eq!(found.as_array().unwrap().len(), 2, "{found}");

    // Statuses: offline until set; set as bob would, bob's clients told.
    let (status, never) = call(&server, "users", "get_status", json!({ "user_id": carol.id })).await;
    assert_eq!((status, &never["status"]), (200, &json!("offline")), "{never}");
    let mut bob_ws = server.websocket(&bob.token).await;
    let (status, set) = call(&server, "users", "set_status", json!({ "user_id": bob.id, "status": "dnd" })).await;
    assert_eq!((status, &set["status"], &set["manual"]), (200, &json!("dnd"), &json!(true)), "{set}");
    bob_ws.expect_event("status_change", |e| e["data"]["status"] == "dnd" && e["data"]["user_id"] == bob.id).await;
    let (_, rest) = server.get_as(&format!("/api/v4/users/{}/status", bob.id), &admin.token).await;
    assert_eq!(rest["status"], "dnd");
    let (_, got) = call(&server, "users", "get_status", json!({ "user_id": bob.id })).await;
    assert_eq!(got["status"], "dnd");
    let (status, error) = call(&server, "users", "set_status", json!({ "user_id": bob.id, "status": "busy" })).await;
    assert_eq!(status, 400, "{error}");
    server.stop().await;
}

async fn users_are_patched_deactivated_and_reactivated(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, None);
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_users::writes").await else { return };
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let mut admin_ws = server.websocket(&admin.token).await;

    let patch = json!({ "user_id": bob.id, "nickname": "Bobby", "position": "Builder", "props": { "team": "core" } });
    let (status, patched) = call(&server, "users", "patch", patch).await;
    assert_eq!((status, &patched["nickname"], &patched["position"]), (200, &json!("Bobby"), &json!("Builder")), "{patched}");
    let (_, rest) = server.get_as(&format!("/api/v4/users/{}", bob.id), &admin.token).await;
    assert_eq!((&rest["nickname"], &rest["position"], &rest["props"]["team"]), (&json!("Bobby"), &json!("Builder"), &json!("core")), "{rest}");
    admin_ws.expect_event("user_updated", |e| e["data"]["user"]["nickname"] == "Bobby").await;
    // REST's checks: a bad username, a taken one, props that are no object.
    for (patch, why) in [
        (json!({ "user_id": bob.id, "username": "Not A Name!" }), "invalid username"),
        (json!({ "user_id": bob.id, "username": "root" }), "taken username"),
        (json!({ "user_id": bob.id, "props": [1] }), "props not an object"),
        (json!({ "user_id": bob.id, "position": "x".repeat(200) }), "position too long"),
        (json!({ "user_id": "nosuchuser0000000000000000", "nickname": "x" }), "unknown user"),
    ] {
        let (status, error) = call(&server, "users", "patch", patch).await;
        assert_eq!(status, 400, "{why}: {error}");
    }
    assert_eq!(server.get_as(&format!("/api/v4/users/{}", bob.id), &admin.token).await.1["username"], "bob");

    // Deactivation ends bob's sessions and closes his socket, as PUT /users/{id}/active does.
    let mut bob_ws = server.websocket(&bob.token).await;
    let (status, body) = call(&server, "users", "deactivate", json!({ "user_id": bob.id })).await;
    assert_eq!(status, 200, "{body}");
    assert!(bob_ws.wait_closed(Duration::from_secs(10)).await.is_some(), "bob's socket closed");
    assert_eq!(server.get_as("/api/v4/users/me", &bob.token).await.0, 401, "bob's session ended");
    let (_, rest) = server.get_as(&format!("/api/v4/users/{}", bob.id), &admin.token).await;
    assert_ne!(rest["delete_at"], 0, "{rest}");
    let (status, body) = call(&server, "users", "reactivate", json!({ "user_id": bob.id })).await;
    assert_eq!(status, 200, "{body}");
    let (_, rest) = server.get_as(&format!("/api/v4/users/{}", bob.id), &admin.token).await;
    assert_eq!(rest["delete_at"], 0, "{rest}");
    server.login("bob", "bob-password").await;
    server.stop().await;
}

async fn users_calls_need_their_permission(backend: Backend) {
    let dir = TestDir::new();
    install(&dir, Some(&["users:read"]));
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_users::denied").await else { return };
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let (status, body) = call(&server, "users", "get_many", json!({ "user_ids": [bob.id] })).await;
    assert_eq!(status, 200, "reading is granted: {body}");
    for (function, args) in [
        ("set_status", json!({ "user_id": bob.id, "status": "away" })),
        ("patch", json!({ "user_id": bob.id, "nickname": "x" })),
        ("deactivate", json!({ "user_id": bob.id })),
        ("reactivate", json!({ "user_id": bob.id })),
    ] {
        let (status, body) = call(&server, "users", function, args).await;
        assert_eq!((status, body), (400, json!({ "error": "permission denied" })), "{function}");
    }
    let (_, rest) = server.get_as(&format!("/api/v4/users/{}", bob.id), &admin.token).await;
    assert_eq!((&rest["nickname"], &rest["delete_at"]), (&json!(""), &json!(0)), "nothing changed: {rest}");
    assert_eq!(server.get_as(&format!("/api/v4/users/{}/status", bob.id), &admin.token).await.1["status"], "offline");
    server.stop().await;

    let dir = TestDir::new();
    install(&dir, Some(&[]));
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_users::denied_all").await else { return };
    let admin = server.signup("root").await;
    for function in ["get_many", "list_in_channel", "list_in_team", "search", "get_status"] {
        let args = json!({ "user_ids": [admin.id], "user_id": admin.id, "channel_id": admin.id, "team_id": admin.id });
        let (status, body) = call(&server, "users", function, args).await;
        assert_eq!((status, body), (400, json!({ "error": "permission denied" })), "{function}");
    }
    server.stop().await;
}
