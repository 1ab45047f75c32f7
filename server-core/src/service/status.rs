//! User statuses (online, away, offline, dnd): read by anyone signed in, set by the user (or an admin) or by their WebSocket connections coming and going, announced with `status_change`.

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

    /// `PUT /users/{id}/status` and `/away`, `/online`, ...: a manual status, which the
    /// user's connections then leave alone; `online` is not one (Mattermost: "for online
    /// there's no manual setting"), so connections rule again after it. Mattermost
    /// sends `status_change` to the user's own connections (others ask for statuses).
    pub async fn set_status(&self, caller: &Caller, user_id: &str, status: &str) -> Result<Status> {
        caller.require_self_or_admin(user_id)?;
        if !STATUSES.contains(&status) {
            return Err(Error::Invalid(Invalid::new(error_ids::context::INVALID_BODY_PARAM, "Invalid or missing status in request body.")));
        }
        let user = self.users().get_user_checked(user_id).await?;
        let saved = Status { user_id: user.id, status: status.to_string(), manual: status != "online", last_activity_at: now_ms() };
        let _turn = self.hub().status_turn(&saved.user_id).lock().await;
        self.store().upsert_status(&saved).await?;
        self.announce(&saved).await;
        Ok(saved)
    }

    /// After a user's WebSocket opened or closed: `online` while they have one open,
    /// `offline` once the last closed, unless their status is manual (Mattermost's
    /// `SetStatusOnline`/`SetStatusOffline` with `manual = false`: "manually set status
    /// always overrides non-manual one"). Announced when it changed. Failures are
    /// logged: a connection is not refused over its status.
    pub(crate) async fn follow_connections(&self, user_id: &str) {
        // In turn per user, and the hub asked inside the turn: whichever change runs
        // last sees the connections as they are, so racing opens and closes settle right.
        let _turn = self.hub().status_turn(user_id).lock().await;
        let here = self.hub().is_connected(user_id);
        // In cluster mode a socket on another node counts too (`cluster/presence.rs`).
        let connected = match self.cluster() {
            Some(cluster) => {
                cluster.set_present(user_id, here).await;
                here || cluster.present_elsewhere(user_id).await
            }
            None => here,
        };
        let current = match self.store().get_status(user_id).await {
            Ok(current) => current,
            Err(error) => return tracing::warn!(%user_id, %error, "reading the status failed"),
        };
        let wanted = if connected { "online" } else { "offline" };
        match &current {
            Some(status) if status.manual || status.status == wanted => return,
            // Never had a status: that reads as offline already.
            None if !connected => return,
            _ => {}
        }
        let saved = Status { user_id: user_id.to_string(), status: wanted.to_string(), manual: false, last_activity_at: now_ms() };
        if let Err(error) = self.store().upsert_status(&saved).await {
            return tracing::warn!(%user_id, %error, "saving the status failed");
        }
        self.announce(&saved).await;
        // Another node may have taken its first socket of this user, and read the status
        // as still online, between the question above and this write: ask again, so the
        // last word is right.
        if !connected
            && let Some(cluster) = self.cluster()
            && cluster.present_elsewhere(user_id).await
        {
            let online = Status { status: "online".into(), last_activity_at: now_ms(), ..saved };
            if let Err(error) = self.store().upsert_status(&online).await {
                return tracing::warn!(%user_id, %error, "saving the status failed");
            }
            self.announce(&online).await;
        }
    }

    /// After a node died with sockets open (`service/departed.rs`): follow the
    /// connections again for every user whose status is automatically `online` and
    /// who has no socket here. [`Statuses::follow_connections`] asks the live nodes, so
    /// a user connected elsewhere stays online and the others go offline, announced
    /// as after a normal disconnect; manual statuses are not touched. Returns how many
    /// users were re-checked.
    pub(crate) async fn settle_automatic(&self) -> Result<usize> {
        use futures_util::StreamExt;
        /// Users re-checked at once (each costs a presence question and a read).
        const AT_ONCE: usize = 16;
        let users: Vec<String> = self.store().automatic_online_user_ids().await?.into_iter().filter(|u| !self.hub().is_connected(u)).collect();
        let count = users.len();
        futures_util::stream::iter(users).for_each_concurrent(AT_ONCE, |user_id| async move { self.follow_connections(&user_id).await }).await;
        Ok(count)
    }

    /// `status_change` to the user's own connections, as Mattermost's `BroadcastStatus`.
    async fn announce(&self, status: &Status) {
        self.publish_logged("status_change", json!({ "status": status.status, "user_id": status.user_id }), to_user(&status.user_id)).await;
    }
}
