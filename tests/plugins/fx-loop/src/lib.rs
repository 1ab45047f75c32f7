//! Fixture `fx-loop`: a post starting with "loop" spins forever; anything else is allowed.

use std::hint::black_box;

use confab_plugin::log;
use confab_plugin::prelude::*;

#[derive(Default)]
struct Fixture;

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-loop activated", &[]);
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        if post.message().starts_with("loop") {
            // `black_box` makes every iteration an observable effect, so the optimizer
            // can neither delete the loop nor prove it never returns and fold it away.
            let mut n: u64 = 0;
            loop {
                n = black_box(n.wrapping_add(1));
            }
        }
        PostVerdict::Allow
    }
}
