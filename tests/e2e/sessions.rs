//! Sessions and their WebSockets end to end: a socket closes when its session is logged out, its token revoked, its user deactivated or its session expires; a member removed from a channel or team stops getting its events; the `Origin` rule for cookie upgrades; the CSRF rule for a cookie logout.

use std::time::Duration;

use confab_e2e::{Backend, TestDir, TestServer, User, WsClient, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(
    logout_closes_the_sessions_socket,
    revoking_a_token_closes_its_socket,
    deactivating_a_user_closes_their_sockets,
    a_socket_closes_when_its_session_expires,
    channel_removal_stops_the_channels_events,
    team_removal_stops_the_teams_events,
    cookie_upgrades_from_foreign_origins_are_refused,
    a_cookie_logout_needs_csrf_proof,
);

/// How long a revoked socket is given to close; revocation is immediate, this only
/// bounds a failing test.
const CLOSE_WAIT: Duration = Duration::from_secs(10);
/// Mattermost's close code for a policy violation, used for revoked sessions.
const POLICY: u16 = 1008;

/// A team "eng" made by `admin` with `member` in it; returns (team id, town-square id).
async fn team_with(server: &TestServer, admin: &User, member: &User) -> (String, String) {
    let (status, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap().to_string();
    let (status, _) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &admin.token, &json!({ "user_id": member.id })).await;
    assert_eq!(status, 201);
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &admin.token).await;
    (team_id, town["id"].as_str().unwrap().to_string())
}

/// A second after a revocation, `poster` posts `marker` in `channel_id`: the revoked
/// socket must be closed (code 1008) without having received it.
async fn assert_revoked(server: &TestServer, ws: &mut WsClient, poster: &User, channel_id: &str, marker: &str) {
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (status, _) = server.post_as("/api/v4/posts", &poster.token, &json!({ "channel_id": channel_id, "message": marker })).await;
    assert_eq!(status, 201);
    let closed = ws.wait_closed(CLOSE_WAIT).await;
    assert_eq!(closed, Some(Some(POLICY)), "the socket is closed as revoked; received {:#?}", ws.received);
    let leaked: Vec<&Value> = ws.received.iter().filter(|e| e.to_string().contains(marker)).collect();
    assert!(leaked.is_empty(), "a revoked socket got {leaked:#?}");
}

async fn logout_closes_the_sessions_socket(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "sessions::logout").await else { return };
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let (_, town) = team_with(&server, &ann, &bob).await;
    let other_session = server.login("bob", "bob-password").await;
    let mut bob_ws = server.websocket(&bob.token).await;
    let mut other_ws = server.websocket(&other_session.token).await;

    let (status, _) = server.post_as("/api/v4/users/logout", &bob.token, &json!({})).await;
    assert_eq!(status, 200);
    assert_revoked(&server, &mut bob_ws, &ann, &town, "after bob's logout").await;
    other_ws.expect_event("posted", |e| e.to_string().contains("after bob's logout")).await;
    server.stop().await;
}

async fn revoking_a_token_closes_its_socket(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "sessions::token").await else { return };
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let (_, town) = team_with(&server, &ann, &bob).await;
    let (status, token) = server.post_as(&format!("/api/v4/users/{}/tokens", bob.id), &bob.token, &json!({ "description": "bot" })).await;
    assert_eq!(status, 200, "{token}");
    let mut token_ws = server.websocket(token["token"].as_str().unwrap()).await;
    let mut session_ws = server.websocket(&bob.token).await;

    let (status, _) = server.post_as("/api/v4/users/tokens/revoke", &bob.token, &json!({ "token_id": token["id"] })).await;
    assert_eq!(status, 200);
    assert_revoked(&server, &mut token_ws, &ann, &town, "after the token's revocation").await;
    session_ws.expect_event("posted", |e| e.to_string().contains("after the token's revocation")).await;
    server.stop().await;
}

async fn deactivating_a_user_closes_their_sockets(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "sessions::deactivate").await else { return };
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let (_, town) = team_with(&server, &ann, &bob).await;
    let mut bob_ws = server.websocket(&bob.token).await;

    let (status, body) = server.put_as(&format!("/api/v4/users/{}/active", ann.id), &bob.token, &json!({ "active": false })).await;
    assert_eq!(status, 403, "only admins deactivate: {body}");
    let (status, body) = server.put_as(&format!("/api/v4/users/{}/active", bob.id), &ann.token, &json!({ "active": false })).await;
    assert_eq!(status, 200, "{body}");
    assert_revoked(&server, &mut bob_ws, &ann, &town, "after bob's deactivation").await;
    let (status, _) = server.get_as("/api/v4/users/me", &bob.token).await;
    assert_eq!(status, 401);

    // Reactivated, the old session stays revoked (Mattermost revokes them all).
    let (status, _) = server.put_as(&format!("/api/v4/users/{}/active", bob.id), &ann.token, &json!({ "active": true })).await;
    assert_eq!(status, 200);
    let (status, _) = server.get_as("/api/v4/users/me", &bob.token).await;
    assert_eq!(status, 401);
    let bob = server.login("bob", "bob-password").await;
    let (status, _) = server.delete_as(&format!("/api/v4/users/{}", bob.id), &ann.token).await;
    assert_eq!(status, 200, "DELETE deactivates too");
    let (status, _) = server.get_as("/api/v4/users/me", &bob.token).await;
    assert_eq!(status, 401);
    server.stop().await;
}

async fn a_socket_closes_when_its_session_expires(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "sessions::expiry").await else { return };
    let ann = server.signup("ann").await;
    // A session that expires in two seconds, written the way login writes one.
    let store = confab_server::store::Store::connect(&server.database_url).await.unwrap();
    let now = confab_server::service::now_ms();
    let session = confab_server::domain::Session {
        id: confab_server::ids::new_id(),
        token: confab_server::ids::new_id(),
        user_id: ann.id.clone(),
        create_at: now,
        expires_at: now + 2_000,
        last_activity_at: now,
        csrf_token: confab_server::ids::new_id(),
        device_id: String::new(),
    };
    store.insert_session(&session).await.unwrap();
    store.close().await;
    let mut ws = server.websocket(&session.token).await;
    assert_eq!(ws.wait_closed(CLOSE_WAIT).await, Some(Some(POLICY)), "closed at expiry; received {:#?}", ws.received);
    server.stop().await;
}

async fn channel_removal_stops_the_channels_events(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "sessions::channel_removal").await else { return };
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let (team_id, town) = team_with(&server, &ann, &bob).await;
    let (_, secret) =
        server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "secret", "display_name": "Secret", "type": "P" })).await;
    let secret_id = secret["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/channels/{secret_id}/members"), &ann.token, &json!({ "user_id": bob.id })).await;
    let mut bob_ws = server.websocket(&bob.token).await;
    server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": secret_id, "message": "while a member" })).await;
    bob_ws.expect_event("posted", |e| e.to_string().contains("while a member")).await;

    let (status, _) = server.delete_as(&format!("/api/v4/channels/{secret_id}/members/{}", bob.id), &ann.token).await;
    assert_eq!(status, 200);
    let removed = bob_ws.expect_event("user_removed", |e| e["broadcast"]["user_id"] == bob.id.as_str()).await;
    assert_eq!(removed["data"]["channel_id"], secret_id);
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": secret_id, "message": "after the removal" })).await;
    // Events reach a socket in order: once a later one arrives, the earlier one would have.
    server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": town, "message": "fence" })).await;
    bob_ws.expect_event("posted", |e| e.to_string().contains("fence")).await;
    let leaked: Vec<&Value> = bob_ws.received.iter().filter(|e| e.to_string().contains("after the removal")).collect();
    assert!(leaked.is_empty(), "a removed member got {leaked:#?}");
    server.stop().await;
}

async fn team_removal_stops_the_teams_events(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "sessions::team_removal").await else { return };
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let (team_id, town) = team_with(&server, &ann, &bob).await;
    let mut bob_ws = server.websocket(&bob.token).await;

    let (status, _) = server.delete_as(&format!("/api/v4/teams/{team_id}/members/{}", bob.id), &ann.token).await;
    assert_eq!(status, 200);
    let left = bob_ws.expect_event("leave_team", |e| e["data"]["user_id"] == bob.id.as_str()).await;
    assert_eq!(left["data"]["team_id"], team_id);
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": town, "message": "after leaving" })).await;
    // Archiving a public channel is a team-wide event.
    let (_, later) =
        server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "later", "display_name": "Later", "type": "O" })).await;
    let (status, _) = server.delete_as(&format!("/api/v4/channels/{}", later["id"].as_str().unwrap()), &ann.token).await;
    assert_eq!(status, 200);
    // A sign-up goes to everyone: the fence after which the team's events would have come.
    server.post_as("/api/v4/users", "", &json!({ "username": "carol", "email": "carol@example.com", "password": "carol-password" })).await;
    bob_ws.expect_event("new_user", |_| true).await;
    let leaked: Vec<&Value> = bob_ws.received.iter().filter(|e| e.to_string().contains("after leaving") || e["event"] == "channel_deleted").collect();
    assert!(leaked.is_empty(), "a removed member got {leaked:#?}");
    server.stop().await;
}

/// Log in as a browser: (the `Cookie` header, the CSRF token).
async fn browser_login(server: &TestServer, username: &str) -> (String, String) {
    let response = server
        .client
        .post(server.url("/api/v4/users/login"))
        .json(&json!({ "login_id": username, "password": format!("{username}-password") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookies: Vec<String> = response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string()).collect();
    let csrf = cookies.iter().find_map(|c| c.strip_prefix("MMCSRF=")).unwrap().to_string();
    (cookies.join("; "), csrf)
}

async fn cookie_upgrades_from_foreign_origins_are_refused(backend: Backend) {
    let dir = TestDir::new();
    let config = confab_server::Config { data_dir: dir.path().to_path_buf(), allow_cors_from: "https://app.example.com".into(), ..Default::default() };
    let Some(server) = TestServer::start_on_with(backend, "sessions::origin", config).await else { return };
    let ann = server.signup("ann").await;
    let (cookie, _) = browser_login(&server, "ann").await;
    let cookie = cookie.as_str();

    for origin in ["https://evil.example", "null", "http://127.0.0.1:1"] {
        let refused = server.websocket_with(&[("cookie", cookie), ("origin", origin)]).await.err();
        assert_eq!(refused, Some(403), "a cookie upgrade from {origin}");
    }
    let own = server.base_url.clone();
    for origin in [own.as_str(), "https://app.example.com"] {
        let mut ws = server.websocket_with(&[("cookie", cookie), ("origin", origin)]).await.unwrap_or_else(|s| panic!("{origin}: {s}"));
        assert_eq!(ws.next_message().await.unwrap()["event"], "hello", "{origin}");
    }
    let mut no_origin = server.websocket_with(&[("cookie", cookie)]).await.expect("no Origin: not a browser");
    assert_eq!(no_origin.next_message().await.unwrap()["event"], "hello");
    let bearer = format!("Bearer {}", ann.token);
    let mut header = server.websocket_with(&[("authorization", &bearer), ("origin", "https://evil.example")]).await.expect("a header token from any origin");
    assert_eq!(header.next_message().await.unwrap()["event"], "hello");

    // The refusal is a Mattermost error body.
    let response = server.client.get(server.url("/api/v4/websocket")).header("cookie", cookie).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(response.status(), 403);
    let body = confab_e2e::json(response).await;
    assert_eq!(body["id"], "api.web_socket.connect.upgrade.app_error");
    assert_eq!(body["status_code"], 403);
    server.stop().await;
}

async fn a_cookie_logout_needs_csrf_proof(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "sessions::csrf_logout").await else { return };
    server.signup("ann").await;
    let (cookie, csrf) = browser_login(&server, "ann").await;
    let me = |headers: Vec<(&'static str, String)>| {
        let mut request = server.client.get(server.url("/api/v4/users/me"));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let logout = |extra: Option<(&'static str, String)>| {
        let mut request = server.client.post(server.url("/api/v4/users/logout")).header("cookie", cookie.clone());
        if let Some((name, value)) = extra {
            request = request.header(name, value);
        }
        request.send()
    };

    let refused = logout(None).await.unwrap();
    assert_eq!(refused.status(), 401, "a cookie logout without CSRF proof");
    assert!(refused.headers().get_all("set-cookie").iter().next().is_none(), "the cookies are not cleared either");
    assert_eq!(confab_e2e::json(refused).await["id"], "api.context.session_expired.app_error");
    assert_eq!(me(vec![("cookie", cookie.clone())]).await.unwrap().status(), 200, "the session is still valid");

    assert_eq!(logout(Some(("x-csrf-token", csrf))).await.unwrap().status(), 200);
    assert_eq!(me(vec![("cookie", cookie.clone())]).await.unwrap().status(), 401, "logged out");

    let (cookie, _) = browser_login(&server, "ann").await;
    let response = server.client.post(server.url("/api/v4/users/logout")).header("cookie", &cookie).header("x-requested-with", "XMLHttpRequest").send().await;
    assert_eq!(response.unwrap().status(), 200, "Mattermost's non-strict alternative");
    assert_eq!(me(vec![("cookie", cookie)]).await.unwrap().status(), 401);

    // A bearer token needs no CSRF proof; no credentials at all is still a 200.
    let ann = server.login("ann", "ann-password").await;
    assert_eq!(server.post_as("/api/v4/users/logout", &ann.token, &json!({})).await.0, 200);
    assert_eq!(me(vec![("authorization", format!("Bearer {}", ann.token))]).await.unwrap().status(), 401);
    assert_eq!(server.post_as("/api/v4/users/logout", "", &json!({})).await.0, 200);
    server.stop().await;
}
