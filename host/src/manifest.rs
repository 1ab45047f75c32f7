//! `plugin.json`: Mattermost's manifest fields plus ours (`server.wasm`, `permissions`, `limits`), validated by Mattermost's rules.

pub mod bounds;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::capabilities::{Capability, UnknownCapability};
use crate::limits::RequestedLimits;

/// The file name of a manifest inside a plugin directory.
pub const MANIFEST_FILE: &str = "plugin.json";

/// A plugin manifest as found in `plugin.json`. Unknown fields are kept out of the
/// way rather than rejected, so Mattermost manifests with extra fields still load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Unique id, 3–190 characters of `[a-zA-Z0-9-_.]`; lower-cased on read.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Short description.
    #[serde(default)]
    pub description: String,
    /// Project home page (http or https).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub homepage_url: String,
    /// Support page (http or https).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub support_url: String,
    /// Release notes (http or https).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub release_notes_url: String,
    /// Relative path to an SVG icon for the marketplace.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub icon_path: String,
    /// Strict semver (`1.2.3`, `1.2.3-beta.1+build`), no `v` prefix.
    pub version: String,
    /// Oldest server version this plugin runs on.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub min_server_version: String,
    /// The server part: our wasm component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerSection>,
    /// The webapp part (served to clients, never run by the host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webapp: Option<WebappSection>,
    /// Settings shown to admins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings_schema: Option<SettingsSchema>,
    /// Free-form data for clients and other plugins.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub props: BTreeMap<String, serde_json::Value>,
    /// Capabilities the plugin asks for (see [`Capability`]).
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Limits the plugin asks for; clamped to the server's ceilings.
    #[serde(default)]
    pub limits: RequestedLimits,
}

/// `server` in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerSection {
    /// Path of the wasm component inside the plugin directory.
    pub wasm: String,
}

/// `webapp` in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebappSection {
    /// Path of the JavaScript bundle inside the plugin directory.
    pub bundle_path: String,
}

/// `settings_schema` (Mattermost `PluginSettingsSchema`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SettingsSchema {
    /// Markdown above the settings.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub header: String,
    /// Markdown below the settings.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub footer: String,
    /// The settings.
    #[serde(default)]
    pub settings: Vec<PluginSetting>,
}

/// One entry of `settings_schema.settings` (Mattermost `PluginSetting`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginSetting {
    /// Key in the settings object.
    pub key: String,
    /// Label.
    #[serde(default)]
    pub display_name: String,
    /// One of `bool`, `dropdown`, `generated`, `radio`, `text`, `longtext`, `number`,
    /// `username`, `custom`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Markdown help.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help_text: String,
    /// Help for the Regenerate button of `generated` settings.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub regenerate_help_text: String,
    /// Placeholder text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub placeholder: String,
    /// Default value, any JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// Choices for `radio` and `dropdown`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<SettingOption>,
    /// Whether the value is a secret (never shown in clear to non-admins).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

/// A choice of a `radio` or `dropdown` setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingOption {
    /// Label.
    pub display_name: String,
    /// Stored value.
    pub value: String,
}

const SETTING_TYPES: &[&str] = &["bool", "dropdown", "generated", "radio", "text", "longtext", "number", "username", "custom"];
const PLACEHOLDER_TYPES: &[&str] = &["text", "longtext", "number", "username", "generated", "custom"];

/// Why a manifest was refused. Messages name the field so an author can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON for a manifest.
    #[error("plugin.json is not a valid manifest: {0}")]
    Parse(#[from] serde_json::Error),
    /// A field broke a rule.
    #[error("invalid manifest field `{field}`: {reason}")]
    Invalid {
        /// The field, e.g. `id` or `settings_schema.settings[2].type`.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A requested permission is unknown.
    #[error("invalid manifest field `permissions`: {0}")]
    Permission(#[from] UnknownCapability),
    /// The plugin needs a newer server.
    #[error("plugin requires Confab {required} or newer; this server is {server}")]
    ServerTooOld {
        /// `min_server_version`.
        required: String,
        /// This server's version.
        server: String,
    },
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ManifestError {
    ManifestError::Invalid { field: field.into(), reason: reason.into() }
}

impl Manifest {
    /// Read and validate `dir/plugin.json`.
    pub fn load(dir: &Path, server_version: &semver::Version) -> Result<Manifest, ManifestError> {
        let path = dir.join(MANIFEST_FILE);
        let mut text = String::new();
        // One byte past the limit is enough to know it is too big; never read more.
        std::fs::File::open(&path)
            .and_then(|file| file.take(bounds::MAX_MANIFEST_BYTES as u64 + 1).read_to_string(&mut text))
            .map_err(|source| ManifestError::Read { path, source })?;
        Manifest::parse(&text, server_version)
    }

    /// Parse and validate manifest JSON.
    pub fn parse(json: &str, server_version: &semver::Version) -> Result<Manifest, ManifestError> {
        if json.len() > bounds::MAX_MANIFEST_BYTES {
            return Err(invalid(MANIFEST_FILE, format!("must be at most {} bytes", bounds::MAX_MANIFEST_BYTES)));
        }
        let mut manifest: Manifest = serde_json::from_str(json)?;
        manifest.id = manifest.id.to_lowercase();
        manifest.validate(server_version)?;
        Ok(manifest)
    }

    /// Check every rule (sizes first, see [`bounds`]); the first broken one is reported.
    pub fn validate(&self, server_version: &semver::Version) -> Result<(), ManifestError> {
        if !is_valid_plugin_id(&self.id) {
            return Err(invalid("id", "must be 3 to 190 characters of letters, digits, '-', '_' and '.'"));
        }
        // Before the rules below, some of which quote the value in their error.
        bounds::check(self)?;
        if self.name.trim().is_empty() {
            return Err(invalid("name", "must not be blank"));
        }
        semver::Version::parse(&self.version).map_err(|e| invalid("version", format!("`{}` is not strict semver: {e}", self.version)))?;
        for (field, url) in [("homepage_url", &self.homepage_url), ("support_url", &self.support_url), ("release_notes_url", &self.release_notes_url)] {
            if !url.is_empty() && !is_http_url(url) {
                return Err(invalid(field, format!("`{url}` is not an http(s) URL")));
            }
        }
        if !self.icon_path.is_empty() {
            check_relative_path("icon_path", &self.icon_path)?;
            if !self.icon_path.to_ascii_lowercase().ends_with(".svg") {
                return Err(invalid("icon_path", "must be an SVG file"));
            }
        }
        if !self.min_server_version.is_empty() {
            let required = semver::Version::parse(&self.min_server_version)
                .map_err(|e| invalid("min_server_version", format!("`{}` is not strict semver: {e}", self.min_server_version)))?;
            if *server_version < required {
                return Err(ManifestError::ServerTooOld { required: self.min_server_version.clone(), server: server_version.to_string() });
            }
        }
        match (&self.server, &self.webapp) {
            (None, None) => return Err(invalid("server", "a plugin must have a server part, a webapp part, or both")),
            (server, webapp) => {
                if let Some(server) = server {
                    check_relative_path("server.wasm", &server.wasm)?;
                }
                if let Some(webapp) = webapp {
                    check_relative_path("webapp.bundle_path", &webapp.bundle_path)?;
                }
            }
        }
        if let Some(schema) = &self.settings_schema {
            validate_settings(schema)?;
        }
        self.capabilities()?;
        Ok(())
    }

    /// The requested permissions as capabilities.
    pub fn capabilities(&self) -> Result<Vec<Capability>, UnknownCapability> {
        self.permissions.iter().map(|p| p.parse()).collect()
    }

    /// The settings object with every schema default filled in, then `saved` on top.
    pub fn settings_with_defaults(&self, saved: &serde_json::Map<String, serde_json::Value>) -> serde_json::Value {
        let mut settings = serde_json::Map::new();
        if let Some(schema) = &self.settings_schema {
            for setting in &schema.settings {
                if let Some(default) = &setting.default {
                    settings.insert(setting.key.clone(), default.clone());
                }
            }
        }
        for (key, value) in saved {
            settings.insert(key.clone(), value.clone());
        }
        serde_json::Value::Object(settings)
    }
}

/// Mattermost's `IsValidPluginId`: 3–190 characters of `[a-zA-Z0-9-_.]`.
pub fn is_valid_plugin_id(id: &str) -> bool {
    (3..=190).contains(&id.chars().count()) && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// Paths inside a bundle must stay inside it: relative, no `..`, not hidden at the top.
fn check_relative_path(field: &str, path: &str) -> Result<(), ManifestError> {
    let p = Path::new(path);
    if path.is_empty() || p.is_absolute() || path.starts_with('.') {
        return Err(invalid(field, format!("`{path}` must be a relative path inside the plugin")));
    }
    if p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(invalid(field, format!("`{path}` must not leave the plugin directory")));
    }
    Ok(())
}

fn validate_settings(schema: &SettingsSchema) -> Result<(), ManifestError> {
    let mut keys = std::collections::BTreeSet::new();
    for (i, setting) in schema.settings.iter().enumerate() {
        let field = |name: &str| format!("settings_schema.settings[{i}].{name}");
        if setting.key.trim().is_empty() && setting.kind != "custom" {
            return Err(invalid(field("key"), "must not be blank"));
        }
        if !setting.key.is_empty() && !keys.insert(setting.key.to_lowercase()) {
            return Err(invalid(field("key"), format!("`{}` appears twice", setting.key)));
        }
        if !SETTING_TYPES.contains(&setting.kind.as_str()) {
            return Err(invalid(field("type"), format!("`{}` is not one of {}", setting.kind, SETTING_TYPES.join(", "))));
        }
        let has_options = matches!(setting.kind.as_str(), "radio" | "dropdown");
        if !has_options && !setting.options.is_empty() {
            return Err(invalid(field("options"), "only radio and dropdown settings have options"));
        }
        if has_options && setting.options.iter().any(|o| o.display_name.is_empty() || o.value.is_empty()) {
            return Err(invalid(field("options"), "every option needs a display_name and a value"));
        }
        if !setting.placeholder.is_empty() && !PLACEHOLDER_TYPES.contains(&setting.kind.as_str()) {
            return Err(invalid(field("placeholder"), format!("a {} setting has no placeholder", setting.kind)));
        }
        if !setting.regenerate_help_text.is_empty() && setting.kind != "generated" {
            return Err(invalid(field("regenerate_help_text"), "only generated settings have it"));
        }
        if let Some(default) = &setting.default {
            let ok = match setting.kind.as_str() {
                "bool" => default.is_boolean(),
                "number" => default.is_number() || default.as_str().is_some_and(|s| s.parse::<f64>().is_ok()),
                "radio" | "dropdown" => default.as_str().is_some_and(|v| setting.options.iter().any(|o| o.value == v)),
                "custom" => true,
                _ => default.is_string(),
            };
            if !ok {
                return Err(invalid(field("default"), format!("{default} does not fit a {} setting", setting.kind)));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> semver::Version {
        semver::Version::new(0, 1, 0)
    }

    fn base() -> serde_json::Value {
        serde_json::json!({"id": "Com.Example.Demo", "name": "Demo", "version": "1.2.3", "server": {"wasm": "server.wasm"}})
    }

    fn check(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Manifest, ManifestError> {
        let mut json = base();
        edit(&mut json);
        Manifest::parse(&json.to_string(), &server())
    }

    #[test]
    fn accepts_a_minimal_manifest_and_lowercases_the_id() {
        assert_eq!(check(|_| {}).unwrap().id, "com.example.demo");
    }

    #[test]
    fn id_rules_follow_mattermost() {
        for bad in ["ab", "has space", "slash/x", &"x".repeat(191)] {
            let err = check(|j| j["id"] = bad.into()).unwrap_err();
            assert!(err.to_string().contains("`id`"), "{bad}: {err}");
        }
        assert!(check(|j| j["id"] = "a-b_c.d".into()).is_ok());
    }

    #[test]
    fn version_must_be_strict_semver() {
        for bad in ["v1.2.3", "1.2", "latest"] {
            assert!(check(|j| j["version"] = bad.into()).unwrap_err().to_string().contains("`version`"));
        }
        assert!(check(|j| j["version"] = "1.2.3-beta.1+build.5".into()).is_ok());
    }

    #[test]
    fn min_server_version_is_enforced() {
        let err = check(|j| j["min_server_version"] = "9.0.0".into()).unwrap_err();
        assert!(matches!(err, ManifestError::ServerTooOld { .. }), "{err}");
        assert!(check(|j| j["min_server_version"] = "0.1.0".into()).is_ok());
    }

    #[test]
    fn wasm_path_must_stay_inside() {
        for bad in ["../x.wasm", "/abs.wasm", "a/../../b.wasm", ""] {
            assert!(check(|j| j["server"]["wasm"] = bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_types_and_options_are_checked() {
        let err = check(|j| j["settings_schema"] = serde_json::json!({"settings": [{"key": "a", "type": "colour"}]})).unwrap_err();
        assert!(err.to_string().contains("settings[0].type"), "{err}");
        let err =
            check(|j| j["settings_schema"] = serde_json::json!({"settings": [{"key": "a", "type": "text", "options": [{"display_name": "x", "value": "y"}]}]}))
                .unwrap_err();
        assert!(err.to_string().contains("options"), "{err}");
        let err = check(|j| j["settings_schema"] = serde_json::json!({"settings": [{"key": "a", "type": "bool", "default": "yes"}]})).unwrap_err();
        assert!(err.to_string().contains("default"), "{err}");
        assert!(
            check(|j| j["settings_schema"] =
                serde_json::json!({"settings": [{"key": "a", "type": "dropdown", "default": "x", "options": [{"display_name": "X", "value": "x"}]}]}))
            .is_ok()
        );
    }

    #[test]
    fn unknown_permissions_and_urls_are_refused() {
        assert!(matches!(check(|j| j["permissions"] = serde_json::json!(["kv", "disk"])).unwrap_err(), ManifestError::Permission(_)));
        assert!(check(|j| j["homepage_url"] = "ftp://x".into()).is_err());
        assert!(
            check(|j| {
                j.as_object_mut().unwrap().remove("server");
            })
            .is_err()
        );
    }

    #[test]
    fn every_string_and_list_is_bounded_and_the_error_names_the_field() {
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        // A manifest with one dropdown setting, edited by `edit`.
        let setting = |edit: fn(&mut serde_json::Value)| -> Edit {
            Box::new(move |j| {
                let mut s = serde_json::json!({"key": "k", "type": "dropdown", "options": [{"display_name": "A", "value": "a"}]});
                edit(&mut s);
                j["settings_schema"] = serde_json::json!({"settings": [s]});
            })
        };
        let cases: Vec<(&str, Edit)> = vec![
            ("`name`", Box::new(|j| j["name"] = "n".repeat(129).into())),
            ("`description`", Box::new(|j| j["description"] = "d".repeat(2049).into())),
            ("`version`", Box::new(|j| j["version"] = format!("1.0.0-{}", "a".repeat(64)).into())),
            ("`min_server_version`", Box::new(|j| j["min_server_version"] = "9".repeat(65).into())),
            ("`homepage_url`", Box::new(|j| j["homepage_url"] = format!("https://x.test/{}", "a".repeat(2048)).into())),
            ("`support_url`", Box::new(|j| j["support_url"] = format!("https://x.test/{}", "a".repeat(2048)).into())),
            ("`release_notes_url`", Box::new(|j| j["release_notes_url"] = format!("https://x.test/{}", "a".repeat(2048)).into())),
            ("`icon_path`", Box::new(|j| j["icon_path"] = format!("{}.svg", "a".repeat(1024)).into())),
            ("`server.wasm`", Box::new(|j| j["server"]["wasm"] = "a".repeat(1025).into())),
            ("`webapp.bundle_path`", Box::new(|j| j["webapp"] = serde_json::json!({"bundle_path": "a".repeat(1025)}))),
            ("`permissions`", Box::new(|j| j["permissions"] = serde_json::json!(vec!["kv"; 33]))),
            ("`permissions[0]`", Box::new(|j| j["permissions"] = serde_json::json!(["k".repeat(65)]))),
            ("`props`", Box::new(|j| j["props"] = serde_json::json!({"big": "p".repeat(64 * 1024)}))),
            ("`settings_schema.header`", Box::new(|j| j["settings_schema"] = serde_json::json!({"header": "h".repeat(4097)}))),
            ("`settings_schema.footer`", Box::new(|j| j["settings_schema"] = serde_json::json!({"footer": "f".repeat(4097)}))),
            (
                "`settings_schema.settings`",
                Box::new(|j| {
                    let many: Vec<_> = (0..101).map(|i| serde_json::json!({"key": format!("k{i}"), "type": "text"})).collect();
                    j["settings_schema"] = serde_json::json!({"settings": many});
                }),
            ),
            ("settings[0].key`", setting(|s| s["key"] = "k".repeat(129).into())),
            ("settings[0].display_name`", setting(|s| s["display_name"] = "d".repeat(257).into())),
            ("settings[0].type`", setting(|s| s["type"] = "t".repeat(129).into())),
            ("settings[0].help_text`", setting(|s| s["help_text"] = "h".repeat(4097).into())),
            ("settings[0].placeholder`", setting(|s| s["placeholder"] = "p".repeat(257).into())),
            ("settings[0].default`", setting(|s| s["default"] = "a".repeat(4096).into())),
            ("settings[0].options`", setting(|s| s["options"] = serde_json::json!(vec![serde_json::json!({"display_name": "A", "value": "a"}); 101]))),
            ("settings[0].options[0].display_name`", setting(|s| s["options"][0]["display_name"] = "o".repeat(257).into())),
            ("settings[0].options[0].value`", setting(|s| s["options"][0]["value"] = "v".repeat(1025).into())),
        ];
        for (field, edit) in cases {
            let err = check(|j| edit(j)).unwrap_err().to_string();
            assert!(err.contains(field) && (err.contains("at most")), "{field}: {err}");
            assert!(err.len() < 200, "the error does not quote the value: {err}");
        }
        // A half-megabyte name is refused by its own limit, without being echoed; the
        // probe's 5 MB one already by the size of the file.
        let err = check(|j| j["name"] = "x".repeat(512 * 1024).into()).unwrap_err().to_string();
        assert!(err.contains("`name`") && err.len() < 200, "{err}");
        let err = check(|j| j["name"] = "x".repeat(5 * 1024 * 1024).into()).unwrap_err().to_string();
        assert!(err.contains("plugin.json") && err.len() < 200, "{err}");
        assert!(check(|j| j["name"] = "tab\there".into()).unwrap_err().to_string().contains("`name`"));
        // At the limits, everything is accepted; limits count characters, not bytes.
        assert!(
            check(|j| {
                j["name"] = "é".repeat(128).into();
                j["description"] = "d".repeat(2048).into();
                j["permissions"] = serde_json::json!(["kv"]);
                j["settings_schema"] =
                    serde_json::json!({"header": "h".repeat(4096), "settings": [{"key": "k".repeat(128), "type": "text", "help_text": "h".repeat(4096)}]});
            })
            .is_ok()
        );
    }

    #[test]
    fn an_oversized_file_is_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut json = base();
        json["description"] = "d".repeat(2 * bounds::MAX_MANIFEST_BYTES).into();
        std::fs::write(dir.path().join(MANIFEST_FILE), json.to_string()).unwrap();
        let err = Manifest::load(dir.path(), &server()).unwrap_err().to_string();
        assert!(err.contains("plugin.json") && err.contains("at most"), "{err}");
    }

    #[test]
    fn defaults_fill_missing_settings() {
        let m = check(|j| {
            j["settings_schema"] =
                serde_json::json!({"settings": [{"key": "a", "type": "text", "default": "x"}, {"key": "b", "type": "bool", "default": true}]})
        })
        .unwrap();
        let saved = serde_json::json!({"a": "y"});
        assert_eq!(m.settings_with_defaults(saved.as_object().unwrap()), serde_json::json!({"a": "y", "b": true}));
    }
}
