//! `log`: guest log lines become `tracing` events tagged with the plugin id; always allowed.

use crate::bindings::confab::plugin::log::{Host, Level};
use crate::state::HostState;

/// Longest message kept; a plugin cannot make one log line arbitrarily large.
const MAX_MESSAGE: usize = 16 * 1024;

impl Host for HostState {
    async fn write(&mut self, level: Level, mut message: String, fields: Vec<(String, String)>) -> wasmtime::Result<()> {
        if message.len() > MAX_MESSAGE {
            let mut cut = MAX_MESSAGE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        let fields: Vec<(String, String)> = fields.into_iter().take(32).collect();
        let id = self.plugin_id();
        match level {
            Level::Trace => tracing::trace!(target: "confab_plugin", plugin_id = %id, ?fields, "{message}"),
            Level::Debug => tracing::debug!(target: "confab_plugin", plugin_id = %id, ?fields, "{message}"),
            Level::Info => tracing::info!(target: "confab_plugin", plugin_id = %id, ?fields, "{message}"),
            Level::Warn => tracing::warn!(target: "confab_plugin", plugin_id = %id, ?fields, "{message}"),
            Level::Error => tracing::error!(target: "confab_plugin", plugin_id = %id, ?fields, "{message}"),
        }
        Ok(())
    }
}
