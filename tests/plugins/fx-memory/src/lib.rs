//! Fixture `fx-memory`: a post starting with "memory" allocates 1 MiB chunks forever;
//! anything else is allowed.

use std::hint::black_box;

use confab_plugin::log;
use confab_plugin::prelude::*;

const CHUNK: usize = 1 << 20;

#[derive(Default)]
struct Fixture;

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-memory activated", &[]);
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        if post.message().starts_with("memory") {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                // Non-zero bytes so every page is really written, and `black_box` so
                // the hoard cannot be optimized out. Growth stops only when the host's
                // memory cap makes `memory.grow` fail, which aborts (traps) the call.
                hoard.push(black_box(vec![0xA5; CHUNK]));
                black_box(&mut hoard);
            }
        }
        PostVerdict::Allow
    }
}
