//! Slash commands end to end: custom commands called over real HTTP (GET and POST) on a loopback receiver, their answers (ephemeral, in channel, extra, plain text, failures), delayed answers through `response_url` (5 uses, 30 minutes), CRUD permissions, every built-in's effect, and a plugin's command.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::IntoResponse;
use confab_e2e::{Backend, TestDir, TestServer, User, WsClient, event_post, on_both_backends};
use confab_server::Config;
use confab_server::testing::{PgSchema, sqlite_url};
use serde_json::{Value, json};

on_both_backends!(
    custom_commands_round_trip_over_get_and_post,
    delayed_answers_through_response_url,
    command_management_follows_mattermost_permissions,
    builtin_commands_take_effect,
    plugin_commands_win_and_answer,
    command_urls_on_loopback_are_refused_by_default,
    name_and_icon_overrides_follow_the_settings
);

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Call {
    method: String,
    path: String,
    /// Query string pairs (GET) or form body pairs (POST), in order.
    fields: Vec<(String, String)>,
    headers: HashMap<String, String>,
}

impl Call {
    fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no field {name} in {:?}", self.fields))
    }
}

/// Status, content type and body the receiver answers a path with.
type Answer = (u16, &'static str, String);

/// A command URL on loopback: records every call and answers with what the test set
/// for the path (default: 200 `{}`).
#[derive(Clone, Default)]
struct Receiver {
    calls: Arc<Mutex<Vec<Call>>>,
    answers: Arc<Mutex<HashMap<String, Answer>>>,
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let receiver = Receiver::default();
        let app = axum::Router::new().fallback(record).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    fn answer(&self, path: &str, status: u16, content_type: &'static str, body: impl Into<String>) {
        self.answers.lock().unwrap().insert(path.to_string(), (status, content_type, body.into()));
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn last(&self) -> Call {
        self.calls().pop().expect("the receiver was called")
    }
}

fn pairs(encoded: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://x/?{encoded}")).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

async fn record(State(receiver): State<Receiver>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let fields = if method == Method::GET { pairs(uri.query().unwrap_or_default()) } else { pairs(&String::from_utf8_lossy(&body)) };
    let headers = headers.iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string())).collect();
    receiver.calls.lock().unwrap().push(Call { method: method.to_string(), path: uri.path().to_string(), fields, headers });
    let (status, content_type, body) = receiver.answers.lock().unwrap().get(uri.path()).cloned().unwrap_or((200, "application/json", "{}".into()));
    (StatusCode::from_u16(status).unwrap(), [(header::CONTENT_TYPE, content_type)], body)
}

/// A server that may call loopback (the receiver), on `backend`; the schema guard
/// lives as long as the test.
async fn start(dir: &TestDir, backend: Backend, name: &str) -> Option<(TestServer, Option<PgSchema>)> {
    start_with(dir, backend, name, Config::default()).await
}

/// [`start`] with other settings from `config`.
async fn start_with(dir: &TestDir, backend: Backend, name: &str, config: Config) -> Option<(TestServer, Option<PgSchema>)> {
    let base = Config { data_dir: dir.path().to_path_buf(), allowed_untrusted_internal_connections: "127.0.0.1".into(), ..config };
    match backend {
        Backend::Sqlite => Some((TestServer::start_with(Config { database_url: Some(sqlite_url(dir.path())), ..base }).await, None)),
        Backend::Postgres => {
            let schema = PgSchema::create(name).await?;
            let server = TestServer::start_with(Config { database_url: Some(schema.url.clone()), ..base }).await;
            Some((server, Some(schema)))
        }
    }
}

/// root (system admin), ann (creates team `eng`, so team admin), bob and eve (members);
/// channel `dev` with ann and bob. Returns (users, team id, dev id).
async fn setup(server: &TestServer) -> (User, User, User, User, String, String) {
    let root = server.signup("root").await;
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let eve = server.signup("eve").await;
    let (status, team) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap().to_string();
    for user in [&bob, &eve] {
        let (status, body) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &user.token, &json!({ "user_id": user.id })).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, dev) = server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "dev", "display_name": "Dev", "type": "O" })).await;
    assert_eq!(status, 201, "{dev}");
    let dev_id = dev["id"].as_str().unwrap().to_string();
    let (status, _) = server.post_as(&format!("/api/v4/channels/{dev_id}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 201);
    (root, ann, bob, eve, team_id, dev_id)
}

async fn create_command(server: &TestServer, token: &str, team_id: &str, trigger: &str, method: &str, url: &str) -> Value {
    let body = json!({ "team_id": team_id, "trigger": trigger, "method": method, "url": url, "display_name": trigger, "auto_complete": true, "auto_complete_desc": format!("{trigger} things") });
    let (status, command) = server.post_as("/api/v4/commands", token, &body).await;
    assert_eq!(status, 201, "{command}");
    command
}

async fn execute(server: &TestServer, user: &User, channel_id: &str, command: &str) -> (u16, Value) {
    server.post_as("/api/v4/commands/execute", &user.token, &json!({ "channel_id": channel_id, "command": command })).await
}

/// The message of every stored post in the channel, oldest first.
async fn messages(server: &TestServer, user: &User, channel_id: &str) -> Vec<String> {
    let (status, list) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts"), &user.token).await;
    assert_eq!(status, 200, "{list}");
    let mut out: Vec<String> =
        list["order"].as_array().unwrap().iter().map(|id| list["posts"][id.as_str().unwrap()]["message"].as_str().unwrap().to_string()).collect();
    out.reverse();
    out
}

/// Wait for `event` matching on `ws`, and return everything that came before it too.
async fn events_until(ws: &mut WsClient, event: &str, matches: impl Fn(&Value) -> bool) -> Vec<Value> {
    let start = ws.received.len();
    ws.expect_event(event, matches).await;
    ws.received[start..].to_vec()
}

fn ephemeral_messages(events: &[Value]) -> Vec<String> {
    events.iter().filter(|e| e["event"] == "ephemeral_message").map(|e| event_post(e)["message"].as_str().unwrap().to_string()).collect()
}

async fn custom_commands_round_trip_over_get_and_post(backend: Backend) {
    let dir = TestDir::new();
    let Some((server, _schema)) = start(&dir, backend, "commands::round_trip").await else { return };
    let (receiver, url) = Receiver::start().await;
    let (_root, ann, bob, _eve, team_id, dev_id) = setup(&server).await;
    let weather = create_command(&server, &ann.token, &team_id, "Weather", "G", &format!("{url}/weather?units=metric")).await;
    assert_eq!(weather["trigger"], "weather", "lower-cased");
    assert_eq!(weather["token"].as_str().unwrap().len(), 26);
    let deploy = create_command(&server, &ann.token, &team_id, "deploy", "P", &format!("{url}/deploy")).await;
    let mut ann_ws = server.websocket(&ann.token).await;
    let mut bob_ws = server.websocket(&bob.token).await;

    // GET: every field in the query string, the token in the header; an ephemeral
    // answer reaches bob only and is not stored.
    receiver.answer("/weather", 200, "application/json", r#"{"text": "Sunny in <https://example.com/berlin|Berlin>"}"#);
    let (status, answer) = execute(&server, &bob, &dev_id, "/weather berlin @ann ~dev @nobody").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["text"], "Sunny in [Berlin](https://example.com/berlin)", "Slack links converted");
    assert!(!answer["trigger_id"].as_str().unwrap().is_empty());
    let call = receiver.last();
    assert_eq!((call.method.as_str(), call.path.as_str()), ("GET", "/weather"));
    assert_eq!(call.field("units"), "metric", "the URL's own query is kept");
    assert_eq!(call.headers["authorization"], format!("Token {}", weather["token"].as_str().unwrap()));
    assert_eq!(call.headers["accept"], "application/json");
    for (name, value) in [
        ("token", weather["token"].as_str().unwrap()),
        ("team_id", team_id.as_str()),
        ("team_domain", "eng"),
        ("channel_id", dev_id.as_str()),
        ("channel_name", "dev"),
        ("user_id", bob.id.as_str()),
        ("user_name", "bob"),
        ("command", "/weather"),
        ("text", "berlin @ann ~dev @nobody"),
        ("root_id", ""),
        ("user_mentions", "ann"),
        ("user_mentions_ids", ann.id.as_str()),
        ("channel_mentions", "dev"),
        ("channel_mentions_ids", dev_id.as_str()),
    ] {
        assert_eq!(call.field(name), value, "field {name}");
    }
    assert_eq!(call.fields.iter().filter(|(k, _)| k == "user_mentions").count(), 1, "@nobody is no team member");
    assert!(call.field("response_url").starts_with(&format!("{}/hooks/commands/", server.base_url)), "{}", call.field("response_url"));
    assert!(call.field("trigger_id").len() > 26, "the signed trigger id goes to the integration");
    let seen = events_until(&mut bob_ws, "ephemeral_message", |_| true).await;
    let ephemeral = event_post(seen.last().unwrap());
    assert_eq!((ephemeral["message"].as_str(), ephemeral["type"].as_str()), (Some("Sunny in [Berlin](https://example.com/berlin)"), Some("system_ephemeral")));
    assert_eq!((ephemeral["channel_id"].as_str(), ephemeral["user_id"].as_str()), (Some(dev_id.as_str()), Some(bob.id.as_str())));
    assert!(!messages(&server, &ann, &dev_id).await.iter().any(|m| m.contains("Sunny")), "ephemeral answers are never stored");

    // POST: the same fields as a form; an in-channel answer with extra responses and
    // an attachment is stored for everyone, the extra ephemeral one goes to bob only.
    let answer_json = json!({
        "response_type": "in_channel",
        "text": "Deploying <!channel>",
        "attachments": [{ "fallback": "deploy", "title": "build 42", "text": "by <@{bob}>".replace("{bob}", &bob.id) }],
        "props": { "build": 42, "from_webhook": "false" },
        "extra_responses": [
            { "text": "only you see this" },
            { "response_type": "in_channel", "text": "Deployed", "skip_slack_parsing": true }
        ]
    });
    receiver.answer("/deploy", 200, "application/json; charset=utf-8", answer_json.to_string());
    let (status, answer) = execute(&server, &bob, &dev_id, "/deploy api prod").await;
    assert_eq!(status, 200, "{answer}");
    let call = receiver.last();
    assert_eq!((call.method.as_str(), call.headers["content-type"].as_str()), ("POST", "application/x-www-form-urlencoded"));
    assert_eq!((call.field("command"), call.field("text"), call.field("token")), ("/deploy", "api prod", deploy["token"].as_str().unwrap()));
    assert_eq!(call.headers["authorization"], format!("Token {}", deploy["token"].as_str().unwrap()));
    let before_deployed = events_until(&mut ann_ws, "posted", |e| event_post(e)["message"] == "Deployed").await;
    let posted: Vec<Value> = before_deployed.iter().filter(|e| e["event"] == "posted").map(event_post).collect();
    let main = posted.iter().find(|p| p["message"] == "Deploying @channel").expect("the main answer was posted to ann");
    assert_eq!((main["user_id"].as_str(), main["type"].as_str()), (Some(bob.id.as_str()), Some("slack_attachment")));
    assert_eq!(main["props"]["from_webhook"], "true", "custom command posts are marked, whatever the props said");
    assert_eq!(main["props"]["build"], 42);
    let attachment = &main["props"]["attachments"][0];
    assert_eq!((attachment["title"].as_str(), attachment["text"].as_str()), (Some("build 42"), Some("by @bob")));
    assert!(attachment["id"].as_i64().is_some(), "attachments get ids: {attachment}");
    assert!(ephemeral_messages(&ann_ws.received).is_empty(), "ann never sees bob's ephemeral answers: {:#?}", ann_ws.received);
    let seen = events_until(&mut bob_ws, "posted", |e| event_post(e)["message"] == "Deployed").await;
    assert_eq!(ephemeral_messages(&seen), ["only you see this"]);
    let stored = messages(&server, &ann, &dev_id).await;
    assert_eq!(stored[stored.len() - 2..], ["Deploying @channel", "Deployed"]);

    // A body that is not JSON is the text.
    receiver.answer("/deploy", 200, "text/plain", "{\"text\": \"not parsed\"}");
    let (status, answer) = execute(&server, &bob, &dev_id, "/deploy").await;
    assert_eq!((status, answer["text"].as_str()), (200, Some("{\"text\": \"not parsed\"}")), "{answer}");
    let seen = events_until(&mut bob_ws, "ephemeral_message", |_| true).await;
    assert_eq!(ephemeral_messages(&seen), ["{\"text\": \"not parsed\"}"]);

    // Anything but 200 is Mattermost's 500, and nothing is posted.
    receiver.answer("/deploy", 503, "application/json", r#"{"response_type":"in_channel","text":"should not appear"}"#);
    let (status, body) = execute(&server, &bob, &dev_id, "/deploy").await;
    assert_eq!((status, body["id"].as_str()), (500, Some("api.command.execute_command.failed_resp.app_error")), "{body}");
    assert_eq!(body["status_code"], 500);
    assert!(!messages(&server, &ann, &dev_id).await.iter().any(|m| m.contains("should not appear")));

    // Invalid JSON under a JSON content type is a failure too.
    receiver.answer("/deploy", 200, "application/json", "{oops");
    let (status, body) = execute(&server, &bob, &dev_id, "/deploy").await;
    assert_eq!((status, body["id"].as_str()), (500, Some("api.command.execute_command.failed.app_error")), "{body}");

    // An answer into a channel the caller is not in fails the call, after the rest was posted.
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &ann.token).await;
    let (_, private) =
        server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "secret", "display_name": "Secret", "type": "P" })).await;
    let extra = json!({ "response_type": "in_channel", "text": "to town", "channel_id": town["id"],
        "extra_responses": [{ "response_type": "in_channel", "text": "to secret", "channel_id": private["id"] }] });
    receiver.answer("/deploy", 200, "application/json", extra.to_string());
    let (status, body) = execute(&server, &bob, &dev_id, "/deploy").await;
    assert_eq!((status, body["id"].as_str()), (500, Some("api.command.execute_command.create_post_failed.app_error")), "{body}");
    assert_eq!(messages(&server, &ann, town["id"].as_str().unwrap()).await.last().map(String::as_str), Some("to town"));

    // Not a member of the channel: 403; no command: Mattermost's 400 and 404.
    let (status, _) = execute(&server, &bob, private["id"].as_str().unwrap(), "/deploy").await;
    assert_eq!(status, 403);
    let (status, body) = execute(&server, &bob, &dev_id, "deploy").await;
    assert_eq!((status, body["id"].as_str()), (400, Some("api.command.execute_command.start.app_error")));
    let (status, body) = execute(&server, &bob, &dev_id, "/nosuchthing x").await;
    assert_eq!((status, body["id"].as_str()), (404, Some("api.command.execute_command.not_found.app_error")));
    server.stop().await;
}

async fn delayed_answers_through_response_url(backend: Backend) {
    let dir = TestDir::new();
    let Some((server, _schema)) = start(&dir, backend, "commands::delayed").await else { return };
    let (receiver, url) = Receiver::start().await;
    let (_root, ann, bob, _eve, team_id, dev_id) = setup(&server).await;
    create_command(&server, &ann.token, &team_id, "later", "P", &format!("{url}/later")).await;
    let mut ann_ws = server.websocket(&ann.token).await;
    let mut bob_ws = server.websocket(&bob.token).await;

    receiver.answer("/later", 200, "application/json", r#"{"text": "working on it"}"#);
    let (status, _) = execute(&server, &bob, &dev_id, "/later").await;
    assert_eq!(status, 200);
    let response_url = receiver.last().field("response_url").to_string();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();

    // Text with a NUL (a JSON escape, or raw in plain text) is refused before the answer
    // counts as a use: the five below still go through.
    for (content_type, body) in [("application/json", r#"{"response_type": "in_channel", "text": "a\u0000b"}"#), ("text/plain", "a\u{0}b")] {
        let response = client.post(&response_url).header("content-type", content_type).body(body).send().await.unwrap();
        assert_eq!(response.status(), 400, "{content_type}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["id"], "api.context.invalid_body_param.app_error", "{content_type}");
    }

    // Five answers are accepted: JSON in channel (as bob, from_webhook), plain text ephemeral.
    for i in 1..=4 {
        let response = client.post(&response_url).json(&json!({ "response_type": "in_channel", "text": format!("step {i}") })).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/plain");
        assert_eq!(response.text().await.unwrap(), "ok");
        let posted = ann_ws.expect_event("posted", |e| event_post(e)["message"] == format!("step {i}")).await;
        assert_eq!((event_post(&posted)["user_id"].as_str(), event_post(&posted)["props"]["from_webhook"].as_str()), (Some(bob.id.as_str()), Some("true")));
    }
    let response = client.post(&response_url).header("content-type", "text/plain").body("done, privately").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let seen = events_until(&mut bob_ws, "ephemeral_message", |e| event_post(e)["message"] == "done, privately").await;
    assert_eq!(ephemeral_messages(&seen).last().map(String::as_str), Some("done, privately"));

    // The sixth is refused, and posts nothing.
    let response = client.post(&response_url).json(&json!({ "response_type": "in_channel", "text": "step 6" })).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["id"], "app.command_webhook.try_use.invalid");
    assert!(!messages(&server, &ann, &dev_id).await.contains(&"step 6".to_string()));

    // Bad JSON is a 400; an unknown hook a 404.
    let response = client.post(&response_url).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(response.status(), 400);
    let response = client.post(server.url("/hooks/commands/zzzzzzzzzzzzzzzzzzzzzzzzzz")).json(&json!({ "text": "x" })).send().await.unwrap();
    assert_eq!(response.status(), 404);

    // A hook older than 30 minutes is refused: one recorded 31 minutes ago.
    let store = confab_server::store::Store::connect(&server.database_url).await.unwrap();
    let command_id = response_url.rsplit('/').next().unwrap();
    let hook = store.get_command_webhook(command_id, 0).await.unwrap();
    let old =
        confab_server::store::CommandWebhook { id: "oldhookoldhookoldhookoldho".into(), create_at: hook.create_at - 31 * 60 * 1000, use_count: 0, ..hook };
    store.insert_command_webhook(&old).await.unwrap();
    let response = client
        .post(server.url(&format!("/hooks/commands/{}", old.id)))
        .json(&json!({ "response_type": "in_channel", "text": "too late" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["id"], "app.command_webhook.get.missing");
    assert!(!messages(&server, &ann, &dev_id).await.contains(&"too late".to_string()));
    store.close().await;
    server.stop().await;
}

async fn command_management_follows_mattermost_permissions(backend: Backend) {
    let dir = TestDir::new();
    let Some((server, _schema)) = start(&dir, backend, "commands::permissions").await else { return };
    let (root, ann, bob, _eve, team_id, _dev_id) = setup(&server).await;
    let url = "https://hooks.example.com/cmd";

    // Regular members may not create commands; team admins may.
    let body = json!({ "team_id": team_id, "trigger": "weather", "url": url });
    let (status, error) = server.post_as("/api/v4/commands", &bob.token, &body).await;
    assert_eq!((status, error["id"].as_str()), (403, Some("api.context.permissions.app_error")), "{error}");
    let weather = create_command(&server, &ann.token, &team_id, "weather", "P", url).await;
    let id = weather["id"].as_str().unwrap();
    assert_eq!((weather["creator_id"].as_str(), weather["method"].as_str()), (Some(ann.id.as_str()), Some("P")));

    // Triggers: built-ins and taken ones are refused, bad ones get the model's ids.
    for (trigger, expected) in [
        ("echo", "api.command.duplicate_trigger.app_error"),
        ("Weather", "api.command.duplicate_trigger.app_error"),
        ("/x", "model.command.is_valid.trigger.app_error"),
        ("a b", "model.command.is_valid.trigger.app_error"),
    ] {
        let (status, error) = server.post_as("/api/v4/commands", &ann.token, &json!({ "team_id": team_id, "trigger": trigger, "url": url })).await;
        assert_eq!((status, error["id"].as_str()), (400, Some(expected)), "{trigger}: {error}");
    }
    let (status, error) = server.post_as("/api/v4/commands", &ann.token, &json!({ "team_id": team_id, "trigger": "x", "url": "ftp://x" })).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("model.command.is_valid.url_http.app_error")));

    // bob sees the command only sanitized, and only in lists.
    let (status, error) = server.get_as(&format!("/api/v4/commands/{id}"), &bob.token).await;
    assert_eq!((status, error["id"].as_str()), (404, Some("store.sql_command.save.get.app_error")));
    let (status, list) = server.get_as(&format!("/api/v4/commands?team_id={team_id}"), &bob.token).await;
    assert_eq!(status, 200, "{list}");
    let listed = list.as_array().unwrap().iter().find(|c| c["trigger"] == "weather").expect("weather is listed");
    assert_eq!((listed["token"].as_str(), listed["url"].as_str(), listed["creator_id"].as_str()), (Some(""), Some(""), Some("")));
    assert!(list.as_array().unwrap().iter().any(|c| c["trigger"] == "away"), "built-ins are listed");
    let (status, _) = server.get_as(&format!("/api/v4/commands?team_id={team_id}&custom_only=true"), &bob.token).await;
    assert_eq!(status, 403);
    let (status, custom) = server.get_as(&format!("/api/v4/commands?team_id={team_id}&custom_only=true"), &ann.token).await;
    assert_eq!((status, custom.as_array().map(Vec::len)), (200, Some(1)));
    assert_eq!(custom[0]["token"], weather["token"], "managers see the token");
    for path in [format!("/api/v4/commands/{id}"), format!("/api/v4/commands/{id}/regen_token")] {
        let (status, _) = server.put_as(&path, &bob.token, &weather).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = server.delete_as(&format!("/api/v4/commands/{id}"), &bob.token).await;
    assert_eq!(status, 404);

    // The creator updates and regenerates; the team may not change.
    let mut changed = weather.clone();
    changed["description"] = json!("Weather reports");
    changed["token"] = json!("ignored");
    let (status, updated) = server.put_as(&format!("/api/v4/commands/{id}"), &ann.token, &changed).await;
    assert_eq!((status, updated["description"].as_str()), (200, Some("Weather reports")), "{updated}");
    assert_eq!(updated["token"], weather["token"], "the token is not edited by PUT");
    changed["team_id"] = json!("zzzzzzzzzzzzzzzzzzzzzzzzzz");
    let (status, error) = server.put_as(&format!("/api/v4/commands/{id}"), &ann.token, &changed).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("api.command.team_mismatch.app_error")));
    let (status, regen) = server.put_as(&format!("/api/v4/commands/{id}/regen_token"), &ann.token, &json!({})).await;
    assert_eq!(status, 200);
    assert_ne!(regen["token"], weather["token"]);
    let (_, fetched) = server.get_as(&format!("/api/v4/commands/{id}"), &ann.token).await;
    assert_eq!(fetched["token"], regen["token"]);

    // Autocomplete: built-ins and custom commands offered for autocomplete, sanitized.
    let (status, offered) = server.get_as(&format!("/api/v4/teams/{team_id}/commands/autocomplete"), &bob.token).await;
    assert_eq!(status, 200);
    let weather_offered = offered.as_array().unwrap().iter().find(|c| c["trigger"] == "weather").expect("offered");
    assert_eq!(weather_offered["url"], "");
    let (status, suggestions) = server.get_as(&format!("/api/v4/teams/{team_id}/commands/autocomplete_suggestions?user_input=%2Fwe"), &bob.token).await;
    assert_eq!(status, 200, "{suggestions}");
    assert_eq!(suggestions, json!([{ "Complete": "weather", "Suggestion": "/weather", "Hint": "", "Description": "weather things", "IconData": "" }]));
    let (status, _) = server.get_as(&format!("/api/v4/teams/{team_id}/commands/autocomplete"), &root.token).await;
    assert_eq!(status, 200, "system admins see every team's");

    // A system admin may delete anyone's command; it is gone for execution too.
    let (status, _) = server.delete_as(&format!("/api/v4/commands/{id}"), &root.token).await;
    assert_eq!(status, 200);
    let (status, _) = server.get_as(&format!("/api/v4/commands/{id}"), &ann.token).await;
    assert_eq!(status, 404);
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &ann.token).await;
    let (status, _) = execute(&server, &ann, town["id"].as_str().unwrap(), "/weather").await;
    assert_eq!(status, 404);
    // ... and its trigger is free again.
    create_command(&server, &ann.token, &team_id, "weather", "G", url).await;
    server.stop().await;
}

async fn builtin_commands_take_effect(backend: Backend) {
    let dir = TestDir::new();
    let Some((server, _schema)) = start(&dir, backend, "commands::builtins").await else { return };
    let (_root, ann, bob, eve, team_id, dev_id) = setup(&server).await;
    let mut ann_ws = server.websocket(&ann.token).await;
    let mut bob_ws = server.websocket(&bob.token).await;

    // /echo, /me, /shrug post as the caller.
    let (status, _) = execute(&server, &bob, &dev_id, "/echo \"hello there\"").await;
    assert_eq!(status, 200);
    ann_ws.expect_event("posted", |e| event_post(e)["message"] == "hello there" && event_post(e)["user_id"] == bob.id.as_str()).await;
    execute(&server, &bob, &dev_id, "/me waves").await;
    let me = ann_ws.expect_event("posted", |e| event_post(e)["message"] == "*waves*").await;
    assert_eq!((event_post(&me)["type"].as_str(), event_post(&me)["props"]["message"].as_str()), (Some("me"), Some("waves")));
    assert!(event_post(&me)["props"].get("from_webhook").is_none(), "built-in posts are the user's own");
    execute(&server, &bob, &dev_id, "/shrug oh well").await;
    ann_ws.expect_event("posted", |e| event_post(e)["message"] == "oh well ¯\\\\\\_(ツ)\\_/¯").await;
    let (status, body) = execute(&server, &bob, &dev_id, "/echo").await;
    assert_eq!(status, 200, "{body}");
    let seen = events_until(&mut bob_ws, "ephemeral_message", |_| true).await;
    assert_eq!(ephemeral_messages(&seen), ["A message must be provided with the /echo command."]);

    // /join ~name joins eve and sends her there; /leave leaves.
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &eve.token).await;
    let town_id = town["id"].as_str().unwrap();
    let (status, answer) = execute(&server, &eve, town_id, "/join ~dev").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["goto_location"], format!("{}/eng/channels/dev", server.base_url));
    ann_ws.expect_event("user_added", |e| e["data"]["user_id"] == eve.id.as_str() && e["broadcast"]["channel_id"] == dev_id.as_str()).await;
    let (status, _) = server.get_as(&format!("/api/v4/channels/{dev_id}/members/{}", eve.id), &eve.token).await;
    assert_eq!(status, 200, "eve is a member");
    let (status, answer) = execute(&server, &eve, &dev_id, "/leave").await;
    assert_eq!((status, answer["goto_location"].as_str()), (200, Some(format!("{}/eng/channels/town-square", server.base_url).as_str())));
    ann_ws.expect_event("user_removed", |e| e["data"]["user_id"] == eve.id.as_str()).await;
    let (status, _) = server.get_as(&format!("/api/v4/channels/{dev_id}/members/{}", eve.id), &ann.token).await;
    assert_eq!(status, 404, "eve left");

    // /header and /purpose change the channel and broadcast channel_updated.
    execute(&server, &bob, &dev_id, "/header Deploys at 5").await;
    let updated = ann_ws.expect_event("channel_updated", |_| true).await;
    let channel: Value = serde_json::from_str(updated["data"]["channel"].as_str().unwrap()).unwrap();
    assert_eq!(channel["header"], "Deploys at 5");
    execute(&server, &bob, &dev_id, "/purpose Shipping").await;
    ann_ws.expect_event("channel_updated", |e| e["data"]["channel"].as_str().unwrap().contains("Shipping")).await;
    let (_, dev) = server.get_as(&format!("/api/v4/channels/{dev_id}"), &ann.token).await;
    assert_eq!((dev["header"].as_str(), dev["purpose"].as_str()), (Some("Deploys at 5"), Some("Shipping")));

    // /msg @ann hi: a direct message from bob, and the client is sent there.
    let (status, answer) = execute(&server, &bob, &dev_id, "/msg @ann hi there").await;
    assert_eq!((status, answer["goto_location"].as_str()), (200, Some(format!("{}/eng/messages/@ann", server.base_url).as_str())), "{answer}");
    let dm = ann_ws.expect_event("posted", |e| event_post(e)["message"] == "hi there").await;
    assert_eq!((dm["data"]["channel_type"].as_str(), event_post(&dm)["user_id"].as_str()), (Some("D"), Some(bob.id.as_str())));

    // /away and /online change the status, announced to the user. Connected, bob is
    // online already (his WebSocket set it).
    let (status, before) = server.get_as(&format!("/api/v4/users/{}/status", bob.id), &ann.token).await;
    assert_eq!((status, before["status"].as_str(), before["manual"].as_bool()), (200, Some("online"), Some(false)));
    execute(&server, &bob, &dev_id, "/away").await;
    let change = bob_ws.expect_event("status_change", |e| e["data"]["status"] != "online").await;
    assert_eq!((change["data"]["status"].as_str(), change["data"]["user_id"].as_str()), (Some("away"), Some(bob.id.as_str())));
    let (_, status) = server.get_as(&format!("/api/v4/users/{}/status", bob.id), &ann.token).await;
    assert_eq!((status["status"].as_str(), status["manual"].as_bool()), (Some("away"), Some(true)));
    execute(&server, &bob, &dev_id, "/online").await;
    bob_ws.expect_event("status_change", |e| e["data"]["status"] == "online").await;
    let (_, status) = server.get_as("/api/v4/users/me/status", &bob.token).await;
    assert_eq!(status["status"], "online");
    // The REST route: only yourself, only known statuses.
    let (code, _) = server.put_as(&format!("/api/v4/users/{}/status", bob.id), &ann.token, &json!({ "user_id": bob.id, "status": "dnd" })).await;
    assert_eq!(code, 403);
    let (code, _) = server.put_as(&format!("/api/v4/users/{}/status", bob.id), &bob.token, &json!({ "user_id": bob.id, "status": "sleepy" })).await;
    assert_eq!(code, 400);
    let (code, saved) = server.put_as(&format!("/api/v4/users/{}/status", bob.id), &bob.token, &json!({ "user_id": bob.id, "status": "dnd" })).await;
    assert_eq!((code, saved["status"].as_str()), (200, Some("dnd")));

    // /help answers the caller only.
    execute(&server, &bob, &dev_id, "/help").await;
    let seen = events_until(&mut bob_ws, "ephemeral_message", |e| event_post(e)["message"].as_str().unwrap().contains("/away")).await;
    assert!(ephemeral_messages(&seen).last().unwrap().contains("/msg"));
    let stored = messages(&server, &ann, &dev_id).await;
    assert!(!stored.iter().any(|m| m.contains("Available commands")), "{stored:?}");
    server.stop().await;
}

async fn plugin_commands_win_and_answer(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/hello", "hello.wasm");
    let Some((server, _schema)) = start(&dir, backend, "commands::plugin").await else { return };
    let (receiver, url) = Receiver::start().await;
    let (_root, ann, bob, _eve, team_id, dev_id) = setup(&server).await;
    let mut ann_ws = server.websocket(&ann.token).await;
    let mut bob_ws = server.websocket(&bob.token).await;

    // The plugin's registration is listed and offered.
    let (_, offered) = server.get_as(&format!("/api/v4/teams/{team_id}/commands/autocomplete"), &bob.token).await;
    let hello = offered.as_array().unwrap().iter().find(|c| c["trigger"] == "hello").expect("the plugin's /hello is offered");
    assert_eq!(hello["plugin_id"], "com.confab.hello");

    // A custom command with the same trigger exists, but the plugin wins.
    create_command(&server, &ann.token, &team_id, "hello", "P", &format!("{url}/hello")).await;
    let (status, answer) = execute(&server, &bob, &dev_id, "/hello").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["text"].as_str(), answer["response_type"].as_str()), (Some("Hello, @bob!"), Some("ephemeral")));
    assert!(receiver.calls().is_empty(), "the custom command was not called");
    let seen = events_until(&mut bob_ws, "ephemeral_message", |_| true).await;
    assert_eq!(ephemeral_messages(&seen), ["Hello, @bob!"]);

    // ann is not told: her next event is her own post.
    let (_, post) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": dev_id, "message": "marker" })).await;
    let seen = events_until(&mut ann_ws, "posted", |e| event_post(e)["id"] == post["id"]).await;
    assert!(ephemeral_messages(&seen).is_empty(), "{seen:#?}");
    server.stop().await;
}

async fn command_urls_on_loopback_are_refused_by_default(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "commands::loopback_refused").await else { return };
    let (receiver, url) = Receiver::start().await;
    let (_root, ann, bob, _eve, team_id, dev_id) = setup(&server).await;
    create_command(&server, &ann.token, &team_id, "inside", "P", &format!("{url}/inside")).await;
    let (status, body) = execute(&server, &bob, &dev_id, "/inside").await;
    assert_eq!((status, body["id"].as_str()), (500, Some("api.command.execute_command.failed.app_error")), "{body}");
    assert!(receiver.calls().is_empty(), "the request never left the server");
    server.stop().await;
}

async fn name_and_icon_overrides_follow_the_settings(backend: Backend) {
    let dir = TestDir::new();
    let config = Config { enable_post_username_override: true, enable_post_icon_override: true, ..Config::default() };
    let Some((server, _schema)) = start_with(&dir, backend, "commands::overrides", config).await else { return };
    let (receiver, url) = Receiver::start().await;
    let (_root, ann, bob, _eve, team_id, dev_id) = setup(&server).await;
    let body = json!({ "team_id": team_id, "trigger": "ci", "url": format!("{url}/ci"), "username": "ci-bot" });
    let (status, _) = server.post_as("/api/v4/commands", &ann.token, &body).await;
    assert_eq!(status, 201);
    let mut ann_ws = server.websocket(&ann.token).await;
    // The command's username wins over the answer's; the answer's icon is used when the
    // command has none.
    let answer = json!({ "response_type": "in_channel", "text": "green", "username": "ignored", "icon_url": "https://example.com/ci.png" });
    receiver.answer("/ci", 200, "application/json", answer.to_string());
    let (status, _) = execute(&server, &bob, &dev_id, "/ci").await;
    assert_eq!(status, 200);
    let posted = event_post(&ann_ws.expect_event("posted", |e| event_post(e)["message"] == "green").await);
    assert_eq!(posted["props"]["override_username"], "ci-bot");
    assert_eq!(posted["props"]["override_icon_url"], "https://example.com/ci.png");
    assert_eq!(posted["props"]["from_webhook"], "true");
    // A built-in whose answer names nobody stays the user's own post.
    execute(&server, &bob, &dev_id, "/me ships").await;
    let me = event_post(&ann_ws.expect_event("posted", |e| event_post(e)["message"] == "*ships*").await);
    assert!(me["props"].get("override_username").is_none() && me["props"].get("from_webhook").is_none(), "{me}");
    server.stop().await;
}
