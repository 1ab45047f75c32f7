//! `admin-hooks`: `on-install` after the first activation that follows an install, and `configuration-will-be-saved` before a plugin's settings are stored.

use crate::bindings::types as wit;
use crate::error::CallError;
use crate::families::HookFamily;
use crate::host::PluginHost;
use crate::types::PluginContext;

/// What `configuration-will-be-saved` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsVerdict {
    /// Save the settings as given.
    Keep,
    /// Save this JSON object instead.
    Replace(String),
    /// Refuse the save with the plugin's message.
    Refuse(String),
}

impl PluginHost {
    /// Run `on-install` on `plugin_id` with the admin who installed it (empty when the
    /// server did). `Ok(Err(text))` is the plugin's own error, which the caller logs;
    /// a plugin not exporting `admin-hooks` is not called (`Ok(Ok(()))`).
    pub async fn on_install(&self, plugin_id: &str, ctx: &PluginContext, user_id: &str) -> Result<Result<(), String>, CallError> {
        let runtime = self.runtime(plugin_id)?;
        if !runtime.exports(HookFamily::Admin) {
            return Ok(Ok(()));
        }
        let args = (wit::PluginContext::from(ctx.clone()), wit::InstallEvent { user_id: user_id.to_string() });
        runtime
            .call("on-install", &args, |inst, (ctx, event)| {
                Box::pin(async move { inst.exports.admin.as_ref().expect("exports admin-hooks").call_on_install(&mut inst.store, ctx, event).await })
            })
            .await
    }

    /// Run `configuration-will-be-saved` on `plugin_id` with the settings about to be
    /// stored (a JSON object). A plugin that is not running or does not export
    /// `admin-hooks` keeps them. A failing plugin keeps them too, unless its limits say
    /// `fail_closed`, which refuses the save.
    pub async fn configuration_will_be_saved(&self, plugin_id: &str, settings: &str) -> SettingsVerdict {
        let Ok(runtime) = self.runtime(plugin_id) else { return SettingsVerdict::Keep };
        if !runtime.exports(HookFamily::Admin) {
            return SettingsVerdict::Keep;
        }
        let args = settings.to_string();
        let result = runtime
            .call("configuration-will-be-saved", &args, |inst, settings| {
                Box::pin(
                    async move { inst.exports.admin.as_ref().expect("exports admin-hooks").call_configuration_will_be_saved(&mut inst.store, settings).await },
                )
            })
            .await;
        match result {
            Ok(Ok(None)) => SettingsVerdict::Keep,
            Ok(Ok(Some(replacement))) => SettingsVerdict::Replace(replacement),
            Ok(Err(message)) => SettingsVerdict::Refuse(message),
            Err(CallError::NotRunning { .. }) => SettingsVerdict::Keep,
            Err(e) if runtime.limits.fail_closed => SettingsVerdict::Refuse(format!("the plugin `{plugin_id}` failed to check its settings: {e}")),
            Err(_) => SettingsVerdict::Keep,
        }
    }
}
