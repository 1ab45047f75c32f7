//! The `todo` example plugin: a todo list per user (`/todo add|list|pop`), `/todo send @user <text>` putting an item on someone else's list with a DM from the `@todo` bot, and a daily summary DM sent by a scheduled job.

mod command;
mod list;
mod summary;

use std::sync::OnceLock;

use confab_plugin::commands::{self, Command};
use confab_plugin::prelude::*;
use confab_plugin::{Error, bots, channels, config, log, posts, users};
use serde::Deserialize;

use command::{Request, USAGE};
use list::Item;

const TRIGGER: &str = "todo";
const BOT_USERNAME: &str = "todo";

/// The admin's settings (schema defaults filled in by the host).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Settings {
    summary_schedule: String,
}

#[derive(Default)]
struct Todo {
    /// The bot's user id, once looked up (per instance; `ensure_bot` is idempotent).
    bot: OnceLock<String>,
}

impl Todo {
    fn bot_id(&self) -> Result<String> {
        if let Some(id) = self.bot.get() {
            return Ok(id.clone());
        }
        let id = bots::ensure_bot(BOT_USERNAME, "Todo", "Keeps your todo list; sends the items others give you and a daily summary.")?;
        Ok(self.bot.get_or_init(|| id).clone())
    }

    fn command(&self, args: &CommandArgs) -> Result<String> {
        let user = &args.user_id;
        Ok(match command::parse(&args.command) {
            Request::Add(text) => add(user, Item { text: text.to_owned(), from: None })?,
            Request::List => match list::items(user)? {
                items if items.is_empty() => "Your todo list is empty. Add one with `/todo add <text>`.".to_owned(),
                items => format!("Your todo list:\n{}", list::render(&items)),
            },
            Request::Pop => match list::pop(user)? {
                Some(item) => format!("Removed the top todo: {}", item.text),
                None => "Your todo list is empty: there is nothing to pop.".to_owned(),
            },
            Request::Send { username, text } => self.send(user, username, text)?,
            Request::Summary(None) => summary::describe(user)?,
            Request::Summary(Some(on)) => {
                list::set_wants_summary(user, on)?;
                format!("Your daily summary is now {}.", if on { "on" } else { "off" })
            }
            Request::Help(problem) => format!("{problem} {USAGE}").trim_start().to_owned(),
        })
    }

    /// `/todo send`: the item goes on `username`'s list, and the bot tells them in a DM.
    fn send(&self, sender_id: &str, username: &str, text: &str) -> Result<String> {
        let recipient = match users::get_by_username(username) {
            Ok(user) if !user.is_bot => user,
            Ok(_) | Err(Error::NotFound) => return Ok(format!("There is no user @{username} to send a todo to.")),
            Err(e) => return Err(e),
        };
        if recipient.id == sender_id {
            return add(sender_id, Item { text: text.to_owned(), from: None });
        }
        let sender = users::get(sender_id)?;
        if !list::push(&recipient.id, Item { text: text.to_owned(), from: Some(sender.username.clone()) })? {
            return Ok(format!("@{username}'s todo list is full ({} items).", list::MAX_ITEMS));
        }
        let bot = self.bot_id()?;
        let dm = channels::get_direct(&bot, &recipient.id)?;
        let message = format!("@{} sent you a todo: {text}\nSee your list with `/todo list`.", sender.username);
        posts::create(&Post::new(dm.id, message).by(bot))?;
        Ok(format!("Sent to @{username}: {text}"))
    }
}

fn add(user_id: &str, item: Item) -> Result<String> {
    let text = item.text.clone();
    if !list::push(user_id, item)? {
        return Ok(format!("Your todo list is full ({} items): pop one first.", list::MAX_ITEMS));
    }
    Ok(format!("Added todo: {text}"))
}

fn sync_summary_job() -> Result<(), String> {
    let settings: Settings = config::settings().map_err(|e| e.to_string())?;
    summary::ensure_job(&settings.summary_schedule).map_err(|e| format!("scheduling the daily summary: {e}"))
}

#[plugin]
impl Plugin for Todo {
    fn activate(&self) -> Result<(), String> {
        commands::register(&Command::new(TRIGGER, "Your todo list").hint("add <text> | list | pop | send @user <text> | settings"))
            .map_err(|e| e.to_string())?;
        sync_summary_job()
    }

    fn configuration_changed(&self) -> Result<(), String> {
        sync_summary_job()
    }

    fn execute_command(&self, _ctx: &PluginContext, args: CommandArgs) -> Result<CommandResponse, String> {
        self.command(&args).map(CommandResponse::ephemeral).map_err(|e| {
            log::error("/todo failed", &[("error", &e.to_string())]);
            e.to_string()
        })
    }

    fn run_job(&self, run: JobRun) -> Result<(), String> {
        if run.name != summary::JOB {
            return Err(format!("no job {}", run.name));
        }
        let bot = self.bot_id().map_err(|e| e.to_string())?;
        summary::run(&run, &bot).map_err(|e| e.to_string())
    }
}
