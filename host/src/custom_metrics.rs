//! Plugin-defined metrics (the `metrics` import): counters, gauges and histograms per plugin, bounded in names, series and labels, rendered on `/metrics` with a `plugin_id` label.
//!
//! Why the bounds: every series is memory the server keeps and text every scrape
//! carries, and a label fed from user input (a user id, a channel name) grows without
//! end. A plugin gets a fixed number of names and series; past them the call is
//! refused (`quota-exceeded`) and nothing already recorded changes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Metric names a plugin may create.
pub const MAX_NAMES: usize = 32;
/// Series (a name with one set of label values) a plugin may create.
pub const MAX_SERIES: usize = 256;
/// Labels per series.
pub const MAX_LABELS: usize = 8;
/// Longest metric or label name.
pub const MAX_NAME_LEN: usize = 64;
/// Longest label value.
pub const MAX_LABEL_VALUE_LEN: usize = 128;
/// Histogram bucket bounds: Prometheus' defaults.
pub const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// What every plugin metric's name starts with on `/metrics`.
pub const PREFIX: &str = "confab_plugin_custom_";

/// What a metric is, fixed by its first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Only goes up.
    Counter,
    /// Set to any value.
    Gauge,
    /// Observations counted in [`BUCKETS`].
    Histogram,
}

impl MetricKind {
    fn as_str(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
        }
    }
}

/// One series' value.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesValue {
    /// A counter's total.
    Counter(f64),
    /// A gauge's last value.
    Gauge(f64),
    /// A histogram: per-bucket counts (not cumulative; one more for past the last
    /// bound), the sum and the count of observations.
    Histogram {
        /// Counts per bucket of [`BUCKETS`], then the overflow.
        buckets: Vec<u64>,
        /// Sum of the observations.
        sum: f64,
        /// Number of observations.
        count: u64,
    },
}

impl SeriesValue {
    fn new(kind: MetricKind) -> SeriesValue {
        match kind {
            MetricKind::Counter => SeriesValue::Counter(0.0),
            MetricKind::Gauge => SeriesValue::Gauge(0.0),
            MetricKind::Histogram => SeriesValue::Histogram { buckets: vec![0; BUCKETS.len() + 1], sum: 0.0, count: 0 },
        }
    }

    fn apply(&mut self, value: f64) {
        match self {
            SeriesValue::Counter(total) => *total += value,
            SeriesValue::Gauge(current) => *current = value,
            SeriesValue::Histogram { buckets, sum, count } => {
                let bucket = BUCKETS.iter().position(|b| value <= *b).unwrap_or(BUCKETS.len());
                buckets[bucket] += 1;
                *sum += value;
                *count += 1;
            }
        }
    }
}

/// Label pairs of one series, sorted by name.
pub type Labels = Vec<(String, String)>;

/// One metric of one plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// Fixed by the first use.
    pub kind: MetricKind,
    /// Label set → value.
    pub series: BTreeMap<Labels, SeriesValue>,
}

/// Why a recording was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MetricError {
    /// A bad name, label or value; the text says which.
    Invalid(String),
    /// Past [`MAX_NAMES`] or [`MAX_SERIES`].
    Quota,
}

/// One plugin's metrics. Kept across hot reloads (the new version takes the old
/// version's), dropped with the plugin.
#[derive(Debug, Default)]
pub(crate) struct CustomMetrics {
    families: Mutex<BTreeMap<String, Family>>,
}

/// `name` with every character outside `[A-Za-z0-9_]` made `_`, or why it is refused.
fn sanitize(what: &str, name: &str) -> Result<String, MetricError> {
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(MetricError::Invalid(format!("a {what} has 1 to {MAX_NAME_LEN} characters")));
    }
    Ok(name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect())
}

/// The labels sanitized, checked and sorted.
fn normalize(labels: Vec<(String, String)>) -> Result<Labels, MetricError> {
    if labels.len() > MAX_LABELS {
        return Err(MetricError::Invalid(format!("at most {MAX_LABELS} labels per series")));
    }
    let mut out = Vec::with_capacity(labels.len());
    for (name, value) in labels {
        let name = sanitize("label name", &name)?;
        if name == "plugin_id" || name.starts_with("__") || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(MetricError::Invalid(format!("the label name `{name}` is reserved or not allowed")));
        }
        if value.chars().count() > MAX_LABEL_VALUE_LEN {
            return Err(MetricError::Invalid(format!("a label value has at most {MAX_LABEL_VALUE_LEN} characters")));
        }
        out.push((name, value));
    }
    out.sort();
    if out.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(MetricError::Invalid("a label is named twice".into()));
    }
    Ok(out)
}

impl CustomMetrics {
    /// Record `value` in the series `name{labels}` of `kind`, creating it within the bounds.
    pub(crate) fn record(&self, kind: MetricKind, name: &str, labels: Vec<(String, String)>, value: f64) -> Result<(), MetricError> {
        if !value.is_finite() || (kind == MetricKind::Counter && value < 0.0) {
            return Err(MetricError::Invalid(format!(
                "a {} takes a finite value{}",
                kind.as_str(),
                if kind == MetricKind::Counter { " of at least 0" } else { "" }
            )));
        }
        let name = sanitize("metric name", name)?;
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(MetricError::Invalid("a metric name does not start with a digit".into()));
        }
        let labels = normalize(labels)?;
        let mut families = self.families.lock().unwrap();
        let series_count: usize = families.values().map(|f| f.series.len()).sum();
        let names = families.len();
        match families.get(&name) {
            Some(family) if family.kind != kind => {
                return Err(MetricError::Invalid(format!("`{name}` is a {}, not a {}", family.kind.as_str(), kind.as_str())));
            }
            Some(_) => {}
            None if names >= MAX_NAMES || series_count >= MAX_SERIES => return Err(MetricError::Quota),
            None => {}
        }
        let family = families.entry(name).or_insert_with(|| Family { kind, series: BTreeMap::new() });
        if !family.series.contains_key(&labels) && series_count >= MAX_SERIES {
            return Err(MetricError::Quota);
        }
        family.series.entry(labels).or_insert_with(|| SeriesValue::new(kind)).apply(value);
        Ok(())
    }

    /// Every metric, by name.
    pub(crate) fn snapshot(&self) -> BTreeMap<String, Family> {
        self.families.lock().unwrap().clone()
    }
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Append the plugins' metrics (plugin id → name → family) to a Prometheus page. One
/// family per name across plugins, typed by the first plugin (by id) that uses it: a
/// plugin using the same name as another kind is left out of that family, since one
/// name cannot carry two types.
pub(crate) fn render(out: &mut String, plugins: &BTreeMap<String, BTreeMap<String, Family>>) {
    let mut by_name: BTreeMap<&str, Vec<(&str, &Family)>> = BTreeMap::new();
    for (plugin, families) in plugins {
        for (name, family) in families {
            by_name.entry(name).or_default().push((plugin, family));
        }
    }
    for (name, users) in by_name {
        let kind = users[0].1.kind;
        let full = format!("{PREFIX}{name}");
        let _ = writeln!(out, "# HELP {full} Defined by the plugin named in plugin_id.\n# TYPE {full} {}", kind.as_str());
        for (plugin, family) in users.into_iter().filter(|(_, f)| f.kind == kind) {
            for (labels, value) in &family.series {
                let mut text = format!("plugin_id=\"{}\"", escape(plugin));
                for (label, v) in labels {
                    let _ = write!(text, ",{label}=\"{}\"", escape(v));
                }
                render_series(out, &full, &text, value);
            }
        }
    }
}

fn render_series(out: &mut String, name: &str, labels: &str, value: &SeriesValue) {
    match value {
        SeriesValue::Counter(v) | SeriesValue::Gauge(v) => {
            let _ = writeln!(out, "{name}{{{labels}}} {v}");
        }
        SeriesValue::Histogram { buckets, sum, count } => {
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += buckets[i];
                let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
            }
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {count}");
            let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
            let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn kinds_are_fixed_and_values_checked() {
        let m = CustomMetrics::default();
        m.record(MetricKind::Counter, "sent", labels(&[("kind", "a")]), 2.0).unwrap();
        m.record(MetricKind::Counter, "sent", labels(&[("kind", "a")]), 1.5).unwrap();
        assert!(matches!(m.record(MetricKind::Gauge, "sent", vec![], 1.0), Err(MetricError::Invalid(_))));
        assert!(matches!(m.record(MetricKind::Counter, "sent", vec![], -1.0), Err(MetricError::Invalid(_))));
        assert!(matches!(m.record(MetricKind::Gauge, "g", vec![], f64::NAN), Err(MetricError::Invalid(_))));
        m.record(MetricKind::Gauge, "queue depth", vec![], -3.0).unwrap();
        let snap = m.snapshot();
        assert_eq!(snap["sent"].series[&labels(&[("kind", "a")])], SeriesValue::Counter(3.5));
        assert_eq!(snap["queue_depth"].series[&Labels::new()], SeriesValue::Gauge(-3.0), "sanitized name");
    }

    #[test]
    fn labels_are_checked_and_order_does_not_matter() {
        let m = CustomMetrics::default();
        m.record(MetricKind::Counter, "c", labels(&[("a", "1"), ("b", "2")]), 1.0).unwrap();
        m.record(MetricKind::Counter, "c", labels(&[("b", "2"), ("a", "1")]), 1.0).unwrap();
        assert_eq!(m.snapshot()["c"].series.len(), 1);
        let long = "v".repeat(129);
        for bad in [labels(&[("plugin_id", "x")]), labels(&[("__name__", "x")]), labels(&[("a", "1"), ("a", "2")]), labels(&[("a", long.as_str())])] {
            assert!(matches!(m.record(MetricKind::Counter, "c", bad.clone(), 1.0), Err(MetricError::Invalid(_))), "{bad:?}");
        }
        let nine: Vec<(String, String)> = (0..9).map(|i| (format!("l{i}"), "v".into())).collect();
        assert!(matches!(m.record(MetricKind::Counter, "c", nine, 1.0), Err(MetricError::Invalid(_))));
    }

    #[test]
    fn names_and_series_are_capped() {
        let m = CustomMetrics::default();
        for i in 0..MAX_SERIES {
            let user = i.to_string();
            m.record(MetricKind::Gauge, "users", labels(&[("user", user.as_str())]), 1.0).unwrap();
        }
        assert_eq!(m.record(MetricKind::Gauge, "users", labels(&[("user", "one more")]), 1.0), Err(MetricError::Quota));
        m.record(MetricKind::Gauge, "users", labels(&[("user", "0")]), 5.0).expect("an existing series still updates");
        let m = CustomMetrics::default();
        for i in 0..MAX_NAMES {
            m.record(MetricKind::Counter, &format!("n{i}"), vec![], 1.0).unwrap();
        }
        assert_eq!(m.record(MetricKind::Counter, "another", vec![], 1.0), Err(MetricError::Quota));
    }

    #[test]
    fn rendered_with_the_plugin_id_and_one_type_per_name() {
        let a = CustomMetrics::default();
        a.record(MetricKind::Histogram, "latency", labels(&[("route", "x\"y")]), 0.2).unwrap();
        a.record(MetricKind::Counter, "shared", vec![], 1.0).unwrap();
        let b = CustomMetrics::default();
        b.record(MetricKind::Gauge, "shared", vec![], 7.0).unwrap();
        let plugins = BTreeMap::from([("a".to_string(), a.snapshot()), ("b".to_string(), b.snapshot())]);
        let mut out = String::new();
        render(&mut out, &plugins);
        assert!(out.contains("# TYPE confab_plugin_custom_latency histogram"), "{out}");
        assert!(out.contains("confab_plugin_custom_latency_bucket{plugin_id=\"a\",route=\"x\\\"y\",le=\"0.25\"} 1"), "{out}");
        assert!(out.contains("confab_plugin_custom_latency_bucket{plugin_id=\"a\",route=\"x\\\"y\",le=\"0.1\"} 0"), "{out}");
        assert!(out.contains("confab_plugin_custom_latency_count{plugin_id=\"a\",route=\"x\\\"y\"} 1"), "{out}");
        assert!(out.contains("# TYPE confab_plugin_custom_shared counter\nconfab_plugin_custom_shared{plugin_id=\"a\"} 1\n"), "{out}");
        assert!(!out.contains("plugin_id=\"b\""), "b's gauge of a's counter name is left out: {out}");
    }
}
