//! Which hook families a component exports, found once at load from its exports, and each instance's handles to them.
//!
//! A family the component does not export stays `None` and is never called. A handle
//! is [`Versioned`]: the bindings of the contract version the component was built
//! against. The call methods below take and return the current types for every
//! version, so dispatch never looks at the version.

use wasmtime::Store;
use wasmtime::component::InstancePre;

use crate::bindings::confab::plugin::hook_post::{PostChange, PostVerdict};
use crate::bindings::hooks;
use crate::bindings::since_v0_1_0::hooks as hooks_v0_1_0;
use crate::bindings::types::{
    ChannelMember, ClusterEvent, CommandArgs, CommandResponse, HttpRequest, HttpResponse, PluginContext, Post, Reaction, TeamMember, User, WebsocketRequest,
    WillResult,
};
use crate::error::LoadError;
use crate::families::HookFamily;
use crate::imports::records_v0_1_0;
use crate::state::HostState;
use crate::versions::WitVersion;

/// A family's bindings in the version the component was built against.
pub(crate) enum Versioned<Latest, V0_1_0> {
    /// `confab:plugin@0.2.0` (`wit/`).
    Latest(Latest),
    /// `confab:plugin@0.1.0` (`wit/since_v0_1_0/`).
    V0_1_0(V0_1_0),
}

/// Declare each family's bindings: `field: module => Handle as HookFamily`, where
/// `Handle` is the versioned guest type dispatch calls through; after `since 0.2.0:`,
/// `field: module as HookFamily` for the families 0.1.0 does not have, whose handle is
/// the current guest type (no component of an older version can export them).
macro_rules! families {
    ($($field:ident: $module:ident => $handle:ident as $family:ident),* ; since 0.2.0: $($new_field:ident: $new_module:ident as $new_family:ident),* $(,)?) => {
        $(
            /// The family's exported functions in the component's version.
            pub(crate) type $handle = Versioned<hooks::$module::Guest, hooks_v0_1_0::$module::Guest>;
        )*

        /// Indices of the hook interfaces a component exports; `None` = not exported.
        #[derive(Default)]
        pub(crate) struct ExportIndices {
            $($field: Option<Versioned<hooks::$module::GuestIndices, hooks_v0_1_0::$module::GuestIndices>>,)*
            $($new_field: Option<hooks::$new_module::GuestIndices>,)*
        }

        /// The exported hook functions of one instance.
        pub(crate) struct Exports {
            $(pub $field: Option<$handle>,)*
            $(pub $new_field: Option<hooks::$new_module::Guest>,)*
        }

        impl ExportIndices {
            /// Discover which hook interfaces `pre`'s component exports in `version`. An
            /// interface exported with a different shape is a load error, not a skip.
            pub(crate) fn discover(pre: &InstancePre<HostState>, plugin_id: &str, version: WitVersion) -> Result<ExportIndices, LoadError> {
                let component = pre.component();
                let mut found = ExportIndices::default();
                $(
                    let interface = HookFamily::$family.interface_name(version);
                    if component.get_export_index(None, &interface).is_some() {
                        let incompatible = |e: wasmtime::Error| LoadError::IncompatibleExport {
                            plugin_id: plugin_id.to_string(),
                            interface: interface.clone(),
                            detail: format!("{e:#}"),
                        };
                        found.$field = Some(match version {
                            WitVersion::V0_2_0 => Versioned::Latest(hooks::$module::GuestIndices::new(pre).map_err(incompatible)?),
                            WitVersion::V0_1_0 => Versioned::V0_1_0(hooks_v0_1_0::$module::GuestIndices::new(pre).map_err(incompatible)?),
                        });
                    }
                )*
                $(
                    let interface = HookFamily::$new_family.interface_name(version);
                    if version >= HookFamily::$new_family.since() && component.get_export_index(None, &interface).is_some() {
                        found.$new_field = Some(hooks::$new_module::GuestIndices::new(pre).map_err(|e| LoadError::IncompatibleExport {
                            plugin_id: plugin_id.to_string(),
                            interface: interface.clone(),
                            detail: format!("{e:#}"),
                        })?);
                    }
                )*
                Ok(found)
            }

            /// The families present, in WIT order.
            pub(crate) fn families(&self) -> Vec<HookFamily> {
                let mut present = Vec::new();
                $(if self.$field.is_some() { present.push(HookFamily::$family); })*
                $(if self.$new_field.is_some() { present.push(HookFamily::$new_family); })*
                present
            }

            pub(super) fn load(&self, store: &mut Store<HostState>, instance: &wasmtime::component::Instance) -> wasmtime::Result<Exports> {
                Ok(Exports {
                    $($field: match &self.$field {
                        Some(Versioned::Latest(indices)) => Some(Versioned::Latest(indices.load(&mut *store, instance)?)),
                        Some(Versioned::V0_1_0(indices)) => Some(Versioned::V0_1_0(indices.load(&mut *store, instance)?)),
                        None => None,
                    },)*
                    $($new_field: match &self.$new_field {
                        Some(indices) => Some(indices.load(&mut *store, instance)?),
                        None => None,
                    },)*
                })
            }
        }
    };
}

families! {
    lifecycle: lifecycle => Lifecycle as Lifecycle,
    message: message_hooks => MessageHooks as Message,
    reaction: reaction_hooks => ReactionHooks as Reaction,
    channel: channel_hooks => ChannelHooks as Channel,
    team: team_hooks => TeamHooks as Team,
    user: user_hooks => UserHooks as User,
    command: command_hooks => CommandHooks as Command,
    http: http_hooks => HttpHooks as Http,
    websocket: websocket_hooks => WebsocketHooks as Websocket,
    cluster: cluster_hooks => ClusterHooks as Cluster;
    since 0.2.0:
    job: job_hooks as Job,
    veto: veto_hooks as Veto,
    account: account_hooks as Account,
    consume: consume_hooks as Consume,
    admin: admin_hooks as Admin,
}

/// The call methods of a family, forwarded to the component's version. These hooks
/// still have the 0.1.0 shape, so both arms pass the arguments through; the message
/// hooks, whose shape changed in 0.2.0, convert in their own arms below.
macro_rules! calls {
    ($handle:ident { $(fn $method:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)* }) => {
        impl $handle {
            $(
                pub(crate) async fn $method(&self, store: &mut Store<HostState>, $($arg: $ty),*) -> wasmtime::Result<$ret> {
                    match self {
                        Versioned::Latest(guest) => guest.$method(store, $($arg),*).await,
                        Versioned::V0_1_0(guest) => guest.$method(store, $($arg),*).await,
                    }
                }
            )*
        }
    };
}

calls!(Lifecycle {
    fn call_activate() -> Result<(), String>;
    fn call_deactivate() -> ();
    fn call_configuration_changed() -> Result<(), String>;
});
calls!(ReactionHooks {
    fn call_reaction_has_been_added(ctx: &PluginContext, reaction: &Reaction) -> ();
    fn call_reaction_has_been_removed(ctx: &PluginContext, reaction: &Reaction) -> ();
});
calls!(ChannelHooks {
    fn call_channel_has_been_created(ctx: &PluginContext, channel: &crate::bindings::types::Channel) -> ();
    fn call_user_has_joined_channel(ctx: &PluginContext, member: &ChannelMember, actor: Option<&User>) -> ();
    fn call_user_has_left_channel(ctx: &PluginContext, member: &ChannelMember, actor: Option<&User>) -> ();
});
calls!(TeamHooks {
    fn call_user_has_joined_team(ctx: &PluginContext, member: &TeamMember, actor: Option<&User>) -> ();
    fn call_user_has_left_team(ctx: &PluginContext, member: &TeamMember, actor: Option<&User>) -> ();
});
calls!(UserHooks {
    fn call_user_has_been_created(ctx: &PluginContext, user: &User) -> ();
    fn call_user_will_log_in(ctx: &PluginContext, user: &User) -> Option<String>;
    fn call_user_has_logged_in(ctx: &PluginContext, user: &User) -> ();
});
calls!(CommandHooks {
    fn call_execute_command(ctx: &PluginContext, args: &CommandArgs) -> Result<CommandResponse, String>;
});
calls!(HttpHooks {
    fn call_serve_http(ctx: &PluginContext, request: &HttpRequest) -> HttpResponse;
});
calls!(WebsocketHooks {
    fn call_on_websocket_connect(connection_id: &str, user_id: &str) -> ();
    fn call_on_websocket_disconnect(connection_id: &str, user_id: &str) -> ();
    fn call_websocket_message_has_been_posted(connection_id: &str, user_id: &str, request: &WebsocketRequest) -> ();
});
calls!(ClusterHooks {
    fn call_on_plugin_cluster_event(ctx: &PluginContext, event: &ClusterEvent) -> ();
});

/// A will-hook's answer in either version: 0.2.0 names the fields it changes, 0.1.0
/// hands back a whole post.
#[derive(Debug)]
pub(crate) enum Verdict {
    Allow,
    Change(PostChange),
    Replace(Post),
    Reject(String),
    Dismiss,
}

impl From<PostVerdict> for Verdict {
    fn from(v: PostVerdict) -> Verdict {
        match v {
            PostVerdict::Allow => Verdict::Allow,
            PostVerdict::Change(change) => Verdict::Change(change),
            PostVerdict::Reject(reason) => Verdict::Reject(reason),
            PostVerdict::Dismiss => Verdict::Dismiss,
        }
    }
}

impl From<WillResult> for Verdict {
    fn from(v: WillResult) -> Verdict {
        match v {
            WillResult::Allow => Verdict::Allow,
            WillResult::Replace(post) => Verdict::Replace(post),
            WillResult::Reject(reason) => Verdict::Reject(reason),
            WillResult::Dismiss => Verdict::Dismiss,
        }
    }
}

/// Which message hook to call. A 0.2.0 component reads the post the caller lent in
/// the store (`HostState::lent`); a 0.1.0 one gets it as arguments, built from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageHook {
    WillBePosted,
    WillBeUpdated,
    HasBeenPosted,
    HasBeenUpdated,
    HasBeenDeleted,
}

impl MessageHook {
    /// The WIT name, for metrics and logs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            MessageHook::WillBePosted => "message-will-be-posted",
            MessageHook::WillBeUpdated => "message-will-be-updated",
            MessageHook::HasBeenPosted => "message-has-been-posted",
            MessageHook::HasBeenUpdated => "message-has-been-updated",
            MessageHook::HasBeenDeleted => "message-has-been-deleted",
        }
    }
}

impl MessageHooks {
    /// Call `hook`; a has-hook answers [`Verdict::Allow`].
    pub(crate) async fn call(&self, store: &mut Store<HostState>, hook: MessageHook) -> wasmtime::Result<Verdict> {
        match self {
            Versioned::Latest(guest) => match hook {
                MessageHook::WillBePosted => guest.call_message_will_be_posted(store).await.map(Verdict::from),
                MessageHook::WillBeUpdated => guest.call_message_will_be_updated(store).await.map(Verdict::from),
                MessageHook::HasBeenPosted => guest.call_message_has_been_posted(store).await.map(|()| Verdict::Allow),
                MessageHook::HasBeenUpdated => guest.call_message_has_been_updated(store).await.map(|()| Verdict::Allow),
                MessageHook::HasBeenDeleted => guest.call_message_has_been_deleted(store).await.map(|()| Verdict::Allow),
            },
            // Boxed: its records would otherwise size every call's future, 0.2.0 ones too.
            Versioned::V0_1_0(guest) => Box::pin(Self::call_v0_1_0(guest, store, hook)).await,
        }
    }

    /// A 0.1.0 message hook, its records built from the lent post.
    async fn call_v0_1_0(guest: &hooks_v0_1_0::message_hooks::Guest, store: &mut Store<HostState>, hook: MessageHook) -> wasmtime::Result<Verdict> {
        let (ctx, post, old) = records_v0_1_0(store.data().lent.as_ref());
        match hook {
            MessageHook::WillBePosted => guest.call_message_will_be_posted(store, &ctx, &post).await.map(Verdict::from),
            MessageHook::WillBeUpdated => guest.call_message_will_be_updated(store, &ctx, &post, &old).await.map(Verdict::from),
            MessageHook::HasBeenPosted => guest.call_message_has_been_posted(store, &ctx, &post).await.map(|()| Verdict::Allow),
            MessageHook::HasBeenUpdated => guest.call_message_has_been_updated(store, &ctx, &post, &old).await.map(|()| Verdict::Allow),
            MessageHook::HasBeenDeleted => guest.call_message_has_been_deleted(store, &ctx, &post).await.map(|()| Verdict::Allow),
        }
    }
}
