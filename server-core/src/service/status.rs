//! User statuses (online, away, offline, dnd): read by anyone signed in, set by the user (or an admin), announced with `status_change`.

use serde_json::json;

use super::{Caller, Error, Result, now_ms, to_user};
use crate::domain::Invalid;
use crate::domain::command::{STATUSES, Status};
use crate::domain::error_ids;

super::area!(
    /// User statuses (online, away, ...).
    Statuses,
    statuses
);

impl Statuses<'_> {
    /// `GET /users/{id}/status`: the stored status, or `offline` for someone who never
    /// had one.
    pub async fn get_status(&self, _caller: &Caller, user_id: &str) -> Result<Status> {
        let user = self.users().get_user_checked(user_id).await?;
        Ok(self.store().get_status(&user.id).await?.unwrap_or(Status { user_id: user.id, status: "offline".into(), manual: false, last_activity_at: 0 }))
    }

    /// `PUT /users/{id}/status` and `/away`, `/online`, ...: a manual status. Mattermost
    /// sends `status_change` to the user's own connections (others ask for statuses).
    pub async fn set_status(&self, caller: &Caller, user_id: &str, status: &str) -> Result<Status> {
        caller.require_self_or_admin(user_id)?;
        if !STATUSES.contains(&status) {
            return Err(Error::Invalid(Invalid::new(error_ids::context::INVALID_BODY_PARAM, "Invalid or missing status in request body.")));
        }
        let user = self.users().get_user_checked(user_id).await?;
        let saved = Status { user_id: user.id, status: status.to_string(), manual: true, last_activity_at: now_ms() };
        self.store().upsert_status(&saved).await?;
        self.publish_logged("status_change", json!({ "status": saved.status, "user_id": saved.user_id }), to_user(&saved.user_id)).await;
        Ok(saved)
    }
}
