//! The end-to-end test binary: a real server on a loopback port, real plugin components, a real HTTP client.
//!
//! One binary (linked once) with one module per area:
//! - `system`: ping, request ids, Mattermost error bodies for unknown routes, `/metrics`;
//! - `plugins`: plugin statuses, `/plugins/{id}/...` reaching a plugin's `serve-http`,
//!   and how unknown, hook-less, failed and oversized requests are answered.
//!
//! The harness is `confab_e2e` (tests/src/lib.rs). Plugins must be built first:
//! `cargo xtask test` does that, or `cargo xtask plugins` once.

mod plugins;
mod system;
