//! Webhook routes: incoming and outgoing hook management under `/api/v4/hooks`, and `POST /hooks/{hook_id}`, where integrations post with JSON, Slack's `payload=` form or multipart fields.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{AppJson, AppQuery, Auth, plugin_context};
use super::{ApiError, AppState, ok};
use crate::domain::Paging;
use crate::domain::error_ids;
use crate::domain::paging::PagingQuery;
use crate::domain::webhook::{IncomingWebhook, IncomingWebhookRequest, OutgoingWebhook};
use crate::service::webhooks::HookListQuery;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/hooks/incoming", post(create_incoming).get(list_incoming))
        .route("/api/v4/hooks/incoming/{hook_id}", get(get_incoming).put(update_incoming).delete(delete_incoming))
        .route("/api/v4/hooks/outgoing", post(create_outgoing).get(list_outgoing))
        .route("/api/v4/hooks/outgoing/{hook_id}", get(get_outgoing).put(update_outgoing).delete(delete_outgoing))
        .route("/api/v4/hooks/outgoing/{hook_id}/regen_token", post(regen_token))
        .route("/hooks/{hook_id}", post(execute_incoming).route_layer(axum::middleware::from_fn(super::rate_limit::limit)))
}

/// Query of the list routes.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    page: Option<String>,
    per_page: Option<String>,
    team_id: Option<String>,
    channel_id: Option<String>,
    include_total_count: Option<String>,
}

impl ListQuery {
    fn to_service(&self) -> Result<HookListQuery, ApiError> {
        let paging = Paging::parse(&PagingQuery { page: self.page.clone(), per_page: self.per_page.clone() })?;
        let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        Ok(HookListQuery { team_id: nonempty(&self.team_id), channel_id: nonempty(&self.channel_id), paging })
    }
}

/// POST /api/v4/hooks/incoming
async fn create_incoming(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppJson(hook): AppJson<IncomingWebhook>,
) -> Result<(StatusCode, Json<IncomingWebhook>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.services.webhooks().create_incoming_webhook(&caller, hook).await?)))
}

/// GET /api/v4/hooks/incoming?team_id&page&per_page&include_total_count
///
/// With `include_total_count=true` the answer is `{incoming_webhooks, total_count}`.
async fn list_incoming(Auth(caller, _): Auth, State(state): State<AppState>, AppQuery(q): AppQuery<ListQuery>) -> Result<Json<Value>, ApiError> {
    let (hooks, total) = state.services.webhooks().list_incoming_webhooks(&caller, q.to_service()?).await?;
    if q.include_total_count.as_deref() == Some("true") {
        Ok(Json(json!({ "incoming_webhooks": hooks, "total_count": total })))
    } else {
        Ok(Json(json!(hooks)))
    }
}

/// GET /api/v4/hooks/incoming/{hook_id}
async fn get_incoming(Auth(caller, _): Auth, State(state): State<AppState>, Path(hook_id): Path<String>) -> Result<Json<IncomingWebhook>, ApiError> {
    Ok(Json(state.services.webhooks().get_incoming_webhook(&caller, &hook_id).await?))
}

/// PUT /api/v4/hooks/incoming/{hook_id}
async fn update_incoming(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(hook_id): Path<String>,
    AppJson(hook): AppJson<IncomingWebhook>,
) -> Result<Json<IncomingWebhook>, ApiError> {
    Ok(Json(state.services.webhooks().update_incoming_webhook(&caller, &hook_id, hook).await?))
}

/// DELETE /api/v4/hooks/incoming/{hook_id}
async fn delete_incoming(Auth(caller, _): Auth, State(state): State<AppState>, Path(hook_id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.services.webhooks().delete_incoming_webhook(&caller, &hook_id).await?;
    Ok(ok())
}

/// POST /api/v4/hooks/outgoing
async fn create_outgoing(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppJson(hook): AppJson<OutgoingWebhook>,
) -> Result<(StatusCode, Json<OutgoingWebhook>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.services.webhooks().create_outgoing_webhook(&caller, hook).await?)))
}

/// GET /api/v4/hooks/outgoing?team_id&channel_id&page&per_page
async fn list_outgoing(Auth(caller, _): Auth, State(state): State<AppState>, AppQuery(q): AppQuery<ListQuery>) -> Result<Json<Vec<OutgoingWebhook>>, ApiError> {
    Ok(Json(state.services.webhooks().list_outgoing_webhooks(&caller, q.to_service()?).await?))
}

/// GET /api/v4/hooks/outgoing/{hook_id}
async fn get_outgoing(Auth(caller, _): Auth, State(state): State<AppState>, Path(hook_id): Path<String>) -> Result<Json<OutgoingWebhook>, ApiError> {
    Ok(Json(state.services.webhooks().get_outgoing_webhook(&caller, &hook_id).await?))
}

/// PUT /api/v4/hooks/outgoing/{hook_id}
async fn update_outgoing(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(hook_id): Path<String>,
    AppJson(hook): AppJson<OutgoingWebhook>,
) -> Result<Json<OutgoingWebhook>, ApiError> {
    Ok(Json(state.services.webhooks().update_outgoing_webhook(&caller, &hook_id, hook).await?))
}

/// DELETE /api/v4/hooks/outgoing/{hook_id}
async fn delete_outgoing(Auth(caller, _): Auth, State(state): State<AppState>, Path(hook_id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.services.webhooks().delete_outgoing_webhook(&caller, &hook_id).await?;
    Ok(ok())
}

/// POST /api/v4/hooks/outgoing/{hook_id}/regen_token
async fn regen_token(Auth(caller, _): Auth, State(state): State<AppState>, Path(hook_id): Path<String>) -> Result<Json<OutgoingWebhook>, ApiError> {
    Ok(Json(state.services.webhooks().regenerate_outgoing_token(&caller, &hook_id).await?))
}

/// Mattermost's 400 for a body it cannot read.
fn parse_error(detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, error_ids::webhooks::INCOMING_HOOK_PARSE_DATA, "Unable to parse incoming data.").with_detail(detail)
}

/// Mattermost's 400 for a content type or form it cannot take apart.
fn media_error(detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, error_ids::webhooks::WEBHOOK_INCOMING, "Could not decode the multipart payload of incoming webhook.")
        .with_detail(detail)
}

/// The media type of a request (`type/subtype`, lower case); `Ok("")` when there is
/// no `Content-Type`, an error when it is not a media type at all (Go's
/// `mime.ParseMediaType`; bad parameters are tolerated as there).
fn media_type(headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else { return Ok(String::new()) };
    let value = value.to_str().map_err(|_| media_error("the Content-Type header is not text"))?;
    if value.trim().is_empty() {
        return Ok(String::new());
    }
    let media = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b));
    match media.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => Ok(media),
        _ => Err(media_error(format!("invalid media type {value:?}"))),
    }
}

/// POST /hooks/{hook_id}
///
/// No session: the hook id is the secret. `application/x-www-form-urlencoded` reads
/// the JSON in the `payload` field (Slack), `multipart/form-data` reads one field per
/// request field, anything else (or nothing) is JSON. Answers `ok` as `text/plain`.
/// Text holding a NUL character is `400 api.context.invalid_body_param.app_error`.
async fn execute_incoming(State(state): State<AppState>, Path(hook_id): Path<String>, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let ctx = plugin_context(&parts);
    let request = Request::from_parts(parts, body);
    let payload = match media_type(request.headers())?.as_str() {
        "application/x-www-form-urlencoded" => {
            let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, &()).await.map_err(|e| parse_error(e.body_text()))?;
            let payload = fields.into_iter().find(|(name, _)| name == "payload").map(|(_, value)| value).unwrap_or_default();
            IncomingWebhookRequest::from_json(payload.as_bytes()).map_err(|e| parse_error(e.0))?
        }
        "multipart/form-data" => {
            let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| media_error(e.body_text()))?;
            let mut fields = Vec::new();
            while let Some(field) = multipart.next_field().await.map_err(|e| media_error(e.body_text()))? {
                let name = field.name().unwrap_or_default().to_string();
                fields.push((name, field.text().await.map_err(|e| media_error(e.body_text()))?));
            }
            IncomingWebhookRequest::from_fields(&fields).map_err(|e| media_error(e.0))?
        }
        _ => {
            let bytes = Bytes::from_request(request, &()).await.map_err(|e| parse_error(e.body_text()))?;
            IncomingWebhookRequest::from_json(&bytes).map_err(|e| parse_error(e.0))?
        }
    };
    // Whichever encoding brought it (a JSON escape, a form's %00, a multipart field),
    // a NUL in any text is refused before the hook is looked at.
    if crate::domain::text::serialized_has_nul(&payload) {
        return Err(crate::domain::text::nul_refused().into());
    }
    state.services.webhooks().execute_incoming_webhook(ctx, &hook_id, payload).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain")], "ok").into_response())
}
