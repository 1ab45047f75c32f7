//! Channels (public, private, direct, group) and channel memberships with Mattermost's JSON shapes and rules.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Invalid, is_valid_slug};
use crate::domain::error_ids;

/// A channel's type letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelType {
    /// `O`: every team member can read and join.
    Open,
    /// `P`: members only.
    Private,
    /// `D`: two users, no team.
    Direct,
    /// `G`: a group of users, no team.
    Group,
}

impl ChannelType {
    /// From the letter.
    pub fn parse(letter: &str) -> Option<ChannelType> {
        match letter {
            "O" => Some(ChannelType::Open),
            "P" => Some(ChannelType::Private),
            "D" => Some(ChannelType::Direct),
            "G" => Some(ChannelType::Group),
            _ => None,
        }
    }

    /// The letter.
    pub fn letter(self) -> &'static str {
        match self {
            ChannelType::Open => "O",
            ChannelType::Private => "P",
            ChannelType::Direct => "D",
            ChannelType::Group => "G",
        }
    }
}

/// A channel. `kind` is the type letter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channel {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub team_id: String,
    pub kind: String,
    pub display_name: String,
    pub name: String,
    pub header: String,
    pub purpose: String,
    pub creator_id: String,
    pub last_post_at: i64,
    pub total_msg_count: i64,
}

/// The name of a team's default channel (Mattermost's `DefaultChannelName`): every
/// new team member lands in it, so it can be neither renamed nor archived.
pub const DEFAULT_CHANNEL_NAME: &str = "town-square";

impl Channel {
    /// The parsed type; unknown letters (never stored) read as private, the safe side.
    pub fn channel_type(&self) -> ChannelType {
        ChannelType::parse(&self.kind).unwrap_or(ChannelType::Private)
    }

    /// Whether every member of the team may read it without joining.
    pub fn is_public(&self) -> bool {
        self.channel_type() == ChannelType::Open
    }

    /// Whether this is a team's default channel (`town-square`).
    pub fn is_default(&self) -> bool {
        !self.team_id.is_empty() && self.name == DEFAULT_CHANNEL_NAME
    }

    /// Direct and group channels: no team, no name of their own.
    pub fn is_direct_or_group(&self) -> bool {
        matches!(self.channel_type(), ChannelType::Direct | ChannelType::Group)
    }
}

impl Serialize for Channel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "team_id": self.team_id,
            "type": self.kind,
            "display_name": self.display_name,
            "name": self.name,
            "header": self.header,
            "purpose": self.purpose,
            "last_post_at": self.last_post_at,
            "last_root_post_at": self.last_post_at,
            "total_msg_count": self.total_msg_count,
            "total_msg_count_root": self.total_msg_count,
            "extra_update_at": 0,
            "creator_id": self.creator_id,
            "scheme_id": null,
            "props": null,
            "group_constrained": null,
            "shared": null,
            "policy_id": null,
        })
        .serialize(serializer)
    }
}

/// `POST /channels` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewChannel {
    pub team_id: String,
    pub name: String,
    pub display_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub purpose: String,
    pub header: String,
}

/// `PUT /channels/{id}/patch` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChannelPatch {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub purpose: Option<String>,
    pub header: Option<String>,
}

/// A membership. `roles` is `channel_user`, plus `channel_admin` for the creator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelMember {
    pub channel_id: String,
    pub user_id: String,
    pub roles: String,
    pub last_viewed_at: i64,
    pub msg_count: i64,
    pub mention_count: i64,
    pub last_update_at: i64,
}

impl Serialize for ChannelMember {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value: Value = json!({
            "channel_id": self.channel_id,
            "user_id": self.user_id,
            "roles": self.roles,
            "last_viewed_at": self.last_viewed_at,
            "msg_count": self.msg_count,
            "msg_count_root": self.msg_count,
            "mention_count": self.mention_count,
            "mention_count_root": self.mention_count,
            "urgent_mention_count": 0,
            "notify_props": {"desktop": "default", "email": "default", "ignore_channel_mentions": "default", "mark_unread": "all", "push": "default"},
            "last_update_at": self.last_update_at,
            "scheme_guest": false,
            "scheme_user": true,
            "scheme_admin": self.roles.split_whitespace().any(|r| r == "channel_admin"),
            "explicit_roles": "",
        });
        value.serialize(serializer)
    }
}

/// Check a new team channel's fields (Mattermost's `Channel.IsValid`).
pub fn validate_new_channel(channel: &NewChannel) -> Result<ChannelType, Invalid> {
    let kind = match ChannelType::parse(&channel.kind) {
        Some(kind @ (ChannelType::Open | ChannelType::Private)) => kind,
        _ => {
            return Err(Invalid::new(error_ids::channels::IS_VALID_TYPE, "Invalid type: use O or P here; direct channels are created with /channels/direct."));
        }
    };
    validate_names(&channel.name, &channel.display_name)?;
    validate_texts(&channel.purpose, &channel.header)?;
    Ok(kind)
}

/// Name and display-name rules.
pub fn validate_names(name: &str, display_name: &str) -> Result<(), Invalid> {
    if !is_valid_slug(name, 1) {
        return Err(Invalid::new(error_ids::channels::IS_VALID_2_OR_MORE, "Name must be 1 to 64 lowercase alphanumeric characters, '-' or '_'."));
    }
    let display = display_name.chars().count();
    if display == 0 || display > 64 {
        return Err(Invalid::new(error_ids::channels::IS_VALID_DISPLAY_NAME, "Display name must be between 1 and 64 characters."));
    }
    Ok(())
}

/// Purpose and header length rules.
pub fn validate_texts(purpose: &str, header: &str) -> Result<(), Invalid> {
    if purpose.chars().count() > 250 {
        return Err(Invalid::new(error_ids::channels::IS_VALID_PURPOSE, "Purpose must be at most 250 characters."));
    }
    if header.chars().count() > 1024 {
        return Err(Invalid::new(error_ids::channels::IS_VALID_HEADER, "Header must be at most 1024 characters."));
    }
    Ok(())
}

/// The name of the direct channel between two users: their ids sorted, joined by `__`.
pub fn direct_channel_name(a: &str, b: &str) -> String {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    format!("{first}__{second}")
}

/// The fewest users of a group channel (Mattermost's `ChannelGroupMinUsers`).
pub const GROUP_MIN_USERS: usize = 3;
/// The most users of a group channel (Mattermost's `ChannelGroupMaxUsers`).
pub const GROUP_MAX_USERS: usize = 8;

/// The name of the group channel of `user_ids` (Mattermost's `GetGroupNameFromUserIds`):
/// the hex SHA-1 of the sorted ids written one after another, so every client that
/// asks for the same people finds the same channel.
pub fn group_channel_name(user_ids: &[String]) -> String {
    use sha1::Digest;
    let mut sorted: Vec<&str> = user_ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let mut hasher = sha1::Sha1::new();
    for id in sorted {
        hasher.update(id.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The display name of a group channel (Mattermost's `GetGroupDisplayNameFromUsers`):
/// the sorted usernames joined by `, `, cut at 64 characters.
pub fn group_display_name(usernames: &[&str]) -> String {
    let mut sorted = usernames.to_vec();
    sorted.sort_unstable();
    sorted.join(", ").chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_names_are_sorted() {
        assert_eq!(direct_channel_name("b", "a"), "a__b");
        assert_eq!(direct_channel_name("a", "b"), "a__b");
    }

    #[test]
    fn group_names_ignore_order() {
        let ids = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let name = group_channel_name(&ids(&["b", "c", "a"]));
        assert_eq!(name, group_channel_name(&ids(&["a", "b", "c"])));
        // SHA-1 of "abc".
        assert_eq!(name, "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(group_display_name(&["carol", "alice", "bob"]), "alice, bob, carol");
        assert_eq!(group_display_name(&["x".repeat(40).as_str(), "y".repeat(40).as_str()]).chars().count(), 64);
    }

    #[test]
    fn channel_rules() {
        let ch = |name: &str, kind: &str| NewChannel { name: name.into(), display_name: "D".into(), kind: kind.into(), ..NewChannel::default() };
        assert_eq!(validate_new_channel(&ch("dev", "O")), Ok(ChannelType::Open));
        assert_eq!(validate_new_channel(&ch("dev", "P")), Ok(ChannelType::Private));
        assert!(validate_new_channel(&ch("dev", "D")).is_err());
        assert!(validate_new_channel(&ch("Dev", "O")).is_err());
        assert!(validate_new_channel(&NewChannel { purpose: "x".repeat(251), ..ch("dev", "O") }).is_err());
    }
}
