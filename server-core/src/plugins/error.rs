//! Why a plugin administration use case failed, as domain variants carrying Mattermost's error id; only `api/` turns them into HTTP statuses.

use super::bundle::{BundleError, SignatureError};
use super::error_ids as ids;
use super::placement::PlaceError;

/// Any error kept as the source of an internal failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why an administration request failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The caller is not a system admin.
    #[error("you do not have the appropriate permissions")]
    Forbidden,
    /// No such plugin (or marketplace entry).
    #[error("{message}")]
    NotFound { id: &'static str, message: String },
    /// The request or the bundle broke a rule.
    #[error("{message}")]
    Invalid { id: &'static str, message: String },
    /// The feature is turned off on this server.
    #[error("{message}")]
    Disabled { id: &'static str, message: String },
    /// The plugin's state does not allow it (already installed, permissions not approved).
    #[error("{message}")]
    Conflict { id: &'static str, message: String },
    /// The bundle (or a download) is bigger than allowed.
    #[error("the bundle is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// A server this one depends on failed (a download, a marketplace index).
    #[error("{message}")]
    Upstream { id: &'static str, message: String },
    /// The server failed (I/O, database).
    #[error("{context}: {source}")]
    Internal {
        /// What was being done.
        context: &'static str,
        /// What failed.
        #[source]
        source: BoxError,
    },
}

impl AdminError {
    /// The plugin `id` is not installed.
    pub fn not_installed(id: &str) -> AdminError {
        AdminError::NotFound { id: ids::NOT_INSTALLED, message: format!("plugin `{id}` is not installed") }
    }

    /// The request lacks something or is malformed.
    pub fn bad_request(message: impl Into<String>) -> AdminError {
        AdminError::Invalid { id: ids::NO_FILE, message: message.into() }
    }

    /// The manifest or component is not loadable.
    pub fn invalid_plugin(message: impl Into<String>) -> AdminError {
        AdminError::Invalid { id: ids::MANIFEST, message: message.into() }
    }

    /// The new version of `plugin_id` did not activate.
    pub fn activation(plugin_id: &str, reason: impl std::fmt::Display) -> AdminError {
        AdminError::Invalid { id: ids::ACTIVATE, message: format!("plugin `{plugin_id}` did not load: {reason}") }
    }

    /// A plugin with the id `plugin_id` is installed and `force` was not given.
    pub fn already_installed(plugin_id: &str) -> AdminError {
        AdminError::Conflict { id: ids::INSTALL_ID, message: format!("a plugin with id `{plugin_id}` is already installed; use force to replace it") }
    }

    /// The plugin requests permissions no admin approved yet.
    pub fn needs_approval(plugin_id: &str, pending: &[String]) -> AdminError {
        AdminError::Conflict { id: ids::NEEDS_APPROVAL, message: format!("plugin `{plugin_id}` needs approval of: {}", pending.join(", ")) }
    }

    /// Settings values that do not fit the plugin's schema.
    pub fn invalid_settings(message: impl Into<String>) -> AdminError {
        AdminError::Invalid { id: ids::INVALID_SETTINGS, message: message.into() }
    }

    /// A download failed.
    pub fn download(message: impl std::fmt::Display) -> AdminError {
        AdminError::Upstream { id: ids::DOWNLOAD, message: format!("download failed: {message}") }
    }

    /// Uploads (or URL installs) are turned off.
    pub fn uploads_disabled() -> AdminError {
        AdminError::Disabled { id: ids::UPLOAD_DISABLED, message: "plugin uploads are disabled on this server".into() }
    }

    /// The marketplace is turned off or not configured.
    pub fn marketplace_disabled() -> AdminError {
        AdminError::Disabled { id: ids::MARKETPLACE_DISABLED, message: "the marketplace is disabled on this server".into() }
    }

    /// The server failed while doing `context`.
    pub fn internal(context: &'static str, source: impl Into<BoxError>) -> AdminError {
        AdminError::Internal { context, source: source.into() }
    }
}

impl From<crate::store::Error> for AdminError {
    fn from(e: crate::store::Error) -> Self {
        AdminError::internal("database", e)
    }
}

impl From<BundleError> for AdminError {
    fn from(e: BundleError) -> Self {
        AdminError::Invalid { id: ids::EXTRACT, message: e.to_string() }
    }
}

impl From<SignatureError> for AdminError {
    fn from(e: SignatureError) -> Self {
        AdminError::Invalid { id: ids::VERIFY, message: e.to_string() }
    }
}

impl From<PlaceError> for AdminError {
    fn from(e: PlaceError) -> Self {
        AdminError::internal(e.step, e.source)
    }
}
