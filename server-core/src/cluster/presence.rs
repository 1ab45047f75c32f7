//! Presence across nodes: whether a user has a WebSocket open on another node, asked when their last socket here closes, so the automatic status goes `offline` only when no node has one.
//!
//! A node listens on `confab.<namespace>.presence.<user id>` while it holds a socket of
//! that user, and answers whoever asks. Asking is a NATS request: with nobody listening
//! the server says so at once (no responders), so the common case costs one round
//! trip, and a node that died has no subscriptions left to answer for it.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::Mutex;

/// How long an answer is awaited. A listener that does not answer in time is taken as
/// connected: a user wrongly shown online is the lesser error.
const ASK_TIMEOUT: Duration = Duration::from_millis(500);

/// The users this node answers for: user id → the task answering for them.
#[derive(Default)]
pub(super) struct Presence {
    answering: Mutex<HashMap<String, tokio::task::JoinHandle<()>>>,
}

impl Presence {
    /// Answer for `user_id` while `connected`, stop when not. Returns once the server
    /// knows (a listener added is flushed, so a question asked after this sees it).
    pub(super) async fn set_local(&self, client: &async_nats::Client, subject: String, user_id: &str, connected: bool) {
        let mut answering = self.answering.lock().await;
        if !connected {
            // Dropping the subscription (the task's) unsubscribes.
            if let Some(task) = answering.remove(user_id) {
                task.abort();
            }
            return;
        }
        if answering.get(user_id).is_some_and(|task| !task.is_finished()) {
            return;
        }
        let mut subscriber = match client.subscribe(subject).await {
            Ok(subscriber) => subscriber,
            Err(error) => return tracing::warn!(%user_id, %error, "cannot answer for a user's presence"),
        };
        if let Err(error) = client.flush().await {
            tracing::debug!(%user_id, %error, "presence flush failed");
        }
        let client = client.clone();
        let task = tokio::spawn(async move {
            while let Some(question) = subscriber.next().await {
                if let Some(reply) = question.reply
                    && let Err(error) = client.publish(reply, "1".into()).await
                {
                    tracing::debug!(%error, "presence answer failed");
                }
            }
        });
        answering.insert(user_id.to_string(), task);
    }

    /// Whether another node answers for the user on `subject`.
    pub(super) async fn elsewhere(client: &async_nats::Client, subject: String) -> bool {
        use async_nats::client::RequestErrorKind;
        let request = async_nats::client::Request::new().timeout(Some(ASK_TIMEOUT));
        match client.send_request(subject, request).await {
            Ok(_) => true,
            Err(error) => match error.kind() {
                RequestErrorKind::NoResponders => false,
                RequestErrorKind::TimedOut => true,
                _ => {
                    tracing::warn!(%error, "presence question failed; assuming connected elsewhere");
                    true
                }
            },
        }
    }
}
