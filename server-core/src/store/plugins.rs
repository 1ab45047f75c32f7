//! Plugin state: installed, enabled, and the capabilities an admin granted.

use sqlx::Row;

use super::{Result, Store, bit, flag};

/// One plugin's stored state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRecord {
    pub plugin_id: String,
    /// Whether it should run (loaded at start-up).
    pub enabled: bool,
    /// Capabilities granted, as their manifest strings.
    pub granted: Vec<String>,
    /// Grant whatever the manifest requests (local plugin directory).
    pub grant_all_requested: bool,
    pub installed_at: i64,
    pub update_at: i64,
}

impl Store {
    /// A plugin's state, if it was ever recorded.
    pub async fn get_plugin(&self, plugin_id: &str) -> Result<Option<PluginRecord>> {
        let Some(row) = sqlx::query("SELECT * FROM plugins WHERE plugin_id = $1").bind(plugin_id).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let granted: String = row.try_get("granted")?;
        Ok(Some(PluginRecord {
            plugin_id: row.try_get("plugin_id")?,
            enabled: flag(&row, "enabled")?,
            granted: serde_json::from_str(&granted).unwrap_or_default(),
            grant_all_requested: flag(&row, "grant_all_requested")?,
            installed_at: row.try_get("installed_at")?,
            update_at: row.try_get("update_at")?,
        }))
    }

    /// Insert or replace a plugin's state.
    pub async fn upsert_plugin(&self, r: &PluginRecord) -> Result<()> {
        let granted = serde_json::to_string(&r.granted).expect("strings serialize");
        sqlx::query(
            "INSERT INTO plugins (plugin_id, enabled, granted, grant_all_requested, installed_at, update_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (plugin_id) DO UPDATE SET enabled = excluded.enabled, granted = excluded.granted, grant_all_requested = excluded.grant_all_requested, update_at = excluded.update_at",
        )
        .bind(&r.plugin_id)
        .bind(bit(r.enabled))
        .bind(&granted)
        .bind(bit(r.grant_all_requested))
        .bind(r.installed_at)
        .bind(r.update_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
