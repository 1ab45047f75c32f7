//! The run guard: a job name runs at most about once per minimum interval however often it is rescheduled, and a plugin starts at most `runs_per_second` runs (after a burst), so a job rescheduling itself every millisecond, or a chain of fresh names, is slowed to a trickle instead of taking the server.
//!
//! In memory, per server: it bounds what this node starts. A run held back is not
//! lost: the runner gives its claim back due at the time the guard names.

use std::collections::HashMap;

use super::JobSettings;

/// A plugin's run budget: a token bucket refilled at `runs_per_second`.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    /// When `tokens` was last brought up to date (ms).
    at: i64,
}

/// Decides whether a due run may start now.
#[derive(Debug)]
pub struct RunGuard {
    min_gap_ms: i64,
    rate_per_ms: f64,
    burst: f64,
    /// (plugin, job name) → (when its last run was due, when it started) (ms).
    last: HashMap<(String, String), (i64, i64)>,
    buckets: HashMap<String, Bucket>,
}

/// Entries older than this many minimum gaps are forgotten when the map is pruned.
const PRUNE_AFTER_GAPS: i64 = 4;
/// Prune `last_start` once it holds this many names.
const PRUNE_AT: usize = 10_000;

impl RunGuard {
    pub(crate) fn new(settings: &JobSettings) -> RunGuard {
        RunGuard {
            min_gap_ms: settings.min_interval_ms.max(0),
            rate_per_ms: f64::from(settings.runs_per_second.max(1)) / 1000.0,
            burst: f64::from(settings.run_burst.max(1)),
            last: HashMap::new(),
            buckets: HashMap::new(),
        }
    }

    /// Whether the run of `name` due at `due` may start at `now`: `None` to start it
    /// (it is recorded), `Some(t)` to hold it back until `t` (ms).
    ///
    /// A name's runs must be due a minimum interval apart, measured between due times
    /// so an `every` job keeps its phase whatever its runs' latency; and they must start
    /// at least nine tenths of it apart, so a job rescheduled again and again at a time
    /// in the past cannot slip through on its due times alone.
    pub fn admit(&mut self, plugin_id: &str, name: &str, due: i64, now: i64) -> Option<i64> {
        let key = (plugin_id.to_string(), name.to_string());
        if let Some(&(last_due, last_start)) = self.last.get(&key) {
            let due_ok = last_due + self.min_gap_ms;
            let start_ok = last_start + self.min_gap_ms * 9 / 10;
            if due < due_ok || now < start_ok {
                return Some(due_ok.max(start_ok));
            }
        }
        let bucket = self.buckets.entry(plugin_id.to_string()).or_insert(Bucket { tokens: self.burst, at: now });
        bucket.tokens = (bucket.tokens + (now - bucket.at).max(0) as f64 * self.rate_per_ms).min(self.burst);
        bucket.at = now;
        if bucket.tokens < 1.0 {
            let wait = ((1.0 - bucket.tokens) / self.rate_per_ms).ceil() as i64;
            return Some(now + wait.max(1));
        }
        bucket.tokens -= 1.0;
        if self.last.len() >= PRUNE_AT {
            let horizon = now - self.min_gap_ms * PRUNE_AFTER_GAPS;
            self.last.retain(|_, (_, started)| *started > horizon);
        }
        self.last.insert(key, (due, now));
        None
    }

    /// Forget a plugin (it was removed).
    pub fn forget(&mut self, plugin_id: &str) {
        self.buckets.remove(plugin_id);
        self.last.retain(|(plugin, _), _| plugin != plugin_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(rate: u32, burst: u32) -> RunGuard {
        RunGuard::new(&JobSettings { runs_per_second: rate, run_burst: burst, min_interval_ms: 1000, ..JobSettings::default() })
    }

    #[test]
    fn one_name_runs_at_most_once_per_gap() {
        let mut g = guard(1000, 1000);
        assert_eq!(g.admit("p", "spin", 10_000, 10_005), None);
        // Rescheduled 1 ms after its start: held until a gap after the last due time.
        assert_eq!(g.admit("p", "spin", 10_006, 10_007), Some(11_000));
        assert_eq!(g.admit("p", "other", 10_006, 10_007), None, "another name is not held back");
        assert_eq!(g.admit("q", "spin", 10_006, 10_007), None, "another plugin is not held back");
        assert_eq!(g.admit("p", "spin", 11_000, 11_001), None);
    }

    #[test]
    fn an_interval_keeps_its_phase_and_a_past_time_cannot_slip_through() {
        let mut g = guard(1000, 1000);
        // `every 1000`, the first run 30 ms late, the second on time: both admitted.
        assert_eq!(g.admit("p", "tick", 1000, 1030), None);
        assert_eq!(g.admit("p", "tick", 2000, 2001), None);
        // Rescheduled at a past time after each run: held by the start rule.
        assert_eq!(g.admit("p", "past", 0, 5000), None);
        assert_eq!(g.admit("p", "past", 1000, 5002), Some(5900), "due far enough apart, started too soon");
    }

    #[test]
    fn a_plugin_past_its_burst_waits_for_its_rate() {
        let mut g = guard(10, 3);
        for i in 0..3 {
            assert_eq!(g.admit("p", &format!("n{i}"), 0, 0), None);
        }
        assert_eq!(g.admit("p", "n3", 0, 0), Some(100), "one token per 100 ms at 10/s");
        assert_eq!(g.admit("p", "n3", 0, 100), None);
        assert_eq!(g.admit("q", "n0", 0, 0), None, "buckets are per plugin");
    }
}
