//! System routes: the Mattermost ping and the Prometheus `/metrics` page.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

use super::AppState;

/// Prometheus' text exposition format.
const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v4/system/ping", get(ping)).route("/metrics", get(metrics))
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

/// GET /metrics
///
/// Plugin host counters and per plugin × hook calls, errors, failures, fuel and latency.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)], state.host.metrics().render_prometheus())
}
