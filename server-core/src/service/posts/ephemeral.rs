//! Changing and withdrawing ephemeral posts (Mattermost's `UpdateEphemeralPost` and `DeleteEphemeralPost`): never stored, so only the one user's clients are told.

use serde_json::json;

use super::Posts;
use crate::domain::error_ids;
use crate::domain::post::validate_content;
use crate::domain::{Invalid, Post};
use crate::ids::is_valid_id;
use crate::service::{Result, now_ms, to_user};

/// Mattermost's type for posts only one user sees.
const EPHEMERAL: &str = "system_ephemeral";

fn check_post_id(post_id: &str) -> Result<()> {
    if is_valid_id(post_id) {
        Ok(())
    } else {
        Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, "Invalid or missing post id: an ephemeral post is changed by its id.").into())
    }
}

impl Posts<'_> {
    /// Replace an ephemeral post `user_id` was shown: the same id, the new content,
    /// `update_at` now, sent as `post_edited` to that user only (Mattermost sends the
    /// same event, so clients replace the post they hold). A post the user never got
    /// simply does not show up: there is nothing stored to check against.
    pub async fn update_ephemeral_post(&self, user_id: &str, mut post: Post) -> Result<Post> {
        check_post_id(&post.id)?;
        self.users().get_user_checked(user_id).await?;
        self.channels().channel_by_id(&post.channel_id).await?;
        crate::service::slack::prepare_attachments(&mut post.props, &mut post.kind)?;
        validate_content(&post.message, &post.kind, &post.props)?;
        let now = now_ms();
        if post.create_at == 0 {
            post.create_at = now;
        }
        post.update_at = now;
        post.delete_at = 0;
        post.kind = EPHEMERAL.into();
        // Buttons on the new version work like those on the first: the integration
        // travels in the sealed cookie.
        self.actions().seal_action_cookies(&mut post);
        let text = serde_json::to_string(&post).expect("posts serialize");
        self.publish_logged("post_edited", json!({ "post": text }), to_user(user_id)).await;
        Ok(post)
    }

    /// Withdraw an ephemeral post from `user_id`'s clients: `post_deleted` to that user
    /// only, carrying what Mattermost's does (id, user, type, times).
    pub async fn delete_ephemeral_post(&self, user_id: &str, post_id: &str) -> Result<()> {
        check_post_id(post_id)?;
        self.users().get_user_checked(user_id).await?;
        let now = now_ms();
        let post = Post { id: post_id.into(), user_id: user_id.into(), kind: EPHEMERAL.into(), delete_at: now, update_at: now, ..Post::default() };
        let text = serde_json::to_string(&post).expect("posts serialize");
        self.publish_logged("post_deleted", json!({ "post": text }), to_user(user_id)).await;
        Ok(())
    }
}
