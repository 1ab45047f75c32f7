//! User status routes: `GET` and `PUT /api/v4/users/{user_id}/status`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::error::ids;
use super::extract::{AppJson, Auth};
use super::{ApiError, AppState};
use crate::domain::command::Status;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v4/users/{user_id}/status", get(get_status).put(set_status))
}

/// GET /api/v4/users/{user_id}/status
async fn get_status(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Json<Status>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.statuses().get_status(&auth.0, &user_id).await?))
}

/// PUT /api/v4/users/{user_id}/status `{user_id, status}`
async fn set_status(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>, AppJson(body): AppJson<Status>) -> Result<Json<Status>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    if body.user_id != user_id {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ids::BAD_BODY, "Invalid or missing user_id in request body."));
    }
    Ok(Json(state.services.statuses().set_status(&auth.0, &user_id, &body.status).await?))
}
