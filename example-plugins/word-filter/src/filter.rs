//! The word filter itself, free of any plugin API so the same source also compiles natively (the benchmark's native baseline includes this file).

/// Settings parsed once per change rather than once per post.
#[derive(Debug, Default, PartialEq)]
pub struct Filter {
    /// `(word, replacement)`; words match whole and ASCII-case-insensitively.
    pub replacements: Vec<(String, String)>,
    /// Lower-cased phrases; any occurrence rejects the post.
    pub blocked: Vec<String>,
}

/// What the filter decided about one message.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Nothing to change.
    Unchanged,
    /// The message with replacements applied.
    Replaced(String),
    /// The blocked phrase found.
    Blocked(String),
}

fn entries(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', '\n']).map(str::trim).filter(|e| !e.is_empty())
}

impl Filter {
    /// Parse the two settings; also returns the replacement entries that were not
    /// `word=replacement`, so the caller can tell the admin instead of silently
    /// ignoring a typo.
    pub fn new(replacements_setting: &str, blocked_setting: &str) -> (Self, Vec<String>) {
        let mut replacements = Vec::new();
        let mut malformed = Vec::new();
        for entry in entries(replacements_setting) {
            match entry.split_once('=') {
                Some((word, replacement)) if !word.trim().is_empty() => {
                    replacements.push((word.trim().to_owned(), replacement.trim().to_owned()));
                }
                _ => malformed.push(entry.to_owned()),
            }
        }
        let blocked = entries(blocked_setting).map(str::to_lowercase).collect();
        (Filter { replacements, blocked }, malformed)
    }

    /// Decide about one message.
    pub fn check(&self, message: &str) -> Verdict {
        let lower = message.to_lowercase();
        if let Some(phrase) = self.blocked.iter().find(|p| lower.contains(p.as_str())) {
            return Verdict::Blocked(phrase.clone());
        }
        let mut text = message.to_owned();
        for (word, replacement) in &self.replacements {
            text = replace_word(&text, word, replacement);
        }
        if text == message { Verdict::Unchanged } else { Verdict::Replaced(text) }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Replaces whole-word, ASCII-case-insensitive occurrences of `word`, so `heck` hits
/// "Heck!" but not "check".
fn replace_word(text: &str, word: &str, replacement: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut prev: Option<char> = None;
    while !rest.is_empty() {
        let hit = rest.len() >= word.len()
            && rest.is_char_boundary(word.len())
            && rest[..word.len()].eq_ignore_ascii_case(word)
            && !prev.is_some_and(is_word_char)
            && !rest[word.len()..].chars().next().is_some_and(is_word_char);
        if hit {
            out.push_str(replacement);
            prev = word.chars().last();
            rest = &rest[word.len()..];
        } else {
            let c = rest.chars().next().expect("rest is not empty");
            out.push(c);
            prev = Some(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}
