//! A plugin's settings: read over the schema defaults, replaced after checking against the schema, and `generated` values filled in on first enable.

use confab_host::Manifest;
use serde_json::Value;

use super::{AdminError, PluginAdmin};
use crate::service::{Caller, now_ms};

impl PluginAdmin {
    /// Settings of a plugin (admins): the saved values over the schema's defaults.
    pub async fn settings(&self, caller: &Caller, id: &str) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        let (_, manifest) = self.installed(id).await?;
        let saved = self.services.store().get_plugin_settings(id).await?.unwrap_or_default();
        Ok(manifest.settings_with_defaults(&saved))
    }

    /// Replace a plugin's settings after checking them against its schema and the
    /// plugin's own `configuration-will-be-saved`, then tell every running instance
    /// (`configuration-changed`).
    pub async fn put_settings(&self, caller: &Caller, id: &str, values: serde_json::Map<String, Value>) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        let (_, manifest) = self.installed(id).await?;
        let values = self.services.plugins().settings_to_save(&manifest, values).await.map_err(AdminError::invalid_settings)?;
        self.services.store().put_plugin_settings(id, &values, now_ms()).await?;
        if self.host.status(id).is_some() {
            let _ = self.host.configuration_changed(id).await;
        }
        self.changed(id).await;
        Ok(manifest.settings_with_defaults(&values))
    }

    /// `generated` settings get a random value the first time the plugin is enabled.
    pub(super) async fn fill_generated_settings(&self, id: &str, manifest: &Manifest) -> Result<(), AdminError> {
        let Some(schema) = &manifest.settings_schema else { return Ok(()) };
        let mut saved = self.services.store().get_plugin_settings(id).await?.unwrap_or_default();
        let mut changed = false;
        for setting in schema.settings.iter().filter(|s| s.kind == "generated") {
            if saved.get(&setting.key).and_then(Value::as_str).is_none_or(str::is_empty) {
                saved.insert(setting.key.clone(), Value::String(crate::ids::new_id()));
                changed = true;
            }
        }
        if changed {
            self.services.store().put_plugin_settings(id, &saved, now_ms()).await?;
        }
        Ok(())
    }
}

/// Check settings values against the manifest's schema: known keys, the right JSON
/// type per setting type, radio and dropdown values among the options.
pub fn validate_settings(manifest: &Manifest, values: &serde_json::Map<String, Value>) -> Result<(), String> {
    let settings = manifest.settings_schema.as_ref().map(|s| s.settings.as_slice()).unwrap_or_default();
    for (key, value) in values {
        let Some(setting) = settings.iter().find(|s| s.key.eq_ignore_ascii_case(key)) else {
            return Err(format!("`{key}` is not a setting of plugin {}", manifest.id));
        };
        let ok = match setting.kind.as_str() {
            "bool" => value.is_boolean(),
            "number" => value.is_number(),
            "radio" | "dropdown" => value.as_str().is_some_and(|v| setting.options.iter().any(|o| o.value == v)),
            // text, longtext, username, generated; `custom` settings belong to the webapp and take any JSON.
            "custom" => true,
            _ => value.is_string(),
        };
        if !ok && !value.is_null() {
            let expected = match setting.kind.as_str() {
                "bool" => "true or false".to_string(),
                "number" => "a number".to_string(),
                "radio" | "dropdown" => format!("one of {:?}", setting.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>()),
                _ => "a string".to_string(),
            };
            return Err(format!("setting `{key}` ({}) must be {expected}", setting.kind));
        }
    }
    Ok(())
}
