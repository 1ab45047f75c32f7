//! Group channels (`G`): the one channel of 3 to 8 users, found by the SHA-1 of their ids and created on first use, as Mattermost's `CreateGroupChannel`.

use serde_json::json;

use super::{Channels, ROLE_CHANNEL_USER, member};
use crate::domain::channel::{GROUP_MAX_USERS, GROUP_MIN_USERS, group_channel_name, group_display_name};
use crate::domain::{Channel, ChannelMember, Invalid, error_ids};
use crate::service::{Caller, Result, now_ms, to_channel};
use crate::store;

impl Channels<'_> {
    /// `POST /channels/group` and the plugin API's `get-group`: the group channel of
    /// `user_ids`, created on first use, with whether it was. A signed-in caller is
    /// always one of the users (added when missing, as Mattermost does), so nobody
    /// opens a group they are not in; a plugin names every member itself. Duplicate ids
    /// count once; then 3 to 8 users, every one existing.
    pub async fn create_group_channel(&self, caller: &Caller, user_ids: &[String]) -> Result<(Channel, bool)> {
        if user_ids.is_empty() {
            return Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, "Invalid or missing user_ids in request body.").into());
        }
        let mut ids: Vec<String> = Vec::with_capacity(user_ids.len() + 1);
        for id in user_ids.iter().map(String::as_str).chain(caller.user().map(|u| u.id.as_str())) {
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_string());
            }
        }
        if !(GROUP_MIN_USERS..=GROUP_MAX_USERS).contains(&ids.len()) {
            let message = format!("Group message channels must contain at least {GROUP_MIN_USERS} and no more than {GROUP_MAX_USERS} users.");
            return Err(Invalid::new(error_ids::channels::CREATE_GROUP_BAD_SIZE, message).into());
        }
        let users = self.store().get_users_by_ids(&ids).await?;
        if users.len() != ids.len() {
            return Err(Invalid::new(error_ids::channels::CREATE_GROUP_BAD_USER, "One of the provided users does not exist.").into());
        }
        let name = group_channel_name(&ids);
        if let Ok(existing) = self.store().get_channel_by_name("", &name).await {
            return Ok((existing, false));
        }
        let now = now_ms();
        let usernames: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
        let channel = Channel {
            id: crate::ids::new_id(),
            create_at: now,
            update_at: now,
            kind: "G".into(),
            display_name: group_display_name(&usernames),
            name,
            creator_id: caller.user_id().to_string(),
            ..Channel::default()
        };
        let members: Vec<ChannelMember> = ids.iter().map(|id| member(&channel.id, id, ROLE_CHANNEL_USER, now)).collect();
        match self.store().insert_channel(&channel, &members).await {
            Ok(()) => {}
            // Another member opened it at the same moment.
            Err(store::Error::Conflict { .. }) => return Ok((self.store().get_channel_by_name("", &channel.name).await?, false)),
            Err(e) => return Err(e.into()),
        }
        // Mattermost sends the ids as a JSON array in a string.
        let teammates = serde_json::to_string(&ids).expect("strings serialize");
        self.publish_logged("group_added", json!({ "teammate_ids": teammates }), to_channel(&channel.id)).await;
        self.after_channel_created(caller, &channel, &members).await;
        Ok((channel, true))
    }
}
