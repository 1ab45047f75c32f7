//! Users, sessions, personal access tokens and bots.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store, bit, flag};
use crate::domain::{Bot, Paging, Session, User, UserAccessToken};

pub(super) const USER_COLUMNS: &str = "u.id, u.create_at, u.update_at, u.delete_at, u.username, u.email, u.password_hash, u.nickname, u.first_name, u.last_name, \
     u.position, u.roles, u.locale, u.is_bot, u.last_password_update, u.failed_attempts, u.props, COALESCE(b.description, '') AS bot_description";

/// `FROM` clause joining the bot description in.
pub(super) const USER_FROM: &str = "users u LEFT JOIN bots b ON b.user_id = u.id";

pub(super) fn user(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        create_at: row.try_get("create_at")?,
        update_at: row.try_get("update_at")?,
        delete_at: row.try_get("delete_at")?,
        username: row.try_get("username")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        nickname: row.try_get("nickname")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        position: row.try_get("position")?,
        roles: row.try_get("roles")?,
        locale: row.try_get("locale")?,
        is_bot: flag(row, "is_bot")?,
        bot_description: row.try_get("bot_description")?,
        last_password_update: row.try_get("last_password_update")?,
        failed_attempts: row.try_get("failed_attempts")?,
        props: row.try_get("props")?,
    })
}

fn session(row: &AnyRow) -> Result<Session, sqlx::Error> {
    Ok(Session {
        id: row.try_get("id")?,
        token: row.try_get("token")?,
        user_id: row.try_get("user_id")?,
        create_at: row.try_get("create_at")?,
        expires_at: row.try_get("expires_at")?,
        last_activity_at: row.try_get("last_activity_at")?,
        csrf_token: row.try_get("csrf_token")?,
        device_id: row.try_get("device_id")?,
    })
}

fn access_token(row: &AnyRow) -> Result<UserAccessToken, sqlx::Error> {
    Ok(UserAccessToken {
        id: row.try_get("id")?,
        token: row.try_get("token")?,
        user_id: row.try_get("user_id")?,
        description: row.try_get("description")?,
        is_active: flag(row, "is_active")?,
    })
}

fn bot(row: &AnyRow) -> Result<Bot, sqlx::Error> {
    Ok(Bot {
        user_id: row.try_get("user_id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        description: row.try_get("description")?,
        owner_id: row.try_get("owner_id")?,
        create_at: row.try_get("create_at")?,
        update_at: row.try_get("update_at")?,
        delete_at: row.try_get("delete_at")?,
    })
}

const INSERT_USER: &str = "INSERT INTO users (id, create_at, update_at, delete_at, username, email, password_hash, nickname, first_name, last_name, \
     position, roles, locale, is_bot, last_password_update, props) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";

fn bind_user<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    u: &'q User,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(&u.id)
        .bind(u.create_at)
        .bind(u.update_at)
        .bind(u.delete_at)
        .bind(&u.username)
        .bind(&u.email)
        .bind(&u.password_hash)
        .bind(&u.nickname)
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(&u.position)
        .bind(&u.roles)
        .bind(&u.locale)
        .bind(bit(u.is_bot))
        .bind(u.last_password_update)
        .bind(&u.props)
}

impl Store {
    /// Insert an account; `Conflict` names `username` or `email` when taken. When
    /// `admin_if_first` is set and no other person's account exists (bots that plugins
    /// created at start-up do not count), the roles are replaced by
    /// `admin_roles` in the same transaction, so two simultaneous first sign-ups cannot
    /// both become admin.
    pub async fn insert_user(&self, user: &User, admin_if_first: Option<&str>) -> Result<User> {
        let mut tx = self.writer().begin().await?;
        bind_user(sqlx::query(INSERT_USER), user).execute(&mut *tx).await?;
        let mut stored = user.clone();
        if let Some(admin_roles) = admin_if_first {
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_bot = 0").fetch_one(&mut *tx).await?;
            if count == 1 {
                sqlx::query("UPDATE users SET roles = $1 WHERE id = $2").bind(admin_roles).bind(&user.id).execute(&mut *tx).await?;
                stored.roles = admin_roles.to_string();
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// How many accounts of people (not bots) exist.
    pub async fn count_people(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_bot = 0").fetch_one(&self.pool).await?)
    }

    /// A user by id (deactivated ones too).
    pub async fn get_user(&self, id: &str) -> Result<User> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.id = $1")).bind(id).fetch_one(&self.pool).await?;
        Ok(user(&row)?)
    }

    /// A user by username.
    pub async fn get_user_by_username(&self, username: &str) -> Result<User> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.username = $1")).bind(username).fetch_one(&self.pool).await?;
        Ok(user(&row)?)
    }

    /// A user by email (stored lower-cased).
    pub async fn get_user_by_email(&self, email: &str) -> Result<User> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.email = $1")).bind(email.to_lowercase()).fetch_one(&self.pool).await?;
        Ok(user(&row)?)
    }

    /// Users by id, in username order; unknown ids are skipped.
    pub async fn get_users_by_ids(&self, ids: &[String]) -> Result<Vec<User>> {
        let mut users = Vec::with_capacity(ids.len());
        // One query per id keeps the SQL portable (no array binds in `Any`); these
        // lists are short (a client's visible users).
        for id in ids {
            match self.get_user(id).await {
                Ok(u) => users.push(u),
                Err(super::Error::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        users.sort_by(|a, b| a.username.cmp(&b.username));
        users.dedup_by(|a, b| a.id == b.id);
        Ok(users)
    }

    /// Active users, by username, optionally only members of a team or channel.
    pub async fn list_users(&self, paging: Paging, in_team: Option<&str>, in_channel: Option<&str>) -> Result<Vec<User>> {
        let (filter, arg) = match (in_team, in_channel) {
            (_, Some(channel)) => ("AND u.id IN (SELECT user_id FROM channel_members WHERE channel_id = $3)", Some(channel)),
            (Some(team), None) => ("AND u.id IN (SELECT user_id FROM team_members WHERE team_id = $3 AND delete_at = 0)", Some(team)),
            (None, None) => ("AND $3 = ''", None),
        };
        let sql = format!("SELECT {USER_COLUMNS} FROM {USER_FROM} WHERE u.delete_at = 0 {filter} ORDER BY u.username LIMIT $1 OFFSET $2");
        let rows = sqlx::query(&sql).bind(paging.limit()).bind(paging.offset()).bind(arg.unwrap_or("")).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(user).collect::<Result<_, _>>()?)
    }

    /// Write back a changed user (profile fields, roles, password).
    pub async fn update_user(&self, u: &User) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET update_at = $2, delete_at = $3, username = $4, email = $5, password_hash = $6, nickname = $7, first_name = $8, \
             last_name = $9, position = $10, roles = $11, locale = $12, last_password_update = $13, props = $14 WHERE id = $1",
        )
        .bind(&u.id)
        .bind(u.update_at)
        .bind(u.delete_at)
        .bind(&u.username)
        .bind(&u.email)
        .bind(&u.password_hash)
        .bind(&u.nickname)
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(&u.position)
        .bind(&u.roles)
        .bind(&u.locale)
        .bind(u.last_password_update)
        .bind(&u.props)
        .execute(self.writer())
        .await?;
        if done.rows_affected() == 0 { Err(super::Error::NotFound) } else { Ok(()) }
    }

    /// Count one wrong password for `user_id`, unless the count already reached
    /// `max`: `false` then (the account is locked). One statement, so concurrent
    /// wrong guesses can never count past the maximum.
    pub async fn record_failed_login(&self, user_id: &str, max: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = $1 AND failed_attempts < $2")
            .bind(user_id)
            .bind(max)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Clear the failed-login count (a successful login).
    pub async fn reset_failed_logins(&self, user_id: &str) -> Result<()> {
        sqlx::query("UPDATE users SET failed_attempts = 0 WHERE id = $1 AND failed_attempts <> 0").bind(user_id).execute(self.writer()).await?;
        Ok(())
    }

    /// Set a new password hash and clear the failed-login count (Mattermost's
    /// `UpdatePassword`, which is how an admin unlocks an account).
    pub async fn set_password(&self, user_id: &str, password_hash: &str, now: i64) -> Result<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $2, last_password_update = $3, update_at = $3, failed_attempts = 0 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .bind(now)
            .execute(self.writer())
            .await?;
        if done.rows_affected() == 0 { Err(super::Error::NotFound) } else { Ok(()) }
    }

    /// Store a new session.
    pub async fn insert_session(&self, s: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, token, user_id, create_at, expires_at, last_activity_at, csrf_token, device_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&s.id)
        .bind(&s.token)
        .bind(&s.user_id)
        .bind(s.create_at)
        .bind(s.expires_at)
        .bind(s.last_activity_at)
        .bind(&s.csrf_token)
        .bind(&s.device_id)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The session holding `token`.
    pub async fn get_session_by_token(&self, token: &str) -> Result<Session> {
        let row = sqlx::query("SELECT * FROM sessions WHERE token = $1").bind(token).fetch_one(&self.pool).await?;
        Ok(session(&row)?)
    }

    /// Revoke one session.
    pub async fn delete_session(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(self.writer()).await?;
        Ok(())
    }

    /// Revoke every session of a user (deactivation, "sign out everywhere").
    pub async fn delete_user_sessions(&self, user_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(self.writer()).await?;
        Ok(())
    }

    /// Store a new personal access token.
    pub async fn insert_access_token(&self, t: &UserAccessToken) -> Result<()> {
        sqlx::query("INSERT INTO user_access_tokens (id, token, user_id, description, is_active) VALUES ($1, $2, $3, $4, $5)")
            .bind(&t.id)
            .bind(&t.token)
            .bind(&t.user_id)
            .bind(&t.description)
            .bind(bit(t.is_active))
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// The token whose secret is `token`.
    pub async fn get_access_token_by_token(&self, token: &str) -> Result<UserAccessToken> {
        let row = sqlx::query("SELECT * FROM user_access_tokens WHERE token = $1").bind(token).fetch_one(&self.pool).await?;
        Ok(access_token(&row)?)
    }

    /// A token by id.
    pub async fn get_access_token(&self, id: &str) -> Result<UserAccessToken> {
        let row = sqlx::query("SELECT * FROM user_access_tokens WHERE id = $1").bind(id).fetch_one(&self.pool).await?;
        Ok(access_token(&row)?)
    }

    /// A user's tokens (secrets blanked by the caller).
    pub async fn list_access_tokens(&self, user_id: &str, paging: Paging) -> Result<Vec<UserAccessToken>> {
        let rows = sqlx::query("SELECT * FROM user_access_tokens WHERE user_id = $1 ORDER BY id LIMIT $2 OFFSET $3")
            .bind(user_id)
            .bind(paging.limit())
            .bind(paging.offset())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(access_token).collect::<Result<_, _>>()?)
    }

    /// Delete a token (Mattermost's revoke).
    pub async fn delete_access_token(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM user_access_tokens WHERE id = $1").bind(id).execute(self.writer()).await?;
        Ok(())
    }

    /// Insert a bot: its user row and its bot row, together.
    pub async fn insert_bot(&self, user: &User, bot: &Bot) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        bind_user(sqlx::query(INSERT_USER), user).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO bots (user_id, display_name, description, owner_id, create_at, update_at, delete_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&bot.user_id)
            .bind(&bot.display_name)
            .bind(&bot.description)
            .bind(&bot.owner_id)
            .bind(bot.create_at)
            .bind(bot.update_at)
            .bind(bot.delete_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A bot by its user id.
    pub async fn get_bot(&self, user_id: &str) -> Result<Bot> {
        let row =
            sqlx::query("SELECT b.*, u.username FROM bots b JOIN users u ON u.id = b.user_id WHERE b.user_id = $1").bind(user_id).fetch_one(&self.pool).await?;
        Ok(bot(&row)?)
    }

    /// Bots, by username.
    pub async fn list_bots(&self, paging: Paging, include_deleted: bool) -> Result<Vec<Bot>> {
        let rows = sqlx::query(
            "SELECT b.*, u.username FROM bots b JOIN users u ON u.id = b.user_id WHERE ($1 = 1 OR b.delete_at = 0) ORDER BY u.username LIMIT $2 OFFSET $3",
        )
        .bind(bit(include_deleted))
        .bind(paging.limit())
        .bind(paging.offset())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(bot).collect::<Result<_, _>>()?)
    }
}
