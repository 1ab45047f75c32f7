//! `/remind list`'s text: the caller's reminders with when each fires next (or that it fired and waits for Complete); `dialog.rs` shows it in a dialog.

use confab_plugin::{Result, scheduler};

use crate::store::{self, Reminder};
use crate::when::{describe, format_utc};

/// Where a reminder stands, from its jobs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum State {
    /// Its job fires at this time.
    Scheduled(i64),
    /// Snoozed until this time.
    Snoozed(i64),
    /// Delivered; its DM waits for Complete or Snooze.
    Delivered,
}

/// A user's reminders as a numbered markdown list (the text answer, and the dialog's
/// introduction).
pub(crate) fn render(reminders: &[Reminder]) -> Result<String> {
    if reminders.is_empty() {
        return Ok("You have no reminders. Set one with `/remind me \"what\" in 10 minutes`.".to_owned());
    }
    let mut lines = vec!["Your reminders:".to_owned()];
    for (i, reminder) in reminders.iter().enumerate() {
        lines.push(format!("{}. {}", i + 1, line(reminder, &state(reminder)?)));
    }
    Ok(lines.join("\n"))
}

fn state(reminder: &Reminder) -> Result<State> {
    if let Some(job) = scheduler::get(&store::snooze_job_name(reminder.id))? {
        return Ok(State::Snoozed(job.next_run_at));
    }
    if reminder.delivered {
        return Ok(State::Delivered);
    }
    Ok(match scheduler::get(&store::job_name(reminder.id))? {
        Some(job) => State::Scheduled(job.next_run_at),
        None => State::Delivered,
    })
}

/// One reminder's line.
pub(crate) fn line(reminder: &Reminder, state: &State) -> String {
    let when = match state {
        State::Scheduled(at) => describe(reminder.when.into(), *at),
        State::Snoozed(until) => format!("snoozed until {}", format_utc(*until)),
        State::Delivered => "delivered, waiting for Complete".to_owned(),
    };
    let by = if reminder.creator_id == reminder.user_id { String::new() } else { format!(" (from @{})", reminder.creator_name) };
    format!("\"{}\" {when}{by}", reminder.what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoredWhen;

    #[test]
    fn lines_say_when_and_from_whom() {
        let mine = Reminder {
            id: 1,
            user_id: "u".into(),
            creator_id: "u".into(),
            creator_name: "me".into(),
            what: "a".into(),
            when: StoredWhen::In { ms: 1 },
            delivered: false,
        };
        assert_eq!(line(&mine, &State::Scheduled(0)), "\"a\" at 1970-01-01 00:00 UTC");
        assert_eq!(line(&mine, &State::Snoozed(60_000)), "\"a\" snoozed until 1970-01-01 00:01 UTC");
        let weekly = Reminder { creator_id: "x".into(), creator_name: "ann".into(), when: StoredWhen::Every { weekday: 5, hour: 9, minute: 0 }, ..mine };
        assert_eq!(line(&weekly, &State::Scheduled(0)), "\"a\" every Friday at 09:00 UTC (from @ann)");
        assert_eq!(line(&weekly, &State::Delivered), "\"a\" delivered, waiting for Complete (from @ann)");
    }
}
