//! Channel routes: create (public, private, direct, group), read by id or name, list, search, patch, archive, restore, members, and the channel's posts.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::error::ids;
use super::extract::{AppJson, AppQuery, Auth};
use super::{ApiError, AppState, ok};
use crate::domain::channel::{ChannelPatch, NewChannel};
use crate::domain::paging::PagingQuery;
use crate::domain::{Channel, ChannelMember, Paging, PostList};
use crate::store::PostQuery;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/channels", post(create_channel))
        .route("/api/v4/channels/direct", post(create_direct))
        .route("/api/v4/channels/group", post(create_group))
        .route("/api/v4/channels/{channel_id}", get(get_channel).delete(archive_channel))
        .route("/api/v4/channels/{channel_id}/patch", put(patch_channel))
        .route("/api/v4/channels/{channel_id}/restore", post(restore_channel))
        .route("/api/v4/channels/{channel_id}/members", get(list_members).post(add_member))
        .route("/api/v4/channels/{channel_id}/members/{user_id}", get(get_member).delete(remove_member))
        .route("/api/v4/channels/{channel_id}/posts", get(channel_posts))
        .route("/api/v4/teams/{team_id}/channels", get(list_public))
        .route("/api/v4/teams/{team_id}/channels/search", post(search_channels))
        .route("/api/v4/teams/{team_id}/channels/name/{name}", get(get_by_name))
        .route("/api/v4/teams/name/{team_name}/channels/name/{name}", get(get_by_team_name))
        .route("/api/v4/users/{user_id}/teams/{team_id}/channels", get(channels_for_user))
}

/// POST /api/v4/channels
async fn create_channel(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppJson(new): AppJson<NewChannel>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.services.channels().create_channel(&caller, new).await?)))
}

/// POST /api/v4/channels/direct `[user_id, user_id]`
async fn create_direct(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppJson(ids): AppJson<Vec<String>>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    let (channel, _) = state.services.channels().create_direct_channel(&caller, &ids).await?;
    Ok((StatusCode::CREATED, Json(channel)))
}

/// POST /api/v4/channels/group `[user_id, ...]` (the caller is added when missing)
async fn create_group(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppJson(ids): AppJson<Vec<String>>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    let (channel, _) = state.services.channels().create_group_channel(&caller, &ids).await?;
    Ok((StatusCode::CREATED, Json(channel)))
}

/// The body of a channel search (Mattermost `ChannelSearch`; other fields ignored).
#[derive(Deserialize)]
struct ChannelSearch {
    #[serde(default)]
    term: String,
}

/// POST /api/v4/teams/{team_id}/channels/search `{"term": ".."}`
async fn search_channels(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(team_id): Path<String>,
    AppJson(search): AppJson<ChannelSearch>,
) -> Result<Json<Vec<Channel>>, ApiError> {
    Ok(Json(state.services.channels().search_channels(&caller, &team_id, &search.term).await?))
}

/// GET /api/v4/channels/{channel_id}
async fn get_channel(Auth(caller, _): Auth, State(state): State<AppState>, Path(channel_id): Path<String>) -> Result<Json<Channel>, ApiError> {
    Ok(Json(state.services.channels().get_channel(&caller, &channel_id).await?))
}

/// DELETE /api/v4/channels/{channel_id} (archive)
async fn archive_channel(Auth(caller, _): Auth, State(state): State<AppState>, Path(channel_id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.services.channels().archive_channel(&caller, &channel_id).await?;
    Ok(ok())
}

/// POST /api/v4/channels/{channel_id}/restore (un-archive; team and system admins)
async fn restore_channel(Auth(caller, _): Auth, State(state): State<AppState>, Path(channel_id): Path<String>) -> Result<Json<Channel>, ApiError> {
    Ok(Json(state.services.channels().restore_channel(&caller, &channel_id).await?))
}

/// PUT /api/v4/channels/{channel_id}/patch
async fn patch_channel(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(channel_id): Path<String>,
    AppJson(patch): AppJson<ChannelPatch>,
) -> Result<Json<Channel>, ApiError> {
    Ok(Json(state.services.channels().patch_channel(&caller, &channel_id, patch).await?))
}

/// GET /api/v4/channels/{channel_id}/members
async fn list_members(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(channel_id): Path<String>,
    AppQuery(q): AppQuery<PagingQuery>,
) -> Result<Json<Vec<ChannelMember>>, ApiError> {
    Ok(Json(state.services.channels().list_channel_members(&caller, &channel_id, Paging::parse(&q)?).await?))
}

#[derive(Deserialize)]
struct MemberBody {
    #[serde(default)]
    user_id: String,
}

/// POST /api/v4/channels/{channel_id}/members `{user_id}`
async fn add_member(
    auth: Auth,
    State(state): State<AppState>,
    Path(channel_id): Path<String>,
    AppJson(body): AppJson<MemberBody>,
) -> Result<(StatusCode, Json<ChannelMember>), ApiError> {
    let user_id = auth.resolve(&body.user_id).to_string();
    Ok((StatusCode::CREATED, Json(state.services.channels().add_channel_member(&auth.0, &channel_id, &user_id).await?)))
}

/// GET /api/v4/channels/{channel_id}/members/{user_id}
async fn get_member(auth: Auth, State(state): State<AppState>, Path((channel_id, user_id)): Path<(String, String)>) -> Result<Json<ChannelMember>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.channels().get_channel_member(&auth.0, &channel_id, &user_id).await?))
}

/// DELETE /api/v4/channels/{channel_id}/members/{user_id}
async fn remove_member(auth: Auth, State(state): State<AppState>, Path((channel_id, user_id)): Path<(String, String)>) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.channels().remove_channel_member(&auth.0, &channel_id, &user_id).await?;
    Ok(ok())
}

#[derive(Deserialize, Default)]
struct PostsQuery {
    #[serde(flatten)]
    paging: PagingQuery,
    since: Option<String>,
    before: Option<String>,
    after: Option<String>,
}

/// GET /api/v4/channels/{channel_id}/posts?page&per_page&since&before&after
///
/// `since` (ms) cannot be combined with the others, as in Mattermost.
async fn channel_posts(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(channel_id): Path<String>,
    AppQuery(q): AppQuery<PostsQuery>,
) -> Result<Json<PostList>, ApiError> {
    let paging = Paging::parse(&q.paging)?;
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let query = match (nonempty(&q.since), nonempty(&q.before), nonempty(&q.after)) {
        (Some(since), None, None) => match since.parse::<i64>() {
            Ok(ms) if ms >= 0 => PostQuery::Since(ms),
            _ => return Err(ApiError::new(StatusCode::BAD_REQUEST, ids::INVALID_URL_PARAM, "Invalid or missing since parameter in request URL.")),
        },
        (Some(_), _, _) => return Err(ApiError::new(StatusCode::BAD_REQUEST, ids::INVALID_URL_PARAM, "since cannot be combined with before or after.")),
        (None, Some(before), None) => PostQuery::Before(before, paging),
        (None, None, Some(after)) => PostQuery::After(after, paging),
        (None, Some(_), Some(_)) => return Err(ApiError::new(StatusCode::BAD_REQUEST, ids::INVALID_URL_PARAM, "before and after cannot be combined.")),
        (None, None, None) => PostQuery::Page(paging),
    };
    Ok(Json(state.services.posts().channel_posts(&caller, &channel_id, query).await?))
}

/// GET /api/v4/teams/{team_id}/channels (public channels)
async fn list_public(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(team_id): Path<String>,
    AppQuery(q): AppQuery<PagingQuery>,
) -> Result<Json<Vec<Channel>>, ApiError> {
    Ok(Json(state.services.channels().list_public_channels(&caller, &team_id, Paging::parse(&q)?).await?))
}

/// GET /api/v4/teams/{team_id}/channels/name/{name}
async fn get_by_name(Auth(caller, _): Auth, State(state): State<AppState>, Path((team_id, name)): Path<(String, String)>) -> Result<Json<Channel>, ApiError> {
    Ok(Json(state.services.channels().get_channel_by_name(&caller, &team_id, &name).await?))
}

/// GET /api/v4/teams/name/{team_name}/channels/name/{name}
async fn get_by_team_name(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path((team_name, name)): Path<(String, String)>,
) -> Result<Json<Channel>, ApiError> {
    let team = state.services.teams().get_team_by_name(&caller, &team_name).await?;
    Ok(Json(state.services.channels().get_channel_by_name(&caller, &team.id, &name).await?))
}

/// GET /api/v4/users/{user_id}/teams/{team_id}/channels
async fn channels_for_user(
    auth: Auth,
    State(state): State<AppState>,
    Path((user_id, team_id)): Path<(String, String)>,
) -> Result<Json<Vec<Channel>>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.channels().channels_for_user(&auth.0, &user_id, &team_id).await?))
}
