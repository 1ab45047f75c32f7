//! The `users` routes: `POST /users/<function>`.

use confab_plugin::prelude::*;
use confab_plugin::users::{self, UserPatch};
use serde_json::Value;

use crate::{answer, number, text};

/// An optional string argument.
fn field(args: &Value, key: &str) -> Option<String> {
    args.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Run `function` with `args`.
pub(crate) fn call(function: &str, args: &Value) -> HttpResponse {
    let count = |key: &str| u32::try_from(number(args, key)).unwrap_or_default();
    match function {
        "get_many" => {
            let ids: Vec<String> = args["user_ids"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
            answer(users::get_many(&ids))
        }
        "list_in_channel" => answer(users::list_in_channel(&text(args, "channel_id"), count("page"), count("per_page"))),
        "list_in_team" => answer(users::list_in_team(&text(args, "team_id"), count("page"), count("per_page"))),
        "search" => answer(users::search(&text(args, "term"), &text(args, "team_id"), &text(args, "channel_id"), count("limit"))),
        "get_status" => answer(users::get_status(&text(args, "user_id"))),
        "set_status" => answer(users::set_status(&text(args, "user_id"), &text(args, "status"))),
        "patch" => {
            let patch = UserPatch {
                username: field(args, "username"),
                nickname: field(args, "nickname"),
                first_name: field(args, "first_name"),
                last_name: field(args, "last_name"),
                position: field(args, "position"),
                props: args.get("props").map(Value::to_string),
            };
            answer(users::patch(&text(args, "user_id"), &patch))
        }
        "deactivate" => answer(users::deactivate(&text(args, "user_id"))),
        "reactivate" => answer(users::reactivate(&text(args, "user_id"))),
        _ => HttpResponse::not_found(),
    }
}
