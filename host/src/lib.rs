//! Confab's WebAssembly plugin runtime: loads plugin components, holds them to their limits and calls their hooks.
//!
//! The server builds one [`PluginHost`] with a [`ServerApi`] implementation, loads
//! plugin directories with [`PluginHost::load`], and calls the hook methods
//! (`message_will_be_posted`, `message_has_been_posted`, `execute_command`,
//! `serve_http`, ...). This crate knows nothing of HTTP, SQL or chat rules: all it
//! exchanges with the server is the plain data in [`types`].

mod background;
mod bindings;
mod cache;
pub mod capabilities;
mod convert;
mod custom_metrics;
mod deadline;
mod dispatch;
mod engine;
mod error;
mod families;
mod host;
mod imports;
pub mod limits;
pub mod manifest;
pub mod metrics;
mod runtime;
mod server_api;
mod state;
mod status;
mod stdio;
pub mod types;
mod versions;

pub use cache::CacheOutcome;
pub use capabilities::{Capability, Grants};
pub use custom_metrics::{Family as CustomFamily, MetricKind, SeriesValue};
pub use deadline::Pacing;
pub use dispatch::{SettingsVerdict, Vetoed, WillOutcome};
pub use engine::EngineOptions;
pub use error::{CallError, FailureKind, HostInitError, LoadError};
pub use families::HookFamily;
pub use host::{HostConfig, LoadOptions, LoadReport, PluginHost};
pub use imports::MAX_PLUGIN_CALL_DEPTH;
pub use limits::{HealthPolicy, Limits, RequestedLimits};
pub use manifest::{Manifest, ManifestError};
pub use metrics::{HookStats, HostCounters, LoadTimings, MetricsSnapshot};
pub use server_api::{ApiError, ApiResult, NoServer, ServerApi};
pub use status::{PluginState, PluginStatus};
pub use versions::{WIT_PACKAGE, WitVersion, version_in_name};
