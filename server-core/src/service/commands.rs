//! Slash commands: custom commands (CRUD, permissions), `execute` with Mattermost's resolution order (plugin ⇒ custom ⇒ built-in), the request to a command URL, the `CommandResponse` turned into posts (in channel or ephemeral), and delayed answers through `response_url`.
//!
//! Every post a command makes goes through [`Posts::create_post`](super::posts::Posts::create_post) as the user who ran
//! it, so plugins' `message-will-be-posted` hooks see it like any other post; ephemeral
//! answers go through [`Posts::send_ephemeral_post`](super::posts::Posts::send_ephemeral_post) to that user only and are never
//! stored.

mod autocomplete;
pub mod builtin;
mod execute;
mod manage;
mod registry;

pub use registry::PluginCommands;

use serde::Deserialize;

super::area!(
    /// Slash commands: custom command management and execution.
    Commands,
    commands
);

/// How long a `response_url` accepts answers.
pub const RESPONSE_URL_TTL_MS: i64 = 30 * 60 * 1000;
/// How many answers a `response_url` accepts.
pub const RESPONSE_URL_USES: i64 = 5;
/// Largest answer read from a command URL (Mattermost's `MaxIntegrationResponseSize`).
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// `POST /commands/execute` body (Mattermost `CommandArgs` as clients send it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExecuteRequest {
    pub command: String,
    pub channel_id: String,
    pub team_id: String,
    pub root_id: String,
    pub parent_id: String,
}
