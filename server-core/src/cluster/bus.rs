//! The event bus's sending side: what nodes tell each other about WebSocket clients (an event with the recipients its origin chose, a hub command) and how it is published to the cluster's JetStream stream without waiting on the server's answer.
//!
//! Every envelope goes through the stream, the origin's own clients' events too, so all
//! nodes deliver in the one order the stream gives. Publishing only queues the message
//! on the connection (order per node is the order of the calls); the stream's
//! acknowledgement is awaited by a task of its own. An envelope the stream did not take
//! (the bus was down) marks the bus as having lost events: once it is back, the
//! delivery loop asks every node to resynchronise (`Envelope::Resync`: each closes its
//! sockets, and clients reconnect and refetch, as Mattermost's and ours do), so nobody
//! misses an event silently.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_nats::jetstream::context::PublishAckFuture;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::Link;
use super::holdback::Causality;
use crate::hub::Event;

/// Acknowledgements that may be awaited at once before publishers wait.
const ACKS_IN_FLIGHT: usize = 8192;

/// The longest a publisher waits to hand an envelope to the connection.
const QUEUE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// One message on the bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Envelope {
    /// Deliver `event` to the local connections of `users` (every user when `None`):
    /// the recipients were decided from the store on the origin node.
    Event { origin: String, event: Event, users: Option<Vec<String>>, causality: Causality },
    /// Close the sockets `user_id` opened with `session_id` (revoked).
    CloseSession { origin: String, user_id: String, session_id: String },
    /// Close every socket of `user_id` (deactivated, signed out everywhere).
    CloseUser { origin: String, user_id: String },
    /// Events were lost: every node closes its sockets so clients reconnect and refetch.
    Resync { origin: String },
}

impl Envelope {
    /// The node that sent it.
    pub fn origin(&self) -> &str {
        match self {
            Envelope::Event { origin, .. } | Envelope::CloseSession { origin, .. } | Envelope::CloseUser { origin, .. } | Envelope::Resync { origin } => origin,
        }
    }
}

/// Sends envelopes and watches their acknowledgements.
pub(super) struct Publisher {
    acks: mpsc::Sender<PublishAckFuture>,
    lost: Arc<AtomicBool>,
}

impl Publisher {
    /// A publisher with its acknowledgement task.
    pub(super) fn start() -> Publisher {
        let (acks, pending) = mpsc::channel(ACKS_IN_FLIGHT);
        let lost = Arc::new(AtomicBool::new(false));
        tokio::spawn(watch_acks(pending, lost.clone()));
        Publisher { acks, lost }
    }

    /// Publish `envelope` on `subject` of the stream. A failure is remembered (see
    /// [`Publisher::take_lost`]), not returned: the change it reports is already made.
    /// With the link down nothing is queued (the client's buffer would fill and
    /// publishers wait on it): the envelope counts as lost at once.
    pub(super) async fn send(&self, jetstream: &async_nats::jetstream::Context, link: Link, subject: String, envelope: &Envelope) {
        if link == Link::Down {
            self.lost.store(true, Ordering::SeqCst);
            return;
        }
        let payload = match serde_json::to_vec(envelope) {
            Ok(payload) => payload,
            Err(error) => return tracing::error!(%error, "a cluster envelope did not serialize"),
        };
        match tokio::time::timeout(QUEUE_TIMEOUT, jetstream.publish(subject, payload.into())).await {
            Ok(Ok(ack)) => {
                if self.acks.send(ack).await.is_err() {
                    tracing::debug!("cluster acknowledgement task gone (shutdown)");
                }
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "publishing to the cluster bus failed; clients will resynchronise");
                self.lost.store(true, Ordering::SeqCst);
            }
            Err(_) => {
                tracing::warn!("publishing to the cluster bus timed out; clients will resynchronise");
                self.lost.store(true, Ordering::SeqCst);
            }
        }
    }

    /// Whether an envelope was lost since the last call (and forget it).
    pub(super) fn take_lost(&self) -> bool {
        self.lost.swap(false, Ordering::SeqCst)
    }
}

/// Await acknowledgements as they come, many at once (each has the context's timeout).
async fn watch_acks(mut incoming: mpsc::Receiver<PublishAckFuture>, lost: Arc<AtomicBool>) {
    let mut pending = FuturesUnordered::new();
    loop {
        tokio::select! {
            ack = incoming.recv() => match ack {
                Some(ack) => pending.push(ack.into_future()),
                None => break,
            },
            Some(result) = pending.next(), if !pending.is_empty() => {
                if let Err(error) = result {
                    tracing::warn!(%error, "the cluster stream did not take an event; clients will resynchronise");
                    lost.store(true, Ordering::SeqCst);
                }
            }
        }
    }
    while let Some(result) = pending.next().await {
        if result.is_err() {
            lost.store(true, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::BroadcastInfo;

    #[test]
    fn envelopes_round_trip_as_json() {
        let event = Event { event: "posted".into(), data: serde_json::json!({ "post": "{}" }), broadcast: BroadcastInfo::default() };
        let envelopes = [
            Envelope::Event { origin: "a".into(), event, users: Some(vec!["u1".into()]), causality: Causality::Creates { post_id: "p".into() } },
            Envelope::CloseSession { origin: "a".into(), user_id: "u".into(), session_id: "s".into() },
            Envelope::CloseUser { origin: "b".into(), user_id: "u".into() },
            Envelope::Resync { origin: "c".into() },
        ];
        for envelope in envelopes {
            let bytes = serde_json::to_vec(&envelope).unwrap();
            let back: Envelope = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(back.origin(), envelope.origin());
            assert_eq!(back, envelope);
        }
    }
}
