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
mod events;
mod http;
mod kv;
mod log;
mod posts;
mod scheduler;
mod teams;
mod users;

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::{Plugin, types};
use crate::state::HostState;

/// The inner result every fallible import returns.
pub(crate) type WitResult<T> = Result<T, types::Error>;

impl types::Host for HostState {}

/// Add WASI (minimal context) and every Confab interface to `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_async(linker)?;
    Plugin::add_to_linker::<HostState, HasSelf<HostState>>(linker, |state| state)?;
    Ok(())
}
