//! Unread routes: a user's team memberships and unread counts per team, their channel memberships in a team, and marking channels viewed.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{AppJson, AppQuery, Auth};
use super::{ApiError, AppState};
use crate::domain::{ChannelMember, TeamMember, TeamUnread};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/users/{user_id}/teams/members", get(team_members_for_user))
        .route("/api/v4/users/{user_id}/teams/unread", get(team_unreads))
        .route("/api/v4/users/{user_id}/teams/{team_id}/channels/members", get(channel_members_for_user))
        .route("/api/v4/channels/members/{user_id}/view", post(view_channel))
}

/// GET /api/v4/users/{user_id}/teams/members
async fn team_members_for_user(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Json<Vec<TeamMember>>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.unreads().team_members_for_user(&auth.0, &user_id).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnreadQuery {
    exclude_team: String,
    // Confab has no collapsed threads; accepted so Mattermost's clients are not refused.
    #[allow(dead_code)]
    include_collapsed_threads: Option<bool>,
}

/// GET /api/v4/users/{user_id}/teams/unread?exclude_team=
async fn team_unreads(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppQuery(q): AppQuery<UnreadQuery>,
) -> Result<Json<Vec<TeamUnread>>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.unreads().team_unreads(&auth.0, &user_id, &q.exclude_team).await?))
}

/// GET /api/v4/users/{user_id}/teams/{team_id}/channels/members
async fn channel_members_for_user(
    auth: Auth,
    State(state): State<AppState>,
    Path((user_id, team_id)): Path<(String, String)>,
) -> Result<Json<Vec<ChannelMember>>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.unreads().channel_members_for_user(&auth.0, &user_id, &team_id).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChannelView {
    channel_id: String,
    prev_channel_id: String,
}

/// POST /api/v4/channels/members/{user_id}/view `{channel_id, prev_channel_id}`
///
/// `{"status": "OK", "last_viewed_at_times": {channel_id: ms}}`, as Mattermost answers.
async fn view_channel(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppJson(view): AppJson<ChannelView>,
) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    let times: BTreeMap<String, i64> = state.services.unreads().view_channel(&auth.0, &user_id, &view.channel_id, &view.prev_channel_id).await?;
    Ok(Json(json!({ "status": "OK", "last_viewed_at_times": times })))
}
