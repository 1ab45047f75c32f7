//! Accounts and authentication end to end: the first user is admin, login's `Token` header and cookies, logout revoking the session, personal access tokens, `access_token`, the CSRF rule for cookies, and admin-only routes.

use confab_e2e::{Backend, TestDir, TestServer, json, on_both_backends};
use confab_server::Config;
use serde_json::{Value, json};

on_both_backends!(
    first_user_is_admin_and_login_gives_token_and_cookies,
    revoked_sessions_and_tokens_are_refused,
    cookies_need_csrf_proof_on_writes,
    regular_users_cannot_call_admin_routes,
    user_lookups_and_patch,
    others_see_emails_and_names_as_the_privacy_settings_allow,
);

async fn first_user_is_admin_and_login_gives_token_and_cookies(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "users::first_user_is_admin").await else { return };

    let (status, admin) = server.post_as("/api/v4/users", "", &json!({ "username": "root", "email": "root@example.com", "password": "password1" })).await;
    assert_eq!(status, 201, "{admin}");
    assert_eq!(admin["roles"], "system_user system_admin");
    assert!(admin.get("password").is_none() && !admin.to_string().contains("argon2"), "no secrets: {admin}");
    let (status, second) = server.post_as("/api/v4/users", "", &json!({ "username": "ann", "email": "ann@example.com", "password": "password1" })).await;
    assert_eq!(status, 201);
    assert_eq!(second["roles"], "system_user");

    let response =
        server.client.post(server.url("/api/v4/users/login")).json(&json!({ "login_id": "ann@example.com", "password": "password1" })).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let token = response.headers()["token"].to_str().unwrap().to_string();
    let cookies: Vec<String> = response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(cookies.iter().any(|c| c.starts_with(&format!("MMAUTHTOKEN={token};")) && c.contains("HttpOnly")), "{cookies:?}");
    assert!(cookies.iter().any(|c| c.starts_with("MMCSRF=")), "{cookies:?}");
    assert!(cookies.iter().any(|c| c.starts_with(&format!("MMUSERID={};", second["id"].as_str().unwrap()))), "{cookies:?}");
    assert_eq!(json(response).await["username"], "ann");

    let (status, me) = server.get_as("/api/v4/users/me", &token).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("ann")));
    // `Token` works as the scheme too (older clients).
    let response = server.client.get(server.url("/api/v4/users/me")).header("authorization", format!("Token {token}")).send().await.unwrap();
    assert_eq!(response.status(), 200);

    let (status, body) = server.post_as("/api/v4/users/login", "", &json!({ "login_id": "ann", "password": "wrong-password" })).await;
    assert_eq!(status, 401);
    assert_eq!(body["id"], "api.user.login.invalid_credentials_email_username");
    let (status, _) = server.post_as("/api/v4/users/login", "", &json!({ "login_id": "nobody", "password": "password1" })).await;
    assert_eq!(status, 401);
    let (status, body) = server.get_as("/api/v4/users/me", "").await;
    assert_eq!((status, body["id"].as_str()), (401, Some("api.context.session_expired.app_error")));
    server.stop().await;
}

async fn revoked_sessions_and_tokens_are_refused(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "users::revoked_sessions").await else { return };
    let _admin = server.signup("root").await;
    let ann = server.signup("ann").await;

    let (status, token) = server.post_as("/api/v4/users/me/tokens", &ann.token, &json!({ "description": "ci" })).await;
    assert_eq!(status, 200, "{token}");
    let secret = token["token"].as_str().unwrap().to_string();
    let (status, listed) = server.get_as(&format!("/api/v4/users/{}/tokens", ann.id), &ann.token).await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["id"], token["id"]);
    assert!(listed[0].get("token").is_none(), "the secret is shown once: {listed}");

    assert_eq!(server.get_as("/api/v4/users/me", &secret).await.0, 200, "a personal access token authenticates");
    assert_eq!(server.get(&format!("/api/v4/users/me?access_token={secret}")).await.status(), 200, "so does access_token");
    let (status, _) = server.post_as("/api/v4/users/tokens/revoke", &ann.token, &json!({ "token_id": token["id"] })).await;
    assert_eq!(status, 200);
    assert_eq!(server.get_as("/api/v4/users/me", &secret).await.0, 401, "a revoked token is refused");

    let (status, body) = server.post_as("/api/v4/users/logout", &ann.token, &json!({})).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("OK")));
    let (status, body) = server.get_as("/api/v4/users/me", &ann.token).await;
    assert_eq!(status, 401, "a token from a revoked session is refused: {body}");
    assert_eq!(body["id"], "api.context.session_expired.app_error");
    server.stop().await;
}

async fn cookies_need_csrf_proof_on_writes(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "users::cookies_need_csrf").await else { return };
    let ann = server.signup("ann").await;
    let login = server.client.post(server.url("/api/v4/users/login")).json(&json!({ "login_id": "ann", "password": "ann-password" })).send().await.unwrap();
    let cookies: Vec<String> = login.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string()).collect();
    let csrf = cookies.iter().find_map(|c| c.strip_prefix("MMCSRF=")).unwrap().to_string();
    let cookie_header = cookies.join("; ");

    let response = server.client.get(server.url("/api/v4/users/me")).header("cookie", &cookie_header).send().await.unwrap();
    assert_eq!(response.status(), 200, "reads need no CSRF proof");
    let patch = json!({ "nickname": "Annie" });
    let path = format!("/api/v4/users/{}/patch", ann.id);
    let response = server.client.put(server.url(&path)).header("cookie", &cookie_header).json(&patch).send().await.unwrap();
    assert_eq!(response.status(), 401, "a cookie write without CSRF proof counts as unauthenticated");
    let response = server.client.put(server.url(&path)).header("cookie", &cookie_header).header("x-csrf-token", &csrf).json(&patch).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let response =
        server.client.put(server.url(&path)).header("cookie", &cookie_header).header("x-requested-with", "XMLHttpRequest").json(&patch).send().await.unwrap();
    assert_eq!(response.status(), 200, "Mattermost's non-strict default accepts X-Requested-With");
    server.stop().await;
}

async fn regular_users_cannot_call_admin_routes(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "users::admin_routes").await else { return };
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;

    for (path, body) in [("/api/v4/bots", Some(json!({ "username": "robot" }))), ("/api/v4/bots", None), ("/api/v4/plugins/statuses", None)] {
        let (status, reply) = match &body {
            Some(body) => server.post_as(path, &ann.token, body).await,
            None => server.get_as(path, &ann.token).await,
        };
        assert_eq!(status, 403, "{path}: {reply}");
        assert_eq!(reply["id"], "api.context.permissions.app_error");
    }
    let (status, _) = server.get_as(&format!("/api/v4/users/{}/tokens", admin.id), &ann.token).await;
    assert_eq!(status, 403, "another user's tokens");
    let (status, _) = server.put_as(&format!("/api/v4/users/{}/patch", admin.id), &ann.token, &json!({ "nickname": "pwned" })).await;
    assert_eq!(status, 403, "another user's profile");

    let (status, bot) = server.post_as("/api/v4/bots", &admin.token, &json!({ "username": "robot", "display_name": "Robot", "description": "beeps" })).await;
    assert_eq!(status, 201, "{bot}");
    assert_eq!(bot["owner_id"], admin.id.as_str());
    let (status, bots) = server.get_as("/api/v4/bots", &admin.token).await;
    assert_eq!((status, bots.as_array().map(Vec::len)), (200, Some(1)));
    let (status, got) = server.get_as(&format!("/api/v4/bots/{}", bot["user_id"].as_str().unwrap()), &admin.token).await;
    assert_eq!((status, got["username"].as_str()), (200, Some("robot")));
    let (status, got) = server.get_as(&format!("/api/v4/bots/{}", bot["user_id"].as_str().unwrap()), &ann.token).await;
    assert_eq!((status, got["id"].as_str()), (404, Some("store.sql_bot.get.missing.app_error")), "others are told no such bot, as in Mattermost");
    let (status, user) = server.get_as(&format!("/api/v4/users/{}", bot["user_id"].as_str().unwrap()), &ann.token).await;
    assert_eq!((status, user["is_bot"].as_bool()), (200, Some(true)));
    let (status, _) = server.post_as("/api/v4/users/login", "", &json!({ "login_id": "robot", "password": "anything1" })).await;
    assert_eq!(status, 401, "bots cannot log in with a password");
    assert_eq!(server.get_as("/api/v4/plugins/statuses", &admin.token).await.0, 200);
    server.stop().await;
}

async fn user_lookups_and_patch(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "users::lookups").await else { return };
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;

    let (status, by_name) = server.get_as("/api/v4/users/username/ann", &admin.token).await;
    assert_eq!((status, by_name["id"].as_str()), (200, Some(ann.id.as_str())));
    let (status, by_email) = server.get_as("/api/v4/users/email/ann@example.com", &admin.token).await;
    assert_eq!((status, by_email["id"].as_str()), (200, Some(ann.id.as_str())));
    let (status, missing) = server.get_as("/api/v4/users/username/nobody", &admin.token).await;
    assert_eq!((status, missing["id"].as_str()), (404, Some("app.user.missing_account.const")));
    let (status, page) = server.get_as("/api/v4/users?page=0&per_page=1", &admin.token).await;
    assert_eq!((status, page[0]["username"].as_str()), (200, Some("ann")));
    let (status, page) = server.get_as("/api/v4/users?page=1&per_page=1", &admin.token).await;
    assert_eq!((status, page[0]["username"].as_str()), (200, Some("root")));
    let (status, by_ids) = server.post_as("/api/v4/users/ids", &admin.token, &json!([ann.id, admin.id])).await;
    assert_eq!((status, by_ids.as_array().map(Vec::len)), (200, Some(2)));

    let (status, patched) = server.put_as("/api/v4/users/me/patch", &ann.token, &json!({ "nickname": "Annie", "position": "eng" })).await;
    assert_eq!((status, patched["nickname"].as_str(), patched["position"].as_str()), (200, Some("Annie"), Some("eng")));
    let (status, dup) = server.put_as("/api/v4/users/me/patch", &ann.token, &json!({ "username": "root" })).await;
    assert_eq!((status, dup["id"].as_str()), (400, Some("app.user.save.username_exists.app_error")));
    let (status, dup) = server.post_as("/api/v4/users", "", &json!({ "username": "ann", "email": "other@example.com", "password": "password1" })).await;
    assert_eq!((status, dup["id"].as_str()), (400, Some("app.user.save.username_exists.app_error")));
    let (status, bad) = server.post_as("/api/v4/users", "", &json!({ "username": "Bad Name", "email": "x@example.com", "password": "password1" })).await;
    assert_eq!((status, bad["id"].as_str()), (400, Some("model.user.is_valid.username.app_error")));
    let (status, short) = server.post_as("/api/v4/users", "", &json!({ "username": "shorty", "email": "s@example.com", "password": "short" })).await;
    assert_eq!((status, short["id"].as_str()), (400, Some("model.user.is_valid.pwd.app_error")));
    server.stop().await;
}

/// Every route that returns users, and `user_updated` on the WebSocket: another
/// member sees no email address (and, with `ShowFullName` off, no first or last name),
/// the user and system admins see everything; lookups by email are for admins while
/// addresses are hidden. Then the same server settings the other way round.
async fn others_see_emails_and_names_as_the_privacy_settings_allow(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "users::privacy").await else { return };
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let mut sockets = [server.websocket(&admin.token).await, server.websocket(&ann.token).await, server.websocket(&bob.token).await];
    let (status, _) = server.put_as("/api/v4/users/me/patch", &ann.token, &json!({ "first_name": "Ann", "last_name": "Lee" })).await;
    assert_eq!(status, 200);

    // What each viewer gets for ann, on every route that returns her.
    let views = |token: String| {
        let (server, ann_id) = (&server, ann.id.clone());
        async move {
            let mut seen: Vec<Value> = Vec::new();
            seen.push(server.get_as(&format!("/api/v4/users/{ann_id}"), &token).await.1);
            seen.push(server.get_as("/api/v4/users/username/ann", &token).await.1);
            let (_, list) = server.get_as("/api/v4/users?per_page=200", &token).await;
            seen.extend(list.as_array().unwrap().iter().filter(|u| u["username"] == "ann").cloned());
            seen.push(server.post_as("/api/v4/users/ids", &token, &json!([ann_id])).await.1[0].clone());
            seen.push(server.post_as("/api/v4/users/usernames", &token, &json!(["ann"])).await.1[0].clone());
            assert_eq!(seen.len(), 5, "{seen:?}");
            seen
        }
    };
    for user in views(bob.token.clone()).await {
        assert_eq!((user["username"].as_str(), user["email"].as_str()), (Some("ann"), Some("")), "{user}");
        assert_eq!((user["first_name"].as_str(), user["last_name"].as_str()), (Some("Ann"), Some("Lee")), "full names are shown by default");
    }
    for token in [ann.token.clone(), admin.token.clone()] {
        for user in views(token).await {
            assert_eq!(user["email"], "ann@example.com", "{user}");
        }
    }
    assert_eq!(server.get_as("/api/v4/users/me", &ann.token).await.1["email"], "ann@example.com");
    let (status, refused) = server.get_as("/api/v4/users/email/ann@example.com", &bob.token).await;
    assert_eq!((status, refused["id"].as_str()), (403, Some("api.user.get_user_by_email.permissions.app_error")));
    assert_eq!(server.get_as("/api/v4/users/email/ann@example.com", &admin.token).await.1["email"], "ann@example.com");

    // user_updated: whole to ann and the admin, sanitized to bob.
    for (socket, email) in sockets.iter_mut().zip(["ann@example.com", "ann@example.com", ""]) {
        let event = socket.expect_event("user_updated", |e| e["data"]["user"]["username"] == "ann").await;
        assert_eq!(event["data"]["user"]["email"], email, "{event}");
    }
    let (_, config) = server.get_as("/api/v4/config/client?format=old", "").await;
    assert_eq!((config["ShowEmailAddress"].as_str(), config["ShowFullName"].as_str()), (Some("false"), Some("true")));
    server.stop().await;

    // The other way round: addresses shown, full names hidden.
    let dir = TestDir::new();
    let config = Config { data_dir: dir.path().to_path_buf(), show_email_address: true, show_full_name: false, ..Config::default() };
    let Some(server) = TestServer::start_on_with(backend, "users::privacy_shown", config).await else { return };
    let _admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let mut bob_socket = server.websocket(&bob.token).await;
    server.put_as("/api/v4/users/me/patch", &ann.token, &json!({ "first_name": "Ann", "last_name": "Lee" })).await;
    let (_, seen) = server.get_as("/api/v4/users/username/ann", &bob.token).await;
    assert_eq!((seen["email"].as_str(), seen["first_name"].as_str(), seen["last_name"].as_str()), (Some("ann@example.com"), Some(""), Some("")));
    assert_eq!(server.get_as("/api/v4/users/email/ann@example.com", &bob.token).await.0, 200);
    let event = bob_socket.expect_event("user_updated", |e| e["data"]["user"]["username"] == "ann").await;
    assert_eq!((event["data"]["user"]["email"].as_str(), event["data"]["user"]["first_name"].as_str()), (Some("ann@example.com"), Some("")));
    assert_eq!(server.get_as("/api/v4/users/me", &ann.token).await.1["first_name"], "Ann");
    let (_, config) = server.get_as("/api/v4/config/client?format=old", "").await;
    assert_eq!((config["ShowEmailAddress"].as_str(), config["ShowFullName"].as_str()), (Some("true"), Some("false")));
    server.stop().await;
}
