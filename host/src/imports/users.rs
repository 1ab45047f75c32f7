//! `users`: `users:read`; email addresses only with `users:read-email`.

use super::WitResult;
use crate::bindings::confab::plugin::users::Host;
use crate::bindings::types::{Error, User};
use crate::capabilities::Capability;
use crate::server_api::ApiResult;
use crate::state::HostState;

impl HostState {
    /// Convert, blanking the email address unless the plugin may see it.
    fn visible_user(&self, user: ApiResult<crate::types::User>) -> WitResult<User> {
        let mut user: User = user.map_err(Error::from)?.into();
        if !self.identity.grants.allows(&Capability::UsersReadEmail) {
            user.email.clear();
        }
        Ok(user)
    }
}

impl Host for HostState {
    async fn get(&mut self, user_id: String) -> wasmtime::Result<WitResult<User>> {
        if let Err(e) = self.require(Capability::UsersRead) {
            return Ok(Err(e));
        }
        let user = self.api.get_user(self.plugin_id(), &user_id).await;
        Ok(self.visible_user(user))
    }

    async fn get_by_username(&mut self, username: String) -> wasmtime::Result<WitResult<User>> {
        if let Err(e) = self.require(Capability::UsersRead) {
            return Ok(Err(e));
        }
        let user = self.api.get_user_by_username(self.plugin_id(), &username).await;
        Ok(self.visible_user(user))
    }

    async fn get_by_email(&mut self, email: String) -> wasmtime::Result<WitResult<User>> {
        // Looking a user up by address reveals the address, so it needs both.
        if let Err(e) = self.require(Capability::UsersRead).and(self.require(Capability::UsersReadEmail)) {
            return Ok(Err(e));
        }
        let user = self.api.get_user_by_email(self.plugin_id(), &email).await;
        Ok(self.visible_user(user))
    }
}
