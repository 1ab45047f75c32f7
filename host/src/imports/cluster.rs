//! `cluster`: events to this plugin on other nodes; capability `cluster`.

use super::WitResult;
use crate::bindings::confab::plugin::cluster::Host;
use crate::bindings::types::{ClusterEvent, Error};
use crate::capabilities::Capability;
use crate::state::HostState;

/// Largest cluster event payload.
const MAX_CLUSTER_EVENT_BYTES: usize = 1 << 20;

impl Host for HostState {
    async fn publish(&mut self, event: ClusterEvent) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::Cluster) {
            return Ok(Err(e));
        }
        if event.data.len() > MAX_CLUSTER_EVENT_BYTES {
            return Ok(Err(Error::QuotaExceeded));
        }
        Ok(self.api.publish_cluster_event(self.plugin_id(), event.into()).await.map_err(Error::from))
    }
}
