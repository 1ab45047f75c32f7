//! Constructors and accessors that make the generated WIT records pleasant to use.
//!
//! The records are generated inside this crate, so these are plain inherent impls;
//! plugin code needs no extension trait in scope.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::types::{CommandResponse, HttpRequest, HttpResponse, PluginContext, Post, User, WillResult};

/// Mattermost's empty `props`. The WIT says `props` is a JSON object, so "{}" rather
/// than "" keeps strict hosts and other plugins happy.
const EMPTY_PROPS: &str = "{}";

impl Default for Post {
    fn default() -> Self {
        Post {
            id: String::new(),
            create_at: 0,
            update_at: 0,
            edit_at: 0,
            delete_at: 0,
            user_id: String::new(),
            channel_id: String::new(),
            root_id: String::new(),
            message: String::new(),
            type_: String::new(),
            props: EMPTY_PROPS.to_owned(),
            is_pinned: false,
        }
    }
}

impl Post {
    /// A new root post for [`posts::create`](crate::posts::create). The host fills in
    /// the id and timestamps; set `user_id` (e.g. a bot's id) to post as someone.
    pub fn new(channel_id: impl Into<String>, message: impl Into<String>) -> Self {
        Post { channel_id: channel_id.into(), message: message.into(), ..Post::default() }
    }

    /// A new reply in the thread whose root is `root_id`.
    pub fn reply(channel_id: impl Into<String>, root_id: impl Into<String>, message: impl Into<String>) -> Self {
        Post { root_id: root_id.into(), ..Post::new(channel_id, message) }
    }

    /// Sets the author (builder style).
    pub fn by(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// The thread this post belongs to: its root, or itself for a root post.
    pub fn thread_id(&self) -> &str {
        if self.root_id.is_empty() { &self.id } else { &self.root_id }
    }

    /// Parses `props` (a JSON object) into a `serde_json::Value`; `{}` when empty.
    pub fn props_value(&self) -> Result<serde_json::Value> {
        if self.props.trim().is_empty() {
            return Ok(serde_json::Value::Object(Default::default()));
        }
        Ok(serde_json::from_str(&self.props)?)
    }

    /// Replaces `props` with `value` serialized as JSON (builder style).
    pub fn with_props<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self> {
        self.props = serde_json::to_string(value)?;
        Ok(self)
    }

    /// A copy with a different message, for [`WillResult::Replace`].
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }
}

impl WillResult {
    /// Let this post through instead of the original.
    pub fn replace(post: Post) -> Self {
        WillResult::Replace(post)
    }

    /// Refuse the post, telling the author why.
    pub fn reject(reason: impl Into<String>) -> Self {
        WillResult::Reject(reason.into())
    }
}

impl Default for PluginContext {
    /// The context of an event that did not start with a client request.
    fn default() -> Self {
        PluginContext {
            session_id: String::new(),
            request_id: String::new(),
            ip_address: String::new(),
            accept_language: String::new(),
            user_agent: String::new(),
        }
    }
}

impl User {
    /// The name to show: nickname, else "first last", else the username.
    pub fn display_name(&self) -> String {
        if !self.nickname.is_empty() {
            return self.nickname.clone();
        }
        let full = format!("{} {}", self.first_name, self.last_name);
        let full = full.trim();
        if full.is_empty() { self.username.clone() } else { full.to_owned() }
    }
}

impl CommandResponse {
    fn with_type(response_type: &str, text: impl Into<String>) -> Self {
        CommandResponse {
            response_type: response_type.to_owned(),
            text: text.into(),
            username: String::new(),
            icon_url: String::new(),
            channel_id: String::new(),
            goto_location: String::new(),
            type_: String::new(),
            props: EMPTY_PROPS.to_owned(),
        }
    }

    /// An answer only the caller sees.
    pub fn ephemeral(text: impl Into<String>) -> Self {
        Self::with_type("ephemeral", text)
    }

    /// An answer posted in the channel for everyone.
    pub fn in_channel(text: impl Into<String>) -> Self {
        Self::with_type("in_channel", text)
    }
}

impl HttpRequest {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The logged-in caller, from the `Mattermost-User-Id` header the server sets
    /// (and strips from client input); `None` for anonymous requests.
    pub fn user_id(&self) -> Option<&str> {
        self.header("Mattermost-User-Id").filter(|id| !id.is_empty())
    }

    /// The body as UTF-8 text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(serde_json::from_slice(&self.body)?)
    }

    /// The query string as decoded `(name, value)` pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        parse_query(&self.query)
    }

    /// The first query parameter named `name`, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

impl HttpResponse {
    /// A response with a status and body but no headers.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse { status, headers: Vec::new(), body: body.into() }
    }

    /// A `text/plain` response.
    pub fn text(status: u16, text: impl Into<String>) -> Self {
        Self::new(status, text.into().into_bytes()).with_header("Content-Type", "text/plain; charset=utf-8")
    }

    /// An `application/json` response. If `value` cannot be serialized the answer is
    /// a 500 with a JSON error, so a handler never has to unwrap.
    pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> Self {
        let (status, body) = match serde_json::to_vec(value) {
            Ok(body) => (status, body),
            Err(e) => (500, error_body(&format!("serializing response: {e}"))),
        };
        Self::new(status, body).with_header("Content-Type", "application/json")
    }

    /// `404 {"error": "not found"}`.
    pub fn not_found() -> Self {
        Self::new(404, error_body("not found")).with_header("Content-Type", "application/json")
    }

    /// `<status> {"error": message}`.
    pub fn error(status: u16, message: &str) -> Self {
        Self::new(status, error_body(message)).with_header("Content-Type", "application/json")
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn error_body(message: &str) -> Vec<u8> {
    serde_json::json!({ "error": message }).to_string().into_bytes()
}

pub(crate) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// `application/x-www-form-urlencoded` decoding, small enough not to need a crate.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes[i] {
            b'+' => Some((b' ', 1)),
            b'%' if i + 2 < bytes.len() => hex(bytes[i + 1]).zip(hex(bytes[i + 2])).map(|(h, l)| (h << 4 | l, 3)),
            _ => None,
        };
        // Malformed escapes are kept literally, as browsers do.
        let (byte, width) = decoded.unwrap_or((bytes[i], 1));
        out.push(byte);
        i += width;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_decoded() {
        assert_eq!(
            parse_query("a=1&b=x+y%21&c&&d=%zz"),
            vec![("a".into(), "1".into()), ("b".into(), "x y!".into()), ("c".into(), "".into()), ("d".into(), "%zz".into()),]
        );
        assert_eq!(parse_query("e=%4"), vec![("e".into(), "%4".into())]);
        assert_eq!(parse_query("f=%+1"), vec![("f".into(), "% 1".into())]);
    }

    #[test]
    fn post_new_fills_props() {
        let p = Post::reply("c", "r", "hi").by("u");
        assert_eq!((p.channel_id.as_str(), p.root_id.as_str(), p.user_id.as_str()), ("c", "r", "u"));
        assert_eq!(p.props, "{}");
        assert_eq!(p.thread_id(), "r");
    }

    #[test]
    fn post_json_uses_mattermost_keys() {
        let v = serde_json::to_value(Post::new("c", "hi")).unwrap();
        assert_eq!(v["channel_id"], "c");
        assert_eq!(v["type"], "");
    }

    #[test]
    fn responses() {
        let r = HttpResponse::json(201, &serde_json::json!({"n": 1}));
        assert_eq!(r.status, 201);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.body, br#"{"n":1}"#);
        assert_eq!(CommandResponse::ephemeral("x").response_type, "ephemeral");
    }
}
