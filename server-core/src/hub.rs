//! `Hub`: the WebSocket fan-out. It knows which connection belongs to which user and delivers an event to an explicit set of users; who may see an event is decided by the service layer before it gets here.
//!
//! Each connection has a bounded queue. A client that does not keep up is
//! disconnected rather than buffered without limit (Mattermost does the same with slow
//! connections); it reconnects and reloads.
//!
//! Each connection also remembers the session (or personal access token) it
//! authenticated with, so that revoking that session, or deactivating its user, closes
//! it at once. That bookkeeping lives beside the fan-out map, not in it: `send` walks
//! the same (id, queue) pairs it always did.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// Events a connection may have waiting before it counts as too slow.
pub const QUEUE_LEN: usize = 512;

/// Mattermost's `broadcast` object, sent with every event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// Why the hub ended a connection; the connection task turns it into a close frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// Its session or token was revoked, or its user deactivated.
    Revoked,
    /// It did not keep up with its events.
    TooSlow,
}

/// A registered connection's ends: its events, and (once) why the hub closed it.
/// `closed` fails without a reason when the hub dropped the connection for shutdown.
pub struct Subscription {
    pub events: mpsc::Receiver<Arc<Outgoing>>,
    pub closed: oneshot::Receiver<CloseReason>,
}

/// What the hub knows of a connection besides its queue.
struct Info {
    user_id: String,
    /// The session id, or the personal access token's id, it authenticated with.
    session_id: String,
    close: oneshot::Sender<CloseReason>,
}

/// Open connections, by user so that an event for a channel's hundred members looks up
/// a hundred users rather than walking every connection on the server.
#[derive(Default)]
struct Connections {
    /// user id → that user's connections (id, queue); one per open tab or device.
    by_user: HashMap<String, Vec<(String, Queue)>>,
    /// connection id → its user and session, to find it again when it closes.
    info: HashMap<String, Info>,
}

impl Connections {
    /// Forget a connection; with a reason, tell its task why (it then closes the socket).
    fn remove(&mut self, connection_id: &str, reason: Option<CloseReason>) {
        let Some(info) = self.info.remove(connection_id) else { return };
        if let Some(queues) = self.by_user.get_mut(&info.user_id) {
            queues.retain(|(id, _)| id != connection_id);
            if queues.is_empty() {
                self.by_user.remove(&info.user_id);
            }
        }
        if let Some(reason) = reason {
            // The task may already be gone; then there is no one to tell.
            let _ = info.close.send(reason);
        }
    }

    /// The ids of `user_id`'s connections that `keep` selects.
    fn of_user(&self, user_id: &str, keep: impl Fn(&Info) -> bool) -> Vec<String> {
        let Some(queues) = self.by_user.get(user_id) else { return Vec::new() };
        queues.iter().filter(|(id, _)| self.info.get(id).is_some_and(&keep)).map(|(id, _)| id.clone()).collect()
    }
}

/// Shards of [`Hub::status_turn`]: enough that unrelated users rarely wait on each other
/// (32, the largest array `Default` builds).
const STATUS_SHARDS: usize = 32;

/// Connected clients. A std `RwLock`: every use is a short map operation with no
/// `.await` inside, and sends are `try_send`.
#[derive(Default)]
pub struct Hub {
    connections: RwLock<Connections>,
    /// Turns for the automatic status (`service/status.rs`), by user id's hash: a user's
    /// first connection opening while their last one closes must not leave `offline`
    /// written after `online`.
    status_turns: [tokio::sync::Mutex<()>; STATUS_SHARDS],
}

impl Hub {
    /// Register a connection of `user_id` that authenticated with `session_id` (a
    /// session's id or a personal access token's id); events arrive on the returned
    /// receiver until `unregister`, `close_all`, a `close_*` that matches it, or the
    /// connection falls behind.
    pub fn register(&self, connection_id: &str, user_id: &str, session_id: &str) -> Subscription {
        let (queue, events) = mpsc::channel(QUEUE_LEN);
        let (close, closed) = oneshot::channel();
        let mut connections = self.connections.write().unwrap();
        connections.remove(connection_id, None);
        connections.info.insert(connection_id.to_string(), Info { user_id: user_id.to_string(), session_id: session_id.to_string(), close });
        connections.by_user.entry(user_id.to_string()).or_default().push((connection_id.to_string(), queue));
        Subscription { events, closed }
    }

    /// Forget a connection (it closed).
    pub fn unregister(&self, connection_id: &str) {
        self.connections.write().unwrap().remove(connection_id, None);
    }

    /// Close the connections of `user_id` that authenticated with `session_id` (the
    /// session was revoked, or the token deleted). Returns how many.
    pub fn close_session(&self, user_id: &str, session_id: &str) -> usize {
        let mut connections = self.connections.write().unwrap();
        let ids = connections.of_user(user_id, |info| info.session_id == session_id);
        for id in &ids {
            connections.remove(id, Some(CloseReason::Revoked));
        }
        ids.len()
    }

    /// Close every connection of `user_id` (deactivated, or all their sessions revoked).
    /// Returns how many.
    pub fn close_user(&self, user_id: &str) -> usize {
        let mut connections = self.connections.write().unwrap();
        let ids = connections.of_user(user_id, |_| true);
        for id in &ids {
            connections.remove(id, Some(CloseReason::Revoked));
        }
        ids.len()
    }

    /// Drop every connection's queue: their tasks see the end of the stream and close
    /// the socket (shutdown).
    pub fn close_all(&self) {
        *self.connections.write().unwrap() = Connections::default();
    }

    /// Connections open now.
    pub fn connection_count(&self) -> usize {
        self.connections.read().unwrap().info.len()
    }

    /// Whether `user_id` has a connection open now.
    pub fn is_connected(&self, user_id: &str) -> bool {
        self.connections.read().unwrap().by_user.contains_key(user_id)
    }

    /// The lock that orders `user_id`'s automatic status changes (shared with the
    /// users whose ids hash alike).
    pub fn status_turn(&self, user_id: &str) -> &tokio::sync::Mutex<()> {
        use std::hash::{BuildHasher, RandomState};
        // A fixed hasher per process would do as well; `RandomState::new()` per call
        // would not (each call its own keys), so hash with one built once.
        static KEYS: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
        let hash = KEYS.get_or_init(RandomState::new).hash_one(user_id);
        &self.status_turns[(hash % STATUS_SHARDS as u64) as usize]
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
                connections.remove(&connection_id, Some(CloseReason::TooSlow));
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
        let mut ann = hub.register("c1", "ann", "s-c1").events;
        let mut bob = hub.register("c2", "bob", "s-c2").events;
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
        let Subscription { events: mut slow, mut closed } = hub.register("c1", "ann", "s-c1");
        for _ in 0..=QUEUE_LEN {
            hub.send(event(&[]), &Recipients::All);
        }
        assert_eq!(hub.connection_count(), 0);
        let mut received = 0;
        while slow.try_recv().is_ok() {
            received += 1;
        }
        assert_eq!(received, QUEUE_LEN);
        assert_eq!(closed.try_recv(), Ok(CloseReason::TooSlow));
    }
    #[test]
    fn a_frame_is_the_event_with_its_seq() {
        let hub = Hub::default();
        let mut ann = hub.register("c1", "ann", "s-c1").events;
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
        let mut laptop = hub.register("c1", "ann", "s-c1").events;
        let mut phone = hub.register("c2", "ann", "s-c2").events;
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

    #[test]
    fn closing_a_session_closes_only_its_connections() {
        let hub = Hub::default();
        let mut laptop = hub.register("c1", "ann", "session-1");
        let mut phone = hub.register("c2", "ann", "session-2");
        let mut bob = hub.register("c3", "bob", "session-1");
        assert_eq!(hub.close_session("ann", "session-1"), 1);
        assert_eq!(laptop.closed.try_recv(), Ok(CloseReason::Revoked));
        assert!(phone.closed.try_recv().is_err() && bob.closed.try_recv().is_err(), "other sessions stay open");
        hub.send(event(&[]), &Recipients::All);
        assert!(laptop.events.try_recv().is_err(), "no events after the close");
        assert!(phone.events.try_recv().is_ok() && bob.events.try_recv().is_ok());
        assert_eq!(hub.close_session("ann", "session-1"), 0);
        assert_eq!(hub.connection_count(), 2);
    }

    #[test]
    fn closing_a_user_closes_all_their_connections() {
        let hub = Hub::default();
        let mut laptop = hub.register("c1", "ann", "session-1");
        let mut phone = hub.register("c2", "ann", "token-1");
        let mut bob = hub.register("c3", "bob", "session-3");
        assert_eq!(hub.close_user("ann"), 2);
        assert_eq!(laptop.closed.try_recv(), Ok(CloseReason::Revoked));
        assert_eq!(phone.closed.try_recv(), Ok(CloseReason::Revoked));
        hub.send(event(&[]), &Recipients::Users(["ann".to_string(), "bob".to_string()].into()));
        assert!(laptop.events.try_recv().is_err() && phone.events.try_recv().is_err());
        assert!(bob.events.try_recv().is_ok());
        assert_eq!(hub.connection_count(), 1);
    }
}
