//! The web client at `/`: the built `webapp/dist` embedded in the binary, served with its content types and cache rules, and `index.html` for the client's deep links.
//!
//! Hashed assets (`/static/...`, named by Vite after their content) are cached for a
//! year; `index.html` is never cached, so a new binary's client is picked up on the next
//! load. Any other GET that is not an API path (`/<team>/channels/<name>`,
//! `/<team>/pl/<id>`, `/admin_console/...`, `/login`) answers `index.html` and the client
//! routes it; API, hook and plugin paths keep Mattermost's JSON 404.

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};

use super::ApiError;

/// `webapp/dist`, built by `npm run build` (or `cargo xtask web`) and committed.
static DIST: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../webapp/dist");

/// Paths that belong to the server, never to the client: unknown ones stay JSON 404s.
const SERVER_PREFIXES: [&str; 6] = ["/api/", "/hooks/", "/plugins/", "/static/plugins/", "/metrics", "/.well-known/"];

const INDEX: &str = "index.html";
/// Vite's `assetsDir`: every file under it has its content hash in its name.
const HASHED_DIR: &str = "static/";

/// Content security policy of the page: scripts and connections only to this origin
/// (plugin bundles come from `/static/plugins/`), images from anywhere (avatars,
/// attachment images), no framing by other sites.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: http: https:; \
                   connect-src 'self' ws: wss:; frame-ancestors 'self'; base-uri 'self'; form-action 'self'";

/// The router's fallback: an embedded file, the client's `index.html`, or the API's 404.
pub(super) async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if !(method == Method::GET || method == Method::HEAD) || SERVER_PREFIXES.iter().any(|p| path.starts_with(p) || path == p.trim_end_matches('/')) {
        return ApiError::not_found().into_response();
    }
    let relative = path.trim_start_matches('/');
    if let Some(file) = (!relative.is_empty()).then(|| DIST.get_file(relative)).flatten() {
        return file_response(relative, file.contents(), method);
    }
    // A missing asset is a 404, not the page: a stale hashed name must not parse as HTML.
    if relative.starts_with(HASHED_DIR) || relative.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        return ApiError::not_found().into_response();
    }
    match DIST.get_file(INDEX) {
        Some(index) => file_response(INDEX, index.contents(), method),
        None => ApiError::not_found().into_response(),
    }
}

fn file_response(relative: &str, contents: &'static [u8], method: Method) -> Response {
    let mime = mime_guess::from_path(relative).first_or_octet_stream();
    let cache = if relative == INDEX {
        "no-cache"
    } else if relative.starts_with(HASHED_DIR) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    let body = if method == Method::HEAD { Body::empty() } else { Body::from(contents) };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    let content_type = if mime.type_() == mime_guess::mime::TEXT || mime.subtype() == mime_guess::mime::JAVASCRIPT {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&content_type).expect("mime types are ASCII"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(contents.len()));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if relative == INDEX {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_is_embedded_with_its_page() {
        let index = std::str::from_utf8(DIST.get_file(INDEX).expect("webapp/dist/index.html is committed").contents()).unwrap();
        assert!(index.contains("<div id=\"root\">"), "{index}");
        assert!(DIST.get_dir("static").is_some_and(|d| d.files().any(|f| f.path().extension().is_some_and(|e| e == "js"))));
    }
}
