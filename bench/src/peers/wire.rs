//! What the JSON peers of B1 and B2 exchange with their host: the hook's arguments, the plugin's answer and the JSON-RPC envelope, plus the filter call both peers make.
//!
//! Compiled into three programs: the bench (host side), the Extism guest
//! (`bench/extism-guest`) and the out-of-process plugin (`src/bin/oop_plugin.rs`), each
//! of which declares `filter` (the word-filter example's `filter.rs`) beside this module.

use serde::{Deserialize, Serialize};

use super::filter::{Filter, Verdict};

/// A post as Mattermost's JSON names its fields (the plugin-side copy of the host's
/// `Post`, which serializes to the same object).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
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

/// Where the call came from (Mattermost's `plugin.Context`); decoded like the host path
/// lowers it, though the filter does not read it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    pub session_id: String,
    pub request_id: String,
    pub ip_address: String,
    pub accept_language: String,
    pub user_agent: String,
}

/// `message_will_be_posted`'s arguments; generic so the host serializes its own types
/// by reference and the plugins decode into theirs.
#[derive(Debug, Serialize, Deserialize)]
pub struct Hook<C, P> {
    pub context: C,
    pub post: P,
}

/// The plugin's answer (Mattermost's `(*Post, string)`: a replacement, a rejection, or
/// neither).
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Reply<P> {
    Continue,
    Replace { post: P },
    Reject { reason: String },
}

/// One out-of-process call: a line of JSON on the socket.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request<H> {
    pub id: u64,
    pub method: String,
    pub params: H,
}

/// The answer to the [`Request`] with the same `id`: `result`, or `error` for a method
/// the plugin does not know or a request it could not read.
#[derive(Debug, Serialize, Deserialize)]
pub struct Response<R> {
    pub id: u64,
    // A missing field reads as `None` (serde's rule for `Option` fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<R>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The method name of the one hook the peers serve.
pub const MESSAGE_WILL_BE_POSTED: &str = "message_will_be_posted";

/// The word-filter plugin's decision on `post`, as the WIT plugin makes it.
pub fn decide(filter: &Filter, post: Post) -> Reply<Post> {
    match filter.check(&post.message) {
        Verdict::Unchanged => Reply::Continue,
        Verdict::Replaced(message) => Reply::Replace { post: Post { message, ..post } },
        Verdict::Blocked(phrase) => Reply::Reject { reason: format!("Your message was not posted: it contains the blocked phrase \"{phrase}\".") },
    }
}

/// The filter from the word-filter's settings object (`replacements`, `blocked_phrases`),
/// missing keys read as empty.
pub fn filter_from_settings(settings: &serde_json::Value) -> Filter {
    let text = |key: &str| settings.get(key).and_then(serde_json::Value::as_str).unwrap_or_default();
    Filter::new(text("replacements"), text("blocked_phrases")).0
}
