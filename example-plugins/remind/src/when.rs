//! Turning a parsed time into a scheduler schedule (UTC), and times into words.

use confab_plugin::scheduler::Schedule;

use crate::parse::{When, weekday_name};

const DAY_MS: i64 = 86_400_000;

/// The schedule for `when`, counted from `now_ms`.
pub(crate) fn schedule(when: When, now_ms: i64) -> Schedule {
    match when {
        When::In(ms) => Schedule::At(now_ms.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX))),
        When::At { hour, minute } => Schedule::At(next_clock_time(now_ms, hour, minute)),
        When::Every { weekday, hour, minute } => Schedule::Cron(format!("{minute} {hour} * * {weekday}")),
    }
}

/// The first moment after `now_ms` at which the UTC clock shows `hour:minute`.
pub(crate) fn next_clock_time(now_ms: i64, hour: u8, minute: u8) -> i64 {
    let midnight = now_ms.div_euclid(DAY_MS) * DAY_MS;
    let today = midnight + (i64::from(hour) * 60 + i64::from(minute)) * 60_000;
    if today > now_ms { today } else { today + DAY_MS }
}

/// `every Monday at 08:05 UTC` for a weekly reminder, else the calendar time.
pub(crate) fn describe(when: When, next_run_at: i64) -> String {
    match when {
        When::Every { weekday, hour, minute } => format!("every {} at {hour:02}:{minute:02} UTC", weekday_name(weekday)),
        When::In(_) | When::At { .. } => format!("at {}", format_utc(next_run_at)),
    }
}

/// `2026-12-07 09:00 UTC` from milliseconds since the epoch.
pub(crate) fn format_utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(|| format!("{ms} ms after the epoch"), |at| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-06 09:00 UTC, a Sunday.
    const SUNDAY_9AM: i64 = 1_796_547_600_000;

    #[test]
    fn clock_times_are_today_if_still_ahead_else_tomorrow() {
        assert_eq!(format_utc(next_clock_time(SUNDAY_9AM, 9, 30)), "2026-12-06 09:30 UTC");
        assert_eq!(format_utc(next_clock_time(SUNDAY_9AM, 9, 0)), "2026-12-07 09:00 UTC", "now is not ahead");
        assert_eq!(format_utc(next_clock_time(SUNDAY_9AM, 8, 0)), "2026-12-07 08:00 UTC");
    }

    #[test]
    fn schedules() {
        assert!(matches!(schedule(When::In(3000), SUNDAY_9AM), Schedule::At(t) if t == SUNDAY_9AM + 3000));
        assert!(matches!(schedule(When::Every { weekday: 1, hour: 8, minute: 5 }, 0), Schedule::Cron(c) if c == "5 8 * * 1"));
        assert_eq!(describe(When::Every { weekday: 1, hour: 8, minute: 5 }, 0), "every Monday at 08:05 UTC");
        assert_eq!(describe(When::In(1), SUNDAY_9AM), "at 2026-12-06 09:00 UTC");
    }

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_827_696_000), "2000-02-29 12:34 UTC");
    }
}
