//! Plugin routes: the `/plugins/{plugin_id}/...` pass-through to a plugin's `serve-http`.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::any;
use confab_host::types::HttpResponse;

use super::error::ids;
use super::extract::MaybeAuth;
use super::{ApiError, AppState};
use crate::service::plugins::{self, PluginRequest, ServeError};

/// Largest request body passed to a plugin. Bigger ones get 413 before the plugin is
/// called: the body is copied into the plugin's linear memory, so this bounds what one
/// request can make a plugin allocate (the host caps what comes back).
pub const MAX_PLUGIN_REQUEST_BYTES: usize = 1024 * 1024;

pub(super) fn router() -> Router<AppState> {
    // Mattermost routes both `/plugins/{id}` and `/plugins/{id}/{anything}`; the
    // catch-all does not match an empty rest, so `/plugins/{id}/` is listed too.
    let pass_through = Router::new()
        .route("/plugins/{plugin_id}", any(serve_plugin))
        .route("/plugins/{plugin_id}/", any(serve_plugin))
        .route("/plugins/{plugin_id}/{*rest}", any(serve_plugin))
        .layer(DefaultBodyLimit::max(MAX_PLUGIN_REQUEST_BYTES))
        // Plugins serve webhooks of outside services here, without a session.
        .route_layer(axum::middleware::from_fn(super::rate_limit::limit));
    // `/api/v4/plugins/statuses` lives with the other administration routes (`plugin_admin.rs`).
    Router::new().merge(pass_through)
}

/// ANY /plugins/{plugin_id}[/{*rest}]
///
/// Hands the request to the plugin's `serve-http` (see `service::plugins`).
async fn serve_plugin(
    State(state): State<AppState>,
    MaybeAuth(caller, ctx): MaybeAuth,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if plugins::route(uri.path()).is_none() {
        return Err(ApiError::not_found());
    }
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ids::BODY_TOO_LARGE, "The request body is too large.")
            .with_detail(format!("plugin requests are limited to {MAX_PLUGIN_REQUEST_BYTES} bytes")),
        status => ApiError::new(status, ids::BAD_BODY, "The request body could not be read.").with_detail(rejection.body_text()),
    })?;
    let request = PluginRequest {
        method: method.as_str().to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        headers: headers.iter().map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())).collect(),
        body: body.to_vec(),
    };
    match state.services.plugins().serve(caller.as_ref(), ctx, request).await {
        Ok((plugin_id, response)) => into_response(&plugin_id, response),
        Err(ServeError::NoRoute) => Err(ApiError::not_found()),
        Err(ServeError::Plugin(e)) => Err(e.into()),
    }
}

/// The plugin's answer as an HTTP response. Headers that are not valid HTTP are dropped
/// (and logged); a status outside 100–999 makes the whole answer a 500, as Mattermost
/// does with out-of-range statuses.
fn into_response(plugin_id: &str, plugin: HttpResponse) -> Result<Response, ApiError> {
    let status = StatusCode::from_u16(plugin.status).map_err(|_| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ids::PLUGIN_BAD_RESPONSE, "The plugin sent an invalid response.")
            .with_detail(format!("plugin `{plugin_id}` answered with status {}", plugin.status))
    })?;
    let mut response = Response::new(Body::from(plugin.body));
    *response.status_mut() = status;
    for (name, value) in plugin.headers {
        match (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str())) {
            (Ok(name), Ok(value)) if !plugins::is_hop_by_hop(name.as_str()) => {
                response.headers_mut().append(name, value);
            }
            (Ok(_), Ok(_)) => {}
            _ => tracing::warn!(plugin_id, header = %name, "dropped an invalid response header from a plugin"),
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_responses_become_http_responses() {
        let ok = HttpResponse {
            status: 201,
            headers: vec![("content-type".into(), "application/json".into()), ("bad header".into(), "x".into()), ("content-length".into(), "999".into())],
            body: b"{}".to_vec(),
        };
        let response = into_response("p", ok).unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers().get("content-type").unwrap(), "application/json");
        assert!(response.headers().get("content-length").is_none(), "hyper frames the body, not the plugin");
        assert_eq!(response.headers().len(), 1);

        let bad = HttpResponse { status: 1000, ..HttpResponse::default() };
        assert_eq!(into_response("p", bad).unwrap_err().status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
