//! The `word-filter` example plugin: rewrites configured words and rejects posts that
//! contain blocked phrases, on create and on edit.

use std::cell::RefCell;

use confab_plugin::prelude::*;
use confab_plugin::{config, log};
use serde::Deserialize;

/// The admin's settings, as declared in plugin.json's `settings_schema`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Settings {
    /// `word=replacement` pairs separated by commas or new lines.
    replacements: String,
    /// Phrases separated by commas or new lines.
    blocked_phrases: String,
}

/// Settings parsed once per change rather than once per post.
#[derive(Debug, Default, PartialEq)]
struct Filter {
    /// `(word, replacement)`; words match whole and ASCII-case-insensitively.
    replacements: Vec<(String, String)>,
    /// Lower-cased phrases; any occurrence rejects the post.
    blocked: Vec<String>,
}

/// What the filter decided about one message.
#[derive(Debug, PartialEq)]
enum Verdict {
    Unchanged,
    Replaced(String),
    Blocked(String),
}

fn entries(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', '\n']).map(str::trim).filter(|e| !e.is_empty())
}

impl Filter {
    fn new(settings: &Settings) -> Self {
        let mut replacements = Vec::new();
        for entry in entries(&settings.replacements) {
            match entry.split_once('=') {
                Some((word, replacement)) if !word.trim().is_empty() => {
                    replacements.push((word.trim().to_owned(), replacement.trim().to_owned()));
                }
                // Tell the admin instead of silently ignoring a typo.
                _ => log::warn("ignoring malformed replacement, expected word=replacement", &[("entry", entry)]),
            }
        }
        let blocked = entries(&settings.blocked_phrases).map(str::to_lowercase).collect();
        Filter { replacements, blocked }
    }

    fn check(&self, message: &str) -> Verdict {
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

    fn decide(&self, post: Post) -> WillResult {
        match self.check(&post.message) {
            Verdict::Unchanged => WillResult::Allow,
            Verdict::Replaced(message) => WillResult::Replace(post.with_message(message)),
            Verdict::Blocked(phrase) => WillResult::reject(format!("Your message was not posted: it contains the blocked phrase \"{phrase}\".")),
        }
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

#[derive(Default)]
struct WordFilter {
    /// Per instance: every instance gets `configuration_changed` before its first post.
    filter: RefCell<Filter>,
}

#[plugin]
impl Plugin for WordFilter {
    fn configuration_changed(&self) -> Result<(), String> {
        let settings: Settings = config::settings()?;
        let filter = Filter::new(&settings);
        log::debug(
            "word filter configured",
            &[("replacements", &filter.replacements.len().to_string()), ("blocked_phrases", &filter.blocked.len().to_string())],
        );
        *self.filter.borrow_mut() = filter;
        Ok(())
    }

    fn message_will_be_posted(&self, _ctx: &PluginContext, post: Post) -> WillResult {
        self.filter.borrow().decide(post)
    }

    fn message_will_be_updated(&self, _ctx: &PluginContext, new_post: Post, _old: Post) -> WillResult {
        self.filter.borrow().decide(new_post)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(replacements: &str, blocked: &str) -> Filter {
        let settings = Settings { replacements: replacements.to_owned(), blocked_phrases: blocked.to_owned() };
        Filter::new(&settings)
    }

    #[test]
    fn replaces_whole_words_ignoring_case() {
        let f = filter("darn=d*rn, heck = h*ck", "");
        assert_eq!(f.check("Darn, what the heck! check"), Verdict::Replaced("d*rn, what the h*ck! check".into()));
        assert_eq!(f.check("nothing here"), Verdict::Unchanged);
        assert_eq!(f.check("darndarn heck_ é heck"), Verdict::Replaced("darndarn heck_ é h*ck".into()));
    }

    #[test]
    fn blocked_phrases_win_and_ignore_case() {
        let f = filter("darn=d*rn", "buy now,\nfree money");
        assert_eq!(f.check("darn, FREE Money!"), Verdict::Blocked("free money".into()));
        assert_eq!(f.decide(Post::new("c", "Buy now")), WillResult::reject("Your message was not posted: it contains the blocked phrase \"buy now\"."));
    }

    #[test]
    fn replacement_keeps_the_rest_of_the_post() {
        let f = filter("darn=d*rn", "");
        let post = Post::new("c", "darn").by("u");
        let WillResult::Replace(new) = f.decide(post) else { panic!("expected a replacement") };
        assert_eq!((new.message.as_str(), new.user_id.as_str()), ("d*rn", "u"));
    }
}
