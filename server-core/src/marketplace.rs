//! The marketplace and URL installs: read an index (Mattermost's marketplace plugin shape) from a URL or a file, keep the entries this server can run, download bundles through the outbound guard, and build an index for a folder of bundles (`confab marketplace build`).
//!
//! Compatibility has two parts: the manifest's `min_server_version`, and the WIT
//! package version the component imports (`confab:plugin@X.Y.Z`), which the index
//! builder reads from the component and records as `wit_version` beside Mattermost's
//! fields. An entry whose component imports another ABI version is not listed.

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use confab_host::Manifest;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::bundle::{self, BundleLimits};
use crate::service::Caller;
use crate::service::plugin_admin::{AdminError, Installed, PluginAdmin, Source};

/// The WIT package version this server implements.
pub fn wit_version() -> &'static str {
    let world = include_str!("../../wit/world.wit");
    world.lines().find_map(|l| l.trim().strip_prefix("package confab:plugin@")).map(|v| v.trim_end_matches(';')).unwrap_or("0.0.0")
}

/// The largest index accepted.
const MAX_INDEX_BYTES: usize = 8 * 1024 * 1024;

/// A label on a marketplace entry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Label {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub color: String,
}

/// One index entry: Mattermost's `BaseMarketplacePlugin` plus `wit_version`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MarketplacePlugin {
    #[serde(default)]
    pub homepage_url: String,
    /// `data:image/svg+xml;base64,...`
    #[serde(default)]
    pub icon_data: String,
    pub download_url: String,
    #[serde(default)]
    pub release_notes_url: String,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub hosting: String,
    #[serde(default)]
    pub author_type: String,
    #[serde(default)]
    pub release_stage: String,
    #[serde(default)]
    pub enterprise: bool,
    /// Base64 ed25519 signature of the bundle.
    #[serde(default)]
    pub signature: String,
    pub manifest: Value,
    /// The WIT package version the component imports (ours).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub wit_version: String,
}

/// `GET /api/v4/plugins/marketplace` query.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub filter: String,
    #[serde(default)]
    pub page: Option<usize>,
    #[serde(default)]
    pub per_page: Option<i64>,
}

fn download_error(e: crate::outbound::OutboundError) -> AdminError {
    AdminError::Download(e.to_string())
}

/// GET `url` through the outbound guard, at most `max` bytes; non-2xx is an error.
async fn download(admin: &PluginAdmin, url: &str, max: usize) -> Result<Vec<u8>, AdminError> {
    let outbound = admin.services().outbound();
    let request = outbound.request(reqwest::Method::GET, url).map_err(download_error)?;
    let response = outbound.send(request, max).await.map_err(|e| match e {
        crate::outbound::OutboundError::TooLarge { limit } => AdminError::TooLarge { limit },
        other => download_error(other),
    })?;
    if !(200..300).contains(&response.status) {
        return Err(AdminError::Download(format!("{url} answered {}", response.status)));
    }
    Ok(response.body)
}

/// `POST /api/v4/plugins/install_from_url`: download, then install as an upload
/// (same gate: uploads must be enabled). A required signature comes from `<url>.sig`.
pub async fn install_from_url(admin: &PluginAdmin, caller: &Caller, url: &str, force: bool) -> Result<Installed, AdminError> {
    if !caller.is_admin() {
        return Err(AdminError::Forbidden);
    }
    if !admin.options().uploads_enabled {
        return Err(AdminError::UploadsDisabled);
    }
    if url.trim().is_empty() {
        return Err(AdminError::BadRequest("plugin_download_url is required".into()));
    }
    let bytes = download(admin, url, admin.options().max_bundle_bytes).await?;
    let signature = if admin.options().require_signature { download(admin, &format!("{url}.sig"), 4096).await.ok() } else { None };
    let signature = signature.map(|s| String::from_utf8_lossy(&s).into_owned());
    admin.install_bundle(&bytes, signature.as_deref(), force, Source::Url).await
}

/// The configured index, every entry.
async fn read_index(admin: &PluginAdmin) -> Result<Vec<MarketplacePlugin>, AdminError> {
    let options = admin.options();
    if !options.marketplace_enabled {
        return Err(AdminError::MarketplaceDisabled);
    }
    let Some(location) = options.marketplace_url.as_deref() else { return Err(AdminError::MarketplaceDisabled) };
    let bytes = if location.starts_with("http://") || location.starts_with("https://") {
        download(admin, location, MAX_INDEX_BYTES).await?
    } else {
        std::fs::read(location).map_err(|e| AdminError::Download(format!("cannot read the marketplace index {location}: {e}")))?
    };
    serde_json::from_slice(&bytes).map_err(|e| AdminError::Download(format!("the marketplace index is not valid: {e}")))
}

/// Whether this server can run the entry.
pub fn is_compatible(entry: &MarketplacePlugin, server: &semver::Version) -> bool {
    let min = entry.manifest.get("min_server_version").and_then(Value::as_str).unwrap_or_default();
    if !min.is_empty() && semver::Version::parse(min).map_or(true, |min| &min > server) {
        return false;
    }
    entry.wit_version.is_empty() || entry.wit_version == wit_version()
}

fn entry_id(entry: &MarketplacePlugin) -> String {
    entry.manifest.get("id").and_then(Value::as_str).unwrap_or_default().to_lowercase()
}

fn entry_text(entry: &MarketplacePlugin, key: &str) -> String {
    entry.manifest.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// `GET /api/v4/plugins/marketplace`: compatible entries, filtered by `filter` (id,
/// name or description), sorted by name, with `installed_version`.
pub async fn list(admin: &PluginAdmin, caller: &Caller, query: &ListQuery) -> Result<Vec<Value>, AdminError> {
    if !caller.is_admin() {
        return Err(AdminError::Forbidden);
    }
    let server = &admin.options().server_version;
    let filter = query.filter.to_lowercase();
    let mut entries: Vec<MarketplacePlugin> = read_index(admin)
        .await?
        .into_iter()
        .filter(|e| is_compatible(e, server))
        .filter(|e| filter.is_empty() || [entry_id(e), entry_text(e, "name"), entry_text(e, "description")].iter().any(|t| t.to_lowercase().contains(&filter)))
        .collect();
    entries.sort_by_key(|e| entry_text(e, "name").to_lowercase());
    let installed: std::collections::HashMap<String, String> =
        admin.installed_plugins().await?.into_iter().map(|(row, manifest)| (row.record.plugin_id, manifest.version)).collect();
    let per_page = query.per_page.filter(|&p| p > 0).map_or(usize::MAX, |p| p as usize);
    let skip = query.page.unwrap_or(0).saturating_mul(per_page.min(10_000));
    Ok(entries
        .into_iter()
        .skip(if per_page == usize::MAX { 0 } else { skip })
        .take(per_page)
        .map(|e| {
            let id = entry_id(&e);
            let mut value = serde_json::to_value(&e).expect("entries serialize");
            value["installed_version"] = Value::String(installed.get(&id).cloned().unwrap_or_default());
            value
        })
        .collect())
}

/// `POST /api/v4/plugins/marketplace` `{id, version}`: install the newest compatible
/// entry with that id (the version is ignored, as in Mattermost), replacing an
/// installed copy.
pub async fn install(admin: &PluginAdmin, caller: &Caller, id: &str) -> Result<Installed, AdminError> {
    if !caller.is_admin() {
        return Err(AdminError::Forbidden);
    }
    let server = admin.options().server_version.clone();
    let id = id.to_lowercase();
    let entry = read_index(admin)
        .await?
        .into_iter()
        .filter(|e| entry_id(e) == id && is_compatible(e, &server))
        .max_by_key(|e| semver::Version::parse(&entry_text(e, "version")).unwrap_or(semver::Version::new(0, 0, 0)))
        .ok_or_else(|| AdminError::NotInstalled(format!("{id} (not in the marketplace, or not compatible with this server)")))?;
    let bytes = download(admin, &entry.download_url, admin.options().max_bundle_bytes).await?;
    let signature = Some(entry.signature.as_str()).filter(|s| !s.is_empty());
    admin.install_bundle(&bytes, signature, true, Source::Marketplace).await
}

/// The `confab:plugin@X.Y.Z` versions a component's imports name.
pub fn imported_wit_versions(wasm: &[u8]) -> BTreeSet<String> {
    let needle = b"confab:plugin/";
    let mut out = BTreeSet::new();
    let mut i = 0;
    while let Some(pos) = wasm[i..].windows(needle.len()).position(|w| w == needle) {
        let start = i + pos + needle.len();
        let rest = &wasm[start..wasm.len().min(start + 128)];
        if let Some(at) = rest.iter().position(|&b| b == b'@') {
            // Names are length-prefixed, not terminated: take `N.N.N` and stop.
            let digits: String = rest[at + 1..].iter().take_while(|b| b.is_ascii_digit() || **b == b'.').map(|&b| b as char).collect();
            let parts: Vec<&str> = digits.split('.').take(3).collect();
            if parts.len() == 3 && parts.iter().all(|p| !p.is_empty()) {
                out.insert(parts.join("."));
            }
        }
        i = start;
    }
    out
}

/// Why an index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot read {path}: {source}")]
    Io { path: std::path::PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Bundle { path: std::path::PathBuf, message: String },
}

/// An index for every `*.tar.gz` in `dir`: the manifest and component read from each
/// bundle, the signature from `<bundle>.sig` when present, the icon inlined; download
/// URLs are `base_url` + file name (or the bare file name).
pub fn build_index(dir: &Path, base_url: &str, server_version: &semver::Version) -> Result<Vec<MarketplacePlugin>, BuildError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BuildError::Io { path: path.clone(), source }
    };
    let mut files: Vec<_> =
        std::fs::read_dir(dir).map_err(io(dir))?.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(".tar.gz")).collect();
    files.sort();
    let mut entries = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        let bad = |message: String| BuildError::Bundle { path: path.clone(), message };
        let tmp = tempdir_in(dir).map_err(io(dir))?;
        let root = bundle::extract(&bytes, &tmp, BundleLimits::default()).map_err(|e| bad(e.to_string()));
        let result = root.and_then(|root| {
            let manifest = Manifest::load(&root, server_version).or_else(|_| {
                // The index may list plugins for newer servers; only the id/version rules matter here.
                let text = std::fs::read_to_string(root.join("plugin.json")).map_err(|e| bad(e.to_string()))?;
                serde_json::from_str::<Manifest>(&text).map_err(|e| bad(e.to_string()))
            })?;
            let wit = manifest.server.as_ref().and_then(|s| std::fs::read(root.join(&s.wasm)).ok()).map(|w| imported_wit_versions(&w)).unwrap_or_default();
            let icon_data = (!manifest.icon_path.is_empty())
                .then(|| std::fs::read(root.join(&manifest.icon_path)).ok())
                .flatten()
                .map(|svg| format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg)))
                .unwrap_or_default();
            let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let signature = std::fs::read_to_string(format!("{}.sig", path.display())).map(|s| s.trim().to_string()).unwrap_or_default();
            Ok(MarketplacePlugin {
                homepage_url: manifest.homepage_url.clone(),
                icon_data,
                download_url: if base_url.is_empty() { file } else { format!("{}/{file}", base_url.trim_end_matches('/')) },
                release_notes_url: manifest.release_notes_url.clone(),
                labels: Vec::new(),
                hosting: String::new(),
                author_type: "community".into(),
                release_stage: "production".into(),
                enterprise: false,
                signature,
                manifest: serde_json::to_value(&manifest).expect("manifests serialize"),
                wit_version: wit.into_iter().next_back().unwrap_or_default(),
            })
        });
        let _ = std::fs::remove_dir_all(&tmp);
        entries.push(result?);
    }
    Ok(entries)
}

fn tempdir_in(dir: &Path) -> std::io::Result<std::path::PathBuf> {
    let path = dir.join(format!(".index-{}", crate::ids::new_id()));
    std::fs::create_dir(&path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(min: &str, wit: &str) -> MarketplacePlugin {
        MarketplacePlugin {
            homepage_url: String::new(),
            icon_data: String::new(),
            download_url: "x".into(),
            release_notes_url: String::new(),
            labels: Vec::new(),
            hosting: String::new(),
            author_type: String::new(),
            release_stage: String::new(),
            enterprise: false,
            signature: String::new(),
            manifest: serde_json::json!({"id": "a", "min_server_version": min}),
            wit_version: wit.into(),
        }
    }

    #[test]
    fn compatibility() {
        let server = semver::Version::new(1, 2, 0);
        assert!(is_compatible(&entry("", ""), &server));
        assert!(is_compatible(&entry("1.0.0", wit_version()), &server));
        assert!(!is_compatible(&entry("9.0.0", ""), &server));
        assert!(!is_compatible(&entry("", "9.9.9"), &server));
    }

    #[test]
    fn wit_versions_are_read_from_import_names() {
        let wasm = b"\0asm....confab:plugin/kv@0.1.0\x05confab:plugin/log@0.1.0-write wasi:io/streams@0.2.0";
        assert_eq!(imported_wit_versions(wasm), BTreeSet::from(["0.1.0".to_string()]));
        assert_eq!(wit_version(), "0.1.0");
    }
}
