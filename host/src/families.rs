//! Hook families: the optional export interfaces a plugin may implement, named as in the WIT.

use serde::Serialize;

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

    /// The fully qualified export name the component must carry.
    pub fn interface_name(self) -> &'static str {
        match self {
            HookFamily::Lifecycle => "confab:plugin/lifecycle@0.1.0",
            HookFamily::Message => "confab:plugin/message-hooks@0.1.0",
            HookFamily::Reaction => "confab:plugin/reaction-hooks@0.1.0",
            HookFamily::Channel => "confab:plugin/channel-hooks@0.1.0",
            HookFamily::Team => "confab:plugin/team-hooks@0.1.0",
            HookFamily::User => "confab:plugin/user-hooks@0.1.0",
            HookFamily::Command => "confab:plugin/command-hooks@0.1.0",
            HookFamily::Http => "confab:plugin/http-hooks@0.1.0",
            HookFamily::Websocket => "confab:plugin/websocket-hooks@0.1.0",
            HookFamily::Cluster => "confab:plugin/cluster-hooks@0.1.0",
            HookFamily::Job => "confab:plugin/job-hooks@0.1.0",
        }
    }
}
