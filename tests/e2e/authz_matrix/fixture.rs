//! The world the matrix runs in: a system admin, a team admin, a plain member, a team member outside the channels (the non-member), an extra user to add and remove, a team with public and private channels, a direct channel, posts with threads and reactions, hooks, a command, a token, a bot, a plugin and a loopback integration; and the `:key` placeholders rows use to name them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use confab_e2e::{TestServer, User};
use serde_json::{Value, json};

/// Text only members of the private channel may ever read.
pub const PRIV_SECRET: &str = "zq-private-secret";
/// Text only the two people of the direct channel may ever read.
pub const DM_SECRET: &str = "zq-direct-secret";
/// The kv-counter example plugin, installed for the plugin rows.
pub const PLUGIN: &str = "com.confab.kv-counter";

/// Who calls: the five columns of the matrix, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// No credentials.
    Anon,
    /// A team member in the public and private channels and the direct channel.
    Member,
    /// A team member in none of those channels (town-square and off-topic only).
    NonMember,
    /// The team's admin (its creator): in the public channel, not the private one.
    TeamAdmin,
    /// The system admin (the first account): in every channel of the fixture.
    Admin,
}

pub const ROLES: [Role; 5] = [Role::Anon, Role::Member, Role::NonMember, Role::TeamAdmin, Role::Admin];

impl Role {
    pub fn column(self) -> usize {
        ROLES.iter().position(|r| *r == self).expect("a role")
    }

    /// Whether this role may read the private channel's and the direct channel's content.
    pub fn sees_private(self) -> bool {
        matches!(self, Role::Member | Role::Admin)
    }
}

/// The fixture's ids and users.
pub struct World {
    pub admin: User,
    pub tadmin: User,
    pub member: User,
    pub nonmember: User,
    pub extra: User,
    /// The member's personal access token secret: no response may ever show it again.
    pub member_pat: String,
    /// Static `:key` values.
    pub keys: BTreeMap<&'static str, String>,
    counter: AtomicUsize,
}

impl World {
    pub fn user(&self, role: Role) -> Option<&User> {
        match role {
            Role::Anon => None,
            Role::Member => Some(&self.member),
            Role::NonMember => Some(&self.nonmember),
            Role::TeamAdmin => Some(&self.tadmin),
            Role::Admin => Some(&self.admin),
        }
    }

    pub fn token(&self, role: Role) -> &str {
        self.user(role).map_or("", |u| u.token.as_str())
    }

    pub fn key(&self, name: &str) -> &str {
        self.keys.get(name).unwrap_or_else(|| panic!("no fixture key `:{name}`"))
    }

    /// A value unique in this run (names, triggers, emoji).
    pub fn uniq(&self) -> String {
        format!("q{}", self.counter.fetch_add(1, Ordering::Relaxed))
    }

    /// The value of `:name` for a request by `role`: a fixture id, or a throwaway
    /// object created now for rows that change or delete what they touch.
    pub async fn resolve(&self, server: &TestServer, name: &str, role: Role) -> String {
        let admin = &self.admin.token;
        match name {
            "me" => self.user(role).map_or_else(|| "me".to_string(), |u| u.id.clone()),
            "uniq" => self.uniq(),
            "fresh_pub_post" => post(server, &self.member.token, self.key("pub"), "fresh public post").await,
            "fresh_priv_post" => post(server, &self.member.token, self.key("priv"), &format!("fresh {PRIV_SECRET}")).await,
            "fresh_member_reaction" => {
                let emoji = format!("e_{}", self.uniq());
                let body = json!({ "user_id": self.member.id, "post_id": self.key("priv_post"), "emoji_name": emoji });
                expect_ok(server.post_as("/api/v4/reactions", &self.member.token, &body).await, "fresh reaction");
                emoji
            }
            "fresh_in_hook" => {
                let body = json!({ "channel_id": self.key("pub"), "display_name": "fresh" });
                id_of(server.post_as("/api/v4/hooks/incoming", &self.tadmin.token, &body).await, "fresh incoming hook")
            }
            "fresh_out_hook" => {
                let body = outgoing_body(self.key("team"), self.key("pub"), &self.uniq());
                id_of(server.post_as("/api/v4/hooks/outgoing", &self.tadmin.token, &body).await, "fresh outgoing hook")
            }
            "fresh_command" => {
                let body = command_body(self.key("team"), &self.uniq());
                id_of(server.post_as("/api/v4/commands", &self.tadmin.token, &body).await, "fresh command")
            }
            "fresh_token" => {
                let path = format!("/api/v4/users/{}/tokens", self.member.id);
                id_of(server.post_as(&path, &self.member.token, &json!({ "description": "fresh" })).await, "fresh token")
            }
            // Archive targets: the admin's channel with the member in it.
            "fresh_pub_channel" => self.channel_with(server, "O", &[&self.member]).await,
            "fresh_priv_channel" => self.channel_with(server, "P", &[&self.member]).await,
            // Restore target: a public channel the admin archived.
            "fresh_archived_pub" => {
                let id = self.channel_with(server, "O", &[&self.member]).await;
                let (status, body) = server.delete_as(&format!("/api/v4/channels/{id}"), admin).await;
                assert_eq!(status, 200, "archive the restore target: {body}");
                id
            }
            // Member-removal targets: `:extra` is in them (and the team admin in the public one).
            "fresh_pub_x" => self.channel_with(server, "O", &[&self.member, &self.tadmin, &self.extra]).await,
            "fresh_priv_x" => self.channel_with(server, "P", &[&self.member, &self.extra]).await,
            // A user in no team.
            "fresh_user" => new_user(server, admin, &self.uniq()).await,
            // A user in the team (added by its admin), to be removed.
            "fresh_team_user" => {
                let id = new_user(server, admin, &self.uniq()).await;
                let team = self.key("team");
                let body = json!({ "team_id": team, "user_id": id });
                expect_ok(server.post_as(&format!("/api/v4/teams/{team}/members"), &self.tadmin.token, &body).await, "add to team");
                id
            }
            other => self.key(other).to_string(),
        }
    }

    async fn channel_with(&self, server: &TestServer, kind: &str, members: &[&User]) -> String {
        let name = format!("c-{}", self.uniq());
        // A private channel's header is secret; a public one's is not.
        let header = if kind == "P" { format!("{PRIV_SECRET} header") } else { String::new() };
        let body = json!({ "team_id": self.key("team"), "name": name, "display_name": name, "type": kind, "header": header });
        let id = id_of(server.post_as("/api/v4/channels", &self.admin.token, &body).await, "fresh channel");
        for user in members {
            let path = format!("/api/v4/channels/{id}/members");
            expect_ok(server.post_as(&path, &self.admin.token, &json!({ "user_id": user.id })).await, "fresh channel member");
        }
        id
    }
}

fn expect_ok((status, body): (u16, Value), what: &str) -> Value {
    assert!((200..300).contains(&status), "fixture: {what}: {status} {body}");
    body
}

fn id_of(response: (u16, Value), what: &str) -> String {
    let body = expect_ok(response, what);
    body["id"].as_str().unwrap_or_else(|| panic!("fixture: {what}: no id in {body}")).to_string()
}

async fn post(server: &TestServer, token: &str, channel_id: &str, message: &str) -> String {
    id_of(server.post_as("/api/v4/posts", token, &json!({ "channel_id": channel_id, "message": message })).await, "post")
}

async fn reply(server: &TestServer, token: &str, channel_id: &str, root_id: &str, message: &str) -> String {
    let body = json!({ "channel_id": channel_id, "root_id": root_id, "message": message });
    id_of(server.post_as("/api/v4/posts", token, &body).await, "reply")
}

async fn react(server: &TestServer, user: &User, post_id: &str) {
    let body = json!({ "user_id": user.id, "post_id": post_id, "emoji_name": "smile" });
    expect_ok(server.post_as("/api/v4/reactions", &user.token, &body).await, "reaction");
}

/// A user created by the admin (no login: sign-ups hash a password, and logins are few).
async fn new_user(server: &TestServer, admin_token: &str, name: &str) -> String {
    let body = json!({ "username": format!("u-{name}"), "email": format!("u-{name}@example.com"), "password": format!("password-{name}") });
    id_of(server.post_as("/api/v4/users", admin_token, &body).await, "user")
}

pub fn outgoing_body(team_id: &str, channel_id: &str, word: &str) -> Value {
    // A trigger word nobody posts and a receiver that is never called.
    json!({ "team_id": team_id, "channel_id": channel_id, "trigger_words": [format!("zz{word}")], "callback_urls": ["http://receiver.invalid/out"] })
}

pub fn command_body(team_id: &str, trigger: &str) -> Value {
    json!({ "team_id": team_id, "trigger": format!("t{trigger}"), "url": "http://receiver.invalid/cmd", "method": "P" })
}

/// A post in `channel_id` by `token` with one button calling `integration`; (post id, action id).
async fn action_post(server: &TestServer, token: &str, channel_id: &str, integration: &str, message: &str) -> (String, String) {
    let attachments = json!([{ "text": message, "actions": [{ "name": "Go", "integration": { "url": format!("{integration}/action") } }] }]);
    let body = json!({ "channel_id": channel_id, "message": message, "props": { "attachments": attachments } });
    let post = expect_ok(server.post_as("/api/v4/posts", token, &body).await, "action post");
    let action = post["props"]["attachments"][0]["actions"][0]["id"].as_str().expect("an action id").to_string();
    (post["id"].as_str().unwrap().to_string(), action)
}

/// Build the world. Four sign-ups (four logins) plus one user created by the admin.
pub async fn build(server: &TestServer, integration: &str) -> World {
    let admin = server.signup("authz-admin").await;
    let tadmin = server.signup("authz-tadmin").await;
    let member = server.signup("authz-member").await;
    let nonmember = server.signup("authz-nonmember").await;
    let extra_id = new_user(server, &admin.token, "extra").await;
    let extra = User { id: extra_id, username: "u-extra".into(), token: String::new() };
    let mut keys: BTreeMap<&'static str, String> = BTreeMap::new();

    let team = expect_ok(server.post_as("/api/v4/teams", &tadmin.token, &json!({ "name": "authz", "display_name": "Authz", "type": "O" })).await, "team");
    let team_id = team["id"].as_str().unwrap().to_string();
    let closed = expect_ok(server.post_as("/api/v4/teams", &tadmin.token, &json!({ "name": "closed", "display_name": "Closed", "type": "I" })).await, "team");
    for user in [&admin, &member, &nonmember, &extra] {
        let body = json!({ "team_id": team_id, "user_id": user.id });
        expect_ok(server.post_as(&format!("/api/v4/teams/{team_id}/members"), &tadmin.token, &body).await, "join team");
    }
    let town = expect_ok(server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &admin.token).await, "town-square");

    let channel = |name: &str, kind: &str, header: &str| json!({ "team_id": team_id, "name": name, "display_name": name, "type": kind, "header": header });
    let pub_id = id_of(server.post_as("/api/v4/channels", &admin.token, &channel("pub", "O", "public header")).await, "pub");
    let priv_id = id_of(server.post_as("/api/v4/channels", &admin.token, &channel("priv", "P", &format!("{PRIV_SECRET} header"))).await, "priv");
    let open_id = id_of(server.post_as("/api/v4/channels", &admin.token, &channel("open", "O", "")).await, "open");
    for (channel_id, user) in [(&pub_id, &member), (&pub_id, &tadmin), (&priv_id, &member)] {
        let path = format!("/api/v4/channels/{channel_id}/members");
        expect_ok(server.post_as(&path, &admin.token, &json!({ "user_id": user.id })).await, "channel member");
    }
    let dm = expect_ok(server.post_as("/api/v4/channels/direct", &admin.token, &json!([admin.id, member.id])).await, "dm");
    let dm_id = dm["id"].as_str().unwrap().to_string();

    // Posts: a thread and a reaction in each channel; the private ones carry the secrets.
    let pub_post = post(server, &member.token, &pub_id, "public root").await;
    reply(server, &admin.token, &pub_id, &pub_post, "public reply").await;
    react(server, &member, &pub_post).await;
    let priv_post = post(server, &member.token, &priv_id, &format!("{PRIV_SECRET} root")).await;
    reply(server, &admin.token, &priv_id, &priv_post, &format!("{PRIV_SECRET} reply")).await;
    react(server, &member, &priv_post).await;
    let dm_post = post(server, &admin.token, &dm_id, &format!("{DM_SECRET} root")).await;
    reply(server, &member.token, &dm_id, &dm_post, &format!("{DM_SECRET} reply")).await;
    react(server, &admin, &dm_post).await;
    let (pub_action_post, pub_action) = action_post(server, &admin.token, &pub_id, integration, "public button").await;
    let (priv_action_post, priv_action) = action_post(server, &admin.token, &priv_id, integration, &format!("{PRIV_SECRET} button")).await;

    // Integrations, managed by the team admin; a token of the member's; a bot.
    let in_hook = id_of(server.post_as("/api/v4/hooks/incoming", &tadmin.token, &json!({ "channel_id": pub_id })).await, "incoming hook");
    let out_hook = id_of(server.post_as("/api/v4/hooks/outgoing", &tadmin.token, &outgoing_body(&team_id, &pub_id, "fixture")).await, "outgoing hook");
    let command = id_of(server.post_as("/api/v4/commands", &tadmin.token, &command_body(&team_id, "fixture")).await, "command");
    let pat = expect_ok(server.post_as(&format!("/api/v4/users/{}/tokens", member.id), &member.token, &json!({ "description": "pat" })).await, "token");
    let bot = expect_ok(server.post_as("/api/v4/bots", &admin.token, &json!({ "username": "authz-bot" })).await, "bot");

    for (key, value) in [
        ("team", team_id.clone()),
        ("team_name", "authz".to_string()),
        ("closed", closed["id"].as_str().unwrap().to_string()),
        ("town", town["id"].as_str().unwrap().to_string()),
        ("pub", pub_id),
        ("priv", priv_id),
        ("open", open_id),
        ("dm", dm_id),
        ("pub_post", pub_post),
        ("priv_post", priv_post),
        ("dm_post", dm_post),
        ("pub_action_post", pub_action_post),
        ("pub_action", pub_action),
        ("priv_action_post", priv_action_post),
        ("priv_action", priv_action),
        ("in_hook", in_hook),
        ("out_hook", out_hook),
        ("command", command),
        ("bot", bot["user_id"].as_str().unwrap().to_string()),
        ("plugin", PLUGIN.to_string()),
        ("integration", integration.to_string()),
        ("admin_id", admin.id.clone()),
        ("tadmin_id", tadmin.id.clone()),
        ("member_id", member.id.clone()),
        ("nonmember_id", nonmember.id.clone()),
        ("extra_id", extra.id.clone()),
    ] {
        keys.insert(key, value);
    }
    let member_pat = pat["token"].as_str().expect("the token secret").to_string();
    World { admin, tadmin, member, nonmember, extra, member_pat, keys, counter: AtomicUsize::new(0) }
}
