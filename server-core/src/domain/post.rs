//! Posts, post lists and reactions with Mattermost's JSON shapes, and the post size rules.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Invalid;
use crate::domain::error_ids;

/// Longest message in runes (Mattermost's default max post size).
pub const MAX_MESSAGE_RUNES: usize = 16_383;
/// Largest serialized `props` a client may send, in runes (Mattermost's user limit).
pub const MAX_PROPS_RUNES: usize = 760_000;
/// Longest `type` (the database column in Mattermost).
pub const MAX_TYPE_LEN: usize = 26;
/// Longest emoji name (Mattermost's).
pub const MAX_EMOJI_NAME_LEN: usize = 64;

/// A post. `props` is a JSON object; stored as text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub edit_at: i64,
    pub delete_at: i64,
    pub is_pinned: bool,
    pub user_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub original_id: String,
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Serialized for clients: action integrations are left out (see
    /// [`super::attachment::serialize_client_props`]); stored and given to plugins whole.
    #[serde(serialize_with = "super::attachment::serialize_client_props")]
    pub props: Map<String, Value>,
    pub hashtags: String,
    pub pending_post_id: String,
    pub reply_count: i64,
    pub last_reply_at: i64,
    pub participants: Option<Vec<Value>>,
    pub has_reactions: bool,
    pub metadata: Map<String, Value>,
}

/// `POST /posts` body (and the editable part of `PUT /posts/{id}`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewPost {
    pub id: String,
    /// Ignored over HTTP (the author is the session's user); plugins name the author
    /// (usually their bot).
    pub user_id: String,
    pub channel_id: String,
    pub message: String,
    pub root_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub props: Option<Map<String, Value>>,
    pub pending_post_id: String,
    pub file_ids: Option<Vec<String>>,
    pub is_pinned: Option<bool>,
    /// `metadata.priority` set by the server's integrations (webhooks); not read from clients.
    #[serde(skip)]
    pub priority: Option<Value>,
}

/// `PUT /posts/{id}/patch` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PostPatch {
    pub message: Option<String>,
    pub is_pinned: Option<bool>,
    pub props: Option<Map<String, Value>>,
}

/// Mattermost's `PostList`: ids newest first plus a map of the posts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PostList {
    pub order: Vec<String>,
    pub posts: HashMap<String, Post>,
    pub next_post_id: String,
    pub prev_post_id: String,
    pub has_next: bool,
    pub first_inaccessible_post_time: i64,
}

impl PostList {
    /// A list in the given order (newest first).
    pub fn from_posts(posts: Vec<Post>) -> PostList {
        let order = posts.iter().map(|p| p.id.clone()).collect();
        PostList { order, posts: posts.into_iter().map(|p| (p.id.clone(), p)).collect(), ..PostList::default() }
    }
}

/// An emoji reaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reaction {
    pub user_id: String,
    pub post_id: String,
    pub emoji_name: String,
    pub create_at: i64,
}

/// Size and shape rules shared by create and edit (Mattermost's `Post.IsValid`).
pub fn validate_content(message: &str, kind: &str, props: &Map<String, Value>) -> Result<(), Invalid> {
    // Whoever wrote it (a client, an integration's answer, a plugin), no NUL is stored.
    super::text::check_text(message)?;
    super::text::check_text(kind)?;
    if props.iter().any(|(key, value)| key.contains('\0') || super::text::value_has_nul(value)) {
        return Err(super::text::nul_refused());
    }
    let runes = message.chars().count();
    if runes > MAX_MESSAGE_RUNES {
        return Err(Invalid::new(error_ids::posts::IS_VALID_MSG, format!("Message is {runes} characters long; the limit is {MAX_MESSAGE_RUNES}.")));
    }
    if kind.len() > MAX_TYPE_LEN {
        return Err(Invalid::new(error_ids::posts::IS_VALID_TYPE, "Invalid type."));
    }
    let props_runes = Value::Object(props.clone()).to_string().chars().count();
    if props_runes > MAX_PROPS_RUNES {
        return Err(Invalid::new(error_ids::posts::IS_VALID_PROPS, format!("Props are {props_runes} characters long; the limit is {MAX_PROPS_RUNES}.")));
    }
    Ok(())
}

/// Types a person may set: none of the `system_*` ones, which only the server writes.
pub fn validate_user_type(kind: &str) -> Result<(), Invalid> {
    if kind.starts_with("system_") {
        return Err(Invalid::new(error_ids::context::INVALID_PARAM, "Invalid type: system_* post types are reserved for the server."));
    }
    Ok(())
}

/// Emoji names: 1–64 of letters, digits, `_`, `-`, `+`.
pub fn validate_emoji_name(name: &str) -> Result<(), Invalid> {
    let ok = (1..=MAX_EMOJI_NAME_LEN).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'));
    if ok { Ok(()) } else { Err(Invalid::new(error_ids::posts::REACTION_IS_VALID_EMOJI_NAME, "Invalid emoji name.")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_limit_counts_runes_not_bytes() {
        let props = Map::new();
        assert!(validate_content(&"é".repeat(MAX_MESSAGE_RUNES), "", &props).is_ok());
        let err = validate_content(&"é".repeat(MAX_MESSAGE_RUNES + 1), "", &props).unwrap_err();
        assert_eq!(err.id, "model.post.is_valid.msg.app_error");
    }

    #[test]
    fn post_list_keeps_order() {
        let post = |id: &str| Post { id: id.into(), ..Post::default() };
        let list = PostList::from_posts(vec![post("b"), post("a")]);
        assert_eq!(list.order, ["b", "a"]);
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json["posts"]["a"]["id"], "a");
        assert_eq!(json["next_post_id"], "");
        assert_eq!(json["has_next"], false);
    }

    #[test]
    fn emoji_and_types() {
        assert!(validate_emoji_name("+1").is_ok());
        assert!(validate_emoji_name("thumbs up").is_err());
        assert!(validate_user_type("system_join_channel").is_err());
        assert!(validate_user_type("custom_poll").is_ok());
    }
}
