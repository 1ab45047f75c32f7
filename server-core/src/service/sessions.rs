//! Ending sessions from outside them: deactivating a user, "sign out everywhere", and keeping a WebSocket no longer than its session.
//!
//! Every way a session or token stops being valid (here, and `logout` and
//! `revoke_access_token` in `auth`) also closes the WebSockets that authenticated with
//! it, through the hub, so an open socket never outlives its credentials.

use serde_json::json;

use super::auth::Authenticated;
use super::auth::Sessions;
use super::{Caller, Error, Result, convert, now_ms};
use crate::domain::error_ids;
use crate::hub::BroadcastInfo;

impl Sessions<'_> {
    /// `PUT /users/{id}/active`: deactivate (or reactivate) an account, with Mattermost's
    /// checks: deactivating yourself is refused with 401, as `EnableUserDeactivation`
    /// is off (admins included, on this route); anyone else's account needs a system
    /// admin (403 `update_active.permissions`).
    pub async fn update_user_active(&self, caller: &Caller, user_id: &str, active: bool) -> Result<()> {
        if !active && caller.user_id() == user_id {
            return Err(self_deactivation_disabled());
        }
        if !caller.is_admin() {
            return Err(Error::Forbidden { id: error_ids::users::UPDATE_ACTIVE_PERMISSIONS, message: "You do not have the appropriate permissions.".into() });
        }
        self.set_user_active(caller, user_id, active).await
    }

    /// `DELETE /users/{id}`: deactivate, with Mattermost's checks for this route: someone
    /// else's account needs a system admin (403); your own is refused with 401 unless you
    /// are one.
    pub async fn delete_user(&self, caller: &Caller, user_id: &str) -> Result<()> {
        if !caller.is_admin() {
            return Err(if caller.user_id() == user_id { self_deactivation_disabled() } else { Error::forbidden() });
        }
        self.set_user_active(caller, user_id, false).await
    }

    /// Deactivating revokes every session and closes every WebSocket of the user, as
    /// Mattermost does, then `user-has-been-deactivated` reaches plugins. Setting the
    /// state an account already has changes nothing and fires nothing.
    async fn set_user_active(&self, caller: &Caller, user_id: &str, active: bool) -> Result<()> {
        let mut account = self.users().get_user_checked(user_id).await?;
        if (account.delete_at == 0) == active {
            return Ok(());
        }
        let now = now_ms();
        account.delete_at = if active { 0 } else { now };
        account.update_at = now;
        self.store().update_user(&account).await?;
        if !active {
            self.end_all_sessions(user_id).await?;
        }
        self.publish_logged("user_updated", json!({ "user": account }), BroadcastInfo::default()).await;
        if !active && let Some(host) = self.host() {
            host.user_has_been_deactivated(&caller.ctx, &convert::user_to_plugin(&account));
        }
        Ok(())
    }

    /// `POST /users/{id}/sessions/revoke/all`: the user or an admin signs the user out
    /// everywhere. Personal access tokens stay valid (they have their own revoke route),
    /// but sockets opened with them close too, as Mattermost revokes token sessions here.
    pub async fn revoke_all_sessions(&self, caller: &Caller, user_id: &str) -> Result<()> {
        caller.require_self_or_admin(user_id)?;
        self.users().get_user_checked(user_id).await?;
        self.end_all_sessions(user_id).await
    }

    async fn end_all_sessions(&self, user_id: &str) -> Result<()> {
        self.store().delete_user_sessions(user_id).await?;
        let closed = self.close_user_sockets(user_id).await;
        tracing::info!(%user_id, closed, "all sessions of a user revoked");
        Ok(())
    }

    /// Whether a WebSocket that authenticated as `auth` with `token` may stay open. The
    /// connection asks once right after it registered with the hub: a revocation that
    /// ran between its authentication and its registration found nothing to close.
    pub async fn websocket_still_valid(&self, auth: &Authenticated, token: &str) -> bool {
        match self.authenticate(token).await {
            Ok(now) => now.session_id == auth.session_id,
            Err(Error::Internal(e)) => {
                // The database failing is not a revocation; a later one still closes it.
                tracing::warn!(error = %e, "could not re-check a websocket's session");
                true
            }
            Err(_) => false,
        }
    }
}

/// Mattermost's 401 for deactivating yourself while `EnableUserDeactivation` is off.
fn self_deactivation_disabled() -> Error {
    Error::Unauthorized {
        id: error_ids::users::UPDATE_ACTIVE_NOT_ENABLE,
        message: "You cannot deactivate yourself because this feature is not enabled. Please contact your System Administrator.".into(),
    }
}
