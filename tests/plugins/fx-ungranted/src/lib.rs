//! Fixture `fx-ungranted`: on every post, tries two host calls its manifest does not
//! request and reports, in the replaced message, whether both were denied.

use confab_plugin::prelude::*;
use confab_plugin::{kv, log, posts};

/// The probe post's text, so that (if posts.create were ever wrongly allowed) the
/// probe, which passes through this same hook, does not probe again forever.
const PROBE: &str = "fx-ungranted probe";

fn outcome(name: &str, result: Result<impl Sized>) -> Option<String> {
    match result {
        Err(Error::PermissionDenied) => None,
        Ok(_) => Some(format!("{name}=ok")),
        Err(e) => Some(format!("{name}={e}")),
    }
}

#[derive(Default)]
struct Fixture;

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-ungranted activated", &[]);
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        if post.message().starts_with(PROBE) {
            return PostVerdict::Allow;
        }
        let reply = Post::reply(post.channel_id(), post.thread_id(), PROBE);
        let details: Vec<String> =
            [outcome("posts.create", posts::create(&reply)), outcome("kv.set", kv::set("fx-ungranted", b"x"))].into_iter().flatten().collect();
        let message = if details.is_empty() { "denied".to_owned() } else { format!("allowed:{}", details.join(",")) };
        PostVerdict::message(message)
    }
}
