//! Plugin bundles: the `.tar.gz` an admin uploads (`plugin.json`, the component, optional `webapp/`, `assets/`, `public/`), checked extraction, ed25519 signatures, and packing.
//!
//! A bundle is untrusted input until its manifest validated and its component
//! compiled, so extraction ([`extract`]) checks every entry before writing it and
//! refuses the whole bundle at the first bad one; the caller extracts into a fresh
//! temporary directory and removes it on any error, so a refused bundle leaves nothing.

pub mod extract;
pub mod pack;
pub mod signature;

pub use extract::{BundleError, BundleLimits, extract};
pub use pack::pack_dir;
pub use signature::{SignatureError, TrustedKeys};
