//! The WebSocket use cases: registering an authenticated connection (with the `on-web-socket-connect` hook, `hello` and the user's automatic `online`), ending it (`on-web-socket-disconnect`, `offline` after the last), and answering client actions (`user_typing` broadcasts, `websocket-message-has-been-posted`).
//!
//! `api/websocket.rs` only moves frames: it authenticates, calls these and sends what
//! they return. Replies keep Mattermost's shape (`status`, `seq_reply`, `error`).

use confab_host::types::WebsocketRequest;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Authenticated;
use super::to_channel;
use crate::domain::error_ids;
use crate::hub::{BroadcastInfo, Event, Outgoing, Subscription};
use crate::ids::new_id;

super::area!(
    /// WebSocket connections: connect and disconnect hooks, client actions.
    WebSocket,
    websocket
);

/// A client message: `{"seq": n, "action": "...", "data": {...}}`.
#[derive(Debug, Deserialize)]
pub struct ClientRequest {
    #[serde(default)]
    pub seq: i64,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub data: Value,
}

/// The answer to a request that succeeded.
pub fn reply_ok(seq: i64) -> Value {
    json!({ "status": "OK", "seq_reply": seq })
}

/// The answer to a request that failed (Mattermost sends 400 inside the reply).
pub fn reply_fail(seq: i64, id: &str, message: &str) -> Value {
    json!({ "status": "FAIL", "seq_reply": seq, "error": { "id": id, "message": message, "detailed_error": "", "status_code": 400 } })
}

/// A connection the hub knows.
pub struct Connection {
    /// Its id, sent in `hello`.
    pub connection_id: String,
    /// The signed-in user.
    pub user_id: String,
    /// Its events and why the hub closed it.
    pub subscription: Subscription,
    /// The first event to send.
    pub hello: Outgoing,
}

impl WebSocket<'_> {
    /// Register a connection authenticated as `auth` with `token` and run the
    /// connect hook. `None` when the session was revoked between authentication and
    /// registration (a revocation then found nothing to close).
    pub async fn connect(&self, auth: &Authenticated, token: &str) -> Option<Connection> {
        let connection_id = new_id();
        let user_id = auth.user.id.clone();
        let subscription = self.hub().register(&connection_id, &user_id, &auth.session_id);
        if !self.sessions().websocket_still_valid(auth, token).await {
            self.hub().unregister(&connection_id);
            return None;
        }
        tracing::debug!(%user_id, %connection_id, "websocket connected");
        // Before `hello` is handed back: its `status_change` then follows `hello` on
        // this connection, as its first event.
        self.statuses().follow_connections(&user_id).await;
        if let Some(host) = self.host() {
            host.on_websocket_connect(&connection_id, &user_id);
        }
        let hello = Outgoing::new(Event {
            event: "hello".into(),
            data: json!({ "server_version": self.settings().server_version, "connection_id": connection_id }),
            broadcast: BroadcastInfo { user_id: user_id.clone(), ..BroadcastInfo::default() },
        });
        Some(Connection { connection_id, user_id, subscription, hello })
    }

    /// Forget a connection that could not even be greeted (no disconnect hook, as the
    /// client never saw it open); the user goes offline if it was their last.
    pub async fn abandon(&self, connection: &Connection) {
        self.hub().unregister(&connection.connection_id);
        self.statuses().follow_connections(&connection.user_id).await;
    }

    /// Forget a connection that ended, run the disconnect hook, and set the user
    /// offline if it was their last.
    pub async fn disconnect(&self, connection: &Connection) {
        self.hub().unregister(&connection.connection_id);
        self.statuses().follow_connections(&connection.user_id).await;
        if let Some(host) = self.host() {
            host.on_websocket_disconnect(&connection.connection_id, &connection.user_id);
        }
        tracing::debug!(user_id = %connection.user_id, connection_id = %connection.connection_id, "websocket closed");
    }

    /// Answer one client action of an authenticated connection; `None` for messages
    /// that are not requests. Plugins see every request first.
    pub async fn handle_message(&self, connection_id: &str, user_id: &str, text: &str) -> Option<Value> {
        let request: ClientRequest = serde_json::from_str(text).ok()?;
        if let Some(host) = self.host() {
            let data = if request.data.is_null() { "{}".to_string() } else { request.data.to_string() };
            host.websocket_message_has_been_posted(connection_id, user_id, &WebsocketRequest { seq: request.seq, action: request.action.clone(), data });
        }
        Some(match request.action.as_str() {
            // Already authenticated: Mattermost answers OK again.
            "authentication_challenge" => reply_ok(request.seq),
            "user_typing" => self.typing(user_id, &request).await,
            "get_statuses" => json!({ "status": "OK", "seq_reply": request.seq, "data": {} }),
            _ => reply_fail(request.seq, error_ids::websocket::BAD_ACTION, "Unknown action."),
        })
    }

    /// `user_typing`: tell the channel's other members, if the user is one of them.
    async fn typing(&self, user_id: &str, request: &ClientRequest) -> Value {
        let channel_id = request.data.get("channel_id").and_then(Value::as_str).unwrap_or_default();
        let parent_id = request.data.get("parent_id").and_then(Value::as_str).unwrap_or_default();
        match self.channels().is_channel_member(channel_id, user_id).await {
            Ok(true) => {
                let broadcast = BroadcastInfo { omit_users: Some([(user_id.to_string(), true)].into()), ..to_channel(channel_id) };
                self.publish_logged("typing", json!({ "parent_id": parent_id, "user_id": user_id }), broadcast).await;
                reply_ok(request.seq)
            }
            _ => reply_fail(request.seq, error_ids::websocket::INVALID_PARAM, "Invalid channel_id."),
        }
    }
}
