//! The message hooks: the post is lent to each plugin for its call (`hook-post`), a will-hook chain applies each plugin's change before the next one reads it.

use std::future::Future;
use std::sync::Arc;

use super::{WillOutcome, failed_closed};
use crate::families::HookFamily;
use crate::host::PluginHost;
use crate::imports::LentPost;
use crate::runtime::{MessageHook, Verdict};
use crate::types::{PluginContext, Post};

impl PluginHost {
    /// Run `message-will-be-posted` over every plugin that exports message hooks, in
    /// plugin-id order; each sees the previous one's change. A reject or dismiss
    /// stops the chain.
    // Not `async fn`s: the chain's future is returned as it is, not held inside one
    // more future that would copy it on every call.
    pub fn message_will_be_posted(&self, ctx: &PluginContext, post: Post) -> impl Future<Output = WillOutcome> + Send + use<'_> {
        self.will_chain(MessageHook::WillBePosted, Arc::new(LentPost { ctx: ctx.clone(), post, old: None }))
    }

    /// Run `message-will-be-updated` the same way; `old` is the stored version.
    pub fn message_will_be_updated(&self, ctx: &PluginContext, new: Post, old: &Post) -> impl Future<Output = WillOutcome> + Send + use<'_> {
        self.will_chain(MessageHook::WillBeUpdated, Arc::new(LentPost { ctx: ctx.clone(), post: new, old: Some(old.clone()) }))
    }

    /// One lent post for the whole chain: a plugin's call costs a reference count, and
    /// only a change copies it (when a background task still holds it). It comes in
    /// already shared, so the post is not moved through this future by value.
    async fn will_chain(&self, hook: MessageHook, mut lent: Arc<LentPost>) -> WillOutcome {
        // Borrowed from one snapshot: the chain runs on the request path.
        let snapshot = self.snapshot();
        for runtime in snapshot.iter().filter(|r| r.exports(HookFamily::Message)) {
            let result = runtime.call(hook.name(), &lent, |inst, lent| Box::pin(call_lending(inst, lent, hook))).await;
            match result {
                Ok(Verdict::Allow) => {}
                Ok(Verdict::Change(change)) => Arc::make_mut(&mut lent).apply(change),
                Ok(Verdict::Replace(post)) => Arc::make_mut(&mut lent).replace(post),
                Ok(Verdict::Reject(reason)) => return WillOutcome::Rejected { plugin_id: runtime.id().to_string(), reason },
                Ok(Verdict::Dismiss) => return WillOutcome::Dismissed { plugin_id: runtime.id().to_string() },
                Err(e) => {
                    if let Some(outcome) = failed_closed(runtime, &e) {
                        return outcome;
                    }
                }
            }
        }
        // Only the post moves out, not the whole lent record.
        WillOutcome::Continue(match Arc::get_mut(&mut lent) {
            Some(only) => std::mem::take(&mut only.post),
            None => lent.post.clone(),
        })
    }

    /// After a post was stored.
    pub fn message_has_been_posted(&self, ctx: &PluginContext, post: &Post) {
        self.queue_message_hook(MessageHook::HasBeenPosted, || LentPost { ctx: ctx.clone(), post: post.clone(), old: None });
    }

    /// After an edit was stored.
    pub fn message_has_been_updated(&self, ctx: &PluginContext, new: &Post, old: &Post) {
        self.queue_message_hook(MessageHook::HasBeenUpdated, || LentPost { ctx: ctx.clone(), post: new.clone(), old: Some(old.clone()) });
    }

    /// After a post was deleted.
    pub fn message_has_been_deleted(&self, ctx: &PluginContext, post: &Post) {
        self.queue_message_hook(MessageHook::HasBeenDeleted, || LentPost { ctx: ctx.clone(), post: post.clone(), old: None });
    }

    /// Queue a has-hook on every plugin exporting message hooks; the post is copied
    /// only when one does, and then once for all of them.
    fn queue_message_hook(&self, hook: MessageHook, lent: impl FnOnce() -> LentPost) {
        let targets: Vec<_> = self.exporting(HookFamily::Message).collect();
        if targets.is_empty() {
            return;
        }
        let lent = Arc::new(lent());
        self.inner.background.submit(Box::pin(async move {
            let mut calls = tokio::task::JoinSet::new();
            for runtime in targets {
                let lent = lent.clone();
                calls.spawn(async move {
                    let _ = runtime.call(hook.name(), &lent, |inst, lent| Box::pin(call_lending(inst, lent, hook))).await;
                });
            }
            while calls.join_next().await.is_some() {}
        }));
    }
}

/// Call `hook` on one instance with `lent` in its store for exactly the call.
async fn call_lending(inst: &mut crate::runtime::Instance, lent: &Arc<LentPost>, hook: MessageHook) -> wasmtime::Result<Verdict> {
    let hooks = inst.exports.message.as_ref().expect("exports message-hooks");
    inst.store.data_mut().lent = Some(lent.clone());
    let verdict = hooks.call(&mut inst.store, hook).await;
    // Not left behind: the chain's next `make_mut` then copies nothing, and an idle
    // instance holds no post.
    inst.store.data_mut().lent = None;
    verdict
}
