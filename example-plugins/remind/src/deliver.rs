//! A due reminder becomes a DM from the bot with Complete and Snooze buttons (plus Delete for a weekly one); the clicks come back in process to `serve-http` at `/action`, and the answer replaces the DM (a snoozed one keeps its Complete button).

use confab_plugin::scheduler::{self, Schedule};
use confab_plugin::{Error, HttpRequest, HttpResponse, JobRun, Post, Result, channels, posts};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::store::{self, Reminder};
use crate::when::format_utc;

/// The buttons' integration URL: the server hands clicks on it to this plugin.
const ACTION_URL: &str = "/plugins/com.confab.remind/action";

/// The snoozes offered, in minutes (Mattermost's remind offers these among others).
const SNOOZES: [(u64, &str); 2] = [(20, "Snooze 20 min"), (60, "Snooze 1 hour")];

/// Runs a reminder's job: the DM to its recipient. A reminder deleted since the job
/// was made has nothing to say.
pub(crate) fn fire(run: &JobRun, bot_id: &str) -> Result<()> {
    let Some(id) = store::id_of_job(&run.name) else { return Err(Error::InvalidInput(format!("no job {}", run.name))) };
    let Some(reminder) = store::get(id)? else { return Ok(()) };
    let dm = channels::get_direct(bot_id, &reminder.user_id)?;
    let text = headline(&reminder);
    let post = Post::new(dm.id, "").by(bot_id).with_props(&json!({ "attachments": [{ "fallback": text, "text": text, "actions": buttons(&reminder) }] }))?;
    if !reminder.recurring() && !reminder.delivered {
        store::mark_delivered(&reminder)?;
    }
    posts::create(&post)?;
    Ok(())
}

fn headline(reminder: &Reminder) -> String {
    if reminder.creator_id == reminder.user_id {
        format!("You asked me to remind you \"{}\".", reminder.what)
    } else {
        format!("@{} asked me to remind you \"{}\".", reminder.creator_name, reminder.what)
    }
}

fn button(id: &str, name: &str, context: Value) -> Value {
    json!({ "id": id, "name": name, "type": "button", "integration": { "url": ACTION_URL, "context": context } })
}

fn buttons(reminder: &Reminder) -> Vec<Value> {
    let id = reminder.id;
    let mut buttons = vec![button("complete", "Complete", json!({ "reminder": id, "action": "complete" }))];
    for (minutes, name) in SNOOZES {
        buttons.push(button(&format!("snooze{minutes}"), name, json!({ "reminder": id, "action": "snooze", "minutes": minutes })));
    }
    if reminder.recurring() {
        buttons.push(button("delete", "Delete", json!({ "reminder": id, "action": "delete" })));
    }
    buttons
}

/// What the server sends to the action URL (Mattermost's `PostActionIntegrationRequest`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Click {
    context: ClickContext,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClickContext {
    reminder: u64,
    action: String,
    minutes: u64,
}

/// The answer to a click: the DM replaced by what happened, without buttons.
fn settled(message: String) -> HttpResponse {
    HttpResponse::json(200, &json!({ "update": { "message": message, "props": {} } }))
}

/// A click on one of the DM's buttons.
pub(crate) fn act(request: &HttpRequest) -> Result<HttpResponse> {
    // The server sets this header for the clicking user; a client cannot.
    let Some(user_id) = request.user_id() else { return Ok(HttpResponse::error(401, "a click needs a signed-in user")) };
    let click: Click = request.json()?;
    let Some(reminder) = store::get(click.context.reminder)? else { return Ok(settled("This reminder was deleted.".to_owned())) };
    if reminder.user_id != user_id {
        return Ok(HttpResponse::json(200, &json!({ "ephemeral_text": "Only the person reminded can answer this reminder." })));
    }
    let what = &reminder.what;
    Ok(match click.context.action.as_str() {
        "complete" => {
            // A weekly reminder goes on; only this time is done.
            if !reminder.recurring() {
                store::remove(&reminder)?;
            }
            settled(format!("~~{what}~~ Completed."))
        }
        "snooze" if SNOOZES.iter().any(|(m, _)| *m == click.context.minutes) => {
            let job = scheduler::schedule(&store::snooze_job_name(reminder.id), Schedule::After(click.context.minutes * 60_000), b"")?;
            // Complete stays: done early is still done.
            let text = format!("Snoozed \"{what}\" until {}.", format_utc(job.next_run_at));
            let complete = button("complete", "Complete", json!({ "reminder": reminder.id, "action": "complete" }));
            HttpResponse::json(
                200,
                &json!({ "update": { "message": "", "props": { "attachments": [{ "fallback": text, "text": text, "actions": [complete] }] } } }),
            )
        }
        "delete" => {
            store::remove(&reminder)?;
            settled(format!("Deleted the reminder \"{what}\"."))
        }
        _ => HttpResponse::error(400, "unknown action"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoredWhen;

    fn reminder(when: StoredWhen, creator: &str) -> Reminder {
        Reminder { id: 9, user_id: "u".into(), creator_id: creator.into(), creator_name: "ann".into(), what: "stand up".into(), when, delivered: false }
    }

    #[test]
    fn the_dm_names_who_asked() {
        assert_eq!(headline(&reminder(StoredWhen::In { ms: 1 }, "u")), "You asked me to remind you \"stand up\".");
        assert_eq!(headline(&reminder(StoredWhen::In { ms: 1 }, "a")), "@ann asked me to remind you \"stand up\".");
    }

    #[test]
    fn weekly_reminders_can_also_be_deleted() {
        let names = |r: &Reminder| buttons(r).iter().map(|b| b["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
        assert_eq!(names(&reminder(StoredWhen::In { ms: 1 }, "u")), ["Complete", "Snooze 20 min", "Snooze 1 hour"]);
        assert_eq!(names(&reminder(StoredWhen::Every { weekday: 1, hour: 9, minute: 0 }, "u")), ["Complete", "Snooze 20 min", "Snooze 1 hour", "Delete"]);
        assert_eq!(buttons(&reminder(StoredWhen::In { ms: 1 }, "u"))[1]["integration"]["context"], json!({ "reminder": 9, "action": "snooze", "minutes": 20 }));
    }
}
