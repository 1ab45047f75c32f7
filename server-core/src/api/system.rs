//! System routes: the Mattermost ping, the client config, and the Prometheus `/metrics` page (system admins and configured client addresses only, or on a listener of its own).

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use confab_host::PluginHost;
use serde_json::{Value, json};

use super::error::ids;
use super::extract::{AppQuery, MaybeAuth};
use super::{ApiError, AppState};
use crate::config::IpRanges;
use crate::service::scheduler::SchedulerState;
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
        "ShowEmailAddress": flag(settings.privacy.show_email_address),
        "ShowFullName": flag(settings.privacy.show_full_name),
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

/// Who may read `/metrics` on the main listener.
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    /// Client addresses served without a session (`--metrics-allowed-from`).
    pub allowed_from: IpRanges,
    /// `false` when `/metrics` has a listener of its own (`--metrics-listen`): the
    /// main listener then does not serve it at all.
    pub on_main_listener: bool,
}

impl MetricsAccess {
    /// `Ok` when a request from `client` (by a system admin or not) may read the
    /// metrics: Mattermost's 404 when they are served elsewhere, its permission 403
    /// for anyone else. They name plugins, hooks and load, which is not for everyone.
    fn check(&self, is_admin: bool, client: Option<IpAddr>) -> Result<(), ApiError> {
        if !self.on_main_listener {
            return Err(ApiError::not_found());
        }
        if is_admin || client.is_some_and(|ip| self.allowed_from.contains(ip)) {
            return Ok(());
        }
        Err(crate::service::Error::forbidden().into())
    }
}

/// GET /metrics
///
/// Plugin host counters and per plugin × hook calls, errors, failures, fuel and latency.
async fn metrics(MaybeAuth(caller, ctx): MaybeAuth, State(state): State<AppState>) -> Result<Response, ApiError> {
    state.metrics.check(caller.as_ref().is_some_and(|c| c.is_admin()), ctx.ip_address.parse().ok())?;
    Ok(prometheus_page(&state.host, state.services.jobs()))
}

/// The plugin host's metrics plus the tokio runtime's live task count (the soak checks
/// that it returns to its baseline: a task leaked per request or per connection shows
/// up there first).
fn prometheus_page(host: &PluginHost, jobs: &SchedulerState) -> Response {
    let mut text = host.metrics().render_prometheus();
    text.push_str(&jobs.render_prometheus());
    let tasks = tokio::runtime::Handle::current().metrics().num_alive_tasks();
    text.push_str(&format!(
        "# HELP confab_runtime_alive_tasks Tokio tasks alive in the server's runtime.\n# TYPE confab_runtime_alive_tasks gauge\nconfab_runtime_alive_tasks {tasks}\n"
    ));
    ([(header::CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)], text).into_response()
}

/// Serve `/metrics` (and nothing else) on `listener` to whoever reaches it, until the
/// task is aborted: the `--metrics-listen` listener.
pub async fn serve_metrics(listener: tokio::net::TcpListener, host: PluginHost, jobs: Arc<SchedulerState>) -> std::io::Result<()> {
    let app = Router::new().route("/metrics", get(move || std::future::ready(prometheus_page(&host, &jobs)))).fallback(|| async { ApiError::not_found() });
    axum::serve(listener, app).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_go_to_admins_and_allowed_addresses_only() {
        let access = MetricsAccess { allowed_from: "127.0.0.0/8 ::1 10.1.0.0/16".parse().unwrap(), on_main_listener: true };
        let ip = |text: &str| Some(text.parse::<IpAddr>().unwrap());
        for allowed in ["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3"] {
            assert!(access.check(false, ip(allowed)).is_ok(), "{allowed}");
        }
        for refused in [ip("192.168.1.10"), ip("10.2.0.1"), ip("2001:db8::1"), None] {
            let err = access.check(false, refused).unwrap_err();
            assert_eq!((err.status, err.id), (StatusCode::FORBIDDEN, "api.context.permissions.app_error"), "{refused:?}");
        }
        assert!(access.check(true, ip("192.168.1.10")).is_ok(), "an admin's session works from anywhere");
        let elsewhere = MetricsAccess { on_main_listener: false, ..access };
        assert_eq!(elsewhere.check(true, ip("127.0.0.1")).unwrap_err().status, StatusCode::NOT_FOUND, "served on its own listener only");
    }
}
