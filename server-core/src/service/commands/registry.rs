//! The slash commands plugins registered, in memory like Mattermost's plugin commands: plugins register them again on every activation.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::domain::Invalid;
use crate::domain::error_ids;
use crate::service::{Error, Result};

/// A registration: (team id or "", trigger) → (plugin id, the command as registered).
type Registrations = HashMap<(String, String), (String, confab_host::types::Command)>;

/// Slash commands plugins registered, shared by the commands area and the plugin API.
#[derive(Default)]
pub struct PluginCommands {
    registered: RwLock<Registrations>,
}

impl PluginCommands {
    /// Register a plugin's slash command.
    pub fn register(&self, plugin_id: &str, command: confab_host::types::Command) -> Result<()> {
        let trigger = command.trigger.trim_start_matches('/').to_lowercase();
        if trigger.is_empty() || trigger.contains(char::is_whitespace) || trigger.len() > 128 {
            return Err(Invalid::new(error_ids::commands::IS_VALID_TRIGGER, "Invalid trigger.").into());
        }
        let mut commands = self.registered.write().unwrap();
        let key = (command.team_id.clone(), trigger);
        if let Some((owner, _)) = commands.get(&key)
            && owner != plugin_id
        {
            return Err(Error::Conflict { id: error_ids::commands::DUPLICATE_TRIGGER, message: format!("The trigger /{} is already registered.", key.1) });
        }
        commands.insert(key, (plugin_id.to_string(), command));
        Ok(())
    }

    /// Remove a plugin's slash command.
    pub fn unregister(&self, plugin_id: &str, team_id: &str, trigger: &str) {
        let key = (team_id.to_string(), trigger.trim_start_matches('/').to_lowercase());
        let mut commands = self.registered.write().unwrap();
        if commands.get(&key).is_some_and(|(owner, _)| owner == plugin_id) {
            commands.remove(&key);
        }
    }

    /// Drop every slash command a plugin registered (it was disabled or removed).
    pub fn unregister_plugin(&self, plugin_id: &str) {
        self.registered.write().unwrap().retain(|_, (owner, _)| owner != plugin_id);
    }

    /// The triggers a plugin has registered.
    pub fn triggers_of(&self, plugin_id: &str) -> Vec<String> {
        self.registered.read().unwrap().iter().filter(|(_, (owner, _))| owner == plugin_id).map(|((_, trigger), _)| trigger.clone()).collect()
    }

    /// The plugin serving `/trigger` in `team_id` (a team-specific registration wins).
    pub fn owner(&self, team_id: &str, trigger: &str) -> Option<String> {
        let commands = self.registered.read().unwrap();
        let trigger = trigger.to_lowercase();
        commands.get(&(team_id.to_string(), trigger.clone())).or_else(|| commands.get(&(String::new(), trigger))).map(|(owner, _)| owner.clone())
    }

    /// Every registration visible in `team_id` (its own and the global ones) as
    /// (trigger, plugin id, command), unsorted.
    pub fn visible_in(&self, team_id: &str) -> Vec<(String, String, confab_host::types::Command)> {
        let commands = self.registered.read().unwrap();
        commands
            .iter()
            .filter(|((team, _), _)| team.is_empty() || team == team_id)
            .map(|((_, trigger), (plugin_id, c))| (trigger.clone(), plugin_id.clone(), c.clone()))
            .collect()
    }
}
