//! A plugin's settings on their way to the store: the schema check, then the plugin's own `configuration-will-be-saved`, then the schema check again on what it put in their place.
//!
//! Both ways settings are saved go through here: an admin's `PUT
//! /api/v4/plugins/{id}/settings` and the plugin's own `config.save-settings`.

use confab_host::{Manifest, SettingsVerdict};
use serde_json::{Map, Value};

use super::plugins::Plugins;
use crate::plugins::admin::validate_settings;

impl Plugins<'_> {
    /// The settings to store for `manifest`'s plugin, or the message refusing them: a
    /// schema violation, or the plugin's own refusal. A running plugin exporting
    /// `admin-hooks` sees them first and may replace them.
    pub async fn settings_to_save(&self, manifest: &Manifest, settings: Map<String, Value>) -> Result<Map<String, Value>, String> {
        validate_settings(manifest, &settings)?;
        let Some(host) = self.host() else { return Ok(settings) };
        let text = serde_json::to_string(&settings).expect("a JSON map serializes");
        match host.configuration_will_be_saved(&manifest.id, &text).await {
            SettingsVerdict::Keep => Ok(settings),
            SettingsVerdict::Refuse(message) => Err(message),
            SettingsVerdict::Replace(replacement) => match serde_json::from_str(&replacement) {
                Ok(Value::Object(replaced)) => {
                    validate_settings(manifest, &replaced).map_err(|e| format!("the plugin's replacement settings are invalid: {e}"))?;
                    Ok(replaced)
                }
                _ => Err(format!("the plugin `{}` replaced its settings with something that is not a JSON object", manifest.id)),
            },
        }
    }
}
