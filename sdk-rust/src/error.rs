//! The SDK's error type: the WIT `error` variant plus the failures the SDK adds itself.

use crate::bindings::confab::plugin::types::Error as WitError;

/// Why a host call (or the SDK around it) failed.
///
/// The first five cases mirror the WIT `error` variant one to one, so a plugin can
/// match on exactly what the host said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The object does not exist, or this plugin may not see it.
    #[error("not found")]
    NotFound,
    /// The capability is not in the manifest's `permissions`, or the admin did not
    /// grant it.
    #[error("permission denied")]
    PermissionDenied,
    /// The host rejected an argument; the text says which and why.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A per-plugin quota (KV size, request rate, payload size) was exceeded.
    #[error("quota exceeded")]
    QuotaExceeded,
    /// The server failed for a reason the plugin cannot fix.
    #[error("internal error: {0}")]
    Internal(String),
    /// A value could not be turned into JSON or back (settings, KV values, bodies).
    /// Kept as text so `Error` stays `Clone + Eq`.
    #[error("JSON: {0}")]
    Json(String),
    /// An atomic KV update kept losing the compare-and-set race to other instances.
    #[error("gave up on key {key:?} after {attempts} conflicting compare-and-set attempts")]
    Conflict {
        /// The key being updated.
        key: String,
        /// How many attempts were made.
        attempts: u32,
    },
}

/// `Result` with the SDK's [`Error`] by default.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<WitError> for Error {
    fn from(e: WitError) -> Self {
        match e {
            WitError::NotFound => Error::NotFound,
            WitError::PermissionDenied => Error::PermissionDenied,
            WitError::InvalidInput(s) => Error::InvalidInput(s),
            WitError::QuotaExceeded => Error::QuotaExceeded,
            WitError::Internal(s) => Error::Internal(s),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e.to_string())
    }
}

/// Lets `?` work inside hooks that return `Result<_, String>` (`activate`,
/// `configuration_changed`, `execute_command`): the host shows or logs the text.
impl From<Error> for String {
    fn from(e: Error) -> Self {
        e.to_string()
    }
}

/// Turns the generated `result<T, error>` into the SDK's `Result`.
pub(crate) fn wit<T>(r: std::result::Result<T, WitError>) -> Result<T> {
    r.map_err(Error::from)
}
