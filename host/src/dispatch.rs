//! Hook dispatch: will-hooks chained synchronously over plugins in id order, has-hooks queued for the background, targeted calls (commands, HTTP).
//!
//! The message hooks, which lend the post instead of passing it, are in `dispatch/messages.rs`.

mod admin;
mod consume;
mod jobs;
mod messages;
mod plugin_http;
mod vetoes;

pub use admin::SettingsVerdict;
pub use vetoes::Vetoed;

use std::sync::Arc;

use crate::bindings::types as wit;
use crate::error::CallError;
use crate::families::HookFamily;
use crate::host::PluginHost;
use crate::runtime::PluginRuntime;
use crate::types::*;

/// The verdict of a will-hook chain on a post.
// Returned once per chain and unpacked at once: boxing the post would add an
// allocation to every post's path to save a few bytes of stack.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WillOutcome {
    /// Store this post (the original or a plugin's replacement).
    Continue(Post),
    /// A plugin refused the post; show `reason` to the author.
    Rejected {
        /// The plugin that refused.
        plugin_id: String,
        /// Its reason.
        reason: String,
    },
    /// A plugin dropped the post silently.
    Dismissed {
        /// The plugin that dismissed it.
        plugin_id: String,
    },
}

/// How a failing plugin affects a will-hook chain: fail-open skips it, fail-closed
/// rejects with this reason.
fn failed_closed(runtime: &PluginRuntime, error: &CallError) -> Option<WillOutcome> {
    if !runtime.limits.fail_closed || matches!(error, CallError::NotRunning { .. }) {
        return None;
    }
    Some(WillOutcome::Rejected { plugin_id: runtime.id().to_string(), reason: format!("the plugin `{}` failed to check this message", runtime.id()) })
}

impl PluginHost {
    fn exporting(&self, family: HookFamily) -> impl Iterator<Item = Arc<PluginRuntime>> {
        let snapshot = self.snapshot();
        (0..snapshot.len()).filter_map(move |i| {
            let runtime = &snapshot[i];
            runtime.exports(family).then(|| runtime.clone())
        })
    }

    /// Run `user-will-log-in`; the first plugin that returns a reason refuses the login.
    /// Returns `Err((plugin_id, reason))` on refusal.
    pub async fn user_will_log_in(&self, ctx: &PluginContext, user: &User) -> Result<(), (String, String)> {
        let args: (wit::PluginContext, wit::User) = (ctx.clone().into(), user.clone().into());
        // Borrowed from one snapshot: the chain runs on the request path.
        let snapshot = self.snapshot();
        for runtime in snapshot.iter().filter(|r| r.exports(HookFamily::User)) {
            let result = runtime
                .call("user-will-log-in", &args, |inst, (ctx, user)| {
                    Box::pin(async move { inst.exports.user.as_ref().expect("exports user-hooks").call_user_will_log_in(&mut inst.store, ctx, user).await })
                })
                .await;
            match result {
                Ok(None) => {}
                Ok(Some(reason)) => return Err((runtime.id().to_string(), reason)),
                Err(e) => {
                    if let Some(WillOutcome::Rejected { plugin_id, reason }) = failed_closed(runtime, &e) {
                        return Err((plugin_id, reason));
                    }
                }
            }
        }
        Ok(())
    }

    /// Run a plugin's `execute-command`. `Ok(Err(text))` is the plugin's own error
    /// message for the user.
    pub async fn execute_command(&self, plugin_id: &str, ctx: &PluginContext, args: CommandArgs) -> Result<Result<CommandResponse, String>, CallError> {
        let runtime = self.runtime(plugin_id)?;
        if !runtime.exports(HookFamily::Command) {
            return Err(CallError::NotImplemented { plugin_id: plugin_id.to_string(), hook: "execute-command" });
        }
        let args: (wit::PluginContext, wit::CommandArgs) = (ctx.clone().into(), args.into());
        let result = runtime
            .call("execute-command", &args, |inst, (ctx, args)| {
                Box::pin(async move { inst.exports.command.as_ref().expect("exports command-hooks").call_execute_command(&mut inst.store, ctx, args).await })
            })
            .await?;
        Ok(result.map(Into::into))
    }

    /// Run a plugin's `serve-http` for a request under `/plugins/{plugin_id}`.
    pub async fn serve_http(&self, plugin_id: &str, ctx: &PluginContext, request: HttpRequest) -> Result<HttpResponse, CallError> {
        let runtime = self.runtime(plugin_id)?;
        if !runtime.exports(HookFamily::Http) {
            return Err(CallError::NotImplemented { plugin_id: plugin_id.to_string(), hook: "serve-http" });
        }
        let args: (wit::PluginContext, wit::HttpRequest) = (ctx.clone().into(), request.into());
        let response = runtime
            .call("serve-http", &args, |inst, (ctx, request)| {
                Box::pin(async move { inst.exports.http.as_ref().expect("exports http-hooks").call_serve_http(&mut inst.store, ctx, request).await })
            })
            .await?;
        Ok(response.into())
    }

    /// Wait until every queued background hook call has finished (tests, shutdown).
    pub async fn flush_background(&self) {
        self.inner.background.flush().await;
    }
}

/// Queue one background hook on every plugin exporting `$family`. The closure body
/// receives the instance and owned copies of the converted arguments.
macro_rules! background_hook {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty => $wit:ty),*) => $family:expr, $hook:literal, $field:ident, $method:ident) => {
        $(#[$doc])*
        pub fn $name(&self, $($arg: $ty),*) {
            let targets: Vec<_> = self.exporting($family).collect();
            if targets.is_empty() {
                return;
            }
            // Converted once and shared by every plugin's task.
            let args: Arc<($($wit,)*)> = Arc::new(($($arg.clone().into(),)*));
            self.inner.background.submit(Box::pin(async move {
                let mut calls = tokio::task::JoinSet::new();
                for runtime in targets {
                    let args = args.clone();
                    calls.spawn(async move {
                        let _ = runtime
                            .call($hook, &*args, |inst, ($($arg,)*)| {
                                Box::pin(async move {
                                    inst.exports.$field.as_ref().expect("family checked").$method(&mut inst.store, $($arg),*).await
                                })
                            })
                            .await;
                    });
                }
                while calls.join_next().await.is_some() {}
            }));
        }
    };
}

impl PluginHost {
    background_hook!(
        /// After a reaction was added.
        reaction_has_been_added(ctx: &PluginContext => wit::PluginContext, reaction: &Reaction => wit::Reaction)
        => HookFamily::Reaction, "reaction-has-been-added", reaction, call_reaction_has_been_added);
    background_hook!(
        /// After a reaction was removed.
        reaction_has_been_removed(ctx: &PluginContext => wit::PluginContext, reaction: &Reaction => wit::Reaction)
        => HookFamily::Reaction, "reaction-has-been-removed", reaction, call_reaction_has_been_removed);
    background_hook!(
        /// After a channel was created.
        channel_has_been_created(ctx: &PluginContext => wit::PluginContext, channel: &Channel => wit::Channel)
        => HookFamily::Channel, "channel-has-been-created", channel, call_channel_has_been_created);
    background_hook!(
        /// After an account was created.
        user_has_been_created(ctx: &PluginContext => wit::PluginContext, user: &User => wit::User)
        => HookFamily::User, "user-has-been-created", user, call_user_has_been_created);
    background_hook!(
        /// After a login completed.
        user_has_logged_in(ctx: &PluginContext => wit::PluginContext, user: &User => wit::User)
        => HookFamily::User, "user-has-logged-in", user, call_user_has_logged_in);
    background_hook!(
        /// After an account was deactivated and its sessions ended.
        user_has_been_deactivated(ctx: &PluginContext => wit::PluginContext, user: &User => wit::User)
        => HookFamily::Account, "user-has-been-deactivated", account, call_user_has_been_deactivated);
    background_hook!(
        /// A WebSocket connection opened.
        on_websocket_connect(connection_id: &str => String, user_id: &str => String)
        => HookFamily::Websocket, "on-websocket-connect", websocket, call_on_websocket_connect);
    background_hook!(
        /// A WebSocket connection closed.
        on_websocket_disconnect(connection_id: &str => String, user_id: &str => String)
        => HookFamily::Websocket, "on-websocket-disconnect", websocket, call_on_websocket_disconnect);
    background_hook!(
        /// A client sent a WebSocket action.
        websocket_message_has_been_posted(connection_id: &str => String, user_id: &str => String, request: &WebsocketRequest => wit::WebsocketRequest)
        => HookFamily::Websocket, "websocket-message-has-been-posted", websocket, call_websocket_message_has_been_posted);

    /// Deliver a cluster event from another node to one plugin (in the background).
    pub fn on_plugin_cluster_event(&self, plugin_id: &str, ctx: &PluginContext, event: &ClusterEvent) {
        let Ok(runtime) = self.runtime(plugin_id) else { return };
        if !runtime.exports(HookFamily::Cluster) {
            return;
        }
        let args: (wit::PluginContext, wit::ClusterEvent) = (ctx.clone().into(), event.clone().into());
        self.inner.background.submit(Box::pin(async move {
            let _ = runtime
                .call("on-plugin-cluster-event", &args, |inst, (ctx, event)| {
                    Box::pin(
                        async move { inst.exports.cluster.as_ref().expect("family checked").call_on_plugin_cluster_event(&mut inst.store, ctx, event).await },
                    )
                })
                .await;
        }));
    }
}

/// Like `background_hook!` for the membership hooks, whose `actor` is optional.
macro_rules! background_actor_hook {
    ($(#[$doc:meta])* $name:ident($member:ty => $wit_member:ty) => $family:expr, $hook:literal, $field:ident, $method:ident) => {
        $(#[$doc])*
        pub fn $name(&self, ctx: &PluginContext, member: &$member, actor: Option<&User>) {
            let targets: Vec<_> = self.exporting($family).collect();
            if targets.is_empty() {
                return;
            }
            // Converted once and shared by every plugin's task.
            let args: Arc<(wit::PluginContext, $wit_member, Option<wit::User>)> =
                Arc::new((ctx.clone().into(), member.clone().into(), actor.cloned().map(Into::into)));
            self.inner.background.submit(Box::pin(async move {
                let mut calls = tokio::task::JoinSet::new();
                for runtime in targets {
                    let args = args.clone();
                    calls.spawn(async move {
                        let _ = runtime
                            .call($hook, &*args, |inst, (ctx, member, actor)| {
                                Box::pin(async move {
                                    inst.exports.$field.as_ref().expect("family checked").$method(&mut inst.store, ctx, member, actor.as_ref()).await
                                })
                            })
                            .await;
                    });
                }
                while calls.join_next().await.is_some() {}
            }));
        }
    };
}

impl PluginHost {
    background_actor_hook!(
        /// After a user joined a channel; `actor` is who added them, if someone else.
        user_has_joined_channel(ChannelMember => wit::ChannelMember) => HookFamily::Channel, "user-has-joined-channel", channel, call_user_has_joined_channel);
    background_actor_hook!(
        /// After a user left a channel; `actor` is who removed them, if someone else.
        user_has_left_channel(ChannelMember => wit::ChannelMember) => HookFamily::Channel, "user-has-left-channel", channel, call_user_has_left_channel);
    background_actor_hook!(
        /// After a user joined a team; `actor` is who added them, if someone else.
        user_has_joined_team(TeamMember => wit::TeamMember) => HookFamily::Team, "user-has-joined-team", team, call_user_has_joined_team);
    background_actor_hook!(
        /// After a user left a team; `actor` is who removed them, if someone else.
        user_has_left_team(TeamMember => wit::TeamMember) => HookFamily::Team, "user-has-left-team", team, call_user_has_left_team);
}
