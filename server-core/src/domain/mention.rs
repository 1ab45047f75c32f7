//! Who a message mentions, as the unread counts need it: `@username`s and the channel-wide `@channel`, `@all` and `@here`, outside code.

/// Usernames taken from one message at most; the rest are not counted (a message
/// naming more people than this is a broadcast, not a conversation).
pub const MAX_MENTIONED_USERNAMES: usize = 64;

/// What a message mentions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// `@channel`, `@all` or `@here`: every member of the channel but the author.
    /// (Mattermost counts `@here` for members who are online only; Confab for all.)
    pub channel_wide: bool,
    /// Lowercased candidate usernames, each once; names that match nobody are harmless.
    pub usernames: Vec<String>,
}

/// The mentions of `message`. A mention starts with `@` at the start of a word (not
/// inside `a@b.c`) and runs over the characters a username may hold; a trailing `.`,
/// `-` or `_` is also tried without, so `@alice.` mentions `alice`. Fenced code blocks
/// and inline code mention nobody, as in Mattermost.
pub fn mentions(message: &str) -> Mentions {
    let mut found = Mentions::default();
    let mut fenced = false;
    for line in message.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Outside inline code: the even-numbered pieces between backticks.
        for text in line.split('`').step_by(2) {
            scan(text, &mut found);
        }
    }
    found
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

fn scan(text: &str, found: &mut Mentions) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !(is_name_char(chars[i - 1]) || chars[i - 1] == '@');
        if chars[i] != '@' || !starts_word {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < chars.len() && is_name_char(chars[end]) {
            end += 1;
        }
        let word: String = chars[start..end].iter().collect::<String>().to_ascii_lowercase();
        let trimmed = word.trim_end_matches(['.', '-', '_']);
        for candidate in [word.as_str(), trimmed] {
            add(candidate, found);
        }
        i = end.max(start);
    }
}

fn add(candidate: &str, found: &mut Mentions) {
    match candidate {
        "" => {}
        "channel" | "all" | "here" => found.channel_wide = true,
        name => {
            if found.usernames.len() < MAX_MENTIONED_USERNAMES && !found.usernames.iter().any(|n| n == name) {
                found.usernames.push(name.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(message: &str) -> Vec<String> {
        mentions(message).usernames
    }

    #[test]
    fn usernames_at_word_starts_are_found_lowercased() {
        assert_eq!(names("hi @Alice and @bob.smith, see @carol."), ["alice", "bob.smith", "carol.", "carol"]);
        assert_eq!(names("(@dave) @eve!"), ["dave", "eve"]);
        assert!(names("mail me at someone@example.com").is_empty());
        assert!(names("just an @ sign and @@").is_empty());
    }

    #[test]
    fn channel_wide_mentions() {
        for message in ["@channel hi", "hey @all", "@here.", "ping @HERE"] {
            assert!(mentions(message).channel_wide, "{message}");
        }
        for message in ["@channels", "@allison", "no mention", "me@here"] {
            assert!(!mentions(message).channel_wide, "{message}");
        }
    }

    #[test]
    fn code_mentions_nobody() {
        let message = "`@alice` and\n```\n@bob @channel\n```\nbut @carol";
        let found = mentions(message);
        assert_eq!(found.usernames, ["carol"]);
        assert!(!found.channel_wide);
    }

    #[test]
    fn the_list_is_bounded_and_deduplicated() {
        let message: String = (0..200).map(|i| format!("@user{i} @user{i} ")).collect();
        let found = names(&message);
        assert_eq!(found.len(), MAX_MENTIONED_USERNAMES);
        assert_eq!(found[0], "user0");
        assert_eq!(found[1], "user1");
    }
}
