//! `Hub`: the WebSocket fan-out. It knows which connection belongs to which user and delivers an event to an explicit set of users; who may see an event is decided by the service layer before it gets here.
//!
//! Each connection has a bounded queue. A client that does not keep up is
//! disconnected rather than buffered without limit (Mattermost does the same with slow
//! connections); it reconnects and reloads.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
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

/// An event on its way out: serialized once for every connection it goes to, since
/// only the `seq` differs between them (ten thousand members would otherwise mean ten
/// thousand serializations of the same post).
#[derive(Debug)]
pub struct Outgoing {
    inner: Event,
    /// The event's JSON without its closing brace, ready for `,"seq":n}`.
    open_json: String,
}

impl Outgoing {
    pub fn new(inner: Event) -> Outgoing {
        let mut open_json = serde_json::to_string(&inner).expect("events serialize");
        open_json.pop();
        Outgoing { inner, open_json }
    }

    /// The text frame for a connection at `seq`: Mattermost's
    /// `{"event":…,"data":…,"broadcast":…,"seq":n}`.
    pub fn frame(&self, seq: i64) -> String {
        let mut frame = String::with_capacity(self.open_json.len() + 24);
        frame.push_str(&self.open_json);
        // Writing to a String cannot fail.
        let _ = write!(frame, ",\"seq\":{seq}}}");
        frame
    }
}

impl std::ops::Deref for Outgoing {
    type Target = Event;

    fn deref(&self) -> &Event {
        &self.inner
    }
}

type Queue = mpsc::Sender<Arc<Outgoing>>;

/// Open connections, by user so that an event for a channel's hundred members looks up
/// a hundred users rather than walking every connection on the server.
#[derive(Default)]
struct Connections {
    /// user id → that user's connections (id, queue); one per open tab or device.
    by_user: HashMap<String, Vec<(String, Queue)>>,
    /// connection id → user id, to find a connection again when it closes.
    user_of: HashMap<String, String>,
}

impl Connections {
    fn remove(&mut self, connection_id: &str) {
        let Some(user_id) = self.user_of.remove(connection_id) else { return };
        if let Some(queues) = self.by_user.get_mut(&user_id) {
            queues.retain(|(id, _)| id != connection_id);
            if queues.is_empty() {
                self.by_user.remove(&user_id);
            }
        }
    }
}

/// Connected clients. A std `RwLock`: every use is a short map operation with no
/// `.await` inside, and sends are `try_send`.
#[derive(Default)]
pub struct Hub {
    connections: RwLock<Connections>,
}

impl Hub {
    /// Register a connection of `user_id`; events arrive on the returned receiver
    /// until `unregister`, `close_all`, or the connection falls behind.
    pub fn register(&self, connection_id: &str, user_id: &str) -> mpsc::Receiver<Arc<Outgoing>> {
        let (queue, receiver) = mpsc::channel(QUEUE_LEN);
        let mut connections = self.connections.write().unwrap();
        connections.remove(connection_id);
        connections.user_of.insert(connection_id.to_string(), user_id.to_string());
        connections.by_user.entry(user_id.to_string()).or_default().push((connection_id.to_string(), queue));
        receiver
    }

    /// Forget a connection (it closed).
    pub fn unregister(&self, connection_id: &str) {
        self.connections.write().unwrap().remove(connection_id);
    }

    /// Drop every connection's queue: their tasks see the end of the stream and close
    /// the socket (shutdown).
    pub fn close_all(&self) {
        *self.connections.write().unwrap() = Connections::default();
    }

    /// Connections open now.
    pub fn connection_count(&self) -> usize {
        self.connections.read().unwrap().user_of.len()
    }

    /// Deliver `event` to the connections of `recipients`, minus the event's
    /// `omit_users` and `omit_connection_id`.
    pub fn send(&self, event: Event, recipients: &Recipients) {
        let event = Arc::new(Outgoing::new(event));
        let omitted = |user_id: &str| event.broadcast.omit_users.as_ref().is_some_and(|o| o.contains_key(user_id));
        let mut too_slow = Vec::new();
        let mut deliver = |queues: &[(String, Queue)]| {
            for (connection_id, queue) in queues {
                if *connection_id != event.broadcast.omit_connection_id && queue.try_send(event.clone()).is_err() {
                    too_slow.push(connection_id.clone());
                }
            }
        };
        {
            let connections = self.connections.read().unwrap();
            match recipients {
                Recipients::All => {
                    for (user_id, queues) in &connections.by_user {
                        if !omitted(user_id) {
                            deliver(queues);
                        }
                    }
                }
                Recipients::Users(users) => {
                    for user_id in users {
                        if let Some(queues) = connections.by_user.get(user_id)
                            && !omitted(user_id)
                        {
                            deliver(queues);
                        }
                    }
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
    #[test]
    fn a_frame_is_the_event_with_its_seq() {
        let hub = Hub::default();
        let mut ann = hub.register("c1", "ann");
        let sent = Event { event: "posted".into(), data: serde_json::json!({ "post": "{\"id\":\"p\"}" }), broadcast: BroadcastInfo::default() };
        hub.send(sent.clone(), &Recipients::All);
        let received = ann.try_recv().unwrap();
        let frame: Value = serde_json::from_str(&received.frame(41)).unwrap();
        let mut expected = serde_json::to_value(&sent).unwrap();
        expected["seq"] = 41.into();
        assert_eq!(frame, expected);
        assert!(received.frame(7).ends_with(",\"seq\":7}"), "seq comes last, as Mattermost sends it");
    }

    #[test]
    fn every_connection_of_a_user_gets_the_event_until_it_closes() {
        let hub = Hub::default();
        let mut laptop = hub.register("c1", "ann");
        let mut phone = hub.register("c2", "ann");
        let to_ann = Recipients::Users(["ann".to_string()].into());
        hub.send(event(&[]), &to_ann);
        assert!(laptop.try_recv().is_ok() && phone.try_recv().is_ok());

        let mut from_laptop = event(&[]);
        from_laptop.broadcast.omit_connection_id = "c1".into();
        hub.send(from_laptop, &to_ann);
        assert!(laptop.try_recv().is_err(), "the connection it came from is left out");
        assert!(phone.try_recv().is_ok());

        hub.unregister("c1");
        assert_eq!(hub.connection_count(), 1);
        hub.send(event(&[]), &to_ann);
        assert!(phone.try_recv().is_ok(), "the other connection stays");
        hub.unregister("c2");
        hub.unregister("c2");
        assert_eq!(hub.connection_count(), 0);
    }
}
