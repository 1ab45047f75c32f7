//! `ApiError`: every HTTP error in Mattermost's `AppError` shape (`id`, `message`, `detailed_error`, `request_id`, `status_code`), and how plugin call errors map onto it.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use confab_host::CallError;
use serde::Serialize;

/// The `id`s we send. Clients key on `id` + status, so they come from this one list;
/// Mattermost's own ids are used where one exists.
pub mod ids {
    /// No such route (Mattermost's id).
    pub const NOT_FOUND: &str = "api.context.404.app_error";
    /// The route exists but not with this method.
    pub const METHOD_NOT_ALLOWED: &str = "api.context.405.app_error";
    /// The request body could not be read.
    pub const BAD_BODY: &str = crate::domain::error_ids::context::INVALID_BODY_PARAM;
    /// The request body is larger than the route accepts.
    pub const BODY_TOO_LARGE: &str = "api.context.request_body_too_large.app_error";
    /// No plugin with this id is installed (Mattermost's id).
    pub const PLUGIN_NOT_INSTALLED: &str = "app.plugin.not_installed.app_error";
    /// The plugin does not serve HTTP.
    pub const PLUGIN_NO_HTTP: &str = "app.plugin.serve_http.not_implemented.app_error";
    /// The plugin is installed but not running (failed, quarantined, stopping).
    pub const PLUGIN_NOT_RUNNING: &str = "app.plugin.not_running.app_error";
    /// Every instance of the plugin stayed busy.
    pub const PLUGIN_BUSY: &str = "app.plugin.busy.app_error";
    /// The plugin failed while handling the request.
    pub const PLUGIN_FAILED: &str = "app.plugin.serve_http.failed.app_error";
    /// The plugin answered with something that is not an HTTP response.
    pub const PLUGIN_BAD_RESPONSE: &str = "app.plugin.serve_http.invalid_response.app_error";
    /// A query parameter could not be parsed (Mattermost's id).
    pub const INVALID_URL_PARAM: &str = crate::domain::error_ids::context::INVALID_URL_PARAM;
    /// A WebSocket upgrade refused (Mattermost's id), e.g. a cookie from a foreign origin.
    pub const WEBSOCKET_UPGRADE: &str = "api.web_socket.connect.upgrade.app_error";
    /// A will-hook refused the post.
    pub const REJECTED_BY_PLUGIN: &str = "api.post.create_post.rejected_by_plugin.app_error";
    /// A will-hook dropped the post (Mattermost's `plugin.DismissPostError`).
    pub const DISMISSED_BY_PLUGIN: &str = "plugin.message_will_be_posted.dismiss_post";
    /// A plugin quota was exceeded.
    pub const QUOTA_EXCEEDED: &str = "api.plugin.quota_exceeded.app_error";
    /// The server failed.
    pub const INTERNAL: &str = "api.context.internal.app_error";
    /// `config/client` without `format=old` (Mattermost's id).
    pub const CONFIG_FORMAT: &str = "api.config.client.old_format.app_error";
}

/// An error response. For 5xx the detail is logged with the request id and not sent:
/// it may contain paths, plugin internals or trap messages.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status, also the body's `status_code`.
    pub status: StatusCode,
    /// One of [`ids`].
    pub id: &'static str,
    /// Text for people.
    pub message: String,
    /// Text for developers.
    pub detailed_error: String,
    /// Seconds after which a retry may succeed (`Retry-After`), for 503s.
    pub retry_after: Option<u32>,
}

/// Mattermost's `AppError` JSON.
#[derive(Serialize)]
struct Body<'a> {
    id: &'a str,
    message: &'a str,
    detailed_error: &'a str,
    request_id: &'a str,
    status_code: u16,
    is_oauth: bool,
}

impl ApiError {
    /// An error without detail.
    pub fn new(status: StatusCode, id: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, id, message: message.into(), detailed_error: String::new(), retry_after: None }
    }

    /// The same with `detailed_error`.
    pub fn with_detail(mut self, detail: impl Into<String>) -> ApiError {
        self.detailed_error = detail.into();
        self
    }

    /// Mattermost's 404 for unknown routes.
    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, ids::NOT_FOUND, "Sorry, we could not find the page.")
    }
}

impl From<crate::service::Error> for ApiError {
    fn from(e: crate::service::Error) -> ApiError {
        use crate::service::Error as E;
        match e {
            E::NotFound { id, message } => ApiError::new(StatusCode::NOT_FOUND, id, message),
            E::Invalid(invalid) => ApiError::new(StatusCode::BAD_REQUEST, invalid.id, invalid.message),
            // Mattermost answers taken names with 400, not 409.
            E::Conflict { id, message } => ApiError::new(StatusCode::BAD_REQUEST, id, message),
            E::Unauthorized { id, message } => ApiError::new(StatusCode::UNAUTHORIZED, id, message),
            E::Forbidden { id, message } => ApiError::new(StatusCode::FORBIDDEN, id, message),
            E::RejectedByPlugin { plugin_id, reason } => {
                ApiError::new(StatusCode::BAD_REQUEST, ids::REJECTED_BY_PLUGIN, format!("Post rejected by plugin. {reason}"))
                    .with_detail(format!("plugin_id={plugin_id}"))
            }
            E::DismissedByPlugin { plugin_id } => ApiError::new(StatusCode::BAD_REQUEST, ids::DISMISSED_BY_PLUGIN, "The post was dismissed by a plugin.")
                .with_detail(format!("plugin_id={plugin_id}")),
            E::QuotaExceeded(detail) => ApiError::new(StatusCode::TOO_MANY_REQUESTS, ids::QUOTA_EXCEEDED, "A limit was exceeded.").with_detail(detail),
            E::Unavailable { id, message } => ApiError { retry_after: Some(1), ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, id, message) },
            E::Disabled { id, message } => ApiError::new(StatusCode::NOT_IMPLEMENTED, id, message),
            E::Upstream { id, message, detail } => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, id, message).with_detail(detail),
            E::Internal(source) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ids::INTERNAL, "An internal error occurred.").with_detail(source.to_string())
            }
        }
    }
}

impl From<crate::domain::Invalid> for ApiError {
    fn from(invalid: crate::domain::Invalid) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, invalid.id, invalid.message)
    }
}

impl From<CallError> for ApiError {
    fn from(e: CallError) -> ApiError {
        let detail = e.to_string();
        let error = match e {
            CallError::UnknownPlugin { .. } => ApiError::new(StatusCode::NOT_FOUND, ids::PLUGIN_NOT_INSTALLED, "Unable to find the plugin."),
            CallError::NotImplemented { .. } => ApiError::new(StatusCode::NOT_FOUND, ids::PLUGIN_NO_HTTP, "This plugin does not serve HTTP requests."),
            CallError::NotRunning { .. } => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ids::PLUGIN_NOT_RUNNING, "The plugin is not running."),
            CallError::Busy { .. } => {
                ApiError { retry_after: Some(1), ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, ids::PLUGIN_BUSY, "The plugin is busy; try again.") }
            }
            CallError::Failed { .. } => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ids::PLUGIN_FAILED, "The plugin failed to handle the request."),
        };
        error.with_detail(detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = super::request_id::current();
        let detailed_error = if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), id = self.id, request_id = %request_id, detail = %self.detailed_error, "{}", self.message);
            ""
        } else {
            &self.detailed_error
        };
        let body = Body { id: self.id, message: &self.message, detailed_error, request_id: &request_id, status_code: self.status.as_u16(), is_oauth: false };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value, Option<String>) {
        let response = error.into_response();
        let status = response.status();
        let retry = response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_string());
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap(), retry)
    }

    #[tokio::test]
    async fn call_errors_map_to_statuses_and_mattermost_bodies() {
        let p = || "com.example.p".to_string();
        let cases = [
            (CallError::UnknownPlugin { plugin_id: p() }, 404, ids::PLUGIN_NOT_INSTALLED, None),
            (CallError::NotImplemented { plugin_id: p(), hook: "serve-http" }, 404, ids::PLUGIN_NO_HTTP, None),
            (CallError::NotRunning { plugin_id: p() }, 503, ids::PLUGIN_NOT_RUNNING, None),
            (CallError::Busy { plugin_id: p(), waited: Duration::from_secs(1) }, 503, ids::PLUGIN_BUSY, Some("1")),
            (
                CallError::Failed { plugin_id: p(), hook: "serve-http", kind: confab_host::FailureKind::Panic, detail: "secret trap text".into() },
                500,
                ids::PLUGIN_FAILED,
                None,
            ),
        ];
        for (error, status, id, retry) in cases {
            let (got_status, body, got_retry) = body_of(error.into()).await;
            assert_eq!(got_status.as_u16(), status, "{body}");
            assert_eq!(body["id"], id);
            assert_eq!(body["status_code"], status);
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert!(body["request_id"].is_string());
            assert_eq!(got_retry.as_deref(), retry);
            if status >= 500 {
                assert_eq!(body["detailed_error"], "", "5xx details stay in the log");
            } else {
                assert!(body["detailed_error"].as_str().unwrap().contains("com.example.p"));
            }
        }
    }
}
