//! The plugin's own metrics on the server's `/metrics` page (`metrics` interface; capability `metrics`): counters, gauges and histograms named `confab_plugin_custom_<name>` with a `plugin_id` label.
//!
//! A metric's kind is fixed by its first use. A plugin has at most 32 names and 256
//! series (a name with one set of label values); a new one past that is
//! `Error::QuotaExceeded`, so never put unbounded values (user ids, message text) in
//! labels. Metrics survive hot reloads and are removed with the plugin.
//!
//! ```ignore
//! use confab_plugin::metrics;
//!
//! metrics::counter_add("reminders_sent", &[("kind", "snooze")], 1.0)?;
//! metrics::gauge_set("reminders_pending", &[], pending as f64)?;
//! metrics::histogram_observe("upstream_seconds", &[], elapsed_secs)?;
//! ```

use crate::Result;
use crate::bindings::confab::plugin::metrics as wit;
use crate::error::wit as lift;

fn owned(labels: &[(&str, &str)]) -> Vec<(String, String)> {
    labels.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
}

/// Adds `value` (at least 0) to the counter `name{labels}`.
pub fn counter_add(name: &str, labels: &[(&str, &str)], value: f64) -> Result<()> {
    lift(wit::counter_add(name, &owned(labels), value))
}

/// Sets the gauge `name{labels}`.
pub fn gauge_set(name: &str, labels: &[(&str, &str)], value: f64) -> Result<()> {
    lift(wit::gauge_set(name, &owned(labels), value))
}

/// Records one observation in the histogram `name{labels}` (buckets 0.005 to 10).
pub fn histogram_observe(name: &str, labels: &[(&str, &str)], value: f64) -> Result<()> {
    lift(wit::histogram_observe(name, &owned(labels), value))
}
