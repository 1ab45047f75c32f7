//! Channel search by name (Mattermost's `SearchChannels`): a team's public channels whose name, display name or purpose has a word starting with each word of the term.

use super::Channels;
use crate::domain::{Channel, error_ids};
use crate::service::{Caller, Error, Result};

/// The most channels one search returns (Mattermost's `ChannelSearchDefaultLimit`).
pub const SEARCH_LIMIT: usize = 100;

impl Channels<'_> {
    /// `POST /teams/{team_id}/channels/search` and the plugin API's `search`: up to
    /// [`SEARCH_LIMIT`] public, not archived channels of the team matching every word of
    /// `term` (any case; all of them for a blank term), by display name. Private
    /// channels are never searched here, as in Mattermost, whatever the caller is in.
    /// Team members (and admins and plugins) may search; anyone else is told they are
    /// not a member (404), as Mattermost answers.
    pub async fn search_channels(&self, caller: &Caller, team_id: &str, term: &str) -> Result<Vec<Channel>> {
        self.teams().team_by_id(team_id).await?;
        if !caller.is_admin() && !self.is_team_member(team_id, caller.user_id()).await? {
            return Err(Error::not_found(error_ids::teams::GET_MEMBER_MISSING, "team member"));
        }
        let words: Vec<String> = term.split_whitespace().map(str::to_lowercase).collect();
        // The store narrows by the longest word (the most selective); each candidate is
        // then checked for every word at a word start.
        let longest = words.iter().max_by_key(|w| w.chars().count()).map_or("", String::as_str);
        let candidates = self.store().search_public_channels(team_id, longest).await?;
        Ok(candidates.into_iter().filter(|c| matches_all(c, &words)).take(SEARCH_LIMIT).collect())
    }
}

/// Whether every word starts a word of the channel's name, display name or purpose.
fn matches_all(channel: &Channel, words: &[String]) -> bool {
    let fields = [channel.name.to_lowercase(), channel.display_name.to_lowercase(), channel.purpose.to_lowercase()];
    words.iter().all(|word| fields.iter().any(|field| starts_a_word(field, word)))
}

/// Whether `word` appears in `text` at its start or right after a character that is
/// not a letter or digit (a space, `-`, `_`, `.`...).
fn starts_a_word(text: &str, word: &str) -> bool {
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        if previous.is_none_or(|p| !p.is_alphanumeric()) && text[at..].starts_with(word) {
            return true;
        }
        previous = Some(c);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(name: &str, display_name: &str, purpose: &str) -> Channel {
        Channel { name: name.into(), display_name: display_name.into(), purpose: purpose.into(), ..Channel::default() }
    }

    #[test]
    fn words_match_at_word_starts_only() {
        assert!(starts_a_word("dev-ops", "ops"));
        assert!(starts_a_word("dev-ops", "dev-o"));
        assert!(starts_a_word("release notes", "not"));
        assert!(!starts_a_word("devops", "ops"));
        assert!(!starts_a_word("", "a"));
    }

    #[test]
    fn every_word_must_match_some_field() {
        let c = channel("backend", "Backend Team", "builds and deploys");
        assert!(matches_all(&c, &["back".into(), "deploy".into()]));
        assert!(matches_all(&c, &[]));
        assert!(!matches_all(&c, &["back".into(), "frontend".into()]));
        assert!(!matches_all(&c, &["end".into()]));
    }
}
