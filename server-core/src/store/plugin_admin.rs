//! Plugin administration SQL: committing an install (state, version, source, install token, bundle) in one transaction, listing, removing a plugin with its KV and settings, settings values, and who the system admins are.

use sqlx::Row;

use super::{PluginRecord, Result, Store, StoredBundle, bit, flag};

/// A plugin's stored state plus what the install recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledPlugin {
    pub record: PluginRecord,
    /// The installed version (empty for plugins recorded before versions were kept).
    pub version: String,
    /// `local`, `upload`, `url` or `marketplace`.
    pub source: String,
    /// The token of the install that put the current files in place.
    pub install_token: String,
}

fn installed(row: &sqlx::any::AnyRow) -> Result<InstalledPlugin> {
    let granted: String = row.try_get("granted")?;
    Ok(InstalledPlugin {
        record: PluginRecord {
            plugin_id: row.try_get("plugin_id")?,
            enabled: flag(row, "enabled")?,
            granted: serde_json::from_str(&granted).unwrap_or_default(),
            grant_all_requested: flag(row, "grant_all_requested")?,
            installed_at: row.try_get("installed_at")?,
            update_at: row.try_get("update_at")?,
        },
        version: row.try_get("version")?,
        source: row.try_get("source")?,
        install_token: row.try_get("install_token")?,
    })
}

impl Store {
    /// One installed plugin.
    pub async fn get_installed_plugin(&self, plugin_id: &str) -> Result<Option<InstalledPlugin>> {
        let row = sqlx::query("SELECT * FROM plugins WHERE plugin_id = $1").bind(plugin_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(installed).transpose()
    }

    /// Every recorded plugin, by id.
    pub async fn list_installed_plugins(&self) -> Result<Vec<InstalledPlugin>> {
        let rows = sqlx::query("SELECT * FROM plugins ORDER BY plugin_id").fetch_all(&self.pool).await?;
        rows.iter().map(installed).collect()
    }

    /// Record an install: the state row (created or replaced, `installed_at` kept) and
    /// what was installed, in one transaction. This is an install's point of no
    /// return: crash recovery keeps the new files exactly when `install_token` is here.
    /// The bundle of the install (`bundle`, or the staged one with its token) becomes
    /// the plugin's stored bundle and every other one of the plugin is dropped, in the
    /// same commit, so other nodes install exactly what was committed.
    pub async fn commit_plugin_install(&self, p: &InstalledPlugin, bundle: Option<&StoredBundle>) -> Result<()> {
        let r = &p.record;
        let granted = serde_json::to_string(&r.granted).expect("strings serialize");
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO plugins (plugin_id, enabled, granted, grant_all_requested, installed_at, update_at, version, source, install_token) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (plugin_id) DO UPDATE SET enabled = excluded.enabled, granted = excluded.granted, grant_all_requested = excluded.grant_all_requested, \
             update_at = excluded.update_at, version = excluded.version, source = excluded.source, install_token = excluded.install_token",
        )
        .bind(&r.plugin_id)
        .bind(bit(r.enabled))
        .bind(&granted)
        .bind(bit(r.grant_all_requested))
        .bind(r.installed_at)
        .bind(r.update_at)
        .bind(&p.version)
        .bind(&p.source)
        .bind(&p.install_token)
        .execute(&mut *tx)
        .await?;
        if let Some(bundle) = bundle {
            Store::insert_bundle(&mut *tx, bundle).await?;
        }
        sqlx::query("UPDATE plugin_bundles SET staged = 0 WHERE plugin_id = $1 AND install_token = $2")
            .bind(&r.plugin_id)
            .bind(&p.install_token)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM plugin_bundles WHERE plugin_id = $1 AND install_token <> $2")
            .bind(&r.plugin_id)
            .bind(&p.install_token)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forget a plugin: its state, settings, KV data, scheduled jobs and bundles, in one transaction.
    pub async fn delete_plugin_data(&self, plugin_id: &str) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        for table in ["plugins", "plugin_settings", "plugin_kv", "plugin_jobs", "plugin_bundles"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE plugin_id = $1")).bind(plugin_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The admin's settings values for a plugin, if any were saved.
    pub async fn get_plugin_settings(&self, plugin_id: &str) -> Result<Option<serde_json::Map<String, serde_json::Value>>> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT settings FROM plugin_settings WHERE plugin_id = $1").bind(plugin_id).fetch_optional(&self.pool).await?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Save a plugin's settings values (replacing them).
    pub async fn put_plugin_settings(&self, plugin_id: &str, settings: &serde_json::Map<String, serde_json::Value>, now: i64) -> Result<()> {
        let text = serde_json::Value::Object(settings.clone()).to_string();
        sqlx::query(
            "INSERT INTO plugin_settings (plugin_id, settings, update_at) VALUES ($1, $2, $3) \
             ON CONFLICT (plugin_id) DO UPDATE SET settings = excluded.settings, update_at = excluded.update_at",
        )
        .bind(plugin_id)
        .bind(&text)
        .bind(now)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Ids of the system admins (who receive admin-only WebSocket events).
    pub async fn system_admin_ids(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id, roles FROM users WHERE delete_at = 0").fetch_all(&self.pool).await?;
        let mut ids = Vec::new();
        for row in rows {
            let roles: String = row.try_get("roles")?;
            if roles.split_whitespace().any(|r| r == "system_admin") {
                ids.push(row.try_get("id")?);
            }
        }
        Ok(ids)
    }
}
