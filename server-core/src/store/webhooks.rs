//! Incoming and outgoing webhooks: insert, read, list, update, soft delete.

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Error, Result, Store, bit, flag};
use crate::domain::Paging;
use crate::domain::webhook::{IncomingWebhook, OutgoingWebhook};

fn incoming(row: &AnyRow) -> Result<IncomingWebhook, sqlx::Error> {
    Ok(IncomingWebhook {
        id: row.try_get("id")?,
        create_at: row.try_get("create_at")?,
        update_at: row.try_get("update_at")?,
        delete_at: row.try_get("delete_at")?,
        user_id: row.try_get("user_id")?,
        channel_id: row.try_get("channel_id")?,
        team_id: row.try_get("team_id")?,
        display_name: row.try_get("display_name")?,
        description: row.try_get("description")?,
        username: row.try_get("username")?,
        icon_url: row.try_get("icon_url")?,
        channel_locked: flag(row, "channel_locked")?,
    })
}

/// A JSON list of strings as we store it; a corrupted value reads as empty.
fn list(row: &AnyRow, column: &str) -> Result<Vec<String>, sqlx::Error> {
    let text: String = row.try_get(column)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

fn outgoing(row: &AnyRow) -> Result<OutgoingWebhook, sqlx::Error> {
    Ok(OutgoingWebhook {
        id: row.try_get("id")?,
        token: row.try_get("token")?,
        create_at: row.try_get("create_at")?,
        update_at: row.try_get("update_at")?,
        delete_at: row.try_get("delete_at")?,
        creator_id: row.try_get("creator_id")?,
        channel_id: row.try_get("channel_id")?,
        team_id: row.try_get("team_id")?,
        trigger_words: list(row, "trigger_words")?,
        trigger_when: row.try_get("trigger_when")?,
        callback_urls: list(row, "callback_urls")?,
        display_name: row.try_get("display_name")?,
        description: row.try_get("description")?,
        content_type: row.try_get("content_type")?,
        username: row.try_get("username")?,
        icon_url: row.try_get("icon_url")?,
    })
}

fn to_json(list: &[String]) -> String {
    Value::from(list.to_vec()).to_string()
}

/// Which live hooks to list: all, a team's, or a channel's.
#[derive(Debug, Clone, Default)]
pub struct HookFilter {
    pub team_id: Option<String>,
    pub channel_id: Option<String>,
}

impl HookFilter {
    /// `WHERE` clauses and their binds, numbered after `skip` binds that come first.
    fn clauses(&self, skip: usize) -> (String, Vec<String>) {
        let mut sql = String::from("delete_at = 0");
        let mut binds = Vec::new();
        for (column, value) in [("team_id", &self.team_id), ("channel_id", &self.channel_id)] {
            if let Some(value) = value {
                binds.push(value.clone());
                sql.push_str(&format!(" AND {column} = ${}", binds.len() + skip));
            }
        }
        (sql, binds)
    }
}

impl Store {
    /// Insert an incoming webhook.
    pub async fn insert_incoming_webhook(&self, h: &IncomingWebhook) -> Result<()> {
        sqlx::query(
            "INSERT INTO incoming_webhooks (id, create_at, update_at, delete_at, user_id, channel_id, team_id, display_name, description, username, icon_url, channel_locked) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&h.id)
        .bind(h.create_at)
        .bind(h.update_at)
        .bind(h.delete_at)
        .bind(&h.user_id)
        .bind(&h.channel_id)
        .bind(&h.team_id)
        .bind(&h.display_name)
        .bind(&h.description)
        .bind(&h.username)
        .bind(&h.icon_url)
        .bind(bit(h.channel_locked))
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// A live incoming webhook; `NotFound` when unknown or deleted.
    pub async fn get_incoming_webhook(&self, id: &str) -> Result<IncomingWebhook> {
        let row = sqlx::query("SELECT * FROM incoming_webhooks WHERE id = $1 AND delete_at = 0").bind(id).fetch_one(&self.pool).await?;
        Ok(incoming(&row)?)
    }

    /// Live incoming webhooks, oldest first, one page.
    pub async fn list_incoming_webhooks(&self, filter: &HookFilter, paging: Paging) -> Result<Vec<IncomingWebhook>> {
        let (clauses, binds) = filter.clauses(2);
        let sql = format!("SELECT * FROM incoming_webhooks WHERE {clauses} ORDER BY create_at, id LIMIT $1 OFFSET $2");
        let mut query = sqlx::query(&sql).bind(paging.limit()).bind(paging.offset());
        for value in &binds {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(incoming).collect::<Result<_, _>>()?)
    }

    /// How many live incoming webhooks match (for `include_total_count`).
    pub async fn count_incoming_webhooks(&self, filter: &HookFilter) -> Result<i64> {
        let (clauses, binds) = filter.clauses(0);
        let sql = format!("SELECT COUNT(*) AS n FROM incoming_webhooks WHERE {clauses}");
        let mut query = sqlx::query(&sql);
        for value in &binds {
            query = query.bind(value);
        }
        Ok(query.fetch_one(&self.pool).await?.try_get("n")?)
    }

    /// Save the editable fields of an incoming webhook; `NotFound` when it is gone.
    pub async fn update_incoming_webhook(&self, h: &IncomingWebhook) -> Result<()> {
        let done = sqlx::query(
            "UPDATE incoming_webhooks SET update_at = $2, channel_id = $3, display_name = $4, description = $5, username = $6, icon_url = $7, channel_locked = $8 \
             WHERE id = $1 AND delete_at = 0",
        )
        .bind(&h.id)
        .bind(h.update_at)
        .bind(&h.channel_id)
        .bind(&h.display_name)
        .bind(&h.description)
        .bind(&h.username)
        .bind(&h.icon_url)
        .bind(bit(h.channel_locked))
        .execute(self.writer())
        .await?;
        if done.rows_affected() == 0 { Err(Error::NotFound) } else { Ok(()) }
    }

    /// Soft-delete an incoming webhook; `NotFound` when already gone.
    pub async fn delete_incoming_webhook(&self, id: &str, now: i64) -> Result<()> {
        let done = sqlx::query("UPDATE incoming_webhooks SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0")
            .bind(id)
            .bind(now)
            .execute(self.writer())
            .await?;
        if done.rows_affected() == 0 { Err(Error::NotFound) } else { Ok(()) }
    }

    /// Insert an outgoing webhook.
    pub async fn insert_outgoing_webhook(&self, h: &OutgoingWebhook) -> Result<()> {
        sqlx::query(
            "INSERT INTO outgoing_webhooks (id, token, create_at, update_at, delete_at, creator_id, channel_id, team_id, trigger_words, trigger_when, callback_urls, \
             display_name, description, content_type, username, icon_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(&h.id)
        .bind(&h.token)
        .bind(h.create_at)
        .bind(h.update_at)
        .bind(h.delete_at)
        .bind(&h.creator_id)
        .bind(&h.channel_id)
        .bind(&h.team_id)
        .bind(to_json(&h.trigger_words))
        .bind(h.trigger_when)
        .bind(to_json(&h.callback_urls))
        .bind(&h.display_name)
        .bind(&h.description)
        .bind(&h.content_type)
        .bind(&h.username)
        .bind(&h.icon_url)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// A live outgoing webhook; `NotFound` when unknown or deleted.
    pub async fn get_outgoing_webhook(&self, id: &str) -> Result<OutgoingWebhook> {
        let row = sqlx::query("SELECT * FROM outgoing_webhooks WHERE id = $1 AND delete_at = 0").bind(id).fetch_one(&self.pool).await?;
        Ok(outgoing(&row)?)
    }

    /// Live outgoing webhooks, oldest first, one page.
    pub async fn list_outgoing_webhooks(&self, filter: &HookFilter, paging: Paging) -> Result<Vec<OutgoingWebhook>> {
        let (clauses, binds) = filter.clauses(2);
        let sql = format!("SELECT * FROM outgoing_webhooks WHERE {clauses} ORDER BY create_at, id LIMIT $1 OFFSET $2");
        let mut query = sqlx::query(&sql).bind(paging.limit()).bind(paging.offset());
        for value in &binds {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(outgoing).collect::<Result<_, _>>()?)
    }

    /// Every live outgoing webhook of a team (the candidates when a post is made).
    pub async fn team_outgoing_webhooks(&self, team_id: &str) -> Result<Vec<OutgoingWebhook>> {
        let rows = sqlx::query("SELECT * FROM outgoing_webhooks WHERE team_id = $1 AND delete_at = 0 ORDER BY create_at, id")
            .bind(team_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(outgoing).collect::<Result<_, _>>()?)
    }

    /// Save the editable fields and the token of an outgoing webhook; `NotFound` when it is gone.
    pub async fn update_outgoing_webhook(&self, h: &OutgoingWebhook) -> Result<()> {
        let done = sqlx::query(
            "UPDATE outgoing_webhooks SET update_at = $2, token = $3, channel_id = $4, trigger_words = $5, trigger_when = $6, callback_urls = $7, display_name = $8, \
             description = $9, content_type = $10, username = $11, icon_url = $12 WHERE id = $1 AND delete_at = 0",
        )
        .bind(&h.id)
        .bind(h.update_at)
        .bind(&h.token)
        .bind(&h.channel_id)
        .bind(to_json(&h.trigger_words))
        .bind(h.trigger_when)
        .bind(to_json(&h.callback_urls))
        .bind(&h.display_name)
        .bind(&h.description)
        .bind(&h.content_type)
        .bind(&h.username)
        .bind(&h.icon_url)
        .execute(self.writer())
        .await?;
        if done.rows_affected() == 0 { Err(Error::NotFound) } else { Ok(()) }
    }

    /// Soft-delete an outgoing webhook; `NotFound` when already gone.
    pub async fn delete_outgoing_webhook(&self, id: &str, now: i64) -> Result<()> {
        let done = sqlx::query("UPDATE outgoing_webhooks SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0")
            .bind(id)
            .bind(now)
            .execute(self.writer())
            .await?;
        if done.rows_affected() == 0 { Err(Error::NotFound) } else { Ok(()) }
    }
}
