//! Unread bookkeeping on channel memberships: a post's effect on its channel's members (in the post's own commit), a user viewing channels, and the per-team and per-channel summaries the clients load first.
//!
//! Mattermost's model: a channel counts every post in `total_msg_count` (bumped by
//! `insert_post`); a member's `msg_count` is how many of those they had seen when they
//! last viewed the channel, so unread = `total_msg_count - msg_count`; `mention_count`
//! counts the posts since then that mentioned them.
//!
//! The author of a post has seen the channel up to it. Writing that into their
//! membership on every post was one more row locked and written while the channel's
//! row lock is held, and posts to a channel queue on that lock (B3 on PostgreSQL:
//! 1.12x slower; BENCHMARKS.md). Instead the channel row, which the post updates anyway,
//! names its last poster (`poster_id`, `poster_at`: migration 0009); every read of a
//! membership goes through [`member_columns!`], which shows that member as having
//! viewed the channel at `poster_at` with nothing unread, and the first post by anyone
//! else writes the poster's membership down ([`members_update`]) in its own statement.
//! A post, its channel's counters and its members' counts stay one commit.

use sqlx::Row;

use super::{Result, Store};
use crate::domain::{ChannelMember, TeamUnread};

/// A membership as readers see it, from `channel_members cm JOIN channels c`: the
/// channel's last poster (`c.poster_id`) has read everything up to their post at
/// `c.poster_at`, whatever their row still says.
macro_rules! member_columns {
    () => {
        "cm.channel_id AS channel_id, cm.user_id AS user_id, cm.roles AS roles, \
         CASE WHEN c.poster_id = cm.user_id AND c.poster_at > cm.last_viewed_at THEN c.poster_at ELSE cm.last_viewed_at END AS last_viewed_at, \
         CASE WHEN c.poster_id = cm.user_id THEN c.total_msg_count ELSE cm.msg_count END AS msg_count, \
         CASE WHEN c.poster_id = cm.user_id THEN 0 ELSE cm.mention_count END AS mention_count, \
         CASE WHEN c.poster_id = cm.user_id AND c.poster_at > cm.last_update_at THEN c.poster_at ELSE cm.last_update_at END AS last_update_at"
    };
}
pub(super) use member_columns;

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

    /// What the post's `UPDATE channels` also sets: the author becomes the channel's
    /// last poster (or nobody does, for a post not marked viewed), and the previous one,
    /// when that changes, is handed over in `prev_poster_*` for [`members_update`]
    /// (PostgreSQL's RETURNING shows only new values; every right-hand side reads the
    /// old row, in SQLite too). `$2` and `$6` are the post's create_at and user_id.
    pub(super) fn poster_assignments(&self) -> &'static str {
        if self.mark_author_viewed {
            ", prev_poster_id = CASE WHEN poster_id = $6 THEN '' ELSE poster_id END, prev_poster_at = poster_at, \
             poster_id = $6, poster_at = CASE WHEN poster_id = $6 AND poster_at > $2 THEN poster_at ELSE $2 END"
        } else {
            ", prev_poster_id = poster_id, prev_poster_at = poster_at, poster_id = '', poster_at = 0"
        }
    }
}

/// Where [`members_update`] finds its values: the placeholders of the statement it
/// becomes part of, and the channel row as the post's update left it.
pub(super) struct UnreadParams<'s> {
    pub channel: &'s str,
    pub author: &'s str,
    pub at: &'s str,
    /// The placeholder number of the first of [`PostUnreads::bound_names`].
    pub first_name: usize,
    /// What to select the updated channel's columns from: PostgreSQL's `bumped` CTE,
    /// or the channel row itself later in SQLite's transaction.
    pub channel_row: &'s str,
}

/// The `UPDATE channel_members` a stored post needs (`insert_post_counted` runs it in
/// the post's own commit): the previous last poster's derived view written down when
/// the post changed who that is (their `msg_count` is the channel's total before this
/// post, `last_viewed_at` their post's time, no mentions), and each mentioned member's
/// `mention_count` up by one. Returns the mentioned members' ids (NULL for the
/// previous poster's row when only written down).
pub(super) fn members_update(p: &PostUnreads<'_>, q: &UnreadParams<'_>) -> String {
    let UnreadParams { channel, author, at, first_name, channel_row } = q;
    let of = |column: &str| format!("(SELECT {column} FROM {channel_row})");
    let (prev, prev_at, total) = (of("prev_poster_id"), of("prev_poster_at"), of("total_msg_count"));
    let mentioned = if p.channel_wide {
        format!("user_id <> {author}")
    } else if !p.usernames.is_empty() {
        let names: Vec<String> = (0..p.usernames.len()).map(|i| format!("${}", first_name + i)).collect();
        format!("(user_id <> {author} AND user_id IN (SELECT id FROM users WHERE username IN ({})))", names.join(", "))
    } else {
        // Nobody mentioned: only the hand-over, and when there is none (the author
        // posting again, B3's case) the guard is a one-time filter that skips the scan.
        return format!(
            "UPDATE channel_members SET mention_count = 0, msg_count = {total} - 1, \
             last_viewed_at = CASE WHEN last_viewed_at < {prev_at} THEN {prev_at} ELSE last_viewed_at END, \
             last_update_at = CASE WHEN last_update_at < {prev_at} THEN {prev_at} ELSE last_update_at END \
             WHERE {prev} <> '' AND channel_id = {channel} AND user_id = {prev} RETURNING NULL AS user_id"
        );
    };
    format!(
        "UPDATE channel_members SET \
         mention_count = CASE WHEN user_id = {prev} THEN 0 ELSE mention_count END + CASE WHEN {mentioned} THEN 1 ELSE 0 END, \
         msg_count = CASE WHEN user_id = {prev} THEN {total} - 1 ELSE msg_count END, \
         last_viewed_at = CASE WHEN user_id = {prev} AND last_viewed_at < {prev_at} THEN {prev_at} ELSE last_viewed_at END, \
         last_update_at = CASE WHEN {mentioned} THEN {at} WHEN last_update_at < {prev_at} THEN {prev_at} ELSE last_update_at END \
         WHERE channel_id = {channel} AND (user_id = {prev} OR {mentioned}) \
         RETURNING CASE WHEN {mentioned} THEN user_id END AS user_id"
    )
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
    /// mentions of their channels there (none where they are the last poster), by team id. Archived channels and teams are
    /// left out; direct and group channels belong to no team and count in none.
    pub async fn team_unreads(&self, user_id: &str, exclude_team: &str) -> Result<Vec<TeamUnread>> {
        // CAST: PostgreSQL sums BIGINTs into NUMERIC, which `Any` cannot decode.
        let rows = sqlx::query(
            "SELECT tm.team_id AS team_id, \
             CAST(COALESCE(SUM(CASE WHEN u.unread > 0 THEN u.unread ELSE 0 END), 0) AS BIGINT) AS msg_count, \
             CAST(COALESCE(SUM(u.mention_count), 0) AS BIGINT) AS mention_count \
             FROM team_members tm JOIN teams t ON t.id = tm.team_id AND t.delete_at = 0 \
             LEFT JOIN (SELECT c.team_id AS team_id, \
                        CASE WHEN c.poster_id = cm.user_id THEN 0 ELSE c.total_msg_count - cm.msg_count END AS unread, \
                        CASE WHEN c.poster_id = cm.user_id THEN 0 ELSE cm.mention_count END AS mention_count \
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
        let rows = sqlx::query(concat!(
            "SELECT ",
            member_columns!(),
            " FROM channel_members cm JOIN channels c ON c.id = cm.channel_id \
             WHERE cm.user_id = $1 AND (c.team_id = $2 OR c.team_id = '') AND c.delete_at = 0 ORDER BY cm.channel_id"
        ))
        .bind(user_id)
        .bind(team_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(super::channels::member).collect::<Result<_, _>>()?)
    }
}
