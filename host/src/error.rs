//! Errors at the host boundary: why a plugin failed to load, and why a hook call produced no result.

use std::path::PathBuf;
use std::time::Duration;

use crate::manifest::ManifestError;

/// Why a hook call failed inside the plugin. Each kind is counted separately and
/// each counts towards quarantine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailureKind {
    /// The call used up its fuel (instruction budget).
    Fuel,
    /// The call ran past its wall-clock deadline (wasm or host-call time).
    Deadline,
    /// Linear memory growth hit the plugin's memory cap.
    Memory,
    /// The wasm call stack was exhausted (unbounded recursion).
    StackOverflow,
    /// The guest aborted (a Rust panic, `unreachable`).
    Panic,
    /// Any other wasm trap (out-of-bounds access, division by zero, ...).
    Trap,
    /// The hook returned more data than `max_response_bytes`.
    ResponseTooLarge,
    /// A fresh instance could not be created.
    Instantiate,
    /// A host function failed in a way that aborted the call.
    Host,
}

impl FailureKind {
    /// Stable label for metrics and statuses.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Fuel => "fuel",
            FailureKind::Deadline => "deadline",
            FailureKind::Memory => "memory",
            FailureKind::StackOverflow => "stack-overflow",
            FailureKind::Panic => "panic",
            FailureKind::Trap => "trap",
            FailureKind::ResponseTooLarge => "response-too-large",
            FailureKind::Instantiate => "instantiate",
            FailureKind::Host => "host",
        }
    }
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a hook call returned no result.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// No plugin with this id is loaded.
    #[error("plugin `{plugin_id}` is not installed")]
    UnknownPlugin {
        /// The id asked for.
        plugin_id: String,
    },
    /// The plugin is loaded but not serving (disabled, failed, quarantined, stopping).
    #[error("plugin `{plugin_id}` is not running")]
    NotRunning {
        /// The plugin.
        plugin_id: String,
    },
    /// The plugin does not export the hook's interface.
    #[error("plugin `{plugin_id}` does not implement `{hook}`")]
    NotImplemented {
        /// The plugin.
        plugin_id: String,
        /// The hook.
        hook: &'static str,
    },
    /// Every instance stayed busy for as long as the call would have been allowed to run.
    #[error("plugin `{plugin_id}` is busy: no instance became free within {waited:?}")]
    Busy {
        /// The plugin.
        plugin_id: String,
        /// How long the call waited.
        waited: Duration,
    },
    /// The plugin failed while running the hook; the instance was discarded.
    #[error("plugin `{plugin_id}` failed in `{hook}` ({kind}): {detail}")]
    Failed {
        /// The plugin.
        plugin_id: String,
        /// The hook.
        hook: &'static str,
        /// What went wrong.
        kind: FailureKind,
        /// Details for logs.
        detail: String,
    },
}

impl CallError {
    /// The failure kind, when the plugin itself failed.
    pub fn failure_kind(&self) -> Option<FailureKind> {
        match self {
            CallError::Failed { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

/// Why a plugin could not be loaded or activated. The previous version, if any,
/// keeps serving.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The manifest is missing or invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The manifest has no `server.wasm`, so there is nothing for the host to run.
    #[error("plugin `{0}` has no server part (`server.wasm` in plugin.json)")]
    NoServerPart(String),
    /// The component file could not be read.
    #[error("cannot read {path}: {source}")]
    ReadWasm {
        /// The component path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid component, or Cranelift refused it.
    #[error("plugin `{plugin_id}`: {path} is not a loadable wasm component: {detail}")]
    Compile {
        /// The plugin.
        plugin_id: String,
        /// The component path.
        path: PathBuf,
        /// The compiler's message.
        detail: String,
    },
    /// The component imports something the host does not provide (e.g. a newer WIT version).
    #[error("plugin `{plugin_id}` imports something this server does not provide: {detail}")]
    Link {
        /// The plugin.
        plugin_id: String,
        /// The linker's message.
        detail: String,
    },
    /// The component was built against a `confab:plugin` version this server does not
    /// serve (or against several at once).
    #[error("plugin `{plugin_id}` was built against confab:plugin {found}; this server serves {served}")]
    UnsupportedWitVersion {
        /// The plugin.
        plugin_id: String,
        /// The version(s) the component names.
        found: String,
        /// The served versions, e.g. `0.1.0, 0.2.0`.
        served: String,
    },
    /// The component exports a hook interface with a different shape than ours.
    #[error("plugin `{plugin_id}` exports `{interface}` with an unexpected shape: {detail}")]
    IncompatibleExport {
        /// The plugin.
        plugin_id: String,
        /// The interface name.
        interface: String,
        /// What differed.
        detail: String,
    },
    /// `activate` returned an error, or the activation call failed.
    #[error("plugin `{plugin_id}` failed to activate: {reason}")]
    Activate {
        /// The plugin.
        plugin_id: String,
        /// The plugin's reason or the failure.
        reason: String,
    },
    /// The host itself is shutting down or broken.
    #[error("plugin host error: {0}")]
    Host(String),
}

/// The host could not be created.
#[derive(Debug, thiserror::Error)]
#[error("cannot start the plugin host: {0}")]
pub struct HostInitError(pub String);
