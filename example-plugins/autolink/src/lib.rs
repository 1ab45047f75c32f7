//! The `autolink` example plugin: admins' regular-expression patterns become markdown links in posts as they are posted and edited (Mattermost's autolink semantics), managed with `/autolink` and kept with save-settings.

mod admin;
mod link;
mod markdown;

use std::cell::{Cell, RefCell};

use confab_plugin::commands::{self, Command};
use confab_plugin::prelude::*;
use confab_plugin::{config, log};
use serde::Deserialize;

use link::{Compiled, Link};

const TRIGGER: &str = "autolink";

#[derive(Debug, Deserialize)]
#[serde(default)]
struct Settings {
    links: Vec<Link>,
    enable_on_update: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { links: Vec::new(), enable_on_update: true }
    }
}

/// The compiled links of this instance, rebuilt whenever the settings change.
#[derive(Default)]
struct Autolink {
    links: RefCell<Vec<Compiled>>,
    on_update: Cell<bool>,
}

impl Autolink {
    /// `message` with every link applied in order, each to the result of the last, so
    /// a link one pattern made is not linked again by the next.
    fn apply(&self, message: &str) -> String {
        let mut text = message.to_owned();
        for link in self.links.borrow().iter() {
            text = markdown::map_plain(&text, |part| link.replace(part));
        }
        text
    }

    /// The post's message linked, when that changes anything.
    fn linked(&self, post: &HookPost) -> PostVerdict {
        // System messages (joins, header changes) are the server's text, not a user's.
        if post.kind().starts_with("system_") {
            return PostVerdict::Allow;
        }
        let message = self.apply(post.message());
        if message == post.message() { PostVerdict::Allow } else { PostVerdict::message(message) }
    }
}

#[plugin]
impl Plugin for Autolink {
    fn activate(&self) -> Result<(), String> {
        commands::register(
            &Command::new(TRIGGER, "Manage the autolink patterns (system admins)").hint("list | add <name> <pattern> <template> | delete <name> | test <text>"),
        )
        .map_err(|e| e.to_string())
    }

    fn configuration_changed(&self) -> Result<(), String> {
        let settings: Settings = config::settings().map_err(|e| format!("reading the links: {e}"))?;
        let mut compiled = Vec::new();
        for link in &settings.links {
            match link.compile() {
                Ok(Some(c)) => compiled.push(c),
                Ok(None) => {}
                // One bad pattern (saved by hand in the System Console) must not turn the others off.
                Err(e) => log::warn("autolink pattern skipped", &[("name", &link.name), ("error", &e.to_string())]),
            }
        }
        *self.links.borrow_mut() = compiled;
        self.on_update.set(settings.enable_on_update);
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        self.linked(post)
    }

    fn message_will_be_updated(&self, new_post: &HookPost, _old_post: &HookPost) -> PostVerdict {
        if !self.on_update.get() {
            return PostVerdict::Allow;
        }
        self.linked(new_post)
    }

    fn execute_command(&self, _ctx: &PluginContext, args: CommandArgs) -> Result<CommandResponse, String> {
        admin::command(&args.user_id, &args.command, |text| self.apply(text)).map(CommandResponse::ephemeral).map_err(|e| {
            log::error("/autolink failed", &[("error", &e.to_string())]);
            e.to_string()
        })
    }
}
