//! The `confab` subcommands besides `serve`: plugin authoring (`plugin new|pack|keygen|sign`), administration of a running server (`plugin install|list|enable|disable|remove|status|approve`) and `marketplace build`; one module per group, `main.rs` only dispatches.

pub mod admin;
pub mod marketplace;
pub mod plugin;

/// This binary's version, the server version bundles are validated against.
pub fn server_version() -> semver::Version {
    semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("the crate version is semver")
}
