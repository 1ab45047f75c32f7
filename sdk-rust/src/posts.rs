//! Posts (`posts` interface; capabilities `posts:read` for `get`, `posts:write` for
//! the rest).

use crate::bindings::confab::plugin::posts as wit;
use crate::error::wit as lift;
use crate::{Post, Result};

/// Creates a post (build it with [`Post::new`] or [`Post::reply`]). It passes through
/// the `message_will_be_posted` chain like any other post, this plugin's own hook
/// included, so a hook that creates posts must recognise its own.
pub fn create(post: &Post) -> Result<Post> {
    lift(wit::create(post))
}

/// Fetches a post by id.
pub fn get(post_id: &str) -> Result<Post> {
    lift(wit::get(post_id))
}

/// Replaces a post's message, props and pinned flag.
pub fn update(post: &Post) -> Result<Post> {
    lift(wit::update(post))
}

/// Deletes a post (soft delete).
pub fn delete(post_id: &str) -> Result<()> {
    lift(wit::delete(post_id))
}

/// Shows `post` to one user only; it is not stored.
pub fn send_ephemeral(user_id: &str, post: &Post) -> Result<Post> {
    lift(wit::send_ephemeral(user_id, post))
}
