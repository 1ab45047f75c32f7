//! `events`: WebSocket events `custom_<plugin_id>_<event>`; capability `events`.

use super::WitResult;
use crate::bindings::confab::plugin::events::{Broadcast, Host};
use crate::bindings::types::Error;
use crate::capabilities::Capability;
use crate::state::HostState;

/// Largest event payload; WebSocket clients should not receive megabytes per event.
const MAX_EVENT_BYTES: usize = 256 * 1024;

impl Host for HostState {
    async fn publish(&mut self, event: String, data: String, broadcast: Broadcast) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::Events) {
            return Ok(Err(e));
        }
        if event.is_empty() || event.len() > 64 || !event.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Ok(Err(Error::InvalidInput("event must be 1-64 characters of letters, digits, '_' and '-'".into())));
        }
        if data.len() > MAX_EVENT_BYTES {
            return Ok(Err(Error::QuotaExceeded));
        }
        let data: serde_json::Value = match serde_json::from_str(&data) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            _ => return Ok(Err(Error::InvalidInput("data must be a JSON object".into()))),
        };
        let broadcast = crate::types::Broadcast {
            user_id: broadcast.user_id,
            channel_id: broadcast.channel_id,
            team_id: broadcast.team_id,
            omit_users: broadcast.omit_users,
        };
        Ok(self.api.publish_event(self.plugin_id(), &event, data, broadcast).await.map_err(Error::from))
    }
}
