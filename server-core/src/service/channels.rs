//! Channels: create (public, private, direct), read, list, patch, archive, restore, and membership, with the visibility rule every read goes through.

mod group;
mod search;

use serde_json::json;

use super::{Caller, Error, Result, convert, now_ms, to_channel, to_team, to_user};
use crate::domain::channel::{ChannelPatch, NewChannel, direct_channel_name, validate_names, validate_new_channel, validate_texts};
use crate::domain::error_ids;
use crate::domain::{Channel, ChannelMember, ChannelType, Invalid, Paging};
use crate::hub::BroadcastInfo;
use crate::ids::{is_valid_id, new_id};
use crate::store;

super::area!(
    /// Channels: creating, reading, patching, archiving, membership and the channel permission checks.
    Channels,
    channels
);

const ROLE_CHANNEL_ADMIN: &str = "channel_user channel_admin";
const ROLE_CHANNEL_USER: &str = "channel_user";

fn member(channel_id: &str, user_id: &str, roles: &str, now: i64) -> ChannelMember {
    ChannelMember {
        channel_id: channel_id.into(),
        user_id: user_id.into(),
        roles: roles.into(),
        last_viewed_at: now,
        last_update_at: now,
        ..ChannelMember::default()
    }
}

impl Channels<'_> {
    /// `POST /channels`: team members create public and private channels.
    pub async fn create_channel(&self, caller: &Caller, new: NewChannel) -> Result<Channel> {
        let kind = validate_new_channel(&new)?;
        self.teams().team_by_id(&new.team_id).await?;
        self.teams().require_team_member(caller, &new.team_id).await?;
        let now = now_ms();
        let channel = Channel {
            id: new_id(),
            create_at: now,
            update_at: now,
            team_id: new.team_id,
            kind: kind.letter().into(),
            display_name: new.display_name,
            name: new.name,
            header: new.header,
            purpose: new.purpose,
            creator_id: caller.user_id().to_string(),
            ..Channel::default()
        };
        let members: Vec<ChannelMember> = match caller.user() {
            Some(user) => vec![member(&channel.id, &user.id, ROLE_CHANNEL_ADMIN, now)],
            None => Vec::new(),
        };
        self.insert_channel_mapped(&channel, &members).await?;
        self.after_channel_created(caller, &channel, &members).await;
        Ok(channel)
    }

    /// A team's default channel, created with the team (`town-square`, `off-topic`).
    pub(crate) async fn create_default_channel(&self, team_id: &str, name: &str, display_name: &str, creator_id: &str, now: i64) -> Result<Channel> {
        let channel = Channel {
            id: new_id(),
            create_at: now,
            update_at: now,
            team_id: team_id.into(),
            kind: "O".into(),
            display_name: display_name.into(),
            name: name.into(),
            creator_id: creator_id.into(),
            ..Channel::default()
        };
        let members = [member(&channel.id, creator_id, ROLE_CHANNEL_USER, now)];
        self.insert_channel_mapped(&channel, &members).await?;
        Ok(channel)
    }

    /// `POST /channels/direct`: the direct channel of two users, created on first use.
    /// The caller must be one of them (or an admin).
    pub async fn create_direct_channel(&self, caller: &Caller, user_ids: &[String]) -> Result<(Channel, bool)> {
        let [a, b] = user_ids else {
            return Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, "Exactly two user ids are needed.").into());
        };
        if caller.user_id() != a && caller.user_id() != b && !caller.is_admin() {
            return Err(Error::forbidden());
        }
        self.users().get_user_checked(a).await?;
        self.users().get_user_checked(b).await?;
        let name = direct_channel_name(a, b);
        if let Ok(existing) = self.store().get_channel_by_name("", &name).await {
            return Ok((existing, false));
        }
        let now = now_ms();
        let channel = Channel {
            id: new_id(),
            create_at: now,
            update_at: now,
            kind: "D".into(),
            display_name: String::new(),
            name,
            creator_id: caller.user_id().to_string(),
            ..Channel::default()
        };
        let mut members = vec![member(&channel.id, a, ROLE_CHANNEL_USER, now)];
        if a != b {
            members.push(member(&channel.id, b, ROLE_CHANNEL_USER, now));
        }
        match self.store().insert_channel(&channel, &members).await {
            Ok(()) => {}
            // The other user opened it at the same moment.
            Err(store::Error::Conflict { .. }) => return Ok((self.store().get_channel_by_name("", &channel.name).await?, false)),
            Err(e) => return Err(e.into()),
        }
        for m in &members {
            let teammate = if m.user_id == *a { b } else { a };
            self.publish_logged("direct_added", json!({ "creator_id": caller.user_id(), "teammate_id": teammate }), to_user(&m.user_id)).await;
        }
        self.after_channel_created(caller, &channel, &members).await;
        Ok((channel, true))
    }

    /// `GET /channels/{id}`.
    pub async fn get_channel(&self, caller: &Caller, channel_id: &str) -> Result<Channel> {
        let channel = self.channel_by_id(channel_id).await?;
        self.require_channel_readable(caller, &channel).await?;
        Ok(channel)
    }

    /// `GET /teams/{team_id}/channels/name/{name}`.
    pub async fn get_channel_by_name(&self, caller: &Caller, team_id: &str, name: &str) -> Result<Channel> {
        let channel = match self.store().get_channel_by_name(team_id, name).await {
            Ok(channel) => channel,
            Err(store::Error::NotFound) => return Err(Error::not_found(error_ids::channels::NOT_FOUND, "channel")),
            Err(e) => return Err(e.into()),
        };
        self.require_channel_readable(caller, &channel).await?;
        Ok(channel)
    }

    /// `GET /teams/{team_id}/channels`: public channels, for team members.
    pub async fn list_public_channels(&self, caller: &Caller, team_id: &str, paging: Paging) -> Result<Vec<Channel>> {
        self.teams().team_by_id(team_id).await?;
        self.teams().require_team_member(caller, team_id).await?;
        Ok(self.store().list_public_channels(team_id, paging).await?)
    }

    /// `GET /users/{id}/teams/{team_id}/channels`.
    pub async fn channels_for_user(&self, caller: &Caller, user_id: &str, team_id: &str) -> Result<Vec<Channel>> {
        caller.require_self_or_admin(user_id)?;
        self.teams().team_by_id(team_id).await?;
        Ok(self.store().channels_for_user(user_id, team_id).await?)
    }

    /// `PUT /channels/{id}/patch`. Mattermost's default permissions: for public and
    /// private channels `manage_*_channel_properties`, which the `channel_user` role
    /// holds (so members, and system admins, not team admins who are not members); for
    /// direct and group channels membership itself. The default channel keeps its name.
    pub async fn patch_channel(&self, caller: &Caller, channel_id: &str, patch: ChannelPatch) -> Result<Channel> {
        let mut channel = self.channel_by_id(channel_id).await?;
        self.require_channel_manager(caller, &channel).await?;
        if channel.delete_at != 0 {
            return Err(Invalid::new(error_ids::channels::UPDATE_CHANNEL_DELETED, "The channel has been archived or deleted.").into());
        }
        let renames = patch.name.as_ref().is_some_and(|name| *name != channel.name);
        if channel.is_default() && renames {
            return Err(Invalid::new(error_ids::channels::UPDATE_CHANNEL_TRIED, "Unable to rename the default channel town-square.").into());
        }
        if channel.is_direct_or_group() && (patch.name.is_some() || patch.display_name.is_some()) {
            return Err(Invalid::new(error_ids::channels::UPDATE_CHANNEL_TRIED, "Direct and group channels cannot be renamed.").into());
        }
        channel.name = patch.name.unwrap_or(channel.name);
        channel.display_name = patch.display_name.unwrap_or(channel.display_name);
        channel.purpose = patch.purpose.unwrap_or(channel.purpose);
        channel.header = patch.header.unwrap_or(channel.header);
        if !channel.is_direct_or_group() {
            validate_names(&channel.name, &channel.display_name)?;
        }
        validate_texts(&channel.purpose, &channel.header)?;
        channel.update_at = now_ms();
        match self.store().update_channel(&channel).await {
            Ok(()) => {}
            Err(store::Error::Conflict { .. }) => return Err(name_taken()),
            Err(e) => return Err(e.into()),
        }
        let text = serde_json::to_string(&channel).expect("channels serialize");
        self.publish_logged("channel_updated", json!({ "channel": text }), to_channel(&channel.id)).await;
        Ok(channel)
    }

    /// `DELETE /channels/{id}`: archive (Mattermost's soft delete), in Mattermost's
    /// order: direct and group channels never (400), then `delete_*_channel` (held by
    /// `channel_user`: members and system admins), then already archived, then the
    /// default channel (400).
    pub async fn archive_channel(&self, caller: &Caller, channel_id: &str) -> Result<()> {
        let mut channel = self.channel_by_id(channel_id).await?;
        if channel.is_direct_or_group() {
            return Err(Invalid::new(error_ids::channels::DELETE_CHANNEL_TYPE_INVALID, "Direct and group channels cannot be archived.").into());
        }
        self.require_channel_member(caller, &channel).await?;
        if channel.delete_at != 0 {
            return Err(Invalid::new(error_ids::channels::DELETE_CHANNEL_DELETED, "The channel has been archived or deleted.").into());
        }
        if channel.is_default() {
            return Err(Invalid::new(error_ids::channels::DELETE_CHANNEL_CANNOT, "Unable to delete the default channel town-square.").into());
        }
        let now = now_ms();
        channel.delete_at = now;
        channel.update_at = now;
        self.store().update_channel(&channel).await?;
        let data = json!({ "channel_id": channel.id, "delete_at": now });
        self.publish_logged("channel_deleted", data, channel_audience(&channel)).await;
        Ok(())
    }

    /// `POST /channels/{id}/restore`: un-archive. Mattermost asks `manage_team` of the
    /// channel's team: team admins and system admins, whether members or not; nobody
    /// for direct and group channels (they have no team).
    pub async fn restore_channel(&self, caller: &Caller, channel_id: &str) -> Result<Channel> {
        let mut channel = self.channel_by_id(channel_id).await?;
        self.require_team_manager(caller, &channel.team_id).await?;
        if channel.delete_at == 0 {
            return Err(Invalid::new(error_ids::channels::RESTORE_CHANNEL_RESTORED, "The channel is not archived.").into());
        }
        channel.delete_at = 0;
        channel.update_at = now_ms();
        self.store().update_channel(&channel).await?;
        self.publish_logged("channel_restored", json!({ "channel_id": channel.id }), channel_audience(&channel)).await;
        Ok(channel)
    }

    /// `POST /channels/{id}/members`: join a public channel of your team yourself, or
    /// add a team member as a member of the channel.
    pub async fn add_channel_member(&self, caller: &Caller, channel_id: &str, user_id: &str) -> Result<ChannelMember> {
        let channel = self.channel_by_id(channel_id).await?;
        if channel.delete_at != 0 {
            return Err(Invalid::new(error_ids::channels::ADD_USER_TO_CHANNEL_DELETED, "The channel has been archived or deleted.").into());
        }
        if matches!(channel.channel_type(), ChannelType::Direct | ChannelType::Group) {
            return Err(Invalid::new(error_ids::channels::ADD_USER_TO_CHANNEL_TYPE, "Cannot add a user to a direct or group channel.").into());
        }
        let target = self.users().get_user_checked(user_id).await?;
        let joining_self = caller.user_id() == user_id;
        let allowed = caller.is_admin()
            || if joining_self && channel.is_public() {
                self.is_team_member(&channel.team_id, user_id).await?
            } else {
                self.is_channel_member(&channel.id, caller.user_id()).await?
            };
        if !allowed {
            return Err(Error::forbidden());
        }
        if !self.is_team_member(&channel.team_id, &target.id).await? {
            return Err(Error::Invalid(Invalid::new(
                error_ids::channels::ADD_USER_TO_CHANNEL_FAILED_DELETED,
                "The user is not a member of the channel's team.",
            )));
        }
        match self.join_channel_unchecked(caller, &channel, &target.id).await {
            Ok(member) => Ok(member),
            Err(Error::Conflict { .. }) => Ok(self.store().get_channel_member(&channel.id, &target.id).await?),
            Err(e) => Err(e),
        }
    }

    /// Add a member without permission checks (the caller checked), then send events and
    /// run the join hooks. `Conflict` when already a member.
    pub(crate) async fn join_channel_unchecked(&self, caller: &Caller, channel: &Channel, user_id: &str) -> Result<ChannelMember> {
        let m = member(&channel.id, user_id, ROLE_CHANNEL_USER, now_ms());
        match self.store().insert_channel_member(&m).await {
            Ok(()) => {}
            Err(store::Error::Conflict { .. }) => {
                return Err(Error::Conflict { id: error_ids::channels::ADD_USER_TO_CHANNEL_FAILED, message: "Already a member.".into() });
            }
            Err(e) => return Err(e.into()),
        }
        self.publish_logged("user_added", json!({ "user_id": user_id, "team_id": channel.team_id }), to_channel(&channel.id)).await;
        if let Some(host) = self.host() {
            let actor = self.teams().actor_user(caller, user_id);
            host.user_has_joined_channel(&caller.ctx, &convert::member_to_plugin(&m), actor.as_ref());
        }
        Ok(m)
    }

    /// `DELETE /channels/{id}/members/{user_id}`: leave, or remove someone as a member.
    pub async fn remove_channel_member(&self, caller: &Caller, channel_id: &str, user_id: &str) -> Result<()> {
        let channel = self.channel_by_id(channel_id).await?;
        if matches!(channel.channel_type(), ChannelType::Direct | ChannelType::Group) {
            return Err(Invalid::new(error_ids::channels::REMOVE_USER_FROM_CHANNEL_TYPE, "Cannot remove a user from a direct or group channel.").into());
        }
        if channel.is_default() && caller.user_id() == user_id {
            return Err(Invalid::new(error_ids::channels::REMOVE_DEFAULT, "Unable to leave the default channel town-square.").into());
        }
        let allowed = caller.user_id() == user_id || caller.is_admin() || self.is_channel_member(&channel.id, caller.user_id()).await?;
        if !allowed {
            return Err(Error::forbidden());
        }
        let Ok(m) = self.store().get_channel_member(&channel.id, user_id).await else {
            return Err(Error::not_found(error_ids::channels::GET_MEMBER_MISSING, "channel member"));
        };
        self.store().delete_channel_member(&channel.id, user_id).await?;
        let remover = caller.user_id();
        self.publish_logged("user_removed", json!({ "user_id": user_id, "remover_id": remover }), to_channel(&channel.id)).await;
        self.publish_logged("user_removed", json!({ "channel_id": channel.id, "remover_id": remover }), to_user(user_id)).await;
        if let Some(host) = self.host() {
            let actor = self.teams().actor_user(caller, user_id);
            host.user_has_left_channel(&caller.ctx, &convert::member_to_plugin(&m), actor.as_ref());
        }
        Ok(())
    }

    /// `GET /channels/{id}/members`.
    pub async fn list_channel_members(&self, caller: &Caller, channel_id: &str, paging: Paging) -> Result<Vec<ChannelMember>> {
        let channel = self.channel_by_id(channel_id).await?;
        self.require_channel_readable(caller, &channel).await?;
        Ok(self.store().list_channel_members(&channel.id, paging).await?)
    }

    /// `GET /channels/{id}/members/{user_id}`.
    pub async fn get_channel_member(&self, caller: &Caller, channel_id: &str, user_id: &str) -> Result<ChannelMember> {
        let channel = self.channel_by_id(channel_id).await?;
        self.require_channel_readable(caller, &channel).await?;
        match self.store().get_channel_member(&channel.id, user_id).await {
            Ok(m) => Ok(m),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::channels::GET_MEMBER_MISSING, "channel member")),
            Err(e) => Err(e.into()),
        }
    }

    /// A channel by id (archived ones too), 404 when unknown or malformed.
    pub(crate) async fn channel_by_id(&self, channel_id: &str) -> Result<Channel> {
        if !is_valid_id(channel_id) {
            return Err(Error::not_found(error_ids::channels::NOT_FOUND, "channel"));
        }
        match self.store().get_channel(channel_id).await {
            Ok(channel) => Ok(channel),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::channels::NOT_FOUND, "channel")),
            Err(e) => Err(e.into()),
        }
    }

    /// Who may read a channel and its posts: members; for public channels, every
    /// member of the team; admins and plugins always.
    pub(crate) async fn require_channel_readable(&self, caller: &Caller, channel: &Channel) -> Result<()> {
        if caller.is_admin() || self.is_channel_member(&channel.id, caller.user_id()).await? {
            return Ok(());
        }
        if channel.is_public() && self.is_team_member(&channel.team_id, caller.user_id()).await? {
            return Ok(());
        }
        Err(Error::forbidden())
    }

    /// Who may change a channel's properties (`manage_*_channel_properties` for public
    /// and private channels, which `channel_user` holds; membership itself for direct
    /// and group channels, where being a system admin is not enough).
    async fn require_channel_manager(&self, caller: &Caller, channel: &Channel) -> Result<()> {
        if !channel.is_direct_or_group() {
            return self.require_channel_member(caller, channel).await;
        }
        let member = matches!(caller.actor, super::Actor::Plugin(_)) || self.is_channel_member(&channel.id, caller.user_id()).await?;
        if member {
            Ok(())
        } else {
            Err(Error::Forbidden { id: error_ids::channels::PATCH_UPDATE_CHANNEL_FORBIDDEN, message: "You are not a member of this channel.".into() })
        }
    }

    /// `manage_team` on `team_id`: system admins (and plugins) and the team's admins;
    /// nobody on the empty team of direct and group channels (Mattermost's rule).
    async fn require_team_manager(&self, caller: &Caller, team_id: &str) -> Result<()> {
        if team_id.is_empty() {
            return Err(Error::forbidden());
        }
        if caller.is_admin() {
            return Ok(());
        }
        match self.store().get_team_member(team_id, caller.user_id()).await {
            Ok(member) if member.is_admin() => Ok(()),
            Ok(_) | Err(store::Error::NotFound) => Err(Error::forbidden()),
            Err(e) => Err(e.into()),
        }
    }

    /// `Forbidden` unless a member (or admin).
    pub(crate) async fn require_channel_member(&self, caller: &Caller, channel: &Channel) -> Result<()> {
        if caller.is_admin() || self.is_channel_member(&channel.id, caller.user_id()).await? { Ok(()) } else { Err(Error::forbidden()) }
    }

    pub(crate) async fn is_channel_member(&self, channel_id: &str, user_id: &str) -> Result<bool> {
        match self.store().get_channel_member(channel_id, user_id).await {
            Ok(_) => Ok(true),
            Err(store::Error::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn is_team_member(&self, team_id: &str, user_id: &str) -> Result<bool> {
        match self.store().get_team_member(team_id, user_id).await {
            Ok(_) => Ok(true),
            Err(store::Error::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn insert_channel_mapped(&self, channel: &Channel, members: &[ChannelMember]) -> Result<()> {
        match self.store().insert_channel(channel, members).await {
            Ok(()) => Ok(()),
            Err(store::Error::Conflict { .. }) => Err(name_taken()),
            Err(e) => Err(e.into()),
        }
    }

    async fn after_channel_created(&self, caller: &Caller, channel: &Channel, members: &[ChannelMember]) {
        let data = json!({ "channel_id": channel.id, "team_id": channel.team_id });
        match caller.user() {
            Some(user) => self.publish_logged("channel_created", data, to_user(&user.id)).await,
            None => self.publish_logged("channel_created", data, BroadcastInfo { channel_id: channel.id.clone(), ..BroadcastInfo::default() }).await,
        }
        if let Some(host) = self.host() {
            host.channel_has_been_created(&caller.ctx, &convert::channel_to_plugin(channel));
            for m in members {
                host.user_has_joined_channel(&caller.ctx, &convert::member_to_plugin(m), None);
            }
        }
    }
}

/// Who hears that a channel was archived or restored: its team when public; its
/// members only when private, as its existence is for them.
fn channel_audience(channel: &Channel) -> BroadcastInfo {
    if channel.is_public() { to_team(&channel.team_id) } else { to_channel(&channel.id) }
}

fn name_taken() -> Error {
    Error::Conflict { id: error_ids::channels::SQL_CHANNEL_SAVE_CHANNEL_EXISTS, message: "A channel with that name already exists on the same team.".into() }
}
