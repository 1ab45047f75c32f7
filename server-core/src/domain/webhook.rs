//! Incoming and outgoing webhooks with Mattermost's JSON shapes and field rules, the incoming payload in its three encodings (with the sloppy-JSON retry), outgoing trigger matching, and the split of over-long webhook posts.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::Invalid;
use super::post::MAX_PROPS_RUNES;
use crate::domain::error_ids;
use crate::ids::is_valid_id;

/// Longest `display_name` (Mattermost's).
pub const MAX_DISPLAY_NAME_RUNES: usize = 64;
/// Longest `description`.
pub const MAX_DESCRIPTION_RUNES: usize = 500;
/// Longest `username` override.
pub const MAX_USERNAME_RUNES: usize = 64;
/// Longest `icon_url`.
pub const MAX_ICON_URL_RUNES: usize = 1024;
/// Longest serialized `trigger_words` / `callback_urls` (Mattermost measures Go's `%s` of the list).
pub const MAX_LIST_LEN: usize = 1024;
/// Longest outgoing `content_type`.
pub const MAX_CONTENT_TYPE_LEN: usize = 128;
/// The outgoing content type that sends JSON; anything else sends a form.
pub const JSON_CONTENT_TYPE: &str = "application/json";
/// The default outgoing content type.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
/// Username shown on webhook posts when overrides are on and nobody chose one.
pub const DEFAULT_WEBHOOK_USERNAME: &str = "webhook";
/// `trigger_when`: the first word equals a trigger word.
pub const TRIGGER_EXACT: i64 = 0;
/// `trigger_when`: the first word starts with a trigger word.
pub const TRIGGER_STARTS_WITH: i64 = 1;
/// Most bytes of an outgoing webhook's answer that are read (Mattermost's `MaxIntegrationResponseSize`).
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// An incoming webhook (`/api/v4/hooks/incoming`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncomingWebhook {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub display_name: String,
    pub description: String,
    pub username: String,
    pub icon_url: String,
    pub channel_locked: bool,
}

/// An outgoing webhook (`/api/v4/hooks/outgoing`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutgoingWebhook {
    pub id: String,
    pub token: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub creator_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub trigger_words: Vec<String>,
    pub trigger_when: i64,
    pub callback_urls: Vec<String>,
    pub display_name: String,
    pub description: String,
    pub content_type: String,
    pub username: String,
    pub icon_url: String,
}

fn runes(s: &str) -> usize {
    s.chars().count()
}

fn check(ok: bool, id: &'static str, message: &str) -> Result<(), Invalid> {
    if ok { Ok(()) } else { Err(Invalid::new(id, message)) }
}

/// Go's `fmt.Sprintf("%s", list)`: `[a b c]`; Mattermost limits its length.
fn go_list_len(list: &[String]) -> usize {
    2 + list.iter().map(String::len).sum::<usize>() + list.len().saturating_sub(1)
}

/// Whether `url` is an absolute http(s) URL with a host (Mattermost's `IsValidHTTPURL`).
pub fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.chars().any(char::is_whitespace))
}

impl IncomingWebhook {
    /// The field rules of Mattermost's `IncomingWebhook.IsValid` for what a client sets.
    pub fn validate(&self) -> Result<(), Invalid> {
        check(is_valid_id(&self.channel_id), error_ids::webhooks::INCOMING_HOOK_CHANNEL_ID, "Invalid channel id.")?;
        check(runes(&self.display_name) <= MAX_DISPLAY_NAME_RUNES, error_ids::webhooks::INCOMING_HOOK_DISPLAY_NAME, "Invalid display name.")?;
        check(runes(&self.description) <= MAX_DESCRIPTION_RUNES, error_ids::webhooks::INCOMING_HOOK_DESCRIPTION, "Invalid description.")?;
        check(runes(&self.username) <= MAX_USERNAME_RUNES, error_ids::webhooks::INCOMING_HOOK_USERNAME, "Invalid username.")?;
        check(runes(&self.icon_url) <= MAX_ICON_URL_RUNES, error_ids::webhooks::INCOMING_HOOK_ICON_URL, "Invalid icon URL.")?;
        Ok(())
    }
}

impl OutgoingWebhook {
    /// The field rules of Mattermost's `OutgoingWebhook.IsValid` for what a client sets.
    pub fn validate(&self) -> Result<(), Invalid> {
        let bad = |field: &str| format!("Invalid {field}.");
        check(is_valid_id(&self.team_id), error_ids::webhooks::OUTGOING_HOOK_IS_VALID_TEAM_ID, &bad("team id"))?;
        check(self.channel_id.is_empty() || is_valid_id(&self.channel_id), error_ids::webhooks::OUTGOING_HOOK_IS_VALID_CHANNEL_ID, &bad("channel id"))?;
        check(go_list_len(&self.trigger_words) <= MAX_LIST_LEN, error_ids::webhooks::OUTGOING_HOOK_IS_VALID_WORDS, &bad("trigger words"))?;
        check(self.trigger_words.iter().all(|w| !w.is_empty()), error_ids::webhooks::OUTGOING_HOOK_IS_VALID_TRIGGER_WORDS, &bad("trigger words"))?;
        check(
            !self.callback_urls.is_empty() && go_list_len(&self.callback_urls) <= MAX_LIST_LEN,
            error_ids::webhooks::OUTGOING_HOOK_IS_VALID_CALLBACK,
            &bad("callback URLs"),
        )?;
        check(
            self.callback_urls.iter().all(|u| is_http_url(u)),
            error_ids::webhooks::OUTGOING_HOOK_IS_VALID_URL,
            "Invalid callback URLs. Each must be a valid URL and start with http:// or https://.",
        )?;
        check(runes(&self.display_name) <= MAX_DISPLAY_NAME_RUNES, error_ids::webhooks::OUTGOING_HOOK_IS_VALID_DISPLAY_NAME, &bad("display name"))?;
        check(runes(&self.description) <= MAX_DESCRIPTION_RUNES, error_ids::webhooks::OUTGOING_HOOK_IS_VALID_DESCRIPTION, &bad("description"))?;
        check(self.content_type.len() <= MAX_CONTENT_TYPE_LEN, error_ids::webhooks::OUTGOING_HOOK_IS_VALID_CONTENT_TYPE, &bad("content type"))?;
        check(
            (TRIGGER_EXACT..=TRIGGER_STARTS_WITH).contains(&self.trigger_when),
            error_ids::webhooks::OUTGOING_HOOK_IS_VALID_TRIGGER_WHEN,
            &bad("trigger when"),
        )?;
        check(runes(&self.username) <= MAX_USERNAME_RUNES, error_ids::webhooks::OUTGOING_HOOK_IS_VALID_USERNAME, &bad("username"))?;
        check(runes(&self.icon_url) <= MAX_ICON_URL_RUNES, error_ids::webhooks::OUTGOING_HOOK_IS_VALID_ICON_URL, &bad("icon URL"))?;
        Ok(())
    }

    /// The trigger word this hook fires on for a message whose first word is
    /// `first_word`, or `None` when it does not fire. A channel-bound hook without
    /// trigger words fires on every message with the trigger word `""`.
    pub fn trigger_for(&self, channel_id: &str, first_word: &str) -> Option<String> {
        if !self.channel_id.is_empty() && self.channel_id != channel_id {
            return None;
        }
        if !self.channel_id.is_empty() && self.trigger_words.is_empty() {
            return Some(String::new());
        }
        if first_word.is_empty() {
            return None;
        }
        let matches = |word: &String| match self.trigger_when {
            TRIGGER_STARTS_WITH => first_word.starts_with(word.as_str()),
            _ => first_word == word,
        };
        self.trigger_words.iter().find(|w| matches(w)).cloned()
    }

    /// Whether this hook would fire for the same posts to the same URL as `other`
    /// (same channel, a shared callback URL and a shared trigger word): Mattermost
    /// refuses such duplicates.
    pub fn intersects(&self, other: &OutgoingWebhook) -> bool {
        self.channel_id == other.channel_id
            && self.callback_urls.iter().any(|u| other.callback_urls.contains(u))
            && self.trigger_words.iter().any(|w| other.trigger_words.contains(w))
    }
}

/// `PostPriority`: `priority` is `""`, `important` or `urgent`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostPriority {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_ack: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent_notifications: Option<bool>,
}

impl PostPriority {
    /// Mattermost refuses a priority object without `priority`, and unknown levels.
    pub fn validate(&self) -> Result<(), Invalid> {
        match self.priority.as_deref() {
            Some("" | "important" | "urgent") => Ok(()),
            Some(_) => Err(Invalid::new(error_ids::context::INVALID_PARAM, "Invalid priority.priority parameter.")),
            None => Err(Invalid::new(error_ids::context::INVALID_PARAM, "Invalid or missing priority.priority parameter.")),
        }
    }
}

/// The body of `POST /hooks/{id}` (`IncomingWebhookRequest`). `Serialize` only to
/// look at every text it carries (`text::serialized_has_nul`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncomingWebhookRequest {
    pub text: String,
    pub username: String,
    pub icon_url: String,
    #[serde(rename = "channel")]
    pub channel_name: String,
    pub props: Option<Map<String, Value>>,
    /// Kept as JSON until the attachment rules parse it, so that a payload with a bad
    /// attachment gets the attachment error, not a parse error.
    pub attachments: Option<Value>,
    #[serde(rename = "type")]
    pub kind: String,
    pub icon_emoji: String,
    pub priority: Option<PostPriority>,
}

/// Why a webhook payload could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl IncomingWebhookRequest {
    /// Decode a JSON payload. Invalid JSON is tried once more with raw control
    /// characters inside string literals escaped: Slack accepts `"text": "a<newline>b"`,
    /// and so do Mattermost (for its text-like fields) and we (for every string).
    pub fn from_json(bytes: &[u8]) -> Result<IncomingWebhookRequest, ParseError> {
        match serde_json::from_slice(bytes) {
            Ok(request) => Ok(request),
            Err(first) => {
                let escaped = escape_control_chars_in_strings(bytes);
                serde_json::from_slice(&escaped).map_err(|_| ParseError(first.to_string()))
            }
        }
    }

    /// Decode form fields (`multipart/form-data`): the JSON names, plus the Go field
    /// names Mattermost's form decoder matches case-insensitively (`IconURL`,
    /// `ChannelName`, `IconEmoji`); `props`, `attachments` and `priority` may be given
    /// as JSON text. Unknown fields are ignored.
    pub fn from_fields(fields: &[(String, String)]) -> Result<IncomingWebhookRequest, ParseError> {
        let mut request = IncomingWebhookRequest::default();
        for (name, value) in fields {
            let json_field = |what: &str| serde_json::from_str::<Value>(value).map_err(|e| ParseError(format!("field {what}: {e}")));
            match name.to_ascii_lowercase().as_str() {
                "text" => request.text = value.clone(),
                "username" => request.username = value.clone(),
                "icon_url" | "iconurl" => request.icon_url = value.clone(),
                "channel" | "channelname" => request.channel_name = value.clone(),
                "type" => request.kind = value.clone(),
                "icon_emoji" | "iconemoji" => request.icon_emoji = value.clone(),
                "props" => match json_field("props")? {
                    Value::Object(map) => request.props = Some(map),
                    _ => return Err(ParseError("field props: not a JSON object".into())),
                },
                "attachments" => request.attachments = Some(json_field("attachments")?),
                "priority" => request.priority = Some(serde_json::from_value(json_field("priority")?).map_err(|e| ParseError(format!("field priority: {e}")))?),
                _ => {}
            }
        }
        Ok(request)
    }
}

/// `bytes` with every raw control character inside a JSON string literal replaced by
/// its escape; everything outside literals is left alone.
pub fn escape_control_chars_in_strings(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            } else if b < 0x20 {
                match b {
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    other => out.extend_from_slice(format!("\\u{other:04x}").as_bytes()),
                }
                continue;
            }
        } else if b == b'"' {
            in_string = true;
        }
        out.push(b);
    }
    out
}

/// What an outgoing webhook sends (`OutgoingWebhookPayload`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingWebhookPayload {
    pub token: String,
    pub team_id: String,
    pub team_domain: String,
    pub channel_id: String,
    pub channel_name: String,
    /// Milliseconds (the post's `create_at`); the form encoding sends seconds.
    pub timestamp: i64,
    pub user_id: String,
    pub user_name: String,
    pub post_id: String,
    pub text: String,
    pub trigger_word: String,
    pub file_ids: String,
}

impl OutgoingWebhookPayload {
    /// The form fields, in Mattermost's `ToFormValues` form: `timestamp` in seconds.
    pub fn form_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("token", self.token.clone()),
            ("team_id", self.team_id.clone()),
            ("team_domain", self.team_domain.clone()),
            ("channel_id", self.channel_id.clone()),
            ("channel_name", self.channel_name.clone()),
            ("timestamp", (self.timestamp / 1000).to_string()),
            ("user_id", self.user_id.clone()),
            ("user_name", self.user_name.clone()),
            ("post_id", self.post_id.clone()),
            ("text", self.text.clone()),
            ("trigger_word", self.trigger_word.clone()),
            ("file_ids", self.file_ids.clone()),
        ]
    }
}

/// What an outgoing webhook's receiver may answer (`OutgoingWebhookResponse`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutgoingWebhookResponse {
    /// `null` and absent differ from `""`: only a non-null text (or attachments) makes a post.
    pub text: Option<String>,
    pub username: String,
    pub icon_url: String,
    pub props: Option<Map<String, Value>>,
    pub attachments: Option<Value>,
    #[serde(rename = "type")]
    pub kind: String,
    pub response_type: String,
    pub priority: Option<PostPriority>,
}

/// `response_type` that makes the answer a reply in the triggering post's thread.
pub const RESPONSE_TYPE_COMMENT: &str = "comment";

/// One post of a split webhook message: its message and props.
pub type SplitPart = (String, Map<String, Value>);

/// Split a webhook message into posts of at most `max_runes` runes (Mattermost's
/// `SplitWebhookPost`): every part carries `props` (without attachments); the
/// attachments are then packed into the last parts so that no part's props exceed the
/// props limit, a new part being started when one is full, and an attachment too big
/// on its own having its text cut. Returns `(message, props)` per post.
pub fn split_webhook_post(message: &str, props: &Map<String, Value>, attachments: &[Value], max_runes: usize) -> Result<Vec<SplitPart>, Invalid> {
    let too_long = || {
        Invalid::new(error_ids::webhooks::INCOMING_WEBHOOK_SPLIT_PROPS_LENGTH, format!("Unable to split webhook props into {MAX_PROPS_RUNES} character parts."))
    };
    let mut base = props.clone();
    base.remove("attachments");
    if runes(&Value::Object(base.clone()).to_string()) > MAX_PROPS_RUNES {
        return Err(too_long());
    }
    let max_runes = max_runes.max(1);
    let mut parts: Vec<SplitPart> = Vec::new();
    let mut rest = message;
    while runes(rest) > max_runes {
        let cut = rest.char_indices().nth(max_runes).map_or(rest.len(), |(i, _)| i);
        parts.push((rest[..cut].to_string(), base.clone()));
        rest = &rest[cut..];
    }
    parts.push((rest.to_string(), base.clone()));

    for attachment in attachments {
        loop {
            let last = parts.last_mut().expect("at least one part");
            let mut candidate = last.1.clone();
            let mut list = candidate.get("attachments").and_then(Value::as_array).cloned().unwrap_or_default();
            let had_some = !list.is_empty();
            list.push(attachment.clone());
            candidate.insert("attachments".into(), Value::Array(list.clone()));
            let size = runes(&Value::Object(candidate.clone()).to_string());
            if size <= MAX_PROPS_RUNES {
                last.1 = candidate;
                break;
            }
            if had_some {
                parts.push((String::new(), base.clone()));
                continue;
            }
            // Alone and still too big: cut its text by the excess, as Mattermost does.
            let text = attachment.get("text").and_then(Value::as_str).unwrap_or_default();
            let excess = size - MAX_PROPS_RUNES;
            let text_runes = runes(text);
            if text_runes < excess {
                return Err(too_long());
            }
            let keep: String = text.chars().take(text_runes - excess).collect();
            let mut cut_attachment = attachment.clone();
            cut_attachment["text"] = json!(keep);
            list.pop();
            list.push(cut_attachment);
            candidate.insert("attachments".into(), Value::Array(list));
            last.1 = candidate;
            break;
        }
    }
    Ok(parts)
}

/// The first whitespace-separated word of a message (what outgoing hooks test).
pub fn first_word(message: &str) -> &str {
    message.split_whitespace().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sloppy_json_is_retried_with_control_chars_escaped() {
        let sloppy = b"{\"text\": \"line one\nline\ttwo\", \"username\": \"ci\"}";
        assert!(serde_json::from_slice::<Value>(sloppy).is_err(), "really invalid JSON");
        let request = IncomingWebhookRequest::from_json(sloppy).unwrap();
        assert_eq!(request.text, "line one\nline\ttwo");
        assert_eq!(request.username, "ci");
        // Whitespace between tokens stays whitespace.
        let pretty = b"{\n\t\"text\": \"x\"\n}";
        assert_eq!(IncomingWebhookRequest::from_json(pretty).unwrap().text, "x");
        assert!(IncomingWebhookRequest::from_json(b"{\"text\": ").is_err());
        assert!(IncomingWebhookRequest::from_json(b"").is_err());
    }

    #[test]
    fn form_fields_take_json_and_go_names() {
        let fields = [("Text", "hi"), ("ChannelName", "dev"), ("iconurl", "http://x/i.png"), ("props", "{\"a\":1}"), ("other", "ignored")]
            .map(|(k, v)| (k.to_string(), v.to_string()));
        let request = IncomingWebhookRequest::from_fields(&fields).unwrap();
        assert_eq!((request.text.as_str(), request.channel_name.as_str(), request.icon_url.as_str()), ("hi", "dev", "http://x/i.png"));
        assert_eq!(request.props.unwrap()["a"], 1);
        assert!(IncomingWebhookRequest::from_fields(&[("props".into(), "[1]".into())]).is_err());
    }

    #[test]
    fn triggers_look_at_the_first_word_only() {
        let hook = OutgoingWebhook { trigger_words: vec!["deploy".into(), "ship".into()], trigger_when: TRIGGER_EXACT, ..OutgoingWebhook::default() };
        assert_eq!(hook.trigger_for("c", first_word("deploy api")), Some("deploy".into()));
        assert_eq!(hook.trigger_for("c", first_word("deployment api")), None);
        assert_eq!(hook.trigger_for("c", first_word("please deploy")), None);
        let starts = OutgoingWebhook { trigger_when: TRIGGER_STARTS_WITH, ..hook.clone() };
        assert_eq!(starts.trigger_for("c", first_word("deployment api")), Some("deploy".into()));
        let bound = OutgoingWebhook { channel_id: "c".into(), trigger_words: vec![], ..hook.clone() };
        assert_eq!(bound.trigger_for("c", "anything"), Some(String::new()));
        assert_eq!(bound.trigger_for("d", "anything"), None);
    }

    #[test]
    fn outgoing_validation_follows_mattermost() {
        let ok = OutgoingWebhook {
            team_id: crate::ids::new_id(),
            trigger_words: vec!["x".into()],
            callback_urls: vec!["http://example.com/hook".into()],
            ..OutgoingWebhook::default()
        };
        assert!(ok.validate().is_ok());
        let cases = [
            (OutgoingWebhook { callback_urls: vec![], ..ok.clone() }, "model.outgoing_hook.is_valid.callback.app_error"),
            (OutgoingWebhook { callback_urls: vec!["ftp://x".into()], ..ok.clone() }, "model.outgoing_hook.is_valid.url.app_error"),
            (OutgoingWebhook { trigger_words: vec!["".into()], ..ok.clone() }, "model.outgoing_hook.is_valid.trigger_words.app_error"),
            (OutgoingWebhook { trigger_when: 2, ..ok.clone() }, "model.outgoing_hook.is_valid.trigger_when.app_error"),
            (OutgoingWebhook { display_name: "x".repeat(65), ..ok.clone() }, "model.outgoing_hook.is_valid.display_name.app_error"),
        ];
        for (hook, id) in cases {
            assert_eq!(hook.validate().unwrap_err().id, id);
        }
    }

    #[test]
    fn form_payload_sends_seconds() {
        let payload = OutgoingWebhookPayload { timestamp: 1_717_171_717_123, ..OutgoingWebhookPayload::default() };
        assert!(payload.form_fields().contains(&("timestamp", "1717171717".to_string())));
        assert_eq!(serde_json::to_value(&payload).unwrap()["timestamp"], 1_717_171_717_123_i64);
    }

    #[test]
    fn long_messages_split_by_runes_and_attachments_pack() {
        let props = Map::from_iter([("from_webhook".to_string(), json!("true"))]);
        let parts = split_webhook_post(&"é".repeat(25), &props, &[], 10).unwrap();
        assert_eq!(parts.iter().map(|p| p.0.chars().count()).collect::<Vec<_>>(), [10, 10, 5]);
        assert!(parts.iter().all(|p| p.1["from_webhook"] == "true"));

        let small = json!({ "text": "a" });
        let parts = split_webhook_post("hi", &props, &[small.clone(), small.clone()], 10).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].1["attachments"].as_array().unwrap().len(), 2);

        let big = json!({ "text": "b".repeat(MAX_PROPS_RUNES / 2 + 10) });
        let parts = split_webhook_post("hi", &props, &[big.clone(), big.clone()], 10).unwrap();
        assert_eq!(parts.len(), 2, "the second big attachment starts a new post");
        assert_eq!(parts[1].0, "");

        let huge = json!({ "text": "c".repeat(MAX_PROPS_RUNES + 10) });
        let parts = split_webhook_post("hi", &props, &[huge], 10).unwrap();
        assert!(Value::Object(parts[0].1.clone()).to_string().chars().count() <= MAX_PROPS_RUNES, "the text was cut");

        let fat_props = Map::from_iter([("x".to_string(), json!("d".repeat(MAX_PROPS_RUNES)))]);
        assert_eq!(split_webhook_post("hi", &fat_props, &[], 10).unwrap_err().id, "web.incoming_webhook.split_props_length.app_error");
    }
}
