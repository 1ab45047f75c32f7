//! `hook-post`: the post, context and old post a message hook runs for, lent to the guest for the length of the call; always allowed.
//!
//! Dispatch puts a [`LentPost`] in the store before calling a 0.2.0 message hook and
//! takes it back after; each function lowers one field only when the guest asks for it.
//! These imports are synchronous (see `bindings.rs`): they never wait, and a sync host
//! call is cheaper than an async one on the hook's hot path.

use std::sync::Arc;

use crate::bindings::confab::plugin::hook_post::{Host, PostChange};
use crate::bindings::types as wit;
use crate::state::HostState;
use crate::types::{PluginContext, Post};

/// What a message hook call is about. Shared (`Arc`) by every plugin of a chain or of a
/// background delivery, so lending it costs a reference count, not a copy.
#[derive(Debug, Clone, Default)]
pub(crate) struct LentPost {
    pub ctx: PluginContext,
    pub post: Post,
    /// The stored version, for the update hooks.
    pub old: Option<Post>,
}

impl LentPost {
    /// Apply a 0.2.0 will-hook's change: only the fields it names.
    pub(crate) fn apply(&mut self, change: PostChange) {
        let post = &mut self.post;
        if let Some(message) = change.message {
            post.message = message;
        }
        if let Some(kind) = change.type_ {
            post.kind = kind;
        }
        if let Some(props) = change.props {
            post.props = props;
        }
        if let Some(file_ids) = change.file_ids {
            post.file_ids = file_ids;
        }
        if let Some(is_pinned) = change.is_pinned {
            post.is_pinned = is_pinned;
        }
    }

    /// Take a 0.1.0 will-hook's whole replacement; it cannot know the fields 0.1.0 lacks,
    /// so those stay as they were.
    pub(crate) fn replace(&mut self, replacement: wit::Post) {
        let file_ids = std::mem::take(&mut self.post.file_ids);
        let metadata = std::mem::take(&mut self.post.metadata);
        self.post = Post { file_ids, metadata, ..replacement.into() };
    }
}

impl HostState {
    fn lent_post(&self) -> Option<&Post> {
        self.lent.as_deref().map(|lent| &lent.post)
    }

    fn lent_field(&self, field: impl FnOnce(&Post) -> &String) -> wasmtime::Result<String> {
        Ok(self.lent_post().map(|post| field(post).clone()).unwrap_or_default())
    }
}

/// An empty `metadata` reads as the empty JSON object, so a guest can always parse it.
fn json_object(text: &str) -> String {
    if text.is_empty() { "{}".to_string() } else { text.to_string() }
}

impl Host for HostState {
    fn id(&mut self) -> wasmtime::Result<String> {
        self.lent_field(|p| &p.id)
    }

    fn user_id(&mut self) -> wasmtime::Result<String> {
        self.lent_field(|p| &p.user_id)
    }

    fn channel_id(&mut self) -> wasmtime::Result<String> {
        self.lent_field(|p| &p.channel_id)
    }

    fn root_id(&mut self) -> wasmtime::Result<String> {
        self.lent_field(|p| &p.root_id)
    }

    fn message(&mut self) -> wasmtime::Result<String> {
        self.lent_field(|p| &p.message)
    }

    fn type_(&mut self) -> wasmtime::Result<String> {
        self.lent_field(|p| &p.kind)
    }

    fn props(&mut self) -> wasmtime::Result<String> {
        Ok(json_object(self.lent_post().map_or("", |p| p.props.as_str())))
    }

    fn file_ids(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(self.lent_post().map(|p| p.file_ids.clone()).unwrap_or_default())
    }

    fn metadata(&mut self) -> wasmtime::Result<String> {
        Ok(json_object(self.lent_post().map_or("", |p| p.metadata.as_str())))
    }

    fn whole(&mut self) -> wasmtime::Result<wit::Post> {
        Ok(self.lent_post().cloned().unwrap_or_default().into())
    }

    fn context(&mut self) -> wasmtime::Result<wit::PluginContext> {
        Ok(self.lent.as_deref().map(|lent| lent.ctx.clone()).unwrap_or_default().into())
    }

    fn connection_id(&mut self) -> wasmtime::Result<String> {
        Ok(self.lent.as_deref().map(|lent| lent.ctx.connection_id.clone()).unwrap_or_default())
    }

    fn old_post(&mut self) -> wasmtime::Result<Option<wit::Post>> {
        Ok(self.lent.as_deref().and_then(|lent| lent.old.clone()).map(Into::into))
    }
}

/// The records a 0.1.0 message hook takes as arguments, built from the lent post.
pub(crate) fn records_v0_1_0(lent: Option<&Arc<LentPost>>) -> (wit::PluginContext, wit::Post, wit::Post) {
    let lent = lent.map(|l| (**l).clone()).unwrap_or_default();
    (lent.ctx.into(), lent.post.into(), lent.old.unwrap_or_default().into())
}
