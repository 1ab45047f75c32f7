//! Fixture `fx-api-channels`: every `channels` and `teams` host function, called by name through `POST /call`, so tests exercise each one through a compiled component.
//!
//! `POST /call` with `{"fn": "<interface>.<function>", ...arguments}` answers 200 with
//! `{"ok": <result as JSON>}`, or 400 with `{"error": "<kind>", "detail": "<text>"}`
//! where `kind` is the WIT error case (`not-found`, `permission-denied`,
//! `invalid-input`, `quota-exceeded`, `internal`). Arguments are named after the WIT
//! parameters in snake case: `channel_id`, `team_id`, `user_id`, `user_ids`, `page`,
//! `per_page`, `term`, and for `channels.patch` a `patch` object with any of `name`,
//! `display_name`, `purpose`, `header`.

use confab_plugin::channels::{self, ChannelPatch};
use confab_plugin::prelude::*;
use confab_plugin::teams;
use serde_json::{Value, json};

#[derive(Default)]
struct Fixture;

/// The WIT error case of `e`, as plugins see it.
fn kind(e: &Error) -> &'static str {
    match e {
        Error::NotFound => "not-found",
        Error::PermissionDenied => "permission-denied",
        Error::InvalidInput(_) => "invalid-input",
        Error::QuotaExceeded => "quota-exceeded",
        _ => "internal",
    }
}

fn answer<T: serde::Serialize>(result: Result<T>) -> HttpResponse {
    match result {
        Ok(value) => HttpResponse::json(200, &json!({ "ok": value })),
        Err(e) => HttpResponse::json(400, &json!({ "error": kind(&e), "detail": e.to_string() })),
    }
}

/// Arguments of one call.
struct Args(Value);

impl Args {
    fn text(&self, key: &str) -> String {
        self.0[key].as_str().unwrap_or_default().to_string()
    }

    fn number(&self, key: &str) -> u32 {
        self.0[key].as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or_default()
    }

    fn texts(&self, key: &str) -> Vec<String> {
        self.0[key].as_array().map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
    }

    fn patch(&self) -> ChannelPatch {
        let field = |key: &str| self.0["patch"][key].as_str().map(str::to_string);
        ChannelPatch { name: field("name"), display_name: field("display_name"), purpose: field("purpose"), header: field("header") }
    }
}

fn call_channels(function: &str, a: &Args) -> HttpResponse {
    match function {
        "get-group" => answer(channels::get_group(&a.texts("user_ids"))),
        "get-member" => answer(channels::get_member(&a.text("channel_id"), &a.text("user_id"))),
        "list-for-team" => answer(channels::list_for_team(&a.text("team_id"), a.number("page"), a.number("per_page"))),
        "list-for-user" => answer(channels::list_for_user(&a.text("user_id"), &a.text("team_id"))),
        "patch" => answer(channels::patch(&a.text("channel_id"), &a.patch())),
        "archive" => answer(channels::archive(&a.text("channel_id"))),
        "restore" => answer(channels::restore(&a.text("channel_id"))),
        "search" => answer(channels::search(&a.text("team_id"), &a.text("term"))),
        _ => HttpResponse::not_found(),
    }
}

fn call_teams(function: &str, a: &Args) -> HttpResponse {
    match function {
        "get-member" => answer(teams::get_member(&a.text("team_id"), &a.text("user_id"))),
        "list-for-user" => answer(teams::list_for_user(&a.text("user_id"))),
        "add-member" => answer(teams::add_member(&a.text("team_id"), &a.text("user_id"))),
        "remove-member" => answer(teams::remove_member(&a.text("team_id"), &a.text("user_id"))),
        _ => HttpResponse::not_found(),
    }
}

#[plugin]
impl Plugin for Fixture {
    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        if (request.method.as_str(), request.path.as_str()) != ("POST", "/call") {
            return HttpResponse::not_found();
        }
        let args = Args(serde_json::from_slice(&request.body).unwrap_or_default());
        let name = args.text("fn");
        match name.split_once('.') {
            Some(("channels", function)) => call_channels(function, &args),
            Some(("teams", function)) => call_teams(function, &args),
            _ => HttpResponse::not_found(),
        }
    }
}
