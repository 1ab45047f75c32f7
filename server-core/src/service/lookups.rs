//! Reads Mattermost's apps make on first load and on a channel switch: statuses and posts by ids, user autocomplete, a user's channels, channel statistics, and the generated default avatar.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{Caller, Result};
use crate::domain::command::Status;
use crate::domain::error_ids;
use crate::domain::{Channel, ChannelStats, Invalid, Post, User};
use crate::ids::is_valid_id;
use crate::store::UserScope;

super::area!(
    /// First-load reads: users, posts and channels by ids, autocomplete, channel stats.
    Lookups,
    lookups
);

/// Most ids one by-ids request may name (Mattermost's `maxListSize`).
pub const MAX_IDS: usize = 1000;
/// Users an autocomplete answers by default and at most.
pub const AUTOCOMPLETE_DEFAULT_LIMIT: i64 = 100;
const AUTOCOMPLETE_MAX_LIMIT: i64 = 1000;

/// `GET /users/autocomplete` (Mattermost's `model.UserAutocomplete`): `out_of_channel`
/// only with `in_channel`, and only when not empty (Go's `omitempty`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct UserAutocomplete {
    pub users: Vec<User>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub out_of_channel: Vec<User>,
}

/// What an autocomplete asks.
#[derive(Debug, Clone, Default)]
pub struct AutocompleteQuery {
    pub name: String,
    pub in_team: String,
    pub in_channel: String,
    pub limit: Option<i64>,
}

fn check_ids(ids: &[String], field: &str) -> Result<()> {
    if ids.is_empty() || ids.len() > MAX_IDS {
        return Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, format!("Invalid or missing {field} in request body: 1 to {MAX_IDS} ids.")).into());
    }
    Ok(())
}

impl Lookups<'_> {
    /// `POST /users/status/ids`: each user's status in the order asked, `offline` for
    /// those who never had one. Any signed-in user may ask, as in Mattermost.
    pub async fn statuses_by_ids(&self, _caller: &Caller, ids: &[String]) -> Result<Vec<Status>> {
        check_ids(ids, "user_ids")?;
        if let Some(bad) = ids.iter().find(|id| !is_valid_id(id)) {
            return Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, format!("Invalid user id in request body: {bad}")).into());
        }
        let mut seen = HashSet::new();
        let ids: Vec<String> = ids.iter().filter(|id| seen.insert(id.as_str())).cloned().collect();
        let mut stored: HashMap<String, Status> = self.store().statuses_by_ids(&ids).await?.into_iter().map(|s| (s.user_id.clone(), s)).collect();
        Ok(ids
            .into_iter()
            .map(|id| stored.remove(&id).unwrap_or(Status { user_id: id, status: "offline".into(), manual: false, last_activity_at: 0 }))
            .collect())
    }

    /// `POST /posts/ids`: the posts the caller may read, newest first; others, deleted
    /// and unknown ones are left out without saying which.
    pub async fn posts_by_ids(&self, caller: &Caller, ids: &[String]) -> Result<Vec<Post>> {
        check_ids(ids, "post_ids")?;
        let ids: Vec<String> = ids.iter().filter(|id| is_valid_id(id)).cloned().collect::<HashSet<_>>().into_iter().collect();
        let mut readable: HashMap<String, bool> = HashMap::new();
        let mut shown = Vec::new();
        for post in self.store().posts_by_ids(&ids).await? {
            let may = match readable.get(&post.channel_id) {
                Some(may) => *may,
                None => {
                    let channel = self.channels().channel_by_id(&post.channel_id).await?;
                    let may = self.channels().require_channel_readable(caller, &channel).await.is_ok();
                    readable.insert(post.channel_id.clone(), may);
                    may
                }
            };
            if may {
                shown.push(post);
            }
        }
        Ok(self.consume_posts(shown).await)
    }

    /// `GET /users/{user_id}/channels?include_deleted=`: every channel the user is in,
    /// in all teams; the user themself or an admin.
    pub async fn channels_of_user(&self, caller: &Caller, user_id: &str, include_deleted: bool) -> Result<Vec<Channel>> {
        caller.require_self_or_admin(user_id)?;
        Ok(self.store().channels_of_user(user_id, include_deleted).await?)
    }

    /// `GET /channels/{channel_id}/stats`: for whoever may read the channel.
    pub async fn channel_stats(&self, caller: &Caller, channel_id: &str) -> Result<ChannelStats> {
        let channel = self.channels().get_channel(caller, channel_id).await?;
        let (member_count, pinnedpost_count) = self.store().channel_counts(&channel.id).await?;
        Ok(ChannelStats { channel_id: channel.id, member_count, pinnedpost_count, ..ChannelStats::default() })
    }

    /// `GET /users/autocomplete?name&in_team&in_channel&limit`: active users whose
    /// names start with `name`; within a channel the caller can read (plus, in
    /// `out_of_channel`, the members of its team who are not in it), within a team the
    /// caller is in, or among everyone.
    pub async fn autocomplete_users(&self, caller: &Caller, q: AutocompleteQuery) -> Result<UserAutocomplete> {
        let limit = match q.limit {
            None => AUTOCOMPLETE_DEFAULT_LIMIT,
            Some(n) if n > 0 => n.min(AUTOCOMPLETE_MAX_LIMIT),
            Some(_) => return Err(Invalid::new(error_ids::context::INVALID_URL_PARAM, "Invalid limit parameter in request URL.").into()),
        };
        if !q.in_team.is_empty() {
            self.teams().team_by_id(&q.in_team).await?;
            self.teams().require_team_member(caller, &q.in_team).await?;
        }
        let mut answer = UserAutocomplete::default();
        if !q.in_channel.is_empty() {
            let channel = self.channels().get_channel(caller, &q.in_channel).await?;
            answer.users = self.store().autocomplete_users(&q.name, UserScope::Channel(&channel.id), limit).await?;
            let team_id = if q.in_team.is_empty() { channel.team_id.as_str() } else { q.in_team.as_str() };
            if !team_id.is_empty() {
                answer.out_of_channel = self.store().autocomplete_users(&q.name, UserScope::TeamNotChannel(team_id, &channel.id), limit).await?;
            }
        } else if !q.in_team.is_empty() {
            answer.users = self.store().autocomplete_users(&q.name, UserScope::Team(&q.in_team), limit).await?;
        } else {
            answer.users = self.store().autocomplete_users(&q.name, UserScope::All, limit).await?;
        }
        answer.users = self.users().shown_all_to(caller, answer.users);
        answer.out_of_channel = self.users().shown_all_to(caller, answer.out_of_channel);
        Ok(answer)
    }

    /// `GET /users/{user_id}/image`: the user's generated picture (SVG), for anyone
    /// signed in, as `GET /users/{user_id}` is.
    pub async fn default_avatar(&self, _caller: &Caller, user_id: &str) -> Result<String> {
        let user = self.users().get_user_checked(user_id).await?;
        Ok(avatar_svg(&user.id, &user.username))
    }
}

/// A square picture with the username's first character on a colour taken from the id:
/// the same user always gets the same picture (Mattermost draws its default the same
/// way). Usernames are ASCII letters, digits and `.-_`, so nothing needs escaping;
/// anything else is shown as `?`.
pub fn avatar_svg(user_id: &str, username: &str) -> String {
    // FNV-1a: stable across builds and platforms, unlike the std hasher.
    let hash = user_id.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    let hue = hash % 360;
    let initial = username.chars().next().filter(char::is_ascii_alphanumeric).map_or('?', |c| c.to_ascii_uppercase());
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"128\" height=\"128\" viewBox=\"0 0 128 128\">\
         <rect width=\"128\" height=\"128\" fill=\"hsl({hue}, 55%, 42%)\"/>\
         <text x=\"64\" y=\"64\" dy=\"0.35em\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"64\" fill=\"#ffffff\">{initial}</text></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avatars_are_deterministic_per_user() {
        let a = avatar_svg("aaaaaaaaaaaaaaaaaaaaaaaaaa", "alice");
        assert_eq!(a, avatar_svg("aaaaaaaaaaaaaaaaaaaaaaaaaa", "alice"));
        assert!(a.contains(">A</text>"));
        assert_ne!(a, avatar_svg("bbbbbbbbbbbbbbbbbbbbbbbbbb", "alice"));
        assert!(avatar_svg("x", "<script>").contains(">?</text>"));
    }
}
