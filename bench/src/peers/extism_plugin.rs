//! Peer (d): word-filter as an Extism plugin (`bench/extism-guest`), called through the `extism` host crate with the post and context as JSON.

use confab_host::types::{PluginContext, Post};
use extism::{CompiledPlugin, Manifest, Plugin, PluginBuilder, Wasm};

use super::wire::{HookArgs, WillResult};

/// Fuel per call, as the host's default (Extism refills it before every call).
const FUEL: u64 = 500_000_000;

/// The built guest (`cargo xtask plugins`).
fn guest() -> anyhow::Result<std::path::PathBuf> {
    let path = crate::fixtures::repo_root().join("target/plugins/wasm32-unknown-unknown/release/extism_word_filter.wasm");
    anyhow::ensure!(path.exists(), "{} is missing: run `cargo xtask plugins` first", path.display());
    Ok(path)
}

/// The guest compiled once with word-filter's settings in its config; each
/// [`ExtismPeer`] is an instance of it.
pub fn compile(settings: &str) -> anyhow::Result<CompiledPlugin> {
    let manifest = Manifest::new([Wasm::data(std::fs::read(guest()?)?)]).with_config_key("settings", settings);
    PluginBuilder::new(manifest).with_wasi(false).with_fuel_limit(FUEL).with_cache_disabled().compile()
}

/// One instance, with its request buffer.
pub struct ExtismPeer {
    plugin: Plugin,
    request: Vec<u8>,
}

impl ExtismPeer {
    pub fn new(compiled: &CompiledPlugin) -> anyhow::Result<ExtismPeer> {
        Ok(ExtismPeer { plugin: Plugin::new_from_compiled(compiled)?, request: Vec::new() })
    }

    /// One hook call: the arguments encoded, the call, the result decoded; `Some` with
    /// the replacement post, `None` when the plugin allows the post as it is.
    #[inline(never)]
    pub fn will_be_posted(&mut self, ctx: &PluginContext, post: &Post) -> anyhow::Result<Option<Post>> {
        self.request.clear();
        serde_json::to_writer(&mut self.request, &HookArgs { context: ctx, post })?;
        let answer: &[u8] = self.plugin.call("message_will_be_posted", self.request.as_slice())?;
        match serde_json::from_slice::<WillResult<Post>>(answer)? {
            WillResult::Allow => Ok(None),
            WillResult::Replace { post } => Ok(Some(post)),
            WillResult::Reject { reason } => anyhow::bail!("the Extism word-filter rejected the post: {reason}"),
        }
    }
}
