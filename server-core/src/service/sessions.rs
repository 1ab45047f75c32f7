//! Ending sessions from outside them: deactivating a user, "sign out everywhere", and keeping a WebSocket no longer than its session.
//!
//! Every way a session or token stops being valid (here, and `logout` and
//! `revoke_access_token` in `auth`) also closes the WebSockets that authenticated with
//! it, through the hub, so an open socket never outlives its credentials.

use serde_json::json;

use super::auth::Authenticated;
use super::auth::Sessions;
use super::{Caller, Error, Result, now_ms};
use crate::hub::BroadcastInfo;

impl Sessions<'_> {
    /// `PUT /users/{id}/active` and `DELETE /users/{id}`: deactivate (or reactivate) an
    /// account. Admins only: Mattermost lets users deactivate themselves only with
    /// `EnableUserDeactivation`, off by default. Deactivating revokes every session and
    /// closes every WebSocket of the user, as Mattermost does.
    pub async fn update_user_active(&self, caller: &Caller, user_id: &str, active: bool) -> Result<()> {
        caller.require_admin()?;
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
        let closed = self.hub().close_user(user_id);
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
