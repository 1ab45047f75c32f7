//! `commands`: slash command registration; capability `commands`.

use super::WitResult;
use crate::bindings::confab::plugin::commands::{Command, Host};
use crate::bindings::types::Error;
use crate::capabilities::Capability;
use crate::state::HostState;

/// Mattermost's trigger rules: 1–128 characters, no leading slash, no spaces.
fn check_trigger(trigger: &str) -> WitResult<()> {
    if trigger.is_empty() || trigger.len() > 128 || trigger.starts_with('/') || trigger.contains(char::is_whitespace) {
        return Err(Error::InvalidInput(format!("invalid trigger `{trigger}`: 1-128 characters, no slash prefix, no spaces")));
    }
    Ok(())
}

impl Host for HostState {
    async fn register(&mut self, command: Command) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::Commands).and(check_trigger(&command.trigger)) {
            return Ok(Err(e));
        }
        if !command.autocomplete_data.is_empty() && serde_json::from_str::<serde_json::Value>(&command.autocomplete_data).is_err() {
            return Ok(Err(Error::InvalidInput("autocomplete-data is not valid JSON".into())));
        }
        let command = crate::types::Command {
            trigger: command.trigger.to_lowercase(),
            team_id: command.team_id,
            display_name: command.display_name,
            description: command.description,
            auto_complete: command.auto_complete,
            auto_complete_desc: command.auto_complete_desc,
            auto_complete_hint: command.auto_complete_hint,
            autocomplete_data: command.autocomplete_data,
        };
        Ok(self.api.register_command(self.plugin_id(), command).await.map_err(Error::from))
    }

    async fn unregister(&mut self, team_id: String, trigger: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::Commands) {
            return Ok(Err(e));
        }
        Ok(self.api.unregister_command(self.plugin_id(), &team_id, &trigger.to_lowercase()).await.map_err(Error::from))
    }
}
