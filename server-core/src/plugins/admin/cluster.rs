//! Plugin administration in a cluster: this node's plugin statuses written under a heartbeat and listed with every live node's (`cluster_id`), and a change made here announced so other nodes reconcile.
//!
//! On a single node none of this runs: statuses are the local ones with an empty
//! `cluster_id`, as Mattermost answers when not clustered.

use std::sync::{Arc, Weak};
use std::time::Duration;

use serde_json::Value;

use super::{PluginAdmin, status_json};
use crate::service::now_ms;

/// How often a node writes its statuses (its heartbeat).
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// A node not heard from for this long is left out of the statuses (dead).
pub const NODE_EXPIRY: Duration = Duration::from_secs(15);
/// Every this many heartbeats a node reconciles all plugins with the database even
/// without a notification, so a notification lost while the bus was down costs at
/// most this long.
const RECONCILE_EVERY: u32 = 6;

impl PluginAdmin {
    /// This node's id in a cluster; `None` on a single node.
    pub fn node_id(&self) -> Option<&str> {
        self.services.cluster().map(|c| c.node_id())
    }

    /// Every plugin's status as Mattermost's JSON: on a single node this node's with
    /// an empty `cluster_id`; in a cluster one entry per plugin per live node, each
    /// with its node's id (this node's own entries are read fresh).
    pub async fn status_values(&self) -> Result<Vec<Value>, super::AdminError> {
        let local = self.all_statuses().await?;
        let Some(node) = self.node_id() else { return Ok(local.iter().map(status_json).collect()) };
        let mut out: Vec<Value> = local.iter().map(|s| with_cluster_id(status_json(s), node)).collect();
        let alive_since = now_ms() - NODE_EXPIRY.as_millis() as i64;
        for other in self.services.store().live_node_statuses(alive_since).await? {
            if other.node_id != node {
                out.extend(other.statuses.into_iter().map(|s| with_cluster_id(s, &other.node_id)));
            }
        }
        Ok(out)
    }

    /// Write this node's statuses with a fresh heartbeat (cluster mode only).
    pub(super) async fn write_node_statuses(&self) {
        let Some(node) = self.node_id() else { return };
        let statuses: Vec<Value> = match self.all_statuses().await {
            Ok(statuses) => statuses.iter().map(status_json).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot list this node's plugin statuses");
                return;
            }
        };
        let now = now_ms();
        let expired_before = now - 4 * NODE_EXPIRY.as_millis() as i64;
        if let Err(e) = self.services.store().put_node_statuses(node, &statuses, now, expired_before).await {
            tracing::warn!(error = %e, "cannot write this node's plugin statuses");
        }
    }

    /// In a cluster, at the end of [`PluginAdmin::load_installed`]: follow other nodes'
    /// plugin changes and cluster events, keep this node's statuses fresh (its
    /// heartbeat), remove them when the cluster link shuts down, and settle the nodes
    /// whose heartbeat stopped (`service/departed.rs`), this node's previous run first
    /// when it did. Nothing on a single node.
    pub(super) fn join_cluster(self: &Arc<Self>, previous_run_departed: bool) {
        let Some(cluster) = self.services.cluster() else { return };
        tokio::spawn(heartbeat(Arc::downgrade(self)));
        tokio::spawn(crate::service::departed::watch(self.services.downgrade(), NODE_EXPIRY, previous_run_departed, cluster.stopping()));
        crate::plugins::cluster_bus::listen(Arc::downgrade(self), cluster);
    }

    /// Forget this node's statuses (shutting down), so it leaves the listing at once.
    pub async fn leave_cluster(&self) {
        if let Some(node) = self.node_id()
            && let Err(e) = self.services.store().delete_node_statuses(node).await
        {
            tracing::warn!(error = %e, "cannot remove this node's plugin statuses");
        }
    }

    /// A plugin was changed through this node: remember its state as applied here and
    /// tell the other nodes to reconcile it.
    pub(super) async fn changed(&self, id: &str) {
        let Some(cluster) = self.services.cluster() else { return };
        self.mark_applied(id).await;
        self.write_node_statuses().await;
        crate::plugins::cluster_bus::announce_changed(cluster, id).await;
    }
}

/// `status` with `cluster_id` set to `node`.
fn with_cluster_id(mut status: Value, node: &str) -> Value {
    status["cluster_id"] = Value::String(node.to_string());
    status
}

/// In cluster mode, keep this node's statuses fresh and reconcile every plugin now
/// and then, until the service is gone.
async fn heartbeat(admin: Weak<PluginAdmin>) {
    let mut ticks = tokio::time::interval(HEARTBEAT);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut n: u32 = 0;
    let mut stopping = match admin.upgrade().and_then(|a| a.services.cluster().cloned()) {
        Some(cluster) => cluster.stopping(),
        None => return,
    };
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopping.changed() => {
                // Shutting down: leave the statuses now rather than after the expiry.
                if let Some(admin) = admin.upgrade() {
                    admin.leave_cluster().await;
                }
                return;
            }
        }
        let Some(admin) = admin.upgrade() else { return };
        n = n.wrapping_add(1);
        if n.is_multiple_of(RECONCILE_EVERY)
            && let Err(e) = admin.reconcile(true).await
        {
            tracing::warn!(error = %e, "periodic plugin reconciliation failed");
        }
        admin.write_node_statuses().await;
    }
}
