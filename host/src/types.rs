//! Plain data crossing the host↔server boundary: the server's view of what plugins see and return.
//!
//! These mirror the WIT records one to one (see `wit/types.wit` for field docs) but
//! are ordinary Rust structs with serde, so the server never names generated types.

use serde::{Deserialize, Serialize};

/// A message (Mattermost `Post`); `props` is a JSON object as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub edit_at: i64,
    pub delete_at: i64,
    pub user_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub props: String,
    pub is_pinned: bool,
    /// Ids of the attached files (Mattermost `file_ids`); 0.2.0 hooks read them through
    /// `hook-post.file-ids`.
    #[serde(default)]
    pub file_ids: Vec<String>,
    /// Mattermost `metadata` as a JSON object in text; empty means `{}`.
    #[serde(default)]
    pub metadata: String,
}

/// A channel (Mattermost `Channel`); `kind` is `O`, `P`, `D` or `G`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub team_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub display_name: String,
    pub name: String,
    pub header: String,
    pub purpose: String,
    pub creator_id: String,
}

/// What a channel patch changes (Mattermost `ChannelPatch`); `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelPatch {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub purpose: Option<String>,
    pub header: Option<String>,
}

/// A user account without secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub username: String,
    pub email: String,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    pub roles: String,
    pub locale: String,
    pub is_bot: bool,
}

/// A team; `kind` is `O` (open) or `I` (invite only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub display_name: String,
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub allow_open_invite: bool,
}

/// A user's membership in a channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelMember {
    pub channel_id: String,
    pub user_id: String,
    pub roles: String,
    pub last_viewed_at: i64,
    pub msg_count: i64,
    pub mention_count: i64,
}

/// A user's membership in a team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub team_id: String,
    pub user_id: String,
    pub roles: String,
    pub delete_at: i64,
}

/// An emoji reaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub user_id: String,
    pub post_id: String,
    pub emoji_name: String,
    pub create_at: i64,
}

/// Where a hook call came from (Mattermost `plugin.Context`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginContext {
    pub session_id: String,
    pub request_id: String,
    pub ip_address: String,
    pub accept_language: String,
    pub user_agent: String,
    /// The WebSocket connection the request came from (Mattermost's `Connection-Id`
    /// header, `plugin.Context.ConnectionId`); empty when there was none.
    #[serde(default)]
    pub connection_id: String,
}

/// An event between copies of one plugin on different nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterEvent {
    pub id: String,
    pub data: Vec<u8>,
}

/// A client's WebSocket action; `data` is a JSON object as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebsocketRequest {
    pub seq: i64,
    pub action: String,
    pub data: String,
}

/// Slash command arguments (Mattermost `CommandArgs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandArgs {
    pub command: String,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub root_id: String,
    pub trigger_id: String,
    pub site_url: String,
}

/// A slash command's answer (Mattermost `CommandResponse`); `props` is JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResponse {
    pub response_type: String,
    pub text: String,
    pub username: String,
    pub icon_url: String,
    pub channel_id: String,
    pub goto_location: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub props: String,
}

/// A request for a plugin's `serve-http`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A plugin's HTTP answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Options of `kv.set-with-options` (Mattermost `PluginKVSetOptions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvSetOptions {
    pub atomic: bool,
    pub old_value: Option<Vec<u8>>,
    pub expire_in_seconds: Option<i64>,
}

/// A slash command registration by a plugin; `autocomplete_data` is JSON text or empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub trigger: String,
    pub team_id: String,
    pub display_name: String,
    pub description: String,
    pub auto_complete: bool,
    pub auto_complete_desc: String,
    pub auto_complete_hint: String,
    pub autocomplete_data: String,
}

/// Who receives a plugin's WebSocket event; empty fields do not narrow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub omit_users: Vec<String>,
}

/// A bot a plugin wants to exist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotSpec {
    pub username: String,
    pub display_name: String,
    pub description: String,
}

/// One hop of a plugin's outbound HTTP request: the host has checked the grant for
/// `url`, the method and the quota, and follows redirects itself (so the server must
/// not).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundRequest {
    /// Upper-case method.
    pub method: String,
    /// Absolute http(s) URL.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The plugin's response body limit: a longer body is cut here.
    pub max_response_bytes: usize,
}

/// The answer to an outbound request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Severity of a plugin log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// When a plugin's job runs (WIT `scheduler.schedule`); times in ms since the epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum JobSchedule {
    /// Once, at this time.
    At(i64),
    /// Once, this many milliseconds after it was scheduled.
    After(u64),
    /// Every this many milliseconds.
    Every(u64),
    /// At the times of a cron expression (UTC).
    Cron(String),
}

impl JobSchedule {
    /// Whether the job runs more than once.
    pub fn is_recurring(&self) -> bool {
        matches!(self, JobSchedule::Every(_) | JobSchedule::Cron(_))
    }
}

/// A scheduled job as the server keeps it (WIT `scheduler.job`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub name: String,
    pub schedule: JobSchedule,
    pub payload: Vec<u8>,
    pub next_run_at: i64,
    pub runs: u64,
}

/// One due run of a job, handed to the plugin's `run-job` (WIT `job-hooks.job-run`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRun {
    pub name: String,
    pub payload: Vec<u8>,
    pub due_at: i64,
    pub recurring: bool,
}

/// The plugins a `plugin-http` call passed through, outermost first, the caller last.
/// The server hands it back to [`crate::PluginHost::serve_plugin_http`] unread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginCallChain(std::sync::Arc<[String]>);

impl PluginCallChain {
    /// How many calls deep the chain is.
    pub fn depth(&self) -> usize {
        self.0.len()
    }

    /// The plugin making the call.
    pub fn caller(&self) -> Option<&str> {
        self.0.last().map(String::as_str)
    }

    /// Whether `plugin_id` is in the chain (a call to it would be a cycle).
    pub fn contains(&self, plugin_id: &str) -> bool {
        self.0.iter().any(|id| id == plugin_id)
    }

    /// This chain extended by `plugin_id`.
    pub(crate) fn then(&self, plugin_id: &str) -> PluginCallChain {
        PluginCallChain(self.0.iter().cloned().chain(std::iter::once(plugin_id.to_string())).collect())
    }
}

impl std::fmt::Display for PluginCallChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(" -> "))
    }
}

/// A user's presence (Mattermost `Status`): `online`, `away`, `dnd` or `offline`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStatus {
    pub user_id: String,
    pub status: String,
    pub manual: bool,
    pub last_activity_at: i64,
}

/// The profile fields a plugin may change; `None` keeps a field. `props` is a JSON
/// object as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPatch {
    pub username: Option<String>,
    pub nickname: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    pub props: Option<String>,
}
