//! Domain types with Mattermost's JSON shapes, and the validation rules that need no I/O.
//!
//! Every struct here serializes exactly as Mattermost's model does for the fields we
//! keep (snake_case keys, millisecond timestamps, `0` for "never"); fields Mattermost
//! sends that we do not model are added with neutral values by the `wire` structs, so
//! clients that read them find what they expect.

pub mod attachment;
pub mod channel;
pub mod command;
pub mod dialog;
pub mod error_ids;
pub mod mention;
pub mod paging;
pub mod post;
pub mod preference;
pub mod team;
pub mod text;
pub mod user;
pub mod webhook;

pub use channel::{Channel, ChannelMember, ChannelType};
pub use paging::Paging;
pub use post::{Post, PostList, Reaction};
pub use preference::{ChannelStats, Preference, TeamUnread};
pub use team::{Team, TeamMember};
pub use user::{Bot, Session, User, UserAccessToken};

/// A rule an input broke: Mattermost's error id plus a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// Mattermost's error id, e.g. `model.post.is_valid.msg.app_error`.
    pub id: &'static str,
    /// What was wrong.
    pub message: String,
}

impl Invalid {
    /// An invalid-input finding.
    pub fn new(id: &'static str, message: impl Into<String>) -> Invalid {
        Invalid { id, message: message.into() }
    }
}

/// Mattermost's rule for team and channel names (URL slugs): 1–64 (teams: 2–64)
/// characters of lowercase letters, digits, `-` and `_`, starting with a letter or digit.
pub fn is_valid_slug(name: &str, min: usize) -> bool {
    (min..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_valid_slug("town-square", 1));
        assert!(is_valid_slug("a", 1));
        assert!(!is_valid_slug("a", 2));
        assert!(!is_valid_slug("Town", 1));
        assert!(!is_valid_slug("-x", 1));
        assert!(!is_valid_slug(&"x".repeat(65), 1));
        assert!(!is_valid_slug("a b", 1));
    }
}
