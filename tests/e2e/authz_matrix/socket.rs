//! The WebSocket side of the matrix: a socket per role, open for the whole run, receives the events of the channels its user is in and never an event of the private or direct channel it is not in (posted, post_edited, reaction_added, typing, ... — whatever the REST rows caused).

use confab_e2e::{TestServer, WsClient, event_post};
use serde_json::{Value, json};

use super::fixture::{DM_SECRET, PRIV_SECRET, Role, World};

/// One socket per signed-in role, and one that never authenticated.
pub struct Sockets {
    pub roles: Vec<(Role, WsClient)>,
    pub anon: WsClient,
    seq: i64,
}

pub async fn open(server: &TestServer, world: &World) -> Sockets {
    let mut roles = Vec::new();
    for role in [Role::Member, Role::NonMember, Role::TeamAdmin, Role::Admin] {
        roles.push((role, server.websocket(world.token(role)).await));
    }
    Sockets { roles, anon: server.websocket_unauthenticated().await, seq: 100 }
}

impl Sockets {
    fn get(&mut self, role: Role) -> &mut WsClient {
        &mut self.roles.iter_mut().find(|(r, _)| *r == role).expect("a socket").1
    }

    /// Send `user_typing` in `channel_id` as `role`; the reply's status.
    async fn typing(&mut self, role: Role, channel_id: &str) -> String {
        self.seq += 1;
        let seq = self.seq;
        let socket = self.get(role);
        socket.send(&json!({ "seq": seq, "action": "user_typing", "data": { "channel_id": channel_id, "parent_id": "" } })).await;
        socket.expect_reply(seq).await["status"].as_str().unwrap_or_default().to_string()
    }

    /// Post `message` in town-square (every role's socket gets it) and read each socket
    /// up to it: everything published before it has arrived by then.
    async fn sync(&mut self, server: &TestServer, world: &World, message: &str) {
        let body = json!({ "channel_id": world.key("town"), "message": message });
        let (status, post) = server.post_as("/api/v4/posts", &world.member.token, &body).await;
        assert_eq!(status, 201, "{post}");
        for (_, socket) in &mut self.roles {
            socket.expect_event("posted", |e| event_post(e)["message"] == message).await;
        }
    }
}

/// Channel ids an event is about: its broadcast's, its data's, its post's.
fn channels_of(event: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    let mut push = |v: &Value| {
        if let Some(id) = v.as_str().filter(|s| !s.is_empty()) {
            ids.push(id.to_string());
        }
    };
    push(&event["broadcast"]["channel_id"]);
    push(&event["data"]["channel_id"]);
    for field in ["post", "channel"] {
        if let Some(inner) = event["data"][field].as_str().and_then(|s| serde_json::from_str::<Value>(s).ok()) {
            push(&inner["channel_id"]);
            if field == "channel" {
                push(&inner["id"]);
            }
        }
    }
    ids
}

/// Channels of the fixture a role is not in.
fn outside(world: &World, role: Role) -> Vec<String> {
    let names: &[&str] = match role {
        Role::NonMember => &["pub", "priv", "dm"],
        Role::TeamAdmin => &["priv", "dm"],
        _ => &[],
    };
    names.iter().map(|n| world.key(n).to_string()).collect()
}

/// Every event a socket got is one its user may see.
fn check_isolation(world: &World, sockets: &Sockets) -> Vec<String> {
    let mut failures = Vec::new();
    for (role, socket) in &sockets.roles {
        let forbidden = outside(world, *role);
        for event in &socket.received {
            let text = event.to_string();
            let about_forbidden = channels_of(event).iter().any(|id| forbidden.contains(id));
            let secret = !role.sees_private() && (text.contains(PRIV_SECRET) || text.contains(DM_SECRET));
            if about_forbidden || secret || text.contains(&world.member_pat) {
                failures.push(format!("{role:?} socket received {text}"));
            }
        }
    }
    failures
}

fn got(socket: &WsClient, event: &str, channel_id: &str) -> bool {
    socket.received.iter().any(|e| e["event"] == event && channels_of(e).iter().any(|id| id == channel_id))
}

/// Before the REST rows: typing, posts, an edit and reactions in the private and direct
/// channels reach their members and nobody else; a non-member cannot type into them.
pub async fn private_events_stay_private(server: &TestServer, world: &World, sockets: &mut Sockets) {
    let (pub_id, priv_id, dm_id) = (world.key("pub").to_string(), world.key("priv").to_string(), world.key("dm").to_string());
    assert_eq!(sockets.typing(Role::Member, &priv_id).await, "OK");
    assert_eq!(sockets.typing(Role::Admin, &dm_id).await, "OK");
    for role in [Role::NonMember, Role::TeamAdmin] {
        assert_eq!(sockets.typing(role, &priv_id).await, "FAIL", "{role:?} types into the private channel");
        assert_eq!(sockets.typing(role, &dm_id).await, "FAIL", "{role:?} types into the direct channel");
    }
    let member = &world.member.token;
    for (channel, token, message) in
        [(&priv_id, member, format!("{PRIV_SECRET} live")), (&dm_id, member, format!("{DM_SECRET} live")), (&pub_id, member, "public live".to_string())]
    {
        let (status, post) = server.post_as("/api/v4/posts", token, &json!({ "channel_id": channel, "message": message })).await;
        assert_eq!(status, 201, "{post}");
        let id = post["id"].as_str().unwrap();
        let (status, _) = server.put_as(&format!("/api/v4/posts/{id}/patch"), token, &json!({ "message": format!("{message} edited") })).await;
        assert_eq!(status, 200);
        let reaction = json!({ "user_id": world.member.id, "post_id": id, "emoji_name": "eyes" });
        let (status, _) = server.post_as("/api/v4/reactions", token, &reaction).await;
        assert_eq!(status, 200);
    }
    sockets.sync(server, world, "sync one").await;

    let admin = sockets.get(Role::Admin);
    for (event, channel) in [("typing", &priv_id), ("posted", &priv_id), ("post_edited", &priv_id), ("reaction_added", &priv_id), ("posted", &dm_id)] {
        assert!(got(admin, event, channel), "the admin got no {event} in {channel}: {:#?}", admin.received);
    }
    let member = sockets.get(Role::Member);
    for (event, channel) in [("typing", &dm_id), ("posted", &priv_id), ("post_edited", &dm_id), ("reaction_added", &dm_id)] {
        assert!(got(member, event, channel), "the member got no {event} in {channel}: {:#?}", member.received);
    }
    let tadmin = sockets.get(Role::TeamAdmin);
    assert!(got(tadmin, "posted", &pub_id) && got(tadmin, "post_edited", &pub_id), "the team admin is in the public channel: {:#?}", tadmin.received);
    let failures = check_isolation(world, sockets);
    assert!(failures.is_empty(), "private events reached outsiders:\n{}", failures.join("\n"));
}

/// After the REST rows: nothing any row caused reached a socket it must not reach, and
/// the socket without a session got nothing but refusals.
pub async fn nothing_leaked(server: &TestServer, world: &World, sockets: &mut Sockets) -> Vec<String> {
    sockets.sync(server, world, "sync two").await;
    let mut failures = check_isolation(world, sockets);
    sockets.anon.send(&json!({ "seq": 7, "action": "user_typing", "data": { "channel_id": world.key("town") } })).await;
    let reply = sockets.anon.expect_reply(7).await;
    if reply["status"] != "FAIL" {
        failures.push(format!("the unauthenticated socket's action was answered {reply}"));
    }
    for message in &sockets.anon.received {
        if message.get("event").is_some() {
            failures.push(format!("the unauthenticated socket received an event: {message}"));
        }
    }
    failures
}
