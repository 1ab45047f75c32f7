//! `users`: `users:read` to look users up, list and search them and read statuses; email addresses only with `users:read-email`; `users:write` to set statuses, patch profiles and deactivate or reactivate accounts.

use super::WitResult;
use crate::bindings::confab::plugin::users::{Host, UserPatch, UserStatus};
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

    /// [`HostState::visible_user`] for a list.
    fn visible_users(&self, users: ApiResult<Vec<crate::types::User>>) -> WitResult<Vec<User>> {
        users.map_err(Error::from)?.into_iter().map(|u| self.visible_user(Ok(u))).collect()
    }
}

fn status_to_wit(s: crate::types::UserStatus) -> UserStatus {
    UserStatus { user_id: s.user_id, status: s.status, manual: s.manual, last_activity_at: s.last_activity_at }
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

    async fn get_many(&mut self, user_ids: Vec<String>) -> wasmtime::Result<WitResult<Vec<User>>> {
        if let Err(e) = self.require(Capability::UsersRead) {
            return Ok(Err(e));
        }
        let users = self.api.get_users_by_ids(self.plugin_id(), &user_ids).await;
        Ok(self.visible_users(users))
    }

    async fn list_in_channel(&mut self, channel_id: String, page: u32, per_page: u32) -> wasmtime::Result<WitResult<Vec<User>>> {
        if let Err(e) = self.require(Capability::UsersRead) {
            return Ok(Err(e));
        }
        let users = self.api.list_users_in_channel(self.plugin_id(), &channel_id, page, per_page).await;
        Ok(self.visible_users(users))
    }

    async fn list_in_team(&mut self, team_id: String, page: u32, per_page: u32) -> wasmtime::Result<WitResult<Vec<User>>> {
        if let Err(e) = self.require(Capability::UsersRead) {
            return Ok(Err(e));
        }
        let users = self.api.list_users_in_team(self.plugin_id(), &team_id, page, per_page).await;
        Ok(self.visible_users(users))
    }

    async fn search(&mut self, term: String, team_id: String, channel_id: String, limit: u32) -> wasmtime::Result<WitResult<Vec<User>>> {
        if let Err(e) = self.require(Capability::UsersRead) {
            return Ok(Err(e));
        }
        let users = self.api.search_users(self.plugin_id(), &term, &team_id, &channel_id, limit).await;
        Ok(self.visible_users(users))
    }

    async fn get_status(&mut self, user_id: String) -> wasmtime::Result<WitResult<UserStatus>> {
        if let Err(e) = self.require(Capability::UsersRead) {
            return Ok(Err(e));
        }
        Ok(self.api.get_user_status(self.plugin_id(), &user_id).await.map(status_to_wit).map_err(Error::from))
    }

    async fn set_status(&mut self, user_id: String, status: String) -> wasmtime::Result<WitResult<UserStatus>> {
        if let Err(e) = self.require(Capability::UsersWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.set_user_status(self.plugin_id(), &user_id, &status).await.map(status_to_wit).map_err(Error::from))
    }

    async fn patch(&mut self, user_id: String, patch: UserPatch) -> wasmtime::Result<WitResult<User>> {
        if let Err(e) = self.require(Capability::UsersWrite) {
            return Ok(Err(e));
        }
        let patch = crate::types::UserPatch {
            username: patch.username,
            nickname: patch.nickname,
            first_name: patch.first_name,
            last_name: patch.last_name,
            position: patch.position,
            props: patch.props,
        };
        let user = self.api.patch_user(self.plugin_id(), &user_id, patch).await;
        Ok(self.visible_user(user))
    }

    async fn deactivate(&mut self, user_id: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::UsersWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.set_user_active(self.plugin_id(), &user_id, false).await.map_err(Error::from))
    }

    async fn reactivate(&mut self, user_id: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::UsersWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.set_user_active(self.plugin_id(), &user_id, true).await.map_err(Error::from))
    }
}
