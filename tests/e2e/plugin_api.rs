//! The plugin API of `confab:plugin@0.2.0` on a real server (`fx-api-0-2`): server facts, a direct channel the REST API agrees on, and a plugin saving its own settings through the admin's schema check; and a plugin built against the frozen 0.1.0 (`fx-v0-1-0`) changing posts as before.

use confab_e2e::{Backend, TestDir, TestServer, on_both_backends};
use serde_json::{Value, json};

const API: &str = "fx.api-0-2";

on_both_backends!(the_0_2_0_functions_work_through_the_services, a_0_1_0_plugin_still_changes_posts);

/// `method path` under the fixture's `/plugins/fx.api-0-2`: (status, JSON).
async fn plugin(server: &TestServer, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let response = server.client.request(method, server.url(&format!("/plugins/{API}{path}"))).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn the_0_2_0_functions_work_through_the_services(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-api-0-2", "fx_api_0_2.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api::functions").await else { return };
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;

    // config: the site URL clients use, the server's version, a stable id.
    let (status, facts) = plugin(&server, reqwest::Method::GET, "/server", Value::Null).await;
    assert_eq!(status, 200, "{facts}");
    assert_eq!(facts["site_url"], server.url(""));
    assert_eq!(facts["server_version"], env!("CARGO_PKG_VERSION"));
    let id = facts["diagnostic_id"].as_str().unwrap();
    assert_eq!(id.len(), 26, "{facts}");
    let (_, again) = plugin(&server, reqwest::Method::GET, "/server", Value::Null).await;
    assert_eq!(again["diagnostic_id"], id, "the id is stable");

    // channels.get-direct: created by the plugin, the same channel the REST API returns.
    let (status, direct) = plugin(&server, reqwest::Method::POST, "/direct", json!({"a": admin.id, "b": bob.id})).await;
    assert_eq!((status, direct["type"].as_str()), (200, Some("D")), "{direct}");
    let (status, rest) = server.post_as("/api/v4/channels/direct", &bob.token, &json!([bob.id, admin.id])).await;
    assert!(status == 200 || status == 201, "{rest}");
    assert_eq!(rest["id"], direct["id"]);
    let (status, error) = plugin(&server, reqwest::Method::POST, "/direct", json!({"a": admin.id, "b": "nosuchuser0000000000000000"})).await;
    assert_eq!(status, 400, "{error}");

    // config.save-settings: checked like an admin's save, then configuration-changed.
    let (status, saved) = plugin(&server, reqwest::Method::POST, "/save", json!({"greeting": "hey", "loud": true})).await;
    assert_eq!((status, saved), (200, json!({"saved": true})));
    let (_, seen) = plugin(&server, reqwest::Method::GET, "/settings", Value::Null).await;
    assert_eq!(seen, json!({"greeting": "hey", "loud": true}), "the plugin was told");
    let (status, stored) = server.get_as(&format!("/api/v4/plugins/{API}/settings"), &admin.token).await;
    assert_eq!((status, stored), (200, json!({"greeting": "hey", "loud": true})), "and the admin sees them");
    for (bad, names) in [(json!({"loud": "yes"}), "loud"), (json!({"nope": 1}), "nope")] {
        let (status, error) = plugin(&server, reqwest::Method::POST, "/save", bad).await;
        assert_eq!(status, 400, "{error}");
        assert!(error["error"].as_str().unwrap().contains(names), "{error}");
    }
    let (_, seen) = plugin(&server, reqwest::Method::GET, "/settings", Value::Null).await;
    assert_eq!(seen, json!({"greeting": "hey", "loud": true}), "refused saves changed nothing");
    server.stop().await;
}

async fn a_0_1_0_plugin_still_changes_posts(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-v0-1-0", "fx_v0_1_0.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api::v0_1_0").await else { return };
    let admin = server.signup("root").await;
    let (_, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let (_, channel) =
        server.post_as("/api/v4/channels", &admin.token, &json!({ "team_id": team["id"], "name": "dev", "display_name": "Dev", "type": "O" })).await;
    let (status, post) = server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": channel["id"], "message": "v010 hello" })).await;
    assert_eq!((status, post["message"].as_str()), (201, Some("[0.1.0] hello")), "{post}");
    let (status, refused) = server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": channel["id"], "message": "v010-reject" })).await;
    assert_eq!(status, 400, "{refused}");
    let response = server.get("/plugins/fx.v0-1-0/count").await;
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"count": 1, "settings": {"note": "hello"}}));
    server.stop().await;
}
