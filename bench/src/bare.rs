//! Baseline (b) of B1: the same component called through bare wasmtime — no pool, fuel, deadline, metrics or capability checks.

use std::path::Path;

use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    inline: "
        package confab:bench;
        world word-filter {
            import confab:plugin/log@0.1.0;
            import confab:plugin/config@0.1.0;
            export confab:plugin/lifecycle@0.1.0;
            export confab:plugin/message-hooks@0.1.0;
        }
    ",
    path: "../wit",
});

pub use confab::plugin::types::{PluginContext, Post, WillResult};

/// Store data: WASI (Rust's std imports it) and the settings JSON.
pub struct Bare {
    wasi: WasiCtx,
    table: ResourceTable,
    settings: String,
}

impl WasiView for Bare {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl confab::plugin::types::Host for Bare {}

impl confab::plugin::log::Host for Bare {
    fn write(&mut self, _level: confab::plugin::log::Level, _message: String, _fields: Vec<(String, String)>) {}
}

impl confab::plugin::config::Host for Bare {
    fn get_settings(&mut self) -> String {
        self.settings.clone()
    }
}

/// One instance of the component, configured and ready to call.
pub struct BareInstance {
    store: Store<Bare>,
    bindings: WordFilter,
}

impl BareInstance {
    pub fn new(wasm: &Path, settings: &str) -> anyhow::Result<BareInstance> {
        let engine = Engine::default();
        let component = Component::from_file(&engine, wasm).map_err(|e| anyhow::anyhow!("{e:#}"))?;
        let mut linker: Linker<Bare> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| anyhow::anyhow!("{e:#}"))?;
        WordFilter::add_to_linker::<Bare, HasSelf<Bare>>(&mut linker, |s| s).map_err(|e| anyhow::anyhow!("{e:#}"))?;
        let state = Bare { wasi: WasiCtx::builder().build(), table: ResourceTable::new(), settings: settings.to_string() };
        let mut store = Store::new(&engine, state);
        let bindings = WordFilter::instantiate(&mut store, &component, &linker).map_err(|e| anyhow::anyhow!("{e:#}"))?;
        let configured = bindings.confab_plugin_lifecycle().call_configuration_changed(&mut store).map_err(|e| anyhow::anyhow!("{e:#}"))?;
        configured.map_err(|e| anyhow::anyhow!(e))?;
        Ok(BareInstance { store, bindings })
    }

    pub fn will_be_posted(&mut self, ctx: &PluginContext, post: &Post) -> WillResult {
        self.bindings.confab_plugin_message_hooks().call_message_will_be_posted(&mut self.store, ctx, post).expect("bare call")
    }
}
