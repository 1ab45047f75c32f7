//! Teams: create (with Mattermost's default channels), read, list, and membership.

use serde_json::json;

use super::{Caller, Error, Result, convert, now_ms, to_user};
use crate::domain::error_ids;
use crate::domain::team::{NewTeam, validate_new_team};
use crate::domain::{Invalid, Paging, Team, TeamMember};
use crate::ids::{is_valid_id, new_id};
use crate::store;

super::area!(
    /// Teams: creating, reading, membership and the team permission checks.
    Teams,
    teams
);

/// Channels every team starts with and every new member joins, as in Mattermost.
pub const DEFAULT_CHANNELS: [(&str, &str); 2] = [("town-square", "Town Square"), ("off-topic", "Off-Topic")];

const ROLE_TEAM_ADMIN: &str = "team_user team_admin";
const ROLE_TEAM_USER: &str = "team_user";

impl Teams<'_> {
    /// `POST /teams`: any user may create a team and becomes its admin.
    pub async fn create_team(&self, caller: &Caller, new: NewTeam) -> Result<Team> {
        validate_new_team(&new)?;
        let now = now_ms();
        let team = Team {
            id: new_id(),
            create_at: now,
            update_at: now,
            display_name: new.display_name,
            name: new.name,
            description: new.description,
            email: new.email,
            allow_open_invite: new.allow_open_invite.unwrap_or(new.kind == "O"),
            kind: new.kind,
            invite_id: new_id(),
            ..Team::default()
        };
        let creator = caller.user_id().to_string();
        // A plugin-created team has no creator to make admin; it still needs a row
        // for the default channels' creator, so it is created empty.
        if creator.is_empty() {
            return Err(Error::Forbidden { id: error_ids::teams::CREATE_TEAM_NO_CREATOR, message: "Teams are created by users.".into() });
        }
        let member = TeamMember::new(&team.id, &creator, ROLE_TEAM_ADMIN);
        match self.store().insert_team(&team, &member).await {
            Ok(()) => {}
            Err(store::Error::Conflict { .. }) => {
                return Err(Error::Conflict { id: error_ids::teams::SAVE_EXISTING, message: "A team with that name already exists.".into() });
            }
            Err(e) => return Err(e.into()),
        }
        for (name, display_name) in DEFAULT_CHANNELS {
            self.channels().create_default_channel(&team.id, name, display_name, &creator, now).await?;
        }
        self.after_team_join(caller, &member).await;
        Ok(team)
    }

    /// A team by id if the caller may see it: members, admins, and anyone for open teams.
    pub async fn get_team(&self, caller: &Caller, team_id: &str) -> Result<Team> {
        let team = self.team_by_id(team_id).await?;
        self.require_team_visible(caller, &team).await?;
        Ok(team)
    }

    /// A team by name, with the same visibility rule.
    pub async fn get_team_by_name(&self, caller: &Caller, name: &str) -> Result<Team> {
        let team = match self.store().get_team_by_name(name).await {
            Ok(team) => team,
            Err(store::Error::NotFound) => return Err(Error::not_found(error_ids::teams::NOT_FOUND, "team")),
            Err(e) => return Err(e.into()),
        };
        self.require_team_visible(caller, &team).await?;
        Ok(team)
    }

    /// `GET /teams`: admins see all teams, others the open ones and their own.
    pub async fn list_teams(&self, caller: &Caller, paging: Paging) -> Result<Vec<Team>> {
        let visible_to = if caller.is_admin() { None } else { Some(caller.user_id()) };
        Ok(self.store().list_teams(paging, visible_to).await?)
    }

    /// `GET /users/{id}/teams`.
    pub async fn teams_for_user(&self, caller: &Caller, user_id: &str) -> Result<Vec<Team>> {
        caller.require_self_or_admin(user_id)?;
        Ok(self.store().teams_for_user(user_id).await?)
    }

    /// `POST /teams/{id}/members`: join an open team yourself, or be added by a team
    /// or system admin. New members join the default channels.
    pub async fn add_team_member(&self, caller: &Caller, team_id: &str, user_id: &str) -> Result<TeamMember> {
        let team = self.team_by_id(team_id).await?;
        let target = self.users().get_user_checked(user_id).await?;
        let allowed = caller.is_admin() || (caller.user_id() == user_id && team.allow_open_invite) || self.is_team_admin(caller, team_id).await?;
        if !allowed {
            return Err(Error::forbidden());
        }
        let member = TeamMember::new(team_id, &target.id, ROLE_TEAM_USER);
        if let Some(host) = self.host() {
            let actor = self.actor_user(caller, user_id);
            if let Err(vetoed) = host.team_member_will_be_added(&caller.ctx, &convert::team_member_to_plugin(&member), actor.as_ref()).await {
                tracing::info!(plugin_id = %vetoed.plugin_id, %user_id, %team_id, "team membership refused by a plugin");
                let message = format!("A plugin refused adding the user to the team: {}", vetoed.reason);
                return Err(Invalid::new(error_ids::teams::JOIN_USER_TO_TEAM_REJECTED_BY_PLUGIN, message).into());
            }
        }
        if !self.store().upsert_team_member(&member).await? {
            return Ok(self.store().get_team_member(team_id, user_id).await?);
        }
        for (name, _) in DEFAULT_CHANNELS {
            if let Ok(channel) = self.store().get_channel_by_name(team_id, name).await
                && channel.delete_at == 0
            {
                // The member may already be in it (re-joining); that is fine.
                let _ = self.channels().join_channel_unchecked(caller, &channel, &target.id).await;
            }
        }
        self.after_team_join(caller, &member).await;
        Ok(member)
    }

    /// `DELETE /teams/{id}/members/{user_id}`: leave yourself, or be removed by a team
    /// or system admin. The member leaves the team's channels too.
    pub async fn remove_team_member(&self, caller: &Caller, team_id: &str, user_id: &str) -> Result<()> {
        self.team_by_id(team_id).await?;
        let allowed = caller.user_id() == user_id || caller.is_admin() || self.is_team_admin(caller, team_id).await?;
        if !allowed {
            return Err(Error::forbidden());
        }
        let member = match self.store().get_team_member(team_id, user_id).await {
            Ok(member) => member,
            Err(store::Error::NotFound) => return Err(Error::not_found(error_ids::teams::GET_MEMBER_MISSING, "team member")),
            Err(e) => return Err(e.into()),
        };
        self.store().remove_team_member(team_id, user_id, now_ms()).await?;
        self.publish_logged("leave_team", json!({ "team_id": team_id, "user_id": user_id }), super::to_team(team_id)).await;
        self.publish_logged("leave_team", json!({ "team_id": team_id, "user_id": user_id }), to_user(user_id)).await;
        if let Some(host) = self.host() {
            let actor = self.actor_user(caller, user_id);
            host.user_has_left_team(&caller.ctx, &convert::team_member_to_plugin(&member), actor.as_ref());
        }
        Ok(())
    }

    /// `GET /teams/{id}/members`: members and admins.
    pub async fn list_team_members(&self, caller: &Caller, team_id: &str, paging: Paging) -> Result<Vec<TeamMember>> {
        self.team_by_id(team_id).await?;
        self.require_team_member(caller, team_id).await?;
        Ok(self.store().list_team_members(team_id, paging).await?)
    }

    /// `GET /teams/{id}/members/{user_id}`.
    pub async fn get_team_member(&self, caller: &Caller, team_id: &str, user_id: &str) -> Result<TeamMember> {
        self.require_team_member(caller, team_id).await?;
        match self.store().get_team_member(team_id, user_id).await {
            Ok(member) => Ok(member),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::teams::GET_MEMBER_MISSING, "team member")),
            Err(e) => Err(e.into()),
        }
    }

    /// A team by id, 404 when unknown or malformed.
    pub(crate) async fn team_by_id(&self, team_id: &str) -> Result<Team> {
        if !is_valid_id(team_id) {
            return Err(Error::not_found(error_ids::teams::NOT_FOUND, "team"));
        }
        match self.store().get_team(team_id).await {
            Ok(team) if team.delete_at == 0 => Ok(team),
            Ok(_) | Err(store::Error::NotFound) => Err(Error::not_found(error_ids::teams::NOT_FOUND, "team")),
            Err(e) => Err(e.into()),
        }
    }

    /// `Forbidden` unless the caller is a member of the team (or admin).
    pub(crate) async fn require_team_member(&self, caller: &Caller, team_id: &str) -> Result<()> {
        if caller.is_admin() {
            return Ok(());
        }
        match self.store().get_team_member(team_id, caller.user_id()).await {
            Ok(_) => Ok(()),
            Err(store::Error::NotFound) => Err(Error::forbidden()),
            Err(e) => Err(e.into()),
        }
    }

    async fn require_team_visible(&self, caller: &Caller, team: &Team) -> Result<()> {
        if team.allow_open_invite { Ok(()) } else { self.require_team_member(caller, &team.id).await }
    }

    async fn is_team_admin(&self, caller: &Caller, team_id: &str) -> Result<bool> {
        match self.store().get_team_member(team_id, caller.user_id()).await {
            Ok(member) => Ok(member.is_admin()),
            Err(store::Error::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Events and hooks after someone joined a team.
    async fn after_team_join(&self, caller: &Caller, member: &TeamMember) {
        self.publish_logged("added_to_team", json!({ "team_id": member.team_id, "user_id": member.user_id }), to_user(&member.user_id)).await;
        if let Some(host) = self.host() {
            let actor = self.actor_user(caller, &member.user_id);
            host.user_has_joined_team(&caller.ctx, &convert::team_member_to_plugin(member), actor.as_ref());
        }
    }

    /// The `actor` argument of membership hooks: who acted, when not the member themself.
    pub(crate) fn actor_user(&self, caller: &Caller, member_user_id: &str) -> Option<confab_host::types::User> {
        caller.user().filter(|u| u.id != member_user_id).map(convert::user_to_plugin)
    }
}
