//! Baselines (b) and (c) of B1: the same component called through bare wasmtime — (b) with a default engine, (c) with the engine settings the host runs plugins under (fuel metering with deadline yields, async calls) — without the host's pool, deadline, metrics, capability checks or conversions.

use std::path::Path;

use anyhow::anyhow;
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// The world both baselines call: word-filter's imports and exports.
macro_rules! word_filter_bindings {
    ($($options:tt)*) => {
        wasmtime::component::bindgen!({
            inline: "
                package confab:bench;
                world word-filter {
                    import confab:plugin/log@0.2.0;
                    import confab:plugin/config@0.2.0;
                    export confab:plugin/lifecycle@0.2.0;
                    export confab:plugin/message-hooks@0.2.0;
                }
            ",
            path: "../wit",
            $($options)*
        });
    };
}

/// (b): a synchronous call on a default engine.
pub mod plain {
    word_filter_bindings!();
}

/// (c): the same world with async exports, as the host calls them.
pub mod limited {
    word_filter_bindings!(exports: { default: async },);
}

pub use plain::confab::plugin::types::{PluginContext, Post, WillResult};

/// Store data: WASI (Rust's std imports it) and the settings JSON.
pub struct Bare {
    wasi: WasiCtx,
    table: ResourceTable,
    settings: String,
}

impl Bare {
    fn new(settings: &str) -> Bare {
        Bare { wasi: WasiCtx::builder().build(), table: ResourceTable::new(), settings: settings.to_string() }
    }
}

impl WasiView for Bare {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

macro_rules! host_imports {
    ($module:ident) => {
        impl $module::confab::plugin::types::Host for Bare {}

        impl $module::confab::plugin::log::Host for Bare {
            fn write(&mut self, _level: $module::confab::plugin::log::Level, _message: String, _fields: Vec<(String, String)>) {}
        }

        impl $module::confab::plugin::config::Host for Bare {
            fn get_settings(&mut self) -> String {
                self.settings.clone()
            }

            fn site_url(&mut self) -> String {
                String::new()
            }

            fn server_version(&mut self) -> String {
                String::new()
            }

            fn diagnostic_id(&mut self) -> Result<String, $module::confab::plugin::types::Error> {
                Ok(String::new())
            }

            fn save_settings(&mut self, _settings: String) -> Result<(), $module::confab::plugin::types::Error> {
                Err($module::confab::plugin::types::Error::PermissionDenied)
            }
        }
    };
}
host_imports!(plain);
host_imports!(limited);

fn err(e: wasmtime::Error) -> anyhow::Error {
    anyhow!("{e:#}")
}

/// (b): one instance of the component, configured and ready to call.
pub struct BareInstance {
    store: Store<Bare>,
    bindings: plain::WordFilter,
}

impl BareInstance {
    pub fn new(wasm: &Path, settings: &str) -> anyhow::Result<BareInstance> {
        let engine = Engine::default();
        let component = Component::from_file(&engine, wasm).map_err(err)?;
        let mut linker: Linker<Bare> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(err)?;
        plain::WordFilter::add_to_linker::<Bare, HasSelf<Bare>>(&mut linker, |s| s).map_err(err)?;
        let mut store = Store::new(&engine, Bare::new(settings));
        let bindings = plain::WordFilter::instantiate(&mut store, &component, &linker).map_err(err)?;
        bindings.confab_plugin_lifecycle().call_configuration_changed(&mut store).map_err(err)?.map_err(|e| anyhow!(e))?;
        Ok(BareInstance { store, bindings })
    }

    // Not inlined, so a profiler can attribute the call (`valgrind --toggle-collect`).
    #[inline(never)]
    pub fn will_be_posted(&mut self, ctx: &PluginContext, post: &Post) -> WillResult {
        self.bindings.confab_plugin_message_hooks().call_message_will_be_posted(&mut self.store, ctx, post).expect("bare call")
    }
}

/// (c): one instance on an engine configured as the host's (fuel metering, a yield
/// every million units, async calls on a fiber), with the fuel refilled before each
/// call as the host does.
pub struct LimitedInstance {
    store: Store<Bare>,
    bindings: limited::WordFilter,
}

/// Fuel per call, as the host's default.
const FUEL: u64 = 500_000_000;

impl LimitedInstance {
    pub async fn new(wasm: &Path, settings: &str) -> anyhow::Result<LimitedInstance> {
        let mut config = Config::new();
        config.wasm_component_model(true).consume_fuel(true);
        let engine = Engine::new(&config).map_err(err)?;
        let component = Component::from_file(&engine, wasm).map_err(err)?;
        let mut linker: Linker<Bare> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(err)?;
        limited::WordFilter::add_to_linker::<Bare, HasSelf<Bare>>(&mut linker, |s| s).map_err(err)?;
        let mut store = Store::new(&engine, Bare::new(settings));
        store.fuel_async_yield_interval(Some(1_000_000)).map_err(err)?;
        store.set_fuel(FUEL).map_err(err)?;
        let bindings = limited::WordFilter::instantiate_async(&mut store, &component, &linker).await.map_err(err)?;
        bindings.confab_plugin_lifecycle().call_configuration_changed(&mut store).await.map_err(err)?.map_err(|e| anyhow!(e))?;
        Ok(LimitedInstance { store, bindings })
    }

    #[inline(never)]
    pub async fn will_be_posted(&mut self, ctx: &limited::confab::plugin::types::PluginContext, post: &limited::confab::plugin::types::Post) -> bool {
        self.store.set_fuel(FUEL).expect("fuel is on");
        let result = self.bindings.confab_plugin_message_hooks().call_message_will_be_posted(&mut self.store, ctx, post).await.expect("limited call");
        matches!(result, limited::confab::plugin::types::WillResult::Replace(_))
    }
}
