//! The Confab plugin SDK: typed host calls, record helpers and the `Plugin` trait.
#![doc = include_str!("../README.md")]

mod bindings;
pub mod bots;
pub mod channels;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod dialogs;
mod error;
pub mod events;
mod hook_post;
pub mod http;
pub mod kv;
pub mod log;
pub mod metrics;
mod plugin;
pub mod plugin_http;
pub mod posts;
mod records;
pub mod scheduler;
pub mod teams;
pub mod users;

pub use confab_plugin_macros::plugin;
pub use error::{Error, Result};
pub use hook_post::{HookPost, PostChange, PostVerdict};
pub use plugin::Plugin;

/// The records shared by host calls and hooks, exactly as the WIT `types` interface
/// defines them (field names are the WIT names in snake_case).
pub mod types {
    pub use crate::bindings::confab::plugin::types::{
        Channel, ChannelMember, ClusterEvent, CommandArgs, CommandResponse, Headers, HttpRequest, HttpResponse, InstallEvent, JobRun, PluginContext, Post,
        Reaction, Team, TeamMember, User, WebsocketRequest, WillResult,
    };
}

pub use types::{
    Channel, ChannelMember, ClusterEvent, CommandArgs, CommandResponse, Headers, HttpRequest, HttpResponse, InstallEvent, JobRun, PluginContext, Post,
    Reaction, Team, TeamMember, User, WebsocketRequest, WillResult,
};

/// Everything a plugin usually needs: `use confab_plugin::prelude::*;`.
pub mod prelude {
    pub use crate::types::*;
    pub use crate::{Error, HookPost, Plugin, PostChange, PostVerdict, Result, plugin};
}

/// Support for the code `#[plugin]` generates. Not a public API: it changes without
/// notice.
#[doc(hidden)]
pub mod __private {
    use std::any::Any;
    use std::cell::OnceCell;

    use crate::Plugin;

    /// The generated export bindings name the runtime through this path so plugin
    /// crates need no direct `wit-bindgen` dependency (and cannot pick another
    /// version of it).
    pub use wit_bindgen;

    /// The generated export bindings map the WIT `types` interface here (`with:`), so
    /// hooks and host calls share one set of Rust types.
    pub use crate::bindings::confab::plugin::types;

    /// Likewise for `hook-post`, whose verdict the message hooks return.
    pub use crate::bindings::confab::plugin::hook_post;

    std::thread_local! {
        // A component instance runs one call at a time on one thread (core wasm has no
        // threads here), so a thread-local is exactly "one per instance". `&'static dyn
        // Any` because a generic function cannot own a generic static; the macro only
        // ever asks for one type per component, so the downcast cannot fail in practice.
        static INSTANCE: OnceCell<&'static dyn Any> = const { OnceCell::new() };
    }

    /// The plugin value of this instance, created with `Default` on first use and
    /// kept (leaked) until the instance is dropped by the host.
    pub fn instance<P: Plugin>() -> &'static P {
        let any = INSTANCE.with(|cell| {
            *cell.get_or_init(|| {
                let leaked: &'static P = Box::leak(Box::new(P::default()));
                leaked as &'static dyn Any
            })
        });
        any.downcast_ref::<P>().expect("#[confab_plugin::plugin] used on more than one type in one component")
    }
}
