//! When a job runs: a schedule as stored (`JobSpec`), its first run, the next run of a recurring job after a run (skipping the ones missed while the server was down), and the stored row as the plugin sees it.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use confab_host::types::{Job, JobSchedule};
use croner::Cron;

use crate::store::{JobSpec, StoredJob};

/// The stored form of `schedule`, after checking it: an interval of at least
/// `min_interval_ms`, a cron expression that parses.
pub(super) fn spec(schedule: &JobSchedule, min_interval_ms: i64) -> Result<JobSpec, String> {
    let plain = |kind, value| Ok(JobSpec { kind, value, cron: String::new() });
    match schedule {
        JobSchedule::At(at) => plain("at", *at),
        JobSchedule::After(ms) => plain("after", i64::try_from(*ms).map_err(|_| "the delay is too long".to_string())?),
        JobSchedule::Every(ms) => {
            let ms = i64::try_from(*ms).unwrap_or(i64::MAX);
            if ms < min_interval_ms {
                return Err(format!("a recurring job runs at most every {min_interval_ms} ms, not every {ms} ms"));
            }
            plain("every", ms)
        }
        JobSchedule::Cron(expr) => {
            parse_cron(expr)?;
            Ok(JobSpec { kind: "cron", value: 0, cron: expr.trim().to_string() })
        }
    }
}

fn parse_cron(expr: &str) -> Result<Cron, String> {
    if expr.len() > 200 {
        return Err("cron expressions are at most 200 characters".into());
    }
    Cron::from_str(expr).map_err(|e| format!("invalid cron expression `{expr}`: {e}"))
}

/// The first time an `at` time or `after` delay from `now` names, or the first cron
/// occurrence or interval after `now`.
pub(super) fn first_run(schedule: &JobSchedule, now: i64) -> Result<i64, String> {
    match schedule {
        JobSchedule::At(at) => Ok(*at),
        JobSchedule::After(ms) => Ok(now.saturating_add(i64::try_from(*ms).unwrap_or(i64::MAX))),
        JobSchedule::Every(ms) => Ok(now.saturating_add(i64::try_from(*ms).unwrap_or(i64::MAX))),
        JobSchedule::Cron(expr) => cron_after(&parse_cron(expr)?, now),
    }
}

/// The first occurrence of `cron` strictly after `after` (ms).
fn cron_after(cron: &Cron, after: i64) -> Result<i64, String> {
    let start: DateTime<Utc> = DateTime::from_timestamp_millis(after).ok_or_else(|| format!("{after} is not a representable time"))?;
    cron.find_next_occurrence(&start, false).map(|t| t.timestamp_millis()).map_err(|e| format!("the cron expression never fires again: {e}"))
}

/// When a recurring job runs next after the run that was due at `due_at` and started
/// at `now`; `None` for a one-shot job (or a cron expression that never fires again).
/// Runs missed meanwhile (the server was down, the run was late) are skipped, not
/// caught up: an interval keeps its phase, a cron expression its next occurrence.
pub fn next_run_after(job: &StoredJob, now: i64) -> Option<i64> {
    match job.kind.as_str() {
        "every" if job.value > 0 => {
            let missed = (now - job.due_at).max(0) / job.value;
            Some(job.due_at.saturating_add(job.value.saturating_mul(missed + 1)))
        }
        "cron" => cron_after(&parse_cron(&job.cron).ok()?, now.max(job.due_at)).ok(),
        _ => None,
    }
}

/// The stored row as the plugin's `job` record.
pub(super) fn to_plugin(stored: StoredJob) -> Result<Job, String> {
    let schedule = match stored.kind.as_str() {
        "at" => JobSchedule::At(stored.value),
        "after" => JobSchedule::After(u64::try_from(stored.value).unwrap_or(0)),
        "every" => JobSchedule::Every(u64::try_from(stored.value).unwrap_or(0)),
        "cron" => JobSchedule::Cron(stored.cron),
        other => return Err(format!("job {} has an unknown kind `{other}`", stored.id)),
    };
    Ok(Job { name: stored.name, schedule, payload: stored.payload, next_run_at: stored.next_run_at, runs: u64::try_from(stored.runs).unwrap_or(0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(kind: &str, value: i64, cron: &str, due_at: i64) -> StoredJob {
        StoredJob {
            id: "j".into(),
            plugin_id: "p".into(),
            name: "n".into(),
            kind: kind.into(),
            value,
            cron: cron.into(),
            payload: Vec::new(),
            next_run_at: 0,
            due_at,
            claim_token: String::new(),
            runs: 0,
        }
    }

    #[test]
    fn intervals_below_the_minimum_and_bad_cron_are_refused() {
        assert!(spec(&JobSchedule::Every(999), 1000).is_err());
        assert_eq!(spec(&JobSchedule::Every(1000), 1000).unwrap().value, 1000);
        assert!(spec(&JobSchedule::Cron("61 * * * *".into()), 1000).is_err());
        assert!(spec(&JobSchedule::Cron("not cron".into()), 1000).is_err());
        assert_eq!(spec(&JobSchedule::Cron(" 30 9 * * MON-FRI ".into()), 1000).unwrap().cron, "30 9 * * MON-FRI");
    }

    #[test]
    fn first_runs() {
        assert_eq!(first_run(&JobSchedule::At(5), 100).unwrap(), 5);
        assert_eq!(first_run(&JobSchedule::After(50), 100).unwrap(), 150);
        assert_eq!(first_run(&JobSchedule::Every(1000), 100).unwrap(), 1100);
        // 2026-01-01T00:00:00Z, then every minute at second 0.
        let midnight = 1_767_225_600_000;
        assert_eq!(first_run(&JobSchedule::Cron("* * * * *".into()), midnight).unwrap(), midnight + 60_000);
        assert_eq!(first_run(&JobSchedule::Cron("*/5 * * * * *".into()), midnight + 1).unwrap(), midnight + 5_000);
    }

    #[test]
    fn missed_runs_are_skipped_keeping_the_phase() {
        // Due at 1000, every 1000 ms, started on time: next at 2000.
        assert_eq!(next_run_after(&stored("every", 1000, "", 1000), 1000), Some(2000));
        // Started 5.5 intervals late (the server was down): one run now, the next on the phase.
        assert_eq!(next_run_after(&stored("every", 1000, "", 1000), 6500), Some(7000));
        assert_eq!(next_run_after(&stored("at", 1000, "", 1000), 6500), None);
        assert_eq!(next_run_after(&stored("after", 1000, "", 1000), 6500), None);
        let midnight = 1_767_225_600_000;
        assert_eq!(next_run_after(&stored("cron", 0, "0 * * * *", midnight), midnight + 3 * 3_600_000 + 5), Some(midnight + 4 * 3_600_000));
    }

    #[test]
    fn stored_rows_become_plugin_records() {
        let job = to_plugin(stored("after", 250, "", 0)).unwrap();
        assert_eq!(job.schedule, JobSchedule::After(250));
        assert!(to_plugin(stored("weekly", 1, "", 0)).is_err());
    }
}
