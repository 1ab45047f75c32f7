//! Confab's fuzz targets: one module per kind of untrusted input, each with a `check(data)` that feeds the bytes to the production parser and asserts what must hold beyond "no panic".
//!
//! The binaries in `fuzz_targets/` hand these to libFuzzer (`cargo fuzz run <target>
//! --sanitizer none`, see docs/fuzzing.md); `tests/corpus.rs` runs every seed and
//! every input a past run found through the same checks under plain `cargo test`, so a
//! fixed finding stays fixed without the fuzzing tools installed.

pub mod attachments;
pub mod bundle_extract;
pub mod command_response;
pub mod dialog;
pub mod manifest;
pub mod slack_markup;
pub mod webhook_payload;
pub mod websocket_action;

mod support;

/// A target's checks: feed it any bytes.
pub type Check = fn(&[u8]);

/// Every target by name, as `fuzz_targets/` and `fuzz/seeds/` name them.
pub const TARGETS: &[(&str, Check)] = &[
    ("attachments", attachments::check),
    ("bundle_extract", bundle_extract::check),
    ("command_response", command_response::check),
    ("dialog", dialog::check),
    ("manifest", manifest::check),
    ("slack_markup", slack_markup::check),
    ("webhook_payload", webhook_payload::check),
    ("websocket_action", websocket_action::check),
];
