//! The word filter itself, free of any plugin API so the same source also compiles natively (the benchmark's native baseline includes this file).

use std::borrow::Cow;

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

    /// Decide about one message. Runs on every post, so it allocates only when it
    /// has to: no lower-cased copy without blocked phrases, no new string without a hit.
    pub fn check(&self, message: &str) -> Verdict {
        if !self.blocked.is_empty() {
            let lower = message.to_lowercase();
            if let Some(phrase) = self.blocked.iter().find(|p| lower.contains(p.as_str())) {
                return Verdict::Blocked(phrase.clone());
            }
        }
        let mut text = Cow::Borrowed(message);
        for (word, replacement) in &self.replacements {
            if let Cow::Owned(replaced) = replace_word(&text, word, replacement) {
                text = Cow::Owned(replaced);
            }
        }
        match text {
            Cow::Owned(text) if text != message => Verdict::Replaced(text),
            _ => Verdict::Unchanged,
        }
    }
}

/// The first byte of a word, matched ASCII-case-insensitively with one comparison:
/// for a letter, setting bit 0x20 folds the byte to lower case.
#[derive(Clone, Copy)]
struct FirstByte {
    fold: u8,
    value: u8,
}

impl FirstByte {
    fn new(byte: u8) -> FirstByte {
        if byte.is_ascii_alphabetic() { FirstByte { fold: 0x20, value: byte.to_ascii_lowercase() } } else { FirstByte { fold: 0, value: byte } }
    }

    fn matches(self, byte: u8) -> bool {
        (byte | self.fold) == self.value
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Replaces whole-word, ASCII-case-insensitive occurrences of `word`, so `heck` hits
/// "Heck!" but not "check". Borrows `text` back when there is nothing to replace.
fn replace_word<'a>(text: &'a str, word: &str, replacement: &str) -> Cow<'a, str> {
    let (bytes, needle) = (text.as_bytes(), word.as_bytes());
    let Some(&first) = needle.first() else { return Cow::Borrowed(text) };
    if needle.len() > bytes.len() {
        return Cow::Borrowed(text);
    }
    let last_start = bytes.len() - needle.len();
    let first = FirstByte::new(first);
    let mut out: Option<String> = None;
    let (mut copied, mut i) = (0, 0);
    // Runs on every post: jump from one possible first byte to the next with a tight
    // loop, and compare the whole word only there.
    while let Some(offset) = bytes[i..=last_start].iter().position(|&b| first.matches(b)) {
        i += offset;
        let end = i + needle.len();
        let hit = bytes[i..end].eq_ignore_ascii_case(needle)
            && text.is_char_boundary(i)
            && text.is_char_boundary(end)
            && !text[..i].chars().next_back().is_some_and(is_word_char)
            && !text[end..].chars().next().is_some_and(is_word_char);
        if hit {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[copied..i]);
            out.push_str(replacement);
            copied = end;
            i = end;
        } else {
            i += 1;
        }
        if i > last_start {
            break;
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    }
}
