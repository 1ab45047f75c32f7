//! Team routes: create, read, list, my teams, and members.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::extract::{AppJson, AppQuery, Auth};
use super::{ApiError, AppState, ok};
use crate::domain::paging::PagingQuery;
use crate::domain::team::NewTeam;
use crate::domain::{Paging, Team, TeamMember};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/teams", post(create_team).get(list_teams))
        .route("/api/v4/teams/name/{name}", get(get_team_by_name))
        .route("/api/v4/teams/{team_id}", get(get_team))
        .route("/api/v4/teams/{team_id}/members", get(list_members).post(add_member))
        .route("/api/v4/teams/{team_id}/members/{user_id}", get(get_member).delete(remove_member))
        .route("/api/v4/users/{user_id}/teams", get(teams_for_user))
}

/// POST /api/v4/teams
async fn create_team(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(new): AppJson<NewTeam>) -> Result<(StatusCode, Json<Team>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.services.teams().create_team(&caller, new).await?)))
}

/// GET /api/v4/teams
async fn list_teams(Auth(caller, _): Auth, State(state): State<AppState>, AppQuery(q): AppQuery<PagingQuery>) -> Result<Json<Vec<Team>>, ApiError> {
    Ok(Json(state.services.teams().list_teams(&caller, Paging::parse(&q)?).await?))
}

/// GET /api/v4/teams/{team_id}
async fn get_team(Auth(caller, _): Auth, State(state): State<AppState>, Path(team_id): Path<String>) -> Result<Json<Team>, ApiError> {
    Ok(Json(state.services.teams().get_team(&caller, &team_id).await?))
}

/// GET /api/v4/teams/name/{name}
async fn get_team_by_name(Auth(caller, _): Auth, State(state): State<AppState>, Path(name): Path<String>) -> Result<Json<Team>, ApiError> {
    Ok(Json(state.services.teams().get_team_by_name(&caller, &name).await?))
}

/// GET /api/v4/users/{user_id}/teams
async fn teams_for_user(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Json<Vec<Team>>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.teams().teams_for_user(&auth.0, &user_id).await?))
}

/// GET /api/v4/teams/{team_id}/members
async fn list_members(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(team_id): Path<String>,
    AppQuery(q): AppQuery<PagingQuery>,
) -> Result<Json<Vec<TeamMember>>, ApiError> {
    Ok(Json(state.services.teams().list_team_members(&caller, &team_id, Paging::parse(&q)?).await?))
}

#[derive(Deserialize)]
struct MemberBody {
    #[serde(default)]
    user_id: String,
}

/// POST /api/v4/teams/{team_id}/members
async fn add_member(
    auth: Auth,
    State(state): State<AppState>,
    Path(team_id): Path<String>,
    AppJson(body): AppJson<MemberBody>,
) -> Result<(StatusCode, Json<TeamMember>), ApiError> {
    let user_id = auth.resolve(&body.user_id).to_string();
    Ok((StatusCode::CREATED, Json(state.services.teams().add_team_member(&auth.0, &team_id, &user_id).await?)))
}

/// GET /api/v4/teams/{team_id}/members/{user_id}
async fn get_member(auth: Auth, State(state): State<AppState>, Path((team_id, user_id)): Path<(String, String)>) -> Result<Json<TeamMember>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.teams().get_team_member(&auth.0, &team_id, &user_id).await?))
}

/// DELETE /api/v4/teams/{team_id}/members/{user_id}
async fn remove_member(auth: Auth, State(state): State<AppState>, Path((team_id, user_id)): Path<(String, String)>) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.teams().remove_team_member(&auth.0, &team_id, &user_id).await?;
    Ok(ok())
}
