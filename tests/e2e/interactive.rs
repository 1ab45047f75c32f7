//! Interactive messages and dialogs end to end against a real integration on loopback: a button click updates the post for everyone, a select passes its value, a dialog opens from the click's trigger id and its submission comes back with field errors; clients never see integration URLs or contexts and cannot point a click at another post's action.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::post;
use confab_e2e::{Backend, TestDir, TestServer, User, event_post, on_both_backends};
use confab_server::Config;
use serde_json::{Value, json};

on_both_backends!(buttons_selects_and_dialogs, integrations_stay_on_the_server, dialog_submissions_need_a_dialog_opened_for_the_caller);

/// What the integration received, per path.
type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// A loopback integration: `/click` updates the post and answers ephemerally,
/// `/select` echoes the choice, `/dialog` checks `name` is at least 3 characters,
/// `/internal` answers like an internal service would (data besides `error`/`errors`),
/// `/fail` answers 500.
async fn integration() -> (String, Seen) {
    async fn record(seen: &Seen, path: &str, body: &Value) {
        seen.lock().unwrap().push((path.to_string(), body.clone()));
    }
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route(
            "/click",
            post(|State(seen): State<Seen>, Json(body): Json<Value>| async move {
                record(&seen, "/click", &body).await;
                Json(json!({
                    "update": { "message": format!("approved by <@{}>", body["user_id"].as_str().unwrap()) },
                    "ephemeral_text": "Thanks, <https://example.com/done|done>.",
                }))
            }),
        )
        .route(
            "/select",
            post(|State(seen): State<Seen>, Json(body): Json<Value>| async move {
                record(&seen, "/select", &body).await;
                Json(json!({ "ephemeral_text": format!("you chose {}", body["context"]["selected_option"].as_str().unwrap_or("?")) }))
            }),
        )
        .route(
            "/dialog",
            post(|State(seen): State<Seen>, Json(body): Json<Value>| async move {
                record(&seen, "/dialog", &body).await;
                let name = body["submission"]["name"].as_str().unwrap_or_default().to_string();
                if name.len() < 3 {
                    // Whatever else an integration says is for the server, not the client.
                    Json(json!({ "errors": { "name": "Use at least 3 characters." }, "internal": { "db_password": "hunter2" } })).into_response()
                } else {
                    String::new().into_response()
                }
            }),
        )
        .route(
            "/internal",
            post(|State(seen): State<Seen>, Json(body): Json<Value>| async move {
                record(&seen, "/internal", &body).await;
                Json(json!({ "error": "denied", "errors": { "x": "bad" }, "rows": [{ "secret": "db-row" }], "token": "internal-token" }))
            }),
        )
        .route("/fail", post(|| async { (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "no") }))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// A server that may call loopback integrations, on `backend`.
async fn start(dir: &TestDir, backend: Backend, name: &str, allow_loopback: bool) -> Option<TestServer> {
    let allowed = if allow_loopback { "127.0.0.1".to_string() } else { String::new() };
    TestServer::start_on_with(
        backend,
        name,
        Config { data_dir: dir.path().to_path_buf(), allowed_untrusted_internal_connections: allowed, ..Config::default() },
    )
    .await
}

/// Admin, a team and bob in it; the town-square channel id.
async fn team(server: &TestServer) -> (User, User, String) {
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let (_, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "team_id": team_id, "user_id": bob.id })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &admin.token).await;
    (admin, bob, town["id"].as_str().unwrap().to_string())
}

/// A post with a button to `/click` (context holding a secret), a select to `/select`
/// and a button to `/fail`; returns (post, [button id, select id, failing id]).
async fn post_with_actions(server: &TestServer, admin: &User, channel_id: &str, base: &str) -> (Value, [String; 3]) {
    let attachments = json!([{
        "text": "Deploy v2?",
        "actions": [
            { "name": "Approve", "integration": { "url": format!("{base}/click"), "context": { "secret": "s3cret-context" } } },
            { "name": "Pick", "type": "select", "options": [{ "text": "A", "value": "a" }, { "text": "B", "value": "b" }],
              "integration": { "url": format!("{base}/select") } },
            { "name": "Broken", "integration": { "url": format!("{base}/fail") } },
        ],
    }]);
    let (status, post) =
        server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": channel_id, "message": "", "props": { "attachments": attachments } })).await;
    assert_eq!(status, 201, "{post}");
    let actions = post["props"]["attachments"][0]["actions"].as_array().unwrap();
    let ids = [0, 1, 2].map(|i| actions[i]["id"].as_str().unwrap().to_string());
    (post, ids)
}

async fn buttons_selects_and_dialogs(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = start(&dir, backend, "interactive::buttons", true).await else { return };
    let (base, seen) = integration().await;
    let (admin, bob, channel_id) = team(&server).await;
    let mut admin_ws = server.websocket(&admin.token).await;
    let mut bob_ws = server.websocket(&bob.token).await;
    let (post, [button, select, broken]) = post_with_actions(&server, &admin, &channel_id, &base).await;
    let post_id = post["id"].as_str().unwrap();

    // Bob clicks: the integration hears who, where and the context; everyone sees the update.
    let (status, answer) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/{button}"), &bob.token, &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "OK");
    assert!(answer["trigger_id"].as_str().is_some_and(|t| !t.is_empty()), "the client gets its trigger id: {answer}");
    let (path, request) = seen.lock().unwrap()[0].clone();
    // The integration gets the signed one, and opens a dialog with it.
    let trigger_id = request["trigger_id"].as_str().unwrap().to_string();
    assert_eq!(path, "/click");
    assert_eq!((request["user_id"].as_str(), request["user_name"].as_str()), (Some(bob.id.as_str()), Some("bob")));
    assert_eq!((request["post_id"].as_str(), request["channel_id"].as_str()), (Some(post_id), Some(channel_id.as_str())));
    assert_eq!(
        (request["team_domain"].as_str(), request["channel_name"].as_str(), request["type"].as_str()),
        (Some("eng"), Some("town-square"), Some("button"))
    );
    assert_eq!(request["context"]["secret"], "s3cret-context");
    let edited = admin_ws.expect_event("post_edited", |e| event_post(e)["id"] == post_id).await;
    assert_eq!(event_post(&edited)["message"], "approved by @bob", "Slack markup converted");
    assert!(event_post(&edited)["props"]["attachments"].is_null() || event_post(&edited)["props"]["attachments"][0]["actions"][0].get("integration").is_none());
    let ephemeral = bob_ws.expect_event("ephemeral_message", |_| true).await;
    assert_eq!(event_post(&ephemeral)["message"], "Thanks, [done](https://example.com/done).");
    let (_, stored) = server.get_as(&format!("/api/v4/posts/{post_id}"), &admin.token).await;
    assert_eq!(stored["message"], "approved by @bob");

    // A select passes the chosen value.
    let (status, _) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/{select}"), &bob.token, &json!({ "selected_option": "b" })).await;
    assert_eq!(status, 200);
    let (path, request) = seen.lock().unwrap()[1].clone();
    assert_eq!((path.as_str(), request["type"].as_str(), request["context"]["selected_option"].as_str()), ("/select", Some("select"), Some("b")));
    let ephemeral = bob_ws.expect_event("ephemeral_message", |e| event_post(e)["message"] == "you chose b").await;
    assert_eq!(event_post(&ephemeral)["channel_id"], channel_id.as_str());

    // An integration failing is a 400 with Mattermost's id, and changes nothing.
    let (status, error) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/{broken}"), &bob.token, &json!({})).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("api.post.do_action.action_integration.app_error")), "{error}");

    // The click's trigger id opens a dialog for bob (an integration calls this with its own token).
    let dialog = json!({
        "callback_id": "feedback", "title": "Feedback", "submit_label": "Send", "state": "opaque",
        "elements": [{ "display_name": "Name", "name": "name", "type": "text" }, { "display_name": "Why", "name": "why", "type": "textarea", "optional": true }],
    });
    let open = json!({ "trigger_id": trigger_id, "url": format!("{base}/dialog"), "dialog": dialog });
    let (status, body) = server.post_as("/api/v4/actions/dialogs/open", &admin.token, &open).await;
    assert_eq!(status, 200, "{body}");
    let opened = bob_ws.expect_event("open_dialog", |_| true).await;
    let shown: Value = serde_json::from_str(opened["data"]["dialog"].as_str().unwrap()).unwrap();
    assert_eq!(shown["trigger_id"], answer["trigger_id"], "the client sees its own trigger id, not the signed one");
    assert_eq!((shown["dialog"]["title"].as_str(), shown["url"].as_str()), (Some("Feedback"), Some(format!("{base}/dialog").as_str())));
    for forged in ["not-a-trigger", &format!("{trigger_id}x")] {
        let (status, error) = server
            .post_as("/api/v4/actions/dialogs/open", &admin.token, &json!({ "trigger_id": forged, "url": format!("{base}/dialog"), "dialog": dialog }))
            .await;
        assert_eq!(status, 400, "a forged trigger id is refused: {error}");
    }
    let (status, _) = server
        .post_as("/api/v4/actions/dialogs/open", &admin.token, &json!({ "trigger_id": trigger_id, "url": format!("{base}/dialog"), "dialog": { "title": "" } }))
        .await;
    assert_eq!(status, 400, "an invalid dialog is refused");

    // Submitting: the field error comes back, nothing else the integration said; the
    // integration gets the state it opened the dialog with, whatever the body says.
    let submit = |name: &str| json!({ "url": format!("{base}/dialog"), "callback_id": "feedback", "state": "forged", "user_id": admin.id, "channel_id": channel_id, "submission": { "name": name }, "cancelled": false });
    let (status, answer) = server.post_as("/api/v4/actions/dialogs/submit", &bob.token, &submit("ab")).await;
    assert_eq!((status, &answer), (200, &json!({ "errors": { "name": "Use at least 3 characters." } })));
    let (path, request) = seen.lock().unwrap().last().unwrap().clone();
    assert_eq!((path.as_str(), request["type"].as_str(), request["state"].as_str()), ("/dialog", Some("dialog_submission"), Some("opaque")));
    assert_eq!(request["user_id"], bob.id.as_str(), "the submitter is the signed-in user, whatever the body says");
    // Answered with errors, the dialog stays open: the corrected submission goes through
    // and an empty answer is `{}`, as in Mattermost.
    let (status, answer) = server.post_as("/api/v4/actions/dialogs/submit", &bob.token, &submit("bob")).await;
    assert_eq!((status, &answer), (200, &json!({})));
    // Accepted, it is closed: submitting it again is refused and reaches no one.
    let calls = seen.lock().unwrap().len();
    let (status, error) = server.post_as("/api/v4/actions/dialogs/submit", &bob.token, &submit("bob")).await;
    assert_eq!((status, error["id"].as_str()), (403, Some("api.dialog.submit.not_open.app_error")), "{error}");
    assert_eq!(seen.lock().unwrap().len(), calls, "the integration was not called");
    server.stop().await;
}

async fn integrations_stay_on_the_server(backend: Backend) {
    let dir = TestDir::new();
    // Loopback is not allowed here: a click pointing at it must be refused.
    let Some(server) = start(&dir, backend, "interactive::private", false).await else { return };
    let (base, seen) = integration().await;
    let (admin, bob, channel_id) = team(&server).await;
    let (post, [button, ..]) = post_with_actions(&server, &admin, &channel_id, &base).await;
    let post_id = post["id"].as_str().unwrap();

    // Neither the answer to the poster nor what others read holds the URL or context.
    for shown in [
        post.clone(),
        server.get_as(&format!("/api/v4/posts/{post_id}"), &bob.token).await.1,
        server.get_as(&format!("/api/v4/channels/{channel_id}/posts"), &bob.token).await.1,
    ] {
        let text = shown.to_string();
        assert!(!text.contains("s3cret-context") && !text.contains(&base), "{text}");
    }

    // A second post: its action id clicked on the first post, made-up ids and forged cookies all miss.
    let (other, [other_button, ..]) = post_with_actions(&server, &admin, &channel_id, &base).await;
    assert_ne!(other["id"], post["id"]);
    for (post_id, action_id, body) in [
        (post_id.to_string(), other_button.clone(), json!({})),
        (post_id.to_string(), "nosuchaction".to_string(), json!({})),
        ("nosuchpost0000000000000000".to_string(), button.clone(), json!({ "cookie": "forged" })),
    ] {
        let (status, error) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/{action_id}"), &bob.token, &body).await;
        assert_eq!(status, 404, "{post_id}/{action_id}: {error}");
    }
    // Outbound safety: loopback refused by default, the integration never called.
    let (status, error) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/{button}"), &bob.token, &json!({})).await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error["detailed_error"].as_str().unwrap_or_default().contains("forbidden") || error["message"].as_str().unwrap_or_default().contains("forbidden"),
        "{error}"
    );
    assert!(seen.lock().unwrap().is_empty(), "the integration was not called");

    // Someone outside the team cannot click.
    let eve = server.signup("eve").await;
    let (status, _) = server.post_as(&format!("/api/v4/posts/{post_id}/actions/{button}"), &eve.token, &json!({})).await;
    assert_eq!(status, 403);
    server.stop().await;
}

async fn dialog_submissions_need_a_dialog_opened_for_the_caller(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = start(&dir, backend, "interactive::dialog_binding", true).await else { return };
    let (base, seen) = integration().await;
    let (admin, bob, channel_id) = team(&server).await;
    let internal = format!("{base}/internal");
    let submit = |user: &User, callback_id: &str| {
        let body = json!({ "url": internal, "callback_id": callback_id, "channel_id": channel_id, "submission": { "x": "1" } });
        let token = user.token.clone();
        let server = &server;
        async move { server.post_as("/api/v4/actions/dialogs/submit", &token, &body).await }
    };
    let internal_calls = || seen.lock().unwrap().iter().filter(|(path, _)| path == "/internal").count();

    // No dialog was opened with that URL: refused, the URL never called.
    let (status, error) = submit(&bob, "c").await;
    assert_eq!((status, error["id"].as_str()), (403, Some("api.dialog.submit.not_open.app_error")), "{error}");
    assert_eq!(internal_calls(), 0);

    // Bob clicks, the integration opens a dialog for him with that URL.
    let (post, [button, ..]) = post_with_actions(&server, &admin, &channel_id, &base).await;
    let (status, _) = server.post_as(&format!("/api/v4/posts/{}/actions/{button}", post["id"].as_str().unwrap()), &bob.token, &json!({})).await;
    assert_eq!(status, 200);
    let trigger_id = seen.lock().unwrap()[0].1["trigger_id"].as_str().unwrap().to_string();
    let open = json!({ "trigger_id": trigger_id, "url": internal, "dialog": { "callback_id": "c", "title": "Check", "elements": [] } });
    assert_eq!(server.post_as("/api/v4/actions/dialogs/open", &admin.token, &open).await.0, 200);

    // Someone else, or another callback id, still may not submit to it.
    assert_eq!(submit(&admin, "c").await.0, 403, "the dialog is bob's");
    assert_eq!(submit(&bob, "other").await.0, 403, "another callback id");
    assert_eq!(internal_calls(), 0);

    // Bob may; of the service's answer he gets `error` and `errors` only, and as it
    // answered with errors he may submit again.
    for _ in 0..2 {
        let (status, answer) = submit(&bob, "c").await;
        assert_eq!((status, &answer), (200, &json!({ "error": "denied", "errors": { "x": "bad" } })));
        assert!(!answer.to_string().contains("db-row") && !answer.to_string().contains("internal-token"));
    }
    assert_eq!(internal_calls(), 2);
    let (_, request) = seen.lock().unwrap().last().unwrap().clone();
    assert_eq!((request["url"].as_str(), request["user_id"].as_str()), (Some(""), Some(bob.id.as_str())), "the integration is not told its URL");
    server.stop().await;
}
