//! Peer (d): the word-filter as an Extism plugin (`bench/extism-guest`), the post passed in and out as JSON.
//!
//! Held to the host path's limits where Extism offers one: fuel per call (refilled on
//! every call, as ours is), a wall-clock timeout per call (Extism's epoch timer thread;
//! ours is a fuel-driven yield and a timer) and a linear-memory cap in pages. It has no
//! response-size cap, instance pool, failure counting or metrics, and WASI is off (the
//! guest needs none).

use std::path::PathBuf;

use anyhow::Context as _;
use confab_host::types::{PluginContext, Post};
use extism::{Manifest, Plugin, PluginBuilder, Wasm};

use super::{HookRef, HookReply, wire};
use crate::fixtures;

/// The Extism module built by `cargo xtask plugins`.
fn module() -> anyhow::Result<PathBuf> {
    let path = fixtures::repo_root().join("target/plugins/wasm32-unknown-unknown/release/word_filter_extism.wasm");
    anyhow::ensure!(path.exists(), "{} is missing: run `cargo xtask plugins` first", path.display());
    Ok(path)
}

/// `n` instances of the Extism word-filter, called in order as a chain.
pub struct ExtismPeer {
    plugins: Vec<Plugin>,
    input: Vec<u8>,
}

impl ExtismPeer {
    /// Compile the module once and instantiate it `n` times, each configured with the
    /// word-filter settings the host path's plugin runs with.
    pub fn new(n: usize, settings: &str) -> anyhow::Result<ExtismPeer> {
        let limits = super::limits();
        let settings: serde_json::Map<String, serde_json::Value> = serde_json::from_str(settings)?;
        let config = settings.into_iter().map(|(key, value)| (key, value.as_str().unwrap_or_default().to_owned()));
        // The bytes, not the path: reading files is an extism feature left off.
        let manifest = Manifest::new([Wasm::data(std::fs::read(module()?)?)])
            .with_config(config)
            .with_timeout(limits.deadline)
            // Wasm pages are 64 KiB.
            .with_memory_max(u32::try_from(limits.memory_bytes >> 16)?);
        let compiled = PluginBuilder::new(manifest)
            .with_wasi(false)
            .with_fuel_limit(limits.fuel_per_call)
            .with_cache_disabled()
            .compile()
            .context("compile the Extism word-filter")?;
        let plugins = (0..n).map(|_| Plugin::new_from_compiled(&compiled)).collect::<Result<_, _>>()?;
        Ok(ExtismPeer { plugins, input: Vec::new() })
    }

    /// The post through every instance in turn: the hook's arguments as JSON in, the
    /// decision as JSON out; `None` when no link replaced it.
    pub fn call(&mut self, context: &PluginContext, post: &Post) -> anyhow::Result<Option<Post>> {
        let mut current = post.clone();
        let mut replaced = false;
        for plugin in &mut self.plugins {
            self.input.clear();
            serde_json::to_writer(&mut self.input, &HookRef { context, post: &current })?;
            let output: &[u8] = plugin.call(wire::MESSAGE_WILL_BE_POSTED, &self.input[..])?;
            let reply: HookReply = serde_json::from_slice(output)?;
            replaced |= matches!(reply, wire::Reply::Replace { .. });
            super::carry(&mut current, reply)?;
        }
        Ok(replaced.then_some(current))
    }
}
