//! The JSON both peer plugins speak, (d) the Extism guest and (e) the out-of-process plugin: a hook call's context and post in, a will-result out, with the field names of the host's own `Post` and `PluginContext`.
//!
//! Included by path from `bench/extism-guest` and the `confab-bench-oop-plugin`
//! binary; the bench itself serializes `confab_host::types` values, whose serde shape
//! is the same, and reads results back into them.

use serde::{Deserialize, Serialize};

/// A post as the peers read it: every field the WIT `post` record has.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
}

/// Where the call came from: every field the WIT `plugin-context` record has.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PluginContext {
    pub session_id: String,
    pub request_id: String,
    pub ip_address: String,
    pub accept_language: String,
    pub user_agent: String,
}

/// `message-will-be-posted`'s arguments; generic so the bench can send borrowed
/// host values and a peer can read owned ones.
#[derive(Debug, Serialize, Deserialize)]
pub struct HookArgs<C, P> {
    pub context: C,
    pub post: P,
}

/// `message-will-be-posted`'s answer, as the WIT `will-result` variant.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum WillResult<P> {
    Allow,
    Replace { post: P },
    Reject { reason: String },
}

/// The settings word-filter reads (its plugin.json schema), as JSON.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub replacements: String,
    pub blocked_phrases: String,
}
