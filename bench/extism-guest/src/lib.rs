//! The word-filter as an Extism plugin (B1's and B2's peer (d)): `message_will_be_posted` takes the hook's arguments as JSON and answers the word-filter's decision as JSON.
//!
//! The filter is the example plugin's own source and the JSON shapes are the bench's
//! (`bench/src/peers/wire.rs`), so (d) does the work the component does, over JSON
//! instead of the canonical ABI.

use std::sync::OnceLock;

use extism_pdk::{FnResult, Json, config, plugin_fn};

#[path = "../../../example-plugins/word-filter/src/filter.rs"]
#[allow(dead_code)]
mod filter;
#[path = "../../src/peers/wire.rs"]
#[allow(dead_code)]
mod wire;

use filter::Filter;
use wire::{Context, Hook, Post, Reply};

/// Parsed once per instance from the Extism config (the keys of the word-filter's
/// settings), as the component parses its settings once in `configuration-changed`.
static FILTER: OnceLock<Filter> = OnceLock::new();

fn filter() -> FnResult<&'static Filter> {
    if let Some(filter) = FILTER.get() {
        return Ok(filter);
    }
    let mut settings = serde_json::Map::new();
    for key in ["replacements", "blocked_phrases"] {
        if let Some(value) = config::get(key)? {
            settings.insert(key.into(), value.into());
        }
    }
    Ok(FILTER.get_or_init(|| wire::filter_from_settings(&settings.into())))
}

/// Mattermost's `MessageWillBePosted`: the post unchanged, replaced, or rejected.
#[plugin_fn]
pub fn message_will_be_posted(Json(hook): Json<Hook<Context, Post>>) -> FnResult<Json<Reply<Post>>> {
    Ok(Json(wire::decide(filter()?, hook.post)))
}
