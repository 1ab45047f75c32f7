//! Interactive dialogs: Mattermost's `OpenDialogRequest`, `Dialog` and `DialogElement` shapes and the rules `IsValid` applies, the submission an integration receives, what of its answer the client gets back, and the record of a dialog the server opened.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Invalid;
use crate::domain::error_ids;

/// `POST /api/v4/actions/dialogs/open` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenDialogRequest {
    pub trigger_id: String,
    /// Where the submission goes: an http(s) URL or `/plugins/<id>/...`.
    pub url: String,
    pub dialog: Dialog,
}

/// What the client shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dialog {
    pub callback_id: String,
    pub title: String,
    pub introduction_text: String,
    pub icon_url: String,
    pub elements: Vec<DialogElement>,
    pub submit_label: String,
    pub notify_on_cancel: bool,
    pub state: String,
}

/// One input of a dialog. Fields we do not check (`multiselect`, dates, `refresh`,
/// ...) are kept in `extra` and reach the client as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DialogElement {
    pub display_name: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub subtype: String,
    pub default: String,
    pub placeholder: String,
    pub help_text: String,
    pub optional: bool,
    pub min_length: i64,
    pub max_length: i64,
    pub data_source: String,
    pub options: Vec<DialogOption>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A choice of a `select` or `radio` element.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DialogOption {
    pub text: String,
    pub value: String,
}

/// `POST /api/v4/actions/dialogs/submit` body, and what the integration receives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubmitDialogRequest {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub callback_id: String,
    pub state: String,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub submission: Map<String, Value>,
    pub cancelled: bool,
}

/// What Mattermost's `SubmitInteractiveDialog` hands back to the client of an
/// integration's answer (`SubmitDialogResponse`): a general error and field errors,
/// nothing else, so a submission cannot be used to read what a URL answers. An empty,
/// non-JSON or differently shaped answer is `{}`, as in Mattermost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubmitDialogResponse {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error: String,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub errors: std::collections::BTreeMap<String, String>,
}

impl SubmitDialogResponse {
    /// Read an integration's answer the way Mattermost's (Go's) decoder does: a
    /// string `error`, the string entries of an `errors` object; anything else is
    /// dropped, and an answer that is not a JSON object is empty.
    pub fn from_answer(body: &[u8]) -> SubmitDialogResponse {
        let Ok(Value::Object(answer)) = serde_json::from_slice::<Value>(body) else { return SubmitDialogResponse::default() };
        let error = answer.get("error").and_then(Value::as_str).unwrap_or_default().to_string();
        let errors = match answer.get("errors") {
            Some(Value::Object(fields)) => fields.iter().filter_map(|(name, why)| Some((name.clone(), why.as_str()?.to_string()))).collect(),
            _ => Default::default(),
        };
        SubmitDialogResponse { error, errors }
    }

    /// Whether the integration accepted the submission (the client closes the dialog);
    /// otherwise it stays open and may be submitted again.
    pub fn accepted(&self) -> bool {
        self.error.is_empty() && self.errors.is_empty()
    }
}

/// A dialog the server opened for a user; submissions must name its url and
/// callback id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenDialog {
    pub id: String,
    /// Whom it was opened for (the trigger id's user).
    pub user_id: String,
    pub url: String,
    pub callback_id: String,
    /// The integration's `state`, returned to it as it was set.
    pub state: String,
    pub create_at: i64,
    pub expire_at: i64,
}

/// Longest title, and element display name (runes).
pub const MAX_TITLE: usize = 24;
/// Longest element name.
pub const MAX_ELEMENT_NAME: usize = 300;
/// Longest help text.
pub const MAX_HELP_TEXT: usize = 150;
/// Longest `text` input.
pub const MAX_TEXT_LEN: i64 = 150;
/// Longest `textarea` input.
pub const MAX_TEXTAREA_LEN: i64 = 3000;

fn runes(text: &str) -> usize {
    text.chars().count()
}

impl OpenDialogRequest {
    /// Mattermost's `OpenDialogRequest.IsValid` (minus the trigger id, checked by the
    /// service against its signature and age).
    pub fn validate(&self) -> Result<(), Invalid> {
        let bad = |what: String| Invalid::new(error_ids::actions::DIALOG_OPEN_INVALID, what);
        if self.url.is_empty() {
            return Err(bad("The dialog needs a url.".into()));
        }
        let dialog = &self.dialog;
        if dialog.title.is_empty() || runes(&dialog.title) > MAX_TITLE {
            return Err(bad(format!("The dialog title must be 1 to {MAX_TITLE} characters.")));
        }
        let mut names = std::collections::HashSet::new();
        for element in &dialog.elements {
            let name = &element.name;
            if element.display_name.is_empty() || runes(&element.display_name) > MAX_TITLE {
                return Err(bad(format!("Element {name:?}: display_name must be 1 to {MAX_TITLE} characters.")));
            }
            if name.is_empty() || runes(name) > MAX_ELEMENT_NAME {
                return Err(bad(format!("Element names must be 1 to {MAX_ELEMENT_NAME} characters.")));
            }
            if !names.insert(name.as_str()) {
                return Err(bad(format!("Element name {name:?} is used twice.")));
            }
            if runes(&element.help_text) > MAX_HELP_TEXT {
                return Err(bad(format!("Element {name:?}: help_text is longer than {MAX_HELP_TEXT} characters.")));
            }
            element.validate_kind().map_err(|what| bad(format!("Element {name:?}: {what}.")))?;
        }
        Ok(())
    }
}

impl DialogElement {
    fn validate_kind(&self) -> Result<(), String> {
        match self.kind.as_str() {
            "text" => {
                if !matches!(self.subtype.as_str(), "" | "text" | "email" | "number" | "password" | "tel" | "url") {
                    return Err(format!("unknown text subtype {:?}", self.subtype));
                }
                self.validate_lengths(MAX_TEXT_LEN)
            }
            "textarea" => self.validate_lengths(MAX_TEXTAREA_LEN),
            "select" => {
                if !matches!(self.data_source.as_str(), "" | "users" | "channels" | "dynamic") {
                    return Err(format!("unknown data_source {:?}", self.data_source));
                }
                self.validate_options()
            }
            "radio" => {
                if self.options.is_empty() {
                    return Err("a radio element needs options".into());
                }
                self.validate_options()
            }
            "bool" | "date" | "datetime" => Ok(()),
            other => Err(format!("unknown type {other:?}")),
        }
    }

    fn validate_lengths(&self, limit: i64) -> Result<(), String> {
        let max = if self.max_length == 0 { limit } else { self.max_length };
        if !(0..=limit).contains(&max) || self.min_length < 0 || self.min_length > max {
            return Err(format!("min_length and max_length must satisfy 0 <= min <= max <= {limit}"));
        }
        Ok(())
    }

    fn validate_options(&self) -> Result<(), String> {
        if self.options.iter().any(|o| o.text.is_empty() || o.value.is_empty()) { Err("every option needs a text and a value".into()) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(elements: Value) -> OpenDialogRequest {
        serde_json::from_value(json!({ "trigger_id": "t", "url": "https://x.test/", "dialog": { "title": "Feedback", "elements": elements } })).unwrap()
    }

    #[test]
    fn mattermost_rules() {
        assert!(request(json!([{ "display_name": "Name", "name": "name", "type": "text", "multiselect": true }])).validate().is_ok());
        assert!(request(json!([{ "display_name": "Why", "name": "why", "type": "textarea", "max_length": 3000 }])).validate().is_ok());
        assert!(request(json!([{ "display_name": "Why", "name": "why", "type": "textarea", "max_length": 3001 }])).validate().is_err());
        assert!(request(json!([{ "display_name": "N", "name": "n", "type": "text", "subtype": "color" }])).validate().is_err());
        assert!(request(json!([{ "display_name": "N", "name": "n", "type": "radio" }])).validate().is_err());
        assert!(request(json!([{ "display_name": "N", "name": "n", "type": "slider" }])).validate().is_err());
        assert!(
            request(json!([{ "display_name": "A", "name": "n", "type": "bool" }, { "display_name": "B", "name": "n", "type": "bool" }])).validate().is_err()
        );
        let mut long_title = request(json!([]));
        long_title.dialog.title = "x".repeat(25);
        assert!(long_title.validate().is_err());
        let mut no_url = request(json!([]));
        no_url.url.clear();
        assert!(no_url.validate().is_err());
    }

    #[test]
    fn only_error_and_errors_come_back() {
        let answer = br#"{"error": "nope", "errors": {"name": "short"}, "internal": {"password": "hunter2"}}"#;
        let response = SubmitDialogResponse::from_answer(answer);
        assert_eq!(serde_json::to_value(&response).unwrap(), json!({ "error": "nope", "errors": { "name": "short" } }));
        assert!(!response.accepted());
        for unknown in [&b""[..], b"not json", b"[1, 2]", br#"{"errors": {"n": 1}, "error": 2}"#, br#"{"status": "fine", "rows": [1]}"#] {
            let response = SubmitDialogResponse::from_answer(unknown);
            assert_eq!(serde_json::to_value(&response).unwrap(), json!({}), "{}", String::from_utf8_lossy(unknown));
            assert!(response.accepted());
        }
    }

    #[test]
    fn unknown_element_fields_pass_through() {
        let req =
            request(json!([{ "display_name": "Name", "name": "name", "type": "select", "multiselect": true, "options": [{ "text": "A", "value": "a" }] }]));
        let back = serde_json::to_value(&req).unwrap();
        assert_eq!(back["dialog"]["elements"][0]["multiselect"], true);
    }
}
