//! Fixture `fx-api-users-posts`: the `users` and `posts` host functions, each behind a `serve-http` route, so tests call them through a compiled component.
//!
//! Every route is `POST /<interface>/<function>` with a JSON object of arguments (named
//! as in the WIT, snake_case) and answers 200 with the function's result as JSON, or
//! 400 with `{"error": "<text>"}` when the host refused (e.g. `permission denied`).
//! `posts.rs` and `users.rs` hold the routes of each interface.

mod posts;
mod users;

use confab_plugin::prelude::*;
use serde_json::Value;

#[derive(Default)]
struct Fixture;

/// A host call's answer as an HTTP response.
fn answer<T: serde::Serialize>(result: confab_plugin::Result<T>) -> HttpResponse {
    match result {
        Ok(value) => HttpResponse::json(200, &value),
        Err(e) => HttpResponse::json(400, &serde_json::json!({ "error": e.to_string() })),
    }
}

/// String argument `key` of `args` (empty when absent).
fn text(args: &Value, key: &str) -> String {
    args[key].as_str().unwrap_or_default().to_owned()
}

/// Number argument `key` of `args` (0 when absent).
fn number(args: &Value, key: &str) -> i64 {
    args[key].as_i64().unwrap_or_default()
}

#[plugin]
impl Plugin for Fixture {
    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        let args: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        if request.method != "POST" {
            return HttpResponse::not_found();
        }
        if let Some(function) = request.path.strip_prefix("/posts/") {
            posts::call(function, &args)
        } else if let Some(function) = request.path.strip_prefix("/users/") {
            users::call(function, &args)
        } else {
            HttpResponse::not_found()
        }
    }
}
