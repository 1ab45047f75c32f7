//! Users' preferences: read all, by category or one; save (upsert) and delete in one transaction each.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store};
use crate::domain::Preference;

fn preference(row: &AnyRow) -> Result<Preference, sqlx::Error> {
    Ok(Preference { user_id: row.try_get("user_id")?, category: row.try_get("category")?, name: row.try_get("name")?, value: row.try_get("value")? })
}

impl Store {
    /// Every preference of a user, by category and name.
    pub async fn preferences_for_user(&self, user_id: &str) -> Result<Vec<Preference>> {
        let rows = sqlx::query("SELECT * FROM preferences WHERE user_id = $1 ORDER BY category, name").bind(user_id).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(preference).collect::<Result<_, _>>()?)
    }

    /// A user's preferences in one category, by name.
    pub async fn preferences_in_category(&self, user_id: &str, category: &str) -> Result<Vec<Preference>> {
        let rows = sqlx::query("SELECT * FROM preferences WHERE user_id = $1 AND category = $2 ORDER BY name")
            .bind(user_id)
            .bind(category)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(preference).collect::<Result<_, _>>()?)
    }

    /// One preference; `NotFound` when unset.
    pub async fn get_preference(&self, user_id: &str, category: &str, name: &str) -> Result<Preference> {
        let row = sqlx::query("SELECT * FROM preferences WHERE user_id = $1 AND category = $2 AND name = $3")
            .bind(user_id)
            .bind(category)
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(preference(&row)?)
    }

    /// Set each preference (insert or replace the value), all or none.
    pub async fn save_preferences(&self, preferences: &[Preference]) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        for p in preferences {
            sqlx::query(
                "INSERT INTO preferences (user_id, category, name, value) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, category, name) DO UPDATE SET value = excluded.value",
            )
            .bind(&p.user_id)
            .bind(&p.category)
            .bind(&p.name)
            .bind(&p.value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Remove each preference (by user, category and name; the value is ignored), all
    /// or none.
    pub async fn delete_preferences(&self, preferences: &[Preference]) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        for p in preferences {
            sqlx::query("DELETE FROM preferences WHERE user_id = $1 AND category = $2 AND name = $3")
                .bind(&p.user_id)
                .bind(&p.category)
                .bind(&p.name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
