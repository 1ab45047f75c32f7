//! Nodes that stopped without leaving (`kill -9`, a lost machine): every node of a cluster looks for heartbeats gone silent, exactly one claims each departure, and it settles the automatic statuses the dead node's sockets held up.
//!
//! A node's heartbeat is its row in `cluster_plugin_statuses`, written every
//! `HEARTBEAT` (`plugins/admin/cluster.rs`); a node shutting down removes its row, so a
//! row silent past the expiry is a node that died. Claiming deletes the row only if it
//! still carries the heartbeat seen, so one survivor settles each death and a node that
//! was merely slow writes its row again at its next beat.
//!
//! Which users had sockets on the dead node is recorded nowhere (that would cost a
//! write per connection); the claiming node re-checks every user automatically shown
//! `online` who has no socket on it ([`super::status::Statuses::settle_automatic`]),
//! asking the live nodes as a normal disconnect does. A node restarted under the same
//! id before its row expired finds its own row at start and settles its previous run
//! the same way. A single node settles its own previous run at every start
//! ([`Services::settle_previous_single_run`]).

use std::time::Duration;

use tokio::sync::watch;

use super::{Services, WeakServices, now_ms};

/// How often each node looks for silent heartbeats: a death is settled at most this
/// long after its heartbeat expired.
pub const LOOK_EVERY: Duration = Duration::from_secs(2);

impl Services {
    /// Claim and settle every node silent for longer than `expiry`; returns how many
    /// departures this node settled.
    pub(crate) async fn settle_departed_nodes(&self, expiry: Duration) -> usize {
        let silent_since = now_ms() - i64::try_from(expiry.as_millis()).unwrap_or(i64::MAX);
        let silent = match self.store().silent_nodes(silent_since).await {
            Ok(silent) => silent,
            Err(error) => {
                tracing::warn!(%error, "cannot look for departed cluster nodes");
                return 0;
            }
        };
        let mut settled = 0;
        for (node_id, heartbeat_at) in silent {
            match self.store().claim_departed_node(&node_id, heartbeat_at).await {
                Ok(true) => {
                    tracing::warn!(departed = %node_id, silent_ms = now_ms() - heartbeat_at, "a cluster node stopped without leaving; settling its users' statuses");
                    self.settle_statuses().await;
                    settled += 1;
                }
                // Another node claimed it first, or it beat again.
                Ok(false) => {}
                Err(error) => tracing::warn!(departed = %node_id, %error, "cannot claim a departed cluster node"),
            }
        }
        settled
    }

    /// At start, before this node's first heartbeat: whether its previous run under the
    /// same id ended without leaving (its row is still there). The row is claimed, so
    /// no other node settles that run too.
    pub(crate) async fn claim_own_previous_run(&self) -> bool {
        let Some(cluster) = self.cluster() else { return false };
        match self.store().node_heartbeat(cluster.node_id()).await {
            Ok(Some(heartbeat_at)) => self.store().claim_departed_node(cluster.node_id(), heartbeat_at).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "cannot claim this node's previous run");
                false
            }),
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(%error, "cannot read this node's previous heartbeat");
                false
            }
        }
    }

    /// On a single node at start: no socket outlives a run, so an automatic `online`
    /// still in the store was left by a run that stopped without closing its sockets (a
    /// crash, `kill -9`). Those users are settled as after their last disconnect; after
    /// a clean stop there is nobody to settle and this is one query.
    pub(crate) async fn settle_previous_single_run(&self) {
        if self.cluster().is_none() {
            self.settle_statuses().await;
        }
    }

    async fn settle_statuses(&self) {
        match self.statuses().settle_automatic().await {
            Ok(users) => tracing::info!(users, "re-checked the automatic statuses after a node departed"),
            Err(error) => tracing::warn!(%error, "cannot re-check statuses after a node departed"),
        }
    }
}

/// In cluster mode, until `stopping`: settle this node's previous run first when
/// `previous_run_departed`, then look for departed nodes every [`LOOK_EVERY`].
pub(crate) async fn watch(services: WeakServices, expiry: Duration, previous_run_departed: bool, mut stopping: watch::Receiver<bool>) {
    if previous_run_departed && let Some(services) = services.upgrade() {
        tracing::warn!("this node's previous run stopped without leaving; settling its users' statuses");
        services.settle_statuses().await;
    }
    let mut looks = tokio::time::interval(LOOK_EVERY);
    looks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = looks.tick() => {}
            _ = stopping.changed() => return,
        }
        let Some(services) = services.upgrade() else { return };
        services.settle_departed_nodes(expiry).await;
    }
}
