//! NUL characters in input: every text field a client can send (JSON bodies, webhook forms and multipart fields, paths, queries) is refused with Mattermost's 400 on both backends, nothing is stored, nothing answers 500; an escaped backslash before `u0000` is ordinary text.

use confab_e2e::{Backend, TestDir, TestServer, User, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(nul_in_json_bodies_is_refused_and_nothing_is_stored, nul_in_webhook_forms_paths_and_queries_is_refused);

const NUL_TEXT: &str = "a\u{0}b";
const BAD_BODY: &str = "api.context.invalid_body_param.app_error";
const BAD_URL: &str = "api.context.invalid_url_param.app_error";

/// The admin `root`, `ann` in team `eng`; (root, ann, team id, town-square id).
async fn setup(server: &TestServer) -> (User, User, String, String) {
    let root = server.signup("root").await;
    let ann = server.signup("ann").await;
    let (status, team) = server.post_as("/api/v4/teams", &root.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap().to_string();
    let (status, _) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &ann.token, &json!({ "team_id": team_id, "user_id": ann.id })).await;
    assert_eq!(status, 201);
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &ann.token).await;
    (root, ann, team_id, town["id"].as_str().unwrap().to_string())
}

fn assert_refused(what: &str, (status, body): (u16, Value), id: &str) {
    assert_eq!((status, body["id"].as_str()), (400, Some(id)), "{what}: {body}");
    assert_eq!(body["status_code"], 400, "{what}: Mattermost's error shape");
}

async fn messages(server: &TestServer, user: &User, channel_id: &str) -> Vec<String> {
    let (status, posts) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts"), &user.token).await;
    assert_eq!(status, 200);
    posts["posts"].as_object().unwrap().values().map(|p| p["message"].as_str().unwrap().to_string()).collect()
}

async fn nul_in_json_bodies_is_refused_and_nothing_is_stored(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "invalid_text::json").await else { return };
    let (root, ann, team_id, town) = setup(&server).await;

    // A message, in a post and in an edit.
    let post = |message: &str| json!({ "channel_id": town, "message": message });
    assert_refused("message", server.post_as("/api/v4/posts", &ann.token, &post(NUL_TEXT)).await, BAD_BODY);
    let (status, kept) = server.post_as("/api/v4/posts", &ann.token, &post("\\u0000 is how JSON spells NUL")).await;
    assert_eq!((status, kept["message"].as_str()), (201, Some("\\u0000 is how JSON spells NUL")), "an escaped backslash is text: {kept}");
    let post_id = kept["id"].as_str().unwrap();
    assert_refused("edit", server.put_as(&format!("/api/v4/posts/{post_id}/patch"), &ann.token, &json!({ "message": NUL_TEXT })).await, BAD_BODY);
    assert_refused(
        "props",
        server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": town, "message": "x", "props": { "k": NUL_TEXT } })).await,
        BAD_BODY,
    );
    assert_eq!(messages(&server, &ann, &town).await, ["\\u0000 is how JSON spells NUL"], "only the valid post is stored");

    // Sign-up email and username, login id, nickname.
    let signup = |username: &str, email: &str| json!({ "username": username, "email": email, "password": "long-enough-password" });
    assert_refused("email", server.post_as("/api/v4/users", "", &signup("zed", "z\u{0}@example.com")).await, BAD_BODY);
    assert_refused("username", server.post_as("/api/v4/users", "", &signup("z\u{0}ed", "zed@example.com")).await, BAD_BODY);
    let (_, users) = server.get_as("/api/v4/users", &root.token).await;
    assert_eq!(users.as_array().map(Vec::len), Some(2), "no account was created: {users}");
    assert_refused("login_id", server.post_as("/api/v4/users/login", "", &json!({ "login_id": "ann\u{0}", "password": "ann-password" })).await, BAD_BODY);
    assert_refused("nickname", server.put_as("/api/v4/users/me/patch", &ann.token, &json!({ "nickname": NUL_TEXT })).await, BAD_BODY);
    let (_, me) = server.get_as("/api/v4/users/me", &ann.token).await;
    assert_eq!(me["nickname"], "", "{me}");

    // Channel header (create and patch), team name.
    let channel = json!({ "team_id": team_id, "name": "dev", "display_name": "Dev", "type": "O", "header": NUL_TEXT });
    assert_refused("channel header", server.post_as("/api/v4/channels", &ann.token, &channel).await, BAD_BODY);
    assert_refused("header patch", server.put_as(&format!("/api/v4/channels/{town}/patch"), &ann.token, &json!({ "header": NUL_TEXT })).await, BAD_BODY);
    let (_, town_now) = server.get_as(&format!("/api/v4/channels/{town}"), &ann.token).await;
    assert_eq!(town_now["header"], "");
    let (_, public) = server.get_as(&format!("/api/v4/teams/{team_id}/channels"), &ann.token).await;
    assert_eq!(public.as_array().map(Vec::len), Some(2), "no channel `dev`: {public}");
    assert_refused(
        "team name",
        server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "ops\u{0}", "display_name": "Ops", "type": "O" })).await,
        BAD_BODY,
    );
    assert_refused(
        "team display name",
        server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "ops", "display_name": NUL_TEXT, "type": "O" })).await,
        BAD_BODY,
    );
    let (_, teams) = server.get_as("/api/v4/teams", &root.token).await;
    assert_eq!(teams.as_array().map(Vec::len), Some(1), "{teams}");

    // A slash command's trigger, and a hook's display name.
    let command = json!({ "team_id": team_id, "trigger": "dep\u{0}loy", "url": "https://example.com/cmd", "method": "P" });
    assert_refused("trigger", server.post_as("/api/v4/commands", &root.token, &command).await, BAD_BODY);
    let (_, commands) = server.get_as(&format!("/api/v4/commands?team_id={team_id}&custom_only=true"), &root.token).await;
    assert_eq!(commands, json!([]));
    assert_refused(
        "hook name",
        server.post_as("/api/v4/hooks/incoming", &root.token, &json!({ "channel_id": town, "display_name": NUL_TEXT })).await,
        BAD_BODY,
    );
    server.stop().await;
}

/// A `multipart/form-data` body of text fields.
fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "confab-nul-boundary-0xq3";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn nul_in_webhook_forms_paths_and_queries_is_refused(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "invalid_text::forms").await else { return };
    let (root, ann, _team_id, town) = setup(&server).await;
    let (status, hook) = server.post_as("/api/v4/hooks/incoming", &root.token, &json!({ "channel_id": town })).await;
    assert_eq!(status, 201, "{hook}");
    let hook_path = format!("/hooks/{}", hook["id"].as_str().unwrap());
    let send = |content_type: String, body: String| {
        let request = server.client.post(server.url(&hook_path)).header("content-type", content_type).body(body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            (status, serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text)))
        }
    };

    // Hook text as JSON (escaped, and raw inside the sloppy-JSON retry), as Slack's
    // `payload=` form (%00 in the form, or an escape in its JSON) and as multipart fields.
    let json_body = json!({ "text": NUL_TEXT }).to_string();
    assert_refused("hook JSON", send("application/json".into(), json_body).await, BAD_BODY);
    assert_refused("hook raw NUL", send("application/json".into(), "{\"text\": \"a\u{0}b\"}".into()).await, BAD_BODY);
    // `payload={"text":"a\u0000b"}`, form-encoded.
    let form = "payload=%7B%22text%22%3A%22a%5Cu0000b%22%7D".to_string();
    assert_refused("hook form, escaped", send("application/x-www-form-urlencoded".into(), form).await, BAD_BODY);
    assert_refused("hook form, %00", send("application/x-www-form-urlencoded".into(), "payload=%7B%22text%22%3A%22a%00b%22%7D".into()).await, BAD_BODY);
    let (content_type, body) = multipart(&[("text", NUL_TEXT)]);
    assert_refused("hook multipart", send(content_type, body).await, BAD_BODY);
    let (content_type, body) = multipart(&[("text", "fine"), ("props", "{\"k\": \"\\u0000\"}")]);
    assert_refused("hook multipart props", send(content_type, body).await, BAD_BODY);
    assert_eq!(messages(&server, &ann, &town).await, Vec::<String>::new(), "no hook post was stored");
    let (content_type, body) = multipart(&[("text", "fine")]);
    assert_eq!(send(content_type, body).await.0, 200, "the hook itself works");

    // Paths and queries.
    for path in [
        "/api/v4/users/username/ann%00".to_string(),
        "/api/v4/users/email/ann%00@example.com".to_string(),
        "/api/v4/teams/name/eng%00/channels/name/town-square".to_string(),
        format!("/api/v4/users?in_channel={town}%00"),
        format!("/api/v4/channels/{town}/posts?since=1%00"),
    ] {
        assert_refused(&path, server.get_as(&path, &ann.token).await, BAD_URL);
    }
    assert_refused("delete path", server.delete_as(&format!("/api/v4/channels/{town}%00"), &ann.token).await, BAD_URL);
    assert_eq!(server.get_as("/api/v4/users/username/ann%2500", &ann.token).await.0, 404, "%25 00 is the text `%00`, an unknown name");
    server.stop().await;
}
