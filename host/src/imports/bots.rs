//! `bots`: the plugin's own bot accounts; capability `bots`.

use super::WitResult;
use crate::bindings::confab::plugin::bots::Host;
use crate::bindings::types::Error;
use crate::capabilities::Capability;
use crate::state::HostState;
use crate::types::BotSpec;

/// Mattermost usernames: 3–22 characters of lower-case letters, digits, `.`, `-`, `_`, starting with a letter.
fn check_username(name: &str) -> bool {
    (3..=22).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
}

impl Host for HostState {
    async fn ensure_bot(&mut self, username: String, display_name: String, description: String) -> wasmtime::Result<WitResult<String>> {
        if let Err(e) = self.require(Capability::Bots) {
            return Ok(Err(e));
        }
        if !check_username(&username) {
            return Ok(Err(Error::InvalidInput(format!("invalid bot username `{username}`"))));
        }
        let spec = BotSpec { username, display_name, description };
        Ok(self.api.ensure_bot(self.plugin_id(), spec).await.map_err(Error::from))
    }
}
