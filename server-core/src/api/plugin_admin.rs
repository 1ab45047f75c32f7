//! Plugin administration routes (Mattermost's `api4/plugin.go` subset plus our settings and permission routes) and the static routes for plugins' `public/` files and webapp bundles.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::extract::{AppJson, AppQuery, Auth};
use super::{ApiError, AppState, ok};
use crate::plugins::admin::{AdminError, Source};
use crate::plugins::error_ids as ids;

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> ApiError {
        let (status, id) = match &e {
            AdminError::Forbidden => (StatusCode::FORBIDDEN, ids::FORBIDDEN),
            AdminError::NotFound { id, .. } => (StatusCode::NOT_FOUND, *id),
            AdminError::Invalid { id, .. } => (StatusCode::BAD_REQUEST, *id),
            AdminError::Disabled { id, .. } => (StatusCode::NOT_IMPLEMENTED, *id),
            // Mattermost answers "already installed" and "not approved" with 400, not 409.
            AdminError::Conflict { id, .. } => (StatusCode::BAD_REQUEST, *id),
            AdminError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, ids::TOO_LARGE),
            // Mattermost answers a failed download with 400, not 502.
            AdminError::Upstream { id, .. } => (StatusCode::BAD_REQUEST, *id),
            AdminError::Internal { .. } => {
                tracing::error!(error = %e, "plugin administration failed");
                (StatusCode::INTERNAL_SERVER_ERROR, ids::INTERNAL)
            }
        };
        ApiError::new(status, id, message(id)).with_detail(e.to_string())
    }
}

/// The user-facing message Mattermost sends with each id.
fn message(id: &str) -> &'static str {
    match id {
        ids::FORBIDDEN => "You do not have the appropriate permissions.",
        ids::UPLOAD_DISABLED => "Plugins and/or plugin uploads have been disabled.",
        ids::MARKETPLACE_DISABLED => "The marketplace is disabled.",
        ids::TOO_LARGE => "Unable to upload file. File is too large.",
        ids::EXTRACT => "An error occurred extracting the plugin bundle.",
        ids::VERIFY => "Unable to verify plugin signature.",
        ids::MANIFEST => "The plugin bundle is not valid.",
        ids::INSTALL_ID => "Unable to install plugin. A plugin with the same ID is already installed.",
        ids::NOT_INSTALLED => "Plugin is not installed.",
        ids::ACTIVATE => "The new plugin version failed to start; the previous one is still in service.",
        ids::NEEDS_APPROVAL => "The plugin requests permissions that were not approved.",
        ids::DOWNLOAD => "An error occurred downloading the plugin.",
        ids::INTERNAL => "An error occurred installing the plugin.",
        // NO_FILE, INVALID_SETTINGS
        _ => "The request is missing something or is malformed.",
    }
}

/// Room for the multipart framing and the other fields around the bundle.
const UPLOAD_FRAMING: usize = 64 * 1024;
/// How much of an oversize upload is read and thrown away so the client gets its 413;
/// beyond this the connection is closed instead.
const MAX_DRAINED_BYTES: usize = 256 * 1024 * 1024;

/// Why a body could not be read whole.
enum BodyError {
    TooLarge,
    Read(String),
}

/// The body, unless it is longer than `cap`; an oversize body is read on (and dropped)
/// up to [`MAX_DRAINED_BYTES`] before saying so.
async fn read_capped(body: axum::body::Body, cap: usize) -> Result<Bytes, BodyError> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut buffer = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| BodyError::Read(e.to_string()))?;
        seen = seen.saturating_add(chunk.len());
        if seen > cap {
            if seen > MAX_DRAINED_BYTES {
                break;
            }
            continue;
        }
        buffer.extend_from_slice(&chunk);
    }
    if seen > cap { Err(BodyError::TooLarge) } else { Ok(Bytes::from(buffer)) }
}

pub(super) fn router(max_bundle_bytes: usize) -> Router<AppState> {
    let upload_limit = max_bundle_bytes.saturating_add(UPLOAD_FRAMING);
    Router::new()
        .route("/api/v4/plugins", post(upload).get(list).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/api/v4/plugins/statuses", get(statuses))
        .route("/api/v4/plugins/metrics", get(metrics))
        .route("/api/v4/plugins/webapp", get(webapp))
        .route("/api/v4/plugins/install_from_url", post(install_from_url))
        .route("/api/v4/plugins/marketplace", get(marketplace_list).post(marketplace_install))
        .route("/api/v4/plugins/{plugin_id}", delete(remove))
        .route("/api/v4/plugins/{plugin_id}/enable", post(enable))
        .route("/api/v4/plugins/{plugin_id}/disable", post(disable))
        .route("/api/v4/plugins/{plugin_id}/settings", get(get_settings).put(put_settings))
        .route("/api/v4/plugins/{plugin_id}/metrics", get(plugin_metrics))
        .route("/api/v4/plugins/{plugin_id}/permissions", get(permissions))
        .route("/api/v4/plugins/{plugin_id}/permissions/approve", post(approve))
        .route("/plugins/{plugin_id}/public/{*file}", get(public_file))
        .route("/static/plugins/{plugin_id}/{file}", get(webapp_bundle))
}

/// The 201 Mattermost answers an install with: the manifest.
fn created(manifest: &confab_host::Manifest) -> Response {
    (StatusCode::CREATED, Json(serde_json::to_value(manifest).expect("manifests serialize"))).into_response()
}

/// POST /api/v4/plugins
///
/// Multipart `plugin` (the `.tar.gz`), `force` ("true" to replace an installed id),
/// and our addition `signature` (base64 ed25519 over the bundle) for servers that
/// require signed plugins. 201 + manifest.
async fn upload(Auth(caller, _): Auth, State(state): State<AppState>, request: axum::extract::Request) -> Result<Response, ApiError> {
    // Authorize before reading a possibly large body.
    if !caller.is_admin() {
        return Err(AdminError::Forbidden.into());
    }
    let admin = &state.plugin_admin;
    if !admin.options().uploads_enabled {
        return Err(AdminError::uploads_disabled().into());
    }
    let limit = admin.options().max_bundle_bytes;
    // Read the body ourselves, so that an oversize upload is read to its end (up to a
    // bound) before the 413: answering mid-upload makes the client's next write fail
    // with a broken pipe, and it never sees the answer.
    let (parts, body) = request.into_parts();
    let body = match read_capped(body, limit.saturating_add(UPLOAD_FRAMING)).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => return Err(AdminError::TooLarge { limit }.into()),
        Err(BodyError::Read(why)) => return Err(AdminError::bad_request(why).into()),
    };
    let buffered = axum::extract::Request::from_parts(parts, axum::body::Body::from(body));
    let mut multipart = <Multipart as axum::extract::FromRequest<()>>::from_request(buffered, &()).await.map_err(|e| AdminError::bad_request(e.body_text()))?;
    let (mut bundle, mut force, mut signature) = (None::<Bytes>, false, None::<String>);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(AdminError::TooLarge { limit }.into()),
            Err(e) => return Err(AdminError::bad_request(e.body_text()).into()),
        };
        let name = field.name().unwrap_or_default().to_string();
        let data = match field.bytes().await {
            Ok(data) => data,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(AdminError::TooLarge { limit }.into()),
            Err(e) => return Err(AdminError::bad_request(e.body_text()).into()),
        };
        match name.as_str() {
            "plugin" => bundle = Some(data),
            "force" => force = String::from_utf8_lossy(&data).trim().eq_ignore_ascii_case("true"),
            "signature" => signature = Some(String::from_utf8_lossy(&data).into_owned()),
            _ => {}
        }
    }
    let bundle = bundle.ok_or_else(|| AdminError::bad_request("the multipart field `plugin` (the bundle) is missing"))?;
    let installed = admin.install_upload(&caller, &bundle, signature.as_deref(), force, Source::Upload).await?;
    tracing::info!(plugin_id = %installed.manifest.id, serving = installed.serving, elapsed_ms = installed.elapsed_ms, "bundle uploaded");
    Ok(created(&installed.manifest))
}

#[derive(Deserialize)]
struct FromUrl {
    plugin_download_url: String,
    #[serde(default)]
    force: Option<String>,
}

/// POST /api/v4/plugins/install_from_url?plugin_download_url=...&force=...
///
/// Downloads through the outbound guard (private addresses refused unless allowed);
/// the signature, when required, is fetched from `<url>.sig`.
async fn install_from_url(Auth(caller, _): Auth, State(state): State<AppState>, AppQuery(q): AppQuery<FromUrl>) -> Result<Response, ApiError> {
    if !caller.is_admin() {
        return Err(AdminError::Forbidden.into());
    }
    let force = q.force.as_deref().is_some_and(|f| f.eq_ignore_ascii_case("true"));
    let installed = state.plugin_admin.install_from_url(&caller, &q.plugin_download_url, force).await?;
    Ok(created(&installed.manifest))
}

/// GET /api/v4/plugins/marketplace?filter=&page=&per_page=: the compatible entries.
async fn marketplace_list(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    AppQuery(q): AppQuery<crate::plugins::admin::ListQuery>,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(state.plugin_admin.marketplace_list(&caller, &q).await?))
}

#[derive(Deserialize)]
struct MarketplaceInstall {
    id: String,
    /// Ignored, as in Mattermost: the newest compatible version is installed.
    #[serde(default)]
    #[allow(dead_code)]
    version: String,
}

/// POST /api/v4/plugins/marketplace `{id, version}`: 201 + manifest.
async fn marketplace_install(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(body): AppJson<MarketplaceInstall>) -> Result<Response, ApiError> {
    let installed = state.plugin_admin.install_from_marketplace(&caller, &body.id).await?;
    Ok(created(&installed.manifest))
}

/// GET /api/v4/plugins: `{active, inactive}`, manifests inline.
async fn list(Auth(caller, _): Auth, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.plugin_admin.list(&caller).await?))
}

/// GET /api/v4/plugins/statuses: every installed plugin, state 0 when not running.
async fn statuses(Auth(caller, _): Auth, State(state): State<AppState>) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(state.plugin_admin.statuses(&caller).await?))
}

/// GET /api/v4/plugins/metrics (ours): every loaded plugin's calls, failures by kind,
/// fuel, latency quantiles and histogram, instances and memory, with the reading's time.
async fn metrics(Auth(caller, _): Auth, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.plugin_admin.metrics(&caller).await?))
}

/// GET /api/v4/plugins/{plugin_id}/metrics (ours): one plugin's figures, as above.
async fn plugin_metrics(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.plugin_admin.metrics_of(&caller, &id.to_lowercase()).await?))
}

/// GET /api/v4/plugins/webapp (no session): client manifests of running webapp plugins.
async fn webapp(State(state): State<AppState>) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(state.plugin_admin.webapp_manifests().await?))
}

/// DELETE /api/v4/plugins/{plugin_id}
async fn remove(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.plugin_admin.remove(&caller, &id.to_lowercase()).await?;
    Ok(ok())
}

/// POST /api/v4/plugins/{plugin_id}/enable
async fn enable(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.plugin_admin.enable(&caller, &id.to_lowercase()).await?;
    Ok(ok())
}

/// POST /api/v4/plugins/{plugin_id}/disable
async fn disable(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.plugin_admin.disable(&caller, &id.to_lowercase()).await?;
    Ok(ok())
}

/// GET /api/v4/plugins/{plugin_id}/settings (ours; Mattermost keeps them in the config):
/// saved values over the schema defaults.
async fn get_settings(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.plugin_admin.settings(&caller, &id.to_lowercase()).await?))
}

/// PUT /api/v4/plugins/{plugin_id}/settings: replace the values (checked against the
/// schema); running instances get `configuration-changed`.
async fn put_settings(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(values): AppJson<serde_json::Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.plugin_admin.put_settings(&caller, &id.to_lowercase(), values).await?))
}

/// GET /api/v4/plugins/{plugin_id}/permissions: requested, granted, pending.
async fn permissions(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.plugin_admin.permissions(&caller, &id.to_lowercase()).await?))
}

/// POST /api/v4/plugins/{plugin_id}/permissions/approve: grant what is requested; a
/// staged upgrade then replaces the running version.
async fn approve(Auth(caller, _): Auth, State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.plugin_admin.approve_permissions(&caller, &id.to_lowercase()).await?))
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or_default() {
        "js" => "application/javascript",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "html" => "text/html; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// GET /plugins/{plugin_id}/public/{file} (no session): a file from the plugin's `public/`.
async fn public_file(State(state): State<AppState>, Path((id, file)): Path<(String, String)>) -> Result<Response, ApiError> {
    if file.is_empty() || file.ends_with('/') {
        return Err(ApiError::not_found());
    }
    let bytes = state.plugin_admin.public_file(&id, &file).await.ok_or_else(ApiError::not_found)?;
    // A page among a plugin's public files must not run scripts as this origin (only
    // the webapp bundle, loaded by the client, may): `sandbox` gives it an opaque origin.
    let headers = [(header::CONTENT_TYPE, content_type(&file)), (header::CONTENT_SECURITY_POLICY, "sandbox"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")];
    Ok((headers, bytes).into_response())
}

/// GET /static/plugins/{plugin_id}/{id}_{hash}_bundle.js: a running plugin's webapp bundle.
async fn webapp_bundle(State(state): State<AppState>, Path((id, file)): Path<(String, String)>) -> Result<Response, ApiError> {
    let bytes = state.plugin_admin.webapp_bundle(&id, &file).await.ok_or_else(ApiError::not_found)?;
    let headers = [
        (header::CONTENT_TYPE, "application/javascript; charset=utf-8"),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    Ok((headers, bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_mattermost_statuses() {
        let cases: Vec<(AdminError, u16, &str)> = vec![
            (AdminError::Forbidden, 403, ids::FORBIDDEN),
            (AdminError::uploads_disabled(), 501, ids::UPLOAD_DISABLED),
            (AdminError::marketplace_disabled(), 501, ids::MARKETPLACE_DISABLED),
            (AdminError::TooLarge { limit: 1 }, 413, ids::TOO_LARGE),
            (AdminError::already_installed("p"), 400, ids::INSTALL_ID),
            (AdminError::needs_approval("p", &["kv".into()]), 400, ids::NEEDS_APPROVAL),
            (AdminError::not_installed("p"), 404, ids::NOT_INSTALLED),
            (AdminError::bad_request("no bundle"), 400, ids::NO_FILE),
            (AdminError::invalid_settings("setting `a` (bool) must be true or false"), 400, ids::INVALID_SETTINGS),
            (AdminError::activation("p", "trap"), 400, ids::ACTIVATE),
            (AdminError::download("refused"), 400, ids::DOWNLOAD),
            (AdminError::internal("database", std::io::Error::other("gone")), 500, ids::INTERNAL),
        ];
        for (error, status, id) in cases {
            let api: ApiError = error.into();
            assert_eq!((api.status.as_u16(), api.id), (status, id));
        }
    }
}
