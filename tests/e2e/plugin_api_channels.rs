//! The channel and team functions of `confab:plugin@0.2.0` on a real server (`fx-api-channels`): each call takes the REST route's use case (same checks, same WebSocket events, same rows), group channels and channel search agree with their REST routes, and every function is refused without its permission.

use confab_e2e::{Backend, TestDir, TestServer, User, on_both_backends};
use serde_json::{Value, json};

const API: &str = "fx.api-channels";

on_both_backends!(the_channel_and_team_functions_act_through_the_services, each_function_needs_its_permission);

/// Call `function` (`channels.patch`, ...) of the plugin `id` with `args`: `Ok(result)`
/// or `Err(error kind)`.
async fn call_as(server: &TestServer, id: &str, function: &str, args: Value) -> Result<Value, String> {
    let mut body = args;
    body["fn"] = json!(function);
    let response = server.client.post(server.url(&format!("/plugins/{id}/call"))).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    match status {
        200 => Ok(answer["ok"].clone()),
        400 => Err(answer["error"].as_str().unwrap_or_default().to_string()),
        other => panic!("{function}: status {other}, {answer}"),
    }
}

async fn call(server: &TestServer, function: &str, args: Value) -> Result<Value, String> {
    call_as(server, API, function, args).await
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array().unwrap_or_else(|| panic!("not a list: {list}")).iter().map(|c| c["id"].as_str().unwrap()).collect()
}

/// A team `eng` made by `admin` with public `dev-ops` and `backend` and private `secret`:
/// (team id, town-square id, dev-ops id, backend id, secret id).
async fn world(server: &TestServer, admin: &User) -> (String, String, String, String, String) {
    let (status, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap().to_string();
    let mut made = Vec::new();
    for (name, display_name, kind, purpose) in
        [("dev-ops", "Dev Ops", "O", "deploys and builds"), ("backend", "Backend Team", "O", ""), ("secret", "Secret", "P", "")]
    {
        let body = json!({ "team_id": team_id, "name": name, "display_name": display_name, "type": kind, "purpose": purpose });
        let (status, channel) = server.post_as("/api/v4/channels", &admin.token, &body).await;
        assert_eq!(status, 201, "{channel}");
        made.push(channel["id"].as_str().unwrap().to_string());
    }
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &admin.token).await;
    let [dev, backend, secret] = made.try_into().unwrap();
    (team_id, town["id"].as_str().unwrap().to_string(), dev, backend, secret)
}

async fn the_channel_and_team_functions_act_through_the_services(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-api-channels", "fx_api_channels.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_channels::functions").await else { return };
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let carol = server.signup("carol").await;
    let dave = server.signup("dave").await;
    let (team, town, dev, backend_id, secret) = world(&server, &admin).await;
    let mut bob_socket = server.websocket(&bob.token).await;

    teams_membership(&server, &team, &town, &secret, [&bob, &carol, &dave], &mut bob_socket).await;
    listings_and_search(&server, &admin, &bob, &team, &town, &dev, &backend_id, &secret).await;
    patch_archive_restore(&server, &bob.token, &team, &town, &dev, &mut bob_socket).await;
    group_channels(&server, [&admin, &bob, &carol, &dave], &mut bob_socket).await;

    // teams.remove-member: gone from the team and its channels, `leave_team` sent.
    let mut dave_socket = server.websocket(&dave.token).await;
    assert_eq!(call(&server, "teams.remove-member", json!({ "team_id": team, "user_id": dave.id })).await, Ok(Value::Null));
    dave_socket.expect_event("leave_team", |e| e["data"]["user_id"] == dave.id.as_str()).await;
    assert_eq!(call(&server, "teams.get-member", json!({ "team_id": team, "user_id": dave.id })).await, Err("not-found".into()));
    assert_eq!(call(&server, "channels.get-member", json!({ "channel_id": town, "user_id": dave.id })).await, Err("not-found".into()));
    assert_eq!(call(&server, "teams.remove-member", json!({ "team_id": team, "user_id": dave.id })).await, Err("not-found".into()));
    server.stop().await;
}

/// teams.add-member / get-member / list-for-user, and the default channels joined.
async fn teams_membership(server: &TestServer, team: &str, town: &str, secret: &str, users: [&User; 3], bob_socket: &mut confab_e2e::WsClient) {
    let [bob, carol, dave] = users;
    let added = call(server, "teams.add-member", json!({ "team_id": team, "user_id": bob.id })).await.unwrap();
    assert_eq!((added["team_id"].as_str(), added["user_id"].as_str()), (Some(team), Some(bob.id.as_str())), "{added}");
    bob_socket.expect_event("added_to_team", |e| e["data"]["team_id"] == team).await;
    let again = call(server, "teams.add-member", json!({ "team_id": team, "user_id": bob.id })).await.unwrap();
    assert_eq!(again["user_id"], bob.id.as_str(), "adding again returns the membership");
    let (status, rest) = server.get_as(&format!("/api/v4/teams/{team}/members/{}", bob.id), &bob.token).await;
    assert_eq!((status, rest["user_id"].as_str()), (200, Some(bob.id.as_str())), "{rest}");
    for user in [carol, dave] {
        call(server, "teams.add-member", json!({ "team_id": team, "user_id": user.id })).await.unwrap();
    }
    let member = call(server, "teams.get-member", json!({ "team_id": team, "user_id": bob.id })).await.unwrap();
    assert_eq!(member["roles"], "team_user", "{member}");
    let unknown = "nosuchuser0000000000000000";
    assert_eq!(call(server, "teams.get-member", json!({ "team_id": team, "user_id": unknown })).await, Err("not-found".into()));
    assert_eq!(call(server, "teams.add-member", json!({ "team_id": team, "user_id": unknown })).await, Err("not-found".into()));
    let teams = call(server, "teams.list-for-user", json!({ "user_id": bob.id })).await.unwrap();
    assert_eq!(ids(&teams), [team], "{teams}");

    // The new member is in the default channel, not in the private one.
    let in_town = call(server, "channels.get-member", json!({ "channel_id": town, "user_id": bob.id })).await.unwrap();
    assert_eq!(in_town["channel_id"], town, "{in_town}");
    assert_eq!(call(server, "channels.get-member", json!({ "channel_id": secret, "user_id": bob.id })).await, Err("not-found".into()));
}

/// channels.list-for-team / list-for-user / search, and the REST search agreeing.
#[allow(clippy::too_many_arguments)]
async fn listings_and_search(server: &TestServer, admin: &User, bob: &User, team: &str, town: &str, dev: &str, backend: &str, secret: &str) {
    let public = call(server, "channels.list-for-team", json!({ "team_id": team, "page": 0, "per_page": 50 })).await.unwrap();
    let off_topic = ids(&public)[2].to_string();
    assert_eq!(ids(&public), [backend, dev, off_topic.as_str(), town], "public ones by display name: {public}");
    let first = call(server, "channels.list-for-team", json!({ "team_id": team, "page": 0, "per_page": 1 })).await.unwrap();
    assert_eq!(ids(&first), [backend]);
    assert_eq!(call(server, "channels.list-for-team", json!({ "team_id": team, "page": 0, "per_page": 0 })).await, Err("invalid-input".into()));

    let mine = call(server, "channels.list-for-user", json!({ "user_id": admin.id, "team_id": team })).await.unwrap();
    assert!(ids(&mine).contains(&secret), "the admin's channels include the private one: {mine}");
    let bobs = call(server, "channels.list-for-user", json!({ "user_id": bob.id, "team_id": team })).await.unwrap();
    let mut bobs = ids(&bobs);
    bobs.sort_unstable();
    let mut expected = vec![town, off_topic.as_str()];
    expected.sort_unstable();
    assert_eq!(bobs, expected, "bob is in the default channels only");

    for (term, expected) in [
        ("dev", vec![dev]),
        ("OPS", vec![dev]),
        ("build", vec![dev]),
        ("back team", vec![backend]),
        ("end", vec![]),
        ("secret", vec![]),
        ("back frontend", vec![]),
        ("%", vec![]),
    ] {
        let found = call(server, "channels.search", json!({ "team_id": team, "term": term })).await.unwrap();
        assert_eq!(ids(&found), expected, "search {term:?}: {found}");
    }
    let everything = call(server, "channels.search", json!({ "team_id": team, "term": "  " })).await.unwrap();
    assert_eq!(ids(&everything), ids(&public), "a blank term finds every public channel");
    let (status, rest) = server.post_as(&format!("/api/v4/teams/{team}/channels/search"), &bob.token, &json!({ "term": "dev" })).await;
    assert_eq!((status, ids(&rest)), (200, vec![dev]), "the REST route agrees: {rest}");
    let (status, _) = server.post_as(&format!("/api/v4/teams/{team}/channels/search"), "", &json!({ "term": "dev" })).await;
    assert_eq!(status, 401);
}

/// channels.patch / archive / restore with their events and Mattermost's refusals.
async fn patch_archive_restore(server: &TestServer, token: &str, team: &str, town: &str, dev: &str, bob_socket: &mut confab_e2e::WsClient) {
    let patched = call(server, "channels.patch", json!({ "channel_id": dev, "patch": { "display_name": "DevOps", "header": "on call: bob" } })).await.unwrap();
    assert_eq!(
        (patched["display_name"].as_str(), patched["header"].as_str(), patched["name"].as_str()),
        (Some("DevOps"), Some("on call: bob"), Some("dev-ops"))
    );
    let (_, rest) = server.get_as(&format!("/api/v4/channels/{dev}"), token).await;
    assert_eq!((rest["display_name"].as_str(), rest["header"].as_str()), (Some("DevOps"), Some("on call: bob")), "stored: {rest}");
    for bad in [json!({ "display_name": "" }), json!({ "name": "Not A Slug" })] {
        assert_eq!(call(server, "channels.patch", json!({ "channel_id": dev, "patch": bad })).await, Err("invalid-input".into()), "{bad}");
    }
    assert_eq!(call(server, "channels.patch", json!({ "channel_id": town, "patch": { "name": "lobby" } })).await, Err("invalid-input".into()));

    // Bob is a team member, so he hears that a public channel was archived and restored.
    assert_eq!(call(server, "channels.archive", json!({ "channel_id": dev })).await, Ok(Value::Null));
    bob_socket.expect_event("channel_deleted", |e| e["data"]["channel_id"] == dev).await;
    let public = call(server, "channels.list-for-team", json!({ "team_id": team, "page": 0, "per_page": 50 })).await.unwrap();
    assert!(!ids(&public).contains(&dev), "archived channels are not listed: {public}");
    assert_eq!(call(server, "channels.search", json!({ "team_id": team, "term": "dev" })).await, Ok(json!([])), "nor found");
    assert_eq!(call(server, "channels.archive", json!({ "channel_id": dev })).await, Err("invalid-input".into()), "already archived");
    assert_eq!(call(server, "channels.archive", json!({ "channel_id": town })).await, Err("invalid-input".into()), "the default channel");
    let restored = call(server, "channels.restore", json!({ "channel_id": dev })).await.unwrap();
    assert_eq!(restored["delete_at"], 0, "{restored}");
    bob_socket.expect_event("channel_restored", |e| e["data"]["channel_id"] == dev).await;
    assert_eq!(call(server, "channels.restore", json!({ "channel_id": dev })).await, Err("invalid-input".into()), "not archived");
    assert_eq!(call(server, "channels.archive", json!({ "channel_id": "nosuchchannel0000000000000" })).await, Err("not-found".into()));
}

/// channels.get-group, and `POST /channels/group` finding the same channel.
async fn group_channels(server: &TestServer, users: [&User; 4], bob_socket: &mut confab_e2e::WsClient) {
    let [admin, bob, carol, dave] = users;
    let group = call(server, "channels.get-group", json!({ "user_ids": [carol.id, admin.id, bob.id] })).await.unwrap();
    assert_eq!((group["type"].as_str(), group["team_id"].as_str()), (Some("G"), Some("")), "{group}");
    assert_eq!(group["display_name"], "bob, carol, root");
    assert_eq!(group["name"].as_str().unwrap().len(), 40, "a hex SHA-1: {group}");
    let event = bob_socket.expect_event("group_added", |e| e["broadcast"]["channel_id"] == group["id"]).await;
    let teammates: Vec<String> = serde_json::from_str(event["data"]["teammate_ids"].as_str().unwrap()).unwrap();
    assert_eq!(teammates.len(), 3, "{event}");
    let again = call(server, "channels.get-group", json!({ "user_ids": [bob.id, carol.id, admin.id, bob.id] })).await.unwrap();
    assert_eq!(again["id"], group["id"], "same people in any order, duplicates once: the same channel");
    let (status, rest) = server.post_as("/api/v4/channels/group", &admin.token, &json!([bob.id, carol.id])).await;
    assert_eq!((status, &rest["id"]), (201, &group["id"]), "the caller is added over REST: {rest}");
    let (status, members) = server.get_as(&format!("/api/v4/channels/{}/members", group["id"].as_str().unwrap()), &carol.token).await;
    assert_eq!((status, members.as_array().map(Vec::len)), (200, Some(3)), "{members}");

    let (status, other) = server.post_as("/api/v4/channels/group", &bob.token, &json!([carol.id, dave.id])).await;
    assert_eq!((status, other["type"].as_str()), (201, Some("G")), "{other}");
    assert_ne!(other["id"], group["id"]);
    let (status, error) = server.post_as("/api/v4/channels/group", &bob.token, &json!([carol.id])).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("api.channel.create_group.bad_size.app_error")), "{error}");
    let (status, error) = server.post_as("/api/v4/channels/group", &bob.token, &json!([carol.id, "nosuchuser0000000000000000"])).await;
    assert_eq!((status, error["id"].as_str()), (400, Some("api.channel.create_group.bad_user.app_error")), "{error}");
    assert_eq!(call(server, "channels.get-group", json!({ "user_ids": [admin.id, bob.id] })).await, Err("invalid-input".into()), "a plugin names all");
    let nine: Vec<String> = (0..9).map(|i| format!("user{i:0>22}")).collect();
    assert_eq!(call(server, "channels.get-group", json!({ "user_ids": nine })).await, Err("invalid-input".into()));
}

/// Install the fixture again as `id` with only `permissions`.
fn install_variant(dir: &TestDir, id: &str, permissions: &[&str]) {
    let source = dir.plugin_dir().join(API);
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(source.join("plugin.json")).unwrap()).unwrap();
    manifest["id"] = json!(id);
    manifest["permissions"] = json!(permissions);
    let target = dir.plugin_dir().join(id);
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("plugin.json"), manifest.to_string()).unwrap();
    std::fs::copy(source.join("server.wasm"), target.join("server.wasm")).unwrap();
}

async fn each_function_needs_its_permission(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("tests/plugins/fx-api-channels", "fx_api_channels.wasm");
    install_variant(&dir, "fx.api-channels-read", &["channels:read", "teams:read"]);
    install_variant(&dir, "fx.api-channels-write", &["channels:write", "teams:write"]);
    let Some(server) = TestServer::start_on(&dir, backend, "plugin_api_channels::permissions").await else { return };
    let admin = server.signup("root").await;
    let bob = server.signup("bob").await;
    let (team, town, dev, _, _) = world(&server, &admin).await;
    let args = json!({
        "team_id": team, "channel_id": dev, "user_id": bob.id, "user_ids": [admin.id, bob.id, "x"],
        "page": 0, "per_page": 10, "term": "dev", "patch": { "header": "h" },
    });
    let writes = ["channels.get-group", "channels.patch", "channels.archive", "channels.restore", "teams.add-member", "teams.remove-member"];
    let reads = ["channels.get-member", "channels.list-for-team", "channels.list-for-user", "channels.search", "teams.get-member", "teams.list-for-user"];
    for function in writes {
        assert_eq!(call_as(&server, "fx.api-channels-read", function, args.clone()).await, Err("permission-denied".into()), "{function} without write");
    }
    for function in reads {
        assert_eq!(call_as(&server, "fx.api-channels-write", function, args.clone()).await, Err("permission-denied".into()), "{function} without read");
    }
    // Nothing changed: bob never joined, the channel keeps its header.
    assert_eq!(call(&server, "teams.get-member", json!({ "team_id": team, "user_id": bob.id })).await, Err("not-found".into()));
    let (_, channel) = server.get_as(&format!("/api/v4/channels/{dev}"), &admin.token).await;
    assert_eq!((channel["header"].as_str(), channel["delete_at"].as_i64()), (Some(""), Some(0)), "{channel}");
    // And the reads the read-only copy holds work.
    let found = call_as(&server, "fx.api-channels-read", "channels.search", json!({ "team_id": team, "term": "town" })).await.unwrap();
    assert_eq!(ids(&found), [town.as_str()]);
    server.stop().await;
}
