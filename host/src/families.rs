//! Hook families: the optional export interfaces a plugin may implement, named as in the WIT.

use serde::Serialize;

use crate::versions::WitVersion;

/// One optional export interface of the `confab:plugin` package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookFamily {
    /// `lifecycle`: activate, deactivate, configuration-changed.
    Lifecycle,
    /// `message-hooks`.
    Message,
    /// `reaction-hooks`.
    Reaction,
    /// `channel-hooks`.
    Channel,
    /// `team-hooks`.
    Team,
    /// `user-hooks`.
    User,
    /// `command-hooks`.
    Command,
    /// `http-hooks`.
    Http,
    /// `websocket-hooks`.
    Websocket,
    /// `cluster-hooks`.
    Cluster,
    /// `job-hooks`: scheduled jobs (`run-job`).
    Job,
}

impl HookFamily {
    /// Every family, in WIT order.
    pub const ALL: [HookFamily; 11] = [
        HookFamily::Lifecycle,
        HookFamily::Message,
        HookFamily::Reaction,
        HookFamily::Channel,
        HookFamily::Team,
        HookFamily::User,
        HookFamily::Command,
        HookFamily::Http,
        HookFamily::Websocket,
        HookFamily::Cluster,
        HookFamily::Job,
    ];

    /// The interface name without package and version, as in `hooks.wit`.
    pub fn wit_name(self) -> &'static str {
        match self {
            HookFamily::Lifecycle => "lifecycle",
            HookFamily::Message => "message-hooks",
            HookFamily::Reaction => "reaction-hooks",
            HookFamily::Channel => "channel-hooks",
            HookFamily::Team => "team-hooks",
            HookFamily::User => "user-hooks",
            HookFamily::Command => "command-hooks",
            HookFamily::Http => "http-hooks",
            HookFamily::Websocket => "websocket-hooks",
            HookFamily::Cluster => "cluster-hooks",
            HookFamily::Job => "job-hooks",
        }
    }

    /// The first contract version with this family; components built against an
    /// older version cannot export it.
    pub fn since(self) -> WitVersion {
        match self {
            HookFamily::Job => WitVersion::V0_2_0,
            _ => WitVersion::V0_1_0,
        }
    }

    /// The fully qualified export name in `version`, e.g.
    /// `confab:plugin/message-hooks@0.2.0`.
    pub fn interface_name(self, version: WitVersion) -> String {
        version.interface_name(self.wit_name())
    }
}
