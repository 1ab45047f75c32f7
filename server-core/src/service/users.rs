//! Accounts: sign-up (the first account becomes system admin), lookups, profile patches, bots, and what users see of each other (`PrivacySettings`).

use std::collections::HashSet;

use confab_host::types::{BotSpec, PluginContext};
use serde_json::{Value, json};

use super::{Caller, Error, Result, convert, now_ms};
use crate::domain::error_ids;
use crate::domain::user::{self, NewUser, ROLE_ADMIN, ROLE_USER, UserPatch};
use crate::domain::{Bot, Invalid, Paging, User};
use crate::hub::{BroadcastInfo, Event, Recipients};
use crate::ids::{is_valid_id, new_id};
use crate::store;

super::area!(
    /// Users and bots: sign-up, lookups with the privacy rules, patches.
    Users,
    users
);

/// Map a unique-constraint conflict on `users` to Mattermost's error.
fn user_conflict(e: store::Error) -> Error {
    match e {
        store::Error::Conflict { constraint } if constraint.contains("email") => {
            Error::Conflict { id: error_ids::users::SAVE_EMAIL_EXISTS, message: "An account with that email already exists.".into() }
        }
        store::Error::Conflict { .. } => {
            Error::Conflict { id: error_ids::users::SAVE_USERNAME_EXISTS, message: "An account with that username already exists.".into() }
        }
        other => other.into(),
    }
}

impl Users<'_> {
    /// `POST /users`. Without a session only when sign-up is open (or no account
    /// exists yet); the first account becomes system admin.
    pub async fn create_user(&self, caller: Option<&Caller>, new: NewUser, ctx: &PluginContext) -> Result<User> {
        let is_admin = caller.is_some_and(Caller::is_admin);
        if !is_admin && !self.settings().open_server && self.store().count_people().await? > 0 {
            return Err(Error::Forbidden { id: error_ids::users::CREATE_USER_SIGNUP_EMAIL_DISABLED, message: "User sign-up is disabled.".into() });
        }
        let username = new.username.trim().to_lowercase();
        let email = new.email.trim().to_lowercase();
        user::validate_username(&username)?;
        user::validate_email(&email)?;
        user::validate_password(&new.password)?;
        user::validate_profile(&new.nickname, &new.first_name, &new.last_name, &new.position)?;
        let now = now_ms();
        let account = User {
            id: new_id(),
            create_at: now,
            update_at: now,
            delete_at: 0,
            username,
            email,
            password_hash: self.sessions().hash_password(&new.password).await?,
            nickname: new.nickname,
            first_name: new.first_name,
            last_name: new.last_name,
            position: new.position,
            roles: ROLE_USER.into(),
            locale: if new.locale.is_empty() { "en".into() } else { new.locale },
            is_bot: false,
            bot_description: String::new(),
            last_password_update: now,
            failed_attempts: 0,
            props: new.props.filter(Value::is_object).unwrap_or_else(|| json!({})).to_string(),
        };
        let stored = self.store().insert_user(&account, Some(ROLE_ADMIN)).await.map_err(user_conflict)?;
        if stored.is_admin() {
            tracing::info!(user_id = %stored.id, username = %stored.username, "first account created: system admin");
        }
        if let Some(host) = self.host() {
            host.user_has_been_created(ctx, &convert::user_to_plugin(&stored));
        }
        self.publish_logged("new_user", json!({ "user_id": stored.id }), BroadcastInfo::default()).await;
        Ok(stored)
    }

    /// A user by id, 404 when unknown or malformed.
    pub async fn get_user_checked(&self, user_id: &str) -> Result<User> {
        if !is_valid_id(user_id) {
            return Err(Error::not_found(error_ids::users::NOT_FOUND, "user"));
        }
        match self.store().get_user(user_id).await {
            Ok(user) => Ok(user),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::users::NOT_FOUND, "user")),
            Err(e) => Err(e.into()),
        }
    }

    /// A user by username.
    pub async fn get_user_by_username(&self, username: &str) -> Result<User> {
        match self.store().get_user_by_username(&username.to_lowercase()).await {
            Ok(user) => Ok(user),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::users::NOT_FOUND, "user")),
            Err(e) => Err(e.into()),
        }
    }

    /// The account as `viewer` may see it (the privacy settings; see [`User::shown_to`]).
    pub fn shown_to(&self, viewer: &Caller, user: User) -> User {
        user.shown_to(viewer.user_id(), viewer.is_admin(), self.settings().privacy)
    }

    /// [`Users::shown_to`] for a list.
    pub fn shown_all_to(&self, viewer: &Caller, users: Vec<User>) -> Vec<User> {
        users.into_iter().map(|u| self.shown_to(viewer, u)).collect()
    }

    /// `GET /users/email/{email}`: like Mattermost, refused to anyone but system admins
    /// while email addresses are hidden, or the lookup would reveal them one by one.
    pub async fn get_user_by_email_for(&self, caller: &Caller, email: &str) -> Result<User> {
        if !self.settings().privacy.show_email_address && !caller.is_admin() {
            return Err(Error::Forbidden {
                id: error_ids::users::GET_USER_BY_EMAIL_PERMISSIONS,
                message: "You do not have permission to look users up by email.".into(),
            });
        }
        Ok(self.shown_to(caller, self.get_user_by_email(email).await?))
    }

    /// A user by email.
    pub async fn get_user_by_email(&self, email: &str) -> Result<User> {
        match self.store().get_user_by_email(email).await {
            Ok(user) => Ok(user),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::users::NOT_FOUND, "user")),
            Err(e) => Err(e.into()),
        }
    }

    /// `GET /users`, optionally within a team or channel the caller can see.
    pub async fn list_users(&self, caller: &Caller, paging: Paging, in_team: Option<&str>, in_channel: Option<&str>) -> Result<Vec<User>> {
        if let Some(team_id) = in_team {
            self.teams().require_team_member(caller, team_id).await?;
        }
        if let Some(channel_id) = in_channel {
            let channel = self.channels().get_channel(caller, channel_id).await?;
            drop(channel);
        }
        Ok(self.store().list_users(paging, in_team, in_channel).await?)
    }

    /// `POST /users/ids`.
    pub async fn users_by_ids(&self, ids: &[String]) -> Result<Vec<User>> {
        if ids.len() > 1000 {
            return Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, "At most 1000 ids at once.").into());
        }
        Ok(self.store().get_users_by_ids(ids).await?)
    }

    /// `POST /users/usernames`.
    pub async fn users_by_usernames(&self, usernames: &[String]) -> Result<Vec<User>> {
        if usernames.len() > 1000 {
            return Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, "At most 1000 usernames at once.").into());
        }
        let mut users = Vec::new();
        for name in usernames {
            match self.store().get_user_by_username(&name.to_lowercase()).await {
                Ok(user) => users.push(user),
                Err(store::Error::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(users)
    }

    /// `PUT /users/{id}/patch`: the user or an admin.
    pub async fn patch_user(&self, caller: &Caller, user_id: &str, patch: UserPatch) -> Result<User> {
        caller.require_self_or_admin(user_id)?;
        let mut account = self.get_user_checked(user_id).await?;
        if let Some(username) = patch.username {
            let username = username.trim().to_lowercase();
            user::validate_username(&username)?;
            account.username = username;
        }
        if let Some(email) = patch.email {
            let email = email.trim().to_lowercase();
            user::validate_email(&email)?;
            account.email = email;
        }
        account.nickname = patch.nickname.unwrap_or(account.nickname);
        account.first_name = patch.first_name.unwrap_or(account.first_name);
        account.last_name = patch.last_name.unwrap_or(account.last_name);
        account.position = patch.position.unwrap_or(account.position);
        account.locale = patch.locale.unwrap_or(account.locale);
        if let Some(props) = patch.props.filter(Value::is_object) {
            account.props = props.to_string();
        }
        user::validate_profile(&account.nickname, &account.first_name, &account.last_name, &account.position)?;
        account.update_at = now_ms();
        self.store().update_user(&account).await.map_err(user_conflict)?;
        self.publish_user_updated(&account).await;
        Ok(account)
    }

    /// `user_updated` to everyone, as each may see the account: whole to the account
    /// itself and to system admins, sanitized to the others (Mattermost sends the same
    /// two events, one marked as sensitive).
    async fn publish_user_updated(&self, account: &User) {
        let mut whole_to: HashSet<String> = match self.store().system_admin_ids().await {
            Ok(ids) => ids.into_iter().collect(),
            Err(e) => {
                // Without the admin list nobody can be told safely; the change is saved.
                tracing::error!(error = %e, "could not publish user_updated");
                return;
            }
        };
        whole_to.insert(account.id.clone());
        let mut sanitized = account.clone();
        sanitized.sanitize_profile(self.settings().privacy);
        let event = |user: &User, broadcast| Event { event: "user_updated".into(), data: json!({ "user": user }), broadcast };
        self.deliver(event(account, BroadcastInfo::default()), Recipients::Users(whole_to.clone())).await;
        let others = BroadcastInfo { omit_users: Some(whole_to.into_iter().map(|id| (id, true)).collect()), ..BroadcastInfo::default() };
        self.deliver(event(&sanitized, others), Recipients::All).await;
    }

    /// `POST /bots`: admins only (Mattermost's `create_bot` belongs to admins by default).
    pub async fn create_bot(&self, caller: &Caller, username: &str, display_name: &str, description: &str) -> Result<Bot> {
        caller.require_admin()?;
        let owner = match &caller.actor {
            super::Actor::User { user, .. } => user.id.clone(),
            super::Actor::Plugin(plugin_id) => plugin_id.clone(),
        };
        self.insert_bot(username, display_name, description, &owner).await
    }

    async fn insert_bot(&self, username: &str, display_name: &str, description: &str, owner_id: &str) -> Result<Bot> {
        let username = username.trim().to_lowercase();
        user::validate_username(&username)?;
        if description.chars().count() > 1024 || display_name.chars().count() > 64 {
            return Err(Invalid::new(error_ids::users::BOT_IS_VALID_DESCRIPTION, "Display name (64) or description (1024) too long.").into());
        }
        let now = now_ms();
        let id = new_id();
        let account = User {
            id: id.clone(),
            create_at: now,
            update_at: now,
            username: username.clone(),
            // Bots have no mailbox; Mattermost gives them a unique placeholder address.
            email: format!("{username}@localhost"),
            first_name: display_name.to_string(),
            roles: ROLE_USER.into(),
            locale: "en".into(),
            is_bot: true,
            bot_description: description.to_string(),
            props: "{}".into(),
            ..User::default()
        };
        let bot = Bot {
            user_id: id,
            username,
            display_name: display_name.to_string(),
            description: description.to_string(),
            owner_id: owner_id.to_string(),
            create_at: now,
            update_at: now,
            delete_at: 0,
        };
        self.store().insert_bot(&account, &bot).await.map_err(user_conflict)?;
        self.publish_logged("new_user", json!({ "user_id": bot.user_id }), BroadcastInfo::default()).await;
        Ok(bot)
    }

    /// `GET /bots`: admins only.
    pub async fn list_bots(&self, caller: &Caller, paging: Paging, include_deleted: bool) -> Result<Vec<Bot>> {
        caller.require_admin()?;
        Ok(self.store().list_bots(paging, include_deleted).await?)
    }

    /// `GET /bots/{id}`: system admins. Mattermost's default roles give `read_bots` and
    /// `read_others_bots` to no one else, and it answers others as if the bot did not
    /// exist (a 404, not a 403), so the route does not tell bots from people.
    pub async fn get_bot(&self, caller: &Caller, bot_user_id: &str) -> Result<Bot> {
        let missing = || Error::not_found(error_ids::users::SQL_BOT_GET_MISSING, "bot");
        if !caller.is_admin() {
            return Err(missing());
        }
        match self.store().get_bot(bot_user_id).await {
            Ok(bot) => Ok(bot),
            Err(store::Error::NotFound) => Err(missing()),
            Err(e) => Err(e.into()),
        }
    }

    /// The plugin API's `ensure-bot`: the bot with this username, created (owned by
    /// the plugin) when missing. A human account with the name is an error, never
    /// taken over.
    pub async fn ensure_bot(&self, plugin_id: &str, spec: &BotSpec) -> Result<String> {
        match self.store().get_user_by_username(&spec.username.to_lowercase()).await {
            Ok(existing) if existing.is_bot => Ok(existing.id),
            Ok(_) => Err(Error::Conflict { id: error_ids::users::SAVE_USERNAME_EXISTS, message: format!("`{}` is a user account, not a bot", spec.username) }),
            Err(store::Error::NotFound) => match self.insert_bot(&spec.username, &spec.display_name, &spec.description, plugin_id).await {
                Ok(bot) => Ok(bot.user_id),
                // Another instance created it at the same moment.
                Err(Error::Conflict { .. }) => Ok(self.get_user_by_username(&spec.username).await?.id),
                Err(e) => Err(e),
            },
            Err(e) => Err(e.into()),
        }
    }
}
