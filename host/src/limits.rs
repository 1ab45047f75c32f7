//! Per-plugin resource limits: server defaults, ceilings, manifest requests and admin overrides.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The limits one plugin runs under. Every hook call gets a fresh fuel budget and
/// deadline; memory is capped per instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Wasm instructions (fuel units) one hook call may execute.
    pub fuel_per_call: u64,
    /// Wall-clock time one hook call may take, host calls included.
    pub deadline: Duration,
    /// Linear memory one instance may grow to, in bytes.
    pub memory_bytes: usize,
    /// Warm instances kept for concurrent calls; also the plugin's concurrency limit.
    pub instances: usize,
    /// Instances created at activation, so a first burst of concurrent calls does not
    /// pay for instantiation; the rest are created on demand, up to `instances`.
    pub warm_instances: usize,
    /// Largest data a hook may return (post, command response, HTTP body), in bytes.
    pub max_response_bytes: usize,
    /// When a will-hook fails: `false` lets the post through (Mattermost's behaviour),
    /// `true` rejects it.
    pub fail_closed: bool,
    /// Outbound HTTP requests (`http-outbound.request` calls) the plugin may start per
    /// second, all instances together; as many may be started at once. Past it a call
    /// gets `quota-exceeded`.
    pub http_requests_per_second: u32,
    /// Largest outbound HTTP response body handed to the plugin, in bytes; a longer one
    /// is cut there (the WIT promises a cut, not an error).
    pub http_max_response_bytes: usize,
    /// Wall-clock time one scheduled job run (`run-job`) may take: jobs are the work a
    /// hook's deadline is too short for.
    pub job_deadline: Duration,
    /// Fuel one scheduled job run may use.
    pub job_fuel: u64,
}

impl Default for Limits {
    /// Defaults sized so a Rust hook fits with orders of magnitude to spare and a
    /// runaway plugin is stopped before a user notices.
    fn default() -> Self {
        Limits {
            fuel_per_call: 500_000_000,
            deadline: Duration::from_millis(1_000),
            memory_bytes: 64 << 20,
            instances: 4,
            warm_instances: 1,
            max_response_bytes: 4 << 20,
            fail_closed: false,
            http_requests_per_second: 10,
            http_max_response_bytes: 4 << 20,
            job_deadline: Duration::from_secs(30),
            job_fuel: 10_000_000_000,
        }
    }
}

impl Limits {
    /// The most any plugin may be given, whatever its manifest or an admin asks.
    pub fn ceiling() -> Self {
        Limits {
            fuel_per_call: 20_000_000_000,
            deadline: Duration::from_secs(30),
            memory_bytes: 1 << 30,
            instances: 32,
            warm_instances: 32,
            max_response_bytes: 64 << 20,
            fail_closed: true,
            http_requests_per_second: 1_000,
            http_max_response_bytes: 64 << 20,
            job_deadline: Duration::from_secs(300),
            job_fuel: 200_000_000_000,
        }
    }

    /// Apply a manifest request, then admin overrides on top, each clamped to `ceiling`.
    pub fn resolve(&self, ceiling: &Limits, requested: &RequestedLimits, overrides: &RequestedLimits) -> Limits {
        let mut limits = self.clone();
        for layer in [requested, overrides] {
            if let Some(fuel) = layer.fuel_per_call {
                limits.fuel_per_call = fuel;
            }
            if let Some(ms) = layer.deadline_ms {
                limits.deadline = Duration::from_millis(ms);
            }
            if let Some(mb) = layer.memory_mb {
                limits.memory_bytes = usize::try_from(mb.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
            }
            if let Some(n) = layer.instances {
                limits.instances = n as usize;
            }
            if let Some(n) = layer.warm_instances {
                limits.warm_instances = n as usize;
            }
            if let Some(bytes) = layer.max_response_bytes {
                limits.max_response_bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
            }
            if let Some(fail_closed) = layer.fail_closed {
                limits.fail_closed = fail_closed;
            }
            if let Some(n) = layer.http_requests_per_second {
                limits.http_requests_per_second = n;
            }
            if let Some(bytes) = layer.http_max_response_bytes {
                limits.http_max_response_bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
            }
            if let Some(ms) = layer.job_deadline_ms {
                limits.job_deadline = Duration::from_millis(ms);
            }
            if let Some(fuel) = layer.job_fuel {
                limits.job_fuel = fuel;
            }
        }
        limits.fuel_per_call = limits.fuel_per_call.clamp(1, ceiling.fuel_per_call);
        limits.deadline = limits.deadline.clamp(Duration::from_millis(1), ceiling.deadline);
        limits.memory_bytes = limits.memory_bytes.clamp(1 << 20, ceiling.memory_bytes);
        limits.instances = limits.instances.clamp(1, ceiling.instances);
        limits.warm_instances = limits.warm_instances.clamp(1, limits.instances.min(ceiling.warm_instances));
        limits.max_response_bytes = limits.max_response_bytes.clamp(1, ceiling.max_response_bytes);
        limits.http_requests_per_second = limits.http_requests_per_second.clamp(1, ceiling.http_requests_per_second);
        limits.http_max_response_bytes = limits.http_max_response_bytes.clamp(1, ceiling.http_max_response_bytes);
        limits.job_deadline = limits.job_deadline.clamp(Duration::from_millis(1), ceiling.job_deadline);
        limits.job_fuel = limits.job_fuel.clamp(1, ceiling.job_fuel);
        limits
    }
}

/// Limits as written in a manifest's `limits` object or an admin override; absent
/// fields keep the server default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestedLimits {
    /// Fuel per hook call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel_per_call: Option<u64>,
    /// Deadline per hook call in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Linear memory per instance in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<u64>,
    /// Warm instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<u32>,
    /// Instances created at activation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_instances: Option<u32>,
    /// Largest hook result in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_response_bytes: Option<u64>,
    /// Reject posts when a will-hook of this plugin fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_closed: Option<bool>,
    /// Outbound HTTP requests per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_requests_per_second: Option<u32>,
    /// Largest outbound HTTP response body in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_max_response_bytes: Option<u64>,
    /// Deadline per scheduled job run in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_deadline_ms: Option<u64>,
    /// Fuel per scheduled job run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_fuel: Option<u64>,
}

/// When repeated failures take a plugin out of service. Mattermost's numbers by
/// default: three failures within sixty minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthPolicy {
    /// Failures within `window` that quarantine the plugin; 0 disables quarantine.
    pub max_failures: usize,
    /// The sliding window failures are counted in.
    pub window: Duration,
}

impl Default for HealthPolicy {
    fn default() -> Self {
        HealthPolicy { max_failures: 3, window: Duration::from_secs(60 * 60) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_beat_requests_and_ceiling_beats_both() {
        let requested = RequestedLimits { fuel_per_call: Some(10), memory_mb: Some(100_000), ..Default::default() };
        let overrides = RequestedLimits { fuel_per_call: Some(20), ..Default::default() };
        let limits = Limits::default().resolve(&Limits::ceiling(), &requested, &overrides);
        assert_eq!(limits.fuel_per_call, 20);
        assert_eq!(limits.memory_bytes, Limits::ceiling().memory_bytes);
        assert_eq!(limits.deadline, Limits::default().deadline);
    }

    #[test]
    fn warm_instances_stay_within_the_pool() {
        let requested = RequestedLimits { instances: Some(2), warm_instances: Some(8), ..Default::default() };
        let limits = Limits::default().resolve(&Limits::ceiling(), &requested, &RequestedLimits::default());
        assert_eq!((limits.instances, limits.warm_instances), (2, 2));
        let none = RequestedLimits { warm_instances: Some(0), ..Default::default() };
        assert_eq!(Limits::default().resolve(&Limits::ceiling(), &none, &RequestedLimits::default()).warm_instances, 1);
    }

    #[test]
    fn http_limits_are_requested_and_clamped() {
        let requested: RequestedLimits = serde_json::from_str(r#"{"http_requests_per_second": 0, "http_max_response_bytes": 1024}"#).unwrap();
        let limits = Limits::default().resolve(&Limits::ceiling(), &requested, &RequestedLimits::default());
        assert_eq!((limits.http_requests_per_second, limits.http_max_response_bytes), (1, 1024), "zero requests per second is one");
        let greedy = RequestedLimits { http_requests_per_second: Some(u32::MAX), http_max_response_bytes: Some(u64::MAX), ..Default::default() };
        let limits = Limits::default().resolve(&Limits::ceiling(), &greedy, &RequestedLimits::default());
        assert_eq!((limits.http_requests_per_second, limits.http_max_response_bytes), (1_000, 64 << 20));
    }

    #[test]
    fn job_limits_have_their_own_defaults_and_ceiling() {
        let limits = Limits::default();
        assert_eq!(limits.job_deadline, Duration::from_secs(30));
        assert!(limits.job_fuel > limits.fuel_per_call);
        let requested = RequestedLimits { job_deadline_ms: Some(10_000_000), job_fuel: Some(5), ..Default::default() };
        let limits = Limits::default().resolve(&Limits::ceiling(), &requested, &RequestedLimits::default());
        assert_eq!((limits.job_deadline, limits.job_fuel), (Limits::ceiling().job_deadline, 5));
        assert_eq!(limits.deadline, Limits::default().deadline, "a job limit leaves the hook deadline alone");
    }

    #[test]
    fn unknown_limit_fields_are_rejected() {
        assert!(serde_json::from_str::<RequestedLimits>(r#"{"fuel":1}"#).is_err());
    }
}
