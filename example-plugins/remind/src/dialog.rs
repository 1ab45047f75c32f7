//! `/remind list` as an interactive dialog: the caller's reminders listed, one picked in a select and completed or deleted; the submission comes back in process to `serve-http` at `/list`.

use confab_plugin::dialogs::{self, Dialog, Element, Submission};
use confab_plugin::{HttpRequest, HttpResponse, Post, Result, posts};

use crate::list;
use crate::store::{self, Reminder};

/// Where submissions go (this plugin's own route).
pub(crate) const PATH: &str = "/list";
/// The dialog's callback id, checked on submission.
const CALLBACK: &str = "remind-list";
/// Longest reminder text shown in the select.
const OPTION_CHARS: usize = 60;

/// The dialog listing `reminders` (not empty): the list as its introduction, a select
/// of them and the action.
fn build(reminders: &[Reminder], lines: &str) -> Dialog {
    let options: Vec<(String, String)> = reminders.iter().map(|r| (option_text(r), r.id.to_string())).collect();
    let options: Vec<(&str, &str)> = options.iter().map(|(text, value)| (text.as_str(), value.as_str())).collect();
    let mut action = Element::select("action", "Action", &[("Complete", "complete"), ("Delete", "delete")]).default_value("complete");
    action.kind = "radio".into();
    action.help_text = "Complete ends a one-time reminder; Delete ends any reminder, weekly ones too.".into();
    let mut dialog = Dialog::new(CALLBACK, "Your reminders").element(Element::select("reminder", "Reminder", &options)).element(action);
    dialog.introduction_text = lines.to_owned();
    dialog.submit_label = "Apply".into();
    dialog
}

/// What the select shows for a reminder: its text, cut to [`OPTION_CHARS`].
fn option_text(reminder: &Reminder) -> String {
    let what: String = reminder.what.chars().take(OPTION_CHARS).collect();
    if what.len() < reminder.what.len() { format!("{what}…") } else { what }
}

/// `/remind list`: opens the dialog with the command's trigger id and answers nothing
/// (`None`), or answers the list as text when there is nothing to pick from, no trigger
/// id (the command did not come from a user's client) or the dialog could not open.
pub(crate) fn open(user_id: &str, trigger_id: &str) -> Result<Option<String>> {
    let reminders = store::of_user(user_id)?;
    let text = list::render(&reminders)?;
    if reminders.is_empty() || trigger_id.is_empty() {
        return Ok(Some(text));
    }
    match dialogs::open(trigger_id, PATH, &build(&reminders, &text)) {
        Ok(()) => Ok(None),
        Err(e) => {
            confab_plugin::log::warn("/remind list: the dialog did not open; answering the list as text", &[("error", &e.to_string())]);
            Ok(Some(text))
        }
    }
}

/// A submission of the dialog: complete or delete the chosen reminder of the
/// submitter, then tell them in the channel they were in. A field error keeps the
/// dialog open.
pub(crate) fn submit(request: &HttpRequest) -> Result<HttpResponse> {
    // The server sets this header for the submitter; a client cannot.
    let Some(user_id) = request.user_id() else { return Ok(HttpResponse::error(401, "a submission needs a signed-in user")) };
    let submission = Submission::from_body(&request.body)?;
    if submission.cancelled || submission.callback_id != CALLBACK {
        return Ok(dialogs::accepted());
    }
    let chosen = submission.value("reminder").and_then(|id| id.parse::<u64>().ok());
    let Some(reminder) = chosen.map(store::get).transpose()?.flatten().filter(|r| r.user_id == user_id) else {
        return Ok(dialogs::errors(&[("reminder", "That reminder is gone; pick another.")]));
    };
    let done = match submission.value("action") {
        Some("complete") if reminder.recurring() => {
            return Ok(dialogs::errors(&[("action", "A weekly reminder is completed from its message each week; Delete stops it.")]));
        }
        Some("complete") => format!("~~{}~~ Completed.", reminder.what),
        Some("delete") => format!("Deleted the reminder \"{}\".", reminder.what),
        _ => return Ok(dialogs::errors(&[("action", "Pick Complete or Delete.")])),
    };
    store::remove(&reminder)?;
    if !submission.channel_id.is_empty() {
        posts::send_ephemeral(user_id, &Post::new(submission.channel_id.clone(), done))?;
    }
    Ok(dialogs::accepted())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoredWhen;

    fn reminder(id: u64, what: &str) -> Reminder {
        Reminder {
            id,
            user_id: "u".into(),
            creator_id: "u".into(),
            creator_name: "me".into(),
            what: what.into(),
            when: StoredWhen::In { ms: 1 },
            delivered: false,
        }
    }

    #[test]
    fn the_dialog_offers_each_reminder_and_both_actions() {
        let long = "x".repeat(70);
        let dialog = build(&[reminder(3, "stand up"), reminder(8, &long)], "Your reminders:\n1. ...");
        assert_eq!((dialog.callback_id.as_str(), dialog.title.as_str()), (CALLBACK, "Your reminders"));
        assert!(dialog.title.chars().count() <= 24, "Mattermost's limit");
        assert_eq!(dialog.introduction_text, "Your reminders:\n1. ...");
        let select = &dialog.elements[0];
        assert_eq!((select.name.as_str(), select.kind.as_str()), ("reminder", "select"));
        let values: Vec<&str> = select.options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(values, ["3", "8"]);
        assert_eq!(select.options[1].text, format!("{}…", "x".repeat(60)));
        let action = &dialog.elements[1];
        assert_eq!((action.name.as_str(), action.kind.as_str(), action.default.as_str()), ("action", "radio", "complete"));
        assert_eq!(action.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(), ["complete", "delete"]);
    }
}
