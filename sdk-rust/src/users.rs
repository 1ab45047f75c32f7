//! Users (`users` interface; capability `users:read`, and `users:read-email` to see
//! email addresses, which are empty otherwise).

use crate::bindings::confab::plugin::users as wit;
use crate::error::wit as lift;
use crate::{Result, User};

/// Fetches a user by id.
pub fn get(user_id: &str) -> Result<User> {
    lift(wit::get(user_id))
}

/// Fetches a user by username.
pub fn get_by_username(username: &str) -> Result<User> {
    lift(wit::get_by_username(username))
}

/// Fetches a user by email address.
pub fn get_by_email(email: &str) -> Result<User> {
    lift(wit::get_by_email(email))
}
