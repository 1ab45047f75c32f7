//! Interactive message and dialog routes: a click on a post's action, opening a dialog, submitting one.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::error::ids;
use super::extract::{AppJson, Auth};
use super::{ApiError, AppState, ok};
use crate::domain::dialog::{OpenDialogRequest, SubmitDialogRequest, SubmitDialogResponse};
use crate::service::actions::ActionClick;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/posts/{post_id}/actions/{action_id}", post(do_post_action))
        .route("/api/v4/actions/dialogs/open", post(open_dialog))
        .route("/api/v4/actions/dialogs/submit", post(submit_dialog))
}

/// POST /api/v4/posts/{post_id}/actions/{action_id}
///
/// Body `{"selected_option": "...", "cookie": "..."}`, both optional (clients may send
/// none). Answers `{"status":"OK","trigger_id":"..."}` once the integration answered.
async fn do_post_action(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path((post_id, action_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    if crate::domain::text::json_has_nul(&body) {
        return Err(crate::domain::text::nul_refused().into());
    }
    let click: ActionClick = if body.iter().all(u8::is_ascii_whitespace) {
        ActionClick::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ids::BAD_BODY, "Invalid or missing body in request.").with_detail(e.to_string()))?
    };
    let trigger_id = state.services.actions().do_post_action(&caller, &post_id, &action_id, click).await?;
    Ok(Json(json!({ "status": "OK", "trigger_id": trigger_id })))
}

/// POST /api/v4/actions/dialogs/open
///
/// An integration (any signed-in caller holding a fresh trigger id) shows a dialog to
/// the user the trigger id was minted for.
async fn open_dialog(Auth(_caller, _): Auth, State(state): State<AppState>, AppJson(request): AppJson<OpenDialogRequest>) -> Result<Json<Value>, ApiError> {
    state.services.actions().open_dialog(request).await?;
    Ok(ok())
}

/// POST /api/v4/actions/dialogs/submit
///
/// Only for a dialog opened for the caller (403 otherwise). Of the integration's
/// answer only `error` and `errors` come back, as in Mattermost; `{}` when it gave
/// neither.
async fn submit_dialog(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppJson(submission): AppJson<SubmitDialogRequest>,
) -> Result<Json<SubmitDialogResponse>, ApiError> {
    Ok(Json(state.services.actions().submit_dialog(&caller, submission).await?))
}
