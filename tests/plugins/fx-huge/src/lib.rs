//! Fixture `fx-huge`: a post starting with "huge" is replaced by a 50 MB message;
//! anything else is allowed.

use confab_plugin::log;
use confab_plugin::prelude::*;

/// 50 MB: far above any sane `max_response_bytes`, yet below the 128 MiB of memory the
/// manifest asks for, so the response-size limit is what trips, not the memory cap.
const HUGE: usize = 50 * 1000 * 1000;

#[derive(Default)]
struct Fixture;

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-huge activated", &[]);
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        if post.message().starts_with("huge") {
            return PostVerdict::message("x".repeat(HUGE));
        }
        PostVerdict::Allow
    }
}
