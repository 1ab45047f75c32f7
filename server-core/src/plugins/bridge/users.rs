//! The bridge's users calls beyond lookups by id, name and email: many at once, members of a channel or team, search, statuses, profile patches and deactivation, each through the same use case as its REST route.

use confab_host::types::{User, UserPatch, UserStatus};
use confab_host::{ApiError, ApiResult};

use super::{PluginBridge, paging, run};
use crate::domain::user::UserPatch as DomainPatch;
use crate::service::lookups::AutocompleteQuery;
use crate::service::{Caller, convert};

fn users(list: Vec<crate::domain::User>) -> Vec<User> {
    list.iter().map(convert::user_to_plugin).collect()
}

/// Where to list users: a channel's members or a team's.
pub(super) enum Members<'a> {
    Channel(&'a str),
    Team(&'a str),
}

impl PluginBridge {
    pub(super) async fn bridge_users_by_ids(&self, user_ids: &[String]) -> ApiResult<Vec<User>> {
        run(self.services()?.users().users_by_ids(user_ids).await).map(users)
    }

    pub(super) async fn bridge_list_users(&self, plugin_id: &str, of: Members<'_>, page: u32, per_page: u32) -> ApiResult<Vec<User>> {
        let (team, channel) = match of {
            Members::Channel(id) => (None, Some(id)),
            Members::Team(id) => (Some(id), None),
        };
        run(self.services()?.users().list_users(&Caller::plugin(plugin_id), paging(page, per_page), team, channel).await).map(users)
    }

    /// Mattermost's user autocomplete; the channel's members only (not `out_of_channel`).
    pub(super) async fn bridge_search_users(&self, plugin_id: &str, term: &str, team_id: &str, channel_id: &str, limit: u32) -> ApiResult<Vec<User>> {
        let query =
            AutocompleteQuery { name: term.into(), in_team: team_id.into(), in_channel: channel_id.into(), limit: (limit > 0).then_some(i64::from(limit)) };
        run(self.services()?.lookups().autocomplete_users(&Caller::plugin(plugin_id), query).await).map(|answer| users(answer.users))
    }

    pub(super) async fn bridge_get_status(&self, plugin_id: &str, user_id: &str) -> ApiResult<UserStatus> {
        run(self.services()?.statuses().get_status(&Caller::plugin(plugin_id), user_id).await).map(status)
    }

    pub(super) async fn bridge_set_status(&self, plugin_id: &str, user_id: &str, wanted: &str) -> ApiResult<UserStatus> {
        run(self.services()?.statuses().set_status(&Caller::plugin(plugin_id), user_id, wanted).await).map(status)
    }

    /// `PUT /users/{id}/patch` for the fields a plugin may change; `props` must be a
    /// JSON object.
    pub(super) async fn bridge_patch_user(&self, plugin_id: &str, user_id: &str, patch: UserPatch) -> ApiResult<User> {
        let props = match patch.props {
            None => None,
            Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(value @ serde_json::Value::Object(_)) => Some(value),
                _ => return Err(ApiError::InvalidInput("props must be a JSON object".into())),
            },
        };
        let patch = DomainPatch {
            username: patch.username,
            nickname: patch.nickname,
            first_name: patch.first_name,
            last_name: patch.last_name,
            position: patch.position,
            props,
            ..DomainPatch::default()
        };
        run(self.services()?.users().patch_user(&Caller::plugin(plugin_id), user_id, patch).await).map(|u| convert::user_to_plugin(&u))
    }

    /// `PUT /users/{id}/active`: deactivating ends the user's sessions and sockets.
    pub(super) async fn bridge_set_active(&self, plugin_id: &str, user_id: &str, active: bool) -> ApiResult<()> {
        run(self.services()?.sessions().update_user_active(&Caller::plugin(plugin_id), user_id, active).await)
    }
}

fn status(s: crate::domain::command::Status) -> UserStatus {
    UserStatus { user_id: s.user_id, status: s.status, manual: s.manual, last_activity_at: s.last_activity_at }
}
