//! Reads for the routes Mattermost's apps load first: a user's team memberships and channels, statuses and posts by ids, channel statistics, and user autocomplete.

use sqlx::Row;

use super::users::{USER_COLUMNS, USER_FROM, user};
use super::{Result, Store, flag};
use crate::domain::command::Status;
use crate::domain::{Channel, Post, TeamMember, User};

/// `$first, $first+1, ...` for `count` values.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Which users an autocomplete looks among.
#[derive(Debug, Clone, Copy)]
pub enum UserScope<'a> {
    /// Every active user.
    All,
    /// Members of a team.
    Team(&'a str),
    /// Members of a channel.
    Channel(&'a str),
    /// Members of the team (first) who are not in the channel (second).
    TeamNotChannel(&'a str, &'a str),
}

impl Store {
    /// The user's memberships of unarchived teams, by team id.
    pub async fn team_members_for_user(&self, user_id: &str) -> Result<Vec<TeamMember>> {
        let rows = sqlx::query(
            "SELECT tm.* FROM team_members tm JOIN teams t ON t.id = tm.team_id \
             WHERE tm.user_id = $1 AND tm.delete_at = 0 AND t.delete_at = 0 ORDER BY tm.team_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(super::teams::member).collect::<Result<_, _>>()?)
    }

    /// The stored statuses of these users (those who never had one are absent).
    pub async fn statuses_by_ids(&self, user_ids: &[String]) -> Result<Vec<Status>> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT * FROM user_status WHERE user_id IN ({})", placeholders(1, user_ids.len()));
        let mut query = sqlx::query(&sql);
        for id in user_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let status = |row: &sqlx::any::AnyRow| -> Result<Status, sqlx::Error> {
            Ok(Status {
                user_id: row.try_get("user_id")?,
                status: row.try_get("status")?,
                manual: flag(row, "manual")?,
                last_activity_at: row.try_get("last_activity_at")?,
            })
        };
        Ok(rows.iter().map(status).collect::<Result<_, _>>()?)
    }

    /// These posts, not deleted ones, newest first.
    pub async fn posts_by_ids(&self, post_ids: &[String]) -> Result<Vec<Post>> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {} FROM posts p WHERE p.delete_at = 0 AND p.id IN ({}) ORDER BY p.create_at DESC, p.id",
            super::posts::POST_COLUMNS,
            placeholders(1, post_ids.len())
        );
        let mut query = sqlx::query(&sql);
        for id in post_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(super::posts::post).collect::<Result<_, _>>()?)
    }

    /// Every channel the user is a member of, in all teams, direct and group channels
    /// included; archived ones only with `include_deleted`.
    pub async fn channels_of_user(&self, user_id: &str, include_deleted: bool) -> Result<Vec<Channel>> {
        let rows = sqlx::query(
            "SELECT c.* FROM channels c JOIN channel_members m ON m.channel_id = c.id \
             WHERE m.user_id = $1 AND (c.delete_at = 0 OR $2 = 1) ORDER BY c.team_id, c.display_name, c.id",
        )
        .bind(user_id)
        .bind(i64::from(include_deleted))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(super::channels::channel).collect::<Result<_, _>>()?)
    }

    /// A channel's active members and its pinned, undeleted posts.
    pub async fn channel_counts(&self, channel_id: &str) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM channel_members m JOIN users u ON u.id = m.user_id WHERE m.channel_id = $1 AND u.delete_at = 0) AS members, \
             (SELECT COUNT(*) FROM posts WHERE channel_id = $1 AND is_pinned = 1 AND delete_at = 0) AS pinned",
        )
        .bind(channel_id)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("members")?, row.try_get("pinned")?))
    }

    /// Active users in `scope` whose username, first name, last name or nickname starts
    /// with `term` (any case; every user for an empty term), by username.
    pub async fn autocomplete_users(&self, term: &str, scope: UserScope<'_>, limit: i64) -> Result<Vec<User>> {
        let (filter, args): (&str, Vec<&str>) = match scope {
            UserScope::All => ("", vec![]),
            UserScope::Team(team) => ("AND u.id IN (SELECT user_id FROM team_members WHERE team_id = $3 AND delete_at = 0)", vec![team]),
            UserScope::Channel(channel) => ("AND u.id IN (SELECT user_id FROM channel_members WHERE channel_id = $3)", vec![channel]),
            UserScope::TeamNotChannel(team, channel) => (
                "AND u.id IN (SELECT user_id FROM team_members WHERE team_id = $3 AND delete_at = 0) \
                 AND u.id NOT IN (SELECT user_id FROM channel_members WHERE channel_id = $4)",
                vec![team, channel],
            ),
        };
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.delete_at = 0 \
             AND (LOWER(u.username) LIKE $1 ESCAPE '\\' OR LOWER(u.first_name) LIKE $1 ESCAPE '\\' \
                  OR LOWER(u.last_name) LIKE $1 ESCAPE '\\' OR LOWER(u.nickname) LIKE $1 ESCAPE '\\') \
             {filter} ORDER BY u.username LIMIT $2"
        );
        let mut query = sqlx::query(&sql).bind(like_prefix(term)).bind(limit);
        for arg in args {
            query = query.bind(arg);
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(user).collect::<Result<_, _>>()?)
    }
}

/// A `LIKE` pattern matching what starts with `term` (lowercased), its wildcards escaped.
fn like_prefix(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 1);
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(super::like_prefix("Al_i%"), "al\\_i\\%%");
        assert_eq!(super::like_prefix(""), "%");
        assert_eq!(super::placeholders(3, 2), "$3, $4");
    }
}
