//! Channels and channel members.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::unreads::member_columns;
use super::{Result, Store};
use crate::domain::{Channel, ChannelMember, Paging};

pub(super) fn channel(row: &AnyRow) -> Result<Channel, sqlx::Error> {
    Ok(Channel {
        id: row.try_get("id")?,
        create_at: row.try_get("create_at")?,
        update_at: row.try_get("update_at")?,
        delete_at: row.try_get("delete_at")?,
        team_id: row.try_get("team_id")?,
        kind: row.try_get("type")?,
        display_name: row.try_get("display_name")?,
        name: row.try_get("name")?,
        header: row.try_get("header")?,
        purpose: row.try_get("purpose")?,
        creator_id: row.try_get("creator_id")?,
        last_post_at: row.try_get("last_post_at")?,
        total_msg_count: row.try_get("total_msg_count")?,
    })
}

pub(super) fn member(row: &AnyRow) -> Result<ChannelMember, sqlx::Error> {
    Ok(ChannelMember {
        channel_id: row.try_get("channel_id")?,
        user_id: row.try_get("user_id")?,
        roles: row.try_get("roles")?,
        last_viewed_at: row.try_get("last_viewed_at")?,
        msg_count: row.try_get("msg_count")?,
        mention_count: row.try_get("mention_count")?,
        last_update_at: row.try_get("last_update_at")?,
    })
}

const INSERT_MEMBER: &str =
    "INSERT INTO channel_members (channel_id, user_id, roles, last_viewed_at, msg_count, mention_count, last_update_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

impl Store {
    /// Insert a channel with its first members, together; `Conflict` when the name
    /// is taken in the team.
    pub async fn insert_channel(&self, c: &Channel, members: &[ChannelMember]) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO channels (id, create_at, update_at, delete_at, team_id, type, name, display_name, header, purpose, creator_id, last_post_at, total_msg_count) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&c.id)
        .bind(c.create_at)
        .bind(c.update_at)
        .bind(c.delete_at)
        .bind(&c.team_id)
        .bind(&c.kind)
        .bind(&c.name)
        .bind(&c.display_name)
        .bind(&c.header)
        .bind(&c.purpose)
        .bind(&c.creator_id)
        .bind(c.last_post_at)
        .bind(c.total_msg_count)
        .execute(&mut *tx)
        .await?;
        for m in members {
            bind_member(m).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A channel by id (archived ones too).
    pub async fn get_channel(&self, id: &str) -> Result<Channel> {
        let row = sqlx::query("SELECT * FROM channels WHERE id = $1").bind(id).fetch_one(&self.pool).await?;
        Ok(channel(&row)?)
    }

    /// A channel by team and name (`team_id` is `''` for direct channels).
    pub async fn get_channel_by_name(&self, team_id: &str, name: &str) -> Result<Channel> {
        let row = sqlx::query("SELECT * FROM channels WHERE team_id = $1 AND name = $2").bind(team_id).bind(name).fetch_one(&self.pool).await?;
        Ok(channel(&row)?)
    }

    /// A team's public, unarchived channels, by display name.
    pub async fn list_public_channels(&self, team_id: &str, paging: Paging) -> Result<Vec<Channel>> {
        let rows = sqlx::query("SELECT * FROM channels WHERE team_id = $1 AND type = 'O' AND delete_at = 0 ORDER BY display_name, id LIMIT $2 OFFSET $3")
            .bind(team_id)
            .bind(paging.limit())
            .bind(paging.offset())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(channel).collect::<Result<_, _>>()?)
    }

    /// A team's public, not archived channels whose name, display name or purpose
    /// contains `word` (any case; all of them for an empty word), by display name: the
    /// candidates of a channel search, which the service narrows to word starts.
    pub async fn search_public_channels(&self, team_id: &str, word: &str) -> Result<Vec<Channel>> {
        let rows = sqlx::query(
            "SELECT * FROM channels WHERE team_id = $1 AND type = 'O' AND delete_at = 0 \
             AND (LOWER(name) LIKE $2 ESCAPE '\\' OR LOWER(display_name) LIKE $2 ESCAPE '\\' OR LOWER(purpose) LIKE $2 ESCAPE '\\') \
             ORDER BY display_name, id",
        )
        .bind(team_id)
        .bind(like_contains(word))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(channel).collect::<Result<_, _>>()?)
    }

    /// The channels a user belongs to in a team, plus their direct and group channels
    /// (which belong to no team), as Mattermost lists them.
    pub async fn channels_for_user(&self, user_id: &str, team_id: &str) -> Result<Vec<Channel>> {
        let rows = sqlx::query(
            "SELECT c.* FROM channels c JOIN channel_members m ON m.channel_id = c.id \
             WHERE m.user_id = $1 AND (c.team_id = $2 OR c.team_id = '') AND c.delete_at = 0 ORDER BY c.display_name, c.id",
        )
        .bind(user_id)
        .bind(team_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(channel).collect::<Result<_, _>>()?)
    }

    /// Write back name, display name, purpose, header, `update_at` and `delete_at`.
    pub async fn update_channel(&self, c: &Channel) -> Result<()> {
        let done = sqlx::query("UPDATE channels SET update_at = $2, delete_at = $3, name = $4, display_name = $5, header = $6, purpose = $7 WHERE id = $1")
            .bind(&c.id)
            .bind(c.update_at)
            .bind(c.delete_at)
            .bind(&c.name)
            .bind(&c.display_name)
            .bind(&c.header)
            .bind(&c.purpose)
            .execute(self.writer())
            .await?;
        if done.rows_affected() == 0 { Err(super::Error::NotFound) } else { Ok(()) }
    }

    /// Add a member; `Conflict` when already one. Someone who left the channel as its
    /// last poster is no longer that (`unreads.rs`): their new membership's counts
    /// are the ones given here.
    pub async fn insert_channel_member(&self, m: &ChannelMember) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        bind_member(m).execute(&mut *tx).await?;
        sqlx::query("UPDATE channels SET poster_id = '', poster_at = 0 WHERE id = $1 AND poster_id = $2")
            .bind(&m.channel_id)
            .bind(&m.user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A membership.
    pub async fn get_channel_member(&self, channel_id: &str, user_id: &str) -> Result<ChannelMember> {
        let row = sqlx::query(concat!(
            "SELECT ",
            member_columns!(),
            " FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE cm.channel_id = $1 AND cm.user_id = $2"
        ))
        .bind(channel_id)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(member(&row)?)
    }

    /// Remove a member; `false` when they were not one.
    pub async fn delete_channel_member(&self, channel_id: &str, user_id: &str) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM channel_members WHERE channel_id = $1 AND user_id = $2").bind(channel_id).bind(user_id).execute(self.writer()).await?;
        Ok(done.rows_affected() > 0)
    }

    /// Members, by user id.
    pub async fn list_channel_members(&self, channel_id: &str, paging: Paging) -> Result<Vec<ChannelMember>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            member_columns!(),
            " FROM channel_members cm JOIN channels c ON c.id = cm.channel_id WHERE cm.channel_id = $1 ORDER BY cm.user_id LIMIT $2 OFFSET $3"
        ))
        .bind(channel_id)
        .bind(paging.limit())
        .bind(paging.offset())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(member).collect::<Result<_, _>>()?)
    }

    /// Every member's user id (event fan-out).
    pub async fn channel_member_ids(&self, channel_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT user_id FROM channel_members WHERE channel_id = $1").bind(channel_id).fetch_all(&self.pool).await?)
    }
}

fn bind_member(m: &ChannelMember) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(INSERT_MEMBER)
        .bind(&m.channel_id)
        .bind(&m.user_id)
        .bind(&m.roles)
        .bind(m.last_viewed_at)
        .bind(m.msg_count)
        .bind(m.mention_count)
        .bind(m.last_update_at)
}

/// A `LIKE` pattern matching what contains `word` (lowercased), its wildcards escaped.
fn like_contains(word: &str) -> String {
    let mut pattern = String::from("%");
    for c in word.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
