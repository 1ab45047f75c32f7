//! Size limits on every string and list of a manifest, checked before any other rule so a hostile bundle's megabyte `name` is refused cheaply and never echoed back in an error.
//!
//! Mattermost bounds only the id (3–190 characters); the rest are ours, generous for a
//! real plugin and small enough that a manifest stays a few hundred KiB at most.
//! Lengths are in characters (Unicode scalar values), like Mattermost's rune limits.

use super::{Manifest, ManifestError, PluginSetting, invalid};

/// Largest `plugin.json` read at all, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;
/// Display name.
pub const MAX_NAME_CHARS: usize = 128;
/// Description.
pub const MAX_DESCRIPTION_CHARS: usize = 2048;
/// `version` and `min_server_version`.
pub const MAX_VERSION_CHARS: usize = 64;
/// Each of `homepage_url`, `support_url`, `release_notes_url`.
pub const MAX_URL_CHARS: usize = 2048;
/// Each of `icon_path`, `server.wasm`, `webapp.bundle_path`.
pub const MAX_PATH_CHARS: usize = 1024;
/// `settings_schema.header` and `.footer`.
pub const MAX_SCHEMA_TEXT_CHARS: usize = 4096;
/// Entries of `settings_schema.settings`.
pub const MAX_SETTINGS: usize = 100;
/// A setting's `key`.
pub const MAX_SETTING_KEY_CHARS: usize = 128;
/// A setting's `display_name`, `placeholder` and each option's `display_name`.
pub const MAX_LABEL_CHARS: usize = 256;
/// A setting's `help_text` and `regenerate_help_text`.
pub const MAX_HELP_CHARS: usize = 4096;
/// Options of one `radio` or `dropdown` setting.
pub const MAX_OPTIONS: usize = 100;
/// An option's `value`.
pub const MAX_OPTION_VALUE_CHARS: usize = 1024;
/// A setting's `default`, as JSON text in bytes.
pub const MAX_DEFAULT_BYTES: usize = 4096;
/// Entries of `permissions`.
pub const MAX_PERMISSIONS: usize = 32;
/// One permission name.
pub const MAX_PERMISSION_CHARS: usize = 64;
/// `props`, as JSON text in bytes.
pub const MAX_PROPS_BYTES: usize = 64 * 1024;

/// `Err` naming `field` when `text` is longer than `max` characters. Counting stops
/// at `max + 1`, so a huge string costs no more than a short one.
fn at_most(field: &str, text: &str, max: usize) -> Result<(), ManifestError> {
    if text.len() > max && text.chars().nth(max).is_some() {
        return Err(invalid(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

fn at_most_items(field: &str, count: usize, max: usize) -> Result<(), ManifestError> {
    if count > max {
        return Err(invalid(field, format!("must have at most {max} entries, not {count}")));
    }
    Ok(())
}

fn json_at_most(field: &str, value: &serde_json::Value, max: usize) -> Result<(), ManifestError> {
    // The manifest text is bounded, so serializing a part of it is too.
    if serde_json::to_string(value).map(|text| text.len() > max).unwrap_or(true) {
        return Err(invalid(field, format!("must be at most {max} bytes of JSON")));
    }
    Ok(())
}

/// Check every bound of `manifest`; the first exceeded is reported.
pub(super) fn check(manifest: &Manifest) -> Result<(), ManifestError> {
    at_most("name", &manifest.name, MAX_NAME_CHARS)?;
    if manifest.name.chars().any(char::is_control) {
        return Err(invalid("name", "must not contain control characters"));
    }
    at_most("description", &manifest.description, MAX_DESCRIPTION_CHARS)?;
    at_most("version", &manifest.version, MAX_VERSION_CHARS)?;
    at_most("min_server_version", &manifest.min_server_version, MAX_VERSION_CHARS)?;
    at_most("homepage_url", &manifest.homepage_url, MAX_URL_CHARS)?;
    at_most("support_url", &manifest.support_url, MAX_URL_CHARS)?;
    at_most("release_notes_url", &manifest.release_notes_url, MAX_URL_CHARS)?;
    at_most("icon_path", &manifest.icon_path, MAX_PATH_CHARS)?;
    if let Some(server) = &manifest.server {
        at_most("server.wasm", &server.wasm, MAX_PATH_CHARS)?;
    }
    if let Some(webapp) = &manifest.webapp {
        at_most("webapp.bundle_path", &webapp.bundle_path, MAX_PATH_CHARS)?;
    }
    at_most_items("permissions", manifest.permissions.len(), MAX_PERMISSIONS)?;
    for (i, permission) in manifest.permissions.iter().enumerate() {
        at_most(&format!("permissions[{i}]"), permission, MAX_PERMISSION_CHARS)?;
    }
    if !manifest.props.is_empty() {
        let props = serde_json::to_value(&manifest.props).unwrap_or_default();
        json_at_most("props", &props, MAX_PROPS_BYTES)?;
    }
    if let Some(schema) = &manifest.settings_schema {
        at_most("settings_schema.header", &schema.header, MAX_SCHEMA_TEXT_CHARS)?;
        at_most("settings_schema.footer", &schema.footer, MAX_SCHEMA_TEXT_CHARS)?;
        at_most_items("settings_schema.settings", schema.settings.len(), MAX_SETTINGS)?;
        for (i, setting) in schema.settings.iter().enumerate() {
            check_setting(&format!("settings_schema.settings[{i}]"), setting)?;
        }
    }
    Ok(())
}

fn check_setting(at: &str, setting: &PluginSetting) -> Result<(), ManifestError> {
    let field = |name: &str| format!("{at}.{name}");
    at_most(&field("key"), &setting.key, MAX_SETTING_KEY_CHARS)?;
    at_most(&field("display_name"), &setting.display_name, MAX_LABEL_CHARS)?;
    // The type is one of a few words, but it is echoed in errors: bound it too.
    at_most(&field("type"), &setting.kind, MAX_SETTING_KEY_CHARS)?;
    at_most(&field("help_text"), &setting.help_text, MAX_HELP_CHARS)?;
    at_most(&field("regenerate_help_text"), &setting.regenerate_help_text, MAX_HELP_CHARS)?;
    at_most(&field("placeholder"), &setting.placeholder, MAX_LABEL_CHARS)?;
    if let Some(default) = &setting.default {
        json_at_most(&field("default"), default, MAX_DEFAULT_BYTES)?;
    }
    at_most_items(&field("options"), setting.options.len(), MAX_OPTIONS)?;
    for (j, option) in setting.options.iter().enumerate() {
        at_most(&format!("{at}.options[{j}].display_name"), &option.display_name, MAX_LABEL_CHARS)?;
        at_most(&format!("{at}.options[{j}].value"), &option.value, MAX_OPTION_VALUE_CHARS)?;
    }
    Ok(())
}
