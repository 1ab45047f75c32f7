//! Bot accounts (`bots` interface; capability `bots`).

use crate::Result;
use crate::bindings::confab::plugin::bots as wit;
use crate::error::wit as lift;

/// Creates the bot if it does not exist yet (owned by this plugin) and returns its
/// user id; calling it again with the same username returns the same id. Call it in
/// `activate` and keep the id in KV (or call it again on a new instance: it is
/// idempotent). Post as the bot with [`Post::by`](crate::Post::by).
pub fn ensure_bot(username: &str, display_name: &str, description: &str) -> Result<String> {
    lift(wit::ensure_bot(username, display_name, description))
}
