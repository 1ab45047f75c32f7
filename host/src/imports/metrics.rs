//! `metrics`: the plugin's own counters, gauges and histograms on `/metrics`; capability `metrics`, bounded per plugin (see `custom_metrics.rs`).

use super::WitResult;
use crate::bindings::confab::plugin::metrics::Host;
use crate::bindings::types::Error;
use crate::capabilities::Capability;
use crate::custom_metrics::{MetricError, MetricKind};
use crate::state::HostState;

impl HostState {
    fn record_metric(&self, kind: MetricKind, name: &str, labels: Vec<(String, String)>, value: f64) -> WitResult<()> {
        self.require(Capability::Metrics)?;
        self.identity.metrics.record(kind, name, labels, value).map_err(|e| match e {
            MetricError::Invalid(why) => Error::InvalidInput(why),
            MetricError::Quota => {
                tracing::debug!(plugin_id = %self.plugin_id(), metric = name, "plugin metric refused: past the plugin's names or series");
                Error::QuotaExceeded
            }
        })
    }
}

impl Host for HostState {
    async fn counter_add(&mut self, name: String, labels: Vec<(String, String)>, value: f64) -> wasmtime::Result<WitResult<()>> {
        Ok(self.record_metric(MetricKind::Counter, &name, labels, value))
    }

    async fn gauge_set(&mut self, name: String, labels: Vec<(String, String)>, value: f64) -> wasmtime::Result<WitResult<()>> {
        Ok(self.record_metric(MetricKind::Gauge, &name, labels, value))
    }

    async fn histogram_observe(&mut self, name: String, labels: Vec<(String, String)>, value: f64) -> wasmtime::Result<WitResult<()>> {
        Ok(self.record_metric(MetricKind::Histogram, &name, labels, value))
    }
}
