//! `X-Cluster-Id`: in cluster mode every response names the node that answered it, as Mattermost's clustered servers do; a single node sends no such header.

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header's name (HTTP names are case-insensitive; Mattermost writes `X-Cluster-Id`).
pub const HEADER: &str = "x-cluster-id";

/// `router` with every response carrying `X-Cluster-Id: <node_id>`, or unchanged when
/// there is no node id (a single node).
pub fn layer<S: Clone + Send + Sync + 'static>(router: Router<S>, node_id: Option<&str>) -> Router<S> {
    // Node ids are checked at start-up (letters, digits, `-`, `_`), so always a valid value.
    let Some(value) = node_id.and_then(|id| HeaderValue::from_str(id).ok()) else { return router };
    router.layer(axum::middleware::from_fn(move |request: Request, next: Next| {
        let value = value.clone();
        async move {
            let mut response: Response = next.run(request).await;
            response.headers_mut().insert(HEADER, value);
            response
        }
    }))
}
