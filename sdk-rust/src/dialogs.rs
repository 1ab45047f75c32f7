//! Interactive dialogs (`dialogs` interface; capability `dialogs`): a form shown to a user from a trigger id, its submission handed to this plugin's `serve-http`.
//!
//! A trigger id comes with something the user just did and lives 30 seconds: the
//! `trigger_id` of [`CommandArgs`](crate::CommandArgs) for a slash command, or the
//! `trigger_id` of an action button's request (see [`ActionRequest`]).
//!
//! ```ignore
//! use confab_plugin::dialogs::{self, Dialog, Element};
//!
//! let dialog = Dialog::new("snooze", "Snooze reminder")
//!     .element(Element::text("minutes", "Minutes").default_value("10"))
//!     .state("reminder-42");
//! dialogs::open(&args.trigger_id, "/dialog/snooze", &dialog)?;
//!
//! // later, in serve-http for POST /dialog/snooze:
//! let submission = dialogs::Submission::from_body(&request.body)?;
//! if submission.value("minutes").is_none() {
//!     return Ok(dialogs::errors(&[("minutes", "How long?")]));
//! }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::bindings::confab::plugin::dialogs as wit;
use crate::error::wit as lift;
use crate::{HttpResponse, Result};

/// Shows `dialog` to the user `trigger_id` was minted for. Submissions arrive as a
/// `POST` to `path` of this plugin's `serve-http` (`/submit`; `/plugins/<own id>/submit`
/// is accepted too), with `Mattermost-User-Id` set to the submitter.
pub fn open(trigger_id: &str, path: &str, dialog: &Dialog) -> Result<()> {
    let json = serde_json::to_string(dialog)?;
    lift(wit::open(trigger_id, path, &json))
}

/// Mattermost's `Dialog`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dialog {
    /// Handed back with the submission, to tell dialogs apart.
    pub callback_id: String,
    /// At most 24 characters.
    pub title: String,
    /// Markdown shown above the elements.
    pub introduction_text: String,
    pub icon_url: String,
    pub elements: Vec<Element>,
    pub submit_label: String,
    /// Whether cancelling sends a submission with `cancelled = true`.
    pub notify_on_cancel: bool,
    /// Opaque to the server and the client; handed back with the submission.
    pub state: String,
}

impl Dialog {
    /// A dialog without elements.
    pub fn new(callback_id: impl Into<String>, title: impl Into<String>) -> Self {
        Dialog { callback_id: callback_id.into(), title: title.into(), ..Dialog::default() }
    }

    /// Adds an element.
    pub fn element(mut self, element: Element) -> Self {
        self.elements.push(element);
        self
    }

    /// Sets the state handed back with the submission.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = state.into();
        self
    }
}

/// One input of a dialog (Mattermost's `DialogElement`). Fields this struct does not
/// name (`multiselect`, dates, ...) go in `extra` and reach the client as given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Element {
    pub display_name: String,
    pub name: String,
    /// `text`, `textarea`, `select`, `radio` or `bool`.
    #[serde(rename = "type")]
    pub kind: String,
    /// For `text`: `email`, `number`, `password`, `tel`, `url`.
    pub subtype: String,
    pub default: String,
    pub placeholder: String,
    pub help_text: String,
    pub optional: bool,
    pub min_length: i64,
    pub max_length: i64,
    /// For `select`: `users` or `channels` instead of `options`.
    pub data_source: String,
    pub options: Vec<DialogOption>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Element {
    /// A one-line text input.
    pub fn text(name: impl Into<String>, display_name: impl Into<String>) -> Self {
        Element { name: name.into(), display_name: display_name.into(), kind: "text".into(), ..Element::default() }
    }

    /// A select of `options` (text, value).
    pub fn select(name: impl Into<String>, display_name: impl Into<String>, options: &[(&str, &str)]) -> Self {
        let options = options.iter().map(|(text, value)| DialogOption { text: (*text).into(), value: (*value).into() }).collect();
        Element { name: name.into(), display_name: display_name.into(), kind: "select".into(), options, ..Element::default() }
    }

    /// Sets the pre-filled value.
    pub fn default_value(mut self, value: impl Into<String>) -> Self {
        self.default = value.into();
        self
    }

    /// Makes the element optional.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
}

/// A choice of a `select` or `radio` element.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DialogOption {
    pub text: String,
    pub value: String,
}

/// What `serve-http` receives when the user submits (Mattermost's
/// `SubmitDialogRequest`); `user_id` is the submitter as the server knows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Submission {
    #[serde(rename = "type")]
    pub kind: String,
    pub callback_id: String,
    pub state: String,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub submission: Map<String, Value>,
    pub cancelled: bool,
}

impl Submission {
    /// Reads a submission from a request body.
    pub fn from_body(body: &[u8]) -> Result<Self> {
        Ok(serde_json::from_slice(body)?)
    }

    /// The value of element `name`, when it is text.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.submission.get(name).and_then(Value::as_str)
    }
}

/// What `serve-http` receives for a click on an action button or select whose
/// integration URL is a route of this plugin (Mattermost's
/// `PostActionIntegrationRequest`); `trigger_id` opens a dialog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionRequest {
    pub user_id: String,
    pub user_name: String,
    pub channel_id: String,
    pub channel_name: String,
    pub team_id: String,
    pub team_domain: String,
    pub post_id: String,
    pub trigger_id: String,
    /// `button` or `select`.
    #[serde(rename = "type")]
    pub kind: String,
    pub data_source: String,
    /// The action's integration context; a select's choice is `selected_option`.
    pub context: Map<String, Value>,
}

impl ActionRequest {
    /// Reads a click from a request body.
    pub fn from_body(body: &[u8]) -> Result<Self> {
        Ok(serde_json::from_slice(body)?)
    }
}

/// The answer that keeps a dialog open with an error beside each named element.
pub fn errors(fields: &[(&str, &str)]) -> HttpResponse {
    let errors: Map<String, Value> = fields.iter().map(|(name, why)| ((*name).to_string(), Value::from(*why))).collect();
    HttpResponse::json(200, &serde_json::json!({ "errors": errors }))
}

/// The answer that keeps a dialog open with one general error.
pub fn error(message: &str) -> HttpResponse {
    HttpResponse::json(200, &serde_json::json!({ "error": message }))
}

/// The answer that closes the dialog.
pub fn accepted() -> HttpResponse {
    HttpResponse::json(200, &serde_json::json!({}))
}
