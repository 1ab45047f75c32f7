//! Fixture `fx-chain`: a configurable `message-will-be-posted` link (replace, reject,
//! dismiss or allow, from its settings), loaded under several plugin ids to test
//! chaining; `message-has-been-posted` appends each message to the KV key `seen`.

use std::cell::RefCell;

use confab_plugin::prelude::*;
use confab_plugin::{config, kv, log};

/// The settings this link acts on (all strings; absent = empty).
#[derive(Debug, Default, Clone, PartialEq)]
struct Settings {
    action: String,
    from: String,
    to: String,
    reason: String,
    when: String,
}

impl Settings {
    fn from_json(value: &serde_json::Value) -> Self {
        let text = |key: &str| match value.get(key) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        Settings { action: text("action"), from: text("from"), to: text("to"), reason: text("reason"), when: text("when") }
    }

    fn decide(&self, message: &str) -> PostVerdict {
        if !self.when.is_empty() && !message.contains(&self.when) {
            return PostVerdict::Allow;
        }
        match self.action.as_str() {
            "replace" if !self.from.is_empty() => PostVerdict::message(message.replace(&self.from, &self.to)),
            "reject" => PostVerdict::reject(self.reason.clone()),
            "dismiss" => PostVerdict::Dismiss,
            _ => PostVerdict::Allow,
        }
    }
}

#[derive(Default)]
struct Fixture {
    settings: RefCell<Settings>,
}

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-chain activated", &[]);
        Ok(())
    }

    fn configuration_changed(&self) -> Result<(), String> {
        let settings = Settings::from_json(&config::settings_value()?);
        log::info("fx-chain configured", &[("action", &settings.action)]);
        *self.settings.borrow_mut() = settings;
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        self.settings.borrow().decide(post.message())
    }

    fn message_has_been_posted(&self, post: &HookPost) {
        // Instances run has-hooks concurrently: append with compare-and-set.
        let appended = kv::update_json::<Vec<String>, _>("seen", |seen| {
            let mut seen = seen.unwrap_or_default();
            seen.push(post.message().to_owned());
            seen
        });
        if let Err(e) = appended {
            log::error("fx-chain could not record a post", &[("error", &e.to_string())]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(json: serde_json::Value) -> Settings {
        Settings::from_json(&json)
    }

    #[test]
    fn actions() {
        let replace = settings(serde_json::json!({"action": "replace", "from": "a", "to": "b"}));
        assert_eq!(replace.decide("a cat"), PostVerdict::message("b cbt"));
        let reject = settings(serde_json::json!({"action": "reject", "reason": "no", "when": "dog"}));
        assert_eq!(reject.decide("a cat"), PostVerdict::Allow);
        assert_eq!(reject.decide("hot dog"), PostVerdict::reject("no"));
        assert_eq!(settings(serde_json::json!({"action": "dismiss"})).decide("a cat"), PostVerdict::Dismiss);
        assert_eq!(settings(serde_json::json!({})).decide("a cat"), PostVerdict::Allow);
    }
}
