//! Posts and reactions: the will-hook chain before every write, the has-hooks and WebSocket events after it, and the guard that keeps a plugin from re-triggering itself without end.
//!
//! The loop guard has two halves:
//! - **Nesting.** A plugin that creates a post from inside `message-will-be-posted`
//!   starts the chain again, which calls the plugin again, and so on. The chain runs
//!   in the caller's task (the host calls plugins inline), so a task-local depth
//!   counts the nesting; a post created deeper than [`MAX_NESTED_CHAINS`] is refused.
//! - **Echo loops.** A plugin whose `message-has-been-posted` posts in reply to every
//!   post (its own included) would post forever, one background hook at a time. Posts
//!   a plugin creates outside a will-hook are counted per plugin and channel; more than
//!   [`ECHO_BURST`] within [`ECHO_WINDOW`] with no person posting in the channel in
//!   between are refused, which breaks the chain. Ordinary bots (a greeting per join,
//!   a reply per command) stay far below that.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use confab_host::WillOutcome;
use confab_host::types::PluginContext;
use serde_json::{Value, json};

use super::{Actor, Caller, Error, Result, convert, now_ms, to_channel, to_user};
use crate::domain::error_ids;
use crate::domain::post::{NewPost, PostPatch, validate_content, validate_emoji_name, validate_user_type};
use crate::domain::{Channel, Invalid, Post, PostList, Reaction};
use crate::ids::{is_valid_id, new_id};
use crate::store::{self, PostQuery};

mod ephemeral;

super::area!(
    /// Posts: creating (through the plugin hooks), reading, editing and deleting posts, ephemeral posts and reactions.
    Posts,
    posts
);

/// How many will-hook chains may nest (a plugin posting from its will-hook).
pub const MAX_NESTED_CHAINS: u32 = 2;
/// Posts one plugin may create in one channel from outside a will-hook within
/// [`ECHO_WINDOW`] while no person posts there.
pub const ECHO_BURST: u32 = 30;
/// See [`ECHO_BURST`].
pub const ECHO_WINDOW: Duration = Duration::from_secs(10);

tokio::task_local! {
    /// How many will-hook chains are running in this task, outermost first.
    static CHAIN_DEPTH: u32;
}

fn chain_depth() -> u32 {
    CHAIN_DEPTH.try_with(|d| *d).unwrap_or(0)
}

/// Per plugin and channel: when the current window started and how many posts it has.
#[derive(Default)]
pub(crate) struct LoopGuard {
    windows: Mutex<HashMap<(String, String), (Instant, u32)>>,
}

impl LoopGuard {
    /// Count one plugin post; `false` when it is over the burst.
    fn admit(&self, plugin_id: &str, channel_id: &str, now: Instant) -> bool {
        let mut windows = self.windows.lock().unwrap();
        // Keep the map small: forget windows that ended.
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < ECHO_WINDOW);
        }
        let entry = windows.entry((plugin_id.to_string(), channel_id.to_string())).or_insert((now, 0));
        if now.duration_since(entry.0) >= ECHO_WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= ECHO_BURST
    }

    /// A person posted in the channel: whatever plugins post next answers them.
    fn reset_channel(&self, channel_id: &str) {
        self.windows.lock().unwrap().retain(|(_, channel), _| channel != channel_id);
    }
}

/// What an edit changes (`PUT /posts/{id}` and `PUT /posts/{id}/patch`).
#[derive(Debug, Clone, Default)]
pub struct PostEdit {
    pub message: Option<String>,
    pub props: Option<serde_json::Map<String, Value>>,
    pub is_pinned: Option<bool>,
}

impl From<PostPatch> for PostEdit {
    fn from(p: PostPatch) -> PostEdit {
        PostEdit { message: p.message, props: p.props, is_pinned: p.is_pinned }
    }
}

/// Where a post comes from, beyond who the caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostOrigin {
    /// Written by the caller: a person over HTTP, or a plugin.
    Caller,
    /// Made by a webhook as its owner (the caller). The webhook service checked where
    /// it may post, so channel membership is not required, and it never triggers
    /// outgoing webhooks (no loops).
    Webhook,
}

impl Posts<'_> {
    /// `POST /posts` (and the plugin API's `posts.create`): check, run the will-hook
    /// chain, store, then notify listeners and the has-hooks.
    pub async fn create_post(&self, caller: &Caller, new: NewPost) -> Result<Post> {
        self.create_post_from(caller, new, PostOrigin::Caller).await
    }

    /// [`Posts::create_post`] for a post of the given origin.
    pub(crate) async fn create_post_from(&self, caller: &Caller, new: NewPost, origin: PostOrigin) -> Result<Post> {
        let channel = self.channels().channel_by_id(&new.channel_id).await?;
        if channel.delete_at != 0 {
            return Err(Invalid::new(error_ids::posts::CREATE_POST_CAN_NOT_POST_TO_DELETED, "Can not post to deleted channel.").into());
        }
        let author = self.author(caller, &new, &channel, origin).await?;
        if !new.root_id.is_empty() {
            let root = self.store().get_post(&new.root_id).await.ok().filter(|r| r.delete_at == 0 && r.channel_id == channel.id && r.root_id.is_empty());
            if root.is_none() {
                return Err(Invalid::new(error_ids::posts::CREATE_POST_ROOT_ID, "Invalid RootId parameter.").into());
            }
        }
        let mut props = new.props.unwrap_or_default();
        if matches!(caller.actor, Actor::Plugin(_)) {
            props.insert("from_plugin".into(), json!("true"));
        }
        if author.is_bot {
            props.insert("from_bot".into(), json!("true"));
        }
        let mut kind = new.kind;
        super::slack::prepare_attachments(&mut props, &mut kind)?;
        validate_content(&new.message, &kind, &props)?;
        let now = now_ms();
        let mut post = Post {
            id: new_id(),
            create_at: now,
            update_at: now,
            user_id: author.id.clone(),
            channel_id: channel.id.clone(),
            root_id: new.root_id,
            message: new.message,
            kind,
            props,
            pending_post_id: new.pending_post_id,
            is_pinned: new.is_pinned.unwrap_or(false),
            ..Post::default()
        };
        if let Some(priority) = new.priority {
            post.metadata.insert("priority".into(), priority);
        }

        self.run_will_be_posted(caller, &mut post).await?;
        let mentioned = self.unreads().insert_post_counted(&channel, &post).await?;
        self.publish_posted(&channel, &author, &post, &mentioned).await;
        if let Some(host) = self.host() {
            host.message_has_been_posted(&caller.ctx, &convert::post_to_plugin(&post));
        }
        // People's posts only: not plugins' nor webhooks' (Mattermost's `TriggerWebhooks`).
        if origin == PostOrigin::Caller && matches!(caller.actor, Actor::User { .. }) {
            self.webhooks().spawn_outgoing_webhooks(&channel, &author, &post);
        }
        Ok(post)
    }

    /// The author of a new post: the caller as authenticated (a member of the channel
    /// unless the post comes from a webhook), or the user a plugin posts as, within the
    /// plugin loop limits.
    async fn author(&self, caller: &Caller, new: &NewPost, channel: &Channel, origin: PostOrigin) -> Result<crate::domain::User> {
        match &caller.actor {
            Actor::User { user, .. } => {
                if origin == PostOrigin::Caller && !caller.is_admin() && !self.channels().is_channel_member(&channel.id, &user.id).await? {
                    return Err(Error::forbidden());
                }
                validate_user_type(&new.kind)?;
                if origin == PostOrigin::Caller {
                    self.loop_guard().reset_channel(&channel.id);
                }
                Ok(user.as_ref().clone())
            }
            Actor::Plugin(plugin_id) => {
                if chain_depth() >= MAX_NESTED_CHAINS {
                    return Err(Invalid::new(
                        error_ids::posts::CREATE_POST_PLUGIN_RECURSION,
                        "A plugin created a post from inside message-will-be-posted too many levels deep.",
                    )
                    .into());
                }
                if chain_depth() == 0 && !self.loop_guard().admit(plugin_id, &channel.id, Instant::now()) {
                    tracing::warn!(%plugin_id, channel_id = %channel.id, "plugin post refused: it keeps posting in reaction to its own posts");
                    return Err(Error::QuotaExceeded(format!(
                        "plugin posts in this channel are limited to {ECHO_BURST} per {} s without a person posting",
                        ECHO_WINDOW.as_secs()
                    )));
                }
                self.users().get_user_checked(&new.user_id).await
            }
        }
    }

    /// The `message-will-be-posted` chain: plugins may change what the post says, not
    /// where it goes or who wrote it, or refuse it.
    async fn run_will_be_posted(&self, caller: &Caller, post: &mut Post) -> Result<()> {
        if let Some(host) = self.host() {
            let depth = chain_depth();
            let outcome = CHAIN_DEPTH.scope(depth + 1, host.message_will_be_posted(&caller.ctx, convert::post_to_plugin(post))).await;
            match outcome {
                WillOutcome::Continue(changed) => {
                    // Plugins may change what the post says, not where it goes or who wrote it.
                    let changed = convert::post_from_plugin(changed);
                    post.message = changed.message;
                    post.kind = changed.kind;
                    post.props = changed.props;
                    post.is_pinned = changed.is_pinned;
                    super::slack::prepare_attachments(&mut post.props, &mut post.kind)?;
                    validate_content(&post.message, &post.kind, &post.props)?;
                }
                WillOutcome::Rejected { plugin_id, reason } => return Err(Error::RejectedByPlugin { plugin_id, reason }),
                WillOutcome::Dismissed { plugin_id } => return Err(Error::DismissedByPlugin { plugin_id }),
            }
        }
        Ok(())
    }

    /// `posted` to the channel; `mentions` (a JSON string of user ids, as in Mattermost)
    /// names the members whose mention count the post raised.
    /// Not sent when a consuming plugin withholds the post.
    async fn publish_posted(&self, channel: &Channel, author: &crate::domain::User, post: &Post, mentioned: &[String]) {
        let Some(post) = self.consume_ref(post).await else { return };
        let mut data = json!({
            "channel_display_name": channel.display_name,
            "channel_name": channel.name,
            "channel_type": channel.kind,
            "post": serde_json::to_string(&*post).expect("posts serialize"),
            "sender_name": format!("@{}", author.username),
            "set_online": true,
            "team_id": channel.team_id,
        });
        if !mentioned.is_empty() {
            data["mentions"] = json!(serde_json::to_string(mentioned).expect("ids serialize"));
        }
        self.publish_logged("posted", data, to_channel(&channel.id)).await;
    }

    /// `GET /posts/{id}`: the post as the consuming plugins let the caller see it; a
    /// post they withhold is not found.
    pub async fn get_post(&self, caller: &Caller, post_id: &str) -> Result<Post> {
        let post = self.readable_post(caller, post_id).await?;
        self.consume_post(post).await.ok_or_else(|| Error::not_found(error_ids::posts::NOT_FOUND, "post"))
    }

    /// A live post the caller may read, as stored (no consuming plugins: for the
    /// server's and plugins' own use).
    pub(crate) async fn readable_post(&self, caller: &Caller, post_id: &str) -> Result<Post> {
        let post = self.live_post(post_id).await?;
        let channel = self.channels().channel_by_id(&post.channel_id).await?;
        self.channels().require_channel_readable(caller, &channel).await?;
        Ok(post)
    }

    /// `GET /posts/{id}/thread`: the root and its replies.
    pub async fn get_thread(&self, caller: &Caller, post_id: &str) -> Result<PostList> {
        let post = self.readable_post(caller, post_id).await?;
        let root_id = if post.root_id.is_empty() { post.id } else { post.root_id };
        Ok(self.consume_list(PostList::from_posts(self.store().get_thread(&root_id).await?)).await)
    }

    /// `GET /channels/{id}/posts`.
    pub async fn channel_posts(&self, caller: &Caller, channel_id: &str, query: PostQuery) -> Result<PostList> {
        let channel = self.channels().channel_by_id(channel_id).await?;
        self.channels().require_channel_readable(caller, &channel).await?;
        if let PostQuery::Before(anchor, _) | PostQuery::After(anchor, _) = &query {
            let anchor = self.live_post(anchor).await?;
            if anchor.channel_id != channel.id {
                return Err(Error::not_found(error_ids::posts::NOT_FOUND, "post"));
            }
        }
        Ok(self.consume_list(self.store().channel_posts(&channel.id, &query).await?).await)
    }

    /// `PUT /posts/{id}` and `/patch`: the author (or an admin) edits; plugins' will-update
    /// hooks see the new and the old version.
    pub async fn update_post(&self, caller: &Caller, post_id: &str, edit: PostEdit) -> Result<Post> {
        let old = self.live_post(post_id).await?;
        if caller.user_id() != old.user_id && !caller.is_admin() {
            return Err(Error::Forbidden { id: error_ids::posts::UPDATE_POST_PERMISSIONS_DETAILS, message: "You can only edit your own posts.".into() });
        }
        let mut post = old.clone();
        let message_changed = edit.message.as_ref().is_some_and(|m| *m != old.message);
        post.message = edit.message.unwrap_or(post.message);
        if let Some(props) = edit.props {
            post.props = props;
            super::slack::prepare_attachments(&mut post.props, &mut post.kind)?;
        }
        post.is_pinned = edit.is_pinned.unwrap_or(post.is_pinned);
        validate_content(&post.message, &post.kind, &post.props)?;
        let now = now_ms();
        post.update_at = now;
        if message_changed {
            post.edit_at = now;
        }
        self.save_post_edit(&caller.ctx, post, &old, now).await
    }

    /// Store an edited post after the will-update chain, then tell listeners and the
    /// has-been-updated hooks. `post` is `old` with the changes applied and checked.
    pub(crate) async fn save_post_edit(&self, ctx: &PluginContext, mut post: Post, old: &Post, now: i64) -> Result<Post> {
        if let Some(host) = self.host() {
            let depth = chain_depth();
            let outcome = CHAIN_DEPTH.scope(depth + 1, host.message_will_be_updated(ctx, convert::post_to_plugin(&post), &convert::post_to_plugin(old))).await;
            match outcome {
                WillOutcome::Continue(changed) => {
                    let changed = convert::post_from_plugin(changed);
                    if changed.message != post.message {
                        post.edit_at = now;
                    }
                    post.message = changed.message;
                    post.props = changed.props;
                    post.is_pinned = changed.is_pinned;
                    validate_content(&post.message, &post.kind, &post.props)?;
                }
                WillOutcome::Rejected { plugin_id, reason } => return Err(Error::RejectedByPlugin { plugin_id, reason }),
                WillOutcome::Dismissed { plugin_id } => return Err(Error::DismissedByPlugin { plugin_id }),
            }
        }
        match self.store().update_post(&post).await {
            Ok(()) => {}
            Err(store::Error::NotFound) => return Err(Error::not_found(error_ids::posts::NOT_FOUND, "post")),
            Err(e) => return Err(e.into()),
        }
        // What readers see of the edit: consuming plugins may redact or withhold it.
        if let Some(seen) = self.consume_ref(&post).await {
            let text = serde_json::to_string(&*seen).expect("posts serialize");
            self.publish_logged("post_edited", json!({ "post": text }), to_channel(&post.channel_id)).await;
        }
        if let Some(host) = self.host() {
            host.message_has_been_updated(ctx, &convert::post_to_plugin(&post), &convert::post_to_plugin(old));
        }
        Ok(post)
    }

    /// `DELETE /posts/{id}`: the author or an admin; replies go with their root.
    pub async fn delete_post(&self, caller: &Caller, post_id: &str) -> Result<()> {
        let mut post = self.live_post(post_id).await?;
        if caller.user_id() != post.user_id && !caller.is_admin() {
            return Err(Error::Forbidden { id: error_ids::posts::DELETE_POST_PERMISSIONS, message: "You can only delete your own posts.".into() });
        }
        let now = now_ms();
        self.store().delete_post(&post.id, now).await?;
        post.delete_at = now;
        post.update_at = now;
        let text = serde_json::to_string(&post).expect("posts serialize");
        self.publish_logged("post_deleted", json!({ "post": text, "delete_by": caller.user_id() }), to_channel(&post.channel_id)).await;
        if let Some(host) = self.host() {
            host.message_has_been_deleted(&caller.ctx, &convert::post_to_plugin(&post));
        }
        Ok(())
    }

    /// Show a post to one user only (never stored): `ephemeral_message`.
    pub async fn send_ephemeral_post(&self, user_id: &str, mut post: Post) -> Result<Post> {
        self.users().get_user_checked(user_id).await?;
        self.channels().channel_by_id(&post.channel_id).await?;
        super::slack::prepare_attachments(&mut post.props, &mut post.kind)?;
        validate_content(&post.message, &post.kind, &post.props)?;
        let now = now_ms();
        post.id = new_id();
        post.create_at = now;
        post.update_at = now;
        post.kind = "system_ephemeral".into();
        // Never stored: a click on one of its buttons finds the integration in the
        // sealed cookie, since there is no stored post to look it up in.
        self.actions().seal_action_cookies(&mut post);
        let text = serde_json::to_string(&post).expect("posts serialize");
        self.publish_logged("ephemeral_message", json!({ "post": text }), to_user(user_id)).await;
        Ok(post)
    }

    /// `POST /reactions`: channel members react as themselves. Not even a system admin
    /// reacts in someone else's name (Mattermost's 403); plugins may.
    pub async fn save_reaction(&self, caller: &Caller, reaction: Reaction) -> Result<Reaction> {
        if caller.user_id() != reaction.user_id && !matches!(caller.actor, Actor::Plugin(_)) {
            return Err(Error::Forbidden {
                id: error_ids::posts::REACTION_SAVE_REACTION_USER_ID,
                message: "You cannot save a reaction for another user.".into(),
            });
        }
        validate_emoji_name(&reaction.emoji_name)?;
        let post = self.live_post(&reaction.post_id).await?;
        let channel = self.channels().channel_by_id(&post.channel_id).await?;
        self.channels().require_channel_member(caller, &channel).await?;
        if channel.delete_at != 0 {
            return Err(Invalid::new(error_ids::posts::REACTION_SAVE_ARCHIVED_CHANNEL, "You cannot react in an archived channel.").into());
        }
        self.users().get_user_checked(&reaction.user_id).await?;
        let saved = Reaction { create_at: now_ms(), ..reaction };
        self.store().insert_reaction(&saved).await?;
        let text = serde_json::to_string(&saved).expect("reactions serialize");
        self.publish_logged("reaction_added", json!({ "reaction": text }), to_channel(&channel.id)).await;
        if let Some(host) = self.host() {
            host.reaction_has_been_added(&caller.ctx, &convert::reaction_to_plugin(&saved));
        }
        Ok(saved)
    }

    /// `DELETE /users/{user_id}/posts/{post_id}/reactions/{emoji_name}`.
    pub async fn delete_reaction(&self, caller: &Caller, user_id: &str, post_id: &str, emoji_name: &str) -> Result<()> {
        if caller.user_id() != user_id && !caller.is_admin() {
            return Err(Error::forbidden());
        }
        let post = self.live_post(post_id).await?;
        let now = now_ms();
        if self.store().delete_reaction(&post.id, user_id, emoji_name, now).await? {
            let removed = Reaction { user_id: user_id.into(), post_id: post.id.clone(), emoji_name: emoji_name.into(), create_at: now };
            let text = serde_json::to_string(&removed).expect("reactions serialize");
            self.publish_logged("reaction_removed", json!({ "reaction": text }), to_channel(&post.channel_id)).await;
            if let Some(host) = self.host() {
                host.reaction_has_been_removed(&caller.ctx, &convert::reaction_to_plugin(&removed));
            }
        }
        Ok(())
    }

    /// `GET /posts/{id}/reactions`.
    pub async fn list_reactions(&self, caller: &Caller, post_id: &str) -> Result<Vec<Reaction>> {
        let post = self.readable_post(caller, post_id).await?;
        Ok(self.store().list_reactions(&post.id).await?)
    }

    /// A post that exists and is not deleted.
    pub(crate) async fn live_post(&self, post_id: &str) -> Result<Post> {
        if !is_valid_id(post_id) {
            return Err(Error::not_found(error_ids::posts::NOT_FOUND, "post"));
        }
        match self.store().get_post(post_id).await {
            Ok(post) if post.delete_at == 0 => Ok(post),
            Ok(_) | Err(store::Error::NotFound) => Err(Error::not_found(error_ids::posts::NOT_FOUND, "post")),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_echo_guard_counts_per_plugin_and_channel_and_resets_on_people() {
        let guard = LoopGuard::default();
        let t0 = Instant::now();
        for _ in 0..ECHO_BURST {
            assert!(guard.admit("p", "c", t0));
        }
        assert!(!guard.admit("p", "c", t0), "over the burst");
        assert!(guard.admit("q", "c", t0), "another plugin has its own count");
        assert!(guard.admit("p", "d", t0), "another channel too");
        assert!(guard.admit("p", "c", t0 + ECHO_WINDOW), "a new window");
        for _ in 0..ECHO_BURST {
            guard.admit("p", "c", t0 + ECHO_WINDOW);
        }
        guard.reset_channel("c");
        assert!(guard.admit("p", "c", t0 + ECHO_WINDOW), "a person posted");
    }
}
