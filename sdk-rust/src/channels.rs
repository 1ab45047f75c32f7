//! Channels (`channels` interface; capabilities `channels:read` for lookups and
//! member lists, `channels:write` for create, direct channels and membership changes).

use crate::bindings::confab::plugin::channels as wit;
use crate::error::wit as lift;
use crate::{Channel, ChannelMember, Result};

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
