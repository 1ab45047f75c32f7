//! Which hook families a component exports, found once at load from its exports, and each instance's handles to them.
//!
//! A family the component does not export stays `None` and is never called.

use wasmtime::Store;
use wasmtime::component::InstancePre;

use crate::bindings::hooks;
use crate::error::LoadError;
use crate::families::HookFamily;
use crate::state::HostState;

/// Indices of the hook interfaces a component exports; `None` = not exported.
#[derive(Default)]
pub(crate) struct ExportIndices {
    lifecycle: Option<hooks::lifecycle::GuestIndices>,
    message: Option<hooks::message_hooks::GuestIndices>,
    reaction: Option<hooks::reaction_hooks::GuestIndices>,
    channel: Option<hooks::channel_hooks::GuestIndices>,
    team: Option<hooks::team_hooks::GuestIndices>,
    user: Option<hooks::user_hooks::GuestIndices>,
    command: Option<hooks::command_hooks::GuestIndices>,
    http: Option<hooks::http_hooks::GuestIndices>,
    websocket: Option<hooks::websocket_hooks::GuestIndices>,
    cluster: Option<hooks::cluster_hooks::GuestIndices>,
    job: Option<hooks::job_hooks::GuestIndices>,
}

/// The exported hook functions of one instance.
pub(crate) struct Exports {
    pub lifecycle: Option<hooks::lifecycle::Guest>,
    pub message: Option<hooks::message_hooks::Guest>,
    pub reaction: Option<hooks::reaction_hooks::Guest>,
    pub channel: Option<hooks::channel_hooks::Guest>,
    pub team: Option<hooks::team_hooks::Guest>,
    pub user: Option<hooks::user_hooks::Guest>,
    pub command: Option<hooks::command_hooks::Guest>,
    pub http: Option<hooks::http_hooks::Guest>,
    pub websocket: Option<hooks::websocket_hooks::Guest>,
    pub cluster: Option<hooks::cluster_hooks::Guest>,
    pub job: Option<hooks::job_hooks::Guest>,
}

impl ExportIndices {
    /// Discover which hook interfaces `pre`'s component exports. An interface that is
    /// exported with a different shape is a load error, not a silent skip.
    pub(crate) fn discover(pre: &InstancePre<HostState>, plugin_id: &str) -> Result<ExportIndices, LoadError> {
        let component = pre.component();
        let mut found = ExportIndices::default();
        macro_rules! probe {
            ($field:ident, $family:expr, $module:ident) => {
                if component.get_export_index(None, $family.interface_name()).is_some() {
                    found.$field = Some(hooks::$module::GuestIndices::new(pre).map_err(|e| LoadError::IncompatibleExport {
                        plugin_id: plugin_id.to_string(),
                        interface: $family.interface_name(),
                        detail: format!("{e:#}"),
                    })?);
                }
            };
        }
        probe!(lifecycle, HookFamily::Lifecycle, lifecycle);
        probe!(message, HookFamily::Message, message_hooks);
        probe!(reaction, HookFamily::Reaction, reaction_hooks);
        probe!(channel, HookFamily::Channel, channel_hooks);
        probe!(team, HookFamily::Team, team_hooks);
        probe!(user, HookFamily::User, user_hooks);
        probe!(command, HookFamily::Command, command_hooks);
        probe!(http, HookFamily::Http, http_hooks);
        probe!(websocket, HookFamily::Websocket, websocket_hooks);
        probe!(cluster, HookFamily::Cluster, cluster_hooks);
        probe!(job, HookFamily::Job, job_hooks);
        Ok(found)
    }

    /// The families present.
    pub(crate) fn families(&self) -> Vec<HookFamily> {
        let present = [
            (self.lifecycle.is_some(), HookFamily::Lifecycle),
            (self.message.is_some(), HookFamily::Message),
            (self.reaction.is_some(), HookFamily::Reaction),
            (self.channel.is_some(), HookFamily::Channel),
            (self.team.is_some(), HookFamily::Team),
            (self.user.is_some(), HookFamily::User),
            (self.command.is_some(), HookFamily::Command),
            (self.http.is_some(), HookFamily::Http),
            (self.websocket.is_some(), HookFamily::Websocket),
            (self.cluster.is_some(), HookFamily::Cluster),
            (self.job.is_some(), HookFamily::Job),
        ];
        present.into_iter().filter_map(|(yes, f)| yes.then_some(f)).collect()
    }

    pub(super) fn load(&self, store: &mut Store<HostState>, instance: &wasmtime::component::Instance) -> wasmtime::Result<Exports> {
        macro_rules! load {
            ($field:ident) => {
                match &self.$field {
                    Some(indices) => Some(indices.load(&mut *store, instance)?),
                    None => None,
                }
            };
        }
        Ok(Exports {
            lifecycle: load!(lifecycle),
            message: load!(message),
            reaction: load!(reaction),
            channel: load!(channel),
            team: load!(team),
            user: load!(user),
            command: load!(command),
            http: load!(http),
            websocket: load!(websocket),
            cluster: load!(cluster),
            job: load!(job),
        })
    }
}
