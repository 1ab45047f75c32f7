//! Login lock-out and rate limits end to end: wrong passwords lock an account (Mattermost's `MaximumLoginAttempts`), a success resets the count, an admin's password reset unlocks it; the unauthenticated routes answer 429 with `X-RateLimit-*` headers past their limit, per client address, as configured.

use std::net::IpAddr;
use std::time::Duration;

use confab_e2e::{Backend, TestDir, TestServer, on_both_backends};
use confab_server::Config;
use confab_server::config::LoginSecurity;
use serde_json::{Value, json};

on_both_backends!(
    wrong_passwords_lock_the_account_until_an_admin_sets_a_password,
    a_successful_login_resets_the_count,
    concurrent_wrong_passwords_never_count_past_the_maximum,
);

const LOCKED: &str = "api.user.check_user_login_attempts.too_many.app_error";
const BAD_CREDENTIALS: &str = "api.user.login.invalid_credentials_email_username";

async fn login(server: &TestServer, login_id: &str, password: &str) -> (u16, Value) {
    server.post_as("/api/v4/users/login", "", &json!({ "login_id": login_id, "password": password })).await
}

/// `failed_attempts` of `user_id` as an admin sees it.
async fn failed_attempts(server: &TestServer, admin_token: &str, user_id: &str) -> i64 {
    let (status, user) = server.get_as(&format!("/api/v4/users/{user_id}"), admin_token).await;
    assert_eq!(status, 200, "{user}");
    user["failed_attempts"].as_i64().unwrap_or_else(|| panic!("no failed_attempts in {user}"))
}

async fn wrong_passwords_lock_the_account_until_an_admin_sets_a_password(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "login_security::lockout").await else { return };
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;

    // Mattermost's default: ten wrong passwords, each an ordinary 401.
    for n in 1..=10 {
        let (status, body) = login(&server, "ann", "not-her-password").await;
        assert_eq!((status, body["id"].as_str()), (401, Some(BAD_CREDENTIALS)), "attempt {n}: {body}");
    }
    assert_eq!(failed_attempts(&server, &admin.token, &ann.id).await, 10);
    // Now even the right password is refused, with Mattermost's id, and so is a wrong one.
    for password in ["ann-password", "still-wrong"] {
        let (status, body) = login(&server, "ann@example.com", password).await;
        assert_eq!((status, body["id"].as_str()), (401, Some(LOCKED)), "{body}");
        assert_eq!(body["status_code"], 401);
    }
    assert_eq!(failed_attempts(&server, &admin.token, &ann.id).await, 10, "never counted past the maximum");
    // Her own password change needs the current password, which a locked account cannot use.
    let change = json!({ "current_password": "ann-password", "new_password": "ann-new-password" });
    let (status, body) = server.put_as(&format!("/api/v4/users/{}/password", ann.id), &ann.token, &change).await;
    assert_eq!((status, body["id"].as_str()), (401, Some(LOCKED)), "{body}");
    // Another user may not reset it.
    let (status, body) = server.put_as(&format!("/api/v4/users/{}/password", ann.id), &bob.token, &json!({ "new_password": "bobs-choice-1" })).await;
    assert_eq!((status, body["id"].as_str()), (403, Some("api.user.update_password.context.app_error")), "{body}");

    // A system admin sets a new password, which unlocks the account.
    let (status, body) = server.put_as(&format!("/api/v4/users/{}/password", ann.id), &admin.token, &json!({ "new_password": "reset-by-admin" })).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("OK")), "{body}");
    assert_eq!(failed_attempts(&server, &admin.token, &ann.id).await, 0);
    let (status, body) = login(&server, "ann", "ann-password").await;
    assert_eq!((status, body["id"].as_str()), (401, Some(BAD_CREDENTIALS)), "the old password is gone");
    server.login("ann", "reset-by-admin").await;

    // Her own change: a wrong current password is Mattermost's 400 and counts as a failure.
    let wrong_current = json!({ "current_password": "nope-nope", "new_password": "ann-new-password" });
    let (status, body) = server.put_as("/api/v4/users/me/password", &ann.token, &wrong_current).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("api.user.update_password.incorrect.app_error")), "{body}");
    assert_eq!(failed_attempts(&server, &admin.token, &ann.id).await, 1);
    let (status, body) = server.put_as("/api/v4/users/me/password", &ann.token, &json!({ "new_password": "ann-new-password" })).await;
    assert_eq!(status, 400, "the current password is required: {body}");
    let right_current = json!({ "current_password": "reset-by-admin", "new_password": "ann-new-password" });
    let (status, body) = server.put_as("/api/v4/users/me/password", &ann.token, &right_current).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(failed_attempts(&server, &admin.token, &ann.id).await, 0);
    server.login("ann", "ann-new-password").await;
    server.stop().await;
}

async fn a_successful_login_resets_the_count(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "login_security::reset").await else { return };
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    for _ in 0..3 {
        assert_eq!(login(&server, "ann", "wrong-password").await.0, 401);
    }
    assert_eq!(failed_attempts(&server, &admin.token, &ann.id).await, 3);
    let (status, body) = login(&server, "ann", "ann-password").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["failed_attempts"], 0, "the login's own answer is current");
    assert_eq!(failed_attempts(&server, &admin.token, &ann.id).await, 0);
    server.stop().await;
}

async fn concurrent_wrong_passwords_never_count_past_the_maximum(backend: Backend) {
    let dir = TestDir::new();
    let login_security = LoginSecurity { maximum_login_attempts: 3, ..LoginSecurity::default() };
    let config = Config { data_dir: dir.path().to_path_buf(), login_security, ..Config::default() };
    let Some(server) = TestServer::start_on_with(backend, "login_security::concurrent", config).await else { return };
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let guesses = (0..8).map(|n| login(&server, "ann", if n % 2 == 0 { "guess-one" } else { "guess-two" }));
    let answers = futures_util::future::join_all(guesses).await;
    let count = |id: &str| answers.iter().filter(|(status, body)| *status == 401 && body["id"] == id).count();
    assert_eq!((count(BAD_CREDENTIALS), count(LOCKED)), (3, 5), "{answers:?}");
    assert_eq!(failed_attempts(&server, &admin.token, &ann.id).await, 3);
    server.stop().await;
}

/// A server whose unauthenticated routes allow `max_burst + 1` requests at once and one
/// more a second.
async fn server_with_limit(dir: &TestDir, max_burst: u32) -> TestServer {
    let login_security = LoginSecurity { rate_limit_per_sec: 1, rate_limit_max_burst: max_burst, ..LoginSecurity::default() };
    TestServer::start_with(Config { data_dir: dir.path().to_path_buf(), login_security, ..Config::default() }).await
}

/// `POST /hooks/<unknown>` (cheap: no hashing, no database write): status and the
/// `X-RateLimit-*` headers.
async fn hook_call(server: &TestServer, client: &reqwest::Client) -> (u16, [Option<String>; 4], Value) {
    let response = client.post(server.url("/hooks/zzzzzzzzzzzzzzzzzzzzzzzzzz")).json(&json!({ "text": "hi" })).send().await.expect("request");
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_string());
    let headers = [header("x-ratelimit-limit"), header("x-ratelimit-remaining"), header("x-ratelimit-reset"), header("retry-after")];
    let status = response.status().as_u16();
    (status, headers, response.json().await.unwrap_or(Value::Null))
}

/// A client whose connections come from `address` (any 127.x address reaches loopback).
fn client_from(address: &str) -> reqwest::Client {
    let ip: IpAddr = address.parse().unwrap();
    reqwest::Client::builder().local_address(ip).no_proxy().timeout(Duration::from_secs(60)).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_past_the_limit_gets_429_with_mattermosts_headers_per_address() {
    let dir = TestDir::new();
    let server = server_with_limit(&dir, 2).await;
    let first = client_from("127.0.0.1");
    // Three at once (max_burst 2, plus one), each telling what is left.
    for remaining in ["2", "1", "0"] {
        let (status, headers, body) = hook_call(&server, &first).await;
        assert_ne!(status, 429, "{body}");
        assert_eq!(headers[0].as_deref(), Some("3"), "X-RateLimit-Limit");
        assert_eq!(headers[1].as_deref(), Some(remaining), "X-RateLimit-Remaining");
        assert!(headers[2].is_some(), "X-RateLimit-Reset on allowed answers too");
    }
    let (status, headers, body) = hook_call(&server, &first).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!((body["id"].as_str(), body["status_code"].as_i64()), (Some("api.context.rate_limit_exceeded.app_error"), Some(429)));
    assert!(body["request_id"].as_str().is_some_and(|r| !r.is_empty()), "Mattermost's error shape: {body}");
    assert_eq!(headers[1].as_deref(), Some("0"));
    assert!(headers[2].as_deref().is_some_and(|r| r.parse::<u64>().unwrap() >= 1), "{headers:?}");
    assert_eq!(headers[3].as_deref(), Some("1"), "Retry-After");
    // Login and sign-up share the client's bucket.
    let refused = first.post(server.url("/api/v4/users/login")).json(&json!({ "login_id": "x", "password": "y" })).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let refused = first.post(server.url("/api/v4/users")).json(&json!({ "username": "x" })).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    // Routes that need a session or read nothing secret are not limited.
    let ping = first.get(server.url("/api/v4/system/ping")).send().await.unwrap();
    assert_eq!(ping.status(), 200);
    assert!(ping.headers().get("x-ratelimit-limit").is_none());

    // Another address has its own bucket.
    let second = client_from("127.0.0.2");
    let (status, headers, body) = hook_call(&server, &second).await;
    assert_ne!(status, 429, "{body}");
    assert_eq!(headers[1].as_deref(), Some("2"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_limit_lets_a_busy_client_through_and_can_be_switched_off() {
    let dir = TestDir::new();
    let server = TestServer::start(&dir).await;
    let client = client_from("127.0.0.1");
    // Mattermost's numbers: 100 beyond 10 a second.
    for _ in 0..60 {
        let (status, headers, body) = hook_call(&server, &client).await;
        assert_ne!(status, 429, "{body}");
        assert_eq!(headers[0].as_deref(), Some("101"));
    }
    server.stop().await;

    let dir = TestDir::new();
    let login_security = LoginSecurity { rate_limit_enable: false, rate_limit_max_burst: 0, ..LoginSecurity::default() };
    let server = TestServer::start_with(Config { data_dir: dir.path().to_path_buf(), login_security, ..Config::default() }).await;
    for _ in 0..5 {
        let (status, headers, body) = hook_call(&server, &client).await;
        assert_ne!(status, 429, "{body}");
        assert!(headers[0].is_none(), "no headers when off");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_proxy_header_tells_clients_apart() {
    let dir = TestDir::new();
    let login_security =
        LoginSecurity { rate_limit_per_sec: 1, rate_limit_max_burst: 0, rate_limit_vary_by_header: "X-Forwarded-For".into(), ..LoginSecurity::default() };
    let server = TestServer::start_with(Config { data_dir: dir.path().to_path_buf(), login_security, ..Config::default() }).await;
    let call = |forwarded: &'static str| {
        server.client.post(server.url("/hooks/zzzzzzzzzzzzzzzzzzzzzzzzzz")).header("x-forwarded-for", forwarded).json(&json!({ "text": "hi" })).send()
    };
    assert_ne!(call("192.0.2.1").await.unwrap().status(), 429);
    assert_eq!(call("192.0.2.1").await.unwrap().status(), 429, "one request at once per client");
    assert_ne!(call("192.0.2.2").await.unwrap().status(), 429, "the proxy's other client");
    assert_eq!(call("203.0.113.9, 192.0.2.2").await.unwrap().status(), 429, "what the client wrote before the proxy's entry does not count");
    server.stop().await;
}
