//! The daily summary: one recurring job (`daily-summary`, a cron in UTC from the settings) whose run sends every user with open items their list as a DM from the bot.

use confab_plugin::scheduler::{self, Schedule};
use confab_plugin::{JobRun, Post};
use confab_plugin::{Result, channels, log, posts};

use crate::list;

/// The job's name.
pub(crate) const JOB: &str = "daily-summary";

/// Makes the job match the `summary_schedule` setting: scheduled when it names a cron,
/// cancelled when it is empty. The job is only written when it differs, since this
/// runs on every new instance.
pub(crate) fn ensure_job(cron: &str) -> Result<()> {
    let cron = cron.trim();
    if cron.is_empty() {
        scheduler::cancel(JOB)?;
        return Ok(());
    }
    let current = scheduler::get(JOB)?;
    if current.is_some_and(|job| matches!(&job.schedule, Schedule::Cron(c) if c == cron)) {
        return Ok(());
    }
    scheduler::schedule(JOB, Schedule::Cron(cron.to_owned()), b"")?;
    Ok(())
}

/// What `/todo settings` says about the summary.
pub(crate) fn describe(user_id: &str) -> Result<String> {
    let mine = if list::wants_summary(user_id)? { "on" } else { "off" };
    Ok(match scheduler::get(JOB)? {
        Some(job) => {
            let cron = match &job.schedule {
                Schedule::Cron(c) => c.as_str(),
                _ => "",
            };
            format!("Daily summary: {mine} for you. It is sent at `{cron}` (cron, UTC); next on {}.", format_utc(job.next_run_at))
        }
        None => format!("Daily summary: {mine} for you, but the administrator has turned summaries off."),
    })
}

/// The job's run: a DM to each user with items who has not opted out. One user's
/// failure is logged and does not keep the others from their summary.
pub(crate) fn run(run: &JobRun, bot_id: &str) -> Result<()> {
    let mut sent = 0;
    for user_id in list::owners()? {
        match send_one(&user_id, bot_id) {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(e) => log::warn("todo summary not sent", &[("user_id", &user_id), ("error", &e.to_string())]),
        }
    }
    log::info("todo summaries sent", &[("count", &sent.to_string()), ("due_at", &run.due_at.to_string())]);
    Ok(())
}

fn send_one(user_id: &str, bot_id: &str) -> Result<bool> {
    let items = list::items(user_id)?;
    if items.is_empty() || !list::wants_summary(user_id)? {
        return Ok(false);
    }
    let dm = channels::get_direct(bot_id, user_id)?;
    let noun = if items.len() == 1 { "todo" } else { "todos" };
    let message = format!("#### Daily todo summary\nYou have {} {noun}:\n{}", items.len(), list::render(&items));
    posts::create(&Post::new(dm.id, message).by(bot_id))?;
    Ok(true)
}

/// `2026-12-07 09:00 UTC` from milliseconds since the epoch.
pub(crate) fn format_utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(|| format!("{ms} ms after the epoch"), |at| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_are_formatted_as_calendar_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        // 2000-02-29 (a leap day of a century leap year) 12:34:56.
        assert_eq!(format_utc(951_827_696_000), "2000-02-29 12:34 UTC");
        assert_eq!(format_utc(1_796_547_600_000), "2026-12-06 09:00 UTC");
        assert_eq!(format_utc(-1000), "1969-12-31 23:59 UTC");
    }
}
