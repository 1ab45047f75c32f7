//! Unread bookkeeping on channel memberships: a post's effect on its channel's members (one statement), a user viewing channels, and the per-team and per-channel summaries the clients load first.
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
    pub channel_id: &'a str,
    pub author_id: &'a str,
    /// The post's `create_at`.
    pub at: i64,
    /// The author has seen the channel up to their own post (people's posts; not
    /// webhooks' or bots').
    pub mark_author_viewed: bool,
    /// Every member but the author is mentioned (`@channel`, `@all`, `@here`, and
    /// every post of a direct or group channel).
    pub channel_wide: bool,
    /// Members with these usernames (lowercase) are mentioned, the author excepted.
    pub usernames: &'a [String],
}

impl Store {
    /// Apply a stored post to its channel's members in one statement: the author's
    /// membership is marked viewed (their `msg_count` catches up with the channel's
    /// total, which `insert_post` already bumped), each mentioned member's
    /// `mention_count` goes up by one. Nothing is run when there is nothing to do.
    /// Answers the ids of the mentioned members (`RETURNING`, which SQLite has too).
    pub async fn record_post_unreads(&self, p: &PostUnreads<'_>) -> Result<Vec<String>> {
        let mut touched = Vec::new();
        if p.mark_author_viewed {
            touched.push("user_id = $2".to_string());
        }
        if p.channel_wide {
            touched.push("user_id <> $2".to_string());
        } else if !p.usernames.is_empty() {
            let placeholders: Vec<String> = (0..p.usernames.len()).map(|i| format!("${}", i + 4)).collect();
            touched.push(format!("(user_id <> $2 AND user_id IN (SELECT id FROM users WHERE username IN ({})))", placeholders.join(", ")));
        }
        if touched.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE channel_members SET \
             mention_count = CASE WHEN user_id = $2 THEN 0 ELSE mention_count + 1 END, \
             msg_count = CASE WHEN user_id = $2 THEN (SELECT total_msg_count FROM channels WHERE id = $1) ELSE msg_count END, \
             last_viewed_at = CASE WHEN user_id = $2 AND last_viewed_at < $3 THEN $3 ELSE last_viewed_at END, \
             last_update_at = $3 \
             WHERE channel_id = $1 AND ({}) RETURNING user_id",
            touched.join(" OR ")
        );
        let mut query = sqlx::query(&sql).bind(p.channel_id).bind(p.author_id).bind(p.at);
        for name in p.usernames.iter().filter(|_| !p.channel_wide) {
            query = query.bind(name);
        }
        let touched: Vec<String> = query.fetch_all(self.writer()).await?.iter().map(|row| row.try_get("user_id")).collect::<Result<_, _>>()?;
        Ok(touched.into_iter().filter(|id| id != p.author_id).collect())
    }

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
