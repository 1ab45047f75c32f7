//! Routes that end a user's sessions from outside them: deactivation (`PUT /users/{id}/active`, `DELETE /users/{id}`) and `POST /users/{id}/sessions/revoke/all`.

use axum::extract::{Path, State};
use axum::routing::{delete, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::extract::{AppJson, Auth};
use super::{ApiError, AppState, ok};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/users/{user_id}", delete(deactivate))
        .route("/api/v4/users/{user_id}/active", put(update_active))
        .route("/api/v4/users/{user_id}/sessions/revoke/all", post(revoke_all))
}

#[derive(Deserialize)]
struct ActiveBody {
    active: bool,
}

/// PUT /api/v4/users/{user_id}/active `{"active": bool}` (admins)
///
/// Deactivating revokes every session and closes every WebSocket of the user.
async fn update_active(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppJson(body): AppJson<ActiveBody>,
) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.sessions().update_user_active(&auth.0, &user_id, body.active).await?;
    Ok(ok())
}

/// DELETE /api/v4/users/{user_id} (admins): deactivate, as Mattermost does.
async fn deactivate(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.sessions().update_user_active(&auth.0, &user_id, false).await?;
    Ok(ok())
}

/// POST /api/v4/users/{user_id}/sessions/revoke/all (the user or an admin)
async fn revoke_all(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.sessions().revoke_all_sessions(&auth.0, &user_id).await?;
    Ok(ok())
}
