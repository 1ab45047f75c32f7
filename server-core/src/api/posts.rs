//! Post and reaction routes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde_json::Value;

use super::extract::{AppJson, Auth};
use super::{ApiError, AppState, ok};
use crate::domain::post::{NewPost, PostPatch};
use crate::domain::{Post, PostList, Reaction};
use crate::service::posts::PostEdit;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v4/posts", post(create_post))
        .route("/api/v4/posts/{post_id}", get(get_post).put(update_post).delete(delete_post))
        .route("/api/v4/posts/{post_id}/patch", put(patch_post))
        .route("/api/v4/posts/{post_id}/thread", get(get_thread))
        .route("/api/v4/posts/{post_id}/reactions", get(list_reactions))
        .route("/api/v4/reactions", post(save_reaction))
        .route("/api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}", delete(delete_reaction))
}

/// POST /api/v4/posts
///
/// 201 with the stored post (as plugins left it); a plugin's rejection is a 400.
async fn create_post(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(new): AppJson<NewPost>) -> Result<(StatusCode, Json<Post>), ApiError> {
    let pending = new.pending_post_id.clone();
    let mut post = state.services.posts().create_post(&caller, new).await?;
    // Clients match the answer to their optimistic copy by this id.
    post.pending_post_id = pending;
    Ok((StatusCode::CREATED, Json(post)))
}

/// GET /api/v4/posts/{post_id}
async fn get_post(Auth(caller, _): Auth, State(state): State<AppState>, Path(post_id): Path<String>) -> Result<Json<Post>, ApiError> {
    Ok(Json(state.services.posts().get_post(&caller, &post_id).await?))
}

/// PUT /api/v4/posts/{post_id} (the full post; message, props and is_pinned are used)
async fn update_post(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(post_id): Path<String>,
    AppJson(new): AppJson<NewPost>,
) -> Result<Json<Post>, ApiError> {
    if !new.id.is_empty() && new.id != post_id {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, super::error::ids::BAD_BODY, "The post id in the body does not match the URL."));
    }
    let edit = PostEdit { message: Some(new.message), props: new.props, is_pinned: new.is_pinned };
    Ok(Json(state.services.posts().update_post(&caller, &post_id, edit).await?))
}

/// PUT /api/v4/posts/{post_id}/patch
async fn patch_post(
    Auth(caller, _): Auth,
    State(state): State<AppState>,
    Path(post_id): Path<String>,
    AppJson(patch): AppJson<PostPatch>,
) -> Result<Json<Post>, ApiError> {
    Ok(Json(state.services.posts().update_post(&caller, &post_id, patch.into()).await?))
}

/// DELETE /api/v4/posts/{post_id}
async fn delete_post(Auth(caller, _): Auth, State(state): State<AppState>, Path(post_id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.services.posts().delete_post(&caller, &post_id).await?;
    Ok(ok())
}

/// GET /api/v4/posts/{post_id}/thread
async fn get_thread(Auth(caller, _): Auth, State(state): State<AppState>, Path(post_id): Path<String>) -> Result<Json<PostList>, ApiError> {
    Ok(Json(state.services.posts().get_thread(&caller, &post_id).await?))
}

/// GET /api/v4/posts/{post_id}/reactions
async fn list_reactions(Auth(caller, _): Auth, State(state): State<AppState>, Path(post_id): Path<String>) -> Result<Json<Vec<Reaction>>, ApiError> {
    Ok(Json(state.services.posts().list_reactions(&caller, &post_id).await?))
}

/// POST /api/v4/reactions `{user_id, post_id, emoji_name}`
async fn save_reaction(Auth(caller, _): Auth, State(state): State<AppState>, AppJson(reaction): AppJson<Reaction>) -> Result<Json<Reaction>, ApiError> {
    Ok(Json(state.services.posts().save_reaction(&caller, reaction).await?))
}

/// DELETE /api/v4/users/{user_id}/posts/{post_id}/reactions/{emoji_name}
async fn delete_reaction(
    auth: Auth,
    State(state): State<AppState>,
    Path((user_id, post_id, emoji)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let user_id = auth.resolve(&user_id).to_string();
    state.services.posts().delete_reaction(&auth.0, &user_id, &post_id, &emoji).await?;
    Ok(ok())
}
