//! `Hub`: the WebSocket fan-out. It knows which connection belongs to which user and delivers an event to an explicit set of users; who may see an event is decided by the service layer before it gets here.
//!
//! Each connection has a bounded queue. A client that does not keep up is
//! disconnected rather than buffered without limit (Mattermost does the same with slow
//! connections); it reconnects and reloads.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

/// Events a connection may have waiting before it counts as too slow.
pub const QUEUE_LEN: usize = 512;

/// Mattermost's `broadcast` object, sent with every event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BroadcastInfo {
    /// Users left out, as a set (`{"<id>": true}`), or `null`.
    pub omit_users: Option<HashMap<String, bool>>,
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
    pub connection_id: String,
    pub omit_connection_id: String,
}

/// One event, shared by every connection it goes to; each adds its own `seq`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub event: String,
    pub data: Value,
    pub broadcast: BroadcastInfo,
}

/// Who receives an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipients {
    /// Every connected user.
    All,
    /// Only these users.
    Users(HashSet<String>),
}

struct Connection {
    user_id: String,
    queue: mpsc::Sender<Arc<Event>>,
}

/// Connected clients by connection id. A std `RwLock`: every use is a short map
/// operation with no `.await` inside, and sends are `try_send`.
#[derive(Default)]
pub struct Hub {
    connections: RwLock<HashMap<String, Connection>>,
}

impl Hub {
    /// Register a connection of `user_id`; events arrive on the returned receiver
    /// until `unregister`, `close_all`, or the connection falls behind.
    pub fn register(&self, connection_id: &str, user_id: &str) -> mpsc::Receiver<Arc<Event>> {
        let (queue, receiver) = mpsc::channel(QUEUE_LEN);
        self.connections.write().unwrap().insert(connection_id.to_string(), Connection { user_id: user_id.to_string(), queue });
        receiver
    }

    /// Forget a connection (it closed).
    pub fn unregister(&self, connection_id: &str) {
        self.connections.write().unwrap().remove(connection_id);
    }

    /// Drop every connection's queue: their tasks see the end of the stream and close
    /// the socket (shutdown).
    pub fn close_all(&self) {
        self.connections.write().unwrap().clear();
    }

    /// Connections open now.
    pub fn connection_count(&self) -> usize {
        self.connections.read().unwrap().len()
    }

    /// Deliver `event` to the connections of `recipients`, minus the event's
    /// `omit_users` and `omit_connection_id`.
    pub fn send(&self, event: Event, recipients: &Recipients) {
        let event = Arc::new(event);
        let omitted = |user_id: &str| event.broadcast.omit_users.as_ref().is_some_and(|o| o.contains_key(user_id));
        let mut too_slow = Vec::new();
        {
            let connections = self.connections.read().unwrap();
            for (connection_id, connection) in connections.iter() {
                let wanted = match recipients {
                    Recipients::All => true,
                    Recipients::Users(users) => users.contains(&connection.user_id),
                };
                if !wanted || omitted(&connection.user_id) || *connection_id == event.broadcast.omit_connection_id {
                    continue;
                }
                if connection.queue.try_send(event.clone()).is_err() {
                    too_slow.push(connection_id.clone());
                }
            }
        }
        if !too_slow.is_empty() {
            let mut connections = self.connections.write().unwrap();
            for connection_id in too_slow {
                tracing::warn!(%connection_id, "websocket connection fell behind; disconnecting it");
                connections.remove(&connection_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(omit: &[&str]) -> Event {
        let omit_users = (!omit.is_empty()).then(|| omit.iter().map(|u| (u.to_string(), true)).collect());
        Event { event: "posted".into(), data: Value::Null, broadcast: BroadcastInfo { omit_users, ..BroadcastInfo::default() } }
    }

    #[test]
    fn events_reach_only_the_chosen_users() {
        let hub = Hub::default();
        let mut ann = hub.register("c1", "ann");
        let mut bob = hub.register("c2", "bob");
        hub.send(event(&[]), &Recipients::Users(["ann".to_string()].into()));
        assert!(ann.try_recv().is_ok());
        assert!(bob.try_recv().is_err());
        hub.send(event(&["ann"]), &Recipients::All);
        assert!(ann.try_recv().is_err(), "omitted");
        assert!(bob.try_recv().is_ok());
    }

    #[test]
    fn a_slow_connection_is_dropped() {
        let hub = Hub::default();
        let mut slow = hub.register("c1", "ann");
        for _ in 0..=QUEUE_LEN {
            hub.send(event(&[]), &Recipients::All);
        }
        assert_eq!(hub.connection_count(), 0);
        let mut received = 0;
        while slow.try_recv().is_ok() {
            received += 1;
        }
        assert_eq!(received, QUEUE_LEN);
    }
}
