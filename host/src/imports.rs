//! Host side of the plugin API: one module per WIT import interface, each checking capabilities before calling `ServerApi`.
//!
//! Every function returns `wasmtime::Result<Result<T, Error>>`: the outer error kills
//! the call (reserved for host bugs), the inner one is the WIT `error` the plugin
//! handles.

mod bots;
mod channels;
mod cluster;
mod commands;
mod config;
mod dialogs;
mod events;
mod hook_post;
mod http;
mod kv;
mod log;
mod metrics;
mod plugin_http;
mod posts;
mod scheduler;
mod teams;
mod users;

use wasmtime::component::{HasSelf, Linker};

pub(crate) use hook_post::{LentPost, records_v0_1_0};
pub(crate) use http::HttpLimits;
pub use plugin_http::MAX_PLUGIN_CALL_DEPTH;

use crate::bindings::{Plugin, since_v0_1_0, types};
use crate::state::HostState;
use crate::versions::WitVersion;

/// The inner result every fallible import returns.
pub(crate) type WitResult<T> = Result<T, types::Error>;

impl types::Host for HostState {}

/// Add WASI (minimal context) and every Confab interface of `version` to `linker`.
/// An older version's imports call the current implementations (see `bindings`).
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>, version: WitVersion) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_async(linker)?;
    match version {
        WitVersion::V0_2_0 => Plugin::add_to_linker::<HostState, HasSelf<HostState>>(linker, |state| state)?,
        WitVersion::V0_1_0 => since_v0_1_0::Plugin::add_to_linker::<HostState, HasSelf<HostState>>(linker, |state| state)?,
    }
    Ok(())
}
