//! The frozen `confab:plugin@0.1.0` contract: its bindings, and its imports implemented by converting to the current ones.
//!
//! `types` is shared with the current contract through `with:` because its records
//! have not changed shape; when one does, drop the mapping and convert field by field
//! here. Every other 0.1.0 import calls the current implementation (which does the
//! capability check), converting the few interface-local records on the way.

use super::confab::plugin as latest;
use crate::state::HostState;

wasmtime::component::bindgen!({
    path: "../wit/since_v0_1_0",
    world: "plugin",
    imports: { default: async | trappable },
    exports: { default: async },
    with: { "confab:plugin/types@0.1.0": crate::bindings::confab::plugin::types },
});

pub(crate) use exports::confab::plugin as hooks;

use confab::plugin as v1;

/// The inner result of a fallible import, in the (shared) types.
type WitResult<T> = Result<T, latest::types::Error>;

/// Implement a 0.1.0 import interface by calling the current one with each argument
/// converted by `Into` (the identity for shared types).
macro_rules! delegate {
    ($iface:ident { $(fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)* }) => {
        impl v1::$iface::Host for HostState {
            $(
                async fn $name(&mut self, $($arg: $ty),*) -> wasmtime::Result<$ret> {
                    #[allow(clippy::useless_conversion)]
                    latest::$iface::Host::$name(self, $($arg.into()),*).await.map(Into::into)
                }
            )*
        }
    };
}

use latest::types::{Channel, ChannelMember, ClusterEvent, Post, Team, TeamMember, User};

delegate!(log { fn write(level: v1::log::Level, message: String, fields: Vec<(String, String)>) -> (); });
delegate!(kv {
    fn get(key: String) -> WitResult<Option<Vec<u8>>>;
    fn set(key: String, value: Vec<u8>) -> WitResult<()>;
    fn set_with_options(key: String, value: Option<Vec<u8>>, options: v1::kv::SetOptions) -> WitResult<bool>;
    fn delete(key: String) -> WitResult<()>;
    fn list_keys(page: u32, per_page: u32) -> WitResult<Vec<String>>;
    fn delete_all() -> WitResult<()>;
});
delegate!(posts {
    fn create(post: Post) -> WitResult<Post>;
    fn get(post_id: String) -> WitResult<Post>;
    fn update(post: Post) -> WitResult<Post>;
    fn delete(post_id: String) -> WitResult<()>;
    fn send_ephemeral(user_id: String, post: Post) -> WitResult<Post>;
});
delegate!(channels {
    fn get(channel_id: String) -> WitResult<Channel>;
    fn get_by_name(team_id: String, name: String) -> WitResult<Channel>;
    fn create(channel: Channel) -> WitResult<Channel>;
    fn add_member(channel_id: String, user_id: String) -> WitResult<ChannelMember>;
    fn remove_member(channel_id: String, user_id: String) -> WitResult<()>;
    fn list_members(channel_id: String, page: u32, per_page: u32) -> WitResult<Vec<ChannelMember>>;
});
delegate!(users {
    fn get(user_id: String) -> WitResult<User>;
    fn get_by_username(username: String) -> WitResult<User>;
    fn get_by_email(email: String) -> WitResult<User>;
});
delegate!(teams {
    fn get(team_id: String) -> WitResult<Team>;
    fn get_by_name(name: String) -> WitResult<Team>;
    fn list_members(team_id: String, page: u32, per_page: u32) -> WitResult<Vec<TeamMember>>;
});
delegate!(commands {
    fn register(command: v1::commands::Command) -> WitResult<()>;
    fn unregister(team_id: String, trigger: String) -> WitResult<()>;
});
delegate!(config { fn get_settings() -> String; });
delegate!(events { fn publish(event: String, data: String, broadcast: v1::events::Broadcast) -> WitResult<()>; });
delegate!(bots { fn ensure_bot(username: String, display_name: String, description: String) -> WitResult<String>; });
delegate!(cluster { fn publish(event: ClusterEvent) -> WitResult<()>; });

impl v1::http_outbound::Host for HostState {
    async fn request(&mut self, request: v1::http_outbound::OutboundRequest) -> wasmtime::Result<WitResult<v1::http_outbound::OutboundResponse>> {
        let v1::http_outbound::OutboundRequest { method, url, headers, body } = request;
        let request = latest::http_outbound::OutboundRequest { method, url, headers, body };
        let response = latest::http_outbound::Host::request(self, request).await?;
        Ok(response.map(|r| v1::http_outbound::OutboundResponse { status: r.status, headers: r.headers, body: r.body }))
    }
}

/// Into the current type only: these 0.1.0 records only travel from the plugin to the host.
macro_rules! into_latest {
    ($iface:ident::$name:ident { $($field:ident),* $(,)? }) => {
        impl From<v1::$iface::$name> for latest::$iface::$name {
            fn from(v: v1::$iface::$name) -> Self {
                latest::$iface::$name { $($field: v.$field),* }
            }
        }
    };
}

into_latest!(kv::SetOptions { atomic, old_value, expire_in_seconds });
into_latest!(commands::Command { trigger, team_id, display_name, description, auto_complete, auto_complete_desc, auto_complete_hint, autocomplete_data });
into_latest!(events::Broadcast { user_id, channel_id, team_id, omit_users });

impl From<v1::log::Level> for latest::log::Level {
    fn from(level: v1::log::Level) -> Self {
        match level {
            v1::log::Level::Trace => latest::log::Level::Trace,
            v1::log::Level::Debug => latest::log::Level::Debug,
            v1::log::Level::Info => latest::log::Level::Info,
            v1::log::Level::Warn => latest::log::Level::Warn,
            v1::log::Level::Error => latest::log::Level::Error,
        }
    }
}
