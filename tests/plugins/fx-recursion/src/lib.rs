//! Fixture `fx-recursion`: a post starting with "recurse" recurses without end;
//! anything else is allowed.

use std::hint::black_box;

use confab_plugin::log;
use confab_plugin::prelude::*;

/// Recurses until the wasm call stack is exhausted. Written so the optimizer cannot
/// turn it into a loop: the result of the recursive call is rotated and xor-ed (not a
/// tail call, and not the single associative accumulator LLVM's tail-recursion
/// elimination can rewrite), and the stop condition compares against `stop`, which the
/// caller hides behind `black_box`. Only scalars live in the frame: nothing has its
/// address taken, so nothing goes to Rust's shadow stack in linear memory, and the trap
/// is a genuine stack overflow rather than an out-of-bounds access.
#[inline(never)]
fn recurse(depth: u64, stop: u64) -> u64 {
    if depth == stop {
        return depth;
    }
    recurse(depth + 1, stop).rotate_left(7) ^ depth
}

#[derive(Default)]
struct Fixture;

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-recursion activated", &[]);
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        if post.message().starts_with("recurse") {
            let depth = recurse(0, black_box(u64::MAX));
            // Only after 2^64 levels; keeps the result alive.
            return PostVerdict::reject(format!("recursion returned at {depth}"));
        }
        PostVerdict::Allow
    }
}
