//! Messages to this plugin's copies on other nodes (`cluster` interface; capability
//! `cluster`). They arrive in `Plugin::on_plugin_cluster_event`.

use crate::bindings::confab::plugin::cluster as wit;
use crate::error::wit as lift;
use crate::{ClusterEvent, Result};

/// Delivers an event named `id` with `data` to every other node's copy of this plugin.
pub fn publish(id: &str, data: impl Into<Vec<u8>>) -> Result<()> {
    lift(wit::publish(&ClusterEvent { id: id.to_owned(), data: data.into() }))
}

/// Publishes `value` as JSON; read it back with [`ClusterEvent::json`].
pub fn publish_json<T: serde::Serialize + ?Sized>(id: &str, value: &T) -> Result<()> {
    publish(id, serde_json::to_vec(value)?)
}

impl ClusterEvent {
    /// The payload parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        Ok(serde_json::from_slice(&self.data)?)
    }
}
