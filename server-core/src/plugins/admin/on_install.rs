//! `on-install`: remembered when an install commits, delivered after the first successful activation that follows (at once when the install swapped in a serving version, else on the enable or permission approval that starts it).
//!
//! The pending install is kept in memory: a server restarted between an install and the
//! plugin's first activation does not deliver it.

use confab_host::types::PluginContext;

use super::PluginAdmin;
use crate::service::Caller;

/// Who installed a plugin whose `on-install` is still due.
#[derive(Debug, Clone)]
pub(super) struct PendingInstall {
    user_id: String,
    ctx: PluginContext,
}

impl PluginAdmin {
    /// An install of `id` by `caller` committed; `serving` when it is active already.
    pub(super) async fn installed_by(&self, id: &str, caller: &Caller, serving: bool) {
        let pending = PendingInstall { user_id: caller.user().map(|u| u.id.clone()).unwrap_or_default(), ctx: caller.ctx.clone() };
        self.pending_installs.lock().unwrap().insert(id.to_string(), pending);
        if serving {
            self.activated(id).await;
        }
    }

    /// `id` started serving: deliver its `on-install` if an install is pending. Its
    /// error, or its failure, is only logged.
    pub(super) async fn activated(&self, id: &str) {
        let Some(pending) = self.pending_installs.lock().unwrap().remove(id) else { return };
        match self.host.on_install(id, &pending.ctx, &pending.user_id).await {
            Ok(Ok(())) => tracing::info!(plugin_id = id, user_id = %pending.user_id, "on-install delivered"),
            Ok(Err(reason)) => tracing::warn!(plugin_id = id, %reason, "on-install returned an error"),
            Err(e) => tracing::warn!(plugin_id = id, error = %e, "on-install failed"),
        }
    }
}
