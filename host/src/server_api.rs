//! `ServerApi`: everything a plugin may ask of the server, as plain data; the embedding server implements it.

use async_trait::async_trait;

use crate::status::PluginStatus;
use crate::types::*;

/// Why the server refused or failed a plugin's request. Mirrors the WIT `error`
/// variant so plugins can match on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The object does not exist or is not visible.
    #[error("not found")]
    NotFound,
    /// Not allowed. The host raises this itself for capabilities outside the grant.
    #[error("permission denied")]
    PermissionDenied,
    /// An argument was rejected.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A quota was exceeded.
    #[error("quota exceeded")]
    QuotaExceeded,
    /// The server failed.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a [`ServerApi`] call.
pub type ApiResult<T> = Result<T, ApiError>;

/// The server side of the plugin API. Every method receives the calling plugin's id;
/// capability checks have already been made by the host, so an implementation only
/// applies the server's own rules (existence, validation, quotas).
///
/// Implementations run on the tokio runtime while a plugin call is suspended; they
/// count against that call's deadline and may be cancelled when it passes.
#[async_trait]
pub trait ServerApi: Send + Sync + 'static {
    /// Read a KV value; `None` when absent or expired.
    async fn kv_get(&self, plugin_id: &str, key: &str) -> ApiResult<Option<Vec<u8>>>;
    /// Write a KV value.
    async fn kv_set(&self, plugin_id: &str, key: &str, value: Vec<u8>) -> ApiResult<()>;
    /// Write or delete with compare-and-set and expiry; `false` when the comparison failed.
    async fn kv_set_with_options(&self, plugin_id: &str, key: &str, value: Option<Vec<u8>>, options: KvSetOptions) -> ApiResult<bool>;
    /// Delete a KV key.
    async fn kv_delete(&self, plugin_id: &str, key: &str) -> ApiResult<()>;
    /// List keys, `per_page` at a time.
    async fn kv_list(&self, plugin_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<String>>;
    /// Delete every key of the plugin.
    async fn kv_delete_all(&self, plugin_id: &str) -> ApiResult<()>;

    /// Create a post (through the server's own will-hook chain).
    async fn create_post(&self, plugin_id: &str, post: Post) -> ApiResult<Post>;
    /// Fetch a post.
    async fn get_post(&self, plugin_id: &str, post_id: &str) -> ApiResult<Post>;
    /// Update a post.
    async fn update_post(&self, plugin_id: &str, post: Post) -> ApiResult<Post>;
    /// Delete a post.
    async fn delete_post(&self, plugin_id: &str, post_id: &str) -> ApiResult<()>;
    /// Show a post to one user only.
    async fn send_ephemeral_post(&self, plugin_id: &str, user_id: &str, post: Post) -> ApiResult<Post>;

    /// Fetch a channel.
    async fn get_channel(&self, plugin_id: &str, channel_id: &str) -> ApiResult<Channel>;
    /// Fetch a channel by team and name.
    async fn get_channel_by_name(&self, plugin_id: &str, team_id: &str, name: &str) -> ApiResult<Channel>;
    /// Create a channel.
    async fn create_channel(&self, plugin_id: &str, channel: Channel) -> ApiResult<Channel>;
    /// The direct channel of two users, created on first use.
    async fn get_direct_channel(&self, plugin_id: &str, user_a: &str, user_b: &str) -> ApiResult<Channel>;
    /// Add a user to a channel.
    async fn add_channel_member(&self, plugin_id: &str, channel_id: &str, user_id: &str) -> ApiResult<ChannelMember>;
    /// Remove a user from a channel.
    async fn remove_channel_member(&self, plugin_id: &str, channel_id: &str, user_id: &str) -> ApiResult<()>;
    /// List channel members.
    async fn list_channel_members(&self, plugin_id: &str, channel_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<ChannelMember>>;

    /// The group channel of 3 to 8 users, created on first use.
    async fn get_group_channel(&self, _plugin_id: &str, _user_ids: &[String]) -> ApiResult<Channel> {
        unavailable()
    }
    /// One user's channel membership.
    async fn get_channel_member(&self, _plugin_id: &str, _channel_id: &str, _user_id: &str) -> ApiResult<ChannelMember> {
        unavailable()
    }
    /// A team's public channels, a page at a time.
    async fn list_team_channels(&self, _plugin_id: &str, _team_id: &str, _page: u32, _per_page: u32) -> ApiResult<Vec<Channel>> {
        unavailable()
    }
    /// A user's channels in a team, with their direct and group channels.
    async fn list_user_channels(&self, _plugin_id: &str, _user_id: &str, _team_id: &str) -> ApiResult<Vec<Channel>> {
        unavailable()
    }
    /// Change a channel's names, purpose or header.
    async fn patch_channel(&self, _plugin_id: &str, _channel_id: &str, _patch: ChannelPatch) -> ApiResult<Channel> {
        unavailable()
    }
    /// Archive a channel.
    async fn archive_channel(&self, _plugin_id: &str, _channel_id: &str) -> ApiResult<()> {
        unavailable()
    }
    /// Restore an archived channel.
    async fn restore_channel(&self, _plugin_id: &str, _channel_id: &str) -> ApiResult<Channel> {
        unavailable()
    }
    /// Search a team's public channels by name.
    async fn search_channels(&self, _plugin_id: &str, _team_id: &str, _term: &str) -> ApiResult<Vec<Channel>> {
        unavailable()
    }

    /// Fetch a user.
    async fn get_user(&self, plugin_id: &str, user_id: &str) -> ApiResult<User>;
    /// Fetch a user by username.
    async fn get_user_by_username(&self, plugin_id: &str, username: &str) -> ApiResult<User>;
    /// Fetch a user by email.
    async fn get_user_by_email(&self, plugin_id: &str, email: &str) -> ApiResult<User>;

    /// Fetch a team.
    async fn get_team(&self, plugin_id: &str, team_id: &str) -> ApiResult<Team>;
    /// Fetch a team by name.
    async fn get_team_by_name(&self, plugin_id: &str, name: &str) -> ApiResult<Team>;
    /// List team members.
    async fn list_team_members(&self, plugin_id: &str, team_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<TeamMember>>;

    /// One user's team membership.
    async fn get_team_member(&self, _plugin_id: &str, _team_id: &str, _user_id: &str) -> ApiResult<TeamMember> {
        unavailable()
    }
    /// The teams a user is a member of.
    async fn list_user_teams(&self, _plugin_id: &str, _user_id: &str) -> ApiResult<Vec<Team>> {
        unavailable()
    }
    /// Add a user to a team (and its default channels).
    async fn add_team_member(&self, _plugin_id: &str, _team_id: &str, _user_id: &str) -> ApiResult<TeamMember> {
        unavailable()
    }
    /// Remove a user from a team (and its channels).
    async fn remove_team_member(&self, _plugin_id: &str, _team_id: &str, _user_id: &str) -> ApiResult<()> {
        unavailable()
    }

    /// Register a slash command served by the plugin.
    async fn register_command(&self, plugin_id: &str, command: Command) -> ApiResult<()>;
    /// Remove a registration.
    async fn unregister_command(&self, plugin_id: &str, team_id: &str, trigger: &str) -> ApiResult<()>;

    /// The plugin's saved settings as a JSON object (without schema defaults; the host adds them).
    async fn plugin_settings(&self, plugin_id: &str) -> ApiResult<serde_json::Map<String, serde_json::Value>>;
    /// Replace the plugin's saved settings after checking them against its schema, then
    /// deliver `configuration-changed` (the host has checked `config:write`).
    async fn save_plugin_settings(&self, plugin_id: &str, settings: serde_json::Map<String, serde_json::Value>) -> ApiResult<()>;
    /// The server's public URL without a trailing slash.
    fn site_url(&self) -> String;
    /// The server's version.
    fn server_version(&self) -> String;
    /// The installation's stable id, the same on every node.
    async fn diagnostic_id(&self) -> ApiResult<String>;

    /// Publish `custom_<plugin_id>_<event>` to the clients selected by `broadcast`.
    async fn publish_event(&self, plugin_id: &str, event: &str, data: serde_json::Value, broadcast: Broadcast) -> ApiResult<()>;

    /// Create the plugin's bot if needed and return its user id.
    async fn ensure_bot(&self, plugin_id: &str, bot: BotSpec) -> ApiResult<String>;

    /// Send an outbound HTTP request (the host has checked the host grant).
    async fn http_request(&self, plugin_id: &str, request: OutboundRequest) -> ApiResult<OutboundResponse>;

    /// Deliver a cluster event to the plugin on other nodes.
    async fn publish_cluster_event(&self, plugin_id: &str, event: ClusterEvent) -> ApiResult<()>;

    /// Create or replace the plugin's job `name`; the server applies its own rules
    /// (name and payload size, minimum interval, cron syntax, the job quota).
    async fn schedule_job(&self, _plugin_id: &str, _name: &str, _schedule: JobSchedule, _payload: Vec<u8>) -> ApiResult<Job> {
        no_jobs()
    }
    /// Remove the plugin's job `name`; `false` when there was none.
    async fn cancel_job(&self, _plugin_id: &str, _name: &str) -> ApiResult<bool> {
        no_jobs()
    }
    /// The plugin's job `name`.
    async fn get_job(&self, _plugin_id: &str, _name: &str) -> ApiResult<Option<Job>> {
        no_jobs()
    }
    /// Every job of the plugin, by name.
    async fn list_jobs(&self, _plugin_id: &str) -> ApiResult<Vec<Job>> {
        no_jobs()
    }

    /// Show `dialog` (Mattermost's `Dialog` JSON) to the user `trigger_id` was minted
    /// for, its submissions going to `url`, a route of the plugin (`/plugins/<id>/...`,
    /// pinned by the host); the server checks the trigger id and the dialog.
    async fn open_dialog(&self, _plugin_id: &str, _trigger_id: &str, _url: &str, _dialog: serde_json::Value) -> ApiResult<()> {
        Err(ApiError::Internal("this server does not open dialogs".into()))
    }

    /// Hand `request` to plugin `target`'s `serve-http` for the last plugin of `chain`
    /// (the host has checked its `plugin:<target>` grant, the depth and the headers);
    /// the server passes `chain` on to [`crate::PluginHost::serve_plugin_http`].
    async fn call_plugin(&self, _chain: &PluginCallChain, _target: &str, _request: HttpRequest) -> ApiResult<HttpResponse> {
        Err(ApiError::Internal("this server does not route calls between plugins".into()))
    }

    // Posts beyond the basics. Like the scheduler's, these answer as [`NoServer`] does
    // unless implemented, so embedders without them (tools, test doubles) need not
    // spell out a refusal for each.

    /// Replace an ephemeral post `user_id` was shown, keeping its id (`post_edited` to
    /// that user only).
    async fn update_ephemeral_post(&self, _plugin_id: &str, _user_id: &str, _post: Post) -> ApiResult<Post> {
        unavailable()
    }
    /// Take an ephemeral post away from `user_id`'s clients (`post_deleted` to that user).
    async fn delete_ephemeral_post(&self, _plugin_id: &str, _user_id: &str, _post_id: &str) -> ApiResult<()> {
        unavailable()
    }
    /// The thread of a post, newest first.
    async fn get_post_thread(&self, _plugin_id: &str, _post_id: &str) -> ApiResult<Vec<Post>> {
        unavailable()
    }
    /// One page of a channel's posts, newest first.
    async fn get_channel_posts(&self, _plugin_id: &str, _channel_id: &str, _page: u32, _per_page: u32) -> ApiResult<Vec<Post>> {
        unavailable()
    }
    /// A channel's posts changed after `since` (ms), deleted ones included, newest first.
    async fn get_channel_posts_since(&self, _plugin_id: &str, _channel_id: &str, _since: i64) -> ApiResult<Vec<Post>> {
        unavailable()
    }
    /// Pin (`true`) or unpin a post.
    async fn set_post_pinned(&self, _plugin_id: &str, _post_id: &str, _pinned: bool) -> ApiResult<Post> {
        unavailable()
    }
    /// React to a post as `reaction.user_id`.
    async fn add_reaction(&self, _plugin_id: &str, _reaction: Reaction) -> ApiResult<Reaction> {
        unavailable()
    }
    /// Remove a user's reaction from a post; absent is not an error.
    async fn remove_reaction(&self, _plugin_id: &str, _user_id: &str, _post_id: &str, _emoji_name: &str) -> ApiResult<()> {
        unavailable()
    }
    /// Every reaction on a post.
    async fn list_reactions(&self, _plugin_id: &str, _post_id: &str) -> ApiResult<Vec<Reaction>> {
        unavailable()
    }

    // Users beyond single lookups; defaults as for the posts calls above.

    /// The users among `user_ids` that exist.
    async fn get_users_by_ids(&self, _plugin_id: &str, _user_ids: &[String]) -> ApiResult<Vec<User>> {
        unavailable()
    }
    /// A page of a channel's active members, by username.
    async fn list_users_in_channel(&self, _plugin_id: &str, _channel_id: &str, _page: u32, _per_page: u32) -> ApiResult<Vec<User>> {
        unavailable()
    }
    /// A page of a team's active members, by username.
    async fn list_users_in_team(&self, _plugin_id: &str, _team_id: &str, _page: u32, _per_page: u32) -> ApiResult<Vec<User>> {
        unavailable()
    }
    /// Active users whose names start with `term`, within a channel or team when given;
    /// `limit` 0 is the server's default.
    async fn search_users(&self, _plugin_id: &str, _term: &str, _team_id: &str, _channel_id: &str, _limit: u32) -> ApiResult<Vec<User>> {
        unavailable()
    }
    /// A user's status (`offline` when never set).
    async fn get_user_status(&self, _plugin_id: &str, _user_id: &str) -> ApiResult<UserStatus> {
        unavailable()
    }
    /// Set a user's status as they would (`status_change` to them).
    async fn set_user_status(&self, _plugin_id: &str, _user_id: &str, _status: &str) -> ApiResult<UserStatus> {
        unavailable()
    }
    /// Patch a user's profile with `PUT /users/{id}/patch`'s checks.
    async fn patch_user(&self, _plugin_id: &str, _user_id: &str, _patch: UserPatch) -> ApiResult<User> {
        unavailable()
    }
    /// Deactivate (`false`: sessions end, sockets close) or reactivate an account.
    async fn set_user_active(&self, _plugin_id: &str, _user_id: &str, _active: bool) -> ApiResult<()> {
        unavailable()
    }

    /// A plugin's status changed (activated, failed, quarantined, stopped). Used to
    /// notify admins; must not block.
    fn plugin_status_changed(&self, _status: &PluginStatus) {}
}

/// What the scheduler methods answer on a server that keeps no jobs (tools, and
/// embedders that have no database).
fn no_jobs<T>() -> ApiResult<T> {
    Err(ApiError::Internal("this server does not keep scheduled jobs".into()))
}

/// A `ServerApi` with no server behind it: every call fails with `internal` (the
/// channel and team functions of 0.2.0 through the trait's defaults), and
/// settings are empty (so schema defaults apply). For tools and measurements that
/// run plugins outside a server, e.g. checking that a bundle loads.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoServer;

fn unavailable<T>() -> ApiResult<T> {
    Err(ApiError::Internal("no server is attached to this plugin host".into()))
}

#[async_trait]
impl ServerApi for NoServer {
    async fn kv_get(&self, _: &str, _: &str) -> ApiResult<Option<Vec<u8>>> {
        unavailable()
    }
    async fn kv_set(&self, _: &str, _: &str, _: Vec<u8>) -> ApiResult<()> {
        unavailable()
    }
    async fn kv_set_with_options(&self, _: &str, _: &str, _: Option<Vec<u8>>, _: KvSetOptions) -> ApiResult<bool> {
        unavailable()
    }
    async fn kv_delete(&self, _: &str, _: &str) -> ApiResult<()> {
        unavailable()
    }
    async fn kv_list(&self, _: &str, _: u32, _: u32) -> ApiResult<Vec<String>> {
        unavailable()
    }
    async fn kv_delete_all(&self, _: &str) -> ApiResult<()> {
        unavailable()
    }
    async fn create_post(&self, _: &str, _: Post) -> ApiResult<Post> {
        unavailable()
    }
    async fn get_post(&self, _: &str, _: &str) -> ApiResult<Post> {
        unavailable()
    }
    async fn update_post(&self, _: &str, _: Post) -> ApiResult<Post> {
        unavailable()
    }
    async fn delete_post(&self, _: &str, _: &str) -> ApiResult<()> {
        unavailable()
    }
    async fn send_ephemeral_post(&self, _: &str, _: &str, _: Post) -> ApiResult<Post> {
        unavailable()
    }
    async fn get_channel(&self, _: &str, _: &str) -> ApiResult<Channel> {
        unavailable()
    }
    async fn get_channel_by_name(&self, _: &str, _: &str, _: &str) -> ApiResult<Channel> {
        unavailable()
    }
    async fn create_channel(&self, _: &str, _: Channel) -> ApiResult<Channel> {
        unavailable()
    }
    async fn add_channel_member(&self, _: &str, _: &str, _: &str) -> ApiResult<ChannelMember> {
        unavailable()
    }
    async fn remove_channel_member(&self, _: &str, _: &str, _: &str) -> ApiResult<()> {
        unavailable()
    }
    async fn list_channel_members(&self, _: &str, _: &str, _: u32, _: u32) -> ApiResult<Vec<ChannelMember>> {
        unavailable()
    }
    async fn get_user(&self, _: &str, _: &str) -> ApiResult<User> {
        unavailable()
    }
    async fn get_user_by_username(&self, _: &str, _: &str) -> ApiResult<User> {
        unavailable()
    }
    async fn get_user_by_email(&self, _: &str, _: &str) -> ApiResult<User> {
        unavailable()
    }
    async fn get_team(&self, _: &str, _: &str) -> ApiResult<Team> {
        unavailable()
    }
    async fn get_team_by_name(&self, _: &str, _: &str) -> ApiResult<Team> {
        unavailable()
    }
    async fn list_team_members(&self, _: &str, _: &str, _: u32, _: u32) -> ApiResult<Vec<TeamMember>> {
        unavailable()
    }
    async fn register_command(&self, _: &str, _: Command) -> ApiResult<()> {
        unavailable()
    }
    async fn unregister_command(&self, _: &str, _: &str, _: &str) -> ApiResult<()> {
        unavailable()
    }
    async fn plugin_settings(&self, _: &str) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
        Ok(serde_json::Map::new())
    }
    async fn publish_event(&self, _: &str, _: &str, _: serde_json::Value, _: Broadcast) -> ApiResult<()> {
        unavailable()
    }
    async fn ensure_bot(&self, _: &str, _: BotSpec) -> ApiResult<String> {
        unavailable()
    }
    async fn http_request(&self, _: &str, _: OutboundRequest) -> ApiResult<OutboundResponse> {
        unavailable()
    }
    async fn publish_cluster_event(&self, _: &str, _: ClusterEvent) -> ApiResult<()> {
        unavailable()
    }
    async fn get_direct_channel(&self, _: &str, _: &str, _: &str) -> ApiResult<Channel> {
        unavailable()
    }
    async fn save_plugin_settings(&self, _: &str, _: serde_json::Map<String, serde_json::Value>) -> ApiResult<()> {
        unavailable()
    }
    /// No server, so no URL: plugins building links get an empty prefix.
    fn site_url(&self) -> String {
        String::new()
    }
    /// The version of this crate, which ships with the server.
    fn server_version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }
    async fn diagnostic_id(&self) -> ApiResult<String> {
        unavailable()
    }
}
