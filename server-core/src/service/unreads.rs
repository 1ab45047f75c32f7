//! Unread and mention counts: what a stored post does to its channel's members, viewing channels (`channel_viewed`), and the per-team and per-channel summaries of one user, for that user (and system admins) only.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Caller, Result, now_ms, to_user};
use crate::domain::error_ids;
use crate::domain::mention::{Mentions, mentions};
use crate::domain::{Channel, ChannelMember, Invalid, Post, TeamMember, TeamUnread};
use crate::ids::is_valid_id;
use crate::store::PostUnreads;

super::area!(
    /// Unread and mention counts, channel views.
    Unreads,
    unreads
);

impl Unreads<'_> {
    /// Store a post, and in the same commit: the author has seen the channel (unless
    /// the post came from a webhook or a bot, as in Mattermost), and every member it
    /// mentions (`@username`, `@channel`/`@all`/`@here`, anyone in a direct or group
    /// channel) but the author has one more mention. Answers the mentioned members' ids.
    pub(crate) async fn insert_post_counted(&self, channel: &Channel, post: &Post) -> Result<Vec<String>> {
        if !self.settings().unread_bookkeeping {
            self.store().insert_post_without_unreads(post).await?;
            return Ok(Vec::new());
        }
        let system = post.kind.starts_with("system_");
        let found = if system { Mentions::default() } else { mentions(&post.message) };
        let unreads = PostUnreads {
            mark_author_viewed: !post.props.contains_key("from_webhook") && !post.props.contains_key("from_bot"),
            channel_wide: !system && (found.channel_wide || channel.is_direct_or_group()),
            usernames: &found.usernames,
        };
        Ok(self.store().insert_post_counted(post, &unreads).await?)
    }

    /// `POST /channels/members/{user_id}/view` `{channel_id, prev_channel_id}`: both
    /// channels (either may be empty) read by the user now, where they are a member.
    /// Answers the time set per channel and sends each a `channel_viewed` to the user.
    pub async fn view_channel(&self, caller: &Caller, user_id: &str, channel_id: &str, prev_channel_id: &str) -> Result<BTreeMap<String, i64>> {
        caller.require_self_or_admin(user_id)?;
        for (id, field) in [(channel_id, "channel_id"), (prev_channel_id, "prev_channel_id")] {
            if !id.is_empty() && !is_valid_id(id) {
                return Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, format!("Invalid or missing channel_view.{field} in request body.")).into());
            }
        }
        let now = now_ms();
        let mut times = BTreeMap::new();
        for id in [channel_id, prev_channel_id] {
            if id.is_empty() || times.contains_key(id) {
                continue;
            }
            if self.store().view_channel(user_id, id, now).await? {
                times.insert(id.to_string(), now);
                self.publish_logged("channel_viewed", json!({ "channel_id": id }), to_user(user_id)).await;
            }
        }
        Ok(times)
    }

    /// `GET /users/{user_id}/teams/unread?exclude_team=`: the user's unread messages and
    /// mentions per team.
    pub async fn team_unreads(&self, caller: &Caller, user_id: &str, exclude_team: &str) -> Result<Vec<TeamUnread>> {
        caller.require_self_or_admin(user_id)?;
        Ok(self.store().team_unreads(user_id, exclude_team).await?)
    }

    /// `GET /users/{user_id}/teams/members`: the user's team memberships.
    pub async fn team_members_for_user(&self, caller: &Caller, user_id: &str) -> Result<Vec<TeamMember>> {
        caller.require_self_or_admin(user_id)?;
        Ok(self.store().team_members_for_user(user_id).await?)
    }

    /// `GET /users/{user_id}/teams/{team_id}/channels/members`: the user's memberships
    /// (with their unread counts) of the team's channels and of their direct and group
    /// channels. The caller must be the user (or an admin) and in the team.
    pub async fn channel_members_for_user(&self, caller: &Caller, user_id: &str, team_id: &str) -> Result<Vec<ChannelMember>> {
        caller.require_self_or_admin(user_id)?;
        self.teams().team_by_id(team_id).await?;
        self.teams().require_team_member(caller, team_id).await?;
        Ok(self.store().channel_members_for_user(user_id, team_id).await?)
    }
}
