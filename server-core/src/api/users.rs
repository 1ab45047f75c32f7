//! User routes: sign-up, login and logout, lookups (each user shown as the privacy settings allow the caller to see it), patch, personal access tokens, bots.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::Value;

use super::extract::{AUTH_COOKIE, AppJson, AppQuery, Auth, CSRF_COOKIE, Ctx, MaybeAuth, SessionOrNone, USER_COOKIE};
use super::{ApiError, AppState, ok};
use crate::domain::paging::PagingQuery;
use crate::domain::user::{NewUser, UserPatch};
use crate::domain::{Bot, Paging, User, UserAccessToken};

pub(super) fn router() -> Router<AppState> {
    // Sign-up and login work without a session: rate-limited per client.
    let limited = || axum::middleware::from_fn(super::rate_limit::limit);
    Router::new()
        .route("/api/v4/users", post(create_user).route_layer(limited()).get(list_users))
        .route("/api/v4/users/login", post(login).route_layer(limited()))
        .route("/api/v4/users/logout", post(logout))
        .route("/api/v4/users/ids", post(users_by_ids))
        .route("/api/v4/users/usernames", post(users_by_usernames))
        .route("/api/v4/users/username/{username}", get(get_user_by_username))
        .route("/api/v4/users/email/{email}", get(get_user_by_email))
        .route("/api/v4/users/tokens/revoke", post(revoke_token))
        .route("/api/v4/users/{user_id}", get(get_user))
        .route("/api/v4/users/{user_id}/patch", put(patch_user))
        .route("/api/v4/users/{user_id}/password", put(update_password))
        .route("/api/v4/users/{user_id}/tokens", post(create_token).get(list_tokens))
        .route("/api/v4/bots", post(create_bot).get(list_bots))
        .route("/api/v4/bots/{bot_user_id}", get(get_bot))
}

/// POST /api/v4/users
///
/// Open sign-up (or an admin creating an account); the first account is system admin.
async fn create_user(
    MaybeAuth(caller, ctx): MaybeAuth,
    State(state): State<AppState>,
    AppJson(new): AppJson<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = state.services.users().create_user(caller.as_ref(), new, &ctx).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize)]
struct LoginBody {
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    device_id: String,
}

/// POST /api/v4/users/login
///
/// The user, with the session token in the `Token` header and the `MMAUTHTOKEN`,
/// `MMUSERID` and `MMCSRF` cookies set for browsers.
async fn login(State(state): State<AppState>, Ctx(ctx): Ctx, AppJson(body): AppJson<LoginBody>) -> Result<Response, ApiError> {
    let (user, session) = state.services.sessions().login(&body.login_id, &body.password, &body.device_id, &ctx).await?;
    let max_age = state.services.settings().session_ttl_ms / 1000;
    let mut response = Json(&user).into_response();
    let headers = response.headers_mut();
    headers.insert("token", HeaderValue::from_str(&session.token).expect("ids are ASCII"));
    for (name, value, http_only) in [(AUTH_COOKIE, &session.token, true), (USER_COOKIE, &user.id, false), (CSRF_COOKIE, &session.csrf_token, false)] {
        let http_only = if http_only { "; HttpOnly" } else { "" };
        let cookie = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax{http_only}");
        headers.append(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ids are ASCII"));
    }
    Ok(response)
}

/// POST /api/v4/users/logout
///
/// Revokes the session (and closes its WebSockets) and clears the cookies. With the
/// session cookie it needs the CSRF header like every cookie write: without it, 401
/// and nothing changes.
async fn logout(SessionOrNone(auth): SessionOrNone, State(state): State<AppState>) -> Result<Response, ApiError> {
    if let Some(auth) = auth {
        state.services.sessions().logout(&auth).await?;
    }
    let mut response = ok().into_response();
    for name in [AUTH_COOKIE, USER_COOKIE, CSRF_COOKIE] {
        let cookie = format!("{name}=; Path=/; Max-Age=0");
        response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII"));
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
struct ListUsersQuery {
    #[serde(flatten)]
    paging: PagingQuery,
    in_team: Option<String>,
    in_channel: Option<String>,
}

/// GET /api/v4/users?page&per_page&in_team&in_channel
async fn list_users(Auth(caller, _): Auth, State(state): State<AppState>, AppQuery(q): AppQuery<ListUsersQuery>) -> Result<Json<Vec<User>>, ApiError> {
    let paging = Paging::parse(&q.paging)?;
    let users = state
        .services
        .users()
        .list_users(&caller, paging, q.in_team.as_deref().filter(|s| !s.is_empty()), q.in_channel.as_deref().filter(|s| !s.is_empty()))
        .await?;
    Ok(Json(state.services.users().shown_all_to(&caller, users)))
}

/// POST /api/v4/users/ids
async fn users_by_ids(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(ids): AppJson<Vec<String>>) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.services.users().shown_all_to(&caller, state.services.users().users_by_ids(&ids).await?)))
}

/// POST /api/v4/users/usernames
async fn users_by_usernames(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(names): AppJson<Vec<String>>) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.services.users().shown_all_to(&caller, state.services.users().users_by_usernames(&names).await?)))
}

/// GET /api/v4/users/{user_id} (`me` for the caller)
async fn get_user(auth: Auth, State(state): State<AppState>, Path(user_id): Path<String>) -> Result<Json<User>, ApiError> {
    let user = state.services.users().get_user_checked(auth.resolve(&user_id)).await?;
    Ok(Json(state.services.users().shown_to(&auth.0, user)))
}

/// GET /api/v4/users/username/{username}
async fn get_user_by_username(Auth(caller, _): Auth, State(state): State<AppState>, Path(username): Path<String>) -> Result<Json<User>, ApiError> {
    Ok(Json(state.services.users().shown_to(&caller, state.services.users().get_user_by_username(&username).await?)))
}

/// GET /api/v4/users/email/{email}
///
/// System admins only while email addresses are hidden (`--show-email-address`).
async fn get_user_by_email(Auth(caller, _): Auth, State(state): State<AppState>, Path(email): Path<String>) -> Result<Json<User>, ApiError> {
    Ok(Json(state.services.users().get_user_by_email_for(&caller, &email).await?))
}

/// PUT /api/v4/users/{user_id}/patch
async fn patch_user(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppJson(patch): AppJson<UserPatch>,
) -> Result<Json<User>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.users().patch_user(&auth.0, &user_id, patch).await?))
}

#[derive(Deserialize)]
struct PasswordBody {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// PUT /api/v4/users/{user_id}/password
///
/// Users change their own with `current_password`; a system admin sets anyone's
/// without it, which also unlocks an account locked by failed logins.
async fn update_password(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppJson(body): AppJson<PasswordBody>,
) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.sessions().update_password(&auth.0, &user_id, &body.current_password, &body.new_password).await?;
    Ok(ok())
}

#[derive(Deserialize)]
struct TokenBody {
    #[serde(default)]
    description: String,
}

/// POST /api/v4/users/{user_id}/tokens
///
/// The token (with its secret, shown this once).
async fn create_token(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppJson(body): AppJson<TokenBody>,
) -> Result<Json<UserAccessToken>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.sessions().create_access_token(&auth.0, &user_id, &body.description).await?))
}

/// GET /api/v4/users/{user_id}/tokens
async fn list_tokens(
    auth: Auth,
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    AppQuery(q): AppQuery<PagingQuery>,
) -> Result<Json<Vec<UserAccessToken>>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    Ok(Json(state.services.sessions().list_access_tokens(&auth.0, &user_id, Paging::parse(&q)?).await?))
}

#[derive(Deserialize)]
struct RevokeBody {
    #[serde(default)]
    token_id: String,
}

/// POST /api/v4/users/tokens/revoke
async fn revoke_token(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(body): AppJson<RevokeBody>) -> Result<Json<Value>, ApiError> {
    state.services.sessions().revoke_access_token(&caller, &body.token_id).await?;
    Ok(ok())
}

#[derive(Deserialize)]
struct BotBody {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
}

/// POST /api/v4/bots (admins)
async fn create_bot(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(body): AppJson<BotBody>) -> Result<(StatusCode, Json<Bot>), ApiError> {
    let bot = state.services.users().create_bot(&caller, &body.username, &body.display_name, &body.description).await?;
    Ok((StatusCode::CREATED, Json(bot)))
}

#[derive(Deserialize, Default)]
struct ListBotsQuery {
    #[serde(flatten)]
    paging: PagingQuery,
    include_deleted: Option<String>,
}

/// GET /api/v4/bots (admins)
async fn list_bots(Auth(caller, _): Auth, State(state): State<AppState>, AppQuery(q): AppQuery<ListBotsQuery>) -> Result<Json<Vec<Bot>>, ApiError> {
    let include_deleted = q.include_deleted.as_deref() == Some("true");
    Ok(Json(state.services.users().list_bots(&caller, Paging::parse(&q.paging)?, include_deleted).await?))
}

/// GET /api/v4/bots/{bot_user_id}
async fn get_bot(Auth(caller, _): Auth, State(state): State<AppState>, Path(bot_user_id): Path<String>) -> Result<Json<Bot>, ApiError> {
    Ok(Json(state.services.users().get_bot(&caller, &bot_user_id).await?))
}
