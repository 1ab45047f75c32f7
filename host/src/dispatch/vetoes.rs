//! The veto chains of `veto-hooks`: channel and team member additions and channel archiving, run before the change is stored.
//!
//! Each chain runs over the plugins exporting `veto-hooks` in plugin-id order; the first
//! reason refuses. A failing plugin is skipped (fail-open) unless its limits say
//! `fail_closed`, when its failure refuses with a reason naming it.

use crate::bindings::types as wit;
use crate::error::CallError;
use crate::families::HookFamily;
use crate::host::PluginHost;
use crate::runtime::PluginRuntime;
use crate::types::{Channel, ChannelMember, PluginContext, TeamMember, User};

/// A refusal by a veto hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vetoed {
    /// The plugin that refused.
    pub plugin_id: String,
    /// Its reason, shown to the caller.
    pub reason: String,
}

/// A failure's effect on a veto chain: `None` skips the plugin (fail-open, or a plugin
/// that stopped meanwhile), `Some` refuses for a `fail_closed` plugin.
fn failure_veto(runtime: &PluginRuntime, error: &CallError, what: &str) -> Option<Vetoed> {
    if !runtime.limits.fail_closed || matches!(error, CallError::NotRunning { .. }) {
        return None;
    }
    Some(Vetoed { plugin_id: runtime.id().to_string(), reason: format!("the plugin `{}` failed to check {what}", runtime.id()) })
}

/// Define one veto chain: its arguments are converted once and lowered by every plugin.
macro_rules! veto_chain {
    ($(#[$doc:meta])* $name:ident($subject:ident: $ty:ty => $wit:ty), $hook:literal, $what:literal, $method:ident) => {
        $(#[$doc])*
        pub async fn $name(&self, ctx: &PluginContext, $subject: &$ty, actor: Option<&User>) -> Result<(), Vetoed> {
            if !self.has_family(HookFamily::Veto) {
                return Ok(());
            }
            let args: (wit::PluginContext, $wit, Option<wit::User>) = (ctx.clone().into(), $subject.clone().into(), actor.cloned().map(Into::into));
            // Borrowed from one snapshot: the chain runs on the request path.
            let snapshot = self.snapshot();
            for runtime in snapshot.iter().filter(|r| r.exports(HookFamily::Veto)) {
                let result = runtime
                    .call($hook, &args, |inst, (ctx, subject, actor)| {
                        Box::pin(async move {
                            inst.exports.veto.as_ref().expect("exports veto-hooks").$method(&mut inst.store, ctx, subject, actor.as_ref()).await
                        })
                    })
                    .await;
                match result {
                    Ok(None) => {}
                    Ok(Some(reason)) => return Err(Vetoed { plugin_id: runtime.id().to_string(), reason }),
                    Err(e) => {
                        if let Some(vetoed) = failure_veto(runtime, &e, $what) {
                            return Err(vetoed);
                        }
                    }
                }
            }
            Ok(())
        }
    };
}

impl PluginHost {
    veto_chain!(
        /// Run `channel-member-will-be-added` before `member` is stored; `actor` is who
        /// adds them when someone else does.
        channel_member_will_be_added(member: ChannelMember => wit::ChannelMember),
        "channel-member-will-be-added",
        "this channel membership",
        call_channel_member_will_be_added
    );
    veto_chain!(
        /// Run `team-member-will-be-added` before `member` is stored.
        team_member_will_be_added(member: TeamMember => wit::TeamMember),
        "team-member-will-be-added",
        "this team membership",
        call_team_member_will_be_added
    );
    veto_chain!(
        /// Run `channel-will-be-archived` before `channel` is archived; `actor` is who
        /// archives it.
        channel_will_be_archived(channel: Channel => wit::Channel),
        "channel-will-be-archived",
        "archiving this channel",
        call_channel_will_be_archived
    );
}
