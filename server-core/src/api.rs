//! The HTTP API: the route tree, the state handlers share, request ids and Mattermost-shaped fallbacks.
//!
//! One file per area under `api/`, each exposing `router()`; this file merges them and
//! adds what applies to every route: an `X-Request-ID` on every response (the same id
//! as the error body's `request_id`), Mattermost error bodies for unknown routes and
//! methods, and the refusal of NUL characters in paths and queries.

mod actions;
mod channels;
pub mod cluster_id;
mod commands;
mod error;
pub mod extract;
mod hooks;
mod lookups;
pub mod origin;
mod plugin_admin;
mod plugins;
mod posts;
mod preferences;
pub mod rate_limit;
mod request_id;
mod sessions;
mod status;
mod system;
mod teams;
mod text_guard;
mod unreads;
mod users;
mod webapp;
// public for the fuzz targets (fuzz/src/websocket_action.rs)
pub mod websocket;

use axum::{Json, Router};
use confab_host::PluginHost;
use serde_json::{Value, json};

use crate::service::Services;

pub use error::ApiError;
pub use rate_limit::RateLimitSettings;
pub use request_id::RequestId;
pub use system::{MetricsAccess, serve_metrics};

/// What every handler can reach. Cheap to clone (handles only).
#[derive(Clone)]
pub struct AppState {
    /// The plugin runtime: statuses, metrics, `serve-http`. Owned by `run`, which
    /// shuts it down after the HTTP server has drained.
    pub host: PluginHost,
    /// The use cases; every handler calls exactly one of them.
    pub services: Services,
    /// The public URL clients reach the server at (`SiteURL`).
    pub site_url: String,
    /// Origins whose pages may use the session cookie on a WebSocket upgrade.
    pub allowed_origins: std::sync::Arc<origin::AllowedOrigins>,
    /// Plugin installs, enable/disable, removal, settings, permissions.
    pub plugin_admin: std::sync::Arc<crate::plugins::admin::PluginAdmin>,
    /// Who may read `/metrics` here.
    pub metrics: MetricsAccess,
    /// Limits of the unauthenticated routes (`rate_limit.rs`).
    pub rate_limit: RateLimitSettings,
}

/// Mattermost's body for a success without data.
pub fn ok() -> Json<Value> {
    Json(json!({ "status": "OK" }))
}

/// The whole route tree, with the per-request layers.
pub fn router(state: AppState) -> Router {
    // One limiter per server, reached by the `rate_limit::limit` route layers.
    let limiter = std::sync::Arc::new(rate_limit::RateLimiter::new(&state.rate_limit));
    let node_id = state.services.cluster().map(|c| c.node_id().to_string());
    let routes = Router::new()
        .merge(system::router())
        .merge(plugins::router())
        .merge(plugin_admin::router(state.plugin_admin.options().max_bundle_bytes))
        .merge(users::router())
        .merge(sessions::router())
        .merge(teams::router())
        .merge(channels::router())
        .merge(posts::router())
        .merge(actions::router())
        .merge(websocket::router())
        .merge(hooks::router())
        .merge(commands::router())
        .merge(status::router())
        .merge(unreads::router())
        .merge(preferences::router())
        .merge(lookups::router())
        // the web client and its deep links; API paths keep the JSON 404 (`webapp.rs`)
        .fallback(webapp::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(text_guard::layer))
        .layer(axum::middleware::from_fn(request_id::layer))
        .layer(axum::Extension(limiter));
    cluster_id::layer(routes, node_id.as_deref()).with_state(state)
}

/// A known route with a method it does not take.
async fn method_not_allowed() -> ApiError {
    ApiError::new(axum::http::StatusCode::METHOD_NOT_ALLOWED, error::ids::METHOD_NOT_ALLOWED, "This method is not allowed on this route.")
}
