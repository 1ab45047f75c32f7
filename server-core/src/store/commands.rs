//! Custom slash commands, their `response_url` hooks, user statuses and server secrets.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store, bit, flag};
use crate::domain::command::{Command, Status};

fn command(row: &AnyRow) -> Result<Command, sqlx::Error> {
    let data: String = row.try_get("autocomplete_data")?;
    Ok(Command {
        id: row.try_get("id")?,
        token: row.try_get("token")?,
        create_at: row.try_get("create_at")?,
        update_at: row.try_get("update_at")?,
        delete_at: row.try_get("delete_at")?,
        creator_id: row.try_get("creator_id")?,
        team_id: row.try_get("team_id")?,
        trigger: row.try_get("trigger_word")?,
        method: row.try_get("method")?,
        username: row.try_get("username")?,
        icon_url: row.try_get("icon_url")?,
        auto_complete: flag(row, "auto_complete")?,
        auto_complete_desc: row.try_get("auto_complete_desc")?,
        auto_complete_hint: row.try_get("auto_complete_hint")?,
        display_name: row.try_get("display_name")?,
        description: row.try_get("description")?,
        url: row.try_get("url")?,
        plugin_id: row.try_get("plugin_id")?,
        // Written by us from a JSON value; unreadable text is treated as absent.
        autocomplete_data: if data.is_empty() { None } else { serde_json::from_str(&data).ok() },
        autocomplete_icon_data: row.try_get("autocomplete_icon_data")?,
    })
}

fn data_text(c: &Command) -> String {
    c.autocomplete_data.as_ref().filter(|d| !d.is_null()).map(|d| d.to_string()).unwrap_or_default()
}

/// A `response_url` hook row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandWebhook {
    pub id: String,
    pub create_at: i64,
    pub command_id: String,
    pub user_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub use_count: i64,
}

impl Store {
    /// Insert a command; `Conflict` when a live command of the team has the trigger.
    pub async fn insert_command(&self, c: &Command) -> Result<()> {
        sqlx::query(
            "INSERT INTO commands (id, token, create_at, update_at, delete_at, creator_id, team_id, trigger_word, method, username, icon_url, \
             auto_complete, auto_complete_desc, auto_complete_hint, display_name, description, url, plugin_id, autocomplete_data, autocomplete_icon_data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        )
        .bind(&c.id)
        .bind(&c.token)
        .bind(c.create_at)
        .bind(c.update_at)
        .bind(c.delete_at)
        .bind(&c.creator_id)
        .bind(&c.team_id)
        .bind(&c.trigger)
        .bind(&c.method)
        .bind(&c.username)
        .bind(&c.icon_url)
        .bind(bit(c.auto_complete))
        .bind(&c.auto_complete_desc)
        .bind(&c.auto_complete_hint)
        .bind(&c.display_name)
        .bind(&c.description)
        .bind(&c.url)
        .bind(&c.plugin_id)
        .bind(data_text(c))
        .bind(&c.autocomplete_icon_data)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Rewrite a live command's editable fields (and token, team); `NotFound` when it
    /// was deleted meanwhile, `Conflict` on a trigger clash.
    pub async fn update_command(&self, c: &Command) -> Result<()> {
        let done = sqlx::query(
            "UPDATE commands SET token = $2, update_at = $3, team_id = $4, trigger_word = $5, method = $6, username = $7, icon_url = $8, \
             auto_complete = $9, auto_complete_desc = $10, auto_complete_hint = $11, display_name = $12, description = $13, url = $14, \
             autocomplete_data = $15, autocomplete_icon_data = $16 WHERE id = $1 AND delete_at = 0",
        )
        .bind(&c.id)
        .bind(&c.token)
        .bind(c.update_at)
        .bind(&c.team_id)
        .bind(&c.trigger)
        .bind(&c.method)
        .bind(&c.username)
        .bind(&c.icon_url)
        .bind(bit(c.auto_complete))
        .bind(&c.auto_complete_desc)
        .bind(&c.auto_complete_hint)
        .bind(&c.display_name)
        .bind(&c.description)
        .bind(&c.url)
        .bind(data_text(c))
        .bind(&c.autocomplete_icon_data)
        .execute(self.writer())
        .await?;
        if done.rows_affected() == 0 { Err(super::Error::NotFound) } else { Ok(()) }
    }

    /// A live command by id.
    pub async fn get_command(&self, id: &str) -> Result<Command> {
        let row = sqlx::query("SELECT * FROM commands WHERE id = $1 AND delete_at = 0").bind(id).fetch_one(&self.pool).await?;
        Ok(command(&row)?)
    }

    /// The live command of `team_id` with `trigger`, if any.
    pub async fn command_by_trigger(&self, team_id: &str, trigger: &str) -> Result<Option<Command>> {
        let row = sqlx::query("SELECT * FROM commands WHERE team_id = $1 AND trigger_word = $2 AND delete_at = 0")
            .bind(team_id)
            .bind(trigger)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(command).transpose()?)
    }

    /// The live commands of a team, by trigger; only `creator_id`'s when given.
    pub async fn team_commands(&self, team_id: &str, creator_id: Option<&str>) -> Result<Vec<Command>> {
        let rows = sqlx::query("SELECT * FROM commands WHERE team_id = $1 AND delete_at = 0 AND ($2 = '' OR creator_id = $2) ORDER BY trigger_word")
            .bind(team_id)
            .bind(creator_id.unwrap_or_default())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(command).collect::<Result<_, _>>()?)
    }

    /// Soft-delete a command.
    pub async fn delete_command(&self, id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE commands SET delete_at = $2, update_at = $2 WHERE id = $1 AND delete_at = 0").bind(id).bind(now).execute(self.writer()).await?;
        Ok(())
    }

    /// Record a `response_url`.
    pub async fn insert_command_webhook(&self, h: &CommandWebhook) -> Result<()> {
        sqlx::query("INSERT INTO command_webhooks (id, create_at, command_id, user_id, channel_id, root_id, use_count) VALUES ($1, $2, $3, $4, $5, $6, 0)")
            .bind(&h.id)
            .bind(h.create_at)
            .bind(&h.command_id)
            .bind(&h.user_id)
            .bind(&h.channel_id)
            .bind(&h.root_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// A hook created after `created_after` (older ones have expired).
    pub async fn get_command_webhook(&self, id: &str, created_after: i64) -> Result<CommandWebhook> {
        let row = sqlx::query("SELECT * FROM command_webhooks WHERE id = $1 AND create_at > $2").bind(id).bind(created_after).fetch_one(&self.pool).await?;
        Ok(CommandWebhook {
            id: row.try_get("id")?,
            create_at: row.try_get("create_at")?,
            command_id: row.try_get("command_id")?,
            user_id: row.try_get("user_id")?,
            channel_id: row.try_get("channel_id")?,
            root_id: row.try_get("root_id")?,
            use_count: row.try_get("use_count")?,
        })
    }

    /// Count one use of a hook in one statement, so concurrent deliveries cannot both
    /// take the last use; `false` when it had `limit` uses already.
    pub async fn try_use_command_webhook(&self, id: &str, limit: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE command_webhooks SET use_count = use_count + 1 WHERE id = $1 AND use_count < $2")
            .bind(id)
            .bind(limit)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Forget hooks created before `before` (expired).
    pub async fn delete_command_webhooks_before(&self, before: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM command_webhooks WHERE create_at <= $1").bind(before).execute(self.writer()).await?.rows_affected())
    }

    /// A user's stored status, if any.
    pub async fn get_status(&self, user_id: &str) -> Result<Option<Status>> {
        let row = sqlx::query("SELECT * FROM user_status WHERE user_id = $1").bind(user_id).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Status {
            user_id: row.try_get("user_id")?,
            status: row.try_get("status")?,
            manual: flag(&row, "manual")?,
            last_activity_at: row.try_get("last_activity_at")?,
        }))
    }

    /// The users whose status is `online` because of their connections (not set by
    /// hand), to re-check after a node died with some of those connections.
    pub async fn automatic_online_user_ids(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT user_id FROM user_status WHERE status = 'online' AND manual = 0").fetch_all(&self.pool).await?)
    }

    /// Store a user's status.
    pub async fn upsert_status(&self, s: &Status) -> Result<()> {
        sqlx::query(
            "INSERT INTO user_status (user_id, status, manual, last_activity_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, manual = excluded.manual, last_activity_at = excluded.last_activity_at",
        )
        .bind(&s.user_id)
        .bind(&s.status)
        .bind(bit(s.manual))
        .bind(s.last_activity_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The secret named `name`, created from `fresh` if there is none yet. Every node
    /// ends up with the first value written (insert-if-absent, then read).
    pub async fn ensure_secret(&self, name: &str, fresh: &[u8], now: i64) -> Result<Vec<u8>> {
        let select = "SELECT value FROM server_secrets WHERE name = $1";
        if let Some(value) = sqlx::query_scalar(select).bind(name).fetch_optional(&self.pool).await? {
            return Ok(value);
        }
        sqlx::query("INSERT INTO server_secrets (name, value, create_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(fresh.to_vec())
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(sqlx::query_scalar(select).bind(name).fetch_one(&self.pool).await?)
    }
}
