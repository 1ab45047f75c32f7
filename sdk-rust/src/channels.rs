//! Channels (`channels` interface; capabilities `channels:read` for lookups, listings,
//! search and members, `channels:write` for create, direct and group channels, patch,
//! archive, restore and membership changes).

use crate::bindings::confab::plugin::channels as wit;
use crate::error::wit as lift;
use crate::{Channel, ChannelMember, Result};
pub use wit::ChannelPatch;

/// The most members [`list_members`] returns per page.
pub const MAX_PAGE: u32 = 200;

/// Fetches a channel by id.
pub fn get(channel_id: &str) -> Result<Channel> {
    lift(wit::get(channel_id))
}

/// Fetches a channel by its team and URL name.
pub fn get_by_name(team_id: &str, name: &str) -> Result<Channel> {
    lift(wit::get_by_name(team_id, name))
}

/// Creates a public (`O`) or private (`P`) channel; see [`Channel::new_open`].
pub fn create(channel: &Channel) -> Result<Channel> {
    lift(wit::create(channel))
}

/// The direct-message channel of two users, created on first use (Mattermost
/// `GetDirectChannel`); a bot DMs a user by posting in the channel of
/// `(bot user id, user id)`. Capability `channels:write`.
pub fn get_direct(user_a: &str, user_b: &str) -> Result<Channel> {
    lift(wit::get_direct(user_a, user_b))
}

/// Adds a user to a channel.
pub fn add_member(channel_id: &str, user_id: &str) -> Result<ChannelMember> {
    lift(wit::add_member(channel_id, user_id))
}

/// Removes a user from a channel.
pub fn remove_member(channel_id: &str, user_id: &str) -> Result<()> {
    lift(wit::remove_member(channel_id, user_id))
}

/// One page of members (`per_page` at most [`MAX_PAGE`]).
pub fn list_members(channel_id: &str, page: u32, per_page: u32) -> Result<Vec<ChannelMember>> {
    lift(wit::list_members(channel_id, page, per_page))
}

/// The group channel of 3 to 8 users, created on first use (Mattermost
/// `GetGroupChannel`); the same ids in any order give the same channel. Capability
/// `channels:write`.
pub fn get_group(user_ids: &[String]) -> Result<Channel> {
    lift(wit::get_group(user_ids))
}

/// One user's membership of a channel ([`crate::Error::NotFound`] when not a member).
pub fn get_member(channel_id: &str, user_id: &str) -> Result<ChannelMember> {
    lift(wit::get_member(channel_id, user_id))
}

/// One page of a team's public channels that are not archived, by display name
/// (`per_page` at most [`MAX_PAGE`]).
pub fn list_for_team(team_id: &str, page: u32, per_page: u32) -> Result<Vec<Channel>> {
    lift(wit::list_for_team(team_id, page, per_page))
}

/// The channels a user is a member of in a team, with their direct and group channels.
pub fn list_for_user(user_id: &str, team_id: &str) -> Result<Vec<Channel>> {
    lift(wit::list_for_user(user_id, team_id))
}

/// Changes a channel's names, purpose or header; see [`ChannelPatch::new`].
/// Capability `channels:write`.
pub fn patch(channel_id: &str, patch: &ChannelPatch) -> Result<Channel> {
    lift(wit::patch(channel_id, patch))
}

/// Archives a channel (clients get `channel_deleted`). Capability `channels:write`.
pub fn archive(channel_id: &str) -> Result<()> {
    lift(wit::archive(channel_id))
}

/// Restores an archived channel (clients get `channel_restored`). Capability
/// `channels:write`.
pub fn restore(channel_id: &str) -> Result<Channel> {
    lift(wit::restore(channel_id))
}

/// Up to 100 public channels of a team with a word starting with each word of `term`
/// in their name, display name or purpose (Mattermost `SearchChannels`).
pub fn search(team_id: &str, term: &str) -> Result<Vec<Channel>> {
    lift(wit::search(team_id, term))
}

impl ChannelPatch {
    /// A patch that changes nothing yet (builder style: set the fields to change).
    pub fn new() -> Self {
        ChannelPatch { name: None, display_name: None, purpose: None, header: None }
    }

    /// Also change the display name.
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }

    /// Also change the purpose.
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }

    /// Also change the header.
    pub fn header(mut self, header: impl Into<String>) -> Self {
        self.header = Some(header.into());
        self
    }
}

impl Default for ChannelPatch {
    fn default() -> Self {
        ChannelPatch::new()
    }
}

impl Channel {
    /// A public channel to pass to [`create`]; the host fills in ids and times.
    pub fn new_open(team_id: impl Into<String>, name: impl Into<String>, display_name: impl Into<String>) -> Self {
        Channel {
            id: String::new(),
            create_at: 0,
            update_at: 0,
            delete_at: 0,
            team_id: team_id.into(),
            type_: "O".to_owned(),
            display_name: display_name.into(),
            name: name.into(),
            header: String::new(),
            purpose: String::new(),
            creator_id: String::new(),
        }
    }

    /// The same channel as a private one (builder style).
    pub fn private(mut self) -> Self {
        self.type_ = "P".to_owned();
        self
    }
}
