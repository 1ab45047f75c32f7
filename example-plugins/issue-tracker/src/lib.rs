//! The `issue-tracker` example plugin: `/issue subscribe owner/repo` makes a channel receive the tracker's new issues (its webhook reaches `serve-http`), `/issue create <title>` opens an issue through the tracker's REST API (`http-outbound`) and answers with its link.

mod subscriptions;
mod tracker;
mod webhook;

use std::sync::OnceLock;

use confab_plugin::commands::{self, Command};
use confab_plugin::prelude::*;
use confab_plugin::{bots, config, log};
use serde::Deserialize;

const TRIGGER: &str = "issue";
const BOT_USERNAME: &str = "issues";
/// Where the tracker delivers its webhooks, below `/plugins/<id>`.
const WEBHOOK_PATH: &str = "/webhook";
const PLUGIN_ID: &str = "com.confab.issue-tracker";
const USAGE: &str = "Usage: `/issue subscribe owner/repo`, `/issue unsubscribe`, `/issue create <title>`.";

/// The admin's settings (schema defaults filled in by the host).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Settings {
    pub api_url: String,
    pub api_token: String,
    pub webhook_secret: String,
}

fn settings() -> Result<Settings> {
    config::settings()
}

#[derive(Default)]
struct IssueTracker {
    /// The bot's user id, once looked up (per instance; `ensure_bot` is idempotent).
    bot: OnceLock<String>,
}

impl IssueTracker {
    fn bot_id(&self) -> Result<String> {
        if let Some(id) = self.bot.get() {
            return Ok(id.clone());
        }
        let id = bots::ensure_bot(BOT_USERNAME, "Issues", "Posts new issues of the repositories a channel subscribed to with /issue.")?;
        Ok(self.bot.get_or_init(|| id).clone())
    }

    fn command(&self, args: &CommandArgs) -> Result<CommandResponse> {
        let line = args.command.trim_start().strip_prefix('/').and_then(|c| c.strip_prefix(TRIGGER)).unwrap_or_default();
        let (verb, rest) = line.trim().split_once(char::is_whitespace).unwrap_or((line.trim(), ""));
        let text = match verb {
            "subscribe" => subscriptions::subscribe(&args.channel_id, rest.trim(), &webhook_url(&args.site_url))?,
            "unsubscribe" => subscriptions::unsubscribe(&args.channel_id)?,
            "create" => tracker::create_from_command(&settings()?, &args.channel_id, rest.trim())?,
            _ => USAGE.to_string(),
        };
        Ok(CommandResponse::ephemeral(text))
    }
}

/// The URL to give the tracker, absolute when the server knows its site URL.
fn webhook_url(site_url: &str) -> String {
    format!("{}/plugins/{PLUGIN_ID}{WEBHOOK_PATH}", site_url.trim_end_matches('/'))
}

#[plugin]
impl Plugin for IssueTracker {
    fn activate(&self) -> Result<(), String> {
        commands::register(
            &Command::new(TRIGGER, "Subscribe this channel to a tracker's new issues, or create an issue")
                .hint("subscribe owner/repo | unsubscribe | create <title>"),
        )
        .map_err(|e| e.to_string())
    }

    fn execute_command(&self, _ctx: &PluginContext, args: CommandArgs) -> Result<CommandResponse, String> {
        self.command(&args).map_err(|e| {
            log::error("/issue failed", &[("error", &e.to_string())]);
            e.to_string()
        })
    }

    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        match (request.method.as_str(), request.path.trim_end_matches('/')) {
            ("POST", WEBHOOK_PATH) => match settings() {
                Ok(settings) => webhook::deliver(&settings, &request, || self.bot_id()),
                Err(e) => HttpResponse::error(500, &e.to_string()),
            },
            (_, WEBHOOK_PATH) => HttpResponse::error(405, "only POST is supported"),
            _ => HttpResponse::not_found(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_webhook_url_is_absolute_when_the_site_url_is_known() {
        assert_eq!(webhook_url("https://chat.example.com/"), "https://chat.example.com/plugins/com.confab.issue-tracker/webhook");
        assert_eq!(webhook_url(""), "/plugins/com.confab.issue-tracker/webhook");
    }
}
