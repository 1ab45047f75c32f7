//! The `welcome-bot` example plugin: a bot that greets users who join a channel.

use std::cell::RefCell;

use confab_plugin::prelude::*;
use confab_plugin::{bots, config, kv, log, posts, users};
use serde::Deserialize;

const BOT_USERNAME: &str = "welcomebot";
/// Where `activate` leaves the bot's user id for every instance to find.
const BOT_ID_KEY: &str = "bot_id";
const DEFAULT_GREETING: &str = "Welcome, @{username}!";

#[derive(Debug, Deserialize)]
#[serde(default)]
struct Settings {
    /// The greeting; `{username}` is replaced by the new member's username.
    greeting: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { greeting: DEFAULT_GREETING.to_owned() }
    }
}

fn ensure_bot() -> Result<String> {
    bots::ensure_bot(BOT_USERNAME, "Welcome Bot", "Greets people who join a channel.")
}

fn greeting(template: &str, username: &str) -> String {
    let template = if template.trim().is_empty() { DEFAULT_GREETING } else { template };
    template.replace("{username}", username)
}

#[derive(Default)]
struct WelcomeBot {
    settings: RefCell<Settings>,
    /// This instance's copy of the bot id (the shared copy is in KV).
    bot_id: RefCell<Option<String>>,
}

impl WelcomeBot {
    /// The bot's user id: cached, else from KV, else (e.g. KV was wiped) ensured again,
    /// which is idempotent.
    fn bot_id(&self) -> Result<String> {
        if let Some(id) = self.bot_id.borrow().as_ref() {
            return Ok(id.clone());
        }
        let id = match kv::get(BOT_ID_KEY)? {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => {
                let id = ensure_bot()?;
                kv::set(BOT_ID_KEY, &id)?;
                id
            }
        };
        *self.bot_id.borrow_mut() = Some(id.clone());
        Ok(id)
    }

    fn welcome(&self, member: &ChannelMember) -> Result<()> {
        let bot_id = self.bot_id()?;
        if member.user_id == bot_id {
            return Ok(());
        }
        let user = users::get(&member.user_id)?;
        if user.is_bot {
            return Ok(());
        }
        let message = greeting(&self.settings.borrow().greeting, &user.username);
        posts::create(&Post::new(&member.channel_id, message).by(bot_id))?;
        Ok(())
    }
}

#[plugin]
impl Plugin for WelcomeBot {
    fn activate(&self) -> Result<(), String> {
        // Once per activation, on one instance: other instances read the id from KV.
        let id = ensure_bot()?;
        kv::set(BOT_ID_KEY, &id)?;
        log::info("welcome bot ready", &[("bot_user_id", &id)]);
        *self.bot_id.borrow_mut() = Some(id);
        Ok(())
    }

    fn configuration_changed(&self) -> Result<(), String> {
        *self.settings.borrow_mut() = config::settings()?;
        Ok(())
    }

    fn user_has_joined_channel(&self, _ctx: &PluginContext, member: ChannelMember, _actor: Option<User>) {
        if let Err(e) = self.welcome(&member) {
            log::error("could not greet a new member", &[("channel_id", &member.channel_id), ("user_id", &member.user_id), ("error", &e.to_string())]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greeting_fills_in_the_username() {
        assert_eq!(greeting(DEFAULT_GREETING, "ann"), "Welcome, @ann!");
        assert_eq!(greeting("Hi {username}, meet {username}", "bo"), "Hi bo, meet bo");
        assert_eq!(greeting("  ", "cy"), "Welcome, @cy!");
    }
}
