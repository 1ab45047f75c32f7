//! The event bus's receiving side: one task per node reads the cluster's stream in order (an ordered consumer, resumed from the last sequence it saw after a NATS restart) and delivers each event to this node's connections, through the causal hold-back.
//!
//! Each envelope is applied once: a sequence at or below the last one seen is a repeat
//! (after a re-attach) and skipped. A sequence that jumps, a stream that was replaced or
//! lost its older messages while this node was away means events this node's clients
//! never got: the node then closes its sockets, and clients reconnect and refetch.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::DeliverPolicy;
use async_nats::jetstream::consumer::push::{Ordered, OrderedConfig};
use async_nats::jetstream::stream;
use futures_util::StreamExt;

use super::bus::Envelope;
use super::holdback::HoldBack;
use super::{Cluster, EVENTS, HUB_CLOSE, Link};
use crate::hub::{Event, Hub, Recipients};

/// How long the stream keeps events: enough for a node to come back from a NATS or
/// network hiccup and resume; a node away longer resynchronises its clients.
const KEEP_FOR: Duration = Duration::from_secs(15 * 60);

/// The most the stream keeps, in bytes.
const KEEP_BYTES: i64 = 1 << 30;

/// How often a lost publish is looked for (to ask for a resync).
const LOSS_CHECK: Duration = Duration::from_millis(500);

type Item = (Event, Option<Vec<String>>);

/// The stream every node of the cluster publishes to and reads.
pub(super) fn stream_config(cluster: &Cluster) -> stream::Config {
    stream::Config {
        name: format!("CONFAB_{}", cluster.namespace()),
        subjects: vec![cluster.subject(EVENTS), cluster.subject(HUB_CLOSE)],
        storage: stream::StorageType::File,
        max_age: KEEP_FOR,
        max_bytes: KEEP_BYTES,
        discard: stream::DiscardPolicy::Old,
        ..Default::default()
    }
}

/// What the delivery loop keeps between messages.
struct Delivery {
    hub: Arc<Hub>,
    node_id: String,
    hold: HoldBack<Item>,
    /// The stream sequence of the last envelope applied; 0 before the first attach.
    last_seq: u64,
}

impl Delivery {
    fn apply(&mut self, seq: u64, payload: &[u8]) {
        if seq <= self.last_seq {
            return;
        }
        if self.last_seq != 0 && seq != self.last_seq + 1 {
            self.resync_local("the stream skipped events this node did not apply");
        }
        self.last_seq = seq;
        let envelope: Envelope = match serde_json::from_slice(payload) {
            Ok(envelope) => envelope,
            Err(error) => return tracing::warn!(seq, %error, "unreadable cluster envelope skipped"),
        };
        match envelope {
            Envelope::Event { event, users, causality, .. } => {
                for item in self.hold.accept(Instant::now(), crate::service::now_ms(), causality, (event, users)) {
                    self.deliver(item);
                }
            }
            Envelope::CloseSession { origin, user_id, session_id } if origin != self.node_id => {
                self.hub.close_session(&user_id, &session_id);
            }
            Envelope::CloseUser { origin, user_id } if origin != self.node_id => {
                self.hub.close_user(&user_id);
            }
            Envelope::Resync { origin } => self.resync_local(&format!("node {origin} lost events")),
            Envelope::CloseSession { .. } | Envelope::CloseUser { .. } => {}
        }
    }

    fn deliver(&self, (event, users): Item) {
        let recipients = match users {
            Some(users) => Recipients::Users(users.into_iter().collect()),
            None => Recipients::All,
        };
        self.hub.send(event, &recipients);
    }

    fn release_due(&mut self) {
        for item in self.hold.release_due(Instant::now()) {
            self.deliver(item);
        }
    }

    /// Close every socket here: its client reconnects and refetches what it missed.
    fn resync_local(&self, why: &str) {
        tracing::warn!(why, connections = self.hub.connection_count(), "closing this node's websockets so clients catch up");
        self.hub.close_all();
    }
}

/// Deliver the cluster's events to `hub` until shutdown.
pub(super) async fn run(cluster: Arc<Cluster>, hub: Arc<Hub>) {
    let mut delivery = Delivery { hub, node_id: cluster.node_id().to_string(), hold: HoldBack::default(), last_seq: 0 };
    let mut stopping = cluster.stopping();
    let mut pause = Duration::from_millis(100);
    loop {
        if *stopping.borrow() {
            return;
        }
        match attach(&cluster, &mut delivery).await {
            Ok(messages) => {
                pause = Duration::from_millis(100);
                if consume(&cluster, &mut delivery, messages).await == Flow::Stop {
                    return;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot read the cluster's event stream; retrying");
                delivery.release_due();
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    _ = stopping.changed() => return,
                }
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        }
    }
}

/// Find (or make) the stream and an ordered consumer starting after the last sequence
/// applied; resynchronise the local clients when the stream no longer has what follows.
async fn attach(cluster: &Cluster, delivery: &mut Delivery) -> Result<Ordered, Box<dyn std::error::Error + Send + Sync>> {
    let stream = cluster.jetstream().get_or_create_stream(stream_config(cluster)).await?;
    let state = stream.get_info().await?.state;
    if delivery.last_seq == 0 {
        // Starting: nothing before now concerns this node's (not yet open) sockets.
        delivery.last_seq = state.last_sequence;
    } else if state.last_sequence < delivery.last_seq {
        delivery.resync_local("the cluster's event stream was replaced");
        delivery.last_seq = state.last_sequence;
    } else if state.messages > 0 && state.first_sequence > delivery.last_seq + 1 {
        delivery.resync_local("the cluster's event stream dropped events before this node read them");
        delivery.last_seq = state.first_sequence - 1;
    }
    let config = OrderedConfig {
        deliver_subject: cluster.client().new_inbox(),
        deliver_policy: DeliverPolicy::ByStartSequence { start_sequence: delivery.last_seq + 1 },
        ..Default::default()
    };
    Ok(stream.create_consumer(config).await?.messages().await?)
}

#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Stop,
    Reattach,
}

/// Apply what `messages` brings, release held events when due, ask for a resync after
/// a lost publish; end at shutdown, on a consumer failure, or when the link went down
/// (then once it is back: the consumer is made again from the last sequence, with the
/// stream's state checked).
async fn consume(cluster: &Cluster, delivery: &mut Delivery, mut messages: Ordered) -> Flow {
    let mut stopping = cluster.stopping();
    let mut link = cluster.link();
    link.borrow_and_update();
    let mut loss_check = tokio::time::interval(LOSS_CHECK);
    loop {
        let due = delivery.hold.next_due();
        tokio::select! {
            message = messages.next() => match message {
                Some(Ok(message)) => match message.info() {
                    Ok(info) => {
                        let seq = info.stream_sequence;
                        delivery.apply(seq, &message.payload);
                    }
                    Err(error) => tracing::warn!(%error, "a cluster message without stream info skipped"),
                },
                Some(Err(error)) => {
                    tracing::warn!(%error, "the cluster's event consumer failed; attaching again");
                    return Flow::Reattach;
                }
                None => return Flow::Reattach,
            },
            () = sleep_until(due), if due.is_some() => delivery.release_due(),
            _ = loss_check.tick() => {
                if cluster.link_now() == Link::Up && cluster.publisher.take_lost() {
                    cluster.publish_resync().await;
                }
            }
            changed = link.changed() => {
                if changed.is_err() {
                    return Flow::Stop;
                }
                if *link.borrow_and_update() == Link::Down {
                    break;
                }
            }
            _ = stopping.changed() => return Flow::Stop,
        }
    }
    // Down: stop reading (the consumer goes with `messages`) until the link is back.
    drop(messages);
    loop {
        let due = delivery.hold.next_due();
        tokio::select! {
            () = sleep_until(due), if due.is_some() => delivery.release_due(),
            changed = link.changed() => {
                if changed.is_err() {
                    return Flow::Stop;
                }
                if *link.borrow_and_update() == Link::Up {
                    return Flow::Reattach;
                }
            }
            _ = stopping.changed() => return Flow::Stop,
        }
    }
}

async fn sleep_until(due: Option<Instant>) {
    if let Some(due) = due {
        tokio::time::sleep_until(due.into()).await;
    }
}
