//! Passwords (argon2id), login and logout, sessions, personal access tokens, and turning a bearer token back into a caller.

pub mod password;

use confab_host::types::PluginContext;

use super::{Actor, Caller, Error, Result, convert, now_ms};
use crate::domain::error_ids;
use crate::domain::{Paging, Session, User, UserAccessToken};
use crate::ids::new_id;
use crate::store;
use password::{PasswordError, PasswordSettings};

super::area!(
    /// Authentication and sessions: login, logout, tokens, passwords, deactivation.
    Sessions,
    sessions
);

/// Lock-out after failed logins (Mattermost's `MaximumLoginAttempts`) and the
/// password-hashing pool's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSettings {
    /// Wrong passwords in a row after which an account refuses every login, the right
    /// password too, until an admin sets a new password; 0 turns the lock-out off.
    pub max_attempts: u32,
    /// The password-hashing pool.
    pub hashing: PasswordSettings,
}

impl Default for LoginSettings {
    fn default() -> Self {
        LoginSettings { max_attempts: 10, hashing: PasswordSettings::default() }
    }
}

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
    Error::Unauthorized { id: error_ids::context::SESSION_EXPIRED, message: "Invalid or expired session, please login again.".into() }
}

fn invalid_credentials() -> Error {
    Error::Unauthorized { id: error_ids::users::LOGIN_INVALID_CREDENTIALS_EMAIL_USERNAME, message: "Enter a valid email or username and/or password.".into() }
}

/// Mattermost's refusal of a locked account (401, not masked as bad credentials).
fn too_many_attempts() -> Error {
    Error::Unauthorized {
        id: error_ids::users::CHECK_USER_LOGIN_ATTEMPTS_TOO_MANY,
        message: "Your account is locked because of too many failed password attempts. Please reset your password.".into(),
    }
}

impl From<PasswordError> for Error {
    fn from(e: PasswordError) -> Error {
        match e {
            PasswordError::Busy(waited) => {
                tracing::warn!(?waited, "a password check found every hashing slot busy");
                Error::Unavailable { id: error_ids::users::PASSWORD_HASHING_BUSY, message: "The server is busy checking passwords. Please try again.".into() }
            }
            e @ PasswordError::Internal(_) => Error::Internal(Box::new(e)),
        }
    }
}

impl Sessions<'_> {
    /// An argon2id PHC string for `password`, through the bounded hashing pool.
    pub async fn hash_password(&self, password: &str) -> Result<String> {
        Ok(self.passwords().hash(password).await?)
    }

    /// Whether `password` is the account's (bots and accounts without a password
    /// never match, at the same cost).
    async fn password_matches(&self, user: &User, password: &str) -> Result<bool> {
        if user.is_bot || user.password_hash.is_empty() {
            self.passwords().verify_nothing(password).await?;
            return Ok(false);
        }
        Ok(self.passwords().verify(password, &user.password_hash).await?)
    }

    /// Whether the account is locked by failed attempts.
    fn locked_out(&self, user: &User) -> bool {
        let max = self.settings().login.max_attempts;
        max > 0 && user.failed_attempts >= i64::from(max)
    }

    /// Check `password` for `user` as Mattermost's `CheckPasswordAndAllCriteria`
    /// does: a locked account is refused before any hashing; a wrong password counts
    /// one failed attempt (atomically, never past the maximum: concurrent wrong
    /// guesses past it get the lock-out error); the right one clears the count.
    /// `wrong` is the error for a wrong password.
    async fn check_password(&self, user: &User, password: &str, wrong: fn() -> Error) -> Result<()> {
        if self.locked_out(user) {
            return Err(too_many_attempts());
        }
        if !self.password_matches(user, password).await? {
            let max = match self.settings().login.max_attempts {
                0 => i64::MAX,
                max => i64::from(max),
            };
            if !self.store().record_failed_login(&user.id, max).await? {
                return Err(too_many_attempts());
            }
            return Err(wrong());
        }
        if user.failed_attempts > 0 {
            self.store().reset_failed_logins(&user.id).await?;
        }
        Ok(())
    }

    /// `POST /users/login`: check the password, let plugins veto, open a session.
    pub async fn login(&self, login_id: &str, password: &str, device_id: &str, ctx: &PluginContext) -> Result<(User, Session)> {
        let login_id = login_id.trim();
        let found = if login_id.contains('@') {
            self.store().get_user_by_email(login_id).await
        } else {
            self.store().get_user_by_username(&login_id.to_lowercase()).await
        };
        let mut user = match found {
            Ok(user) => user,
            Err(store::Error::NotFound) => {
                // Spend what a wrong password costs, in the same bounded pool, so
                // timing does not reveal which usernames exist.
                self.passwords().verify_nothing(password).await?;
                return Err(invalid_credentials());
            }
            Err(e) => return Err(e.into()),
        };
        if user.delete_at != 0 {
            return Err(Error::Unauthorized {
                id: error_ids::users::LOGIN_INACTIVE,
                message: "Login failed because your account has been deactivated.".into(),
            });
        }
        self.check_password(&user, password, invalid_credentials).await?;
        user.failed_attempts = 0;
        if let Some(host) = self.host()
            && let Err((plugin_id, reason)) = host.user_will_log_in(ctx, &convert::user_to_plugin(&user)).await
        {
            tracing::info!(%plugin_id, user_id = %user.id, "login refused by a plugin");
            return Err(Error::Unauthorized { id: error_ids::users::LOGIN_REJECTED_BY_PLUGIN, message: format!("Login rejected by plugin: {reason}") });
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

    /// `PUT /users/{id}/password`, Mattermost's rules: users change their own password
    /// with the current one (a wrong one counts as a failed login, and a locked account
    /// cannot do it); a system admin sets anyone else's without it. Setting a password
    /// clears the failed-attempt count, which is how an admin unlocks an account.
    pub async fn update_password(&self, caller: &Caller, user_id: &str, current_password: &str, new_password: &str) -> Result<()> {
        let own = caller.user_id() == user_id;
        if !own && !caller.is_admin() {
            return Err(Error::Forbidden {
                id: error_ids::users::UPDATE_PASSWORD_CONTEXT,
                message: "Update password failed because context user_id did not match props user_id.".into(),
            });
        }
        let user = self.users().get_user_checked(user_id).await?;
        if own {
            if current_password.is_empty() {
                return Err(crate::domain::Invalid::new(error_ids::context::INVALID_BODY_PARAM, "Invalid or missing current_password in request body.").into());
            }
            self.check_password(&user, current_password, || {
                crate::domain::Invalid::new(
                    error_ids::users::UPDATE_PASSWORD_INCORRECT,
                    "The \"Current Password\" you entered is incorrect. Please check that Caps Lock is off and try again.",
                )
                .into()
            })
            .await?;
        }
        crate::domain::user::validate_password(new_password)?;
        let hash = self.hash_password(new_password).await?;
        match self.store().set_password(user_id, &hash, now_ms()).await {
            Ok(()) => {}
            Err(store::Error::NotFound) => return Err(Error::not_found(error_ids::users::NOT_FOUND, "user")),
            Err(e) => return Err(e.into()),
        }
        tracing::info!(user_id, by = %caller.user_id(), "password changed; failed login attempts cleared");
        Ok(())
    }

    /// `POST /users/logout`: revoke the session and close the WebSockets opened with
    /// it (a no-op for access tokens, which are revoked through their own route).
    pub async fn logout(&self, auth: &Authenticated) -> Result<()> {
        if auth.is_session() {
            self.store().delete_session(&auth.session_id).await?;
            self.close_session_sockets(&auth.user.id, &auth.session_id).await;
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
                crate::domain::Invalid::new(error_ids::users::USER_ACCESS_TOKEN_IS_VALID_DESCRIPTION, "Description must be 1 to 255 characters.").into()
            );
        }
        self.users().get_user_checked(user_id).await?;
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
            Err(store::Error::NotFound) => return Err(Error::not_found(error_ids::users::USER_ACCESS_TOKEN_GET_BY_ID, "access token")),
            Err(e) => return Err(e.into()),
        };
        caller.require_self_or_admin(&token.user_id)?;
        self.store().delete_access_token(token_id).await?;
        self.close_session_sockets(&token.user_id, token_id).await;
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
