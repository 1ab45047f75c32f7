//! System routes: the Mattermost ping and the Prometheus `/metrics` page.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use super::error::ids;
use super::extract::AppQuery;
use super::{ApiError, AppState};
use serde::Deserialize;

/// Prometheus' text exposition format.
const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/system/ping", get(ping))
        .route("/api/v4/config/client", get(client_config))
        .route("/api/v4/license/client", get(client_license))
        .route("/metrics", get(metrics))
}

/// GET /api/v4/system/ping
///
/// Mattermost's liveness answer; clients and load balancers only look at `status`, the
/// other fields are there because Mattermost always sends them.
async fn ping() -> Json<Value> {
    Json(json!({
        "status": "OK",
        "ActiveSearchBackend": "database",
        "AndroidLatestVersion": "",
        "AndroidMinVersion": "",
        "IosLatestVersion": "",
        "IosMinVersion": "",
    }))
}

#[derive(Deserialize, Default)]
struct FormatQuery {
    format: Option<String>,
}

/// GET /api/v4/config/client?format=old
///
/// The flat string map clients read at start-up: version, site name and URL, and the
/// feature switches for what this server implements. Without `format=old` Mattermost
/// answers 501, and so do we.
async fn client_config(State(state): State<AppState>, AppQuery(q): AppQuery<FormatQuery>) -> Result<Json<Value>, ApiError> {
    if q.format.as_deref() != Some("old") {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            ids::CONFIG_FORMAT,
            "New format for the client configuration is not supported yet; use format=old.",
        ));
    }
    let settings = state.services.settings();
    let flag = |b: bool| if b { "true" } else { "false" };
    Ok(Json(json!({
        "Version": settings.server_version,
        "BuildNumber": settings.server_version,
        "BuildHash": "",
        "BuildDate": "",
        "SiteName": "Confab",
        "SiteURL": state.site_url,
        "DiagnosticsEnabled": "false",
        "EnableOpenServer": flag(settings.open_server),
        "EnableSignUpWithEmail": "true",
        "EnableSignInWithEmail": "true",
        "EnableSignInWithUsername": "true",
        "EnableUserAccessTokens": "true",
        "EnableBotAccountCreation": "true",
        "EnableCustomEmoji": "false",
        "EnableFileAttachments": "false",
        "EnableIncomingWebhooks": flag(settings.webhooks.enable_incoming),
        "EnableOutgoingWebhooks": flag(settings.webhooks.enable_outgoing),
        "EnableCommands": "true",
        "EnablePostUsernameOverride": flag(settings.enable_post_username_override),
        "EnablePostIconOverride": flag(settings.enable_post_icon_override),
        "ExperimentalPrimaryTeam": "",
        "MaxPostSize": crate::domain::post::MAX_MESSAGE_RUNES.to_string(),
        "PasswordMinimumLength": crate::domain::user::MIN_PASSWORD_LEN.to_string(),
        "TeammateNameDisplay": "username",
        "WebsocketURL": "",
        "FeatureFlagCollapsedThreads": "false",
        "CollapsedThreads": "disabled",
        "IsDefaultMarketplace": "false",
        "PluginsEnabled": "true",
    })))
}

/// GET /api/v4/license/client?format=old
///
/// No license: the fields a client checks say so.
async fn client_license() -> Json<Value> {
    Json(json!({ "IsLicensed": "false", "Cloud": "false" }))
}

/// GET /metrics
///
/// Plugin host counters and per plugin × hook calls, errors, failures, fuel and latency,
/// plus the tokio runtime's live task count (the soak checks that it returns to its
/// baseline: a task leaked per request or per connection shows up there first).
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = state.host.metrics().render_prometheus();
    let tasks = tokio::runtime::Handle::current().metrics().num_alive_tasks();
    text.push_str(&format!("# HELP confab_runtime_alive_tasks Tokio tasks alive in the server's runtime.\n# TYPE confab_runtime_alive_tasks gauge\nconfab_runtime_alive_tasks {tasks}\n"));
    ([(header::CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)], text)
}
