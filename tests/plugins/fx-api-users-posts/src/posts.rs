//! The `posts` routes: `POST /posts/<function>`.

use confab_plugin::posts;
use confab_plugin::prelude::*;
use serde_json::Value;

use crate::{answer, number, text};

/// The post an argument object describes (`id`, `channel_id`, `message`, `props`).
fn post(args: &Value) -> Post {
    let mut post = Post::new(text(args, "channel_id"), text(args, "message"));
    post.id = text(args, "id");
    if let Some(props) = args.get("props") {
        post.props = props.to_string();
    }
    post
}

/// Run `function` with `args`.
pub(crate) fn call(function: &str, args: &Value) -> HttpResponse {
    let page = |key: &str| u32::try_from(number(args, key)).unwrap_or_default();
    match function {
        "get" => answer(posts::get(&text(args, "post_id"))),
        "send_ephemeral" => answer(posts::send_ephemeral(&text(args, "user_id"), &post(args))),
        "update_ephemeral" => answer(posts::update_ephemeral(&text(args, "user_id"), &post(args))),
        "delete_ephemeral" => answer(posts::delete_ephemeral(&text(args, "user_id"), &text(args, "post_id"))),
        "get_thread" => answer(posts::get_thread(&text(args, "post_id"))),
        "get_for_channel" => answer(posts::get_for_channel(&text(args, "channel_id"), page("page"), page("per_page"))),
        "get_since" => answer(posts::get_since(&text(args, "channel_id"), number(args, "since"))),
        "pin" => answer(posts::pin(&text(args, "post_id"))),
        "unpin" => answer(posts::unpin(&text(args, "post_id"))),
        "add_reaction" => answer(posts::add_reaction(&text(args, "user_id"), &text(args, "post_id"), &text(args, "emoji_name"))),
        "remove_reaction" => answer(posts::remove_reaction(&text(args, "user_id"), &text(args, "post_id"), &text(args, "emoji_name"))),
        "list_reactions" => answer(posts::list_reactions(&text(args, "post_id"))),
        _ => HttpResponse::not_found(),
    }
}
