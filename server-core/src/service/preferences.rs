//! Users' preferences: read, saved and deleted by the user themself (or a system admin), announced to the user's connections with `preferences_changed` and `preferences_deleted`.

use serde_json::json;

use super::{Caller, Error, Result, to_user};
use crate::domain::Invalid;
use crate::domain::Preference;
use crate::domain::error_ids;
use crate::domain::preference::{CATEGORY_FLAGGED_POST, MAX_PER_REQUEST};
use crate::store;

super::area!(
    /// User preferences.
    Preferences,
    preferences
);

impl Preferences<'_> {
    /// `GET /users/{user_id}/preferences`.
    pub async fn get_preferences(&self, caller: &Caller, user_id: &str) -> Result<Vec<Preference>> {
        caller.require_self_or_admin(user_id)?;
        Ok(self.store().preferences_for_user(user_id).await?)
    }

    /// `GET /users/{user_id}/preferences/{category}`: 404 when the category is empty.
    pub async fn get_preferences_in_category(&self, caller: &Caller, user_id: &str, category: &str) -> Result<Vec<Preference>> {
        caller.require_self_or_admin(user_id)?;
        let found = self.store().preferences_in_category(user_id, category).await?;
        if found.is_empty() {
            return Err(Error::NotFound {
                id: error_ids::preferences::PREFERENCES_CATEGORY_GET,
                message: "Unable to find preferences in that category.".into(),
            });
        }
        Ok(found)
    }

    /// `GET /users/{user_id}/preferences/{category}/name/{name}`.
    pub async fn get_preference(&self, caller: &Caller, user_id: &str, category: &str, name: &str) -> Result<Preference> {
        caller.require_self_or_admin(user_id)?;
        match self.store().get_preference(user_id, category, name).await {
            Ok(p) => Ok(p),
            Err(store::Error::NotFound) => Err(Error::NotFound { id: error_ids::preferences::NOT_FOUND, message: "Unable to find the preference.".into() }),
            Err(e) => Err(e.into()),
        }
    }

    /// `PUT /users/{user_id}/preferences`: set each; every one must be the user's, and a
    /// saved post (`flagged_post`) one the caller can read.
    pub async fn update_preferences(&self, caller: &Caller, user_id: &str, preferences: Vec<Preference>) -> Result<()> {
        caller.require_self_or_admin(user_id)?;
        check_list(user_id, &preferences, error_ids::preferences::UPDATE_PREFERENCES_SET)?;
        for p in preferences.iter().filter(|p| p.category == CATEGORY_FLAGGED_POST) {
            let post = self
                .posts()
                .live_post(&p.name)
                .await
                .map_err(|_| Invalid::new(error_ids::context::INVALID_BODY_PARAM, "Invalid preference.name: no such post."))?;
            let channel = self.channels().channel_by_id(&post.channel_id).await?;
            self.channels().require_channel_readable(caller, &channel).await?;
        }
        if preferences.is_empty() {
            return Ok(());
        }
        self.store().save_preferences(&preferences).await?;
        let data = json!({ "preferences": serde_json::to_string(&preferences).expect("preferences serialize") });
        self.publish_logged("preferences_changed", data, to_user(user_id)).await;
        Ok(())
    }

    /// `POST /users/{user_id}/preferences/delete` (and `DELETE /users/{user_id}/preferences`):
    /// remove each; every one must be the user's.
    pub async fn delete_preferences(&self, caller: &Caller, user_id: &str, preferences: Vec<Preference>) -> Result<()> {
        caller.require_self_or_admin(user_id)?;
        check_list(user_id, &preferences, error_ids::preferences::DELETE_PREFERENCES_DELETE)?;
        if preferences.is_empty() {
            return Ok(());
        }
        self.store().delete_preferences(&preferences).await?;
        let data = json!({ "preferences": serde_json::to_string(&preferences).expect("preferences serialize") });
        self.publish_logged("preferences_deleted", data, to_user(user_id)).await;
        Ok(())
    }
}

/// Each preference is the user's (403 otherwise, Mattermost's `forbidden_id`) and valid.
fn check_list(user_id: &str, preferences: &[Preference], forbidden_id: &'static str) -> Result<()> {
    if preferences.len() > MAX_PER_REQUEST {
        return Err(Invalid::new(error_ids::context::INVALID_BODY_PARAM, format!("At most {MAX_PER_REQUEST} preferences at once.")).into());
    }
    for p in preferences {
        if p.user_id != user_id {
            return Err(Error::Forbidden { id: forbidden_id, message: "Unable to change another user's preferences.".into() });
        }
        p.validate()?;
    }
    Ok(())
}
