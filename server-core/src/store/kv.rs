//! The plugin key-value store: namespaced by plugin id, with expiry and compare-and-set done in single SQL statements (committed in batches by `kv_batch.rs`).

use super::{Backend, Result, Store};

/// One `set-with-options` write, already validated by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvWrite<'a> {
    /// The new value; `None` deletes.
    pub value: Option<&'a [u8]>,
    /// Compare-and-set: write only if the current live value equals `old_value`
    /// (`None`: only if there is none).
    pub atomic: bool,
    /// The expected current value for `atomic`.
    pub old_value: Option<&'a [u8]>,
    /// When the value stops being visible (ms); 0 = never.
    pub expire_at: i64,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KvWriteOutcome {
    /// The write happened.
    Written,
    /// The comparison failed; nothing changed.
    Mismatch,
    /// The value would take the plugin past its quota; nothing changed.
    OverQuota,
}

/// The tail of an insert that replaces the row of the same key.
pub(super) const REPLACE: &str =
    "ON CONFLICT (plugin_id, key) DO UPDATE SET value = excluded.value, value_size = excluded.value_size, expire_at = excluded.expire_at";

/// SQL condition: the row is visible at `$now` (the placeholder is given).
fn live(now: &str) -> String {
    format!("(expire_at = 0 OR expire_at > {now})")
}

impl Store {
    /// The live value of `key`.
    pub async fn kv_get(&self, plugin_id: &str, key: &str, now: i64) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar(&format!("SELECT value FROM plugin_kv WHERE plugin_id = $1 AND key = $2 AND {}", live("$3")))
            .bind(plugin_id)
            .bind(key)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Delete one key.
    pub async fn kv_delete(&self, plugin_id: &str, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM plugin_kv WHERE plugin_id = $1 AND key = $2").bind(plugin_id).bind(key).execute(self.writer()).await?;
        Ok(())
    }

    /// Live keys in byte order, one page. Expired rows are purged first so they
    /// neither show nor count against the quota.
    pub async fn kv_list(&self, plugin_id: &str, page: u32, per_page: u32, now: i64) -> Result<Vec<String>> {
        self.kv_purge_expired(plugin_id, now).await?;
        // PostgreSQL sorts text by the database's locale unless told otherwise; byte
        // order is what SQLite does and what paging callers can rely on.
        let order = match self.backend {
            Backend::Sqlite => "key",
            Backend::Postgres => "key COLLATE \"C\"",
        };
        let offset = i64::from(page).saturating_mul(i64::from(per_page));
        Ok(sqlx::query_scalar(&format!("SELECT key FROM plugin_kv WHERE plugin_id = $1 ORDER BY {order} LIMIT $2 OFFSET $3"))
            .bind(plugin_id)
            .bind(i64::from(per_page))
            .bind(offset)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Delete every key of a plugin.
    pub async fn kv_delete_all(&self, plugin_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM plugin_kv WHERE plugin_id = $1").bind(plugin_id).execute(self.writer()).await?;
        Ok(())
    }

    /// Bytes of live values a plugin stores, excluding `except_key` (the key about to
    /// be overwritten), for the quota check.
    pub async fn kv_usage(&self, plugin_id: &str, except_key: &str, now: i64) -> Result<i64> {
        usage_excluding(&self.pool, plugin_id, except_key, now).await
    }

    async fn kv_purge_expired(&self, plugin_id: &str, now: i64) -> Result<()> {
        sqlx::query("DELETE FROM plugin_kv WHERE plugin_id = $1 AND expire_at <> 0 AND expire_at <= $2")
            .bind(plugin_id)
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

/// Write, delete or compare-and-set `key` in one statement on `db` (the writer, or a
/// transaction of [`Store::kv_write`]'s batches).
pub(super) async fn write_one<'e, E>(db: E, plugin_id: &str, key: &str, write: &KvWrite<'_>, now: i64) -> Result<KvWriteOutcome>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let affected = match (write.atomic, write.old_value, write.value) {
        // A set replaces whatever is there; insert-if-absent replaces only an expired row.
        (false, _, Some(value)) | (true, None, Some(value)) => {
            let only_expired = if write.atomic { " WHERE plugin_kv.expire_at <> 0 AND plugin_kv.expire_at <= $6" } else { "" };
            let sql = format!("INSERT INTO plugin_kv (plugin_id, key, value, value_size, expire_at) VALUES ($1, $2, $3, $4, $5) {REPLACE}{only_expired}");
            let query = sqlx::query(&sql).bind(plugin_id).bind(key).bind(value.to_vec()).bind(value.len() as i64).bind(write.expire_at);
            let query = if write.atomic { query.bind(now) } else { query };
            let affected = query.execute(db).await?.rows_affected();
            if write.atomic { affected } else { 1 }
        }
        (false, _, None) => {
            sqlx::query("DELETE FROM plugin_kv WHERE plugin_id = $1 AND key = $2").bind(plugin_id).bind(key).execute(db).await?;
            1
        }
        // Deleting "only if absent" can never happen (Mattermost's CompareAndDelete
        // with a nil old value returns false).
        (true, None, None) => 0,
        (true, Some(old), Some(value)) => sqlx::query(&format!(
            "UPDATE plugin_kv SET value = $3, value_size = $4, expire_at = $5 WHERE plugin_id = $1 AND key = $2 AND value = $6 AND {}",
            live("$7")
        ))
        .bind(plugin_id)
        .bind(key)
        .bind(value.to_vec())
        .bind(value.len() as i64)
        .bind(write.expire_at)
        .bind(old.to_vec())
        .bind(now)
        .execute(db)
        .await?
        .rows_affected(),
        (true, Some(old), None) => sqlx::query(&format!("DELETE FROM plugin_kv WHERE plugin_id = $1 AND key = $2 AND value = $3 AND {}", live("$4")))
            .bind(plugin_id)
            .bind(key)
            .bind(old.to_vec())
            .bind(now)
            .execute(db)
            .await?
            .rows_affected(),
    };
    Ok(if affected > 0 { KvWriteOutcome::Written } else { KvWriteOutcome::Mismatch })
}

/// [`Store::kv_usage`] on `db` (the pool, or a batch's transaction, which sees the
/// batch's earlier writes).
pub(super) async fn usage_excluding<'e, E>(db: E, plugin_id: &str, except_key: &str, now: i64) -> Result<i64>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sum: Option<i64> =
        sqlx::query_scalar(&format!("SELECT CAST(SUM(value_size) AS BIGINT) FROM plugin_kv WHERE plugin_id = $1 AND key <> $2 AND {}", live("$3")))
            .bind(plugin_id)
            .bind(except_key)
            .bind(now)
            .fetch_one(db)
            .await?;
    Ok(sum.unwrap_or(0))
}

/// Bytes of values live at `now` for each of `plugin_ids` (absent: none), in one statement.
pub(super) async fn usage_of<'e, E>(db: E, plugin_ids: &[&str], now: i64) -> Result<Vec<(String, i64)>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let placeholders: Vec<String> = (0..plugin_ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT plugin_id, CAST(SUM(value_size) AS BIGINT) FROM plugin_kv WHERE {} AND plugin_id IN ({}) GROUP BY plugin_id",
        live("$1"),
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, i64)>(&sql).bind(now);
    for id in plugin_ids {
        query = query.bind(*id);
    }
    Ok(query.fetch_all(db).await?)
}
