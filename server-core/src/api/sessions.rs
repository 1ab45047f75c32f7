//! Routes that end a user's sessions from outside them: deactivation (`PUT /users/{id}/active`, `DELETE /users/{id}`) and `POST /users/{id}/sessions/revoke/all`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post, put};
use axum::{Json, Router};
use serde_json::Value;

use super::extract::{AppJson, Auth};
use super::{ApiError, AppState, ok};
use crate::domain::error_ids::context::INVALID_BODY_PARAM;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/users/{user_id}", delete(deactivate))
        .route("/api/v4/users/{user_id}/active", put(update_active))
        .route("/api/v4/users/{user_id}/sessions/revoke/all", post(revoke_all))
}

/// PUT /api/v4/users/{user_id}/active `{"active": bool}`
///
/// Mattermost's checks: `active` must be a boolean (400 `invalid_body_param`);
/// deactivating yourself is refused (401, `EnableUserDeactivation` is off); anyone else
/// needs a system admin (403). Deactivating revokes every session and closes every
/// WebSocket of the user.
async fn update_active(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>, AppJson(body): AppJson<Value>) -> Result<Json<Value>, ApiError> {
    let Some(active) = body.get("active").and_then(Value::as_bool) else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, INVALID_BODY_PARAM, "Invalid or missing active in request body."));
    };
    let user_id = auth.resolve(&user_id).to_string();
    state.services.sessions().update_user_active(&auth.0, &user_id, active).await?;
    Ok(ok())
}

/// DELETE /api/v4/users/{user_id}: deactivate, as Mattermost does (admins; yourself 401).
async fn deactivate(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.sessions().delete_user(&auth.0, &user_id).await?;
    Ok(ok())
}

/// POST /api/v4/users/{user_id}/sessions/revoke/all (the user or an admin)
async fn revoke_all(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.sessions().revoke_all_sessions(&auth.0, &user_id).await?;
    Ok(ok())
}
