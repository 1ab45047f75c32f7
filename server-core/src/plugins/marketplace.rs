//! The marketplace client: read an index (Mattermost's marketplace plugin shape) from a URL or a file, keep the entries this server can run, download bundles through the outbound guard (the use cases are in `admin/marketplace.rs`), and build an index for a folder of bundles (`confab marketplace build`).
//!
//! Compatibility has two parts: the manifest's `min_server_version`, and the WIT
//! package version the component imports (`confab:plugin@X.Y.Z`), which the index
//! builder reads from the component and records as `wit_version` beside Mattermost's
//! fields. An entry is listed when a contract version this server serves is
//! semver-compatible with it (`^wit_version`: same major, same minor below 1.0, not
//! older), so a server serving 0.1.0 and 0.2.0 lists plugins built against either.

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use confab_host::{Manifest, WitVersion};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::outbound::{Outbound, OutboundError};
use crate::plugins::bundle::{self, BundleLimits};

/// Whether a component built against contract version `wit` runs on this server: some
/// served version satisfies `^wit`. Text that is not a version is not compatible.
pub fn wit_is_served(wit: &str) -> bool {
    let Ok(wanted) = semver::VersionReq::parse(&format!("^{wit}")) else { return false };
    WitVersion::SERVED.iter().any(|served| wanted.matches(&served.semver()))
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

/// Why an index or a bundle could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The answer is bigger than allowed.
    #[error("the download is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The request failed, the answer was not a success, or the index is unreadable.
    #[error("{0}")]
    Failed(String),
}

/// GET `url` through the outbound guard, at most `max` bytes; non-2xx is an error.
pub async fn download(outbound: &Outbound, url: &str, max: usize) -> Result<Vec<u8>, FetchError> {
    let failed = |e: OutboundError| FetchError::Failed(e.to_string());
    let request = outbound.request(reqwest::Method::GET, url).map_err(failed)?;
    let response = outbound.send(request, max).await.map_err(|e| match e {
        OutboundError::TooLarge { limit } => FetchError::TooLarge { limit },
        other => failed(other),
    })?;
    if !(200..300).contains(&response.status) {
        return Err(FetchError::Failed(format!("{url} answered {}", response.status)));
    }
    Ok(response.body)
}

/// Every entry of the index at `location`: an `http(s)://` URL (through the outbound
/// guard) or a file path.
pub async fn read_index(outbound: &Outbound, location: &str) -> Result<Vec<MarketplacePlugin>, FetchError> {
    let bytes = if location.starts_with("http://") || location.starts_with("https://") {
        download(outbound, location, MAX_INDEX_BYTES).await?
    } else {
        tokio::fs::read(location).await.map_err(|e| FetchError::Failed(format!("cannot read the marketplace index {location}: {e}")))?
    };
    serde_json::from_slice(&bytes).map_err(|e| FetchError::Failed(format!("the marketplace index is not valid: {e}")))
}

/// Whether this server can run the entry.
pub fn is_compatible(entry: &MarketplacePlugin, server: &semver::Version) -> bool {
    let min = entry.manifest.get("min_server_version").and_then(Value::as_str).unwrap_or_default();
    if !min.is_empty() && semver::Version::parse(min).map_or(true, |min| &min > server) {
        return false;
    }
    entry.wit_version.is_empty() || wit_is_served(&entry.wit_version)
}

pub fn entry_id(entry: &MarketplacePlugin) -> String {
    entry.manifest.get("id").and_then(Value::as_str).unwrap_or_default().to_lowercase()
}

pub fn entry_text(entry: &MarketplacePlugin, key: &str) -> String {
    entry.manifest.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
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
        assert!(is_compatible(&entry("1.0.0", WitVersion::LATEST.as_str()), &server));
        assert!(!is_compatible(&entry("9.0.0", ""), &server));
        assert!(!is_compatible(&entry("", "9.9.9"), &server));
    }

    #[test]
    fn every_served_contract_version_is_listed_and_only_those() {
        // Both served versions, not only the latest: an old plugin stays installable.
        assert!(wit_is_served("0.1.0"));
        assert!(wit_is_served("0.2.0"));
        // A plugin needing a newer patch or minor than served is not.
        assert!(!wit_is_served("0.1.1"));
        assert!(!wit_is_served("0.3.0"));
        assert!(!wit_is_served("1.0.0"));
        assert!(!wit_is_served("0.0.9"));
        assert!(!wit_is_served("latest"));
        assert!(!wit_is_served(""));
    }

    #[test]
    fn wit_versions_are_read_from_import_names() {
        let wasm = b"\0asm....confab:plugin/kv@0.1.0\x05confab:plugin/log@0.1.0-write wasi:io/streams@0.2.0";
        assert_eq!(imported_wit_versions(wasm), BTreeSet::from(["0.1.0".to_string()]));
    }
}
