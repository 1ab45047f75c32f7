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

mod filter;

use filter::{Filter, Verdict};

/// The verdict on a post's text: only the message is read from the host, and only a
/// new message goes back.
fn decide(filter: &Filter, message: &str) -> PostVerdict {
    match filter.check(message) {
        Verdict::Unchanged => PostVerdict::Allow,
        Verdict::Replaced(message) => PostVerdict::message(message),
        Verdict::Blocked(phrase) => PostVerdict::reject(format!("Your message was not posted: it contains the blocked phrase \"{phrase}\".")),
    }
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
        let (filter, malformed) = Filter::new(&settings.replacements, &settings.blocked_phrases);
        for entry in &malformed {
            log::warn("ignoring malformed replacement, expected word=replacement", &[("entry", entry)]);
        }
        log::debug(
            "word filter configured",
            &[("replacements", &filter.replacements.len().to_string()), ("blocked_phrases", &filter.blocked.len().to_string())],
        );
        *self.filter.borrow_mut() = filter;
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        decide(&self.filter.borrow(), post.message())
    }

    fn message_will_be_updated(&self, new_post: &HookPost, _old: &HookPost) -> PostVerdict {
        decide(&self.filter.borrow(), new_post.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(replacements: &str, blocked: &str) -> Filter {
        Filter::new(replacements, blocked).0
    }

    #[test]
    fn replaces_whole_words_ignoring_case() {
        let f = filter("darn=d*rn, heck = h*ck", "");
        assert_eq!(f.check("Darn, what the heck! check"), Verdict::Replaced("d*rn, what the h*ck! check".into()));
        assert_eq!(f.check("nothing here"), Verdict::Unchanged);
        assert_eq!(f.check("darndarn heck_ é heck"), Verdict::Replaced("darndarn heck_ é h*ck".into()));
    }

    #[test]
    fn finds_words_at_either_end_and_back_to_back() {
        let f = filter("darn=d*rn, #tag=[tag], x=y", "");
        assert_eq!(f.check("DARN"), Verdict::Replaced("d*rn".into()));
        assert_eq!(f.check("darn darn,darn"), Verdict::Replaced("d*rn d*rn,d*rn".into()));
        assert_eq!(f.check("end: dArN"), Verdict::Replaced("end: d*rn".into()));
        assert_eq!(f.check("a #tag and #TAG"), Verdict::Replaced("a [tag] and [tag]".into()));
        assert_eq!(f.check("x"), Verdict::Replaced("y".into()));
        assert_eq!(f.check("da"), Verdict::Unchanged, "a text shorter than the word");
        assert_eq!(f.check("Dárn darnX Ddarn"), Verdict::Unchanged, "no whole-word hit");
        assert_eq!(f.check(""), Verdict::Unchanged);
    }

    #[test]
    fn blocked_phrases_win_and_ignore_case() {
        let f = filter("darn=d*rn", "buy now,\nfree money");
        assert_eq!(f.check("darn, FREE Money!"), Verdict::Blocked("free money".into()));
        assert_eq!(decide(&f, "Buy now"), PostVerdict::reject("Your message was not posted: it contains the blocked phrase \"buy now\"."));
    }

    #[test]
    fn replacement_changes_only_the_message() {
        let f = filter("darn=d*rn", "");
        let post = HookPost::from_post(Post::new("c", "darn").by("u"));
        assert_eq!(decide(&f, post.message()), PostVerdict::Change(PostChange { message: Some("d*rn".into()), ..PostChange::default() }));
        assert_eq!(decide(&f, "fine"), PostVerdict::Allow);
    }
}
