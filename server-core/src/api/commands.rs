//! Slash command routes: custom command CRUD, `execute`, autocomplete, and the `response_url` endpoint `/hooks/commands/{id}` for delayed answers.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{AppJson, AppQuery, Auth};
use super::{ApiError, AppState, ok};
use crate::domain::command::{AutocompleteSuggestion, Command, CommandResponse};
use crate::domain::error_ids;
use crate::service::commands::ExecuteRequest;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/commands", post(create_command).get(list_commands))
        .route("/api/v4/commands/execute", post(execute_command))
        .route("/api/v4/commands/{command_id}", get(get_command).put(update_command).delete(delete_command))
        .route("/api/v4/commands/{command_id}/move", put(move_command))
        .route("/api/v4/commands/{command_id}/regen_token", put(regen_token))
        .route("/api/v4/teams/{team_id}/commands/autocomplete", get(autocomplete))
        .route("/api/v4/teams/{team_id}/commands/autocomplete_suggestions", get(autocomplete_suggestions))
        // A literal segment beside the incoming webhooks' `/hooks/{id}`: axum routes
        // `/hooks/commands/<id>` here and every other `/hooks/<id>` there.
        .route(RESPONSE_URL_ROUTE, post(command_webhook).route_layer(axum::middleware::from_fn(super::rate_limit::limit)))
}

/// The `response_url` route, beside the incoming webhooks' `/hooks/{hook_id}`.
const RESPONSE_URL_ROUTE: &str = "/hooks/commands/{hook_id}";

/// POST /api/v4/commands
async fn create_command(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppJson(command): AppJson<Command>,
) -> Result<(StatusCode, Json<Command>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.services.commands().create_command(&caller, command).await?)))
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    custom_only: String,
}

/// GET /api/v4/commands?team_id=&custom_only=
async fn list_commands(Auth(caller, _): Auth, State(state): State<AppState>, AppQuery(query): AppQuery<ListQuery>) -> Result<Json<Vec<Command>>, ApiError> {
    // Go's ParseBool, with anything unparsable meaning false as in Mattermost.
    let custom_only = matches!(query.custom_only.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True");
    Ok(Json(state.services.commands().list_commands(&caller, &query.team_id, custom_only).await?))
}

/// GET /api/v4/commands/{command_id}
async fn get_command(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Command>, ApiError> {
    Ok(Json(state.services.commands().get_command(&caller, &id).await?))
}

/// PUT /api/v4/commands/{command_id} (the whole command; `id` and `team_id` must match)
async fn update_command(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(command): AppJson<Command>,
) -> Result<Json<Command>, ApiError> {
    Ok(Json(state.services.commands().update_command(&caller, &id, command).await?))
}

/// DELETE /api/v4/commands/{command_id}
async fn delete_command(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.services.commands().delete_command(&caller, &id).await?;
    Ok(ok())
}

#[derive(Deserialize)]
struct MoveRequest {
    #[serde(default)]
    team_id: String,
}

/// PUT /api/v4/commands/{command_id}/move `{team_id}`
async fn move_command(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(body): AppJson<MoveRequest>,
) -> Result<Json<Value>, ApiError> {
    state.services.commands().move_command(&caller, &id, &body.team_id).await?;
    Ok(ok())
}

/// PUT /api/v4/commands/{command_id}/regen_token → `{token}`
async fn regen_token(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let token = state.services.commands().regen_command_token(&caller, &id).await?;
    Ok(Json(json!({ "token": token })))
}

/// POST /api/v4/commands/execute `{channel_id, command, team_id?, root_id?}` → the
/// `CommandResponse` (with the client's `trigger_id`).
async fn execute_command(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppJson(request): AppJson<ExecuteRequest>,
) -> Result<Json<CommandResponse>, ApiError> {
    Ok(Json(state.services.commands().execute(&caller, request, &state.site_url).await?))
}

/// GET /api/v4/teams/{team_id}/commands/autocomplete
async fn autocomplete(Auth(caller, _): Auth, State(state): State<AppState>, Path(team_id): Path<String>) -> Result<Json<Vec<Command>>, ApiError> {
    Ok(Json(state.services.commands().autocomplete_commands(&caller, &team_id).await?))
}

#[derive(Deserialize)]
struct SuggestionQuery {
    #[serde(default)]
    user_input: String,
}

/// GET /api/v4/teams/{team_id}/commands/autocomplete_suggestions?user_input=
async fn autocomplete_suggestions(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(team_id): Path<String>,
    AppQuery(query): AppQuery<SuggestionQuery>,
) -> Result<Json<Vec<AutocompleteSuggestion>>, ApiError> {
    Ok(Json(state.services.commands().autocomplete_suggestions(&caller, &team_id, &query.user_input).await?))
}

/// POST /hooks/commands/{hook_id}: a delayed answer (JSON `CommandResponse`, or any
/// other content type as the text); `ok` as text/plain. No session: the id is the secret.
/// Text holding a NUL character is refused with a 400, as on every route.
async fn command_webhook(State(state): State<AppState>, Path(hook_id): Path<String>, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let response = CommandResponse::from_http_body(content_type, &body).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, error_ids::commands::COMMAND_WEBHOOK_PARSE, "Unable to parse incoming data.").with_detail(e.to_string())
    })?;
    if crate::domain::text::serialized_has_nul(&response) {
        return Err(crate::domain::text::nul_refused().into());
    }
    state.services.commands().command_webhook(&hook_id, response).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain")], "ok"))
}

#[cfg(test)]
mod tests {
    use axum::extract::Path;

    use super::*;

    /// axum 0.8 routes the literal `commands` segment here and any other `/hooks/{id}`
    /// to the incoming webhooks' route, with both registered in one router.
    #[tokio::test]
    async fn response_urls_and_incoming_webhooks_share_hooks() {
        let app = Router::new()
            .route("/hooks/{hook_id}", post(|Path(id): Path<String>| async move { format!("incoming {id}") }))
            .route(RESPONSE_URL_ROUTE, post(|Path(id): Path<String>| async move { format!("command {id}") }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        crate::outbound::install_tls_provider();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        for (path, expected) in [("/hooks/abc", "incoming abc"), ("/hooks/commands/abc", "command abc"), ("/hooks/commands", "incoming commands")] {
            let text = client.post(format!("{base}{path}")).send().await.unwrap().text().await.unwrap();
            assert_eq!(text, expected, "{path}");
        }
    }
}
