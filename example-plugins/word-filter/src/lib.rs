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

fn decide(filter: &Filter, post: Post) -> WillResult {
    match filter.check(&post.message) {
        Verdict::Unchanged => WillResult::Allow,
        Verdict::Replaced(message) => WillResult::Replace(post.with_message(message)),
        Verdict::Blocked(phrase) => WillResult::reject(format!("Your message was not posted: it contains the blocked phrase \"{phrase}\".")),
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

    fn message_will_be_posted(&self, _ctx: &PluginContext, post: Post) -> WillResult {
        decide(&self.filter.borrow(), post)
    }

    fn message_will_be_updated(&self, _ctx: &PluginContext, new_post: Post, _old: Post) -> WillResult {
        decide(&self.filter.borrow(), new_post)
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
        assert_eq!(decide(&f, Post::new("c", "Buy now")), WillResult::reject("Your message was not posted: it contains the blocked phrase \"buy now\"."));
    }

    #[test]
    fn replacement_keeps_the_rest_of_the_post() {
        let f = filter("darn=d*rn", "");
        let post = Post::new("c", "darn").by("u");
        let WillResult::Replace(new) = decide(&f, post) else { panic!("expected a replacement") };
        assert_eq!((new.message.as_str(), new.user_id.as_str()), ("d*rn", "u"));
    }
}
