//! WebSocket events to clients (`events` interface; capability `events`). Clients
//! receive them as `custom_<plugin_id>_<event>`.

use serde::Serialize;

use crate::Result;
use crate::bindings::confab::plugin::events as wit;
use crate::error::wit as lift;

/// Who receives an event; build it with [`Broadcast::all`] and friends.
pub use wit::Broadcast;

/// Publishes `event` with `data` (serialized to a JSON object) to `to`.
pub fn publish<T: Serialize + ?Sized>(event: &str, data: &T, to: &Broadcast) -> Result<()> {
    let data = serde_json::to_string(data)?;
    lift(wit::publish(event, &data, to))
}

impl Broadcast {
    /// Every connected user.
    pub fn all() -> Self {
        Broadcast { user_id: String::new(), channel_id: String::new(), team_id: String::new(), omit_users: Vec::new() }
    }

    /// One user.
    pub fn user(user_id: impl Into<String>) -> Self {
        Broadcast { user_id: user_id.into(), ..Self::all() }
    }

    /// Members of one channel.
    pub fn channel(channel_id: impl Into<String>) -> Self {
        Broadcast { channel_id: channel_id.into(), ..Self::all() }
    }

    /// Members of one team.
    pub fn team(team_id: impl Into<String>) -> Self {
        Broadcast { team_id: team_id.into(), ..Self::all() }
    }

    /// Never these users (builder style).
    pub fn omit(mut self, user_id: impl Into<String>) -> Self {
        self.omit_users.push(user_id.into());
        self
    }
}
