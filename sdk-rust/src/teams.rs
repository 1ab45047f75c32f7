//! Teams (`teams` interface; capabilities `teams:read` for lookups and members,
//! `teams:write` for adding and removing members).

use crate::bindings::confab::plugin::teams as wit;
use crate::error::wit as lift;
use crate::{Result, Team, TeamMember};

/// The most members [`list_members`] returns per page.
pub const MAX_PAGE: u32 = 200;

/// Fetches a team by id.
pub fn get(team_id: &str) -> Result<Team> {
    lift(wit::get(team_id))
}

/// Fetches a team by URL name.
pub fn get_by_name(name: &str) -> Result<Team> {
    lift(wit::get_by_name(name))
}

/// One page of members (`per_page` at most [`MAX_PAGE`]).
pub fn list_members(team_id: &str, page: u32, per_page: u32) -> Result<Vec<TeamMember>> {
    lift(wit::list_members(team_id, page, per_page))
}

/// One user's membership of a team ([`crate::Error::NotFound`] when not a member).
pub fn get_member(team_id: &str, user_id: &str) -> Result<TeamMember> {
    lift(wit::get_member(team_id, user_id))
}

/// The teams a user is a member of.
pub fn list_for_user(user_id: &str) -> Result<Vec<Team>> {
    lift(wit::list_for_user(user_id))
}

/// Adds a user to a team and its default channels; adding a member again returns
/// their membership. Capability `teams:write`.
pub fn add_member(team_id: &str, user_id: &str) -> Result<TeamMember> {
    lift(wit::add_member(team_id, user_id))
}

/// Removes a user from a team and its channels. Capability `teams:write`.
pub fn remove_member(team_id: &str, user_id: &str) -> Result<()> {
    lift(wit::remove_member(team_id, user_id))
}
