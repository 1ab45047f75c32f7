//! Server secrets: random keys created on first use and kept in the database, so every node and every restart uses the same ones.

use sqlx::Row;

use super::{Result, Store};

impl Store {
    /// The secret called `name`, created from `generate` if there is none yet. Two
    /// nodes creating it at once agree: the first insert wins and both read it back.
    pub async fn server_secret(&self, name: &str, generate: impl FnOnce() -> String) -> Result<String> {
        sqlx::query("INSERT INTO server_secrets (name, value, create_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(generate())
            .bind(crate::service::now_ms())
            .execute(&self.pool)
            .await?;
        let row = sqlx::query("SELECT value FROM server_secrets WHERE name = $1").bind(name).fetch_one(&self.pool).await?;
        Ok(row.try_get("value")?)
    }
}
