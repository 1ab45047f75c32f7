//! `GET /api/v4/websocket`: Mattermost's event stream — auth at upgrade or by `authentication_challenge`, then `hello`, events with a per-connection `seq`, and client actions answered with `seq_reply`.
//!
//! A connection lives no longer than its credentials: the hub closes it (code 1008,
//! "session revoked") when its session or token is revoked or its user deactivated,
//! and its own timer closes it (1008, "session expired") when the session expires.

use std::time::Duration;

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::time::Instant;

use super::error::ids;
use super::extract::{TokenSource, token_of};
use super::{ApiError, AppState};
use crate::domain::error_ids;
use crate::hub::{CloseReason, Outgoing};
use crate::service::auth::Authenticated;
use crate::service::websocket::{ClientRequest, reply_fail, reply_ok};
use crate::service::{Services, now_ms};

/// How long an unauthenticated connection may take to send `authentication_challenge`.
const AUTH_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest client message read.
const MAX_CLIENT_MESSAGE: usize = 64 * 1024;
/// Read buffer per connection. tungstenite zero-fills the free part of this buffer
/// before every read, including reads that find nothing; at its default of 128 KiB
/// that memset was a quarter of the server's CPU with ten thousand connections
/// (bench B8), and 1.25 GiB of touched memory. Clients send small JSON; a larger
/// message still fits, as the buffer grows to the frame's length.
const READ_BUFFER: usize = 4 * 1024;
/// Longest a connection's expiry timer is set for; a session lasting longer (a very
/// long `session_ttl`) is closed then and the client reconnects.
const MAX_EXPIRY_WAIT: Duration = Duration::from_secs(365 * 24 * 3600);

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v4/websocket", get(upgrade)).route("/api/v4/websocket/", get(upgrade))
}

/// Authentication found on the upgrade request, if any, with the token it came from
/// (the connection checks the token once more after registering).
struct UpgradeAuth(Option<(Authenticated, String)>);

impl FromRequestParts<AppState> for UpgradeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some((token, source)) = token_of(parts) else { return Ok(UpgradeAuth(None)) };
        // A page on another site would ride on the browser's cookie: refuse it (see
        // `origin`). Header and query tokens are not ambient, so any origin may use them.
        if source == TokenSource::Cookie && !state.allowed_origins.allows(parts) {
            tracing::info!(origin = ?parts.headers.get(axum::http::header::ORIGIN), "cookie websocket upgrade from a foreign origin refused");
            return Err(ApiError::new(StatusCode::FORBIDDEN, ids::WEBSOCKET_UPGRADE, "The request's origin may not use the session cookie here."));
        }
        // A stale token at upgrade is not fatal: the client may still authenticate
        // with the challenge, as Mattermost allows.
        Ok(UpgradeAuth(state.services.sessions().authenticate(&token).await.ok().map(|auth| (auth, token))))
    }
}

/// GET /api/v4/websocket
///
/// 403 `api.web_socket.connect.upgrade.app_error` when the session cookie comes from
/// a page whose origin is not allowed.
async fn upgrade(State(state): State<AppState>, UpgradeAuth(auth): UpgradeAuth, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_CLIENT_MESSAGE).read_buffer_size(READ_BUFFER).on_upgrade(move |socket| run(socket, state.services, auth))
}

async fn send_json(socket: &mut WebSocket, value: &Value) -> bool {
    socket.send(Message::Text(Utf8Bytes::from(value.to_string()))).await.is_ok()
}

/// A close frame with `code` and `reason`.
fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) }))
}

/// The close frame for a connection the hub ended; `None` is shutdown.
fn close_for(reason: Option<CloseReason>) -> Message {
    match reason {
        Some(CloseReason::Revoked) => close(close_code::POLICY, "session revoked"),
        Some(CloseReason::TooSlow) => close(close_code::AGAIN, "too slow"),
        None => close(close_code::AWAY, "server shutting down"),
    }
}

/// When the session expires, as an instant; `None` for tokens that do not expire.
fn expiry(auth: &Authenticated) -> Option<Instant> {
    auth.is_session().then(|| {
        let left = u64::try_from(auth.expires_at - now_ms()).unwrap_or(0);
        Instant::now() + Duration::from_millis(left).min(MAX_EXPIRY_WAIT)
    })
}

/// Resolves when the session expires; never for tokens that do not expire.
fn expiry_timer(auth: &Authenticated) -> impl Future<Output = ()> + use<> {
    let expires = expiry(auth);
    async move {
        match expires {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    }
}

/// The connection's whole life.
async fn run(mut socket: WebSocket, services: Services, auth: Option<(Authenticated, String)>) {
    let (auth, token) = match auth {
        Some(found) => found,
        None => match challenge(&mut socket, &services).await {
            Some(found) => found,
            None => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
        },
    };
    let websocket = services.websocket();
    let Some(mut connection) = websocket.connect(&auth, &token).await else {
        let _ = socket.send(close_for(Some(CloseReason::Revoked))).await;
        return;
    };
    drop(token);
    let (connection_id, user_id) = (connection.connection_id.clone(), connection.user_id.clone());
    let mut seq: i64 = 0;
    let (mut sink, mut stream) = socket.split();
    let send_event = |event: &Outgoing, seq: i64| Message::Text(Utf8Bytes::from(event.frame(seq)));
    if sink.send(send_event(&connection.hello, seq)).await.is_err() {
        websocket.abandon(&connection).await;
        return;
    }
    seq += 1;
    // One timer per connection, armed once: the fan-out never looks at expiry.
    let expired = expiry_timer(&auth);
    tokio::pin!(expired);

    loop {
        tokio::select! {
            // Checked first so that nothing queued is sent once the hub closed us.
            biased;
            reason = &mut connection.subscription.closed => {
                let _ = sink.send(close_for(reason.ok())).await;
                break;
            }
            () = &mut expired => {
                tracing::debug!(%user_id, %connection_id, "websocket session expired");
                let _ = sink.send(close(close_code::POLICY, "session expired")).await;
                break;
            }
            event = connection.subscription.events.recv() => {
                let Some(event) = event else {
                    // The hub dropped the queue; `closed` says why on the next turn.
                    continue;
                };
                if sink.send(send_event(&event, seq)).await.is_err() {
                    break;
                }
                seq += 1;
            }
            incoming = stream.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    // Some clients send their JSON in binary frames.
                    Some(Ok(Message::Binary(bytes))) => match Utf8Bytes::try_from(bytes) {
                        Ok(text) => text,
                        Err(_) => continue,
                    },
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                };
                let reply = websocket.handle_message(&connection_id, &user_id, text.as_str()).await;
                if let Some(reply) = reply
                    && sink.send(Message::Text(Utf8Bytes::from(reply.to_string()))).await.is_err()
                {
                    break;
                }
            }
        }
    }
    websocket.disconnect(&connection).await;
}

/// Wait for `authentication_challenge` and check its token.
async fn challenge(socket: &mut WebSocket, services: &Services) -> Option<(Authenticated, String)> {
    let deadline = tokio::time::Instant::now() + AUTH_TIMEOUT;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.recv()).await.ok()??.ok()?;
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(bytes) => match Utf8Bytes::try_from(bytes) {
                Ok(text) => text,
                Err(_) => continue,
            },
            _ => continue,
        };
        let Ok(request) = serde_json::from_str::<ClientRequest>(text.as_str()) else { continue };
        if request.action != "authentication_challenge" {
            send_json(socket, &reply_fail(request.seq, error_ids::websocket::NOT_AUTHENTICATED, "Not authenticated yet.")).await;
            continue;
        }
        let token = request.data.get("token").and_then(Value::as_str).unwrap_or_default();
        match services.sessions().authenticate(token).await {
            Ok(auth) => {
                send_json(socket, &reply_ok(request.seq)).await;
                return Some((auth, token.to_string()));
            }
            Err(_) => {
                send_json(socket, &reply_fail(request.seq, error_ids::websocket::BAD_TOKEN, "Invalid token.")).await;
            }
        }
    }
}
