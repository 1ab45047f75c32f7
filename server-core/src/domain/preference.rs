//! Users' preferences (Mattermost's `model.Preference`) with Mattermost's validity rules, and the unread summaries and channel statistics of the first-load routes.

use serde::{Deserialize, Serialize};

use super::Invalid;
use crate::domain::error_ids;
use crate::ids::is_valid_id;

/// Longest value, in characters (Mattermost's `MaxPreferenceValueLength`).
pub const MAX_VALUE_CHARS: usize = 20_000;
/// Longest category and name, in bytes.
pub const MAX_KEY_BYTES: usize = 32;
/// Most preferences one request may save or delete.
pub const MAX_PER_REQUEST: usize = 1000;
/// Saved posts: the name is a post id the user must be able to read.
pub const CATEGORY_FLAGGED_POST: &str = "flagged_post";
const CATEGORY_THEME: &str = "theme";
const CATEGORY_SIDEBAR_SETTINGS: &str = "sidebar_settings";
const NAME_LIMIT_VISIBLE_DMS_GMS: &str = "limit_visible_dms_gms";

/// One preference: a value under (user, category, name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preference {
    pub user_id: String,
    pub category: String,
    pub name: String,
    pub value: String,
}

impl Preference {
    /// Mattermost's `Preference.IsValid`.
    pub fn validate(&self) -> Result<(), Invalid> {
        if !is_valid_id(&self.user_id) {
            return Err(Invalid::new(error_ids::preferences::IS_VALID_ID, "Invalid user id."));
        }
        if self.category.is_empty() || self.category.len() > MAX_KEY_BYTES {
            return Err(Invalid::new(error_ids::preferences::IS_VALID_CATEGORY, "Invalid category: 1 to 32 bytes."));
        }
        if self.name.len() > MAX_KEY_BYTES {
            return Err(Invalid::new(error_ids::preferences::IS_VALID_NAME, "Invalid name: at most 32 bytes."));
        }
        if self.value.chars().count() > MAX_VALUE_CHARS {
            return Err(Invalid::new(error_ids::preferences::IS_VALID_VALUE, "Invalid value: at most 20000 characters."));
        }
        if self.category == CATEGORY_THEME && serde_json::from_str::<std::collections::HashMap<String, String>>(&self.value).is_err() {
            return Err(Invalid::new(error_ids::preferences::IS_VALID_THEME, "A theme must be a JSON object of strings."));
        }
        if self.category == CATEGORY_SIDEBAR_SETTINGS && self.name == NAME_LIMIT_VISIBLE_DMS_GMS && !matches!(self.value.parse::<u32>(), Ok(1..=40)) {
            return Err(Invalid::new(error_ids::preferences::IS_VALID_LIMIT_VISIBLE_DMS_GMS, "The limit of visible direct channels must be 1 to 40."));
        }
        Ok(())
    }
}

/// One team's unread summary (Mattermost's `model.TeamUnread`). Confab has no
/// collapsed threads: the root counts equal the totals and the thread counts are 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamUnread {
    pub team_id: String,
    pub msg_count: i64,
    pub mention_count: i64,
}

impl Serialize for TeamUnread {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde_json::json!({
            "team_id": self.team_id,
            "msg_count": self.msg_count,
            "mention_count": self.mention_count,
            "msg_count_root": self.msg_count,
            "mention_count_root": self.mention_count,
            "thread_count": 0,
            "thread_mention_count": 0,
            "thread_urgent_mention_count": 0,
        })
        .serialize(serializer)
    }
}

/// `GET /channels/{id}/stats` (Mattermost's `model.ChannelStats`). Confab has neither
/// guests nor files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChannelStats {
    pub channel_id: String,
    pub member_count: i64,
    pub guest_count: i64,
    pub pinnedpost_count: i64,
    pub has_new_pinned_posts: bool,
    pub files_count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pref(category: &str, name: &str, value: &str) -> Preference {
        Preference { user_id: crate::ids::new_id(), category: category.into(), name: name.into(), value: value.into() }
    }

    #[test]
    fn mattermost_rules() {
        assert!(pref("display_settings", "use_military_time", "true").validate().is_ok());
        assert!(pref("tutorial_step", "", "0").validate().is_ok());
        assert!(Preference { user_id: "me".into(), ..pref("a", "b", "c") }.validate().is_err());
        assert!(pref("", "b", "c").validate().is_err());
        assert!(pref(&"c".repeat(33), "b", "c").validate().is_err());
        assert!(pref("a", &"n".repeat(33), "c").validate().is_err());
        assert!(pref("a", "b", &"é".repeat(MAX_VALUE_CHARS)).validate().is_ok());
        assert!(pref("a", "b", &"v".repeat(MAX_VALUE_CHARS + 1)).validate().is_err());
        assert!(pref("theme", "", r##"{"sidebarBg":"#ffffff"}"##).validate().is_ok());
        assert!(pref("theme", "", "dark").validate().is_err());
        assert!(pref("sidebar_settings", "limit_visible_dms_gms", "40").validate().is_ok());
        assert!(pref("sidebar_settings", "limit_visible_dms_gms", "41").validate().is_err());
        assert!(pref("sidebar_settings", "limit_visible_dms_gms", "0").validate().is_err());
    }

    #[test]
    fn team_unread_has_mattermosts_fields() {
        let value = serde_json::to_value(TeamUnread { team_id: "t".into(), msg_count: 3, mention_count: 1 }).unwrap();
        for key in [
            "team_id",
            "msg_count",
            "mention_count",
            "msg_count_root",
            "mention_count_root",
            "thread_count",
            "thread_mention_count",
            "thread_urgent_mention_count",
        ] {
            assert!(value.get(key).is_some(), "{key}");
        }
        assert_eq!(value["msg_count_root"], 3);
    }
}
