//! Plugins on the cluster bus (NATS): `plugins.changed` tells other nodes to reconcile a plugin an admin changed, and `plugins.cluster.<plugin id>` carries a plugin's `cluster.publish` to its copies on the other nodes.
//!
//! Every message names its sender in a `Confab-Node` header and a node ignores its
//! own, so a plugin's cluster event reaches the other nodes and never the sender (as
//! in Mattermost). A lost change notification (the bus was down) is made good by the
//! periodic reconciliation ([`crate::plugins::admin`]); a plugin's cluster event is
//! fire-and-forget, as Mattermost's `PublishPluginClusterEvent` is.

use std::sync::{Arc, Weak};

use crate::cluster::{Cluster, PLUGINS_CHANGED};
use crate::plugins::admin::PluginAdmin;
use confab_host::types::{ClusterEvent, PluginContext};

const NODE_HEADER: &str = "Confab-Node";
const EVENT_ID_HEADER: &str = "Confab-Event-Id";

fn headers(cluster: &Cluster) -> async_nats::HeaderMap {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(NODE_HEADER, cluster.node_id());
    headers
}

/// Whether `message` came from the node `node_id`.
fn sent_by(node_id: &str, message: &async_nats::Message) -> bool {
    message.headers.as_ref().and_then(|h| h.get(NODE_HEADER)).is_some_and(|n| n.as_str() == node_id)
}

/// Tell the other nodes that `plugin_id` changed. A failure is logged: the periodic
/// reconciliation brings them up to date anyway.
pub async fn announce_changed(cluster: &Cluster, plugin_id: &str) {
    let payload = plugin_id.as_bytes().to_vec().into();
    if let Err(e) = cluster.client().publish_with_headers(cluster.subject(PLUGINS_CHANGED), headers(cluster), payload).await {
        tracing::warn!(plugin_id, error = %e, "cannot announce a plugin change to the cluster; other nodes catch up at their next reconciliation");
    }
}

/// Send a plugin's cluster event to its copies on the other nodes.
pub async fn publish_event(cluster: &Cluster, plugin_id: &str, event: &ClusterEvent) -> Result<(), async_nats::PublishError> {
    let mut headers = headers(cluster);
    headers.insert(EVENT_ID_HEADER, event.id.as_str());
    cluster.client().publish_with_headers(cluster.plugin_subject(plugin_id), headers, event.data.clone().into()).await
}

/// Follow the bus until shutdown: reconcile the plugins other nodes changed, deliver
/// other nodes' plugin cluster events to the local copies. Each subject has its own
/// task, so a slow reconciliation (a compile) never holds up events.
pub fn listen(admin: Weak<PluginAdmin>, cluster: &Arc<Cluster>) {
    let node = cluster.node_id().to_string();
    let changes_admin = admin.clone();
    cluster.subscribe_loop(cluster.subject(PLUGINS_CHANGED), move |message| {
        let (admin, node) = (changes_admin.clone(), node.clone());
        async move {
            if sent_by(&node, &message) {
                return;
            }
            let Some(admin) = admin.upgrade() else { return };
            let plugin_id = String::from_utf8_lossy(&message.payload).into_owned();
            match admin.reconcile_plugin(&plugin_id).await {
                Ok(done) => tracing::debug!(plugin_id, ?done, "plugin changed on another node"),
                Err(e) => tracing::warn!(plugin_id, error = %e, "cannot follow a plugin change from another node"),
            }
        }
    });
    let node = cluster.node_id().to_string();
    // Plugin ids may hold dots: the id is everything after the prefix.
    let prefix = cluster.plugin_subject("");
    cluster.subscribe_loop(format!("{prefix}>"), move |message| {
        let (admin, node, prefix) = (admin.clone(), node.clone(), prefix.clone());
        async move {
            if sent_by(&node, &message) {
                return;
            }
            let Some(plugin_id) = message.subject.as_str().strip_prefix(prefix.as_str()) else { return };
            let Some(admin) = admin.upgrade() else { return };
            let id = message.headers.as_ref().and_then(|h| h.get(EVENT_ID_HEADER)).map(|v| v.as_str().to_string()).unwrap_or_default();
            let event = ClusterEvent { id, data: message.payload.to_vec() };
            admin.host().on_plugin_cluster_event(plugin_id, &PluginContext::default(), &event);
        }
    });
}
