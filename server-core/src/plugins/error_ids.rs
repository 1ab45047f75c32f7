//! Mattermost's error ids for plugin administration (ours where it has none), in one place so the use cases that choose them and the API that sends them agree.

/// Not a system admin.
pub const FORBIDDEN: &str = "api.context.permissions.app_error";
/// Uploads and URL installs are turned off.
pub const UPLOAD_DISABLED: &str = "app.plugin.upload_disabled.app_error";
/// The marketplace is turned off or not configured.
pub const MARKETPLACE_DISABLED: &str = "app.plugin.marketplace_disabled.app_error";
/// The bundle (or a download) is bigger than allowed.
pub const TOO_LARGE: &str = "api.plugin.upload.file_too_large.app_error";
/// The request lacks something (no `plugin` part, no URL) or is malformed.
pub const NO_FILE: &str = "api.plugin.upload.no_file.app_error";
/// The bundle was refused while unpacking.
pub const EXTRACT: &str = "app.plugin.extract.app_error";
/// The manifest or the component is not loadable.
pub const MANIFEST: &str = "app.plugin.manifest.app_error";
/// A plugin with that id is installed and `force` was not given.
pub const INSTALL_ID: &str = "app.plugin.install_id.app_error";
/// No such plugin.
pub const NOT_INSTALLED: &str = "app.plugin.not_installed.app_error";
/// The signature check failed.
pub const VERIFY: &str = "api.plugin.verify_plugin.app_error";
/// The new version did not activate; the previous one still serves.
pub const ACTIVATE: &str = "app.plugin.activate.app_error";
/// The plugin requests permissions no admin approved yet.
pub const NEEDS_APPROVAL: &str = "app.plugin.permissions_not_approved.app_error";
/// A download (bundle or index) failed.
pub const DOWNLOAD: &str = "app.plugin.install_from_url.app_error";
/// Settings values do not match the plugin's schema.
pub const INVALID_SETTINGS: &str = "app.plugin.settings.invalid.app_error";
/// The server failed while administering a plugin.
pub const INTERNAL: &str = "app.plugin.install.app_error";
