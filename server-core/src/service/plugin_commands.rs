//! The slash commands plugins registered, seen from plugin administration: dropped when a plugin is disabled or removed.

use super::Services;

impl Services {
    /// Drop every slash command a plugin registered (it was disabled or removed).
    pub fn unregister_plugin_commands(&self, plugin_id: &str) {
        self.inner.commands.write().unwrap().retain(|_, (owner, _)| owner != plugin_id);
    }

    /// The triggers a plugin has registered.
    pub fn plugin_command_triggers(&self, plugin_id: &str) -> Vec<String> {
        self.inner.commands.read().unwrap().iter().filter(|(_, (owner, _))| owner == plugin_id).map(|((_, trigger), _)| trigger.clone()).collect()
    }
}
