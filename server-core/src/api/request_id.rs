//! Request ids: a fresh Mattermost-style id per request, in the `X-Request-ID` response header, the error body and the request's tracing span.

use axum::extract::Request;
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

/// Middleware: assign the id, run the request inside its span and task-local, and
/// stamp the id on the response, whatever produced it.
pub(crate) async fn layer(mut request: Request, next: Next) -> Response {
    // Like Mattermost, always our own id: a client-supplied one could collide or lie.
    let id = new_id();
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("http_request", method = %request.method(), path = %request.uri().path(), request_id = %id);
    let mut response = CURRENT.scope(id.clone(), next.run(request)).instrument(span).await;
    response.headers_mut().insert("x-request-id", HeaderValue::from_str(&id).expect("ids are ASCII alphanumerics"));
    response
}
