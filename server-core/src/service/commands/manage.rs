//! Custom slash commands' management: create, update, move, delete, list and token regeneration with Mattermost's permissions, and the command lists autocomplete offers.

use super::autocomplete::suggestions;
use super::{Commands, builtin};
use crate::domain::Invalid;
use crate::domain::command::{self, AutocompleteSuggestion, Command};
use crate::domain::error_ids;
use crate::ids::{is_valid_id, new_id};
use crate::service::{Actor, Caller, Error, Result, now_ms};
use crate::store;

impl Commands<'_> {
    /// Whether the caller may create and manage the team's commands (Mattermost's
    /// `manage_own_slash_commands` / `manage_others_slash_commands`, which the default
    /// roles give team and system admins only).
    async fn can_manage_commands(&self, caller: &Caller, team_id: &str) -> Result<bool> {
        if caller.is_admin() {
            return Ok(true);
        }
        match self.store().get_team_member(team_id, caller.user_id()).await {
            Ok(member) => Ok(member.is_admin()),
            Err(store::Error::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// A live command, 404 when unknown or malformed.
    async fn command_by_id(&self, id: &str) -> Result<Command> {
        if !is_valid_id(id) {
            return Err(Error::not_found(error_ids::commands::NOT_FOUND, "command"));
        }
        match self.store().get_command(id).await {
            Ok(c) => Ok(c),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::commands::NOT_FOUND, "command")),
            Err(e) => Err(e.into()),
        }
    }

    /// A command the caller may manage; 404 (not 403) otherwise, so ids do not leak.
    async fn managed_command(&self, caller: &Caller, id: &str) -> Result<Command> {
        let command = self.command_by_id(id).await?;
        if !self.can_manage_commands(caller, &command.team_id).await? {
            return Err(Error::not_found(error_ids::commands::NOT_FOUND, "command"));
        }
        Ok(command)
    }

    /// Refuse a trigger a built-in or another live command of the team already has.
    async fn check_trigger_free(&self, team_id: &str, trigger: &str, except_id: &str) -> Result<()> {
        let taken_by_custom = self.store().command_by_trigger(team_id, trigger).await?.is_some_and(|c| c.id != except_id);
        if builtin::is_builtin(trigger) || taken_by_custom {
            return Err(duplicate_trigger());
        }
        Ok(())
    }

    /// `POST /commands`.
    pub async fn create_command(&self, caller: &Caller, mut new: Command) -> Result<Command> {
        self.teams().team_by_id(&new.team_id).await.map_err(|_| Error::forbidden())?;
        if !self.can_manage_commands(caller, &new.team_id).await? {
            return Err(Error::forbidden());
        }
        // Creating for someone else needs `manage_others`, which the same roles have.
        let creator = if new.creator_id.is_empty() || new.creator_id == caller.user_id() {
            caller.user_id().to_string()
        } else {
            self.users().get_user_checked(&new.creator_id).await?.id
        };
        command::normalize_and_validate(&mut new)?;
        self.check_trigger_free(&new.team_id, &new.trigger, "").await?;
        let now = now_ms();
        let command =
            Command { id: new_id(), token: new_id(), create_at: now, update_at: now, delete_at: 0, creator_id: creator, plugin_id: String::new(), ..new };
        match self.store().insert_command(&command).await {
            Ok(()) => Ok(command),
            Err(store::Error::Conflict { .. }) => Err(duplicate_trigger()),
            Err(e) => Err(e.into()),
        }
    }

    /// `PUT /commands/{id}`: the team may not change; id, token, creator and dates stay.
    pub async fn update_command(&self, caller: &Caller, id: &str, new: Command) -> Result<Command> {
        if new.id != id {
            return Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, "Invalid or missing command in request body.").into());
        }
        let old = self.command_by_id(id).await?;
        if new.team_id != old.team_id {
            return Err(Invalid::new(error_ids::commands::TEAM_MISMATCH, "Unable to update commands across teams.").into());
        }
        let old = self.managed_command(caller, id).await?;
        let mut command = Command {
            id: old.id.clone(),
            token: old.token.clone(),
            create_at: old.create_at,
            update_at: now_ms(),
            delete_at: 0,
            creator_id: old.creator_id.clone(),
            team_id: old.team_id.clone(),
            plugin_id: old.plugin_id.clone(),
            ..new
        };
        command::normalize_and_validate(&mut command)?;
        self.check_trigger_free(&command.team_id, &command.trigger, &command.id).await?;
        self.save_command(&command).await?;
        Ok(command)
    }

    async fn save_command(&self, command: &Command) -> Result<()> {
        match self.store().update_command(command).await {
            Ok(()) => Ok(()),
            Err(store::Error::Conflict { .. }) => Err(duplicate_trigger()),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::commands::NOT_FOUND, "command")),
            Err(e) => Err(e.into()),
        }
    }

    /// `PUT /commands/{id}/move`: to another team the caller (and the creator) may manage.
    pub async fn move_command(&self, caller: &Caller, id: &str, team_id: &str) -> Result<()> {
        self.teams().team_by_id(team_id).await?;
        if !self.can_manage_commands(caller, team_id).await? {
            return Err(Error::forbidden());
        }
        let mut command = self.managed_command(caller, id).await?;
        let creator = self.users().get_user_checked(&command.creator_id).await?;
        let creator_caller = Caller { actor: Actor::User { user: Box::new(creator), session_id: String::new() }, ctx: caller.ctx.clone() };
        if !self.can_manage_commands(&creator_caller, team_id).await? {
            return Err(
                Invalid::new(error_ids::commands::MOVE_COMMAND_CREATOR_NO_PERMISSION, "The command's creator cannot manage commands in that team.").into()
            );
        }
        self.check_trigger_free(team_id, &command.trigger, &command.id).await?;
        command.team_id = team_id.to_string();
        command.update_at = now_ms();
        self.save_command(&command).await
    }

    /// `DELETE /commands/{id}`.
    pub async fn delete_command(&self, caller: &Caller, id: &str) -> Result<()> {
        let command = self.managed_command(caller, id).await?;
        self.store().delete_command(&command.id, now_ms()).await?;
        Ok(())
    }

    /// `GET /commands/{id}`.
    pub async fn get_command(&self, caller: &Caller, id: &str) -> Result<Command> {
        self.managed_command(caller, id).await
    }

    /// `PUT /commands/{id}/regen_token`: the new token.
    pub async fn regen_command_token(&self, caller: &Caller, id: &str) -> Result<String> {
        let mut command = self.managed_command(caller, id).await?;
        command.token = new_id();
        command.update_at = now_ms();
        self.save_command(&command).await?;
        Ok(command.token)
    }

    /// `GET /commands?team_id&custom_only`: with `custom_only`, the team's custom
    /// commands in full (managers only); otherwise every command the caller can run,
    /// custom ones sanitized (only autocomplete ones for people who cannot manage them).
    pub async fn list_commands(&self, caller: &Caller, team_id: &str, custom_only: bool) -> Result<Vec<Command>> {
        if !is_valid_id(team_id) {
            return Err(Invalid::new(error_ids::context::INVALID_URL_PARAM, "Invalid or missing team_id parameter in request URL.").into());
        }
        self.teams().require_team_member(caller, team_id).await?;
        let manager = self.can_manage_commands(caller, team_id).await?;
        if custom_only {
            if !manager {
                return Err(Error::forbidden());
            }
            return Ok(self.store().team_commands(team_id, None).await?);
        }
        self.command_list(team_id, !manager).await
    }

    /// `GET /teams/{team_id}/commands/autocomplete`.
    pub async fn autocomplete_commands(&self, caller: &Caller, team_id: &str) -> Result<Vec<Command>> {
        self.teams().team_by_id(team_id).await?;
        self.teams().require_team_member(caller, team_id).await?;
        self.command_list(team_id, true).await
    }

    /// Built-ins, then plugin commands, then the team's custom commands (sanitized),
    /// the first of a trigger winning; `autocomplete_only` keeps only those offered.
    async fn command_list(&self, team_id: &str, autocomplete_only: bool) -> Result<Vec<Command>> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let plugin_commands = self.visible_plugin_commands(team_id);
        let custom = self.store().team_commands(team_id, None).await?;
        for c in builtin::commands().into_iter().chain(plugin_commands).chain(custom.into_iter().map(Command::sanitized)) {
            if (c.auto_complete || !autocomplete_only) && seen.insert(c.trigger.clone()) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Plugin registrations visible in `team_id`, as Mattermost `Command`s.
    fn visible_plugin_commands(&self, team_id: &str) -> Vec<Command> {
        // Registrations of a plugin that stopped stay until it registers again; they
        // are not offered meanwhile (and `execute` falls through past them).
        let running = |plugin_id: &str| self.host().and_then(|h| h.status(plugin_id)).is_some_and(|s| s.state == confab_host::PluginState::Running);
        let mut out: Vec<Command> = self
            .plugin_commands()
            .visible_in(team_id)
            .into_iter()
            .filter(|(_, plugin_id, _)| running(plugin_id))
            .map(|(trigger, plugin_id, c)| Command {
                trigger,
                team_id: c.team_id.clone(),
                display_name: c.display_name.clone(),
                description: c.description.clone(),
                auto_complete: c.auto_complete,
                auto_complete_desc: c.auto_complete_desc.clone(),
                auto_complete_hint: c.auto_complete_hint.clone(),
                plugin_id,
                autocomplete_data: serde_json::from_str(&c.autocomplete_data).ok(),
                ..Command::default()
            })
            .collect();
        // A team-specific registration wins over a global one of the same trigger.
        out.sort_by(|a, b| (&a.trigger, a.team_id.is_empty()).cmp(&(&b.trigger, b.team_id.is_empty())));
        out
    }

    /// `GET /teams/{team_id}/commands/autocomplete_suggestions?user_input=`: commands
    /// whose trigger starts with what was typed, then, once a command is complete, its
    /// sub-commands and static list items from `AutocompleteData`.
    pub async fn autocomplete_suggestions(&self, caller: &Caller, team_id: &str, user_input: &str) -> Result<Vec<AutocompleteSuggestion>> {
        let commands = self.autocomplete_commands(caller, team_id).await?;
        Ok(suggestions(&commands, user_input, caller.is_admin()))
    }
}

fn duplicate_trigger() -> Error {
    Error::Invalid(Invalid::new(error_ids::commands::DUPLICATE_TRIGGER, "This trigger word is already in use. Please choose another word."))
}
