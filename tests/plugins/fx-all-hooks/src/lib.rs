//! Fixture `fx-all-hooks` (`fx.all-hooks`): implements every hook of every family and
//! leaves evidence of each call in KV (`hook:<hook-name>`), so a test can prove that
//! every hook is delivered with the right data. Contract: tests/plugins/README.md.

use confab_plugin::commands::{self, Command};
use confab_plugin::prelude::*;
use confab_plugin::{cluster, config, http, kv, log};

const SLOW_URL: &str = "http://slow.test/sleep?ms=300";

/// Records that `hook` ran, with `payload`. Failures are logged, never fatal: the hook's
/// own result must not depend on KV.
fn record(hook: &str, payload: &str) {
    if let Err(e) = kv::set(&format!("hook:{hook}"), payload) {
        log::error("fx-all-hooks could not record a hook", &[("hook", hook), ("error", &e.to_string())]);
    }
}

fn actor_id(actor: &Option<User>) -> &str {
    actor.as_ref().map_or("", |u| u.id.as_str())
}

#[derive(Default)]
struct AllHooks;

#[plugin]
impl Plugin for AllHooks {
    fn activate(&self) -> Result<(), String> {
        commands::register(&Command::new("allhooks", "fx-all-hooks echo"))?;
        record("activate", "ok");
        Ok(())
    }

    fn deactivate(&self) {
        record("deactivate", "ok");
    }

    fn configuration_changed(&self) -> Result<(), String> {
        record("configuration-changed", &config::settings_json());
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        record("message-will-be-posted", post.message());
        // What the lent context carries beyond 0.1.0's: Mattermost's `Connection-Id`.
        record("message-will-be-posted.connection-id", post.connection_id());
        PostVerdict::message(format!("{} [all-hooks]", post.message()))
    }

    fn message_will_be_updated(&self, new_post: &HookPost, old_post: &HookPost) -> PostVerdict {
        record("message-will-be-updated", new_post.id());
        record("message-will-be-updated.old-message", old_post.message());
        PostVerdict::message(format!("{} [edited]", new_post.message()))
    }

    fn message_has_been_posted(&self, post: &HookPost) {
        record("message-has-been-posted", post.id());
    }

    fn message_has_been_updated(&self, new_post: &HookPost, _old: &HookPost) {
        record("message-has-been-updated", new_post.id());
    }

    fn message_has_been_deleted(&self, post: &HookPost) {
        record("message-has-been-deleted", post.id());
    }

    fn reaction_has_been_added(&self, _ctx: &PluginContext, reaction: Reaction) {
        record("reaction-has-been-added", &format!("{}:{}", reaction.post_id, reaction.emoji_name));
    }

    fn reaction_has_been_removed(&self, _ctx: &PluginContext, reaction: Reaction) {
        record("reaction-has-been-removed", &format!("{}:{}", reaction.post_id, reaction.emoji_name));
    }

    fn channel_has_been_created(&self, _ctx: &PluginContext, channel: Channel) {
        record("channel-has-been-created", &channel.id);
    }

    fn user_has_joined_channel(&self, _ctx: &PluginContext, member: ChannelMember, actor: Option<User>) {
        let payload = format!("{}:{}:{}", member.channel_id, member.user_id, actor_id(&actor));
        record("user-has-joined-channel", &payload);
    }

    fn user_has_left_channel(&self, _ctx: &PluginContext, member: ChannelMember, actor: Option<User>) {
        let payload = format!("{}:{}:{}", member.channel_id, member.user_id, actor_id(&actor));
        record("user-has-left-channel", &payload);
    }

    fn user_has_joined_team(&self, _ctx: &PluginContext, member: TeamMember, actor: Option<User>) {
        let payload = format!("{}:{}:{}", member.team_id, member.user_id, actor_id(&actor));
        record("user-has-joined-team", &payload);
    }

    fn user_has_left_team(&self, _ctx: &PluginContext, member: TeamMember, actor: Option<User>) {
        let payload = format!("{}:{}:{}", member.team_id, member.user_id, actor_id(&actor));
        record("user-has-left-team", &payload);
    }

    fn user_has_been_created(&self, _ctx: &PluginContext, user: User) {
        record("user-has-been-created", &user.id);
    }

    fn user_will_log_in(&self, _ctx: &PluginContext, user: User) -> Option<String> {
        record("user-will-log-in", &user.id);
        (user.username == "blocked").then(|| "fx-all-hooks refuses user blocked".to_owned())
    }

    fn user_has_logged_in(&self, _ctx: &PluginContext, user: User) {
        record("user-has-logged-in", &user.id);
    }

    fn execute_command(&self, _ctx: &PluginContext, args: CommandArgs) -> Result<CommandResponse, String> {
        record("execute-command", &args.command);
        Ok(CommandResponse::in_channel(format!(
            "allhooks: command={:?} user_id={} channel_id={} team_id={} root_id={}",
            args.command, args.user_id, args.channel_id, args.team_id, args.root_id
        )))
    }

    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        record("serve-http", &format!("{} {}", request.method, request.path));
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/echo") | ("POST", "/echo") => HttpResponse::json(
                200,
                &serde_json::json!({
                    "method": request.method,
                    "path": request.path,
                    "query": request.query,
                    "body": request.text(),
                    "user_id": request.user_id().unwrap_or(""),
                }),
            ),
            ("GET", "/slow") => match http::get(SLOW_URL) {
                Ok(upstream) => HttpResponse::json(200, &serde_json::json!({ "upstream_status": upstream.status })),
                Err(e) => HttpResponse::error(502, &e.to_string()),
            },
            ("POST", "/publish") => match cluster::publish("from-http", request.body.clone()) {
                Ok(()) => HttpResponse::json(200, &serde_json::json!({ "published": true })),
                Err(e) => HttpResponse::error(400, &e.to_string()),
            },
            _ => HttpResponse::not_found(),
        }
    }

    fn on_websocket_connect(&self, connection_id: &str, user_id: &str) {
        record("on-websocket-connect", &format!("{connection_id}:{user_id}"));
    }

    fn on_websocket_disconnect(&self, connection_id: &str, user_id: &str) {
        record("on-websocket-disconnect", &format!("{connection_id}:{user_id}"));
    }

    fn websocket_message_has_been_posted(&self, connection_id: &str, user_id: &str, request: WebsocketRequest) {
        let payload = format!("{connection_id}:{user_id}:{}:{}", request.action, request.data);
        record("websocket-message-has-been-posted", &payload);
    }

    fn on_plugin_cluster_event(&self, _ctx: &PluginContext, event: ClusterEvent) {
        let payload = format!("{}:{}", event.id, String::from_utf8_lossy(&event.data));
        record("on-plugin-cluster-event", &payload);
        // KV is shared by every node; the node's own log says which node got it.
        log::info("fx-all-hooks cluster event", &[("event", &payload)]);
    }

    fn run_job(&self, run: JobRun) -> Result<(), String> {
        record("run-job", &format!("{}:{}", run.name, String::from_utf8_lossy(&run.payload)));
        Ok(())
    }

    fn channel_member_will_be_added(&self, _ctx: &PluginContext, member: ChannelMember, actor: Option<User>) -> Option<String> {
        record("channel-member-will-be-added", &format!("{}:{}:{}", member.channel_id, member.user_id, actor_id(&actor)));
        (member.user_id == "blocked").then(|| "fx-all-hooks refuses member blocked".to_owned())
    }

    fn team_member_will_be_added(&self, _ctx: &PluginContext, member: TeamMember, actor: Option<User>) -> Option<String> {
        record("team-member-will-be-added", &format!("{}:{}:{}", member.team_id, member.user_id, actor_id(&actor)));
        (member.user_id == "blocked").then(|| "fx-all-hooks refuses member blocked".to_owned())
    }

    fn channel_will_be_archived(&self, _ctx: &PluginContext, channel: Channel, actor: Option<User>) -> Option<String> {
        record("channel-will-be-archived", &format!("{}:{}", channel.id, actor_id(&actor)));
        (channel.name == "keep").then(|| "fx-all-hooks keeps channel keep".to_owned())
    }

    fn user_has_been_deactivated(&self, _ctx: &PluginContext, user: User) {
        record("user-has-been-deactivated", &user.id);
    }

    fn messages_will_be_consumed(&self, posts: Vec<Post>) -> Vec<Post> {
        let ids: Vec<&str> = posts.iter().map(|p| p.id.as_str()).collect();
        record("messages-will-be-consumed", &ids.join(","));
        posts
    }

    fn on_install(&self, _ctx: &PluginContext, event: InstallEvent) -> Result<(), String> {
        record("on-install", &event.user_id);
        Ok(())
    }

    fn configuration_will_be_saved(&self, settings: &str) -> Result<Option<String>, String> {
        record("configuration-will-be-saved", settings);
        Ok(None)
    }
}
