//! Message attachments (Mattermost's `SlackAttachment` with interactive `PostAction`s): the JSON shape, validation, id assignment, and Slack markup conversion.
//!
//! Integrations send attachments as Slack does (`fields[].value` a string or a number,
//! `short` a boolean or `"true"`, `ts` a string or a number); they are normalised on
//! input so that what is stored and sent to clients always has one shape. A post with
//! attachments is stored with type `slack_attachment` and the attachments in
//! `props.attachments`, as Mattermost does.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::Invalid;
use crate::domain::error_ids;

/// The post type of a post carrying attachments.
pub const POST_TYPE_SLACK_ATTACHMENT: &str = "slack_attachment";
/// The props key attachments live under.
pub const ATTACHMENTS_PROP: &str = "attachments";
/// Most attachments on one post; Slack documents 100.
pub const MAX_ATTACHMENTS: usize = 100;
/// Most actions on one attachment (Slack's limit is 25 for legacy attachments).
pub const MAX_ACTIONS: usize = 25;
/// Most options in one static select.
pub const MAX_OPTIONS: usize = 1000;
/// Longest URL accepted in an attachment or an action.
pub const MAX_URL_LEN: usize = 1024;

/// One attachment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attachment {
    /// Assigned by the server, 1-based within the post.
    pub id: i64,
    pub fallback: String,
    pub color: String,
    pub pretext: String,
    pub author_name: String,
    pub author_link: String,
    pub author_icon: String,
    pub title: String,
    pub title_link: String,
    pub text: String,
    pub fields: Vec<Field>,
    pub image_url: String,
    pub thumb_url: String,
    pub footer: String,
    pub footer_icon: String,
    /// Slack sends seconds as a string or a number; kept as given.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub ts: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
}

/// A field of an attachment's table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Field {
    pub title: String,
    /// Always a string once parsed (numbers are stringified, as Mattermost does).
    #[serde(deserialize_with = "string_or_number")]
    pub value: String,
    #[serde(deserialize_with = "bool_or_string")]
    pub short: bool,
}

/// An interactive element: a button or a select.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Action {
    /// Letters and digits; generated when absent.
    pub id: String,
    /// `button` or `select`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The button's label or the select's placeholder.
    pub name: String,
    pub disabled: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub style: String,
    /// `users` or `channels` for a select over those; empty for `options`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub data_source: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ActionOption>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub default_option: String,
    /// Where a click goes. Never sent to clients (see the interactive-message code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration: Option<Integration>,
    /// Set by the server for clients; ignored on input.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cookie: String,
}

/// An option of a static select.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionOption {
    pub text: String,
    pub value: String,
}

/// The integration an action calls: an absolute http(s) URL or `/plugins/<id>/...`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Integration {
    pub url: String,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub context: Map<String, Value>,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => String::new(),
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => return Err(serde::de::Error::custom(format!("a field value must be a string or a number, not {other}"))),
    })
}

fn bool_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") || s.is_empty() => Ok(false),
        other => Err(serde::de::Error::custom(format!("`short` must be true or false, not {other}"))),
    }
}

/// Read `props.attachments` (absent or `null` = none).
pub fn from_props(props: &Map<String, Value>) -> Result<Vec<Attachment>, Invalid> {
    match props.get(ATTACHMENTS_PROP) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(value) => parse(value.clone()),
    }
}

/// Parse a JSON array of attachments.
pub fn parse(value: Value) -> Result<Vec<Attachment>, Invalid> {
    serde_json::from_value(value).map_err(|e| Invalid::new(error_ids::posts::SLACK_ATTACHMENT_IS_VALID, format!("Invalid attachments: {e}.")))
}

/// Check every attachment and action (Mattermost's `SlackAttachment.IsValid` and
/// `PostAction.IsValid`, plus count limits).
pub fn validate(attachments: &[Attachment]) -> Result<(), Invalid> {
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(Invalid::new(error_ids::posts::SLACK_ATTACHMENT_IS_VALID, format!("A post may have at most {MAX_ATTACHMENTS} attachments.")));
    }
    for (i, a) in attachments.iter().enumerate() {
        let at = |what: &str| Invalid::new(error_ids::posts::SLACK_ATTACHMENT_IS_VALID, format!("Attachment {}: {what}.", i + 1));
        if !is_valid_color(&a.color) {
            return Err(at("color must be good, warning, danger or a #RRGGBB value"));
        }
        for (name, url) in [
            ("author_link", &a.author_link),
            ("author_icon", &a.author_icon),
            ("title_link", &a.title_link),
            ("image_url", &a.image_url),
            ("thumb_url", &a.thumb_url),
            ("footer_icon", &a.footer_icon),
        ] {
            if !url.is_empty() && !is_http_url(url) {
                return Err(at(&format!("{name} must be an http(s) URL")));
            }
        }
        if !a.author_link.is_empty() && a.author_name.is_empty() {
            return Err(at("author_link needs author_name"));
        }
        if !a.title_link.is_empty() && a.title.is_empty() {
            return Err(at("title_link needs title"));
        }
        if a.actions.len() > MAX_ACTIONS {
            return Err(at(&format!("at most {MAX_ACTIONS} actions")));
        }
        for action in &a.actions {
            validate_action(action).map_err(|e| Invalid::new(e.id, format!("Attachment {}: {}", i + 1, e.message)))?;
        }
    }
    Ok(())
}

fn validate_action(action: &Action) -> Result<(), Invalid> {
    let bad = |what: &str| Invalid::new(error_ids::actions::POST_ACTION_IS_VALID, format!("action {:?}: {what}.", action.name));
    if action.name.is_empty() {
        return Err(Invalid::new(error_ids::actions::POST_ACTION_IS_VALID, "An action needs a name."));
    }
    if !action.id.is_empty() && !action.id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad("the id may contain only letters and digits"));
    }
    match action.kind.as_str() {
        "" | "button" => {
            if !action.options.is_empty() || !action.data_source.is_empty() {
                return Err(bad("a button has no options or data_source"));
            }
        }
        "select" => {
            if !matches!(action.data_source.as_str(), "" | "users" | "channels") {
                return Err(bad("data_source must be users or channels"));
            }
            if action.options.len() > MAX_OPTIONS {
                return Err(bad(&format!("at most {MAX_OPTIONS} options")));
            }
            if action.options.iter().any(|o| o.text.is_empty() || o.value.is_empty()) {
                return Err(bad("every option needs a text and a value"));
            }
        }
        other => return Err(bad(&format!("unknown type {other:?}; use button or select"))),
    }
    if !matches!(action.style.as_str(), "" | "default" | "primary" | "success" | "good" | "warning" | "danger") && !is_hex_color(&action.style) {
        return Err(bad("style must be default, primary, success, good, warning, danger or a #RRGGBB value"));
    }
    let Some(integration) = &action.integration else { return Err(bad("an integration URL is required")) };
    if !(is_http_url(&integration.url) || is_plugin_path(&integration.url)) {
        return Err(bad("the integration URL must be an http(s) URL or /plugins/<plugin_id>/..."));
    }
    Ok(())
}

fn is_valid_color(color: &str) -> bool {
    matches!(color, "" | "good" | "warning" | "danger") || is_hex_color(color)
}

fn is_hex_color(color: &str) -> bool {
    color.strip_prefix('#').is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_http_url(url: &str) -> bool {
    url.len() <= MAX_URL_LEN && url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// `/plugins/<id>/...`: an action answered in-process by a plugin's `serve-http`.
pub fn is_plugin_path(url: &str) -> bool {
    url.len() <= MAX_URL_LEN && url.strip_prefix("/plugins/").is_some_and(|rest| rest.split('/').next().is_some_and(|id| !id.is_empty()))
}

/// Number the attachments and give every action without one an id (Mattermost's
/// `GenerateActionIds`); cookies sent back by clients are dropped.
pub fn assign_ids(attachments: &mut [Attachment]) {
    for (i, attachment) in attachments.iter_mut().enumerate() {
        attachment.id = i as i64 + 1;
        for action in &mut attachment.actions {
            if action.id.is_empty() {
                action.id = crate::ids::new_id();
            }
            action.cookie.clear();
        }
    }
}

/// Put `attachments` into `props` and give a post without a type `slack_attachment`,
/// or remove them when empty. A type the post has (a plugin's `custom_*`) stays, as in
/// Mattermost's `ParseSlackAttachment`: the plugin's webapp draws it, other clients the
/// attachments.
pub fn store_in(props: &mut Map<String, Value>, kind: &mut String, attachments: Vec<Attachment>) {
    if attachments.is_empty() {
        props.remove(ATTACHMENTS_PROP);
        return;
    }
    props.insert(ATTACHMENTS_PROP.into(), serde_json::to_value(attachments).expect("attachments serialize"));
    if kind.is_empty() {
        *kind = POST_TYPE_SLACK_ATTACHMENT.to_string();
    }
}

/// `props` as clients may see them: every action's `integration` (URL and context)
/// removed. Clients click by post and action id; the server finds the integration in
/// the stored post (or, for ephemeral posts, in the sealed `cookie`), so a client can
/// neither read an integration's context nor point a click somewhere else.
pub fn serialize_client_props<S: serde::Serializer>(props: &Map<String, Value>, serializer: S) -> Result<S::Ok, S::Error> {
    let has_integration = props.get(ATTACHMENTS_PROP).and_then(Value::as_array).is_some_and(|list| {
        list.iter().any(|a| a.get("actions").and_then(Value::as_array).is_some_and(|acts| acts.iter().any(|x| x.get("integration").is_some())))
    });
    if !has_integration {
        return props.serialize(serializer);
    }
    let mut copy = props.clone();
    if let Some(Value::Array(list)) = copy.get_mut(ATTACHMENTS_PROP) {
        for attachment in list {
            if let Some(Value::Array(actions)) = attachment.get_mut("actions") {
                for action in actions {
                    if let Some(action) = action.as_object_mut() {
                        action.remove("integration");
                    }
                }
            }
        }
    }
    copy.serialize(serializer)
}

/// The action `action_id` in `props`, if the post has it.
pub fn find_action(props: &Map<String, Value>, action_id: &str) -> Option<Action> {
    from_props(props).ok()?.into_iter().flat_map(|a| a.actions).find(|action| action.id == action_id)
}

/// User ids mentioned as `<@ID>` or `<@ID|label>` in `text`, for a caller to look up
/// before [`slack_to_markdown`].
pub fn slack_user_refs(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for token in slack_tokens(text) {
        if let Some(rest) = token.inner.strip_prefix('@') {
            let id = rest.split('|').next().unwrap_or_default();
            if !id.is_empty() && !ids.iter().any(|known| known == id) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// Slack's markup as Markdown: `<!channel>`, `<!here>`, `<!all>`, `<!everyone>` become
/// `@channel`, `@here`, `@all`, `@channel`; `<@ID>` becomes `@username` when `usernames`
/// knows the id; `<#ID|name>` becomes `~name`; `<url|label>` becomes `[label](url)` and
/// `<url>` the bare URL. Anything else in angle brackets is left alone.
pub fn slack_to_markdown(text: &str, usernames: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    for token in slack_tokens(text) {
        let (before, after) = rest.split_at(token.start - (text.len() - rest.len()));
        out.push_str(before);
        let replaced = convert_token(token.inner, usernames);
        out.push_str(replaced.as_deref().unwrap_or(&after[..token.len]));
        rest = &after[token.len..];
    }
    out.push_str(rest);
    out
}

/// Whether dropping or keeping `text` in a conversion cannot change the Markdown around
/// the token: the mention and channel forms drop their `|label` (or keep a name), so a
/// label holding `]` or `(` could otherwise close a link the text opened outside the
/// token (`[a<#C1|]>](javascript:x)`); such tokens are left as they were.
fn inert(text: &str) -> bool {
    !text.contains(['[', ']', '(', ')', '\\', '`', '<', '>', '!'])
}

fn convert_token(inner: &str, usernames: &HashMap<String, String>) -> Option<String> {
    if !inner.starts_with(['!', '@', '#']) {
        return convert_link(inner);
    }
    if !inert(&inner[1..]) {
        return None;
    }
    if let Some(special) = inner.strip_prefix('!') {
        let name = special.split('|').next().unwrap_or_default();
        return match name {
            "channel" | "everyone" => Some("@channel".into()),
            "here" => Some("@here".into()),
            "all" => Some("@all".into()),
            _ => None,
        };
    }
    if let Some(user) = inner.strip_prefix('@') {
        let id = user.split('|').next().unwrap_or_default();
        return usernames.get(id).map(|name| format!("@{name}"));
    }
    let channel = inner.strip_prefix('#')?;
    channel.split_once('|').filter(|(id, _)| id.bytes().all(|b| b.is_ascii_alphanumeric())).map(|(_, name)| format!("~{name}"))
}

/// `<url|label>` and `<url>`: only http(s) and mailto become links.
fn convert_link(inner: &str) -> Option<String> {
    let (url, label) = match inner.split_once('|') {
        Some((url, label)) => (url, Some(label)),
        None => (inner, None),
    };
    if !(url.starts_with("http://") || url.starts_with("https://") || url.starts_with("mailto:")) {
        return None;
    }
    let url = encode_link_url(url);
    Some(match label {
        Some(label) if !label.is_empty() => format!("[{}]({url})", escape_link_label(label)),
        _ => url,
    })
}

/// A link label as Markdown text: the characters that could end the label or open a
/// link, image, autolink or code span of their own are backslash-escaped, so a label
/// like `x](javascript:alert(1))[y` stays the text of the one link it belongs to.
fn escape_link_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if matches!(c, '\\' | '[' | ']' | '(' | ')' | '<' | '>' | '`' | '!') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A link's URL with the characters that would end a Markdown link destination, or
/// start new Markdown after it, percent-encoded: `<http://ok)[x](javascript:y)|z>`
/// must stay one link to `http://ok…`, never become a second link with a scheme of
/// the sender's choosing. (The scheme itself was checked: http, https or mailto.)
fn encode_link_url(url: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if matches!(c, '(' | ')' | '[' | ']' | '<' | '>' | '`' | '"' | '\'' | '\\') || c.is_whitespace() || c.is_control() {
            for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Apply [`slack_to_markdown`] to the parts of attachments Mattermost converts:
/// pretext, text, title and field values.
pub fn convert_attachments(attachments: &mut [Attachment], usernames: &HashMap<String, String>) {
    for a in attachments {
        a.pretext = slack_to_markdown(&a.pretext, usernames);
        a.text = slack_to_markdown(&a.text, usernames);
        a.title = slack_to_markdown(&a.title, usernames);
        for field in &mut a.fields {
            field.value = slack_to_markdown(&field.value, usernames);
        }
    }
}

/// Every text in `attachments` that [`convert_attachments`] converts, for collecting
/// user references.
pub fn convertible_texts(attachments: &[Attachment]) -> impl Iterator<Item = &str> {
    attachments.iter().flat_map(|a| [a.pretext.as_str(), a.text.as_str(), a.title.as_str()].into_iter().chain(a.fields.iter().map(|f| f.value.as_str())))
}

/// A `<...>` span: where it starts in the text, its length with the brackets, and
/// what is inside.
struct SlackToken<'a> {
    start: usize,
    len: usize,
    inner: &'a str,
}

fn slack_tokens(text: &str) -> Vec<SlackToken<'_>> {
    let mut tokens = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('<').map(|i| from + i) {
        let Some(close) = text[open + 1..].find(['>', '<', '\n']).map(|i| open + 1 + i) else { break };
        if text.as_bytes()[close] != b'>' {
            from = close;
            continue;
        }
        let inner = &text[open + 1..close];
        if !inner.is_empty() && !inner.contains(' ') || inner.contains('|') {
            tokens.push(SlackToken { start: open, len: close + 1 - open, inner });
        }
        from = close + 1;
    }
    tokens
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn slack_input_is_normalised() {
        let attachments = parse(json!([{
            "fallback": "f", "color": "#FF0000", "ts": 123,
            "fields": [{"title": "n", "value": 5, "short": "true"}, {"title": "s", "value": "x", "short": false}],
        }]))
        .unwrap();
        assert_eq!(attachments[0].fields[0].value, "5");
        assert!(attachments[0].fields[0].short);
        assert!(!attachments[0].fields[1].short);
        assert_eq!(attachments[0].ts, json!(123));
        assert!(parse(json!([{"fields": [{"value": [1]}]}])).is_err());
        assert!(parse(json!({"not": "a list"})).is_err());
    }

    #[test]
    fn validation_follows_mattermost() {
        let ok = |v: Value| validate(&parse(v).unwrap());
        assert!(ok(json!([{"color": "good", "title": "t", "title_link": "https://x.test/"}])).is_ok());
        assert!(ok(json!([{"color": "purple"}])).is_err());
        assert!(ok(json!([{"title_link": "https://x.test/"}])).is_err(), "a link needs a title");
        assert!(ok(json!([{"author_name": "a", "author_link": "javascript:alert(1)"}])).is_err());
        let action = |a: Value| ok(json!([{"actions": [a]}]));
        assert!(action(json!({"name": "Go", "integration": {"url": "https://x.test/act"}})).is_ok());
        assert!(action(json!({"name": "Go", "integration": {"url": "/plugins/com.x.poll/vote"}})).is_ok());
        assert!(action(json!({"name": "Go"})).is_err(), "an integration is required");
        assert!(action(json!({"name": "", "integration": {"url": "https://x.test/"}})).is_err());
        assert!(action(json!({"name": "Go", "type": "slider", "integration": {"url": "https://x.test/"}})).is_err());
        assert!(action(json!({"name": "Go", "id": "a-b", "integration": {"url": "https://x.test/"}})).is_err());
        assert!(action(json!({"name": "Pick", "type": "select", "options": [{"text": "A", "value": ""}], "integration": {"url": "https://x.test/"}})).is_err());
        assert!(action(json!({"name": "Pick", "type": "select", "data_source": "users", "integration": {"url": "https://x.test/"}})).is_ok());
    }

    #[test]
    fn ids_are_assigned_and_cookies_dropped() {
        let mut attachments = parse(json!([{"actions": [{"name": "A", "cookie": "forged"}, {"id": "keep", "name": "B"}]}, {}])).unwrap();
        assign_ids(&mut attachments);
        assert_eq!(attachments[0].id, 1);
        assert_eq!(attachments[1].id, 2);
        assert_eq!(attachments[0].actions[0].id.len(), 26);
        assert_eq!(attachments[0].actions[0].cookie, "");
        assert_eq!(attachments[0].actions[1].id, "keep");
    }

    #[test]
    fn markup_converts_like_slack() {
        let names = HashMap::from([("u1".to_string(), "alice".to_string())]);
        let convert = |t: &str| slack_to_markdown(t, &names);
        assert_eq!(convert("<!channel> and <!here> and <!all>"), "@channel and @here and @all");
        assert_eq!(convert("hi <@u1>, <@u1|Alice> and <@nobody>"), "hi @alice, @alice and <@nobody>");
        assert_eq!(convert("see <https://x.test/a?b=1|the docs> or <https://x.test/>"), "see [the docs](https://x.test/a?b=1) or https://x.test/");
        assert_eq!(convert("in <#C1|general>"), "in ~general");
        // A dropped label or an odd channel id cannot close a link opened outside the token.
        for smuggled in ["[a<#c]|b>](javascript:x)", "[a<!here|]>](javascript:x)", "[a<@U1|]>](javascript:x)", "[a<#c|]>](javascript:x)"] {
            assert_eq!(convert(smuggled), smuggled, "left as it was");
        }
        assert_eq!(convert("a < b > c and <not a link> and <b>"), "a < b > c and <not a link> and <b>");
        assert_eq!(convert("unclosed <https://x.test"), "unclosed <https://x.test");
        assert_eq!(convert("é <!here> ü"), "é @here ü");
        assert_eq!(slack_user_refs("<@u1> <@u2|x> <@u1> <!channel>"), ["u1", "u2"]);
    }

    #[test]
    fn a_label_or_url_cannot_smuggle_a_second_link() {
        let convert = |t: &str| slack_to_markdown(t, &HashMap::new());
        // The probe's payload: the label closes the link early and opens another.
        assert_eq!(convert("<http://ok|x](javascript:alert(1))[y>"), r"[x\]\(javascript:alert\(1\)\)\[y](http://ok)");
        assert_eq!(convert("<https://ok|![img](data:x)>"), r"[\!\[img\]\(data:x\)](https://ok)");
        assert_eq!(convert("<https://ok|a `code` \\ b>"), r"[a \`code\` \\ b](https://ok)");
        // The URL part cannot end the destination and start new Markdown either.
        assert_eq!(convert("<http://ok)[z](javascript:alert(1)|label>"), "[label](http://ok%29%5Bz%5D%28javascript:alert%281%29)");
        assert_eq!(convert("<http://ok[x](javascript:alert(1))>"), "http://ok%5Bx%5D%28javascript:alert%281%29%29");
        assert_eq!(convert("<http://ok/a b|label>"), "[label](http://ok/a%20b)");
        // Other schemes never become links.
        for other in ["<javascript:alert(1)|x>", "<data:text/html,hi|x>", "<JavaScript:alert(1)>", "<vbscript:x|y>"] {
            assert_eq!(convert(other), other, "left as written");
        }
        // Ordinary links are unchanged.
        assert_eq!(convert("<https://x.test/a?b=1&c=d#e|the docs>"), "[the docs](https://x.test/a?b=1&c=d#e)");
        assert_eq!(convert("<mailto:a@x.test|mail me>"), "[mail me](mailto:a@x.test)");
    }

    #[test]
    fn clients_never_see_integrations() {
        #[derive(Serialize)]
        struct Wrapper<'a>(#[serde(serialize_with = "serialize_client_props")] &'a Map<String, Value>);
        let props = json!({ "attachments": [{ "actions": [{ "id": "a1", "name": "Go", "integration": { "url": "https://x.test/", "context": { "secret": 1 } } }] }], "other": 1 });
        let props = props.as_object().unwrap();
        let shown = serde_json::to_value(Wrapper(props)).unwrap();
        assert_eq!(shown["attachments"][0]["actions"][0], json!({ "id": "a1", "name": "Go" }));
        assert_eq!(shown["other"], 1);
        assert_eq!(find_action(props, "a1").unwrap().integration.unwrap().context["secret"], 1, "the server still finds it");
        assert!(find_action(props, "nope").is_none());
    }

    #[test]
    fn stored_as_mattermost_does() {
        let mut props = Map::new();
        let mut kind = String::new();
        store_in(&mut props, &mut kind, parse(json!([{"text": "t"}])).unwrap());
        assert_eq!(kind, POST_TYPE_SLACK_ATTACHMENT);
        assert_eq!(props["attachments"][0]["text"], "t");
        assert!(props["attachments"][0].get("actions").is_none());
        assert_eq!(from_props(&props).unwrap().len(), 1);
        let mut custom = "custom_poll".to_string();
        store_in(&mut props, &mut custom, parse(json!([{"text": "t"}])).unwrap());
        assert_eq!(custom, "custom_poll", "a plugin's own type stays");
    }
}
