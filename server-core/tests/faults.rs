//! Fault injection against the real `confab` binary: PostgreSQL stopped and restarted under load, `kill -9` while 16 clients post, and a full disk during a plugin install.
//!
//! One test binary (so the suite links once); each module is one fault. Tests that
//! need something the machine may not allow (a private PostgreSQL, mounting a tmpfs)
//! print `skipped: <why>` past the harness' capture and pass, so a run says what it
//! did not test.

// An integration test's modules resolve from `tests/`, so each names its file.
#[path = "faults/harness.rs"]
mod harness;

#[path = "faults/disk_full.rs"]
mod disk_full;
#[path = "faults/kill9.rs"]
mod kill9;
#[path = "faults/pg_restart.rs"]
mod pg_restart;
