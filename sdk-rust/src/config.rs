//! This plugin's settings (`config` interface; always allowed).
//!
//! Settings are the admin's values for the manifest's `settings_schema` keys, with
//! defaults filled in. Read them in `Plugin::configuration_changed`, which runs on
//! every instance whenever they change and before a new instance's first hook, and
//! cache what you need in the plugin value.

use serde::de::DeserializeOwned;

use crate::Result;
use crate::bindings::confab::plugin::config as wit;

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
