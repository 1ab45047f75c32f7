//! `Cluster`: this node's link to the other nodes of a cluster (cluster mode, `--cluster-nats-url`): its node id, the NATS client and JetStream context, the subjects nodes talk on, and a subscription loop that survives NATS restarts.
//!
//! Every subject is under `confab.<namespace>.` ([`Cluster::subject`]): the namespace is
//! generated once and kept in the shared database, so the nodes of one cluster share it
//! and two clusters (or test runs) on one NATS server never hear each other. The node id names this node to the others (in
//! `X-Cluster-Id`, plugin statuses' `cluster_id`, the events it publishes); it is given
//! with `--cluster-node-id` or generated once and kept in `<data dir>/cluster-node-id`.
//! On a single node there is no `Cluster` at all (`Services::cluster` is `None`) and no
//! NATS connection.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::hub::{Event, Hub, Recipients};

pub mod bus;
mod delivery;
pub mod holdback;
mod presence;
#[cfg(test)]
mod two_nodes;

pub use holdback::Causality;

/// Events for WebSocket clients, in one stream so that every node sees them in one
/// order (a name for [`Cluster::subject`]).
pub const EVENTS: &str = "events";
/// Closing a session's or user's sockets on every node (revocation, deactivation), and
/// asking every node to resynchronise its clients; in the events' stream, so in their order.
pub const HUB_CLOSE: &str = "hub.close";
/// A plugin was installed, changed or removed: every node reconciles.
pub const PLUGINS_CHANGED: &str = "plugins.changed";
/// Presence questions ("is this user connected on your node?"), one subject per user
/// under this prefix.
pub const PRESENCE: &str = "presence";

/// The name in the database of the cluster's namespace (see [`Cluster::subject`]).
pub const NAMESPACE_SECRET: &str = "cluster_namespace";

/// The file in the data directory that keeps a generated node id.
pub const NODE_ID_FILE: &str = "cluster-node-id";

/// Why cluster mode could not start.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// Cluster mode needs a database every node shares.
    #[error("cluster mode needs PostgreSQL (--database-url postgres://…); SQLite is one node's file and cannot be shared")]
    NeedsPostgres,
    /// The node id given is not usable.
    #[error("invalid --cluster-node-id `{0}`: use 1 to 64 letters, digits, `-` or `_`")]
    InvalidNodeId(String),
    /// The node id file could not be read or written.
    #[error("cluster node id file {path}: {source}")]
    NodeIdFile { path: std::path::PathBuf, source: std::io::Error },
    /// NATS could not be reached or set up.
    #[error("cluster bus {url}: {message}")]
    Nats { url: String, message: String },
}

/// Whether `id` can name a node: it goes into headers, JSON and NATS subjects.
pub fn is_valid_node_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The node id: `given`, or the one kept in `data_dir`, or a new one written there.
pub fn node_id(data_dir: &Path, given: Option<&str>) -> Result<String, ClusterError> {
    if let Some(id) = given {
        return if is_valid_node_id(id) { Ok(id.to_string()) } else { Err(ClusterError::InvalidNodeId(id.to_string())) };
    }
    let path = data_dir.join(NODE_ID_FILE);
    let file_error = |source| ClusterError::NodeIdFile { path: path.clone(), source };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let id = text.trim();
            if is_valid_node_id(id) { Ok(id.to_string()) } else { Err(ClusterError::InvalidNodeId(id.to_string())) }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let id = crate::ids::new_id();
            // Written beside and renamed, so a crash never leaves half an id.
            let partial = data_dir.join(format!("{NODE_ID_FILE}.partial"));
            std::fs::write(&partial, format!("{id}\n")).map_err(file_error)?;
            std::fs::rename(&partial, &path).map_err(file_error)?;
            Ok(id)
        }
        Err(e) => Err(file_error(e)),
    }
}

/// Whether the bus is connected now, as the NATS client last reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Up,
    Down,
}

/// This node's membership of the cluster. Built once at start-up, shared by the
/// services (`Services::cluster`).
pub struct Cluster {
    node_id: String,
    /// The cluster's own part of every subject: nodes on one database share it, and
    /// two clusters on one NATS server never hear each other.
    namespace: String,
    client: async_nats::Client,
    jetstream: async_nats::jetstream::Context,
    /// The connection's state, following the client's events.
    link: watch::Receiver<Link>,
    /// Set once at shutdown; subscription loops end on it.
    stopping: watch::Sender<bool>,
    /// Publishes envelopes to the events' stream.
    publisher: bus::Publisher,
    /// The users this node answers presence questions for.
    presence: presence::Presence,
}

impl Cluster {
    /// Connect to NATS at `url` as node `node_id` of the cluster whose subjects are under
    /// `confab.<namespace>.` (the namespace is kept in the shared database, so every node
    /// of one cluster has it). Reconnects forever once connected; the first connection
    /// must succeed (a node that cannot reach the bus does not start).
    pub async fn connect(url: &str, node_id: String, namespace: String) -> Result<Cluster, ClusterError> {
        let (link_tx, link) = watch::channel(Link::Up);
        let link_tx = Arc::new(link_tx);
        let options = async_nats::ConnectOptions::new()
            .name(format!("confab-{node_id}"))
            .connection_timeout(Duration::from_secs(5))
            .max_reconnects(None)
            .reconnect_delay_callback(|attempts| Duration::from_millis((100 * attempts as u64).min(2_000)))
            .event_callback(move |event| {
                let link_tx = link_tx.clone();
                async move {
                    match event {
                        async_nats::Event::Connected => {
                            tracing::info!("cluster bus connected");
                            link_tx.send_replace(Link::Up);
                        }
                        async_nats::Event::Disconnected => {
                            tracing::warn!("cluster bus disconnected; reconnecting");
                            link_tx.send_replace(Link::Down);
                        }
                        other => tracing::debug!(event = %other, "cluster bus event"),
                    }
                }
            });
        let client = options.connect(url).await.map_err(|e| ClusterError::Nats { url: crate::store::redact(url), message: e.to_string() })?;
        let jetstream = async_nats::jetstream::new(client.clone());
        let (stopping, _) = watch::channel(false);
        tracing::info!(node_id, "joined the cluster");
        let cluster = Cluster { node_id, namespace, client, jetstream, link, stopping, publisher: bus::Publisher::start(), presence: Default::default() };
        // Made now, so a node that cannot create it fails at start-up, not later.
        cluster
            .jetstream
            .get_or_create_stream(delivery::stream_config(&cluster))
            .await
            .map_err(|e| ClusterError::Nats { url: crate::store::redact(url), message: format!("the events stream: {e}") })?;
        Ok(cluster)
    }

    /// This node's id.
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// The full subject for `name` (one of [`EVENTS`], [`HUB_CLOSE`],
    /// [`PLUGINS_CHANGED`], ... or a name of the caller's own):
    /// `confab.<namespace>.<name>`.
    pub fn subject(&self, name: &str) -> String {
        format!("confab.{}.{name}", self.namespace)
    }

    /// The subject of `cluster.publish` for one plugin: the same plugin on the other
    /// nodes listens there.
    pub fn plugin_subject(&self, plugin_id: &str) -> String {
        self.subject(&format!("plugins.cluster.{plugin_id}"))
    }

    /// The cluster's namespace (a JetStream stream name may use it: letters and digits).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The NATS client (core publish, subscribe, request).
    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    /// JetStream over the same connection.
    pub fn jetstream(&self) -> &async_nats::jetstream::Context {
        &self.jetstream
    }

    /// The connection's state, to wait on changes (`changed()`).
    pub fn link(&self) -> watch::Receiver<Link> {
        self.link.clone()
    }

    /// The connection's state now.
    pub fn link_now(&self) -> Link {
        *self.link.borrow()
    }

    /// Whether shutdown began; loops select on `changed()` to end.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Run `handle` on every message of `subject` until shutdown, in a task. The
    /// client re-subscribes by itself after a reconnect; should the subscription still
    /// end or fail, it is made again after a pause that grows to at most two seconds,
    /// so a broken bus costs a bounded retry rate, never a busy loop.
    pub fn subscribe_loop<F, Fut>(&self, subject: impl Into<String>, handle: F) -> tokio::task::JoinHandle<()>
    where
        F: Fn(async_nats::Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let subject = subject.into();
        let client = self.client.clone();
        let mut stopping = self.stopping();
        tokio::spawn(async move {
            let mut pause = Duration::from_millis(50);
            loop {
                if *stopping.borrow() {
                    return;
                }
                match client.subscribe(subject.clone()).await {
                    Ok(mut subscriber) => {
                        use futures_util::StreamExt;
                        loop {
                            tokio::select! {
                                message = subscriber.next() => match message {
                                    Some(message) => {
                                        pause = Duration::from_millis(50);
                                        handle(message).await;
                                    }
                                    None => break,
                                },
                                _ = stopping.changed() => return,
                            }
                        }
                        tracing::warn!(%subject, "cluster subscription ended; subscribing again");
                    }
                    Err(error) => tracing::warn!(%subject, %error, "cluster subscription failed; retrying"),
                }
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    _ = stopping.changed() => return,
                }
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        })
    }

    /// Start delivering the cluster's events to this node's connections in `hub` (one
    /// task, until shutdown). Call before serving: only events from then on are read.
    pub fn start_delivery(self: &Arc<Self>, hub: Arc<Hub>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(delivery::run(self.clone(), hub))
    }

    /// Send `event` to `recipients` on every node (this one too, in the stream's order).
    pub async fn publish_event(&self, event: Event, recipients: &Recipients, causality: Causality) {
        let users = match recipients {
            Recipients::All => None,
            Recipients::Users(users) => Some(users.iter().cloned().collect()),
        };
        let envelope = bus::Envelope::Event { origin: self.node_id.clone(), event, users, causality };
        self.publisher.send(&self.jetstream, self.link_now(), self.subject(EVENTS), &envelope).await;
    }

    /// Close the sockets `user_id` opened with `session_id` on the other nodes (the
    /// caller closed this node's).
    pub async fn publish_close_session(&self, user_id: &str, session_id: &str) {
        let envelope = bus::Envelope::CloseSession { origin: self.node_id.clone(), user_id: user_id.to_string(), session_id: session_id.to_string() };
        self.publisher.send(&self.jetstream, self.link_now(), self.subject(HUB_CLOSE), &envelope).await;
    }

    /// Close every socket of `user_id` on the other nodes (the caller closed this node's).
    pub async fn publish_close_user(&self, user_id: &str) {
        let envelope = bus::Envelope::CloseUser { origin: self.node_id.clone(), user_id: user_id.to_string() };
        self.publisher.send(&self.jetstream, self.link_now(), self.subject(HUB_CLOSE), &envelope).await;
    }

    /// Ask every node to close its sockets, so clients refetch what was lost.
    async fn publish_resync(&self) {
        tracing::warn!("events were lost while the cluster bus was down; asking every node to resynchronise its clients");
        let envelope = bus::Envelope::Resync { origin: self.node_id.clone() };
        // A failure marks the loss again, and the next check retries.
        self.publisher.send(&self.jetstream, self.link_now(), self.subject(HUB_CLOSE), &envelope).await;
    }

    /// Answer presence questions for `user_id` while `connected` here (returns once the
    /// server knows).
    pub async fn set_present(&self, user_id: &str, connected: bool) {
        let subject = self.presence_subject(user_id);
        self.presence.set_local(&self.client, subject, user_id, connected).await;
    }

    /// Whether another node has a socket of `user_id` open.
    pub async fn present_elsewhere(&self, user_id: &str) -> bool {
        presence::Presence::elsewhere(&self.client, self.presence_subject(user_id)).await
    }

    fn presence_subject(&self, user_id: &str) -> String {
        self.subject(&format!("{PRESENCE}.{user_id}"))
    }

    /// Stop the loops and flush what is still queued for the server.
    pub async fn shutdown(&self) {
        self.stopping.send_replace(true);
        if let Err(error) = self.client.flush().await {
            tracing::debug!(%error, "cluster bus flush at shutdown failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_node_id_is_kept_and_a_given_one_wins() {
        let dir = tempfile::tempdir().unwrap();
        let first = node_id(dir.path(), None).unwrap();
        assert!(crate::ids::is_valid_id(&first), "{first}");
        assert_eq!(node_id(dir.path(), None).unwrap(), first, "read back, not generated again");
        assert_eq!(node_id(dir.path(), Some("node-b")).unwrap(), "node-b");
        assert!(matches!(node_id(dir.path(), Some("a.b")), Err(ClusterError::InvalidNodeId(_))), "dots split NATS subjects");
        assert!(matches!(node_id(dir.path(), Some("")), Err(ClusterError::InvalidNodeId(_))));
        std::fs::write(dir.path().join(NODE_ID_FILE), "not valid!\n").unwrap();
        assert!(matches!(node_id(dir.path(), None), Err(ClusterError::InvalidNodeId(_))), "a damaged file is reported, not replaced");
    }
}
