//! Structured logging through the host (`log` interface; always allowed).
//!
//! Lines are tagged with the plugin id by the host. Fields are key/value pairs so log
//! pipelines can index them; put variable data there rather than in the message.

use crate::bindings::confab::plugin::log as wit;

/// Severity of a log line.
pub use wit::Level;

/// Writes one line at `level`.
pub fn write(level: Level, message: &str, fields: &[(&str, &str)]) {
    // The generated import wants owned pairs; logging is not a hot path.
    let fields: Vec<(String, String)> = fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    wit::write(level, message, &fields);
}

/// Very detailed tracing.
pub fn trace(message: &str, fields: &[(&str, &str)]) {
    write(Level::Trace, message, fields);
}

/// Debugging detail.
pub fn debug(message: &str, fields: &[(&str, &str)]) {
    write(Level::Debug, message, fields);
}

/// Normal operation.
pub fn info(message: &str, fields: &[(&str, &str)]) {
    write(Level::Info, message, fields);
}

/// Something unexpected that the plugin handled.
pub fn warn(message: &str, fields: &[(&str, &str)]) {
    write(Level::Warn, message, fields);
}

/// Something failed.
pub fn error(message: &str, fields: &[(&str, &str)]) {
    write(Level::Error, message, fields);
}
