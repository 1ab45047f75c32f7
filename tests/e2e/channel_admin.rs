//! Who may rename, archive and restore channels, checked against Mattermost's default permissions for members, non-members, team admins and system admins; the default channel can be neither renamed nor archived.

use confab_e2e::{Backend, TestDir, TestServer, User, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(the_default_channel_keeps_its_name_and_stays, channel_management_follows_mattermost_roles);

/// The cast: `root` (system admin), `tina` who created team `eng` (its team admin),
/// `mia` and `noah`, plain members of the team.
struct Cast {
    root: User,
    tina: User,
    mia: User,
    noah: User,
    team_id: String,
}

async fn cast(server: &TestServer) -> Cast {
    let root = server.signup("root").await;
    let tina = server.signup("tina").await;
    let mia = server.signup("mia").await;
    let noah = server.signup("noah").await;
    let (status, team) = server.post_as("/api/v4/teams", &tina.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    assert_eq!(status, 201, "{team}");
    let team_id = team["id"].as_str().unwrap().to_string();
    for user in [&root, &mia, &noah] {
        let (status, body) = server.post_as(&format!("/api/v4/teams/{team_id}/members"), &user.token, &json!({ "team_id": team_id, "user_id": user.id })).await;
        assert_eq!(status, 201, "{} joins: {body}", user.username);
    }
    Cast { root, tina, mia, noah, team_id }
}

/// A channel of `kind` created by `creator` (who becomes its only member).
async fn channel(server: &TestServer, creator: &User, team_id: &str, name: &str, kind: &str) -> String {
    let (status, body) =
        server.post_as("/api/v4/channels", &creator.token, &json!({ "team_id": team_id, "name": name, "display_name": name, "type": kind })).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_string()
}

/// Set a channel's display name as `user`.
async fn patch(server: &TestServer, channel_id: &str, user: &User, display_name: &str) -> (u16, Value) {
    server.put_as(&format!("/api/v4/channels/{channel_id}/patch"), &user.token, &json!({ "display_name": display_name })).await
}

fn id_of(body: &Value) -> Option<&str> {
    body["id"].as_str()
}

async fn the_default_channel_keeps_its_name_and_stays(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "channel_admin::default_channel").await else { return };
    let c = cast(&server).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{}/channels/name/town-square", c.team_id), &c.mia.token).await;
    let town_id = town["id"].as_str().unwrap();

    // Neither a member nor a system admin may rename it; its other properties change.
    for user in [&c.mia, &c.tina, &c.root] {
        let (status, body) = server.put_as(&format!("/api/v4/channels/{town_id}/patch"), &user.token, &json!({ "name": "lobby" })).await;
        assert_eq!((status, id_of(&body)), (400, Some("api.channel.update_channel.tried.app_error")), "{}: {body}", user.username);
    }
    let (status, body) = server
        .put_as(&format!("/api/v4/channels/{town_id}/patch"), &c.mia.token, &json!({ "name": "town-square", "display_name": "Lobby", "header": "hi" }))
        .await;
    assert_eq!((status, body["name"].as_str(), body["display_name"].as_str()), (200, Some("town-square"), Some("Lobby")), "{body}");

    // Nor archive it.
    for user in [&c.mia, &c.tina, &c.root] {
        let (status, body) = server.delete_as(&format!("/api/v4/channels/{town_id}"), &user.token).await;
        assert_eq!((status, id_of(&body)), (400, Some("api.channel.delete_channel.cannot.app_error")), "{}: {body}", user.username);
    }

    // So a newcomer still lands in it and the by-name lookup finds it.
    let zoe = server.signup("zoe").await;
    let (status, _) = server.post_as(&format!("/api/v4/teams/{}/members", c.team_id), &zoe.token, &json!({ "team_id": c.team_id, "user_id": zoe.id })).await;
    assert_eq!(status, 201);
    let (status, found) = server.get_as(&format!("/api/v4/teams/{}/channels/name/town-square", c.team_id), &zoe.token).await;
    assert_eq!((status, found["id"].as_str(), found["delete_at"].as_i64()), (200, Some(town_id), Some(0)));
    assert_eq!(server.get_as(&format!("/api/v4/channels/{town_id}/members/{}", zoe.id), &zoe.token).await.0, 200, "zoe is in it");
    server.stop().await;
}

async fn channel_management_follows_mattermost_roles(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "channel_admin::roles").await else { return };
    let c = cast(&server).await;
    let public = channel(&server, &c.mia, &c.team_id, "dev", "O").await;
    let private = channel(&server, &c.mia, &c.team_id, "ops", "P").await;

    for id in [&public, &private] {
        // Not members: a plain member of the team, and the team admin (team_admin does not
        // hold manage_*_channel_properties or delete_*_channel), are refused.
        for user in [&c.noah, &c.tina] {
            let (status, body) = patch(&server, id, user, "Nope").await;
            assert_eq!((status, id_of(&body)), (403, Some("api.context.permissions.app_error")), "{} patching: {body}", user.username);
            let (status, _) = server.delete_as(&format!("/api/v4/channels/{id}"), &user.token).await;
            assert_eq!(status, 403, "{} archiving", user.username);
        }
        // A member may (channel_user holds both); so may a system admin who is not one.
        assert_eq!(patch(&server, id, &c.mia, "By mia").await.0, 200);
        assert_eq!(patch(&server, id, &c.root, "By root").await.0, 200);
        // Once a member, the team admin may too.
        let (status, _) = server.post_as(&format!("/api/v4/channels/{id}/members"), &c.mia.token, &json!({ "user_id": c.tina.id })).await;
        assert_eq!(status, 201);
        assert_eq!(patch(&server, id, &c.tina, "By tina").await.0, 200);
    }

    // Archive: a member may; an archived channel takes no patches, no posts, no second archive.
    let (status, body) = server.delete_as(&format!("/api/v4/channels/{public}"), &c.mia.token).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = patch(&server, &public, &c.mia, "Late").await;
    assert_eq!((status, id_of(&body)), (400, Some("api.channel.update_channel.deleted.app_error")), "{body}");
    let (status, body) = server.post_as("/api/v4/posts", &c.mia.token, &json!({ "channel_id": public, "message": "late" })).await;
    assert_eq!((status, id_of(&body)), (400, Some("api.post.create_post.can_not_post_to_deleted.error")));
    let (status, body) = server.delete_as(&format!("/api/v4/channels/{public}"), &c.mia.token).await;
    assert_eq!((status, id_of(&body)), (400, Some("api.channel.delete_channel.deleted.app_error")));
    let (status, _) = server.delete_as(&format!("/api/v4/channels/{private}"), &c.root.token).await;
    assert_eq!(status, 200, "a system admin archives a private channel he is not in");

    // Restore needs manage_team: not a member (even the one who archived it) nor a
    // non-member; the team admin and a system admin may, members or not.
    for id in [&public, &private] {
        for user in [&c.mia, &c.noah] {
            let (status, body) = server.post_as(&format!("/api/v4/channels/{id}/restore"), &user.token, &json!({})).await;
            assert_eq!((status, id_of(&body)), (403, Some("api.context.permissions.app_error")), "{} restoring: {body}", user.username);
        }
    }
    let (status, restored) = server.post_as(&format!("/api/v4/channels/{public}/restore"), &c.tina.token, &json!({})).await;
    assert_eq!((status, restored["delete_at"].as_i64()), (200, Some(0)), "{restored}");
    let (status, body) = server.post_as(&format!("/api/v4/channels/{public}/restore"), &c.tina.token, &json!({})).await;
    assert_eq!((status, id_of(&body)), (400, Some("api.channel.restore_channel.restored.app_error")), "not archived any more");
    let (status, restored) = server.post_as(&format!("/api/v4/channels/{private}/restore"), &c.root.token, &json!({})).await;
    assert_eq!((status, restored["delete_at"].as_i64()), (200, Some(0)), "{restored}");
    let (status, _) = server.post_as("/api/v4/posts", &c.mia.token, &json!({ "channel_id": public, "message": "back" })).await;
    assert_eq!(status, 201, "a restored channel takes posts again");

    // Direct channels: never archived, not restorable, renamed by nobody; a system admin
    // who is not in one cannot change it.
    let (status, dm) = server.post_as("/api/v4/channels/direct", &c.mia.token, &json!([c.mia.id, c.noah.id])).await;
    assert_eq!(status, 201);
    let dm_id = dm["id"].as_str().unwrap();
    let (status, body) = server.delete_as(&format!("/api/v4/channels/{dm_id}"), &c.mia.token).await;
    assert_eq!((status, id_of(&body)), (400, Some("api.channel.delete_channel.type.invalid")));
    assert_eq!(server.post_as(&format!("/api/v4/channels/{dm_id}/restore"), &c.root.token, &json!({})).await.0, 403);
    let (status, body) = server.put_as(&format!("/api/v4/channels/{dm_id}/patch"), &c.root.token, &json!({ "header": "mine now" })).await;
    assert_eq!((status, id_of(&body)), (403, Some("api.channel.patch_update_channel.forbidden.app_error")), "{body}");
    let (status, body) = server.put_as(&format!("/api/v4/channels/{dm_id}/patch"), &c.noah.token, &json!({ "header": "our dm" })).await;
    assert_eq!((status, body["header"].as_str()), (200, Some("our dm")), "members set a direct channel's header");
    server.stop().await;
}
