//! Running a slash command: resolution (plugin ⇒ custom ⇒ built-in), the request to a custom command's URL, the `CommandResponse` turned into posts (in channel or ephemeral), and delayed answers through `response_url`.

use confab_host::CallError;
use serde_json::{Value, json};

use super::{Commands, ExecuteRequest, MAX_RESPONSE_BYTES, RESPONSE_URL_TTL_MS, RESPONSE_URL_USES, builtin};
use crate::domain::attachment;
use crate::domain::command::{Command, CommandResponse, EPHEMERAL, IN_CHANNEL, METHOD_GET};
use crate::domain::error_ids;
use crate::domain::post::{NewPost, validate_user_type};
use crate::domain::{Channel, ChannelType, Invalid, Post, Team, User};
use crate::ids::{is_valid_id, new_id};
use crate::service::{Actor, Caller, Error, Result, now_ms};
use crate::store::{self, CommandWebhook};

fn failed(id: &'static str, message: impl Into<String>, detail: impl Into<String>) -> Error {
    Error::Upstream { id, message: message.into(), detail: detail.into() }
}

/// Where a command runs, resolved and checked.
#[derive(Debug, Clone)]
struct Invocation {
    user: User,
    channel: Channel,
    team: Team,
    root_id: String,
    /// `/Trigger args` as typed.
    command: String,
    /// Lower-cased, without the slash.
    trigger: String,
    /// Everything after the trigger.
    message: String,
    site_url: String,
}

/// Which kind of command answered; built-ins and plugins post as the user, custom
/// commands' posts are marked `from_webhook`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    BuiltIn,
    Plugin,
    Custom,
}

impl Commands<'_> {
    /// `POST /commands/execute`: resolve and run a command as the caller in a channel
    /// they are a member of, post its answer, and return it.
    pub async fn execute(&self, caller: &Caller, request: ExecuteRequest, site_url: &str) -> Result<CommandResponse> {
        let Some(user) = caller.user().cloned() else { return Err(Error::forbidden()) };
        if request.command.len() <= 1 || !request.command.starts_with('/') || !is_valid_id(&request.channel_id) {
            return Err(Invalid::new(error_ids::commands::EXECUTE_COMMAND_START, "No command trigger found.").into());
        }
        let channel = self.channels().channel_by_id(&request.channel_id).await?;
        if !caller.is_admin() && !self.channels().is_channel_member(&channel.id, &user.id).await? {
            return Err(Error::forbidden());
        }
        if channel.delete_at != 0 {
            return Err(Invalid::new(error_ids::commands::EXECUTE_COMMAND_DELETED, "Cannot execute command in an archived channel.").into());
        }
        // In team channels the team is the channel's, so a command of another team
        // cannot be run here; in direct channels it is the one the client names, which
        // the caller must belong to.
        let team_id = match channel.channel_type() {
            ChannelType::Direct | ChannelType::Group => request.team_id.clone(),
            _ => channel.team_id.clone(),
        };
        let team = self.teams().team_by_id(&team_id).await?;
        self.teams().require_team_member(caller, &team.id).await?;
        let text = request.command.trim_start();
        let (head, message) = match text.find(char::is_whitespace) {
            Some(at) => (&text[..at], text[at..].trim_start_matches([' ', '\t']).to_string()),
            None => (text, String::new()),
        };
        let trigger = head.trim_start_matches('/').to_lowercase();
        let root_id = if request.root_id.is_empty() { request.parent_id } else { request.root_id };
        let invocation = Invocation { user, channel, team, root_id, command: text.to_string(), trigger, message, site_url: site_url.to_string() };
        let minted = self.actions().mint_trigger_id(&invocation.user.id).await?;

        if let Some(mut response) = self.run_plugin_command(caller, &invocation, &minted.trigger_id).await? {
            response.trigger_id = minted.client_trigger_id;
            self.post_responses(&invocation, None, &mut response, Source::Plugin).await?;
            return Ok(response);
        }
        if let Some(custom) = self.store().command_by_trigger(&invocation.team.id, &invocation.trigger).await? {
            let mut response = self.run_custom_command(&invocation, &custom, &minted.trigger_id).await?;
            response.trigger_id = minted.client_trigger_id;
            self.post_responses(&invocation, Some(&custom), &mut response, Source::Custom).await?;
            return Ok(response);
        }
        if let Some(mut response) = self.run_builtin(caller, &invocation).await? {
            self.post_responses(&invocation, None, &mut response, Source::BuiltIn).await?;
            return Ok(response);
        }
        Err(Error::NotFound {
            id: error_ids::commands::EXECUTE_COMMAND_NOT_FOUND,
            message: format!("Command with a trigger of '{}' not found.", invocation.trigger),
        })
    }

    /// The plugin serving the trigger, if one runs: its answer, or its error.
    async fn run_plugin_command(&self, caller: &Caller, inv: &Invocation, trigger_id: &str) -> Result<Option<CommandResponse>> {
        let (Some(host), Some(plugin_id)) = (self.host(), self.plugin_commands().owner(&inv.team.id, &inv.trigger)) else { return Ok(None) };
        let args = confab_host::types::CommandArgs {
            command: inv.command.clone(),
            user_id: inv.user.id.clone(),
            channel_id: inv.channel.id.clone(),
            team_id: inv.team.id.clone(),
            root_id: inv.root_id.clone(),
            trigger_id: trigger_id.to_string(),
            site_url: inv.site_url.clone(),
        };
        match host.execute_command(&plugin_id, &caller.ctx, args).await {
            Ok(Ok(answer)) => {
                let props = match answer.props.trim() {
                    "" => None,
                    text => match serde_json::from_str::<Value>(text) {
                        Ok(Value::Object(map)) => Some(map),
                        _ => {
                            return Err(failed(
                                error_ids::commands::PLUGIN_COMMAND_ERROR_ERROR,
                                "The plugin answered with invalid props.",
                                format!("plugin_id={plugin_id}"),
                            ));
                        }
                    },
                };
                Ok(Some(CommandResponse {
                    response_type: answer.response_type,
                    text: answer.text,
                    username: answer.username,
                    icon_url: answer.icon_url,
                    channel_id: answer.channel_id,
                    goto_location: answer.goto_location,
                    kind: answer.kind,
                    props,
                    ..CommandResponse::default()
                }))
            }
            Ok(Err(text)) => Err(failed(error_ids::commands::PLUGIN_COMMAND_ERROR_ERROR, text, format!("plugin_id={plugin_id}"))),
            // A registration left behind by a plugin that is gone or stopped: the
            // trigger falls through to custom and built-in commands.
            Err(CallError::UnknownPlugin { .. } | CallError::NotRunning { .. } | CallError::NotImplemented { .. }) => Ok(None),
            Err(e) => Err(failed(error_ids::commands::PLUGIN_COMMAND_CRASH_ERROR, format!("/{} failed in its plugin.", inv.trigger), e.to_string())),
        }
    }

    /// Call a custom command's URL with Mattermost's form fields and read its answer.
    async fn run_custom_command(&self, inv: &Invocation, command: &Command, trigger_id: &str) -> Result<CommandResponse> {
        let hook = CommandWebhook {
            id: new_id(),
            create_at: now_ms(),
            command_id: command.id.clone(),
            user_id: inv.user.id.clone(),
            channel_id: inv.channel.id.clone(),
            root_id: inv.root_id.clone(),
            use_count: 0,
        };
        self.store().insert_command_webhook(&hook).await?;
        // Expired hooks are dead weight; forgetting them here keeps the table at about
        // 30 minutes of calls without a timer.
        if let Err(e) = self.purge_command_webhooks().await {
            tracing::warn!(error = %e, "could not forget expired command response URLs");
        }
        let mut form: Vec<(&str, String)> = vec![
            ("token", command.token.clone()),
            ("team_id", inv.team.id.clone()),
            ("team_domain", inv.team.name.clone()),
            ("channel_id", inv.channel.id.clone()),
            ("channel_name", inv.channel.name.clone()),
            ("user_id", inv.user.id.clone()),
            ("user_name", inv.user.username.clone()),
            ("command", format!("/{}", command.trigger)),
            ("text", inv.message.clone()),
            ("trigger_id", trigger_id.to_string()),
            ("root_id", inv.root_id.clone()),
            ("response_url", format!("{}/hooks/commands/{}", inv.site_url, hook.id)),
        ];
        for (name, id) in self.user_mentions(&inv.message, &inv.team.id).await? {
            form.push(("user_mentions", name));
            form.push(("user_mentions_ids", id));
        }
        for (name, id) in self.channel_mentions(&inv.message, &inv.team.id).await? {
            form.push(("channel_mentions", name));
            form.push(("channel_mentions_ids", id));
        }
        let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str()))).finish();

        let fail =
            |detail: String| failed(error_ids::commands::EXECUTE_COMMAND_FAILED, format!("Command with a trigger of '{}' failed.", command.trigger), detail);
        let outbound = self.outbound();
        let request = if command.method == METHOD_GET {
            let separator = if command.url.contains('?') { '&' } else { '?' };
            outbound.request(reqwest::Method::GET, &format!("{}{separator}{encoded}", command.url)).map_err(|e| fail(e.to_string()))?
        } else {
            outbound
                .request(reqwest::Method::POST, &command.url)
                .map_err(|e| fail(e.to_string()))?
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(encoded)
        };
        let request = request.header(reqwest::header::ACCEPT, "application/json").header(reqwest::header::AUTHORIZATION, format!("Token {}", command.token));
        let answer = outbound.send(request, MAX_RESPONSE_BYTES).await.map_err(|e| fail(e.to_string()))?;
        if answer.status != 200 {
            return Err(failed(
                error_ids::commands::EXECUTE_COMMAND_FAILED_RESP,
                format!("Command with a trigger of '{}' returned response {}.", command.trigger, answer.status),
                String::from_utf8_lossy(&answer.body).into_owned(),
            ));
        }
        let content_type = answer.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let response = CommandResponse::from_http_body(content_type, &answer.body).map_err(|e| fail(format!("unreadable JSON answer: {e}")))?;
        if crate::domain::text::serialized_has_nul(&response) {
            return Err(fail("the answer holds a NUL character".into()));
        }
        Ok(response)
    }

    /// `@name`s in `text` that are members of the team: (username, id), in order.
    async fn user_mentions(&self, text: &str, team_id: &str) -> Result<Vec<(String, String)>> {
        let mut out: Vec<(String, String)> = Vec::new();
        for name in mentioned(text, '@') {
            if out.iter().any(|(n, _)| *n == name) {
                continue;
            }
            if let Ok(user) = self.store().get_user_by_username(&name).await
                && user.delete_at == 0
                && self.store().get_team_member(team_id, &user.id).await.is_ok()
            {
                out.push((name, user.id));
            }
        }
        Ok(out)
    }

    /// `~name`s in `text` that are public channels of the team: (name, id), in order.
    async fn channel_mentions(&self, text: &str, team_id: &str) -> Result<Vec<(String, String)>> {
        let mut out: Vec<(String, String)> = Vec::new();
        for name in mentioned(text, '~') {
            if out.iter().any(|(n, _)| *n == name) {
                continue;
            }
            if let Ok(channel) = self.store().get_channel_by_name(team_id, &name).await
                && channel.is_public()
                && channel.delete_at == 0
            {
                out.push((name, channel.id));
            }
        }
        Ok(out)
    }

    /// A built-in command's answer, if the trigger is one.
    async fn run_builtin(&self, caller: &Caller, inv: &Invocation) -> Result<Option<CommandResponse>> {
        builtin::run(
            self,
            caller,
            &builtin::Context { user: &inv.user, channel: &inv.channel, team: &inv.team, site_url: &inv.site_url },
            &inv.trigger,
            &inv.message,
        )
        .await
    }

    /// Post the response and each of its `extra_responses`; any failure makes the whole
    /// call a 500 (Mattermost's `create_post_failed`), after the others were tried.
    async fn post_responses(&self, inv: &Invocation, command: Option<&Command>, response: &mut CommandResponse, source: Source) -> Result<()> {
        let mut last_error = None;
        if let Err(e) = self.post_response(&inv.user, &inv.channel.id, &inv.root_id, command, response, source).await {
            last_error = Some(e);
        }
        for extra in response.extra_responses.iter_mut().flatten() {
            if let Err(e) = self.post_response(&inv.user, &inv.channel.id, &inv.root_id, command, extra, source).await {
                last_error = Some(e);
            }
        }
        match last_error {
            None => Ok(()),
            Some(e) => Err(failed(
                error_ids::commands::EXECUTE_COMMAND_CREATE_POST_FAILED,
                format!("Command '{}' failed to post response. Please contact your System Administrator.", inv.trigger),
                e.to_string(),
            )),
        }
    }

    /// One response as a post: in the channel (stored, as the user) or ephemeral (to
    /// the user only, when there is something to show).
    async fn post_response(
        &self,
        user: &User,
        channel_id: &str,
        root_id: &str,
        command: Option<&Command>,
        response: &mut CommandResponse,
        source: Source,
    ) -> Result<()> {
        let mut channel_id = channel_id.to_string();
        if !response.channel_id.is_empty() {
            if !is_valid_id(&response.channel_id) || !self.channels().is_channel_member(&response.channel_id, &user.id).await? {
                return Err(Error::Forbidden {
                    id: error_ids::commands::COMMAND_POST_FORBIDDEN,
                    message: "Specified user is not a member of specified channel.".into(),
                });
            }
            channel_id = response.channel_id.clone();
        }
        validate_user_type(&response.kind)?;
        let mut props = response.props.clone().unwrap_or_default();
        // Integrations may not set these themselves; the server decides below.
        for key in ["from_webhook", "override_username", "override_icon_url"] {
            props.remove(key);
        }
        let settings = self.settings();
        let mut from_integration = source == Source::Custom;
        if settings.enable_post_username_override {
            let name = command.map(|c| c.username.as_str()).filter(|n| !n.is_empty()).unwrap_or(&response.username);
            if !name.is_empty() {
                props.insert("override_username".into(), json!(name));
                from_integration = true;
            }
        }
        if settings.enable_post_icon_override {
            let icon = command.map(|c| c.icon_url.as_str()).filter(|n| !n.is_empty()).unwrap_or(&response.icon_url);
            if !icon.is_empty() {
                props.insert("override_icon_url".into(), json!(icon));
                from_integration = true;
            }
        }
        if from_integration {
            props.insert("from_webhook".into(), json!("true"));
        }
        let mut attachments = match response.attachments.take() {
            Some(list) => attachment::parse(Value::Array(list))?,
            None => Vec::new(),
        };
        if !response.skip_slack_parsing {
            self.posts().convert_slack_markup(&mut response.text, &mut attachments).await?;
        }
        let has_attachments = !attachments.is_empty();
        if has_attachments {
            // The answer returned to the client shows what was posted.
            response.attachments = Some(attachments.iter().map(|a| serde_json::to_value(a).expect("attachments serialize")).collect());
            props.insert(attachment::ATTACHMENTS_PROP.into(), Value::Array(response.attachments.clone().unwrap_or_default()));
        }
        let kind = response.kind.clone();
        let caller = Caller { actor: Actor::User { user: Box::new(user.clone()), session_id: String::new() }, ctx: Default::default() };
        if response.response_type == IN_CHANNEL {
            let new = NewPost { channel_id, message: response.text.clone(), root_id: root_id.to_string(), kind, props: Some(props), ..NewPost::default() };
            self.posts().create_post(&caller, new).await?;
        } else if (response.response_type.is_empty() || response.response_type == EPHEMERAL) && (!response.text.is_empty() || has_attachments) {
            // `send_ephemeral_post` checks and numbers the attachments like a stored post's.
            let post =
                Post { user_id: user.id.clone(), channel_id, root_id: root_id.to_string(), message: response.text.clone(), kind, props, ..Post::default() };
            self.posts().send_ephemeral_post(&user.id, post).await?;
        }
        Ok(())
    }

    /// `POST /hooks/commands/{id}`: a delayed answer to a custom command, within 30
    /// minutes of the call and at most 5 times.
    pub async fn command_webhook(&self, hook_id: &str, mut response: CommandResponse) -> Result<()> {
        let hook = match self.store().get_command_webhook(hook_id, now_ms() - RESPONSE_URL_TTL_MS).await {
            Ok(hook) => hook,
            Err(store::Error::NotFound) => {
                return Err(Error::NotFound { id: error_ids::commands::COMMAND_WEBHOOK_GET_MISSING, message: "Unable to get the webhook.".into() });
            }
            Err(e) => return Err(e.into()),
        };
        let command = match self.store().get_command(&hook.command_id).await {
            Ok(command) => command,
            Err(store::Error::NotFound) => return Err(Invalid::new(error_ids::commands::COMMAND_WEBHOOK_COMMAND, "Couldn't find the command.").into()),
            Err(e) => return Err(e.into()),
        };
        if !self.store().try_use_command_webhook(&hook.id, RESPONSE_URL_USES).await? {
            return Err(Invalid::new(error_ids::commands::COMMAND_WEBHOOK_TRY_USE_INVALID, "Invalid webhook.").into());
        }
        let user = self.users().get_user_checked(&hook.user_id).await?;
        let channel = self.channels().channel_by_id(&hook.channel_id).await?;
        let team = self.teams().team_by_id(&command.team_id).await?;
        let inv = Invocation {
            user,
            channel,
            team,
            root_id: hook.root_id.clone(),
            command: format!("/{}", command.trigger),
            trigger: command.trigger.clone(),
            message: String::new(),
            site_url: String::new(),
        };
        self.post_responses(&inv, Some(&command), &mut response, Source::Custom).await
    }

    /// Forget `response_url`s older than their lifetime.
    pub async fn purge_command_webhooks(&self) -> Result<u64> {
        Ok(self.store().delete_command_webhooks_before(now_ms() - RESPONSE_URL_TTL_MS).await?)
    }
}

/// The names after each `sigil` in `text` (`@bob,` gives `bob`), as Mattermost's
/// mention parsing does: letters, digits, `.`, `-`, `_`, trailing dots dropped.
fn mentioned(text: &str, sigil: char) -> Vec<String> {
    text.split_whitespace()
        .filter_map(|word| word.strip_prefix(sigil))
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect::<String>())
        .map(|name| name.trim_end_matches('.').to_lowercase())
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_cut_at_punctuation() {
        assert_eq!(mentioned("hi @Bob, and @ann. or @ and x@y ~town-square!", '@'), ["bob", "ann"]);
        assert_eq!(mentioned("see ~town-square! now", '~'), ["town-square"]);
    }
}
