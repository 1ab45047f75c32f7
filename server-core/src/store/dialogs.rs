//! Open interactive dialogs: recorded when the server opens one for a user, taken when that user submits it, bounded per user and swept when expired.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store};
use crate::domain::dialog::OpenDialog;

fn open_dialog(row: &AnyRow) -> Result<OpenDialog, sqlx::Error> {
    Ok(OpenDialog {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        url: row.try_get("url")?,
        callback_id: row.try_get("callback_id")?,
        state: row.try_get("state")?,
        create_at: row.try_get("create_at")?,
        expire_at: row.try_get("expire_at")?,
    })
}

impl Store {
    /// Record `dialog`, then keep only the user's `max_per_user` newest dialogs and drop
    /// every expired one (of anyone), so the table stays small without a sweeper task.
    pub async fn insert_open_dialog(&self, dialog: &OpenDialog, max_per_user: i64, now: i64) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("DELETE FROM open_dialogs WHERE expire_at <= $1").bind(now).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO open_dialogs (id, user_id, url, callback_id, state, create_at, expire_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&dialog.id)
            .bind(&dialog.user_id)
            .bind(&dialog.url)
            .bind(&dialog.callback_id)
            .bind(&dialog.state)
            .bind(dialog.create_at)
            .bind(dialog.expire_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM open_dialogs WHERE user_id = $1 AND id NOT IN \
             (SELECT id FROM open_dialogs WHERE user_id = $1 ORDER BY create_at DESC, id DESC LIMIT $2)",
        )
        .bind(&dialog.user_id)
        .bind(max_per_user)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Take (remove and return) the newest unexpired dialog opened for `user_id` with
    /// this url and callback id. Removing it first means two submissions of one dialog
    /// racing each other cannot both go through; the caller puts it back when the
    /// dialog stays open. `None` when there is none (or another submission took it).
    pub async fn take_open_dialog(&self, user_id: &str, url: &str, callback_id: &str, now: i64) -> Result<Option<OpenDialog>> {
        let row = sqlx::query(
            "SELECT * FROM open_dialogs WHERE user_id = $1 AND url = $2 AND callback_id = $3 AND expire_at > $4 ORDER BY create_at DESC, id DESC LIMIT 1",
        )
        .bind(user_id)
        .bind(url)
        .bind(callback_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let dialog = open_dialog(&row)?;
        let done = sqlx::query("DELETE FROM open_dialogs WHERE id = $1").bind(&dialog.id).execute(self.writer()).await?;
        Ok((done.rows_affected() == 1).then_some(dialog))
    }
}
