//! What each plugin costs, as JSON for the System Console: the host's per plugin × hook counters summed per plugin, latency quantiles from the histogram, instances and memory.

use std::collections::BTreeMap;

use confab_host::metrics::LATENCY_BUCKETS;
use confab_host::{HookStats, MetricsSnapshot};
use serde_json::{Value, json};

use super::{AdminError, PluginAdmin};
use crate::service::{Caller, now_ms};

impl PluginAdmin {
    /// `GET /api/v4/plugins/metrics`: every loaded plugin's cost since it was loaded,
    /// with the time of the reading so a client can turn two readings into rates.
    pub async fn metrics(&self, caller: &Caller) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        let snapshot = self.host.metrics();
        let plugins: Vec<Value> = snapshot.hooks.keys().map(|id| self.plugin_metrics(&snapshot, id)).collect();
        Ok(json!({ "at": now_ms(), "plugins": plugins }))
    }

    /// `GET /api/v4/plugins/{plugin_id}/metrics`: one installed plugin's cost (zeros
    /// while it is not loaded).
    pub async fn metrics_of(&self, caller: &Caller, id: &str) -> Result<Value, AdminError> {
        Self::require_admin(caller)?;
        self.installed(id).await?;
        let snapshot = self.host.metrics();
        Ok(json!({ "at": now_ms(), "plugin": self.plugin_metrics(&snapshot, id) }))
    }

    fn plugin_metrics(&self, snapshot: &MetricsSnapshot, id: &str) -> Value {
        let hooks = snapshot.hooks.get(id).cloned().unwrap_or_default();
        let mut total = HookStats::default();
        for stats in hooks.values() {
            total.merge(stats);
        }
        let (live, max_live) = snapshot.instances.get(id).copied().unwrap_or_default();
        let limits = self.host.limits(id);
        let mut value = stats_json(&total);
        value["plugin_id"] = json!(id);
        value["instances"] = json!(live);
        value["max_instances_seen"] = json!(max_live);
        value["instance_limit"] = json!(limits.as_ref().map(|l| l.instances));
        value["memory_bytes"] = json!(snapshot.memory.get(id).copied().unwrap_or_default());
        value["memory_cap_bytes_per_instance"] = json!(limits.as_ref().map(|l| l.memory_bytes));
        value["fuel_per_call_limit"] = json!(limits.as_ref().map(|l| l.fuel_per_call));
        value["hooks"] = hooks.iter().map(|(hook, stats)| (hook.clone(), stats_json(stats))).collect::<serde_json::Map<_, _>>().into();
        value
    }
}

/// One set of counters: totals, failures by kind, fuel per call, p50/p99 in
/// milliseconds (null without calls) and the histogram (cumulative, as Prometheus
/// shows it) so a client can compute quantiles over the time between two readings.
fn stats_json(stats: &HookStats) -> Value {
    let failures: BTreeMap<&str, u64> = stats.failures.iter().map(|(kind, n)| (kind.as_str(), *n)).collect();
    let per_call = |v: f64| if stats.calls == 0 { Value::Null } else { json!(v / stats.calls as f64) };
    let ms = |q: f64| stats.latency_quantile(q).map(|s| s * 1000.0);
    let mut cumulative = 0u64;
    let buckets: Vec<Value> = (0..=LATENCY_BUCKETS.len())
        .map(|i| {
            cumulative += stats.latency_buckets.get(i).copied().unwrap_or(0);
            json!({ "le": LATENCY_BUCKETS.get(i), "count": cumulative })
        })
        .collect();
    json!({
        "calls": stats.calls,
        "errors": stats.errors,
        "failures": failures,
        "fuel_used": stats.fuel_used,
        "fuel_per_call": per_call(stats.fuel_used as f64),
        "latency_ms_mean": per_call(stats.latency_sum.as_secs_f64() * 1000.0),
        "latency_ms_p50": ms(0.5),
        "latency_ms_p99": ms(0.99),
        "latency_buckets": buckets,
    })
}
