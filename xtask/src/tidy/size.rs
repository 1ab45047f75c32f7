//! Size limits outside tests: no file over 600 lines, no function over 80 (from `fn` to its closing brace, nested functions measured on their own).
//!
//! Test code does not count: files under a `tests/` directory, `tests.rs` files, and
//! `#[cfg(test)]` / `#[test]` items, whose lines are taken off their file's count.

use std::collections::BTreeMap;

use super::source::Facts;
use super::{Rule, Tree, Violation, is_test_path};

pub(crate) const MAX_FILE_LINES: usize = 600;
pub(crate) const MAX_FUNCTION_LINES: usize = 80;

pub(super) fn check(tree: &Tree, facts: &BTreeMap<&str, Facts>, out: &mut Vec<Violation>) {
    for (&path, f) in facts.iter().filter(|(path, _)| !is_test_path(path)) {
        let total = tree.get(path).map_or(0, |text| text.lines().count());
        let lines = total.saturating_sub(f.test_lines);
        if lines > MAX_FILE_LINES {
            out.push(Violation::new(
                path,
                1,
                Rule::FileSize,
                format!("{lines} lines without tests (limit {MAX_FILE_LINES}): split the file by purpose into modules of its own"),
            ));
        }
        for function in f.functions.iter().filter(|function| function.lines > MAX_FUNCTION_LINES) {
            out.push(Violation::new(
                path,
                function.line,
                Rule::FunctionSize,
                format!("`{}` has {} lines (limit {MAX_FUNCTION_LINES}): split it into steps with names of their own", function.name, function.lines),
            ));
        }
    }
}
