//! `config`: the plugin's own settings with schema defaults filled in; always allowed.

use crate::bindings::confab::plugin::config::Host;
use crate::state::HostState;

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
}
