//! The built-in slash commands (Mattermost's providers in `app/slashcommands`): `/echo`, `/me`, `/shrug`, `/join` (`/open`), `/leave`, `/help`, `/header`, `/purpose`, `/msg`, `/away`, `/online`, `/offline`, `/dnd`.
//!
//! Each answers with a `CommandResponse` the caller of `execute` posts as the user, or
//! with an ephemeral explanation when it cannot do what was asked, as Mattermost's do:
//! a failed `/join` is a message to the user, not an HTTP error.

use std::time::Duration;

use serde_json::json;

use crate::domain::channel::ChannelPatch;
use crate::domain::command::{Command, CommandResponse};
use crate::domain::post::NewPost;
use crate::domain::{Channel, ChannelType, Team, User};
use crate::service::{Caller, Result, Services};

/// Longest `/echo` delay, in seconds (Mattermost's).
pub const MAX_ECHO_DELAY_SECS: u64 = 10_000;

/// Where a built-in runs.
pub struct Context<'a> {
    pub user: &'a User,
    pub channel: &'a Channel,
    pub team: &'a Team,
    pub site_url: &'a str,
}

struct Builtin {
    trigger: &'static str,
    display_name: &'static str,
    desc: &'static str,
    hint: &'static str,
}

const BUILTINS: &[Builtin] = &[
    Builtin { trigger: "away", display_name: "away", desc: "Set your status away", hint: "" },
    Builtin { trigger: "dnd", display_name: "dnd", desc: "Do not disturb disables desktop and mobile push notifications.", hint: "" },
    Builtin { trigger: "echo", display_name: "echo", desc: "Echo back text from your account", hint: "'message' [delay in seconds]" },
    Builtin { trigger: "header", display_name: "header", desc: "Edit the channel header", hint: "[text]" },
    Builtin { trigger: "help", display_name: "help", desc: "List the available slash commands", hint: "" },
    Builtin { trigger: "join", display_name: "join", desc: "Join the open channel", hint: "~[channel]" },
    Builtin { trigger: "leave", display_name: "leave", desc: "Leave the current channel", hint: "" },
    Builtin { trigger: "me", display_name: "me", desc: "Do an action", hint: "[message]" },
    Builtin { trigger: "msg", display_name: "msg", desc: "Send Direct Message to a user", hint: "@[username] 'message'" },
    Builtin { trigger: "offline", display_name: "offline", desc: "Set your status offline", hint: "" },
    Builtin { trigger: "online", display_name: "online", desc: "Set your status online", hint: "" },
    Builtin { trigger: "open", display_name: "open", desc: "Open a channel", hint: "~[channel]" },
    Builtin { trigger: "purpose", display_name: "purpose", desc: "Edit the channel purpose", hint: "[text]" },
    Builtin { trigger: "shrug", display_name: "shrug", desc: "Adds ¯\\_(ツ)_/¯ to your message", hint: "[message]" },
];

/// The shrug Mattermost appends, escaped for Markdown.
const SHRUG: &str = "¯\\\\\\_(ツ)\\_/¯";

/// Whether a built-in has this trigger (custom commands may not reuse it).
pub fn is_builtin(trigger: &str) -> bool {
    BUILTINS.iter().any(|b| b.trigger == trigger)
}

/// The built-ins as Mattermost `Command`s (for lists and autocomplete).
pub fn commands() -> Vec<Command> {
    BUILTINS
        .iter()
        .map(|b| Command {
            trigger: b.trigger.into(),
            display_name: b.display_name.into(),
            auto_complete: true,
            auto_complete_desc: b.desc.into(),
            auto_complete_hint: b.hint.into(),
            ..Command::default()
        })
        .collect()
}

/// Run the built-in `trigger`, or `None` when there is no such built-in.
pub async fn run(services: &Services, caller: &Caller, ctx: &Context<'_>, trigger: &str, message: &str) -> Result<Option<CommandResponse>> {
    let message = message.trim();
    let response = match trigger {
        "echo" => echo(services, caller, ctx, message),
        "me" => CommandResponse { kind: "me".into(), props: Some(json_props(message)), ..CommandResponse::in_channel(format!("*{message}*")) },
        "shrug" => CommandResponse::in_channel(if message.is_empty() { SHRUG.to_string() } else { format!("{message} {SHRUG}") }),
        "join" | "open" => join(services, caller, ctx, message).await,
        "leave" => leave(services, caller, ctx).await,
        "help" => help(),
        "header" | "purpose" => set_channel_text(services, caller, ctx, trigger, message).await,
        "msg" => direct_message(services, caller, ctx, message).await,
        "away" | "online" | "offline" | "dnd" => set_status(services, caller, ctx, trigger).await,
        _ => return Ok(None),
    };
    Ok(Some(response))
}

fn json_props(message: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut props = serde_json::Map::new();
    props.insert("message".into(), json!(message));
    props
}

/// `/echo "message" [delay]` or `/echo message`: the message posted as the user, now
/// or after the delay.
fn echo(services: &Services, caller: &Caller, ctx: &Context<'_>, message: &str) -> CommandResponse {
    let (text, delay) = match message.strip_prefix('"').and_then(|rest| rest.rsplit_once('"')) {
        Some((quoted, after)) => (quoted.to_string(), after.trim().parse::<u64>().ok()),
        None => (message.to_string(), None),
    };
    if text.is_empty() {
        return CommandResponse::ephemeral("A message must be provided with the /echo command.");
    }
    match delay {
        None | Some(0) => CommandResponse::in_channel(text),
        Some(secs) if secs > MAX_ECHO_DELAY_SECS => CommandResponse::ephemeral(format!("Delays must be under {MAX_ECHO_DELAY_SECS} seconds.")),
        Some(secs) => {
            let (services, caller, channel_id) = (services.clone(), caller.clone(), ctx.channel.id.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(secs)).await;
                let post = NewPost { channel_id, message: text, ..NewPost::default() };
                if let Err(e) = services.posts().create_post(&caller, post).await {
                    tracing::warn!(error = %e, "a delayed /echo could not be posted");
                }
            });
            CommandResponse::default()
        }
    }
}

/// `/join ~name`: join a public channel of the team and go there.
async fn join(services: &Services, caller: &Caller, ctx: &Context<'_>, message: &str) -> CommandResponse {
    let name = message.split_whitespace().next().unwrap_or_default().trim_start_matches('~').to_lowercase();
    if name.is_empty() {
        return CommandResponse::ephemeral("Provide a channel to join: /join ~channel.");
    }
    let channel = match services.store().get_channel_by_name(&ctx.team.id, &name).await {
        Ok(channel) if channel.delete_at == 0 => channel,
        _ => return CommandResponse::ephemeral("We couldn't find the channel."),
    };
    let member = services.channels().is_channel_member(&channel.id, &ctx.user.id).await.unwrap_or(false);
    if !member {
        if !channel.is_public() {
            // A private channel's existence is for its members only.
            return CommandResponse::ephemeral("We couldn't find the channel.");
        }
        if let Err(e) = services.channels().add_channel_member(caller, &channel.id, &ctx.user.id).await {
            return CommandResponse::ephemeral(format!("An error occurred while joining the channel: {e}"));
        }
    }
    CommandResponse { goto_location: format!("{}/{}/channels/{}", ctx.site_url, ctx.team.name, channel.name), ..CommandResponse::default() }
}

/// `/leave`: leave the current channel and go to town-square.
async fn leave(services: &Services, caller: &Caller, ctx: &Context<'_>) -> CommandResponse {
    if matches!(ctx.channel.channel_type(), ChannelType::Direct | ChannelType::Group) {
        return CommandResponse::ephemeral("You can't leave a direct message channel.");
    }
    if ctx.channel.name == "town-square" {
        return CommandResponse::ephemeral("You can't leave town-square.");
    }
    if let Err(e) = services.channels().remove_channel_member(caller, &ctx.channel.id, &ctx.user.id).await {
        return CommandResponse::ephemeral(format!("An error occurred while leaving the channel: {e}"));
    }
    CommandResponse { goto_location: format!("{}/{}/channels/town-square", ctx.site_url, ctx.team.name), ..CommandResponse::default() }
}

/// `/help`: the built-ins, one a line.
fn help() -> CommandResponse {
    let lines: Vec<String> = BUILTINS.iter().map(|b| format!("- `/{} {}` {}", b.trigger, b.hint, b.desc).replace("  ", " ")).collect();
    CommandResponse::ephemeral(format!("Available commands:\n{}", lines.join("\n")))
}

/// `/header text` and `/purpose text`: patch the channel (which broadcasts
/// `channel_updated`).
async fn set_channel_text(services: &Services, caller: &Caller, ctx: &Context<'_>, which: &str, text: &str) -> CommandResponse {
    if text.is_empty() {
        return CommandResponse::ephemeral(format!("A message must be provided with the /{which} command."));
    }
    let direct = matches!(ctx.channel.channel_type(), ChannelType::Direct | ChannelType::Group);
    if which == "purpose" && direct {
        return CommandResponse::ephemeral("Unable to set purpose for direct message channels. Use /header to set the header instead.");
    }
    let patch = if which == "header" {
        ChannelPatch { header: Some(text.to_string()), ..ChannelPatch::default() }
    } else {
        ChannelPatch { purpose: Some(text.to_string()), ..ChannelPatch::default() }
    };
    match services.channels().patch_channel(caller, &ctx.channel.id, patch).await {
        Ok(_) => CommandResponse::default(),
        Err(e) => CommandResponse::ephemeral(format!("Could not update the channel {which}: {e}")),
    }
}

/// `/msg @user message`: open the direct channel, post the message there if any, go there.
async fn direct_message(services: &Services, caller: &Caller, ctx: &Context<'_>, message: &str) -> CommandResponse {
    let (target, text) = match message.split_once(char::is_whitespace) {
        Some((target, text)) => (target, text.trim()),
        None => (message, ""),
    };
    let username = target.trim_start_matches('@').to_lowercase();
    let other = match services.users().get_user_by_username(&username).await {
        Ok(user) if !username.is_empty() && user.delete_at == 0 => user,
        _ => return CommandResponse::ephemeral("We couldn't find the user."),
    };
    let channel = match services.channels().create_direct_channel(caller, &[ctx.user.id.clone(), other.id.clone()]).await {
        Ok((channel, _)) => channel,
        Err(e) => return CommandResponse::ephemeral(format!("We couldn't create the direct message channel: {e}")),
    };
    if !text.is_empty() {
        let post = NewPost { channel_id: channel.id.clone(), message: text.to_string(), ..NewPost::default() };
        if let Err(e) = services.posts().create_post(caller, post).await {
            return CommandResponse::ephemeral(format!("We couldn't send the message: {e}"));
        }
    }
    CommandResponse { goto_location: format!("{}/{}/messages/@{}", ctx.site_url, ctx.team.name, other.username), ..CommandResponse::default() }
}

/// `/away`, `/online`, `/offline`, `/dnd`: a manual status.
async fn set_status(services: &Services, caller: &Caller, ctx: &Context<'_>, status: &str) -> CommandResponse {
    if let Err(e) = services.statuses().set_status(caller, &ctx.user.id, status).await {
        return CommandResponse::ephemeral(format!("Could not change your status: {e}"));
    }
    CommandResponse::ephemeral(match status {
        "away" => "You are now away",
        "online" => "You are now online",
        "offline" => "You are now offline",
        _ => "Do Not Disturb is enabled. You will not receive desktop or mobile push notifications until Do Not Disturb is turned off.",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_is_listed_once_and_offered() {
        let commands = commands();
        let mut triggers: Vec<&str> = commands.iter().map(|c| c.trigger.as_str()).collect();
        triggers.dedup();
        assert_eq!(triggers.len(), BUILTINS.len());
        for required in ["echo", "me", "shrug", "join", "leave", "help", "header", "purpose", "msg", "away", "online"] {
            assert!(is_builtin(required), "{required}");
        }
        assert!(!is_builtin("weather"));
        assert!(commands.iter().all(|c| c.auto_complete && c.token.is_empty() && c.url.is_empty()));
    }

    #[test]
    fn help_lists_every_builtin() {
        let text = help().text;
        assert!(BUILTINS.iter().all(|b| text.contains(&format!("/{}", b.trigger))), "{text}");
    }
}
