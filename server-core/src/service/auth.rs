//! Passwords (argon2id), login and logout, sessions, personal access tokens, and turning a bearer token back into a caller.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use confab_host::types::PluginContext;

use super::{Actor, Caller, Error, Result, Services, convert, now_ms};
use crate::domain::{Paging, Session, User, UserAccessToken};
use crate::ids::new_id;
use crate::store;

/// A token that proved who is calling.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    /// The session id, or the personal access token's id.
    pub session_id: String,
    /// What a cookie-authenticated write must echo in `X-CSRF-Token`; empty for
    /// personal access tokens, which are never cookies.
    pub csrf_token: String,
    /// When the session expires (ms); 0 for personal access tokens, which do not.
    pub expires_at: i64,
}

impl Authenticated {
    /// Whether this is a login session (rather than a personal access token).
    pub fn is_session(&self) -> bool {
        self.expires_at != 0
    }
}

fn session_expired() -> Error {
    Error::Unauthorized { id: "api.context.session_expired.app_error", message: "Invalid or expired session, please login again.".into() }
}

fn invalid_credentials() -> Error {
    Error::Unauthorized { id: "api.user.login.invalid_credentials_email_username", message: "Enter a valid email or username and/or password.".into() }
}

/// Hash a password with argon2id and a fresh salt, off the async threads (it takes
/// tens of milliseconds on purpose).
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("random source: {e}")))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| Error::Internal(e.to_string()))?.to_string())
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}

/// Check a password against a stored hash (off the async threads).
async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || PasswordHash::new(&hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()))
        .await
        .unwrap_or(false)
}

impl Services {
    /// `POST /users/login`: check the password, let plugins veto, open a session.
    pub async fn login(&self, login_id: &str, password: &str, device_id: &str, ctx: &PluginContext) -> Result<(User, Session)> {
        let login_id = login_id.trim();
        let found = if login_id.contains('@') {
            self.store().get_user_by_email(login_id).await
        } else {
            self.store().get_user_by_username(&login_id.to_lowercase()).await
        };
        let user = match found {
            Ok(user) => user,
            Err(store::Error::NotFound) => {
                // Spend the same time as a wrong password, so timing does not reveal
                // which usernames exist.
                let _ = hash_password(password).await;
                return Err(invalid_credentials());
            }
            Err(e) => return Err(e.into()),
        };
        if user.delete_at != 0 {
            return Err(Error::Unauthorized {
                id: "api.user.login.inactive.app_error",
                message: "Login failed because your account has been deactivated.".into(),
            });
        }
        if user.is_bot || user.password_hash.is_empty() || !verify_password(password, &user.password_hash).await {
            return Err(invalid_credentials());
        }
        if let Some(host) = self.host()
            && let Err((plugin_id, reason)) = host.user_will_log_in(ctx, &convert::user_to_plugin(&user)).await
        {
            tracing::info!(%plugin_id, user_id = %user.id, "login refused by a plugin");
            return Err(Error::Unauthorized { id: "api.user.login.rejected_by_plugin.app_error", message: format!("Login rejected by plugin: {reason}") });
        }
        let now = now_ms();
        let session = Session {
            id: new_id(),
            token: new_id(),
            user_id: user.id.clone(),
            create_at: now,
            expires_at: now + self.settings().session_ttl_ms,
            last_activity_at: now,
            csrf_token: new_id(),
            device_id: device_id.to_string(),
        };
        self.store().insert_session(&session).await?;
        if let Some(host) = self.host() {
            host.user_has_logged_in(&PluginContext { session_id: session.id.clone(), ..ctx.clone() }, &convert::user_to_plugin(&user));
        }
        Ok((user, session))
    }

    /// `POST /users/logout`: revoke the session and close the WebSockets opened with
    /// it (a no-op for access tokens, which are revoked through their own route).
    pub async fn logout(&self, auth: &Authenticated) -> Result<()> {
        if auth.is_session() {
            self.store().delete_session(&auth.session_id).await?;
            self.hub().close_session(&auth.user.id, &auth.session_id);
        }
        Ok(())
    }

    /// Turn a bearer token (session token or personal access token) into the user it
    /// belongs to. Expired sessions are deleted on sight.
    pub async fn authenticate(&self, token: &str) -> Result<Authenticated> {
        if token.is_empty() || token.len() > 64 {
            return Err(session_expired());
        }
        let (user_id, session_id, csrf_token, expires_at) = match self.store().get_session_by_token(token).await {
            Ok(session) if session.expires_at > now_ms() => (session.user_id, session.id, session.csrf_token, session.expires_at),
            Ok(session) => {
                self.store().delete_session(&session.id).await?;
                return Err(session_expired());
            }
            Err(store::Error::NotFound) => match self.store().get_access_token_by_token(token).await {
                Ok(pat) if pat.is_active => (pat.user_id, pat.id, String::new(), 0),
                Ok(_) | Err(store::Error::NotFound) => return Err(session_expired()),
                Err(e) => return Err(e.into()),
            },
            Err(e) => return Err(e.into()),
        };
        let user = match self.store().get_user(&user_id).await {
            Ok(user) if user.delete_at == 0 => user,
            Ok(_) | Err(store::Error::NotFound) => return Err(session_expired()),
            Err(e) => return Err(e.into()),
        };
        Ok(Authenticated { user, session_id, csrf_token, expires_at })
    }

    /// `POST /users/{id}/tokens`.
    pub async fn create_access_token(&self, caller: &Caller, user_id: &str, description: &str) -> Result<UserAccessToken> {
        caller.require_self_or_admin(user_id)?;
        if description.trim().is_empty() || description.chars().count() > 255 {
            return Err(
                crate::domain::Invalid::new("model.user_access_token.is_valid.description.app_error", "Description must be 1 to 255 characters.").into()
            );
        }
        self.get_user_checked(user_id).await?;
        let token = UserAccessToken { id: new_id(), token: new_id(), user_id: user_id.to_string(), description: description.to_string(), is_active: true };
        self.store().insert_access_token(&token).await?;
        Ok(token)
    }

    /// `GET /users/{id}/tokens`: secrets blanked.
    pub async fn list_access_tokens(&self, caller: &Caller, user_id: &str, paging: Paging) -> Result<Vec<UserAccessToken>> {
        caller.require_self_or_admin(user_id)?;
        let mut tokens = self.store().list_access_tokens(user_id, paging).await?;
        for token in &mut tokens {
            token.token.clear();
        }
        Ok(tokens)
    }

    /// `POST /users/tokens/revoke`.
    pub async fn revoke_access_token(&self, caller: &Caller, token_id: &str) -> Result<()> {
        let token = match self.store().get_access_token(token_id).await {
            Ok(token) => token,
            Err(store::Error::NotFound) => return Err(Error::not_found("app.user_access_token.get_by_id.app_error", "access token")),
            Err(e) => return Err(e.into()),
        };
        caller.require_self_or_admin(&token.user_id)?;
        self.store().delete_access_token(token_id).await?;
        self.hub().close_session(&token.user_id, token_id);
        Ok(())
    }
}

/// The caller for an authenticated request.
pub fn caller_for(auth: &Authenticated, ctx: PluginContext) -> Caller {
    Caller {
        actor: Actor::User { user: Box::new(auth.user.clone()), session_id: auth.session_id.clone() },
        ctx: PluginContext { session_id: auth.session_id.clone(), ..ctx },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_salts_differ() {
        let a = hash_password("correct horse").await.unwrap();
        let b = hash_password("correct horse").await.unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &a).await);
        assert!(!verify_password("wrong horse", &a).await);
        assert!(!verify_password("x", "not a hash").await);
    }
}
