//! The `Plugin` trait: one defaulted method per hook in `wit/hooks.wit`.

use crate::hook_post::{HookPost, PostVerdict};
use crate::types::{
    Channel, ChannelMember, ClusterEvent, CommandArgs, CommandResponse, HttpRequest, HttpResponse, InstallEvent, JobRun, PluginContext, Post, Reaction,
    TeamMember, User, WebsocketRequest,
};

/// A Confab server plugin.
///
/// Implement the hooks you need inside an `impl` block marked
/// `#[confab_plugin::plugin]`; the macro exports exactly the hook families (WIT
/// interfaces) whose methods appear in that block, so the host never calls the
/// others. The defaults below are what the host would assume for an absent family,
/// and they only run when you implement a sibling hook of the same family.
///
/// Method names are the WIT function names in snake_case, which are Mattermost's hook
/// names. Receivers are `&self`: each component instance owns one value created with
/// [`Default`], and it is never shared between instances, so keep mutable state in
/// `Cell`/`RefCell` and shared state in [`kv`](crate::kv).
#[allow(unused_variables)]
pub trait Plugin: Default + 'static {
    // ---- lifecycle -------------------------------------------------------------

    /// Once per activation, on one instance, before any other hook. Register
    /// commands and ensure bots here. An `Err` stops the activation with that text.
    fn activate(&self) -> Result<(), String> {
        Ok(())
    }

    /// Once when the plugin is disabled, replaced or the server stops. Host calls
    /// still work.
    fn deactivate(&self) {}

    /// Settings changed, or this instance is new. Runs on every instance, before its
    /// first other hook; read [`config::settings`](crate::config::settings) here and
    /// cache what you need.
    fn configuration_changed(&self) -> Result<(), String> {
        Ok(())
    }

    // ---- message-hooks ---------------------------------------------------------

    /// Before a new post is stored, on the request path. `post` reads each field from
    /// the host when first asked, so read only what you need; answer with what changes.
    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        PostVerdict::Allow
    }

    /// Before an edit is stored; on reject the old version stays.
    fn message_will_be_updated(&self, new_post: &HookPost, old_post: &HookPost) -> PostVerdict {
        PostVerdict::Allow
    }

    /// After a post was stored (in the background).
    fn message_has_been_posted(&self, post: &HookPost) {}

    /// After an edit was stored (in the background).
    fn message_has_been_updated(&self, new_post: &HookPost, old_post: &HookPost) {}

    /// After a post was deleted (in the background).
    fn message_has_been_deleted(&self, post: &HookPost) {}

    // ---- reaction-hooks --------------------------------------------------------

    /// After a reaction was added.
    fn reaction_has_been_added(&self, ctx: &PluginContext, reaction: Reaction) {}

    /// After a reaction was removed (may fire for a reaction that never existed).
    fn reaction_has_been_removed(&self, ctx: &PluginContext, reaction: Reaction) {}

    // ---- channel-hooks ---------------------------------------------------------

    /// After a channel was created.
    fn channel_has_been_created(&self, ctx: &PluginContext, channel: Channel) {}

    /// After a user joined a channel; `actor` is whoever added them, if not themselves.
    fn user_has_joined_channel(&self, ctx: &PluginContext, member: ChannelMember, actor: Option<User>) {}

    /// After a user left a channel; `actor` is whoever removed them, if not themselves.
    fn user_has_left_channel(&self, ctx: &PluginContext, member: ChannelMember, actor: Option<User>) {}

    // ---- team-hooks ------------------------------------------------------------

    /// After a user joined a team.
    fn user_has_joined_team(&self, ctx: &PluginContext, member: TeamMember, actor: Option<User>) {}

    /// After a user left a team.
    fn user_has_left_team(&self, ctx: &PluginContext, member: TeamMember, actor: Option<User>) {}

    // ---- user-hooks ------------------------------------------------------------

    /// After an account was created.
    fn user_has_been_created(&self, ctx: &PluginContext, user: User) {}

    /// Before a login completes: `Some(reason)` refuses it, `None` allows it.
    fn user_will_log_in(&self, ctx: &PluginContext, user: User) -> Option<String> {
        None
    }

    /// After a login completed.
    fn user_has_logged_in(&self, ctx: &PluginContext, user: User) {}

    // ---- command-hooks ---------------------------------------------------------

    /// Run a command registered with [`commands::register`](crate::commands::register).
    /// An `Err` is shown to the caller.
    fn execute_command(&self, ctx: &PluginContext, args: CommandArgs) -> Result<CommandResponse, String> {
        Err(format!("this plugin does not handle {}", args.command))
    }

    // ---- http-hooks ------------------------------------------------------------

    /// Serve a request to `/plugins/{plugin_id}/...`.
    fn serve_http(&self, ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        HttpResponse::not_found()
    }

    // ---- websocket-hooks -------------------------------------------------------

    /// A user opened a WebSocket connection.
    fn on_websocket_connect(&self, connection_id: &str, user_id: &str) {}

    /// A WebSocket connection closed.
    fn on_websocket_disconnect(&self, connection_id: &str, user_id: &str) {}

    /// A client sent a custom action over its WebSocket.
    fn websocket_message_has_been_posted(&self, connection_id: &str, user_id: &str, request: WebsocketRequest) {}

    // ---- cluster-hooks ---------------------------------------------------------

    /// Another node's copy of this plugin called [`cluster::publish`](crate::cluster::publish).
    fn on_plugin_cluster_event(&self, ctx: &PluginContext, event: ClusterEvent) {}

    // ---- job-hooks -------------------------------------------------------------

    /// A job made with [`scheduler::schedule`](crate::scheduler::schedule) is due.
    /// Runs under the job deadline and fuel (30 s by default), not a hook's. An `Err`
    /// is logged and counted; a recurring job runs again at its next time anyway.
    fn run_job(&self, run: JobRun) -> Result<(), String> {
        Err(format!("this plugin does not run job {}", run.name))
    }

    // ---- veto-hooks (0.2.0) ----------------------------------------------------

    /// Before a user becomes a member of a channel: `Some(reason)` refuses (the caller
    /// gets a 400 with it), `None` allows. `actor` is whoever adds them, if not themselves.
    fn channel_member_will_be_added(&self, ctx: &PluginContext, member: ChannelMember, actor: Option<User>) -> Option<String> {
        None
    }

    /// Before a user becomes a member of a team: `Some(reason)` refuses.
    fn team_member_will_be_added(&self, ctx: &PluginContext, member: TeamMember, actor: Option<User>) -> Option<String> {
        None
    }

    /// Before a channel is archived: `Some(reason)` refuses.
    fn channel_will_be_archived(&self, ctx: &PluginContext, channel: Channel, actor: Option<User>) -> Option<String> {
        None
    }

    // ---- account-hooks (0.2.0) -------------------------------------------------

    /// After an account was deactivated and its sessions ended (in the background).
    fn user_has_been_deactivated(&self, ctx: &PluginContext, user: User) {}

    // ---- consume-hooks (0.2.0) -------------------------------------------------

    /// Posts about to reach a client (a REST read, or a `posted`/`post_edited` event):
    /// return the ones to send, changed (e.g. redacted) or not; leave a post out to
    /// withhold it. Runs on every read while implemented, so keep it cheap.
    fn messages_will_be_consumed(&self, posts: Vec<Post>) -> Vec<Post> {
        posts
    }

    // ---- admin-hooks (0.2.0) ---------------------------------------------------

    /// After the first activation that follows an install, with the installing admin.
    /// An `Err` is logged.
    fn on_install(&self, ctx: &PluginContext, event: InstallEvent) -> Result<(), String> {
        Ok(())
    }

    /// Before this plugin's settings (a JSON object) are stored: `Ok(None)` saves them,
    /// `Ok(Some(json))` saves that instead, `Err(message)` refuses the save.
    fn configuration_will_be_saved(&self, settings: &str) -> Result<Option<String>, String> {
        Ok(None)
    }
}
