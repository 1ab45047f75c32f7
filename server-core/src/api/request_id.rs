//! Request ids: a fresh Mattermost-style id per request, in the `X-Request-ID` response header, the error body and the request's tracing span.
//!
//! The span names the route that matched (`/hooks/{id}`), never the path as sent:
//! some paths are secrets (an incoming webhook's id, a command's response URL), and the
//! span is printed with every event logged while the request runs. The query string
//! (`access_token=`) is never logged either.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::ids::new_id;

/// The id of the request being handled (a request extension, for handlers that pass
/// it on, e.g. to plugins as `PluginContext.request_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The same id for code that renders a response without seeing the request:
    /// `ApiError::into_response` reads it to fill `request_id`.
    static CURRENT: String;
}

/// The current request's id, or `""` outside a request.
pub(crate) fn current() -> String {
    CURRENT.try_with(Clone::clone).unwrap_or_default()
}

/// What the span says for a request no route matched (its path could be a mistyped secret).
const UNMATCHED: &str = "(no route)";

/// Middleware: assign the id, run the request inside its span and task-local, and
/// stamp the id on the response, whatever produced it.
pub(crate) async fn layer(mut request: Request, next: Next) -> Response {
    // Like Mattermost, always our own id: a client-supplied one could collide or lie.
    let id = new_id();
    request.extensions_mut().insert(RequestId(id.clone()));
    let route = request.extensions().get::<MatchedPath>().map_or(UNMATCHED, MatchedPath::as_str);
    let span = tracing::info_span!("http_request", method = %request.method(), route, request_id = %id);
    let mut response = CURRENT.scope(id.clone(), next.run(request)).instrument(span).await;
    response.headers_mut().insert("x-request-id", HeaderValue::from_str(&id).expect("ids are ASCII alphanumerics"));
    response
}
