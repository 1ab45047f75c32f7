//! The matrix: one row per (route, target), the status each role gets — anonymous, plain member, non-member, team admin, system admin — as Mattermost's default permissions give it, and where Confab knowingly answers otherwise, what and why.
//!
//! Every route the router declares needs at least one row (`routes.rs` checks), so a new
//! route means a new line here. Paths and bodies name fixture objects with `:key`
//! (`fixture.rs`); `:fresh_*` keys create a throwaway object for each request, so
//! changing and deleting rows do not disturb the others. `ws:` rows open a WebSocket.
//! A 400 for an authorized role is accepted where a valid body is impractical; the
//! row says so.

/// One line of the matrix.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The router's method (`ANY` for catch-all routes, sent as GET).
    pub method: &'static str,
    /// The router's path pattern, as declared.
    pub route: &'static str,
    /// The request path with `:key` placeholders; empty for the route itself.
    pub path: &'static str,
    /// A JSON body with `:key` placeholders; empty for none.
    pub body: &'static str,
    /// Mattermost's answer for anonymous, member, non-member, team admin, system admin.
    pub expect: [u16; 5],
    /// Where Confab knowingly answers otherwise: its answer and why.
    pub confab: Option<([u16; 5], &'static str)>,
}

const fn r(method: &'static str, route: &'static str, path: &'static str, body: &'static str, expect: [u16; 5]) -> Row {
    Row { method, route, path, body, expect, confab: None }
}

impl Row {
    const fn confab(self, answer: [u16; 5], why: &'static str) -> Row {
        Row { confab: Some((answer, why)), ..self }
    }

    /// What this branch must answer.
    pub fn required(&self) -> [u16; 5] {
        self.confab.map_or(self.expect, |(answer, _)| answer)
    }
}

/// Anyone, signed in or not.
const ALL: [u16; 5] = [200; 5];
/// Anyone signed in.
const USERS: [u16; 5] = [401, 200, 200, 200, 200];
/// Members of the private (or direct) channel, and system admins.
const PRIVATE: [u16; 5] = [401, 200, 403, 403, 200];
/// Members of the public channel (the team admin is one), and system admins.
const PUBLIC_MEMBERS: [u16; 5] = [401, 200, 403, 200, 200];
/// Team admins and system admins.
const TEAM_ADMINS: [u16; 5] = [401, 403, 403, 200, 200];
/// System admins.
const ADMINS: [u16; 5] = [401, 403, 403, 403, 200];
/// The user themself and system admins (rows acting on the member).
const SELF: [u16; 5] = [401, 200, 403, 403, 200];
/// Managers of a command; others get a 404 so command ids do not leak.
const COMMAND_ADMINS: [u16; 5] = [401, 404, 404, 200, 200];

/// The author, team admins (delete_others_posts, team-wide in Mattermost) and system admins.
const AUTHOR_OR_ADMINS: [u16; 5] = [401, 200, 403, 200, 200];

const TEAM_ADMIN_DELETES: &str = "Mattermost's team admins may delete others' posts (delete_others_posts); Confab lets the author and system admins only";

/// The whole matrix, run in this order (`POST /users/logout` after everything else).
pub const ROWS: &[Row] = &[
    // System.
    r("GET", "/api/v4/system/ping", "", "", ALL),
    r("GET", "/api/v4/config/client", "/api/v4/config/client?format=old", "", ALL),
    r("GET", "/api/v4/license/client", "/api/v4/license/client?format=old", "", ALL),
    // From loopback: the metrics branch keeps loopback (and admins) allowed.
    r("GET", "/metrics", "", "", ALL),
    // Users.
    r("POST", "/api/v4/users", "", r#"{"username":"s-:uniq","email":"s-:uniq@example.com","password":"password-:uniq"}"#, [201; 5]),
    // An unknown login: the route is open to all, and nobody is locked out by the matrix.
    r("POST", "/api/v4/users/login", "", r#"{"login_id":"nobody-here","password":"wrong-password"}"#, [401; 5]),
    r("POST", "/api/v4/users/logout", "", "", ALL),
    r("GET", "/api/v4/users", "", "", USERS),
    r("GET", "/api/v4/users", "/api/v4/users?in_team=:team", "", USERS),
    r("GET", "/api/v4/users", "/api/v4/users?in_channel=:priv", "", PRIVATE),
    r("GET", "/api/v4/users", "/api/v4/users?in_channel=:dm", "", PRIVATE),
    r("POST", "/api/v4/users/ids", "", r#"[":member_id", ":admin_id"]"#, USERS),
    r("POST", "/api/v4/users/usernames", "", r#"["authz-member"]"#, USERS),
    r("GET", "/api/v4/users/username/{username}", "/api/v4/users/username/authz-member", "", USERS),
    // While emails are hidden (the default), looking users up by email is for system
    // admins only, one's own address included, as in Mattermost.
    r("GET", "/api/v4/users/email/{email}", "/api/v4/users/email/authz-member@example.com", "", [401, 403, 403, 403, 200]),
    r("GET", "/api/v4/users/email/{email}", "/api/v4/users/email/authz-nonmember@example.com", "", [401, 403, 403, 403, 200]),
    r("POST", "/api/v4/users/tokens/revoke", "", r#"{"token_id":":fresh_token"}"#, SELF),
    r("GET", "/api/v4/users/{user_id}", "/api/v4/users/:member_id", "", USERS),
    r("GET", "/api/v4/users/{user_id}", "/api/v4/users/me", "", USERS),
    // Someone else's password: system admins only (their own needs the current one: 400 without).
    r("PUT", "/api/v4/users/{user_id}/password", "/api/v4/users/:fresh_user/password", r#"{"new_password":"another-password-:uniq"}"#, ADMINS),
    r("PUT", "/api/v4/users/{user_id}/patch", "/api/v4/users/:member_id/patch", r#"{"nickname":"nick-:uniq"}"#, SELF),
    r("POST", "/api/v4/users/{user_id}/tokens", "/api/v4/users/me/tokens", r#"{"description":"mine"}"#, [401, 403, 403, 403, 200])
        .confab(USERS, "documented: any user may create their own token (Mattermost: the system_user_access_token role)"),
    r("POST", "/api/v4/users/{user_id}/tokens", "/api/v4/users/:member_id/tokens", r#"{"description":"theirs"}"#, [401, 403, 403, 403, 200])
        .confab(SELF, "documented: any user may create their own token (Mattermost: the system_user_access_token role)"),
    r("GET", "/api/v4/users/{user_id}/tokens", "/api/v4/users/:member_id/tokens", "", SELF),
    r("POST", "/api/v4/bots", "", r#"{"username":"bot-:uniq"}"#, [401, 403, 403, 403, 201]),
    r("GET", "/api/v4/bots", "", "", ADMINS),
    // Mattermost pretends a bot does not exist for anyone without read_others_bots.
    r("GET", "/api/v4/bots/{bot_user_id}", "/api/v4/bots/:bot", "", [401, 404, 404, 404, 200]),
    r("GET", "/api/v4/users/{user_id}/status", "/api/v4/users/:member_id/status", "", USERS),
    r("PUT", "/api/v4/users/{user_id}/status", "/api/v4/users/:member_id/status", r#"{"user_id":":member_id","status":"online"}"#, SELF),
    // Teams.
    r("POST", "/api/v4/teams", "", r#"{"name":"t-:uniq","display_name":"T","type":"O"}"#, [401, 201, 201, 201, 201]),
    r("GET", "/api/v4/teams", "", "", USERS),
    r("GET", "/api/v4/teams/name/{name}", "/api/v4/teams/name/authz", "", USERS),
    r("GET", "/api/v4/teams/name/{name}", "/api/v4/teams/name/closed", "", TEAM_ADMINS),
    r("GET", "/api/v4/teams/{team_id}", "/api/v4/teams/:team", "", USERS),
    r("GET", "/api/v4/teams/{team_id}", "/api/v4/teams/:closed", "", TEAM_ADMINS),
    r("GET", "/api/v4/teams/{team_id}/members", "/api/v4/teams/:team/members", "", USERS),
    r("GET", "/api/v4/teams/{team_id}/members", "/api/v4/teams/:closed/members", "", TEAM_ADMINS),
    // Joining yourself: everyone is in the open team already; the invite-only one is closed.
    r("POST", "/api/v4/teams/{team_id}/members", "/api/v4/teams/:team/members", r#"{"team_id":":team","user_id":":me"}"#, [401, 201, 201, 201, 201]),
    r("POST", "/api/v4/teams/{team_id}/members", "/api/v4/teams/:closed/members", r#"{"team_id":":closed","user_id":":me"}"#, [401, 403, 403, 201, 201]),
    r("POST", "/api/v4/teams/{team_id}/members", "/api/v4/teams/:team/members", r#"{"team_id":":team","user_id":":fresh_user"}"#, [401, 201, 201, 201, 201])
        .confab(
            [401, 403, 403, 201, 201],
            "documented: members join open teams themselves or are added by admins (Mattermost's team_user has add_user_to_team)",
        ),
    r("GET", "/api/v4/teams/{team_id}/members/{user_id}", "/api/v4/teams/:team/members/:member_id", "", USERS),
    r("DELETE", "/api/v4/teams/{team_id}/members/{user_id}", "/api/v4/teams/:team/members/:fresh_team_user", "", TEAM_ADMINS),
    r("GET", "/api/v4/users/{user_id}/teams", "/api/v4/users/:member_id/teams", "", SELF),
    // Channels.
    r("POST", "/api/v4/channels", "", r#"{"team_id":":team","name":"o-:uniq","display_name":"O","type":"O"}"#, [401, 201, 201, 201, 201]),
    r("POST", "/api/v4/channels", "", r#"{"team_id":":team","name":"p-:uniq","display_name":"P","type":"P"}"#, [401, 201, 201, 201, 201]),
    r("POST", "/api/v4/channels", "", r#"{"team_id":":closed","name":"c-:uniq","display_name":"C","type":"O"}"#, [401, 403, 403, 201, 201]),
    r("POST", "/api/v4/channels/direct", "", r#"[":me", ":extra_id"]"#, [401, 201, 201, 201, 201]),
    r("POST", "/api/v4/channels/direct", "", r#"[":member_id", ":tadmin_id"]"#, [401, 201, 403, 201, 201]),
    // Group channels: the caller is always added, so anyone signed in may open one.
    r("POST", "/api/v4/channels/group", "", r#"[":member_id", ":tadmin_id", ":extra_id"]"#, [401, 201, 201, 201, 201]),
    // Channel search: the team's members (the non-member is in the team), public channels only.
    r("POST", "/api/v4/teams/{team_id}/channels/search", "/api/v4/teams/:team/channels/search", r#"{"term":"o"}"#, USERS),
    // Outside the team: Mattermost's 404 of the missing team member.
    r("POST", "/api/v4/teams/{team_id}/channels/search", "/api/v4/teams/:closed/channels/search", r#"{"term":"o"}"#, [401, 404, 404, 200, 200]),
    r("GET", "/api/v4/channels/{channel_id}", "/api/v4/channels/:pub", "", USERS),
    r("GET", "/api/v4/channels/{channel_id}", "/api/v4/channels/:priv", "", PRIVATE),
    r("GET", "/api/v4/channels/{channel_id}", "/api/v4/channels/:dm", "", PRIVATE),
    // Archive rules (delete_public_channel / delete_private_channel are channel_user's).
    r("DELETE", "/api/v4/channels/{channel_id}", "/api/v4/channels/:fresh_pub_channel", "", PRIVATE),
    r("DELETE", "/api/v4/channels/{channel_id}", "/api/v4/channels/:fresh_priv_channel", "", PRIVATE),
    // A direct channel cannot be archived (Mattermost says so before checking permissions).
    r("DELETE", "/api/v4/channels/{channel_id}", "/api/v4/channels/:dm", "", [401, 400, 400, 400, 400]),
    // Rename/patch rules (manage_*_channel_properties are channel_user's).
    r("PUT", "/api/v4/channels/{channel_id}/patch", "/api/v4/channels/:pub/patch", r#"{"header":"h-:uniq"}"#, PUBLIC_MEMBERS),
    r("PUT", "/api/v4/channels/{channel_id}/patch", "/api/v4/channels/:priv/patch", r#"{"header":"zq-private-secret :uniq"}"#, PRIVATE),
    r("PUT", "/api/v4/channels/{channel_id}/patch", "/api/v4/channels/:dm/patch", r#"{"header":"zq-direct-secret :uniq"}"#, PRIVATE),
    r("GET", "/api/v4/channels/{channel_id}/members", "/api/v4/channels/:pub/members", "", USERS),
    r("GET", "/api/v4/channels/{channel_id}/members", "/api/v4/channels/:priv/members", "", PRIVATE),
    r("GET", "/api/v4/channels/{channel_id}/members", "/api/v4/channels/:dm/members", "", PRIVATE),
    r("POST", "/api/v4/channels/{channel_id}/members", "/api/v4/channels/:open/members", r#"{"user_id":":me"}"#, [401, 201, 201, 201, 201]),
    r("POST", "/api/v4/channels/{channel_id}/members", "/api/v4/channels/:priv/members", r#"{"user_id":":me"}"#, [401, 201, 403, 403, 201]),
    r("POST", "/api/v4/channels/{channel_id}/members", "/api/v4/channels/:priv/members", r#"{"user_id":":extra_id"}"#, [401, 201, 403, 403, 201]),
    r("POST", "/api/v4/channels/{channel_id}/members", "/api/v4/channels/:pub/members", r#"{"user_id":":extra_id"}"#, [401, 201, 403, 201, 201]),
    r("POST", "/api/v4/channels/{channel_id}/members", "/api/v4/channels/:dm/members", r#"{"user_id":":extra_id"}"#, [401, 400, 400, 400, 400]),
    r("GET", "/api/v4/channels/{channel_id}/members/{user_id}", "/api/v4/channels/:pub/members/:member_id", "", USERS),
    r("GET", "/api/v4/channels/{channel_id}/members/{user_id}", "/api/v4/channels/:priv/members/:member_id", "", PRIVATE),
    r("DELETE", "/api/v4/channels/{channel_id}/members/{user_id}", "/api/v4/channels/:fresh_pub_x/members/:extra_id", "", PUBLIC_MEMBERS),
    r("DELETE", "/api/v4/channels/{channel_id}/members/{user_id}", "/api/v4/channels/:fresh_priv_x/members/:extra_id", "", PRIVATE),
    r("GET", "/api/v4/channels/{channel_id}/posts", "/api/v4/channels/:pub/posts", "", USERS),
    r("GET", "/api/v4/channels/{channel_id}/posts", "/api/v4/channels/:priv/posts", "", PRIVATE),
    r("GET", "/api/v4/channels/{channel_id}/posts", "/api/v4/channels/:dm/posts", "", PRIVATE),
    r("GET", "/api/v4/teams/{team_id}/channels", "/api/v4/teams/:team/channels", "", USERS),
    r("GET", "/api/v4/teams/{team_id}/channels", "/api/v4/teams/:closed/channels", "", TEAM_ADMINS),
    r("GET", "/api/v4/teams/{team_id}/channels/name/{name}", "/api/v4/teams/:team/channels/name/pub", "", USERS),
    r("GET", "/api/v4/teams/{team_id}/channels/name/{name}", "/api/v4/teams/:team/channels/name/priv", "", PRIVATE),
    r("GET", "/api/v4/teams/name/{team_name}/channels/name/{name}", "/api/v4/teams/name/authz/channels/name/priv", "", PRIVATE),
    r("GET", "/api/v4/teams/name/{team_name}/channels/name/{name}", "/api/v4/teams/name/authz/channels/name/pub", "", USERS),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels", "/api/v4/users/me/teams/:team/channels", "", USERS),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels", "/api/v4/users/:member_id/teams/:team/channels", "", SELF),
    // Posts.
    r("POST", "/api/v4/posts", "", r#"{"channel_id":":pub","message":"hello"}"#, [401, 201, 403, 201, 201]),
    r("POST", "/api/v4/posts", "", r#"{"channel_id":":priv","message":"zq-private-secret new"}"#, [401, 201, 403, 403, 201]),
    r("POST", "/api/v4/posts", "", r#"{"channel_id":":dm","message":"zq-direct-secret new"}"#, [401, 201, 403, 403, 201]),
    r("GET", "/api/v4/posts/{post_id}", "/api/v4/posts/:pub_post", "", USERS),
    r("GET", "/api/v4/posts/{post_id}", "/api/v4/posts/:priv_post", "", PRIVATE),
    r("GET", "/api/v4/posts/{post_id}", "/api/v4/posts/:dm_post", "", PRIVATE),
    // Editing others' posts is the system admin's only (edit_others_posts).
    r("PUT", "/api/v4/posts/{post_id}", "/api/v4/posts/:fresh_pub_post", r#"{"message":"edited"}"#, SELF),
    r("PUT", "/api/v4/posts/{post_id}", "/api/v4/posts/:fresh_priv_post", r#"{"message":"zq-private-secret edited"}"#, SELF),
    r("PUT", "/api/v4/posts/{post_id}/patch", "/api/v4/posts/:fresh_pub_post/patch", r#"{"message":"patched"}"#, SELF),
    r("PUT", "/api/v4/posts/{post_id}/patch", "/api/v4/posts/:fresh_priv_post/patch", r#"{"message":"zq-private-secret patched"}"#, SELF),
    r("DELETE", "/api/v4/posts/{post_id}", "/api/v4/posts/:fresh_pub_post", "", AUTHOR_OR_ADMINS).confab(SELF, TEAM_ADMIN_DELETES),
    r("DELETE", "/api/v4/posts/{post_id}", "/api/v4/posts/:fresh_priv_post", "", AUTHOR_OR_ADMINS).confab(SELF, TEAM_ADMIN_DELETES),
    r("GET", "/api/v4/posts/{post_id}/thread", "/api/v4/posts/:pub_post/thread", "", USERS),
    r("GET", "/api/v4/posts/{post_id}/thread", "/api/v4/posts/:priv_post/thread", "", PRIVATE),
    r("GET", "/api/v4/posts/{post_id}/thread", "/api/v4/posts/:dm_post/thread", "", PRIVATE),
    r("GET", "/api/v4/posts/{post_id}/reactions", "/api/v4/posts/:pub_post/reactions", "", USERS),
    r("GET", "/api/v4/posts/{post_id}/reactions", "/api/v4/posts/:priv_post/reactions", "", PRIVATE),
    r("GET", "/api/v4/posts/{post_id}/reactions", "/api/v4/posts/:dm_post/reactions", "", PRIVATE),
    r("POST", "/api/v4/reactions", "", r#"{"user_id":":me","post_id":":pub_post","emoji_name":"e_:uniq"}"#, PUBLIC_MEMBERS),
    r("POST", "/api/v4/reactions", "", r#"{"user_id":":me","post_id":":priv_post","emoji_name":"e_:uniq"}"#, PRIVATE),
    r("POST", "/api/v4/reactions", "", r#"{"user_id":":me","post_id":":dm_post","emoji_name":"e_:uniq"}"#, PRIVATE),
    // Reacting as someone else: refused even to system admins.
    r("POST", "/api/v4/reactions", "", r#"{"user_id":":member_id","post_id":":pub_post","emoji_name":"e_:uniq"}"#, [401, 200, 403, 403, 403]),
    r(
        "DELETE",
        "/api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}",
        "/api/v4/users/:member_id/posts/:priv_post/reactions/:fresh_member_reaction",
        "",
        SELF,
    ),
    // Interactive messages against the loopback integration.
    r("POST", "/api/v4/posts/{post_id}/actions/{action_id}", "/api/v4/posts/:pub_action_post/actions/:pub_action", "{}", USERS),
    r("POST", "/api/v4/posts/{post_id}/actions/{action_id}", "/api/v4/posts/:priv_action_post/actions/:priv_action", "{}", PRIVATE),
    // 400 for everyone signed in: a valid trigger id needs a click first; this row checks the session only.
    r(
        "POST",
        "/api/v4/actions/dialogs/open",
        "",
        r#"{"trigger_id":"forged","url":":integration/dialog","dialog":{"title":"T","elements":[]}}"#,
        [401, 400, 400, 400, 400],
    ),
    // Submissions are bound to a dialog the server opened for the caller; none was
    // opened here, so everyone signed in is refused (Mattermost forwards any URL).
    r(
        "POST",
        "/api/v4/actions/dialogs/submit",
        "",
        r#"{"url":":integration/dialog","channel_id":":priv","team_id":":team","callback_id":"c","state":"","submission":{}}"#,
        [401, 403, 403, 403, 403],
    ),
    // WebSocket: anyone may upgrade; without a session nothing but the challenge is answered (socket.rs).
    r("GET", "/api/v4/websocket", "ws:/api/v4/websocket", "", [101; 5]),
    r("GET", "/api/v4/websocket/", "ws:/api/v4/websocket/", "", [101; 5]),
    // Incoming webhooks.
    r("POST", "/api/v4/hooks/incoming", "", r#"{"channel_id":":pub"}"#, [401, 403, 403, 201, 201]),
    r("POST", "/api/v4/hooks/incoming", "", r#"{"channel_id":":priv"}"#, [401, 403, 403, 403, 201]),
    r("GET", "/api/v4/hooks/incoming", "/api/v4/hooks/incoming?team_id=:team", "", TEAM_ADMINS),
    r("GET", "/api/v4/hooks/incoming", "", "", ADMINS),
    r("GET", "/api/v4/hooks/incoming/{hook_id}", "/api/v4/hooks/incoming/:in_hook", "", TEAM_ADMINS),
    r(
        "PUT",
        "/api/v4/hooks/incoming/{hook_id}",
        "/api/v4/hooks/incoming/:in_hook",
        r#"{"id":":in_hook","channel_id":":pub","display_name":"d-:uniq"}"#,
        TEAM_ADMINS,
    ),
    r("PUT", "/api/v4/hooks/incoming/{hook_id}", "/api/v4/hooks/incoming/:fresh_in_hook", r#"{"id":":fresh_in_hook","channel_id":":priv"}"#, ADMINS),
    r("DELETE", "/api/v4/hooks/incoming/{hook_id}", "/api/v4/hooks/incoming/:fresh_in_hook", "", TEAM_ADMINS),
    // No session: the hook id is the secret.
    r("POST", "/hooks/{hook_id}", "/hooks/:in_hook", r#"{"text":"from the hook"}"#, ALL),
    // Outgoing webhooks.
    r(
        "POST",
        "/api/v4/hooks/outgoing",
        "",
        r#"{"team_id":":team","channel_id":":pub","trigger_words":["zz:uniq"],"callback_urls":["http://receiver.invalid/out"]}"#,
        [401, 403, 403, 201, 201],
    ),
    r("GET", "/api/v4/hooks/outgoing", "/api/v4/hooks/outgoing?team_id=:team", "", TEAM_ADMINS),
    r("GET", "/api/v4/hooks/outgoing", "", "", ADMINS),
    r("GET", "/api/v4/hooks/outgoing/{hook_id}", "/api/v4/hooks/outgoing/:out_hook", "", TEAM_ADMINS),
    r(
        "PUT",
        "/api/v4/hooks/outgoing/{hook_id}",
        "/api/v4/hooks/outgoing/:out_hook",
        r#"{"id":":out_hook","team_id":":team","channel_id":":pub","trigger_words":["zz:uniq"],"callback_urls":["http://receiver.invalid/out"]}"#,
        TEAM_ADMINS,
    ),
    r("DELETE", "/api/v4/hooks/outgoing/{hook_id}", "/api/v4/hooks/outgoing/:fresh_out_hook", "", TEAM_ADMINS),
    r("POST", "/api/v4/hooks/outgoing/{hook_id}/regen_token", "/api/v4/hooks/outgoing/:out_hook/regen_token", "", TEAM_ADMINS),
    // Slash commands.
    r("POST", "/api/v4/commands", "", r#"{"team_id":":team","trigger":"t:uniq","url":"http://receiver.invalid/cmd","method":"P"}"#, [401, 403, 403, 201, 201]),
    r("GET", "/api/v4/commands", "/api/v4/commands?team_id=:team&custom_only=true", "", TEAM_ADMINS),
    r("GET", "/api/v4/commands", "/api/v4/commands?team_id=:team", "", USERS),
    r("GET", "/api/v4/commands", "/api/v4/commands?team_id=:closed", "", TEAM_ADMINS),
    r("POST", "/api/v4/commands/execute", "", r#"{"channel_id":":pub","command":"/shrug :uniq"}"#, PUBLIC_MEMBERS),
    r("POST", "/api/v4/commands/execute", "", r#"{"channel_id":":priv","command":"/shrug zq-private-secret"}"#, PRIVATE),
    r("GET", "/api/v4/commands/{command_id}", "/api/v4/commands/:command", "", COMMAND_ADMINS),
    r(
        "PUT",
        "/api/v4/commands/{command_id}",
        "/api/v4/commands/:command",
        r#"{"id":":command","team_id":":team","trigger":"tfixture","url":"http://receiver.invalid/cmd2","method":"P"}"#,
        COMMAND_ADMINS,
    ),
    r("DELETE", "/api/v4/commands/{command_id}", "/api/v4/commands/:fresh_command", "", COMMAND_ADMINS),
    // To the invite-only team, which the team admin also runs. Mattermost checks the
    // target team first (403), then hides the command from non-managers (404).
    r("PUT", "/api/v4/commands/{command_id}/move", "/api/v4/commands/:fresh_command/move", r#"{"team_id":":closed"}"#, TEAM_ADMINS),
    r("PUT", "/api/v4/commands/{command_id}/regen_token", "/api/v4/commands/:command/regen_token", "", COMMAND_ADMINS),
    r("GET", "/api/v4/teams/{team_id}/commands/autocomplete", "/api/v4/teams/:team/commands/autocomplete", "", USERS),
    r("GET", "/api/v4/teams/{team_id}/commands/autocomplete", "/api/v4/teams/:closed/commands/autocomplete", "", TEAM_ADMINS),
    r("GET", "/api/v4/teams/{team_id}/commands/autocomplete_suggestions", "/api/v4/teams/:team/commands/autocomplete_suggestions?user_input=/t", "", USERS),
    r(
        "GET",
        "/api/v4/teams/{team_id}/commands/autocomplete_suggestions",
        "/api/v4/teams/:closed/commands/autocomplete_suggestions?user_input=/t",
        "",
        TEAM_ADMINS,
    ),
    // No session: the id is the secret; only an unknown one is tried here.
    r("POST", "/hooks/commands/{hook_id}", "/hooks/commands/abcdefghijklmnopqrstuvwxyz", r#"{"text":"late"}"#, [404; 5]),
    // Town-square can be neither archived nor renamed (Mattermost's
    // api.channel.delete_channel.cannot.app_error, api.channel.update_channel.tried.app_error).
    r("DELETE", "/api/v4/channels/{channel_id}", "/api/v4/channels/:town", "", [401, 400, 400, 400, 400]),
    // Restore needs manage_team (team and system admins), member or not.
    r("POST", "/api/v4/channels/{channel_id}/restore", "/api/v4/channels/:fresh_archived_pub/restore", "", TEAM_ADMINS),
    // Ending someone else's sessions: system admins only (a fresh user is none of the roles).
    r("PUT", "/api/v4/users/{user_id}/active", "/api/v4/users/:fresh_user/active", r#"{"active": false}"#, ADMINS),
    r("DELETE", "/api/v4/users/{user_id}", "/api/v4/users/:fresh_user", "", ADMINS),
    r("POST", "/api/v4/users/{user_id}/sessions/revoke/all", "/api/v4/users/:fresh_user/sessions/revoke/all", "", ADMINS),
    // Plugin administration: system admins only. Uploads are off by default (501 for the admin).
    r("POST", "/api/v4/plugins", "", "", [401, 501, 501, 501, 501])
        .confab([401, 403, 403, 403, 501], "the session and role are checked before the upload switch"),
    r("GET", "/api/v4/plugins", "", "", ADMINS),
    r("GET", "/api/v4/plugins/statuses", "", "", ADMINS),
    r("GET", "/api/v4/plugins/metrics", "", "", ADMINS),
    r("GET", "/api/v4/plugins/webapp", "", "", ALL),
    r(
        "POST",
        "/api/v4/plugins/install_from_url",
        "/api/v4/plugins/install_from_url?plugin_download_url=https://plugins.invalid/p.tar.gz",
        "",
        [401, 403, 403, 403, 501],
    ),
    r("GET", "/api/v4/plugins/marketplace", "", "", [401, 403, 403, 403, 501]),
    r("POST", "/api/v4/plugins/marketplace", "", r#"{"id":"com.example.none","version":"1.0.0"}"#, [401, 403, 403, 403, 501]),
    // Not installed: the admin gets the 404, others the 403 first.
    r("DELETE", "/api/v4/plugins/{plugin_id}", "/api/v4/plugins/com.example.none", "", [401, 403, 403, 403, 404]),
    r("POST", "/api/v4/plugins/{plugin_id}/disable", "/api/v4/plugins/:plugin/disable", "", ADMINS),
    r("POST", "/api/v4/plugins/{plugin_id}/enable", "/api/v4/plugins/:plugin/enable", "", ADMINS),
    r("GET", "/api/v4/plugins/{plugin_id}/settings", "/api/v4/plugins/:plugin/settings", "", ADMINS),
    r("PUT", "/api/v4/plugins/{plugin_id}/settings", "/api/v4/plugins/:plugin/settings", "{}", ADMINS),
    r("GET", "/api/v4/plugins/{plugin_id}/permissions", "/api/v4/plugins/:plugin/permissions", "", ADMINS),
    r("GET", "/api/v4/plugins/{plugin_id}/metrics", "/api/v4/plugins/:plugin/metrics", "", ADMINS),
    r("POST", "/api/v4/plugins/{plugin_id}/permissions/approve", "/api/v4/plugins/:plugin/permissions/approve", "", ADMINS),
    // No session: a plugin's public files and webapp bundle (kv-counter has neither).
    r("GET", "/plugins/{plugin_id}/public/{*file}", "/plugins/:plugin/public/readme.txt", "", [404; 5]),
    r("GET", "/static/plugins/{plugin_id}/{file}", "/static/plugins/:plugin/bundle.js", "", [404; 5]),
    // The plugin's own HTTP: it decides (kv-counter serves `/counts` to anyone, nothing at `/`).
    r("ANY", "/plugins/{plugin_id}", "/plugins/:plugin", "", [404; 5]),
    r("ANY", "/plugins/{plugin_id}/", "/plugins/:plugin/", "", [404; 5]),
    r("ANY", "/plugins/{plugin_id}/{*rest}", "/plugins/:plugin/counts", "", ALL),
    // The default channel keeps its name (issue 14, finding 4).
    r("PUT", "/api/v4/channels/{channel_id}/patch", "/api/v4/channels/:town/patch", r#"{"name":"town-square-:uniq"}"#, [401, 400, 400, 400, 400]),
    // What Mattermost's apps load first (issue 17): nobody reads another's memberships,
    // unread counts or preferences (system admins may); private channels stay private.
    r("GET", "/api/v4/users/{user_id}/teams/members", "/api/v4/users/me/teams/members", "", USERS),
    r("GET", "/api/v4/users/{user_id}/teams/members", "/api/v4/users/:member_id/teams/members", "", SELF),
    r("GET", "/api/v4/users/{user_id}/teams/unread", "/api/v4/users/me/teams/unread", "", USERS),
    r("GET", "/api/v4/users/{user_id}/teams/unread", "/api/v4/users/:member_id/teams/unread", "", SELF),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels/members", "/api/v4/users/me/teams/:team/channels/members", "", USERS),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels/members", "/api/v4/users/me/teams/:closed/channels/members", "", TEAM_ADMINS),
    r("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels/members", "/api/v4/users/:member_id/teams/:team/channels/members", "", SELF),
    // Viewing a channel one is not in changes nothing and says nothing.
    r("POST", "/api/v4/channels/members/{user_id}/view", "/api/v4/channels/members/me/view", r#"{"channel_id":":priv","prev_channel_id":":pub"}"#, USERS),
    r("POST", "/api/v4/channels/members/{user_id}/view", "/api/v4/channels/members/:member_id/view", r#"{"channel_id":":pub"}"#, SELF),
    r("GET", "/api/v4/users/{user_id}/preferences", "/api/v4/users/me/preferences", "", USERS),
    r("GET", "/api/v4/users/{user_id}/preferences", "/api/v4/users/:member_id/preferences", "", SELF),
    r(
        "PUT",
        "/api/v4/users/{user_id}/preferences",
        "/api/v4/users/:member_id/preferences",
        r#"[{"user_id":":member_id","category":"display_settings","name":"use_military_time","value":"true"}]"#,
        SELF,
    ),
    // Saving a post one cannot read is refused (read_channel_content on the post's channel).
    r(
        "PUT",
        "/api/v4/users/{user_id}/preferences",
        "/api/v4/users/me/preferences",
        r#"[{"user_id":":me","category":"flagged_post","name":":priv_post","value":"true"}]"#,
        PRIVATE,
    ),
    r("GET", "/api/v4/users/{user_id}/preferences/{category}", "/api/v4/users/:member_id/preferences/display_settings", "", SELF),
    r(
        "GET",
        "/api/v4/users/{user_id}/preferences/{category}/name/{name}",
        "/api/v4/users/:member_id/preferences/display_settings/name/use_military_time",
        "",
        SELF,
    ),
    r(
        "POST",
        "/api/v4/users/{user_id}/preferences/delete",
        "/api/v4/users/:member_id/preferences/delete",
        r#"[{"user_id":":member_id","category":"display_settings","name":"colorize_usernames","value":""}]"#,
        SELF,
    ),
    r(
        "DELETE",
        "/api/v4/users/{user_id}/preferences",
        "/api/v4/users/:member_id/preferences",
        r#"[{"user_id":":member_id","category":"display_settings","name":"colorize_usernames","value":""}]"#,
        [405; 5],
    )
    .confab(SELF, "Mattermost deletes with POST .../preferences/delete only; Confab also takes DELETE with the same body"),
    r("POST", "/api/v4/users/status/ids", "", r#"[":member_id", ":admin_id"]"#, USERS),
    r("GET", "/api/v4/users/autocomplete", "/api/v4/users/autocomplete?name=authz", "", USERS),
    r("GET", "/api/v4/users/autocomplete", "/api/v4/users/autocomplete?in_team=:team&name=authz", "", USERS),
    r("GET", "/api/v4/users/autocomplete", "/api/v4/users/autocomplete?in_team=:closed", "", TEAM_ADMINS),
    r("GET", "/api/v4/users/autocomplete", "/api/v4/users/autocomplete?in_channel=:priv&name=authz", "", PRIVATE),
    r("GET", "/api/v4/users/autocomplete", "/api/v4/users/autocomplete?in_channel=:dm", "", PRIVATE),
    // Posts of channels the caller cannot read are left out (the leak check reads the bodies).
    r("POST", "/api/v4/posts/ids", "", r#"[":pub_post", ":priv_post", ":dm_post"]"#, USERS),
    r("GET", "/api/v4/users/{user_id}/channels", "/api/v4/users/me/channels", "", USERS),
    r("GET", "/api/v4/users/{user_id}/channels", "/api/v4/users/:member_id/channels", "", SELF),
    r("GET", "/api/v4/channels/{channel_id}/stats", "/api/v4/channels/:pub/stats", "", USERS),
    r("GET", "/api/v4/channels/{channel_id}/stats", "/api/v4/channels/:priv/stats", "", PRIVATE),
    r("GET", "/api/v4/channels/{channel_id}/stats", "/api/v4/channels/:dm/stats", "", PRIVATE),
    r("GET", "/api/v4/users/{user_id}/image", "/api/v4/users/:member_id/image", "", USERS),
    r("GET", "/api/v4/users/{user_id}/image/default", "/api/v4/users/me/image/default", "", USERS),
];
