//! Fixture `fx-panic`: a post starting with "panic" panics; anything else is allowed.

use confab_plugin::log;
use confab_plugin::prelude::*;

#[derive(Default)]
struct Fixture;

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-panic activated", &[]);
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        if post.message().starts_with("panic") {
            // The message goes to stderr (the host logs it); then the call traps.
            panic!("fx-panic: asked to panic by post {:?}", post.message());
        }
        PostVerdict::Allow
    }
}
