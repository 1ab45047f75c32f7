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

pub use plain::confab::plugin::hook_post::PostVerdict;

/// The post both baselines lend their hook, as the host does (`hook-post`).
#[derive(Debug, Clone, Default)]
pub struct LentPost {
    pub user_id: String,
    pub channel_id: String,
    pub message: String,
}

/// Store data: WASI (Rust's std imports it), the settings JSON and the lent post.
pub struct Bare {
    wasi: WasiCtx,
    table: ResourceTable,
    settings: String,
    post: LentPost,
}

impl Bare {
    fn new(settings: &str, post: LentPost) -> Bare {
        Bare { wasi: WasiCtx::builder().build(), table: ResourceTable::new(), settings: settings.to_string(), post }
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

        // The lent post: each function answers one field, as the host's do.
        impl $module::confab::plugin::hook_post::Host for Bare {
            fn id(&mut self) -> String {
                String::new()
            }

            fn user_id(&mut self) -> String {
                self.post.user_id.clone()
            }

            fn channel_id(&mut self) -> String {
                self.post.channel_id.clone()
            }

            fn root_id(&mut self) -> String {
                String::new()
            }

            fn message(&mut self) -> String {
                self.post.message.clone()
            }

            fn type_(&mut self) -> String {
                String::new()
            }

            fn props(&mut self) -> String {
                "{}".into()
            }

            fn file_ids(&mut self) -> Vec<String> {
                Vec::new()
            }

            fn metadata(&mut self) -> String {
                "{}".into()
            }

            fn whole(&mut self) -> $module::confab::plugin::types::Post {
                $module::confab::plugin::types::Post {
                    id: String::new(),
                    create_at: 0,
                    update_at: 0,
                    edit_at: 0,
                    delete_at: 0,
                    user_id: self.post.user_id.clone(),
                    channel_id: self.post.channel_id.clone(),
                    root_id: String::new(),
                    message: self.post.message.clone(),
                    type_: String::new(),
                    props: "{}".into(),
                    is_pinned: false,
                }
            }

            fn context(&mut self) -> $module::confab::plugin::types::PluginContext {
                $module::confab::plugin::types::PluginContext {
                    session_id: String::new(),
                    request_id: String::new(),
                    ip_address: String::new(),
                    accept_language: String::new(),
                    user_agent: String::new(),
                }
            }

            fn connection_id(&mut self) -> String {
                String::new()
            }

            fn old_post(&mut self) -> Option<$module::confab::plugin::types::Post> {
                None
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
    pub fn new(wasm: &Path, settings: &str, post: LentPost) -> anyhow::Result<BareInstance> {
        let engine = Engine::default();
        let component = Component::from_file(&engine, wasm).map_err(err)?;
        let mut linker: Linker<Bare> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(err)?;
        plain::WordFilter::add_to_linker::<Bare, HasSelf<Bare>>(&mut linker, |s| s).map_err(err)?;
        let mut store = Store::new(&engine, Bare::new(settings, post));
        let bindings = plain::WordFilter::instantiate(&mut store, &component, &linker).map_err(err)?;
        bindings.confab_plugin_lifecycle().call_configuration_changed(&mut store).map_err(err)?.map_err(|e| anyhow!(e))?;
        Ok(BareInstance { store, bindings })
    }

    // Not inlined, so a profiler can attribute the call (`valgrind --toggle-collect`).
    #[inline(never)]
    pub fn will_be_posted(&mut self) -> PostVerdict {
        self.bindings.confab_plugin_message_hooks().call_message_will_be_posted(&mut self.store).expect("bare call")
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
    pub async fn new(wasm: &Path, settings: &str, post: LentPost) -> anyhow::Result<LimitedInstance> {
        let mut config = Config::new();
        config.wasm_component_model(true).consume_fuel(true);
        let engine = Engine::new(&config).map_err(err)?;
        let component = Component::from_file(&engine, wasm).map_err(err)?;
        let mut linker: Linker<Bare> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(err)?;
        limited::WordFilter::add_to_linker::<Bare, HasSelf<Bare>>(&mut linker, |s| s).map_err(err)?;
        let mut store = Store::new(&engine, Bare::new(settings, post));
        store.fuel_async_yield_interval(Some(1_000_000)).map_err(err)?;
        store.set_fuel(FUEL).map_err(err)?;
        let bindings = limited::WordFilter::instantiate_async(&mut store, &component, &linker).await.map_err(err)?;
        bindings.confab_plugin_lifecycle().call_configuration_changed(&mut store).await.map_err(err)?.map_err(|e| anyhow!(e))?;
        Ok(LimitedInstance { store, bindings })
    }

    #[inline(never)]
    pub async fn will_be_posted(&mut self) -> bool {
        self.store.set_fuel(FUEL).expect("fuel is on");
        let result = self.bindings.confab_plugin_message_hooks().call_message_will_be_posted(&mut self.store).await.expect("limited call");
        matches!(result, limited::confab::plugin::hook_post::PostVerdict::Change(_))
    }
}
