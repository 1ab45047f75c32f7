//! Lookup routes Mattermost's apps call on first load and on a channel switch: statuses and posts by ids, user autocomplete, a user's channels, channel statistics, and the default profile image.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::extract::{AppJson, AppQuery, Auth};
use super::{ApiError, AppState};
use crate::domain::command::Status;
use crate::domain::{Channel, ChannelStats, Post};
use crate::service::lookups::{AutocompleteQuery, UserAutocomplete};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/users/status/ids", post(statuses_by_ids))
        .route("/api/v4/users/autocomplete", get(autocomplete))
        .route("/api/v4/posts/ids", post(posts_by_ids))
        .route("/api/v4/users/{user_id}/channels", get(channels_of_user))
        .route("/api/v4/channels/{channel_id}/stats", get(channel_stats))
        .route("/api/v4/users/{user_id}/image", get(profile_image))
        .route("/api/v4/users/{user_id}/image/default", get(profile_image))
}

/// POST /api/v4/users/status/ids `[user_id, ...]`
async fn statuses_by_ids(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(ids): AppJson<Vec<String>>) -> Result<Json<Vec<Status>>, ApiError> {
    Ok(Json(state.services.lookups().statuses_by_ids(&caller, &ids).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AutocompleteParams {
    name: String,
    in_team: String,
    in_channel: String,
    limit: Option<i64>,
}

/// GET /api/v4/users/autocomplete?name&in_team&in_channel&limit
async fn autocomplete(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppQuery(q): AppQuery<AutocompleteParams>,
) -> Result<Json<UserAutocomplete>, ApiError> {
    let query = AutocompleteQuery { name: q.name, in_team: q.in_team, in_channel: q.in_channel, limit: q.limit };
    Ok(Json(state.services.lookups().autocomplete_users(&caller, query).await?))
}

/// POST /api/v4/posts/ids `[post_id, ...]`
async fn posts_by_ids(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(ids): AppJson<Vec<String>>) -> Result<Json<Vec<Post>>, ApiError> {
    Ok(Json(state.services.lookups().posts_by_ids(&caller, &ids).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UserChannelsQuery {
    include_deleted: bool,
}

/// GET /api/v4/users/{user_id}/channels?include_deleted=
async fn channels_of_user(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppQuery(q): AppQuery<UserChannelsQuery>,
) -> Result<Json<Vec<Channel>>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.lookups().channels_of_user(&auth.0, &user_id, q.include_deleted).await?))
}

/// GET /api/v4/channels/{channel_id}/stats
async fn channel_stats(Auth(caller, _): Auth, State(state): State<AppState>, Path(channel_id): Path<String>) -> Result<Json<ChannelStats>, ApiError> {
    Ok(Json(state.services.lookups().channel_stats(&caller, &channel_id).await?))
}

/// GET /api/v4/users/{user_id}/image (and `/image/default`): the generated picture, an
/// SVG that may not run anything even when opened on its own.
async fn profile_image(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Response, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    let svg = state.services.lookups().default_avatar(&auth.0, &user_id).await?;
    let headers = [
        (header::CONTENT_TYPE, "image/svg+xml"),
        (header::CACHE_CONTROL, "max-age=86400, private"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
    ];
    Ok((headers, svg).into_response())
}
