//! Private `bindgen!` output for the `confab:plugin/plugin` world; nothing outside `host` names these types.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "plugin",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub(crate) use confab::plugin::types;
pub(crate) use exports::confab::plugin as hooks;
