//! Private `bindgen!` output, one module per served contract version; nothing outside `host` names these types.
//!
//! The module root is the current contract (`wit/`, `confab:plugin@0.2.0`): the host
//! implements every import once, against these types, and dispatch speaks them.
//! `since_v0_1_0` is the frozen `0.1.0` contract (`wit/since_v0_1_0/`); its imports
//! delegate to the current ones and its hook exports are wrapped so dispatch calls
//! them with the current types (Zed's extension host does the same with its
//! `since_vX_Y` modules). A new version module is added only when a change breaks the
//! old shape; see `wit/README.md`.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "plugin",
    // `hook-post` only reads the lent post: synchronous, the cheaper host call.
    imports: { "confab:plugin/hook-post": trappable, default: async | trappable },
    exports: { default: async },
});

pub(crate) mod since_v0_1_0;

pub(crate) use confab::plugin::types;
pub(crate) use exports::confab::plugin as hooks;
