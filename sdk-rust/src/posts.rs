//! Posts (`posts` interface; capabilities `posts:read` for [`get`], [`get_thread`],
//! [`get_for_channel`], [`get_since`] and [`list_reactions`], `posts:write` for the rest).

use crate::bindings::confab::plugin::posts as wit;
use crate::error::wit as lift;
use crate::{Post, Reaction, Result};

/// The most posts [`get_for_channel`] returns per page.
pub const MAX_PAGE: u32 = 200;

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

/// Replaces an ephemeral post `user_id` was shown (same `post.id`, new content); that
/// user's clients swap it in place. Not stored either.
pub fn update_ephemeral(user_id: &str, post: &Post) -> Result<Post> {
    lift(wit::update_ephemeral(user_id, post))
}

/// Takes an ephemeral post away from `user_id`'s clients.
pub fn delete_ephemeral(user_id: &str, post_id: &str) -> Result<()> {
    lift(wit::delete_ephemeral(user_id, post_id))
}

/// The thread `post_id` belongs to (root or reply): the root and its replies, newest
/// first.
pub fn get_thread(post_id: &str) -> Result<Vec<Post>> {
    lift(wit::get_thread(post_id))
}

/// One page of a channel's posts, newest first (`per_page` at most [`MAX_PAGE`]).
pub fn get_for_channel(channel_id: &str, page: u32, per_page: u32) -> Result<Vec<Post>> {
    lift(wit::get_for_channel(channel_id, page, per_page))
}

/// A channel's posts created, edited or deleted after `since` (milliseconds), newest
/// first; deleted ones come with `delete_at` set.
pub fn get_since(channel_id: &str, since: i64) -> Result<Vec<Post>> {
    lift(wit::get_since(channel_id, since))
}

/// Pins a post to its channel.
pub fn pin(post_id: &str) -> Result<Post> {
    lift(wit::pin(post_id))
}

/// Unpins a post.
pub fn unpin(post_id: &str) -> Result<Post> {
    lift(wit::unpin(post_id))
}

/// Reacts to `post_id` with `emoji_name` (no colons, e.g. `thumbsup`) as `user_id`.
pub fn add_reaction(user_id: &str, post_id: &str, emoji_name: &str) -> Result<Reaction> {
    let reaction = Reaction { user_id: user_id.to_owned(), post_id: post_id.to_owned(), emoji_name: emoji_name.to_owned(), create_at: 0 };
    lift(wit::add_reaction(&reaction))
}

/// Removes `user_id`'s `emoji_name` reaction from `post_id`; absent is not an error.
pub fn remove_reaction(user_id: &str, post_id: &str, emoji_name: &str) -> Result<()> {
    lift(wit::remove_reaction(user_id, post_id, emoji_name))
}

/// Every reaction on a post, oldest first.
pub fn list_reactions(post_id: &str) -> Result<Vec<Reaction>> {
    lift(wit::list_reactions(post_id))
}
