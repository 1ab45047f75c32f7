//! Per plugin × hook counters (calls, errors, failures by kind, fuel, latency) and their Prometheus text form.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::FailureKind;

/// Upper bounds of the latency histogram buckets, in seconds.
pub const LATENCY_BUCKETS: &[f64] = &[0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0];

/// [`LATENCY_BUCKETS`] in nanoseconds: every call is counted in one, and comparing
/// integers is cheaper than converting each latency to seconds.
const LATENCY_BUCKET_NANOS: [u128; 12] =
    [10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000, 10_000_000, 50_000_000, 100_000_000, 500_000_000, 1_000_000_000, 5_000_000_000];

/// Counters for one hook of one plugin.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HookStats {
    /// Calls made (including failed ones).
    pub calls: u64,
    /// Calls that did not produce a result: failures plus refusals (not running, busy).
    pub errors: u64,
    /// Failures by kind.
    pub failures: BTreeMap<FailureKind, u64>,
    /// Fuel consumed by all calls.
    pub fuel_used: u64,
    /// Sum of latencies.
    pub latency_sum: Duration,
    /// Cumulative counts per bucket of [`LATENCY_BUCKETS`] (non-cumulative storage; rendered cumulative).
    pub latency_buckets: Vec<u64>,
}

impl HookStats {
    fn observe(&mut self, latency: Duration, fuel: u64, outcome: Option<Option<FailureKind>>) {
        self.calls += 1;
        self.fuel_used += fuel;
        self.latency_sum += latency;
        if self.latency_buckets.is_empty() {
            self.latency_buckets = vec![0; LATENCY_BUCKETS.len() + 1];
        }
        let nanos = latency.as_nanos();
        let bucket = LATENCY_BUCKET_NANOS.iter().position(|b| nanos <= *b).unwrap_or(LATENCY_BUCKET_NANOS.len());
        self.latency_buckets[bucket] += 1;
        match outcome {
            Some(None) => {}
            Some(Some(kind)) => {
                self.errors += 1;
                *self.failures.entry(kind).or_default() += 1;
            }
            None => self.errors += 1,
        }
    }
}

/// All hooks of one plugin, and the memory its instances hold.
#[derive(Debug, Default)]
pub(crate) struct PluginMetrics {
    /// By hook name, in first-call order: a plugin has a handful of hooks, and a scan
    /// that first compares the name's address finds one in a few instructions.
    hooks: Mutex<Vec<(&'static str, HookStats)>>,
    /// Linear memory of the live instances, in bytes (kept by each instance's limiter).
    pub(crate) memory: Arc<AtomicUsize>,
}

impl PluginMetrics {
    /// Record a finished call: `Ok` or a failure kind.
    pub(crate) fn record(&self, hook: &'static str, latency: Duration, fuel: u64, failure: Option<FailureKind>) {
        stats_of(&mut self.hooks.lock().unwrap(), hook).observe(latency, fuel, Some(failure));
    }

    /// Record a call refused before reaching the plugin (not running, pool busy).
    pub(crate) fn record_refused(&self, hook: &'static str) {
        stats_of(&mut self.hooks.lock().unwrap(), hook).observe(Duration::ZERO, 0, None);
    }

    /// Linear memory the live instances hold, in bytes.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.memory.load(Ordering::Relaxed)
    }

    pub(crate) fn snapshot(&self) -> BTreeMap<String, HookStats> {
        self.hooks.lock().unwrap().iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }
}

/// The counters of `hook`, added on its first call. Hook names are `'static` literals,
/// so the same name is nearly always the same address.
fn stats_of<'m>(hooks: &'m mut Vec<(&'static str, HookStats)>, hook: &'static str) -> &'m mut HookStats {
    let found = hooks.iter().position(|(name, _)| std::ptr::eq(*name, hook)).or_else(|| hooks.iter().position(|(name, _)| *name == hook));
    let index = found.unwrap_or_else(|| {
        hooks.push((hook, HookStats::default()));
        hooks.len() - 1
    });
    &mut hooks[index].1
}

/// Host-wide counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostCounters {
    /// Components compiled with Cranelift.
    pub compiles: u64,
    /// Components loaded from the precompiled cache.
    pub cache_hits: u64,
    /// Instances created.
    pub instantiations: u64,
    /// Background events dropped because the queue was full.
    pub background_dropped: u64,
}

/// How the serving version of a plugin was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadTimings {
    /// Compiling the component, or loading it from the precompiled cache.
    pub compile: Duration,
    /// Whether it came from the cache.
    pub cache_hit: bool,
    /// From the end of the compile to serving (see `LoadReport::compiled_to_serving`).
    pub compiled_to_serving: Duration,
}

/// Everything `/metrics` shows about plugins.
#[derive(Debug, Clone, Default)]
pub struct MetricsSnapshot {
    /// Host-wide counters.
    pub host: HostCounters,
    /// plugin id → hook name → counters.
    pub hooks: BTreeMap<String, BTreeMap<String, HookStats>>,
    /// plugin id → (live instances, most live instances ever).
    pub instances: BTreeMap<String, (usize, usize)>,
    /// plugin id → how its serving version was loaded.
    pub loads: BTreeMap<String, LoadTimings>,
    /// plugin id → linear memory its live instances hold, in bytes.
    pub memory: BTreeMap<String, usize>,
    /// plugin id → the plugin's own metrics (`metrics` import), by name.
    pub custom: BTreeMap<String, BTreeMap<String, crate::custom_metrics::Family>>,
}

/// A counter family: name, help text, type and how to read it from the stats.
type Series = (&'static str, &'static str, &'static str, fn(&HookStats) -> u64);

fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl MetricsSnapshot {
    /// Prometheus text exposition format (version 0.0.4).
    pub fn render_prometheus(&self) -> String {
        let mut out = String::new();
        let h = &self.host;
        for (name, help, value) in [
            ("confab_plugin_compiles_total", "Plugin components compiled.", h.compiles),
            ("confab_plugin_cache_hits_total", "Plugin components loaded from the precompiled cache.", h.cache_hits),
            ("confab_plugin_instantiations_total", "Plugin instances created.", h.instantiations),
            ("confab_plugin_background_dropped_total", "Background hook events dropped because the queue was full.", h.background_dropped),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
        }
        let _ = writeln!(out, "# HELP confab_plugin_instances Live plugin instances.\n# TYPE confab_plugin_instances gauge");
        for (plugin, (live, _)) in &self.instances {
            let _ = writeln!(out, "confab_plugin_instances{{plugin_id=\"{}\"}} {live}", label(plugin));
        }
        let _ = writeln!(out, "# HELP confab_plugin_memory_bytes Linear memory held by live plugin instances.\n# TYPE confab_plugin_memory_bytes gauge");
        for (plugin, bytes) in &self.memory {
            let _ = writeln!(out, "confab_plugin_memory_bytes{{plugin_id=\"{}\"}} {bytes}", label(plugin));
        }
        for (name, help, get) in [
            (
                "confab_plugin_load_compile_seconds",
                "Time the serving version took to compile, or to load from the precompiled cache.",
                (|t: &LoadTimings| t.compile) as fn(&LoadTimings) -> Duration,
            ),
            (
                "confab_plugin_load_ready_seconds",
                "Time from the end of the serving version's compile until it served (link, instantiate, activate, swap).",
                |t: &LoadTimings| t.compiled_to_serving,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (plugin, timings) in &self.loads {
                let _ = writeln!(out, "{name}{{plugin_id=\"{}\",cache_hit=\"{}\"}} {}", label(plugin), timings.cache_hit, get(timings).as_secs_f64());
            }
        }
        let series: [Series; 3] = [
            ("confab_plugin_hook_calls_total", "Hook calls.", "counter", |s| s.calls),
            ("confab_plugin_hook_errors_total", "Hook calls without a result.", "counter", |s| s.errors),
            ("confab_plugin_hook_fuel_used_total", "Fuel consumed by hook calls.", "counter", |s| s.fuel_used),
        ];
        for (name, help, kind, get) in series {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (plugin, hooks) in &self.hooks {
                for (hook, stats) in hooks {
                    let _ = writeln!(out, "{name}{{plugin_id=\"{}\",hook=\"{}\"}} {}", label(plugin), label(hook), get(stats));
                }
            }
        }
        let name = "confab_plugin_hook_failures_total";
        let _ = writeln!(out, "# HELP {name} Failed hook calls by kind.\n# TYPE {name} counter");
        for (plugin, hooks) in &self.hooks {
            for (hook, stats) in hooks {
                for (kind, n) in &stats.failures {
                    let _ = writeln!(out, "{name}{{plugin_id=\"{}\",hook=\"{}\",kind=\"{}\"}} {n}", label(plugin), label(hook), kind.as_str());
                }
            }
        }
        let name = "confab_plugin_hook_duration_seconds";
        let _ = writeln!(out, "# HELP {name} Hook call latency.\n# TYPE {name} histogram");
        for (plugin, hooks) in &self.hooks {
            for (hook, stats) in hooks {
                let labels = format!("plugin_id=\"{}\",hook=\"{}\"", label(plugin), label(hook));
                let mut cumulative = 0;
                for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
                    cumulative += stats.latency_buckets.get(i).copied().unwrap_or(0);
                    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
                }
                let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", stats.calls);
                let _ = writeln!(out, "{name}_sum{{{labels}}} {}", stats.latency_sum.as_secs_f64());
                let _ = writeln!(out, "{name}_count{{{labels}}} {}", stats.calls);
            }
        }
        crate::custom_metrics::render(&mut out, &self.custom);
        out
    }
}

impl HookStats {
    /// Add another hook's counters to these (a plugin's total over its hooks).
    pub fn merge(&mut self, other: &HookStats) {
        self.calls += other.calls;
        self.errors += other.errors;
        self.fuel_used += other.fuel_used;
        self.latency_sum += other.latency_sum;
        for (kind, n) in &other.failures {
            *self.failures.entry(*kind).or_default() += n;
        }
        if self.latency_buckets.len() < other.latency_buckets.len() {
            self.latency_buckets.resize(other.latency_buckets.len(), 0);
        }
        for (mine, theirs) in self.latency_buckets.iter_mut().zip(&other.latency_buckets) {
            *mine += theirs;
        }
    }

    /// The `q` quantile (0..=1) of the latency, in seconds, estimated from the histogram
    /// as Prometheus' `histogram_quantile` does: linear within the bucket that holds the
    /// rank, the last finite bound for the overflow bucket. `None` without calls.
    pub fn latency_quantile(&self, q: f64) -> Option<f64> {
        latency_quantile(&self.latency_buckets, q)
    }
}

/// The `q` quantile of a histogram stored as per-bucket (not cumulative) counts over
/// [`LATENCY_BUCKETS`] plus one overflow bucket; see [`HookStats::latency_quantile`].
pub fn latency_quantile(buckets: &[u64], q: f64) -> Option<f64> {
    let total: u64 = buckets.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = q.clamp(0.0, 1.0) * total as f64;
    let mut below = 0u64;
    for (i, &count) in buckets.iter().enumerate() {
        if count > 0 && (below + count) as f64 >= rank {
            let Some(&upper) = LATENCY_BUCKETS.get(i) else { return LATENCY_BUCKETS.last().copied() };
            let lower = if i == 0 { 0.0 } else { LATENCY_BUCKETS[i - 1] };
            let within = ((rank - below as f64) / count as f64).clamp(0.0, 1.0);
            return Some(lower + (upper - lower) * within);
        }
        below += count;
    }
    LATENCY_BUCKETS.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_bounds_in_nanoseconds_match_the_published_ones() {
        let published: Vec<u128> = LATENCY_BUCKETS.iter().map(|secs| Duration::from_secs_f64(*secs).as_nanos()).collect();
        assert_eq!(published, LATENCY_BUCKET_NANOS);
    }

    #[test]
    fn a_latency_on_a_bound_counts_in_that_bucket() {
        let mut s = HookStats::default();
        s.observe(Duration::from_micros(10), 0, Some(None));
        s.observe(Duration::from_nanos(10_001), 0, Some(None));
        s.observe(Duration::from_secs(6), 0, Some(None));
        assert_eq!(s.latency_buckets[0], 1);
        assert_eq!(s.latency_buckets[1], 1);
        assert_eq!(s.latency_buckets[LATENCY_BUCKETS.len()], 1);
    }

    #[test]
    fn hooks_with_equal_names_at_different_addresses_share_counters() {
        let metrics = PluginMetrics::default();
        let leaked: &'static str = Box::leak(String::from("message-will-be-posted").into_boxed_str());
        metrics.record("message-will-be-posted", Duration::ZERO, 1, None);
        metrics.record(leaked, Duration::ZERO, 2, Some(FailureKind::Fuel));
        metrics.record_refused("message-has-been-posted");
        let snapshot = metrics.snapshot();
        assert_eq!(snapshot.len(), 2);
        let posted = &snapshot["message-will-be-posted"];
        assert_eq!((posted.calls, posted.errors, posted.fuel_used), (2, 1, 3));
        assert_eq!(snapshot["message-has-been-posted"].errors, 1);
    }

    fn stats(latencies_ms: &[u64]) -> HookStats {
        let mut s = HookStats::default();
        for &ms in latencies_ms {
            s.observe(Duration::from_millis(ms), 10, Some(None));
        }
        s
    }

    #[test]
    fn quantiles_fall_in_the_bucket_holding_the_rank() {
        assert_eq!(HookStats::default().latency_quantile(0.5), None);
        // 99 calls of 2 ms (bucket 1-5 ms) and one of 300 ms (bucket 100-500 ms).
        let mut many = vec![2; 99];
        many.push(300);
        let s = stats(&many);
        let p50 = s.latency_quantile(0.5).unwrap();
        assert!((0.001..=0.005).contains(&p50), "{p50}");
        let p99 = s.latency_quantile(0.99).unwrap();
        assert!((0.001..=0.005).contains(&p99), "{p99}");
        let max = s.latency_quantile(1.0).unwrap();
        assert!((0.1..=0.5).contains(&max), "{max}");
        // Past the last bound: the last bound, as Prometheus answers.
        assert_eq!(stats(&[9_000]).latency_quantile(0.5), Some(5.0));
    }

    #[test]
    fn merged_stats_add_up() {
        let mut a = stats(&[2, 2]);
        let mut b = stats(&[300]);
        b.observe(Duration::ZERO, 0, Some(Some(FailureKind::Fuel)));
        a.merge(&b);
        assert_eq!((a.calls, a.errors, a.fuel_used), (4, 1, 30));
        assert_eq!(a.failures.get(&FailureKind::Fuel), Some(&1));
        assert_eq!(a.latency_buckets.iter().sum::<u64>(), 4);
    }
}
