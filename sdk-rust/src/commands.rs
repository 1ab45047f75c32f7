//! Slash commands (`commands` interface; capability `commands`). Invocations arrive
//! in `Plugin::execute_command`.

use crate::Result;
use crate::bindings::confab::plugin::commands as wit;
use crate::error::wit as lift;

/// A command registration (Mattermost `Command`); build it with [`Command::new`].
pub use wit::Command;

/// Registers (or re-registers) a command. Registrations end when the plugin is
/// deactivated, so register in `activate`.
pub fn register(command: &Command) -> Result<()> {
    lift(wit::register(command))
}

/// Removes a registration.
pub fn unregister(team_id: &str, trigger: &str) -> Result<()> {
    lift(wit::unregister(team_id, trigger))
}

impl Command {
    /// A command for every team, with autocomplete on. `trigger` has no slash.
    pub fn new(trigger: impl Into<String>, description: impl Into<String>) -> Self {
        let trigger = trigger.into();
        let description = description.into();
        Command {
            display_name: trigger.clone(),
            trigger,
            team_id: String::new(),
            auto_complete: true,
            auto_complete_desc: description.clone(),
            description,
            auto_complete_hint: String::new(),
            autocomplete_data: String::new(),
        }
    }

    /// Sets the autocomplete hint, e.g. `[name]` (builder style).
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.auto_complete_hint = hint.into();
        self
    }

    /// Limits the command to one team (builder style).
    pub fn in_team(mut self, team_id: impl Into<String>) -> Self {
        self.team_id = team_id.into();
        self
    }
}
