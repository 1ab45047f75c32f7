//! Cluster plugin state in the database: the bundle of each installed plugin (and of an upgrade waiting for approval), and each node's plugin statuses under a heartbeat.
//!
//! A bundle row is the installed version exactly when its `install_token` is the one
//! in `plugins`; the install's commit ([`Store::commit_plugin_install`]) keeps that
//! row and drops every other one of the plugin, in the same transaction, so the table
//! never holds more than the installed bundle and one staged upgrade per plugin.

use sqlx::Row;

use super::{Result, Store, bit};

/// A plugin bundle as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBundle {
    pub plugin_id: String,
    pub install_token: String,
    pub version: String,
    /// Hex SHA-256 of `bytes`.
    pub sha256: String,
    pub bytes: Vec<u8>,
    /// An upgrade waiting for its permissions to be approved.
    pub staged: bool,
    pub create_at: i64,
}

impl StoredBundle {
    /// A bundle of `bytes`, its hash computed here.
    pub fn new(plugin_id: &str, install_token: &str, version: &str, bytes: &[u8], staged: bool, now: i64) -> StoredBundle {
        use sha2::Digest;
        StoredBundle {
            plugin_id: plugin_id.to_string(),
            install_token: install_token.to_string(),
            version: version.to_string(),
            sha256: hex::encode(sha2::Sha256::digest(bytes)),
            bytes: bytes.to_vec(),
            staged,
            create_at: now,
        }
    }

    /// Whether `bytes` still hash to `sha256` (a row damaged in storage is refused).
    pub fn intact(&self) -> bool {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&self.bytes)) == self.sha256
    }
}

/// One node's plugin statuses, as it last wrote them.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeStatuses {
    pub node_id: String,
    /// Mattermost's status objects, without `cluster_id`.
    pub statuses: Vec<serde_json::Value>,
    pub heartbeat_at: i64,
}

fn bundle(row: &sqlx::any::AnyRow) -> Result<StoredBundle, sqlx::Error> {
    let staged: i64 = row.try_get("staged")?;
    Ok(StoredBundle {
        plugin_id: row.try_get("plugin_id")?,
        install_token: row.try_get("install_token")?,
        version: row.try_get("version")?,
        sha256: row.try_get("sha256")?,
        bytes: row.try_get("bytes")?,
        staged: staged != 0,
        create_at: row.try_get("create_at")?,
    })
}

impl Store {
    /// Insert a bundle (a row with the same plugin and token is kept as it is: a token
    /// names one set of bytes).
    pub(super) async fn insert_bundle<'c, E>(executor: E, b: &StoredBundle) -> Result<()>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        sqlx::query(
            "INSERT INTO plugin_bundles (plugin_id, install_token, version, sha256, bytes, staged, create_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (plugin_id, install_token) DO NOTHING",
        )
        .bind(&b.plugin_id)
        .bind(&b.install_token)
        .bind(&b.version)
        .bind(&b.sha256)
        .bind(&b.bytes)
        .bind(bit(b.staged))
        .bind(b.create_at)
        .execute(executor)
        .await?;
        Ok(())
    }

    /// Keep an upgrade waiting for approval: it replaces any earlier staged bundle of
    /// the plugin; the installed one stays.
    pub async fn put_staged_bundle(&self, b: &StoredBundle) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("DELETE FROM plugin_bundles WHERE plugin_id = $1 AND staged = 1").bind(&b.plugin_id).execute(&mut *tx).await?;
        Store::insert_bundle(&mut *tx, &StoredBundle { staged: true, ..b.clone() }).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The bundle an install token names.
    pub async fn get_bundle(&self, plugin_id: &str, install_token: &str) -> Result<Option<StoredBundle>> {
        let row = sqlx::query("SELECT * FROM plugin_bundles WHERE plugin_id = $1 AND install_token = $2")
            .bind(plugin_id)
            .bind(install_token)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(bundle).transpose()?)
    }

    /// The upgrade of a plugin waiting for approval, if any.
    pub async fn get_staged_bundle(&self, plugin_id: &str) -> Result<Option<StoredBundle>> {
        let row = sqlx::query("SELECT * FROM plugin_bundles WHERE plugin_id = $1 AND staged = 1").bind(plugin_id).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(bundle).transpose()?)
    }

    /// When each plugin's settings were last saved, by plugin id.
    pub async fn plugin_settings_times(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT plugin_id, update_at FROM plugin_settings").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get("plugin_id")?, r.try_get("update_at")?))).collect()
    }

    /// Write this node's plugin statuses with a fresh heartbeat, and delete the rows of
    /// nodes silent since before `expired_before`.
    pub async fn put_node_statuses(&self, node_id: &str, statuses: &[serde_json::Value], now: i64, expired_before: i64) -> Result<()> {
        let text = serde_json::Value::Array(statuses.to_vec()).to_string();
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO cluster_plugin_statuses (node_id, statuses, heartbeat_at) VALUES ($1, $2, $3) \
             ON CONFLICT (node_id) DO UPDATE SET statuses = excluded.statuses, heartbeat_at = excluded.heartbeat_at",
        )
        .bind(node_id)
        .bind(&text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM cluster_plugin_statuses WHERE heartbeat_at < $1").bind(expired_before).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The statuses of every node heard from since `alive_since`, by node id.
    pub async fn live_node_statuses(&self, alive_since: i64) -> Result<Vec<NodeStatuses>> {
        let rows = sqlx::query("SELECT node_id, statuses, heartbeat_at FROM cluster_plugin_statuses WHERE heartbeat_at >= $1 ORDER BY node_id")
            .bind(alive_since)
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let text: String = row.try_get("statuses")?;
            out.push(NodeStatuses {
                node_id: row.try_get("node_id")?,
                statuses: serde_json::from_str(&text).unwrap_or_default(),
                heartbeat_at: row.try_get("heartbeat_at")?,
            });
        }
        Ok(out)
    }

    /// The nodes whose row is older than `silent_since`, with the heartbeat they last
    /// wrote: nodes that stopped without removing it (`service/departed.rs`).
    pub async fn silent_nodes(&self, silent_since: i64) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT node_id, heartbeat_at FROM cluster_plugin_statuses WHERE heartbeat_at < $1 ORDER BY node_id")
            .bind(silent_since)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("node_id")?, r.try_get("heartbeat_at")?))).collect()
    }

    /// The heartbeat a node last wrote, if it has a row.
    pub async fn node_heartbeat(&self, node_id: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT heartbeat_at FROM cluster_plugin_statuses WHERE node_id = $1").bind(node_id).fetch_optional(&self.pool).await?)
    }

    /// Take the right to settle a node's departure: its row is deleted if it still
    /// carries `heartbeat_at`. True for exactly one of the nodes racing for it (a node
    /// that wrote a fresh heartbeat meanwhile was not dead, and is left alone).
    pub async fn claim_departed_node(&self, node_id: &str, heartbeat_at: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM cluster_plugin_statuses WHERE node_id = $1 AND heartbeat_at = $2")
            .bind(node_id)
            .bind(heartbeat_at)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forget a node's statuses (it is shutting down).
    pub async fn delete_node_statuses(&self, node_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM cluster_plugin_statuses WHERE node_id = $1").bind(node_id).execute(self.writer()).await?;
        Ok(())
    }
}
