//! `config`: the plugin's own settings with schema defaults filled in, and facts about the server; always allowed, except `save-settings` (`config:write`).

use super::WitResult;
use crate::bindings::confab::plugin::config::Host;
use crate::bindings::types::Error;
use crate::capabilities::Capability;
use crate::state::HostState;

/// Largest settings object a plugin may save, as JSON text; the manifest bounds keep a
/// schema's values far below this.
const MAX_SETTINGS_BYTES: usize = 256 * 1024;

impl Host for HostState {
    async fn get_settings(&mut self) -> wasmtime::Result<String> {
        let saved = match self.api.plugin_settings(self.plugin_id()).await {
            Ok(saved) => saved,
            Err(e) => {
                // The plugin cannot act on a storage error here; defaults are the
                // safest answer and the failure is visible in the log.
                tracing::warn!(plugin_id = %self.plugin_id(), error = %e, "could not read plugin settings; using defaults");
                serde_json::Map::new()
            }
        };
        Ok(self.identity.manifest.settings_with_defaults(&saved).to_string())
    }

    async fn site_url(&mut self) -> wasmtime::Result<String> {
        Ok(self.api.site_url())
    }

    async fn server_version(&mut self) -> wasmtime::Result<String> {
        Ok(self.api.server_version())
    }

    async fn diagnostic_id(&mut self) -> wasmtime::Result<WitResult<String>> {
        Ok(self.api.diagnostic_id().await.map_err(Error::from))
    }

    async fn save_settings(&mut self, settings: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::ConfigWrite) {
            return Ok(Err(e));
        }
        if settings.len() > MAX_SETTINGS_BYTES {
            return Ok(Err(Error::InvalidInput(format!("settings are limited to {MAX_SETTINGS_BYTES} bytes of JSON"))));
        }
        let values = match serde_json::from_str::<serde_json::Value>(&settings) {
            Ok(serde_json::Value::Object(values)) => values,
            Ok(_) => return Ok(Err(Error::InvalidInput("settings must be a JSON object".into()))),
            Err(e) => return Ok(Err(Error::InvalidInput(format!("settings are not valid JSON: {e}")))),
        };
        Ok(self.api.save_plugin_settings(self.plugin_id(), values).await.map_err(Error::from))
    }
}
