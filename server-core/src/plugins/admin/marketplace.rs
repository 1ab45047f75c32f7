//! The marketplace and URL install use cases: list the compatible entries of the configured index, install one of them, or install a bundle downloaded from a URL.

use std::collections::HashMap;

use serde_json::Value;

use super::{AdminError, Installed, PluginAdmin, Source};
use crate::plugins::marketplace::{self, FetchError, ListQuery, MarketplacePlugin, entry_id, entry_text, is_compatible};
use crate::service::Caller;

impl From<FetchError> for AdminError {
    fn from(e: FetchError) -> AdminError {
        match e {
            FetchError::TooLarge { limit } => AdminError::TooLarge { limit },
            FetchError::Failed(message) => AdminError::download(message),
        }
    }
}

impl PluginAdmin {
    /// GET `url` through the outbound guard, at most `max` bytes.
    async fn download(&self, url: &str, max: usize) -> Result<Vec<u8>, AdminError> {
        Ok(marketplace::download(self.services.outbound(), url, max).await?)
    }

    /// `POST /api/v4/plugins/install_from_url`: download, then install as an upload
    /// (same gate: uploads must be enabled). A required signature comes from `<url>.sig`.
    pub async fn install_from_url(&self, caller: &Caller, url: &str, force: bool) -> Result<Installed, AdminError> {
        Self::require_admin(caller)?;
        if !self.options.uploads_enabled {
            return Err(AdminError::uploads_disabled());
        }
        if url.trim().is_empty() {
            return Err(AdminError::bad_request("plugin_download_url is required"));
        }
        let bytes = self.download(url, self.options.max_bundle_bytes).await?;
        let signature = if self.options.require_signature { self.download(&format!("{url}.sig"), 4096).await.ok() } else { None };
        let signature = signature.map(|s| String::from_utf8_lossy(&s).into_owned());
        self.install_bundle(caller, &bytes, signature.as_deref(), force, Source::Url).await
    }

    /// The configured index, every entry.
    async fn read_index(&self) -> Result<Vec<MarketplacePlugin>, AdminError> {
        if !self.options.marketplace_enabled {
            return Err(AdminError::marketplace_disabled());
        }
        let Some(location) = self.options.marketplace_url.as_deref() else { return Err(AdminError::marketplace_disabled()) };
        Ok(marketplace::read_index(self.services.outbound(), location).await?)
    }

    /// `GET /api/v4/plugins/marketplace`: compatible entries, filtered by `filter` (id,
    /// name or description), sorted by name, with `installed_version`.
    pub async fn marketplace_list(&self, caller: &Caller, query: &ListQuery) -> Result<Vec<Value>, AdminError> {
        Self::require_admin(caller)?;
        let server = &self.options.server_version;
        let filter = query.filter.to_lowercase();
        let matches = |e: &MarketplacePlugin| {
            filter.is_empty() || [entry_id(e), entry_text(e, "name"), entry_text(e, "description")].iter().any(|t| t.to_lowercase().contains(&filter))
        };
        let mut entries: Vec<MarketplacePlugin> = self.read_index().await?.into_iter().filter(|e| is_compatible(e, server) && matches(e)).collect();
        entries.sort_by_key(|e| entry_text(e, "name").to_lowercase());
        let installed: HashMap<String, String> =
            self.installed_plugins().await?.into_iter().map(|(row, manifest)| (row.record.plugin_id, manifest.version)).collect();
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
    pub async fn install_from_marketplace(&self, caller: &Caller, id: &str) -> Result<Installed, AdminError> {
        Self::require_admin(caller)?;
        let server = self.options.server_version.clone();
        let id = id.to_lowercase();
        let entry = self
            .read_index()
            .await?
            .into_iter()
            .filter(|e| entry_id(e) == id && is_compatible(e, &server))
            .max_by_key(|e| semver::Version::parse(&entry_text(e, "version")).unwrap_or(semver::Version::new(0, 0, 0)))
            .ok_or_else(|| AdminError::not_installed(&format!("{id} (not in the marketplace, or not compatible with this server)")))?;
        let bytes = self.download(&entry.download_url, self.options.max_bundle_bytes).await?;
        let signature = Some(entry.signature.as_str()).filter(|s| !s.is_empty());
        self.install_bundle(caller, &bytes, signature, true, Source::Marketplace).await
    }
}
