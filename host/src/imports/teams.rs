//! `teams`: `teams:read` for lookups and members, `teams:write` for adding and removing members.

use super::WitResult;
use crate::bindings::confab::plugin::teams::Host;
use crate::bindings::types::{Error, Team, TeamMember};
use crate::capabilities::Capability;
use crate::state::HostState;

impl Host for HostState {
    async fn get(&mut self, team_id: String) -> wasmtime::Result<WitResult<Team>> {
        if let Err(e) = self.require(Capability::TeamsRead) {
            return Ok(Err(e));
        }
        Ok(self.api.get_team(self.plugin_id(), &team_id).await.map(Into::into).map_err(Error::from))
    }

    async fn get_by_name(&mut self, name: String) -> wasmtime::Result<WitResult<Team>> {
        if let Err(e) = self.require(Capability::TeamsRead) {
            return Ok(Err(e));
        }
        Ok(self.api.get_team_by_name(self.plugin_id(), &name).await.map(Into::into).map_err(Error::from))
    }

    async fn list_members(&mut self, team_id: String, page: u32, per_page: u32) -> wasmtime::Result<WitResult<Vec<TeamMember>>> {
        if let Err(e) = self.require(Capability::TeamsRead) {
            return Ok(Err(e));
        }
        if per_page == 0 || per_page > 200 {
            return Ok(Err(Error::InvalidInput("per-page must be 1 to 200".into())));
        }
        let members = self.api.list_team_members(self.plugin_id(), &team_id, page, per_page).await;
        Ok(members.map(|m| m.into_iter().map(Into::into).collect()).map_err(Error::from))
    }

    async fn get_member(&mut self, team_id: String, user_id: String) -> wasmtime::Result<WitResult<TeamMember>> {
        if let Err(e) = self.require(Capability::TeamsRead) {
            return Ok(Err(e));
        }
        Ok(self.api.get_team_member(self.plugin_id(), &team_id, &user_id).await.map(Into::into).map_err(Error::from))
    }

    async fn list_for_user(&mut self, user_id: String) -> wasmtime::Result<WitResult<Vec<Team>>> {
        if let Err(e) = self.require(Capability::TeamsRead) {
            return Ok(Err(e));
        }
        let teams = self.api.list_user_teams(self.plugin_id(), &user_id).await;
        Ok(teams.map(|t| t.into_iter().map(Into::into).collect()).map_err(Error::from))
    }

    async fn add_member(&mut self, team_id: String, user_id: String) -> wasmtime::Result<WitResult<TeamMember>> {
        if let Err(e) = self.require(Capability::TeamsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.add_team_member(self.plugin_id(), &team_id, &user_id).await.map(Into::into).map_err(Error::from))
    }

    async fn remove_member(&mut self, team_id: String, user_id: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::TeamsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.remove_team_member(self.plugin_id(), &team_id, &user_id).await.map_err(Error::from))
    }
}
