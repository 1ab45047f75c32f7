//! The routes Mattermost's web and mobile apps load first (issue 17): team memberships and unread counts, channel memberships whose counts are real (mentions of `@username`, `@channel`, `@all`, `@here`; direct messages), viewing channels, preferences, statuses by ids, avatars, user autocomplete, posts by ids, a user's channels and channel statistics; their shapes and who may read them.

use confab_e2e::{Backend, TestDir, TestServer, User, event_post, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(unread_and_mention_counts_go_up_and_clear, preferences_are_the_users_own, lookups_have_mattermosts_shapes_and_keep_private_things_private);

/// An admin, `ann` and `bob` in team `eng`, and channel `dev` with both in it.
struct Fixture {
    admin: User,
    ann: User,
    bob: User,
    team_id: String,
    dev_id: String,
}

async fn fixture(server: &TestServer) -> Fixture {
    let admin = server.signup("root").await;
    let ann = server.signup("ann").await;
    let bob = server.signup("bob").await;
    let (status, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap().to_string();
    for user in [&ann, &bob] {
        let (status, body) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &user.token, &json!({ "team_id": team_id, "user_id": user.id })).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, dev) = server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "dev", "display_name": "Dev", "type": "O" })).await;
    assert_eq!(status, 201, "{dev}");
    let dev_id = dev["id"].as_str().unwrap().to_string();
    let (status, body) = server.post_as(&format!("/api/v4/channels/{dev_id}/members"), &bob.token, &json!({ "user_id": bob.id })).await;
    assert_eq!(status, 201, "{body}");
    Fixture { admin, ann, bob, team_id, dev_id }
}

async fn post(server: &TestServer, user: &User, channel_id: &str, message: &str) -> Value {
    let (status, body) = server.post_as("/api/v4/posts", &user.token, &json!({ "channel_id": channel_id, "message": message })).await;
    assert_eq!(status, 201, "{message}: {body}");
    body
}

/// The user's membership of a channel, from the first-load route.
async fn member_of(server: &TestServer, user: &User, team_id: &str, channel_id: &str) -> Value {
    let (status, members) = server.get_as(&format!("/api/v4/users/me/teams/{team_id}/channels/members"), &user.token).await;
    assert_eq!(status, 200, "{members}");
    members.as_array().unwrap().iter().find(|m| m["channel_id"] == channel_id).cloned().unwrap_or_else(|| panic!("no membership of {channel_id}: {members}"))
}

/// (unread messages, mentions) of a user in a channel.
async fn counts(server: &TestServer, user: &User, team_id: &str, channel_id: &str) -> (i64, i64) {
    let member = member_of(server, user, team_id, channel_id).await;
    let (status, channel) = server.get_as(&format!("/api/v4/channels/{channel_id}"), &user.token).await;
    assert_eq!(status, 200, "{channel}");
    (channel["total_msg_count"].as_i64().unwrap() - member["msg_count"].as_i64().unwrap(), member["mention_count"].as_i64().unwrap())
}

/// (msg_count, mention_count) of the user's entry for the team in `/teams/unread`.
async fn team_unread(server: &TestServer, user: &User, team_id: &str) -> (i64, i64) {
    let (status, unreads) = server.get_as("/api/v4/users/me/teams/unread", &user.token).await;
    assert_eq!(status, 200, "{unreads}");
    let entry = unreads.as_array().unwrap().iter().find(|u| u["team_id"] == team_id).unwrap_or_else(|| panic!("no entry for the team: {unreads}"));
    for key in ["msg_count_root", "mention_count_root", "thread_count", "thread_mention_count", "thread_urgent_mention_count"] {
        assert!(entry[key].is_i64(), "{key} in {entry}");
    }
    (entry["msg_count"].as_i64().unwrap(), entry["mention_count"].as_i64().unwrap())
}

async fn view(server: &TestServer, user: &User, channel_id: &str) -> Value {
    let (status, body) = server.post_as("/api/v4/channels/members/me/view", &user.token, &json!({ "channel_id": channel_id, "prev_channel_id": "" })).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Every channel of the user's in the team, viewed.
async fn view_all(server: &TestServer, user: &User, team_id: &str) {
    let (_, members) = server.get_as(&format!("/api/v4/users/me/teams/{team_id}/channels/members"), &user.token).await;
    for m in members.as_array().unwrap() {
        view(server, user, m["channel_id"].as_str().unwrap()).await;
    }
}

async fn unread_and_mention_counts_go_up_and_clear(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "client_routes::unreads").await else { return };
    let Fixture { ann, bob, team_id, dev_id, .. } = fixture(&server).await;
    let (team_id, dev) = (team_id.as_str(), dev_id.as_str());

    // Team memberships, Mattermost's shape.
    let (status, teams) = server.get_as("/api/v4/users/me/teams/members", &bob.token).await;
    assert_eq!(status, 200, "{teams}");
    let teams = teams.as_array().unwrap();
    assert_eq!(teams.len(), 1, "{teams:?}");
    for key in ["team_id", "user_id", "roles", "delete_at", "scheme_user", "scheme_admin", "scheme_guest", "explicit_roles"] {
        assert!(teams[0].get(key).is_some(), "{key} in {}", teams[0]);
    }
    assert_eq!((teams[0]["team_id"].as_str(), teams[0]["user_id"].as_str()), (Some(team_id), Some(bob.id.as_str())));

    view_all(&server, &bob, team_id).await;
    assert_eq!(team_unread(&server, &bob, team_id).await, (0, 0));
    let mut socket = server.websocket(&bob.token).await;

    // A plain post: one unread, no mention; the author has seen her own post.
    let first = post(&server, &ann, dev, "hello there").await;
    assert_eq!(counts(&server, &bob, team_id, dev).await, (1, 0));
    let ann_member = member_of(&server, &ann, team_id, dev).await;
    assert_eq!(counts(&server, &ann, team_id, dev).await, (0, 0));
    assert!(ann_member["last_viewed_at"].as_i64().unwrap() >= first["create_at"].as_i64().unwrap(), "{ann_member}");

    // Each kind of mention counts once; code and other words do not.
    for message in ["@bob look", "@channel standup", "@all lunch", "@here anyone?", "thanks @Bob."] {
        post(&server, &ann, dev, message).await;
    }
    for message in ["`@bob` in code", "```\n@channel\n```", "mail bob@example.com", "@bobby is not bob", "@channels"] {
        post(&server, &ann, dev, message).await;
    }
    assert_eq!(counts(&server, &bob, team_id, dev).await, (11, 5));
    assert_eq!(team_unread(&server, &bob, team_id).await, (11, 5));
    // `posted` names the members mentioned (a JSON string, as in Mattermost), never the author.
    let plain = socket.expect_event("posted", |e| event_post(e)["message"] == "hello there").await;
    assert!(plain["data"].get("mentions").is_none(), "{plain}");
    for message in ["@bob look", "@channel standup"] {
        let event = socket.expect_event("posted", |e| event_post(e)["message"] == message).await;
        let mentioned: Vec<String> = serde_json::from_str(event["data"]["mentions"].as_str().unwrap_or_else(|| panic!("no mentions: {event}"))).unwrap();
        assert_eq!(mentioned, std::slice::from_ref(&bob.id), "{message}");
    }
    // The author's own mentions never count for her.
    assert_eq!(counts(&server, &ann, team_id, dev).await, (0, 0));

    // Viewing clears them, answers the time set, and tells the user's connections.
    let before = member_of(&server, &bob, team_id, dev).await["last_viewed_at"].as_i64().unwrap();
    let answer = view(&server, &bob, dev).await;
    assert_eq!(answer["status"], "OK");
    let viewed_at = answer["last_viewed_at_times"][dev].as_i64().unwrap_or_else(|| panic!("no time for the channel: {answer}"));
    assert!(viewed_at >= before);
    socket.expect_event("channel_viewed", |e| e["data"]["channel_id"] == dev).await;
    assert_eq!(counts(&server, &bob, team_id, dev).await, (0, 0));
    assert_eq!(member_of(&server, &bob, team_id, dev).await["last_viewed_at"], viewed_at);
    assert_eq!(team_unread(&server, &bob, team_id).await, (0, 0));
    // The existing single-member route reads the same counts.
    let (status, same) = server.get_as(&format!("/api/v4/channels/{dev}/members/me"), &bob.token).await;
    assert_eq!((status, same["mention_count"].as_i64()), (200, Some(0)));

    // Bob's own post marks the channel read for him, and mentions Ann.
    post(&server, &ann, dev, "@bob one more").await;
    assert_eq!(counts(&server, &bob, team_id, dev).await, (1, 1));
    post(&server, &bob, dev, "on it @ann").await;
    assert_eq!(counts(&server, &bob, team_id, dev).await, (0, 0));
    assert_eq!(counts(&server, &ann, team_id, dev).await, (1, 1));

    // Every message of a direct channel is a mention for the other person; direct
    // channels count in no team but are among the team's channel memberships.
    let (status, dm) = server.post_as("/api/v4/channels/direct", &ann.token, &json!([ann.id, bob.id])).await;
    assert_eq!(status, 201, "{dm}");
    let dm_id = dm["id"].as_str().unwrap();
    post(&server, &ann, dm_id, "psst").await;
    post(&server, &ann, dm_id, "still there?").await;
    assert_eq!(counts(&server, &bob, team_id, dm_id).await, (2, 2));
    assert_eq!(team_unread(&server, &bob, team_id).await, (0, 0));
    // `prev_channel_id` is viewed too; a channel the user is not in is passed over.
    let (status, answer) = server
        .post_as("/api/v4/channels/members/me/view", &bob.token, &json!({ "channel_id": "", "prev_channel_id": dm_id, "collapsed_threads_supported": true }))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["last_viewed_at_times"][dm_id].is_i64(), "{answer}");
    assert_eq!(counts(&server, &bob, team_id, dm_id).await, (0, 0));
    let (_, secret) = server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "secret", "display_name": "S", "type": "P" })).await;
    let (status, answer) = server.post_as("/api/v4/channels/members/me/view", &bob.token, &json!({ "channel_id": secret["id"] })).await;
    assert_eq!((status, answer["last_viewed_at_times"].clone()), (200, json!({})));
    let (status, err) = server.post_as("/api/v4/channels/members/me/view", &bob.token, &json!({ "channel_id": "not-an-id" })).await;
    assert_eq!((status, err["id"].as_str()), (400, Some("api.context.invalid_body_param.app_error")));

    // `exclude_team` leaves the team out.
    let (status, none) = server.get_as(&format!("/api/v4/users/me/teams/unread?exclude_team={team_id}"), &bob.token).await;
    assert_eq!((status, none), (200, json!([])));
    server.stop().await;
}

async fn preferences_are_the_users_own(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "client_routes::preferences").await else { return };
    let Fixture { admin, ann, bob, team_id, dev_id } = fixture(&server).await;
    let mut socket = server.websocket(&ann.token).await;

    let (status, empty) = server.get_as("/api/v4/users/me/preferences", &ann.token).await;
    assert_eq!((status, empty), (200, json!([])));
    let prefs = json!([
        { "user_id": ann.id, "category": "display_settings", "name": "use_military_time", "value": "true" },
        { "user_id": ann.id, "category": "theme", "name": "", "value": "{\"sidebarBg\":\"#145dbf\"}" },
        { "user_id": ann.id, "category": "direct_channel_show", "name": bob.id, "value": "true" },
    ]);
    let (status, body) = server.put_as("/api/v4/users/me/preferences", &ann.token, &prefs).await;
    assert_eq!((status, body), (200, json!({ "status": "OK" })));
    let event = socket.expect_event("preferences_changed", |_| true).await;
    let sent: Value = serde_json::from_str(event["data"]["preferences"].as_str().expect("a JSON string, as Mattermost sends")).unwrap();
    assert_eq!(sent, prefs);
    // Saving again replaces the value.
    let changed = json!([{ "user_id": ann.id, "category": "display_settings", "name": "use_military_time", "value": "false" }]);
    assert_eq!(server.put_as(&format!("/api/v4/users/{}/preferences", ann.id), &ann.token, &changed).await.0, 200);
    let (status, all) = server.get_as("/api/v4/users/me/preferences", &ann.token).await;
    assert_eq!(status, 200);
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let (status, one) = server.get_as("/api/v4/users/me/preferences/display_settings/name/use_military_time", &ann.token).await;
    assert_eq!((status, one), (200, changed[0].clone()));
    let (status, category) = server.get_as("/api/v4/users/me/preferences/direct_channel_show", &ann.token).await;
    assert_eq!((status, category), (200, json!([prefs[2]])));
    let (status, err) = server.get_as("/api/v4/users/me/preferences/nothing_here", &ann.token).await;
    assert_eq!((status, err["id"].as_str()), (404, Some("api.preference.preferences_category.get.app_error")));
    let (status, err) = server.get_as("/api/v4/users/me/preferences/theme/name/other", &ann.token).await;
    assert_eq!((status, err["id"].as_str()), (404, Some("app.preference.get.app_error")));

    // Deleting (Mattermost's POST .../delete, and DELETE with the same body).
    let gone = json!([prefs[0]]);
    assert_eq!(server.post_as("/api/v4/users/me/preferences/delete", &ann.token, &gone).await.0, 200);
    let event = socket.expect_event("preferences_deleted", |_| true).await;
    assert!(event["data"]["preferences"].as_str().unwrap().contains("use_military_time"), "{event}");
    let response = server.request(reqwest::Method::DELETE, "/api/v4/users/me/preferences", &ann.token).json(&json!([prefs[1]])).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let (_, all) = server.get_as("/api/v4/users/me/preferences", &ann.token).await;
    assert_eq!(all, json!([prefs[2]]));

    // Nobody reads or changes another's preferences; system admins may.
    let theirs = format!("/api/v4/users/{}/preferences", ann.id);
    let as_bob = json!([{ "user_id": ann.id, "category": "display_settings", "name": "x", "value": "1" }]);
    assert_eq!(server.get_as(&theirs, &bob.token).await.0, 403);
    assert_eq!(server.put_as(&theirs, &bob.token, &as_bob).await.0, 403);
    assert_eq!(server.post_as(&format!("{theirs}/delete"), &bob.token, &as_bob).await.0, 403);
    assert_eq!(server.get_as(&format!("{theirs}/direct_channel_show"), &bob.token).await.0, 403);
    // Smuggling someone else's preference into one's own list.
    let (status, err) = server.put_as("/api/v4/users/me/preferences", &bob.token, &as_bob).await;
    assert_eq!((status, err["id"].as_str()), (403, Some("api.preference.update_preferences.set.app_error")));
    let (status, all) = server.get_as(&theirs, &admin.token).await;
    assert_eq!((status, all), (200, json!([prefs[2]])));
    assert_eq!(server.get_as(&theirs, "").await.0, 401);

    // Mattermost's validity rules.
    for (category, name, value, id) in [
        ("", "n", "v", "model.preference.is_valid.category.app_error"),
        ("display_settings", &*"n".repeat(33), "v", "model.preference.is_valid.name.app_error"),
        ("theme", "", "not json", "model.preference.is_valid.theme.app_error"),
    ] {
        let body = json!([{ "user_id": bob.id, "category": category, "name": name, "value": value }]);
        let (status, err) = server.put_as("/api/v4/users/me/preferences", &bob.token, &body).await;
        assert_eq!((status, err["id"].as_str()), (400, Some(id)), "{category}/{name}");
    }

    // Saving a post (flagged_post) needs read access to it.
    let (_, secret) = server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "secret", "display_name": "S", "type": "P" })).await;
    let secret_post = post(&server, &ann, secret["id"].as_str().unwrap(), "hush").await;
    let public_post = post(&server, &ann, &dev_id, "open").await;
    let flag = |post: &Value| json!([{ "user_id": bob.id, "category": "flagged_post", "name": post["id"], "value": "true" }]);
    assert_eq!(server.put_as("/api/v4/users/me/preferences", &bob.token, &flag(&secret_post)).await.0, 403);
    assert_eq!(server.put_as("/api/v4/users/me/preferences", &bob.token, &flag(&public_post)).await.0, 200);
    server.stop().await;
}

async fn lookups_have_mattermosts_shapes_and_keep_private_things_private(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "client_routes::lookups").await else { return };
    let Fixture { admin, ann, bob, team_id, dev_id } = fixture(&server).await;
    let carl = server.signup("carl").await;
    let (status, body) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &carl.token, &json!({ "team_id": team_id, "user_id": carl.id })).await;
    assert_eq!(status, 201, "{body}");

    // Statuses in the order asked; offline for those who never had one.
    assert_eq!(server.put_as("/api/v4/users/me/status", &ann.token, &json!({ "user_id": ann.id, "status": "dnd" })).await.0, 200);
    let (status, statuses) = server.post_as("/api/v4/users/status/ids", &bob.token, &json!([carl.id, ann.id])).await;
    assert_eq!(status, 200, "{statuses}");
    assert_eq!((statuses[0]["user_id"].as_str(), statuses[0]["status"].as_str()), (Some(carl.id.as_str()), Some("offline")));
    assert_eq!((statuses[1]["status"].as_str(), statuses[1]["manual"].as_bool()), (Some("dnd"), Some(true)));
    assert!(statuses[1]["last_activity_at"].is_i64());
    assert_eq!(server.post_as("/api/v4/users/status/ids", &bob.token, &json!([])).await.0, 400);
    assert_eq!(server.post_as("/api/v4/users/status/ids", &bob.token, &json!(["x"])).await.0, 400);

    // The default picture: an SVG, the same each time, different per user.
    let image = |user: &User, token: &str| server.request(reqwest::Method::GET, &format!("/api/v4/users/{}/image", user.id), token).send();
    let first = image(&ann, &bob.token).await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "image/svg+xml");
    let first = first.text().await.unwrap();
    assert!(first.starts_with("<svg") && first.contains(">A</text>"), "{first}");
    assert_eq!(image(&ann, &carl.token).await.unwrap().text().await.unwrap(), first);
    assert_ne!(image(&bob, &carl.token).await.unwrap().text().await.unwrap(), first);
    assert_eq!(image(&ann, "").await.unwrap().status(), 401);
    assert_eq!(server.get_as("/api/v4/users/aaaaaaaaaaaaaaaaaaaaaaaaaa/image", &bob.token).await.0, 404);

    // Autocomplete: by name prefix, in a team, in a channel (with who is outside it).
    let names = |list: &Value| -> Vec<String> { list.as_array().map_or(vec![], |l| l.iter().map(|u| u["username"].as_str().unwrap().to_string()).collect()) };
    let (status, found) = server.get_as("/api/v4/users/autocomplete?name=a", &bob.token).await;
    assert_eq!((status, names(&found["users"])), (200, vec!["ann".to_string()]));
    assert!(found.get("out_of_channel").is_none(), "{found}");
    let (_, found) = server.get_as(&format!("/api/v4/users/autocomplete?in_team={team_id}&name=&limit=2"), &bob.token).await;
    assert_eq!(names(&found["users"]), ["ann", "bob"]);
    let (status, found) = server.get_as(&format!("/api/v4/users/autocomplete?in_channel={dev_id}&in_team={team_id}"), &bob.token).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!((names(&found["users"]), names(&found["out_of_channel"])), (vec!["ann".into(), "bob".into()], vec!["carl".into(), "root".into()]));
    assert!(found["users"][0].get("password").is_none() && found["users"][0]["email"] == "", "emails are hidden: {found}");
    assert_eq!(server.get_as("/api/v4/users/autocomplete?limit=0", &bob.token).await.0, 400);

    // A private channel stays private: stats, autocomplete within it, its posts by ids.
    let (_, secret) = server.post_as("/api/v4/channels", &ann.token, &json!({ "team_id": team_id, "name": "secret", "display_name": "S", "type": "P" })).await;
    let secret_id = secret["id"].as_str().unwrap();
    let hidden = post(&server, &ann, secret_id, "hush").await;
    let open = post(&server, &ann, &dev_id, "open").await;
    let (status, pinned) = server.post_as("/api/v4/posts", &bob.token, &json!({ "channel_id": dev_id, "message": "pin me", "is_pinned": true })).await;
    assert_eq!(status, 201, "{pinned}");
    assert_eq!(server.get_as(&format!("/api/v4/channels/{secret_id}/stats"), &bob.token).await.0, 403);
    assert_eq!(server.get_as(&format!("/api/v4/users/autocomplete?in_channel={secret_id}"), &bob.token).await.0, 403);
    let (status, stats) = server.get_as(&format!("/api/v4/channels/{dev_id}/stats"), &carl.token).await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(
        stats,
        json!({ "channel_id": dev_id, "member_count": 2, "guest_count": 0, "pinnedpost_count": 1, "has_new_pinned_posts": false, "files_count": 0 })
    );
    let (_, stats) = server.get_as(&format!("/api/v4/channels/{secret_id}/stats"), &admin.token).await;
    assert_eq!(stats["member_count"], 1);
    let ids = json!([hidden["id"], open["id"], pinned["id"], "aaaaaaaaaaaaaaaaaaaaaaaaaa"]);
    let (status, posts) = server.post_as("/api/v4/posts/ids", &bob.token, &ids).await;
    assert_eq!(status, 200, "{posts}");
    let ids_of = |list: &Value| -> Vec<Value> { list.as_array().unwrap().iter().map(|p| p["id"].clone()).collect() };
    assert_eq!(ids_of(&posts), [pinned["id"].clone(), open["id"].clone()], "newest first, the private one left out");
    let (_, posts) = server.post_as("/api/v4/posts/ids", &ann.token, &ids).await;
    assert_eq!(posts.as_array().unwrap().len(), 3);
    assert_eq!(server.delete_as(&format!("/api/v4/posts/{}", open["id"].as_str().unwrap()), &ann.token).await.0, 200);
    let (_, posts) = server.post_as("/api/v4/posts/ids", &bob.token, &ids).await;
    assert_eq!(ids_of(&posts), [pinned["id"].clone()], "deleted posts are left out");
    assert_eq!(server.post_as("/api/v4/posts/ids", &bob.token, &json!([])).await.0, 400);

    // A user's channels in every team, direct ones included; their own or an admin's view.
    let (_, other_team) = server.post_as("/api/v4/teams", &ann.token, &json!({ "name": "ops", "display_name": "Ops", "type": "I" })).await;
    let (status, dm) = server.post_as("/api/v4/channels/direct", &ann.token, &json!([ann.id, bob.id])).await;
    assert_eq!(status, 201, "{dm}");
    let (status, channels) = server.get_as("/api/v4/users/me/channels", &ann.token).await;
    assert_eq!(status, 200, "{channels}");
    let channel_ids: Vec<&str> = channels.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in [dev_id.as_str(), secret_id, dm["id"].as_str().unwrap()] {
        assert!(channel_ids.contains(&id), "{id} missing from {channels}");
    }
    assert!(channels.as_array().unwrap().iter().any(|c| c["team_id"] == other_team["id"]), "the other team's channels: {channels}");
    assert_eq!(server.get_as(&format!("/api/v4/users/{}/channels", ann.id), &bob.token).await.0, 403);
    assert_eq!(server.get_as(&format!("/api/v4/users/{}/channels", ann.id), &admin.token).await.0, 200);

    // Unread counts and memberships are their owner's (and system admins').
    for path in [
        format!("/api/v4/users/{}/teams/unread", ann.id),
        format!("/api/v4/users/{}/teams/members", ann.id),
        format!("/api/v4/users/{}/teams/{team_id}/channels/members", ann.id),
    ] {
        assert_eq!(server.get_as(&path, &bob.token).await.0, 403, "{path}");
        assert_eq!(server.get_as(&path, &admin.token).await.0, 200, "{path}");
        assert_eq!(server.get_as(&path, "").await.0, 401, "{path}");
    }
    let (status, _) = server.post_as(&format!("/api/v4/channels/members/{}/view", ann.id), &bob.token, &json!({ "channel_id": dev_id })).await;
    assert_eq!(status, 403);
    // Another team's channels: 403 for outsiders, 404 for no such team.
    let other_id = other_team["id"].as_str().unwrap();
    assert_eq!(server.get_as(&format!("/api/v4/users/me/teams/{other_id}/channels/members"), &bob.token).await.0, 403);
    assert_eq!(server.get_as("/api/v4/users/me/teams/aaaaaaaaaaaaaaaaaaaaaaaaaa/channels/members", &bob.token).await.0, 404);
    server.stop().await;
}
