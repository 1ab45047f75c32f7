//! This plugin's settings and what it may know about the server (`config` interface;
//! always allowed, except [`save_settings`], which needs `config:write`).
//!
//! Settings are the admin's values for the manifest's `settings_schema` keys, with
//! defaults filled in. Read them in `Plugin::configuration_changed`, which runs on
//! every instance whenever they change and before a new instance's first hook, and
//! cache what you need in the plugin value.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::bindings::confab::plugin::config as wit;
use crate::error::wit as lift;

/// The settings as a JSON object text.
pub fn settings_json() -> String {
    wit::get_settings()
}

/// The settings deserialized into `T`, typically a `#[derive(Deserialize)]` struct
/// with `#[serde(default)]` so missing keys do not fail.
pub fn settings<T: DeserializeOwned>() -> Result<T> {
    let json = settings_json();
    // A host that has no settings for the plugin may answer with nothing at all.
    let json = if json.trim().is_empty() { "{}" } else { json.as_str() };
    Ok(serde_json::from_str(json)?)
}

/// The settings as a `serde_json::Value` (an object).
pub fn settings_value() -> Result<serde_json::Value> {
    settings()
}

/// Replaces this plugin's saved settings with `settings`, serialized as a JSON object
/// keyed by `settings_schema` keys (capability `config:write`). The server checks them
/// against the schema as it does an admin's save; then `configuration_changed` runs
/// on every instance, this one before its next hook.
pub fn save_settings<T: Serialize>(settings: &T) -> Result<()> {
    save_settings_json(&serde_json::to_string(settings)?)
}

/// [`save_settings`] with the JSON object as text.
pub fn save_settings_json(settings: &str) -> Result<()> {
    lift(wit::save_settings(settings))
}

/// The server's public URL without a trailing slash (Mattermost `SiteURL`), e.g.
/// `https://chat.example.com`; links the plugin posts should start with it.
pub fn site_url() -> String {
    wit::site_url()
}

/// The server's version (Mattermost `GetServerVersion`).
pub fn server_version() -> String {
    wit::server_version()
}

/// An id of this installation, the same on every node and across restarts
/// (Mattermost `GetDiagnosticId`).
pub fn diagnostic_id() -> Result<String> {
    lift(wit::diagnostic_id())
}
