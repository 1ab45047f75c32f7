//! Extractors: the session (`Auth`, `MaybeAuth`, `SessionOrNone`) from a bearer token, the `MMAUTHTOKEN` cookie (with its CSRF rule) or `access_token`; JSON bodies and query strings that fail in Mattermost's error shape.

use std::net::SocketAddr;

use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use confab_host::types::PluginContext;
use serde::de::DeserializeOwned;

use super::error::ids;
use super::{ApiError, AppState, RequestId};
use crate::domain::error_ids;
use crate::service::auth::{Authenticated, caller_for};
use crate::service::{Caller, Error};

/// The session cookie Mattermost's web app uses.
pub const AUTH_COOKIE: &str = "MMAUTHTOKEN";
/// The cookie holding the user id.
pub const USER_COOKIE: &str = "MMUSERID";
/// The cookie holding the CSRF token, echoed in `X-CSRF-Token`.
pub const CSRF_COOKIE: &str = "MMCSRF";

/// Where the token came from; cookies bring the CSRF rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Header,
    Cookie,
    Query,
}

/// The value of cookie `name`.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

/// The bearer token of a request, Mattermost's order: header, cookie, query.
pub fn token_of(parts: &Parts) -> Option<(String, TokenSource)> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let value = value.trim();
        for scheme in ["Bearer ", "bearer ", "BEARER ", "Token ", "token ", "TOKEN "] {
            if let Some(token) = value.strip_prefix(scheme) {
                return Some((token.trim().to_string(), TokenSource::Header));
            }
        }
    }
    if let Some(token) = cookie(parts, AUTH_COOKIE) {
        return Some((token.to_string(), TokenSource::Cookie));
    }
    let query = parts.uri.query().unwrap_or_default();
    query.split('&').find_map(|pair| pair.strip_prefix("access_token=")).filter(|t| !t.is_empty()).map(|t| (t.to_string(), TokenSource::Query))
}

/// Whether a cookie-authenticated request may write: it echoes the session's CSRF
/// token in `X-CSRF-Token`, or (Mattermost's non-strict default) sends
/// `X-Requested-With: XMLHttpRequest`, which a cross-site form cannot.
fn csrf_ok(parts: &Parts, auth: &Authenticated) -> bool {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    (!auth.csrf_token.is_empty() && header("x-csrf-token") == Some(auth.csrf_token.as_str())) || header("x-requested-with") == Some("XMLHttpRequest")
}

/// The hook context of a request.
pub fn plugin_context(parts: &Parts) -> PluginContext {
    let header = |name: header::HeaderName| parts.headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).unwrap_or_default();
    PluginContext {
        session_id: String::new(),
        request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default(),
        ip_address: parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_default(),
        accept_language: header(header::ACCEPT_LANGUAGE),
        user_agent: header(header::USER_AGENT),
        // Mattermost's web and mobile clients name their WebSocket in this header, so a
        // plugin can tell which of a user's connections acted.
        connection_id: header(header::HeaderName::from_static("connection-id")),
    }
}

/// Authenticate a request; `Ok(None)` when it carries no token (or a cookie without
/// CSRF proof on a write, which counts as no session, as in Mattermost).
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<(Caller, Authenticated)>, ApiError> {
    let Some((token, source)) = token_of(parts) else { return Ok(None) };
    let auth = state.services.sessions().authenticate(&token).await?;
    if source == TokenSource::Cookie && !csrf_ok(parts, &auth) {
        return Ok(None);
    }
    Ok(Some((caller_for(&auth, plugin_context(parts)), auth)))
}

/// A required session: 401 without one.
pub struct Auth(pub Caller, pub Authenticated);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await? {
            Some((caller, auth)) => Ok(Auth(caller, auth)),
            None => {
                Err(Error::Unauthorized { id: error_ids::context::SESSION_EXPIRED, message: "Invalid or expired session, please login again.".into() }.into())
            }
        }
    }
}

impl Auth {
    /// `me` means the caller, as in every Mattermost user route.
    pub fn resolve<'a>(&'a self, user_id: &'a str) -> &'a str {
        if user_id == "me" { &self.1.user.id } else { user_id }
    }
}

/// The session of a route that works without one but must not be forged (logout): no
/// token or a stale one is `None`, but a cookie without CSRF proof on a write is
/// Mattermost's 401 for a CSRF attempt, so a page on another site cannot act on it.
pub struct SessionOrNone(pub Option<Authenticated>);

impl FromRequestParts<AppState> for SessionOrNone {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some((token, source)) = token_of(parts) else { return Ok(SessionOrNone(None)) };
        let Ok(auth) = state.services.sessions().authenticate(&token).await else { return Ok(SessionOrNone(None)) };
        if source == TokenSource::Cookie && !csrf_ok(parts, &auth) {
            return Err(
                Error::Unauthorized { id: error_ids::context::SESSION_EXPIRED, message: "Invalid or expired session, please login again.".into() }.into()
            );
        }
        Ok(SessionOrNone(Some(auth)))
    }
}

/// An optional session plus the hook context. A cookie without CSRF proof on a write
/// counts as no session (the route then acts as for anyone), as `authenticate` says.
pub struct MaybeAuth(pub Option<Caller>, pub PluginContext);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = plugin_context(parts);
        match authenticate(parts, state).await {
            Ok(found) => Ok(MaybeAuth(found.map(|(caller, _)| caller), ctx)),
            // A stale token on a route that works without one is just no session.
            Err(_) => Ok(MaybeAuth(None, ctx)),
        }
    }
}

/// The request's hook context, for routes without a session.
pub struct Ctx(pub PluginContext);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ctx(plugin_context(parts)))
    }
}

/// A JSON body; anything unreadable, or holding a NUL character, is Mattermost's
/// `invalid_body_param` 400.
pub struct AppJson<T>(pub T);

/// Largest JSON body the API reads (a post's props are at most 800k runes).
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(|rejection: BytesRejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ids::BODY_TOO_LARGE, "The request body is too large."),
            status => ApiError::new(status, ids::BAD_BODY, "The request body could not be read.").with_detail(rejection.body_text()),
        })?;
        // Text with NUL characters is refused here, for every JSON route at once.
        if crate::domain::text::json_has_nul(&bytes) {
            return Err(ApiError::from(crate::domain::text::nul_refused()));
        }
        serde_json::from_slice(&bytes)
            .map(AppJson)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ids::BAD_BODY, "Invalid or missing body in request.").with_detail(e.to_string()))
    }
}

/// A query string; unparsable values are Mattermost's `invalid_url_param` 400.
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri).map(|q| AppQuery(q.0)).map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, ids::INVALID_URL_PARAM, "Invalid or missing parameter in request URL.").with_detail(e.body_text())
        })
    }
}
