//! Teams, channels, posts and reactions end to end: the happy paths with Mattermost's shapes, the permission rules, and bad input that gets Mattermost's error and writes nothing.

use confab_e2e::{Backend, TestDir, TestServer, User, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(
    teams_channels_posts_and_reactions,
    private_channels_are_for_members_only,
    bad_input_gets_mattermost_errors_and_writes_nothing,
    direct_channels_threads_and_edits
);

/// An admin, a team `eng` (admin created it) and `ann` in it.
async fn team_with_member(server: &TestServer) -> (User, User, Value) {
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let (status, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Engineering", "type": "O" })).await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap();
    let (status, member) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &ann.token, &json!({ "team_id": team_id, "user_id": ann.id })).await;
    assert_eq!(status, 201, "ann joins the open team herself: {member}");
    (admin, ann, team)
}

async fn teams_channels_posts_and_reactions(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "chat::happy_path").await else { return };
    let (admin, ann, team) = team_with_member(&server).await;
    let team_id = team["id"].as_str().unwrap();
    assert_eq!(team["type"], "O");
    assert_eq!(team["allow_open_invite"], true);

    let (status, by_name) = server.get_as("/api/v4/teams/name/eng", &ann.token).await;
    assert_eq!((status, by_name["id"].as_str()), (200, Some(team_id)));
    let (status, mine) = server.get_as("/api/v4/users/me/teams", &ann.token).await;
    assert_eq!((status, mine[0]["name"].as_str()), (200, Some("eng")));
    let (status, members) = server.get_as(&format!("/api/v4/teams/{team_id}/members"), &ann.token).await;
    assert_eq!((status, members.as_array().map(Vec::len)), (200, Some(2)));

    // Mattermost's default channels exist, and the new member is in them.
    let (status, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &ann.token).await;
    assert_eq!(status, 200, "{town}");
    let (status, same) = server.get_as("/api/v4/teams/name/eng/channels/name/town-square", &ann.token).await;
    assert_eq!((status, &same["id"]), (200, &town["id"]));
    let (status, my_channels) = server.get_as(&format!("/api/v4/users/me/teams/{team_id}/channels"), &ann.token).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = my_channels.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"town-square") && names.contains(&"off-topic"), "{names:?}");

    let (status, dev) = server
        .post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "dev", "display_name": "Dev", "type": "O", "purpose": "code" }))
        .await;
    assert_eq!(status, 201, "{dev}");
    let dev_id = dev["id"].as_str().unwrap();
    assert_eq!((dev["type"].as_str(), dev["creator_id"].as_str()), (Some("O"), Some(ann.id.as_str())));
    let (status, public) = server.get_as(&format!("/api/v4/teams/{team_id}/channels"), &admin.token).await;
    assert_eq!((status, public.as_array().map(Vec::len)), (200, Some(3)));
    let (status, patched) = server.put_as(&format!("/api/v4/channels/{dev_id}/patch"), &ann.token, &json!({ "header": "build status" })).await;
    assert_eq!((status, patched["header"].as_str(), patched["purpose"].as_str()), (200, Some("build status"), Some("code")));

    // The admin is a team member, reads the public channel, and joins it.
    let (status, _) = server.post_as(&format!("/api/v4/channels/{dev_id}/members"), &admin.token, &json!({ "user_id": admin.id })).await;
    assert_eq!(status, 201);
    let (status, members) = server.get_as(&format!("/api/v4/channels/{dev_id}/members"), &ann.token).await;
    assert_eq!((status, members.as_array().map(Vec::len)), (200, Some(2)));

    let mut ids = Vec::new();
    for i in 0..5 {
        let (status, post) =
            server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": dev_id, "message": format!("m{i}"), "pending_post_id": format!("p{i}") })).await;
        assert_eq!(status, 201, "{post}");
        assert_eq!(post["pending_post_id"], format!("p{i}"));
        assert_eq!(post["user_id"], ann.id.as_str());
        ids.push(post["id"].as_str().unwrap().to_string());
    }
    let (status, page) = server.get_as(&format!("/api/v4/channels/{dev_id}/posts?page=0&per_page=2"), &admin.token).await;
    assert_eq!(status, 200);
    assert_eq!(page["order"], json!([ids[4], ids[3]]));
    assert_eq!(page["posts"][&ids[4]]["message"], "m4");
    assert_eq!(page["prev_post_id"], ids[2].as_str());
    assert_eq!(page["next_post_id"], "");
    let (_, before) = server.get_as(&format!("/api/v4/channels/{dev_id}/posts?before={}&per_page=2", ids[2]), &admin.token).await;
    assert_eq!(before["order"], json!([ids[1], ids[0]]));
    let (_, after) = server.get_as(&format!("/api/v4/channels/{dev_id}/posts?after={}", ids[2]), &admin.token).await;
    assert_eq!(after["order"], json!([ids[4], ids[3]]));
    let (_, since) = server.get_as(&format!("/api/v4/channels/{dev_id}/posts?since=0"), &admin.token).await;
    assert_eq!(since["order"].as_array().map(Vec::len), Some(5));

    let (status, reaction) = server.post_as("/api/v4/reactions", &admin.token, &json!({ "user_id": admin.id, "post_id": ids[0], "emoji_name": "+1" })).await;
    assert_eq!(status, 200, "{reaction}");
    let (status, reactions) = server.get_as(&format!("/api/v4/posts/{}/reactions", ids[0]), &ann.token).await;
    assert_eq!((status, reactions[0]["emoji_name"].as_str()), (200, Some("+1")));
    let (_, post) = server.get_as(&format!("/api/v4/posts/{}", ids[0]), &ann.token).await;
    assert_eq!(post["has_reactions"], true);
    let (status, _) = server.post_as("/api/v4/reactions", &ann.token, &json!({ "user_id": admin.id, "post_id": ids[0], "emoji_name": "smile" })).await;
    assert_eq!(status, 403, "reacting as someone else");
    let (status, _) = server.delete_as(&format!("/api/v4/users/me/posts/{}/reactions/+1", ids[0]), &admin.token).await;
    assert_eq!(status, 200);
    let (_, reactions) = server.get_as(&format!("/api/v4/posts/{}/reactions", ids[0]), &ann.token).await;
    assert_eq!(reactions, json!([]));

    let (status, _) = server.delete_as(&format!("/api/v4/posts/{}", ids[4]), &admin.token).await;
    assert_eq!(status, 200, "admins delete any post");
    assert_eq!(server.get_as(&format!("/api/v4/posts/{}", ids[4]), &ann.token).await.0, 404);

    let (status, _) = server.delete_as(&format!("/api/v4/teams/{team_id}/members/{}", ann.id), &ann.token).await;
    assert_eq!(status, 200, "leaving a team");
    assert_eq!(server.get_as(&format!("/api/v4/channels/{dev_id}/posts"), &ann.token).await.0, 403, "and its channels");
    let (status, _) = server.delete_as(&format!("/api/v4/channels/{dev_id}"), &admin.token).await;
    assert_eq!(status, 200, "archive");
    let (_, archived) = server.get_as(&format!("/api/v4/channels/{dev_id}"), &admin.token).await;
    assert!(archived["delete_at"].as_i64().unwrap() > 0);
    let (status, body) = server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": dev_id, "message": "late" })).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("api.post.create_post.can_not_post_to_deleted.error")));
    server.stop().await;
}

async fn private_channels_are_for_members_only(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "chat::private_channels").await else { return };
    let (_admin, ann, team) = team_with_member(&server).await;
    let team_id = team["id"].as_str().unwrap();
    let bob = server.signup("bob").await;
    let (status, _) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "team_id": team_id, "user_id": bob.id })).await;
    assert_eq!(status, 201);

    let (status, secret) =
        server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "secret", "display_name": "Secret", "type": "P" })).await;
    assert_eq!(status, 201);
    let secret_id = secret["id"].as_str().unwrap();
    let (status, post) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": secret_id, "message": "psst" })).await;
    assert_eq!(status, 201);
    let post_id = post["id"].as_str().unwrap();

    for path in [
        format!("/api/v4/channels/{secret_id}"),
        format!("/api/v4/channels/{secret_id}/posts"),
        format!("/api/v4/channels/{secret_id}/members"),
        format!("/api/v4/posts/{post_id}"),
        format!("/api/v4/posts/{post_id}/thread"),
        format!("/api/v4/teams/{team_id}/channels/name/secret"),
    ] {
        let (status, body) = server.get_as(&path, &bob.token).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["id"], "api.context.permissions.app_error");
    }
    let (status, _) = server.post_as("/api/v4/posts", &bob.token, &json!({ "channel_id": secret_id, "message": "let me in" })).await;
    assert_eq!(status, 403);
    let (status, _) = server.post_as(&format!("/api/v4/channels/{secret_id}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 403, "no joining a private channel uninvited");
    let (_, public) = server.get_as(&format!("/api/v4/teams/{team_id}/channels"), &bob.token).await;
    assert!(!public.to_string().contains("secret"), "not listed: {public}");
    let (status, _) = server.put_as(&format!("/api/v4/posts/{post_id}/patch"), &bob.token, &json!({ "message": "edited" })).await;
    assert_eq!(status, 403);

    // Invited by a member, bob reads it.
    let (status, _) = server.post_as(&format!("/api/v4/channels/{secret_id}/members"), &ann.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 201);
    assert_eq!(server.get_as(&format!("/api/v4/channels/{secret_id}/posts"), &bob.token).await.0, 200);

    // A user outside the team sees neither the team's channels nor a non-open team.
    let eve = server.signup("eve").await;
    let (status, _) = server.get_as(&format!("/api/v4/teams/{team_id}/channels"), &eve.token).await;
    assert_eq!(status, 403);
    let (status, closed) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "closed", "display_name": "Closed", "type": "I" })).await;
    assert_eq!(status, 201);
    assert_eq!(server.get_as(&format!("/api/v4/teams/{}", closed["id"].as_str().unwrap()), &eve.token).await.0, 403);
    let (status, _) = server.post_as(&format!("/api/v4/teams/{}/members", closed["id"].as_str().unwrap()), &eve.token, &json!({ "user_id": eve.id })).await;
    assert_eq!(status, 403, "no joining an invite-only team uninvited");
    server.stop().await;
}

async fn bad_input_gets_mattermost_errors_and_writes_nothing(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "chat::bad_input").await else { return };
    let (admin, ann, team) = team_with_member(&server).await;
    let team_id = team["id"].as_str().unwrap();
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &ann.token).await;
    let town_id = town["id"].as_str().unwrap();

    // Malformed JSON.
    let response =
        server.request(reqwest::Method::POST, "/api/v4/posts", &ann.token).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(response.status(), 400);
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["id"], "api.context.invalid_body_param.app_error");
    assert_eq!(body["status_code"], 400);
    assert_eq!(body["request_id"], request_id.as_str());

    // Unknown ids.
    for (path, id) in [
        ("/api/v4/posts/aaaaaaaaaaaaaaaaaaaaaaaaaa".to_string(), "app.post.get.app_error"),
        ("/api/v4/channels/aaaaaaaaaaaaaaaaaaaaaaaaaa".to_string(), "app.channel.get.existing.app_error"),
        ("/api/v4/teams/aaaaaaaaaaaaaaaaaaaaaaaaaa".to_string(), "app.team.get.find.app_error"),
        ("/api/v4/users/aaaaaaaaaaaaaaaaaaaaaaaaaa".to_string(), "app.user.missing_account.const"),
        ("/api/v4/posts/not-an-id".to_string(), "app.post.get.app_error"),
    ] {
        let (status, body) = server.get_as(&path, &ann.token).await;
        assert_eq!((status, body["id"].as_str()), (404, Some(id)), "{path}: {body}");
    }
    let (status, body) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": "aaaaaaaaaaaaaaaaaaaaaaaaaa", "message": "x" })).await;
    assert_eq!((status, body["id"].as_str()), (404, Some("app.channel.get.existing.app_error")));

    // A message over 16383 runes (multi-byte, so runes not bytes are counted).
    let (status, body) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": town_id, "message": "é".repeat(16_384) })).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("model.post.is_valid.msg.app_error")), "{body}");
    let (status, _) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": town_id, "message": "é".repeat(16_383) })).await;
    assert_eq!(status, 201, "exactly at the limit is fine");
    let (status, body) =
        server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": town_id, "message": "reply", "root_id": "aaaaaaaaaaaaaaaaaaaaaaaaaa" })).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("api.post.create_post.root_id.app_error")));
    let (_, posts) = server.get_as(&format!("/api/v4/channels/{town_id}/posts"), &ann.token).await;
    assert_eq!(posts["order"].as_array().map(Vec::len), Some(1), "only the valid post was stored: {posts}");

    // A duplicate team name.
    let (status, body) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "eng", "display_name": "Again", "type": "O" })).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("app.team.save.existing.app_error")));
    let (_, teams) = server.get_as("/api/v4/teams", &admin.token).await;
    assert_eq!(teams.as_array().map(Vec::len), Some(1), "no second team: {teams}");
    let (status, body) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "x", "display_name": "X", "type": "O" })).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("model.team.is_valid.name.app_error")));
    let (status, body) =
        server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "town-square", "display_name": "Again", "type": "O" })).await;
    assert_eq!((status, body["id"].as_str()), (400, Some("store.sql_channel.save_channel.exists.app_error")));

    // Paging out of range.
    for query in ["page=-1", "page=abc", "per_page=0", "per_page=-3", "page=99999999999", "since=yesterday", "since=1&before=x"] {
        let (status, body) = server.get_as(&format!("/api/v4/channels/{town_id}/posts?{query}"), &ann.token).await;
        assert_eq!((status, body["id"].as_str()), (400, Some("api.context.invalid_url_param.app_error")), "{query}: {body}");
    }
    let (status, body) = server.get_as("/api/v4/users?per_page=100000", &ann.token).await;
    assert_eq!(status, 200, "too large a page is clamped, as in Mattermost: {body}");
    let (status, body) = server.get_as(&format!("/api/v4/channels/{town_id}/posts?page=1000"), &ann.token).await;
    assert_eq!((status, body["order"].as_array().map(Vec::len)), (200, Some(0)), "a page past the end is empty");
    server.stop().await;
}

async fn direct_channels_threads_and_edits(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "chat::direct_threads_edits").await else { return };
    let (admin, ann, _team) = team_with_member(&server).await;

    let (status, dm) = server.post_as("/api/v4/channels/direct", &ann.token, &json!([ann.id, admin.id])).await;
    assert_eq!(status, 201, "{dm}");
    assert_eq!(dm["type"], "D");
    let mut ids = [ann.id.clone(), admin.id.clone()];
    ids.sort();
    assert_eq!(dm["name"], format!("{}__{}", ids[0], ids[1]));
    let (_, again) = server.post_as("/api/v4/channels/direct", &admin.token, &json!([admin.id, ann.id])).await;
    assert_eq!(again["id"], dm["id"], "one direct channel per pair");
    let eve = server.signup("eve").await;
    let (status, _) = server.post_as("/api/v4/channels/direct", &eve.token, &json!([ann.id, admin.id])).await;
    assert_eq!(status, 403, "only the two users open their channel");
    let dm_id = dm["id"].as_str().unwrap();
    assert_eq!(server.get_as(&format!("/api/v4/channels/{dm_id}/posts"), &eve.token).await.0, 403);

    let (_, root) = server.post_as("/api/v4/posts", &ann.token, &json!({ "channel_id": dm_id, "message": "root", "props": { "k": "v" } })).await;
    let root_id = root["id"].as_str().unwrap();
    assert_eq!(root["props"]["k"], "v");
    let (status, reply) = server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": dm_id, "message": "reply", "root_id": root_id })).await;
    assert_eq!(status, 201);
    let (status, thread) = server.get_as(&format!("/api/v4/posts/{}/thread", reply["id"].as_str().unwrap()), &ann.token).await;
    assert_eq!(status, 200);
    assert_eq!(thread["order"], json!([reply["id"], root["id"]]));
    let (_, root_now) = server.get_as(&format!("/api/v4/posts/{root_id}"), &ann.token).await;
    assert_eq!(root_now["reply_count"], 1);

    let (status, edited) = server.put_as(&format!("/api/v4/posts/{root_id}/patch"), &ann.token, &json!({ "message": "root, edited" })).await;
    assert_eq!(status, 200);
    assert_eq!(edited["message"], "root, edited");
    assert!(edited["edit_at"].as_i64().unwrap() > 0);
    assert_eq!(edited["props"]["k"], "v", "a patch keeps what it does not name");
    let (status, full) =
        server.put_as(&format!("/api/v4/posts/{root_id}"), &ann.token, &json!({ "id": root_id, "channel_id": dm_id, "message": "root, again" })).await;
    assert_eq!((status, full["message"].as_str()), (200, Some("root, again")));
    let (status, _) = server.put_as(&format!("/api/v4/posts/{root_id}/patch"), &admin.token, &json!({ "message": "not yours" })).await;
    assert_eq!(status, 200, "admins may edit any post");
    let (status, _) = server.delete_as(&format!("/api/v4/posts/{root_id}"), &eve.token).await;
    assert_eq!(status, 403, "eve cannot delete");
    let (status, _) = server.delete_as(&format!("/api/v4/posts/{root_id}"), &ann.token).await;
    assert_eq!(status, 200);
    assert_eq!(server.get_as(&format!("/api/v4/posts/{}", reply["id"].as_str().unwrap()), &ann.token).await.0, 404, "replies go with their root");
    server.stop().await;
}
