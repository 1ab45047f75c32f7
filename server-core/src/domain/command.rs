//! Slash commands with Mattermost's JSON shapes: the custom `Command`, the `CommandResponse` an integration answers with, autocomplete suggestions, and the validation rules.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Invalid;
use crate::domain::error_ids;
use crate::ids::is_valid_id;

/// Longest trigger (Mattermost's `MaxTriggerLength`).
pub const MAX_TRIGGER_LEN: usize = 128;
/// Longest command URL.
pub const MAX_URL_LEN: usize = 1024;
/// Longest display name.
pub const MAX_DISPLAY_NAME_LEN: usize = 64;
/// Longest description.
pub const MAX_DESCRIPTION_LEN: usize = 128;
/// `method` for POST (form body).
pub const METHOD_POST: &str = "P";
/// `method` for GET (query string).
pub const METHOD_GET: &str = "G";
/// `response_type` for a real post everyone in the channel sees.
pub const IN_CHANNEL: &str = "in_channel";
/// `response_type` for a post only the caller sees, never stored.
pub const EPHEMERAL: &str = "ephemeral";

/// A custom slash command (Mattermost `model.Command`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Command {
    pub id: String,
    pub token: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub creator_id: String,
    pub team_id: String,
    pub trigger: String,
    pub method: String,
    pub username: String,
    pub icon_url: String,
    pub auto_complete: bool,
    pub auto_complete_desc: String,
    pub auto_complete_hint: String,
    pub display_name: String,
    pub description: String,
    pub url: String,
    pub plugin_id: String,
    /// Mattermost `AutocompleteData` (Go field names: `Trigger`, `Hint`, `HelpText`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autocomplete_data: Option<Value>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub autocomplete_icon_data: String,
}

impl Command {
    /// What someone who may not manage the command sees (Mattermost's `Sanitize`):
    /// no token, creator, method, URL, username or icon.
    pub fn sanitized(mut self) -> Command {
        self.token.clear();
        self.creator_id.clear();
        self.method.clear();
        self.url.clear();
        self.username.clear();
        self.icon_url.clear();
        self
    }
}

/// Normalize and check a command before it is stored (Mattermost's `PreSave` +
/// `IsValid`): the trigger lower-cased, the URL trimmed, an empty method meaning POST.
pub fn normalize_and_validate(command: &mut Command) -> Result<(), Invalid> {
    command.trigger = command.trigger.trim().to_lowercase();
    command.url = command.url.trim().to_string();
    if command.method.is_empty() {
        command.method = METHOD_POST.into();
    }
    command.method = command.method.to_uppercase();
    if !is_valid_id(&command.team_id) {
        return Err(Invalid::new(error_ids::commands::IS_VALID_TEAM_ID, "Invalid team ID."));
    }
    validate_trigger(&command.trigger)?;
    if command.url.is_empty() || command.url.len() > MAX_URL_LEN {
        return Err(Invalid::new(error_ids::commands::IS_VALID_URL, "Invalid URL."));
    }
    if !is_http_url(&command.url) {
        return Err(Invalid::new(error_ids::commands::IS_VALID_URL_HTTP, "Invalid URL. Must be a valid URL and start with http:// or https://."));
    }
    if command.method != METHOD_POST && command.method != METHOD_GET {
        return Err(Invalid::new(error_ids::commands::IS_VALID_METHOD, "Invalid Method."));
    }
    if command.display_name.chars().count() > MAX_DISPLAY_NAME_LEN {
        return Err(Invalid::new(error_ids::commands::IS_VALID_DISPLAY_NAME, "Invalid title."));
    }
    if command.description.chars().count() > MAX_DESCRIPTION_LEN {
        return Err(Invalid::new(error_ids::commands::IS_VALID_DESCRIPTION, "Invalid description."));
    }
    if command.autocomplete_data.as_ref().is_some_and(|d| !d.is_object() && !d.is_null()) {
        return Err(Invalid::new(error_ids::commands::IS_VALID_AUTOCOMPLETE_DATA, "Invalid AutocompleteData."));
    }
    Ok(())
}

/// Mattermost's trigger rule: 1–128 characters, no leading `/`, no spaces.
pub fn validate_trigger(trigger: &str) -> Result<(), Invalid> {
    if trigger.is_empty() || trigger.chars().count() > MAX_TRIGGER_LEN || trigger.starts_with('/') || trigger.contains(char::is_whitespace) {
        return Err(Invalid::new(error_ids::commands::IS_VALID_TRIGGER, "Invalid trigger."));
    }
    Ok(())
}

/// An absolute `http://` or `https://` URL with a host.
pub fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    rest.is_some_and(|r| r.split(['/', '?', '#']).next().is_some_and(|host| !host.is_empty()) && !r.contains(char::is_whitespace))
}

/// What an integration answers (Mattermost `model.CommandResponse`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommandResponse {
    pub response_type: String,
    pub text: String,
    pub username: String,
    pub channel_id: String,
    pub icon_url: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub props: Option<Map<String, Value>>,
    pub goto_location: String,
    pub trigger_id: String,
    pub skip_slack_parsing: bool,
    pub attachments: Option<Vec<Value>>,
    pub extra_responses: Option<Vec<CommandResponse>>,
}

impl CommandResponse {
    /// An ephemeral answer with `text`.
    pub fn ephemeral(text: impl Into<String>) -> CommandResponse {
        CommandResponse { response_type: EPHEMERAL.into(), text: text.into(), ..CommandResponse::default() }
    }

    /// An in-channel answer with `text`.
    pub fn in_channel(text: impl Into<String>) -> CommandResponse {
        CommandResponse { response_type: IN_CHANNEL.into(), text: text.into(), ..CommandResponse::default() }
    }

    /// Parse an HTTP body the way Mattermost does (`CommandResponseFromHTTPBody`):
    /// `application/json` is a response object, anything else is the text.
    pub fn from_http_body(content_type: &str, body: &[u8]) -> Result<CommandResponse, serde_json::Error> {
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        if media_type.eq_ignore_ascii_case("application/json") {
            serde_json::from_slice(body)
        } else {
            Ok(CommandResponse { text: String::from_utf8_lossy(body).into_owned(), ..CommandResponse::default() })
        }
    }
}

/// One autocomplete suggestion (Mattermost `AutocompleteSuggestion`, whose JSON keys
/// are its Go field names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AutocompleteSuggestion {
    /// The whole input once this suggestion is taken, without the leading `/`.
    pub complete: String,
    /// What is shown as the suggestion.
    pub suggestion: String,
    pub hint: String,
    pub description: String,
    pub icon_data: String,
}

/// A user status (Mattermost `model.Status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Status {
    pub user_id: String,
    pub status: String,
    pub manual: bool,
    pub last_activity_at: i64,
}

/// The statuses a person may set.
pub const STATUSES: [&str; 4] = ["online", "away", "offline", "dnd"];

#[cfg(test)]
mod tests {
    use super::*;

    fn command() -> Command {
        Command { team_id: crate::ids::new_id(), trigger: "Weather".into(), url: " https://example.com/w ".into(), ..Command::default() }
    }

    #[test]
    fn normalizing_lowercases_trims_and_defaults_to_post() {
        let mut c = command();
        normalize_and_validate(&mut c).unwrap();
        assert_eq!((c.trigger.as_str(), c.url.as_str(), c.method.as_str()), ("weather", "https://example.com/w", "P"));
    }

    #[test]
    fn bad_commands_get_mattermost_ids() {
        type Change = fn(&mut Command);
        let cases: [(Change, &str); 7] = [
            (|c| c.trigger = "/w".into(), "model.command.is_valid.trigger.app_error"),
            (|c| c.trigger = "a b".into(), "model.command.is_valid.trigger.app_error"),
            (|c| c.trigger = "x".repeat(129), "model.command.is_valid.trigger.app_error"),
            (|c| c.url = "ftp://x".into(), "model.command.is_valid.url_http.app_error"),
            (|c| c.url = String::new(), "model.command.is_valid.url.app_error"),
            (|c| c.method = "X".into(), "model.command.is_valid.method.app_error"),
            (|c| c.team_id = "nope".into(), "model.command.is_valid.team_id.app_error"),
        ];
        for (change, id) in cases {
            let mut c = command();
            change(&mut c);
            assert_eq!(normalize_and_validate(&mut c).unwrap_err().id, id);
        }
    }

    #[test]
    fn sanitizing_blanks_the_secrets() {
        let c = Command { token: "t".into(), creator_id: "u".into(), url: "https://x".into(), method: "P".into(), trigger: "w".into(), ..Command::default() };
        let s = c.sanitized();
        assert_eq!((s.token.as_str(), s.creator_id.as_str(), s.url.as_str(), s.method.as_str(), s.trigger.as_str()), ("", "", "", "", "w"));
    }

    #[test]
    fn bodies_parse_as_json_only_when_they_say_so() {
        let json = CommandResponse::from_http_body("application/json; charset=utf-8", br#"{"text":"hi","response_type":"in_channel"}"#).unwrap();
        assert_eq!((json.text.as_str(), json.response_type.as_str()), ("hi", "in_channel"));
        let text = CommandResponse::from_http_body("text/plain", br#"{"text":"hi"}"#).unwrap();
        assert_eq!(text.text, r#"{"text":"hi"}"#);
        assert!(CommandResponse::from_http_body("application/json", b"nope").is_err());
    }

    #[test]
    fn suggestions_use_go_field_names() {
        let s = serde_json::to_value(AutocompleteSuggestion { complete: "echo".into(), ..AutocompleteSuggestion::default() }).unwrap();
        assert_eq!(s["Complete"], "echo");
        assert!(s.get("IconData").is_some());
    }
}
