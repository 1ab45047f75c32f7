//! Teams (`teams` interface; capability `teams:read`).

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
