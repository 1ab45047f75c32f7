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
    /// `veto-hooks`: channel and team member additions, channel archiving.
    Veto,
    /// `account-hooks`: `user-has-been-deactivated`.
    Account,
    /// `consume-hooks`: `messages-will-be-consumed`.
    Consume,
    /// `admin-hooks`: `on-install`, `configuration-will-be-saved`.
    Admin,
}

impl HookFamily {
    /// Every family, in WIT order.
    pub const ALL: [HookFamily; 15] = [
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
        HookFamily::Veto,
        HookFamily::Account,
        HookFamily::Consume,
        HookFamily::Admin,
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
            HookFamily::Veto => "veto-hooks",
            HookFamily::Account => "account-hooks",
            HookFamily::Consume => "consume-hooks",
            HookFamily::Admin => "admin-hooks",
        }
    }

    /// The first contract version with this family; components built against an
    /// older version cannot export it.
    pub fn since(self) -> WitVersion {
        match self {
            HookFamily::Job | HookFamily::Veto | HookFamily::Account | HookFamily::Consume | HookFamily::Admin => WitVersion::V0_2_0,
            _ => WitVersion::V0_1_0,
        }
    }

    /// The fully qualified export name in `version`, e.g.
    /// `confab:plugin/message-hooks@0.2.0`.
    pub fn interface_name(self, version: WitVersion) -> String {
        version.interface_name(self.wit_name())
    }

    /// This family's bit in a set of families (`PluginHost::has_family`).
    pub(crate) fn bit(self) -> u32 {
        1 << (self as u32)
    }
}
