//! Preference routes: read all, by category or one; save; delete (Mattermost's `POST .../preferences/delete`, and `DELETE .../preferences` with the same body).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

use super::extract::{AppJson, Auth};
use super::{ApiError, AppState, ok};
use crate::domain::Preference;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/users/{user_id}/preferences", get(get_preferences).put(update_preferences).delete(delete_preferences))
        .route("/api/v4/users/{user_id}/preferences/delete", post(delete_preferences))
        .route("/api/v4/users/{user_id}/preferences/{category}", get(get_category))
        .route("/api/v4/users/{user_id}/preferences/{category}/name/{name}", get(get_one))
}

/// GET /api/v4/users/{user_id}/preferences
async fn get_preferences(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Json<Vec<Preference>>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.preferences().get_preferences(&auth.0, &user_id).await?))
}

/// PUT /api/v4/users/{user_id}/preferences `[{user_id, category, name, value}]`
async fn update_preferences(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppJson(preferences): AppJson<Vec<Preference>>,
) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.preferences().update_preferences(&auth.0, &user_id, preferences).await?;
    Ok(ok())
}

/// POST /api/v4/users/{user_id}/preferences/delete `[{user_id, category, name}]`
/// (also DELETE /api/v4/users/{user_id}/preferences)
async fn delete_preferences(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppJson(preferences): AppJson<Vec<Preference>>,
) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.preferences().delete_preferences(&auth.0, &user_id, preferences).await?;
    Ok(ok())
}

/// GET /api/v4/users/{user_id}/preferences/{category}
async fn get_category(auth: Auth, State(state): State<AppState>, Path((user_id, category)): Path<(String, String)>) -> Result<Json<Vec<Preference>>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.preferences().get_preferences_in_category(&auth.0, &user_id, &category).await?))
}

/// GET /api/v4/users/{user_id}/preferences/{category}/name/{name}
async fn get_one(
    auth: Auth,
    State(state): State<AppState>,
    Path((user_id, category, name)): Path<(String, String, String)>,
) -> Result<Json<Preference>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.preferences().get_preference(&auth.0, &user_id, &category, &name).await?))
}
