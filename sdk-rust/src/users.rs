//! Users (`users` interface; capability `users:read`, and `users:read-email` to see
//! email addresses, which are empty otherwise; `users:write` for [`set_status`],
//! [`patch`], [`deactivate`] and [`reactivate`]).

use crate::bindings::confab::plugin::users as wit;
use crate::error::wit as lift;
use crate::{Result, User};

/// A user's status (Mattermost `Status`), and what [`patch`] changes.
pub use wit::{UserPatch, UserStatus};

/// Fetches a user by id.
pub fn get(user_id: &str) -> Result<User> {
    lift(wit::get(user_id))
}

/// Fetches a user by username.
pub fn get_by_username(username: &str) -> Result<User> {
    lift(wit::get_by_username(username))
}

/// Fetches a user by email address.
pub fn get_by_email(email: &str) -> Result<User> {
    lift(wit::get_by_email(email))
}

/// The most users [`list_in_channel`] and [`list_in_team`] return per page.
pub const MAX_PAGE: u32 = 200;

/// The users among `user_ids` (at most 1000) that exist, in no particular order.
pub fn get_many(user_ids: &[String]) -> Result<Vec<User>> {
    lift(wit::get_many(user_ids))
}

/// One page of a channel's active members, by username (`per_page` at most [`MAX_PAGE`]).
pub fn list_in_channel(channel_id: &str, page: u32, per_page: u32) -> Result<Vec<User>> {
    lift(wit::list_in_channel(channel_id, page, per_page))
}

/// One page of a team's active members, by username (`per_page` at most [`MAX_PAGE`]).
pub fn list_in_team(team_id: &str, page: u32, per_page: u32) -> Result<Vec<User>> {
    lift(wit::list_in_team(team_id, page, per_page))
}

/// Active users whose username, nickname, first or last name starts with `term`, within
/// `channel_id` when not empty, else within `team_id` when not empty, else everyone; at
/// most `limit` of them (0: the server's default, 100).
pub fn search(term: &str, team_id: &str, channel_id: &str, limit: u32) -> Result<Vec<User>> {
    lift(wit::search(term, team_id, channel_id, limit))
}

/// A user's status; `offline` for someone who never had one.
pub fn get_status(user_id: &str) -> Result<UserStatus> {
    lift(wit::get_status(user_id))
}

/// Sets a user's status (`online`, `away`, `dnd` or `offline`) as if they had.
/// Capability `users:write`.
pub fn set_status(user_id: &str, status: &str) -> Result<UserStatus> {
    lift(wit::set_status(user_id, status))
}

/// Changes a user's profile (the checks of `PUT /users/{id}/patch`); build the patch
/// with [`UserPatch::default`] and set what changes. Capability `users:write`.
pub fn patch(user_id: &str, patch: &UserPatch) -> Result<User> {
    lift(wit::patch(user_id, patch))
}

/// Deactivates an account: its sessions end and its open connections close.
/// Capability `users:write`.
pub fn deactivate(user_id: &str) -> Result<()> {
    lift(wit::deactivate(user_id))
}

/// Reactivates a deactivated account. Capability `users:write`.
pub fn reactivate(user_id: &str) -> Result<()> {
    lift(wit::reactivate(user_id))
}

impl Default for UserPatch {
    /// A patch that changes nothing.
    fn default() -> Self {
        UserPatch { username: None, nickname: None, first_name: None, last_name: None, position: None, props: None }
    }
}
