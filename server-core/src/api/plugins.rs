//! Plugin routes: the `/plugins/{plugin_id}/...` pass-through to a plugin's `serve-http`.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::any;
use confab_host::types::{HttpRequest, HttpResponse, PluginContext};

use super::error::ids;
use super::extract::MaybeAuth;
use super::{ApiError, AppState};

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
/// Hands the request to the plugin's `serve-http` with `/plugins/{plugin_id}` removed
/// from the path, after Mattermost's anti-spoofing clean-up of headers and query.
async fn serve_plugin(
    State(state): State<AppState>,
    MaybeAuth(caller, ctx): MaybeAuth,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    // Split the raw path ourselves: the plugin gets its sub-path exactly as sent
    // (still percent-encoded), and ids are plain `[A-Za-z0-9_.-]+` anyway.
    let after = uri.path().strip_prefix("/plugins/").unwrap_or_default();
    let (plugin_id, rest) = after.split_once('/').map_or((after, ""), |(id, rest)| (id, rest));
    if !is_plugin_id(plugin_id) {
        return Err(ApiError::not_found());
    }
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ids::BODY_TOO_LARGE, "The request body is too large.")
            .with_detail(format!("plugin requests are limited to {MAX_PLUGIN_REQUEST_BYTES} bytes")),
        status => ApiError::new(status, ids::BAD_BODY, "The request body could not be read.").with_detail(rejection.body_text()),
    })?;

    // The session id is set only for a real session (a cookie without its CSRF proof
    // on a write counts as none, see `MaybeAuth`).
    let ctx = PluginContext { session_id: caller.as_ref().map(|c| c.ctx.session_id.clone()).unwrap_or_default(), ..ctx };
    let request = HttpRequest {
        method: method.as_str().to_string(),
        path: format!("/{rest}"),
        query: strip_query_param(uri.query().unwrap_or_default(), "access_token"),
        headers: {
            let mut forwarded = forwarded_headers(&headers);
            // After the spoofed copies were stripped: only the server names the user.
            if let Some(user) = caller.as_ref().and_then(|c| c.user()) {
                forwarded.push(("mattermost-user-id".to_string(), user.id.clone()));
            }
            forwarded
        },
        body: body.to_vec(),
    };
    let response = state.host.serve_http(plugin_id, &ctx, request).await?;
    into_response(plugin_id, response)
}

/// Mattermost's plugin id pattern.
fn is_plugin_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Headers that describe one connection rather than the message; neither forwarded to
/// the plugin nor taken from its answer (hyper sets the framing ones itself).
fn is_hop_by_hop(name: &str) -> bool {
    matches!(name, "connection" | "keep-alive" | "proxy-connection" | "transfer-encoding" | "upgrade" | "te" | "trailer" | "content-length")
}

/// The request headers a plugin sees. As in Mattermost, `Mattermost-User-Id` and
/// `Mattermost-Plugin-ID` are removed (only the server may set them, once it knows the
/// session or the calling plugin), as are `Referer` and the `MMAUTHTOKEN` cookie.
fn forwarded_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        let name = name.as_str();
        if is_hop_by_hop(name) || matches!(name, "mattermost-user-id" | "mattermost-plugin-id" | "referer") {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes());
        if name == "cookie" {
            let kept: Vec<&str> = value.split(';').map(str::trim).filter(|c| !c.is_empty() && !c.starts_with("MMAUTHTOKEN=")).collect();
            if !kept.is_empty() {
                out.push((name.to_string(), kept.join("; ")));
            }
            continue;
        }
        out.push((name.to_string(), value.into_owned()));
    }
    out
}

/// `query` without any `name=...` pair (the access token must not reach plugins).
fn strip_query_param(query: &str, name: &str) -> String {
    query.split('&').filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(name)).collect::<Vec<_>>().join("&")
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
            (Ok(name), Ok(value)) if !is_hop_by_hop(name.as_str()) => {
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
    fn plugin_ids() {
        assert!(is_plugin_id("com.confab.kv-counter"));
        assert!(is_plugin_id("a_b"));
        assert!(!is_plugin_id(""));
        assert!(!is_plugin_id("a%2Fb"));
        assert!(!is_plugin_id("a b"));
    }

    #[test]
    fn spoofable_headers_and_the_auth_cookie_are_removed() {
        let mut headers = HeaderMap::new();
        headers.insert("mattermost-user-id", "admin".parse().unwrap());
        headers.insert("mattermost-plugin-id", "other".parse().unwrap());
        headers.insert("referer", "https://x".parse().unwrap());
        headers.insert("connection", "keep-alive".parse().unwrap());
        headers.insert("cookie", "MMAUTHTOKEN=secret; theme=dark".parse().unwrap());
        headers.insert("x-custom", "1".parse().unwrap());
        let forwarded = forwarded_headers(&headers);
        assert_eq!(forwarded, vec![("cookie".to_string(), "theme=dark".to_string()), ("x-custom".to_string(), "1".to_string())]);

        let mut only_token = HeaderMap::new();
        only_token.insert("cookie", "MMAUTHTOKEN=secret".parse().unwrap());
        assert!(forwarded_headers(&only_token).is_empty());
    }

    #[test]
    fn the_access_token_is_removed_from_the_query() {
        assert_eq!(strip_query_param("a=1&access_token=t&b=2", "access_token"), "a=1&b=2");
        assert_eq!(strip_query_param("access_token=t", "access_token"), "");
        assert_eq!(strip_query_param("access_tokens=x&&c", "access_token"), "access_tokens=x&c");
    }

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
