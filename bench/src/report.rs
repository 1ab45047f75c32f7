//! The results: one row per benchmark id with its figures and target, written as a Markdown table and as JSON.

use std::fmt::Write as _;

use serde::Serialize;

use crate::stats::Summary;

/// One measured quantity.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub label: String,
    pub unit: &'static str,
    pub summary: Summary,
}

/// One benchmark row (B1, B2, ...).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: &'static str,
    pub what: &'static str,
    pub figures: Vec<Figure>,
    /// Derived ratios, e.g. `host / bare = 1.8×`.
    pub ratios: Vec<(String, f64)>,
    pub target: &'static str,
    /// `Some(true)` met, `Some(false)` missed, `None` report only.
    pub met: Option<bool>,
    pub note: String,
    /// For a missed target: why, from this run's own figures, and what would close it.
    pub gap: String,
}

impl Row {
    pub fn figure(&mut self, label: impl Into<String>, unit: &'static str, summary: Summary) -> Summary {
        self.figures.push(Figure { label: label.into(), unit, summary });
        summary
    }
}

/// The machine the numbers came from.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu: String,
    pub rustc: String,
    pub wasmtime: &'static str,
    pub profile: &'static str,
    pub quick: bool,
}

impl Machine {
    pub fn detect(quick: bool) -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| text.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|s| s.trim().to_string()))
            .unwrap_or_else(|| "unknown".into());
        let rustc = std::process::Command::new("rustc")
            .arg("--version")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        Machine {
            cores: std::thread::available_parallelism().map(usize::from).unwrap_or(1),
            cpu,
            rustc,
            wasmtime: "48.0.8",
            profile: if cfg!(debug_assertions) { "debug (numbers not meaningful)" } else { "release" },
            quick,
        }
    }
}

fn fmt_summary(f: &Figure) -> String {
    let s = f.summary;
    format!("{}: **{:.2}** {} (min {:.2}, max {:.2})", f.label, s.median, f.unit, s.min, s.max)
}

/// The human table for BENCHMARKS.md.
pub fn markdown(machine: &Machine, rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `cargo xtask bench`{}; do not edit by hand. Medians over repeated rounds after a warm-up, with min and max.",
        if machine.quick { " --quick" } else { "" }
    );
    let _ = writeln!(
        out,
        "Baselines are measured in the same run. Machine: {} cores, {}; {}; wasmtime {}; {} build.\n",
        machine.cores, machine.cpu, machine.rustc, machine.wasmtime, machine.profile
    );
    let _ = writeln!(out, "| id | what | result | target | met |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for row in rows {
        let mut result: Vec<String> = row.figures.iter().map(fmt_summary).collect();
        result.extend(row.ratios.iter().map(|(label, r)| format!("{label}: **{r:.2}×**")));
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "report",
        };
        let _ = writeln!(out, "| {} | {} | {} | {} | {} |", row.id, row.what, result.join("<br>"), row.target, met);
    }
    let missed: Vec<&Row> = rows.iter().filter(|r| r.met == Some(false)).collect();
    if !missed.is_empty() {
        let _ = writeln!(out, "\n## Targets not met: why, and what would close the gap\n");
        for row in missed {
            let gap = if row.gap.is_empty() { "no explanation recorded by this row" } else { &row.gap };
            let _ = writeln!(out, "- **{}** ({}): {}", row.id, row.target, gap);
        }
    }
    let _ = writeln!(out, "\n## Notes\n");
    for row in rows.iter().filter(|r| !r.note.is_empty()) {
        let _ = writeln!(out, "- **{}**: {}", row.id, row.note);
    }
    out
}

/// The hand-written "Design measurements" section of an existing BENCHMARKS.md, markers
/// included; a bench run keeps it as it is.
pub fn history_section(text: &str) -> Option<&str> {
    const START: &str = "<!-- history:start -->";
    const END: &str = "<!-- history:end -->";
    let start = text.find(START)?;
    let end = text[start..].find(END)? + start + END.len();
    Some(&text[start..end])
}

#[cfg(test)]
mod history_tests {
    use super::history_section;

    #[test]
    fn the_design_measurements_are_found_with_their_markers() {
        let text = "# Benchmarks\n\nrows\n\n<!-- history:start -->\n## Design measurements\n- one\n<!-- history:end -->\n";
        assert_eq!(history_section(text), Some("<!-- history:start -->\n## Design measurements\n- one\n<!-- history:end -->"));
        assert_eq!(history_section("# Benchmarks\n"), None);
    }
}
