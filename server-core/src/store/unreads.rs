//! Unread bookkeeping on channel memberships: a post's effect on its channel's members (in the post's own commit), a user viewing channels, and the per-team and per-channel summaries the clients load first.
//!
//! Mattermost's model: a channel counts every post in `total_msg_count` (bumped by
//! `insert_post`); a member's `msg_count` is how many of those they had seen when they
//! last viewed the channel, so unread = `total_msg_count - msg_count`; `mention_count`
//! counts the posts since then that mentioned them.

use sqlx::Row;

use super::{Result, Store};
use crate::domain::{ChannelMember, TeamUnread};

/// What a stored post does to its channel's memberships.
#[derive(Debug, Clone, Default)]
pub struct PostUnreads<'a> {
    /// The author has seen the channel up to their own post (people's posts; not
    /// webhooks' or bots').
    pub mark_author_viewed: bool,
    /// Every member but the author is mentioned (`@channel`, `@all`, `@here`, and
    /// every post of a direct or group channel).
    pub channel_wide: bool,
    /// Members with these usernames (lowercase) are mentioned, the author excepted.
    pub usernames: &'a [String],
}

impl PostUnreads<'_> {
    /// The usernames the statement binds (none when everyone is mentioned anyway).
    pub(super) fn bound_names(&self) -> &[String] {
        if self.channel_wide { &[] } else { self.usernames }
    }
}

/// Where [`members_update`] finds its values: the placeholders of the statement it
/// becomes part of, and an expression for the channel's new `total_msg_count`.
pub(super) struct UnreadParams<'s> {
    pub channel: &'s str,
    pub author: &'s str,
    pub at: &'s str,
    /// The placeholder number of the first of [`PostUnreads::bound_names`].
    pub first_name: usize,
    pub total: &'s str,
}

/// The `UPDATE channel_members` a stored post needs (`insert_post_counted` runs it in
/// the post's own commit): the author's membership marked viewed (their `msg_count`
/// catches up with the channel's total, `last_viewed_at` with the post), each
/// mentioned member's `mention_count` up by one. `None` when there is nothing to do.
pub(super) fn members_update(p: &PostUnreads<'_>, q: &UnreadParams<'_>) -> Option<String> {
    let UnreadParams { channel, author, at, first_name, total } = q;
    let mut touched = Vec::new();
    if p.mark_author_viewed {
        touched.push(format!("user_id = {author}"));
    }
    if p.channel_wide {
        touched.push(format!("user_id <> {author}"));
    } else if !p.usernames.is_empty() {
        let names: Vec<String> = (0..p.usernames.len()).map(|i| format!("${}", first_name + i)).collect();
        touched.push(format!("(user_id <> {author} AND user_id IN (SELECT id FROM users WHERE username IN ({})))", names.join(", ")));
    }
    if touched.is_empty() {
        return None;
    }
    Some(format!(
        "UPDATE channel_members SET \
         mention_count = CASE WHEN user_id = {author} THEN 0 ELSE mention_count + 1 END, \
         msg_count = CASE WHEN user_id = {author} THEN {total} ELSE msg_count END, \
         last_viewed_at = CASE WHEN user_id = {author} AND last_viewed_at < {at} THEN {at} ELSE last_viewed_at END, \
         last_update_at = {at} \
         WHERE channel_id = {channel} AND ({})",
        touched.join(" OR ")
    ))
}

impl Store {
    /// The user has read the channel: no unread messages or mentions, viewed at `now`.
    /// `false` when they are not a member.
    pub async fn view_channel(&self, user_id: &str, channel_id: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE channel_members SET mention_count = 0, \
             msg_count = (SELECT total_msg_count FROM channels WHERE id = $2), \
             last_viewed_at = $3, last_update_at = $3 \
             WHERE user_id = $1 AND channel_id = $2",
        )
        .bind(user_id)
        .bind(channel_id)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Per team the user belongs to (but `exclude_team`), the unread messages and
    /// mentions of their channels there, by team id. Archived channels and teams are
    /// left out; direct and group channels belong to no team and count in none.
    pub async fn team_unreads(&self, user_id: &str, exclude_team: &str) -> Result<Vec<TeamUnread>> {
        // CAST: PostgreSQL sums BIGINTs into NUMERIC, which `Any` cannot decode.
        let rows = sqlx::query(
            "SELECT tm.team_id AS team_id, \
             CAST(COALESCE(SUM(CASE WHEN u.unread > 0 THEN u.unread ELSE 0 END), 0) AS BIGINT) AS msg_count, \
             CAST(COALESCE(SUM(u.mention_count), 0) AS BIGINT) AS mention_count \
             FROM team_members tm JOIN teams t ON t.id = tm.team_id AND t.delete_at = 0 \
             LEFT JOIN (SELECT c.team_id AS team_id, c.total_msg_count - cm.msg_count AS unread, cm.mention_count AS mention_count \
                        FROM channel_members cm JOIN channels c ON c.id = cm.channel_id \
                        WHERE cm.user_id = $1 AND c.delete_at = 0) u ON u.team_id = tm.team_id \
             WHERE tm.user_id = $1 AND tm.delete_at = 0 AND tm.team_id <> $2 \
             GROUP BY tm.team_id ORDER BY tm.team_id",
        )
        .bind(user_id)
        .bind(exclude_team)
        .fetch_all(&self.pool)
        .await?;
        let unread = |row: &sqlx::any::AnyRow| -> Result<TeamUnread, sqlx::Error> {
            Ok(TeamUnread { team_id: row.try_get("team_id")?, msg_count: row.try_get("msg_count")?, mention_count: row.try_get("mention_count")? })
        };
        Ok(rows.iter().map(unread).collect::<Result<_, _>>()?)
    }

    /// The user's memberships of the team's unarchived channels and of their direct
    /// and group channels, by channel id.
    pub async fn channel_members_for_user(&self, user_id: &str, team_id: &str) -> Result<Vec<ChannelMember>> {
        let rows = sqlx::query(
            "SELECT cm.* FROM channel_members cm JOIN channels c ON c.id = cm.channel_id \
             WHERE cm.user_id = $1 AND (c.team_id = $2 OR c.team_id = '') AND c.delete_at = 0 ORDER BY cm.channel_id",
        )
        .bind(user_id)
        .bind(team_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(super::channels::member).collect::<Result<_, _>>()?)
    }
}
