//! Users, sessions, personal access tokens and bots, with Mattermost's JSON shapes and account rules.

use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Invalid;
use crate::domain::error_ids;

/// Role string of every account.
pub const ROLE_USER: &str = "system_user";
/// Role string of an administrator (the first account gets it).
pub const ROLE_ADMIN: &str = "system_user system_admin";
/// Shortest password accepted (Mattermost's default `PasswordSettings.MinimumLength`).
pub const MIN_PASSWORD_LEN: usize = 8;
/// Longest password: argon2 would hash anything, but a megabyte password is an attack.
pub const MAX_PASSWORD_LEN: usize = 72;

/// Usernames Mattermost reserves: they are mention keywords or system senders.
const RESERVED_USERNAMES: [&str; 6] = ["all", "channel", "here", "matterbot", "system", "surveybot"];

/// An account. `password_hash` never leaves the server: the wire shape is written by
/// hand in `Serialize`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub username: String,
    pub email: String,
    /// argon2id PHC string; empty for bots, which cannot log in with a password.
    pub password_hash: String,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    /// Space-separated, `system_user` and maybe `system_admin`.
    pub roles: String,
    pub locale: String,
    pub is_bot: bool,
    /// The bot's description (bots only; from the `bots` table).
    pub bot_description: String,
    pub last_password_update: i64,
    /// Wrong passwords since the last successful login or password change; at
    /// `MaximumLoginAttempts` the account refuses logins. Written only by its own
    /// store statements (never by `update_user`), so counting is atomic.
    pub failed_attempts: i64,
    /// Free-form JSON object text.
    pub props: String,
}

impl User {
    /// Whether the account is a system admin.
    pub fn is_admin(&self) -> bool {
        self.roles.split_whitespace().any(|r| r == "system_admin")
    }

    /// The name Mattermost shows for a sender in `posted` events: the username.
    pub fn display_username(&self) -> &str {
        &self.username
    }
}

impl Serialize for User {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let props: Value = serde_json::from_str(&self.props).unwrap_or_else(|_| json!({}));
        // Mattermost's full field list; what we do not model has its neutral value.
        json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "username": self.username,
            "auth_data": "",
            "auth_service": "",
            "email": self.email,
            "email_verified": true,
            "nickname": self.nickname,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "position": self.position,
            "roles": self.roles,
            "locale": self.locale,
            "notify_props": {"channel": "true", "comments": "never", "desktop": "mention", "email": "true", "first_name": "false", "mention_keys": "", "push": "mention"},
            "props": props,
            "last_password_update": self.last_password_update,
            "last_picture_update": 0,
            "failed_attempts": self.failed_attempts,
            "mfa_active": false,
            "timezone": {"automaticTimezone": "", "manualTimezone": "", "useAutomaticTimezone": "true"},
            "is_bot": self.is_bot,
            "bot_description": self.bot_description,
            "terms_of_service_id": "",
            "terms_of_service_create_at": 0,
        })
        .serialize(serializer)
    }
}

/// `POST /users` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password: String,
    pub nickname: String,
    pub first_name: String,
    pub last_name: String,
    pub position: String,
    pub locale: String,
    pub props: Option<Value>,
}

/// `PUT /users/{id}/patch` body: only the fields present change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserPatch {
    pub username: Option<String>,
    pub email: Option<String>,
    pub nickname: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    pub locale: Option<String>,
    pub props: Option<Value>,
}

/// A login session: `token` is the bearer secret (Mattermost sends it in the `Token`
/// header and the `MMAUTHTOKEN` cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub token: String,
    pub user_id: String,
    pub create_at: i64,
    pub expires_at: i64,
    pub last_activity_at: i64,
    /// Must come back in `X-CSRF-Token` on cookie-authenticated writes.
    pub csrf_token: String,
    pub device_id: String,
}

/// A personal access token; `token` is shown only when it is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserAccessToken {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    pub user_id: String,
    pub description: String,
    pub is_active: bool,
}

/// A bot account (Mattermost's `Bot`); the user row holds its username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bot {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub description: String,
    pub owner_id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
}

/// Mattermost's username rule: 3–22 characters, lowercase letters, digits, `.`, `-`
/// and `_`, starting with a letter, not a reserved mention word.
pub fn validate_username(username: &str) -> Result<(), Invalid> {
    let ok = (3..=22).contains(&username.len())
        && username.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'))
        && !RESERVED_USERNAMES.contains(&username);
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(
            error_ids::users::IS_VALID_USERNAME,
            "Username must begin with a letter and contain between 3 and 22 lowercase characters made up of numbers, letters, and the symbols '.', '-', and '_'.",
        ))
    }
}

/// A plausible address: one `@` with text on both sides, at most 128 characters.
pub fn validate_email(email: &str) -> Result<(), Invalid> {
    let ok = email.len() <= 128
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains('@'));
    if ok { Ok(()) } else { Err(Invalid::new(error_ids::users::IS_VALID_EMAIL, "Invalid email.")) }
}

/// Length rules of the password policy.
pub fn validate_password(password: &str) -> Result<(), Invalid> {
    let len = password.chars().count();
    if (MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&len) {
        Ok(())
    } else {
        Err(Invalid::new(error_ids::users::IS_VALID_PWD, format!("Your password must contain between {MIN_PASSWORD_LEN} and {MAX_PASSWORD_LEN} characters.")))
    }
}

/// Length limits of the free-text profile fields (Mattermost's).
pub fn validate_profile(nickname: &str, first_name: &str, last_name: &str, position: &str) -> Result<(), Invalid> {
    for (value, max, id) in [
        (nickname, 64, error_ids::users::IS_VALID_NICKNAME),
        (first_name, 64, error_ids::users::IS_VALID_FIRST_NAME),
        (last_name, 64, error_ids::users::IS_VALID_LAST_NAME),
        (position, 128, error_ids::users::IS_VALID_POSITION),
    ] {
        if value.chars().count() > max {
            return Err(Invalid::new(id, format!("must be at most {max} characters")));
        }
    }
    Ok(())
}

/// Mattermost's `PrivacySettings`: what users who are neither the account itself nor
/// a system admin see of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privacy {
    /// `ShowEmailAddress` (off by default here, unlike Mattermost's default config).
    pub show_email_address: bool,
    /// `ShowFullName`.
    pub show_full_name: bool,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy { show_email_address: false, show_full_name: true }
    }
}

impl User {
    /// The account as `viewer` may see it: whole for the account itself and for system
    /// admins, through [`User::sanitize_profile`] for anyone else.
    pub fn shown_to(mut self, viewer_id: &str, viewer_is_admin: bool, privacy: Privacy) -> User {
        if viewer_id != self.id && !viewer_is_admin {
            self.sanitize_profile(privacy);
        }
        self
    }

    /// Mattermost's `SanitizeProfile` for other users: the email address and the full
    /// name blanked unless the privacy settings show them, and the account's security
    /// history (`last_password_update`) cleared.
    pub fn sanitize_profile(&mut self, privacy: Privacy) {
        if !privacy.show_email_address {
            self.email.clear();
        }
        if !privacy.show_full_name {
            self.first_name.clear();
            self.last_name.clear();
        }
        self.last_password_update = 0;
        self.failed_attempts = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn others_see_what_the_privacy_settings_allow() {
        let user = User {
            id: "u".into(),
            email: "ann@example.com".into(),
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            nickname: "annie".into(),
            last_password_update: 42,
            ..User::default()
        };
        let hidden = Privacy::default();
        assert_eq!(user.clone().shown_to("u", false, hidden), user, "the account itself sees everything");
        assert_eq!(user.clone().shown_to("admin", true, hidden), user, "so do system admins");
        let other = user.clone().shown_to("v", false, hidden);
        assert_eq!((other.email.as_str(), other.first_name.as_str(), other.last_name.as_str()), ("", "Ann", "Lee"));
        assert_eq!((other.nickname.as_str(), other.last_password_update), ("annie", 0));
        let other = user.clone().shown_to("v", false, Privacy { show_email_address: true, show_full_name: false });
        assert_eq!((other.email.as_str(), other.first_name.as_str(), other.last_name.as_str()), ("ann@example.com", "", ""));
        let json = serde_json::to_value(user.shown_to("v", false, hidden)).unwrap();
        assert_eq!(json["email"], "", "the field stays, empty, as in Mattermost");
    }

    #[test]
    fn usernames() {
        for ok in ["ann", "a.b-c_d", "x12345678901234567890y"] {
            assert!(validate_username(ok).is_ok(), "{ok}");
        }
        for bad in ["an", "Ann", "1ann", "ann!", "all", "here", "x123456789012345678901y"] {
            assert!(validate_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_and_passwords() {
        assert!(validate_email("a@b.c").is_ok());
        for bad in ["", "a", "@b", "a@", "a b@c", "a@b@c"] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
        assert!(validate_password("12345678").is_ok());
        assert!(validate_password("1234567").is_err());
        assert!(validate_password(&"x".repeat(73)).is_err());
    }

    #[test]
    fn the_wire_shape_has_mattermost_fields_and_no_secrets() {
        let user = User {
            id: "u".into(),
            username: "ann".into(),
            password_hash: "$argon2id$secret".into(),
            roles: ROLE_ADMIN.into(),
            props: "{}".into(),
            ..User::default()
        };
        let json = serde_json::to_value(&user).unwrap();
        assert_eq!(json["username"], "ann");
        assert_eq!(json["roles"], "system_user system_admin");
        assert_eq!(json["auth_service"], "");
        assert!(json["notify_props"].is_object());
        assert!(!json.to_string().contains("argon2"), "{json}");
        assert!(user.is_admin());
    }
}
