//! Fixture `fx-slow-host`: a post starting with "slow" makes an outbound HTTP call the
//! test server answers only long after the deadline; anything else is allowed.

use confab_plugin::prelude::*;
use confab_plugin::{http, log};

const SLOW_URL: &str = "http://slow.test/sleep";

#[derive(Default)]
struct Fixture;

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-slow-host activated", &[]);
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        if post.message().starts_with("slow") {
            // The deadline should cut this call short; if it ever returns, allow anyway
            // so a test sees the difference only in timing and trap counts.
            if let Err(e) = http::get(SLOW_URL) {
                log::warn("slow call failed", &[("error", &e.to_string())]);
            }
        }
        PostVerdict::Allow
    }
}
