//! Fixture `fx-v0-1-0`: a plugin built against the frozen `confab:plugin@0.1.0` with
//! wit-bindgen directly (not the SDK, which targets the current contract), so the host
//! tests can check that a 0.1.0 component still loads and behaves as before.
//!
//! - `activate` logs `fx-v0-1-0 activated`.
//! - `message-will-be-posted`: a message starting with `v010 ` counts the call in KV
//!   key `count` and is replaced by `[0.1.0] <rest>`; one starting with `v010-reject`
//!   is rejected with `refused by 0.1.0`; anything else is allowed.
//! - `serve-http` answers `{"count":N,"settings":<config.get-settings>}`.

// The generated glue is `unsafe` FFI; the fixture's own code is not.
#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({ path: "wit", world: "fixture", generate_all });

    use super::Fixture;
    export!(Fixture);
}

use bindings::confab::plugin::types::{HttpRequest, HttpResponse, PluginContext, Post, WillResult};
use bindings::confab::plugin::{config, kv, log};
use bindings::exports::confab::plugin::{http_hooks, lifecycle, message_hooks};

struct Fixture;

fn count() -> u64 {
    match kv::get("count") {
        Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).parse().unwrap_or(0),
        _ => 0,
    }
}

impl lifecycle::Guest for Fixture {
    fn activate() -> Result<(), String> {
        log::write(log::Level::Info, "fx-v0-1-0 activated", &[]);
        Ok(())
    }

    fn deactivate() {}

    fn configuration_changed() -> Result<(), String> {
        Ok(())
    }
}

impl message_hooks::Guest for Fixture {
    fn message_will_be_posted(_ctx: PluginContext, mut post: Post) -> WillResult {
        if post.message.starts_with("v010-reject") {
            return WillResult::Reject("refused by 0.1.0".into());
        }
        let Some(rest) = post.message.strip_prefix("v010 ") else { return WillResult::Allow };
        let next = count() + 1;
        if let Err(e) = kv::set("count", next.to_string().as_bytes()) {
            return WillResult::Reject(format!("kv.set failed: {e:?}"));
        }
        post.message = format!("[0.1.0] {rest}");
        WillResult::Replace(post)
    }

    fn message_will_be_updated(_ctx: PluginContext, _new_post: Post, _old_post: Post) -> WillResult {
        WillResult::Allow
    }

    fn message_has_been_posted(_ctx: PluginContext, _post: Post) {}

    fn message_has_been_updated(_ctx: PluginContext, _new_post: Post, _old_post: Post) {}

    fn message_has_been_deleted(_ctx: PluginContext, _post: Post) {}
}

impl http_hooks::Guest for Fixture {
    fn serve_http(_ctx: PluginContext, _request: HttpRequest) -> HttpResponse {
        let body = format!("{{\"count\":{},\"settings\":{}}}", count(), config::get_settings());
        HttpResponse { status: 200, headers: vec![("Content-Type".into(), "application/json".into())], body: body.into_bytes() }
    }
}
