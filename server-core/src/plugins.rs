//! The plugin lifecycle in one place: bundles, installs and their crash recovery, the marketplace, start-up loading, the development watcher, the `ServerApi` bridge, the administration use cases and their messages between cluster nodes.
//!
//! Dependencies point one way: [`admin`] uses everything else here; [`bridge`] knows
//! only the services and reports status changes through a channel, so nothing in this
//! tree needs a back-reference filled in after construction.

pub mod admin;
pub mod bridge;
pub mod bundle;
pub mod cluster_bus;
pub mod error;
pub mod error_ids;
pub mod installer;
pub mod local;
pub mod marketplace;
pub mod placement;
pub mod watcher;

pub use bridge::PluginBridge;
