//! The `remind` example plugin: `/remind me|@user "what" in N minutes | at HH:MM | every <weekday>` sets a reminder kept in KV and fired by a scheduled job (so it survives restarts) as a bot DM with Complete and Snooze buttons routed back to the plugin; `/remind list` opens a dialog of your reminders to complete or delete one.

mod deliver;
mod dialog;
mod list;
mod parse;
mod store;
mod when;

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use confab_plugin::commands::{self, Command};
use confab_plugin::prelude::*;
use confab_plugin::{bots, log, scheduler, users};

use parse::{Request, Target};
use store::Reminder;

const TRIGGER: &str = "remind";
const BOT_USERNAME: &str = "remindbot";

#[derive(Default)]
struct Remind {
    /// The bot's user id, once looked up (per instance; `ensure_bot` is idempotent).
    bot: OnceLock<String>,
}

/// Now, in ms since the epoch (the host's wall clock through WASI).
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Remind {
    fn bot_id(&self) -> Result<String> {
        if let Some(id) = self.bot.get() {
            return Ok(id.clone());
        }
        let id = bots::ensure_bot(BOT_USERNAME, "Remind", "Sends the reminders set with /remind.")?;
        Ok(self.bot.get_or_init(|| id).clone())
    }

    /// The command's text answer; `None` when it answered with a dialog instead.
    fn command(&self, args: &CommandArgs) -> Result<Option<String>> {
        match parse::parse(&args.command) {
            Request::Set { target, what, when } => set(&args.user_id, target, what, when).map(Some),
            Request::List => dialog::open(&args.user_id, &args.trigger_id),
            Request::Help(text) => Ok(Some(text)),
        }
    }
}

/// `/remind <who> <what> <when>`: store the reminder, then schedule its job; a job
/// the scheduler refuses (the plugin's quota) takes the reminder back out.
fn set(caller_id: &str, target: Target, what: String, when: parse::When) -> Result<String> {
    let caller = users::get(caller_id)?;
    let recipient = match &target {
        Target::Me => caller.clone(),
        Target::User(name) => match users::get_by_username(name) {
            Ok(user) if !user.is_bot => user,
            Ok(_) | Err(Error::NotFound) => return Ok(format!("There is no user @{name} to remind.")),
            Err(e) => return Err(e),
        },
    };
    if store::of_user(&recipient.id)?.len() >= store::MAX_PER_USER {
        return Ok(format!("@{} already has {} reminders; complete some first.", recipient.username, store::MAX_PER_USER));
    }
    let reminder = Reminder {
        id: store::next_id()?,
        user_id: recipient.id.clone(),
        creator_id: caller.id.clone(),
        creator_name: caller.username.clone(),
        what,
        when: when.into(),
        delivered: false,
    };
    store::insert(&reminder)?;
    let job = match scheduler::schedule(&store::job_name(reminder.id), when::schedule(when, now_ms()), b"") {
        Ok(job) => job,
        Err(e) => {
            store::remove(&reminder)?;
            return Ok(format!("The reminder could not be scheduled: {e}"));
        }
    };
    let whom = if recipient.id == caller.id { "you".to_owned() } else { format!("@{}", recipient.username) };
    Ok(format!("I will remind {whom} \"{}\" {}.", reminder.what, when::describe(when, job.next_run_at)))
}

#[plugin]
impl Plugin for Remind {
    fn activate(&self) -> Result<(), String> {
        commands::register(
            &Command::new(TRIGGER, "Set a reminder for yourself or someone else").hint("me|@user \"what\" in 10 minutes | at 14:30 | every monday, or list"),
        )
        .map_err(|e| e.to_string())
    }

    fn execute_command(&self, _ctx: &PluginContext, args: CommandArgs) -> Result<CommandResponse, String> {
        // An empty ephemeral answer shows nothing: the dialog is the answer.
        self.command(&args).map(|text| CommandResponse::ephemeral(text.unwrap_or_default())).map_err(|e| {
            log::error("/remind failed", &[("error", &e.to_string())]);
            e.to_string()
        })
    }

    fn run_job(&self, run: JobRun) -> Result<(), String> {
        let bot = self.bot_id().map_err(|e| e.to_string())?;
        deliver::fire(&run, &bot).map_err(|e| e.to_string())
    }

    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        match (request.method.as_str(), request.path.trim_end_matches('/')) {
            ("POST", "/action") => deliver::act(&request).unwrap_or_else(|e| HttpResponse::error(500, &e.to_string())),
            ("POST", dialog::PATH) => dialog::submit(&request).unwrap_or_else(|e| HttpResponse::error(500, &e.to_string())),
            (_, "/action" | dialog::PATH) => HttpResponse::error(405, "only POST is supported"),
            _ => HttpResponse::not_found(),
        }
    }
}
