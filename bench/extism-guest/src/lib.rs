//! Peer (d) of B1 and B2: example-plugins/word-filter's filter as an Extism plugin. `message_will_be_posted` takes the hook's context and post as JSON and answers a will-result as JSON; the settings come from the Extism manifest's config, parsed once per instance as the component parses them once per `configuration-changed`.

use std::sync::OnceLock;

use extism_pdk::{FnResult, config, plugin_fn};

#[path = "../../../example-plugins/word-filter/src/filter.rs"]
#[allow(dead_code)]
mod filter;
#[path = "../../src/peers/wire.rs"]
#[allow(dead_code)]
mod wire;

use filter::{Filter, Verdict};
use wire::{HookArgs, PluginContext, Post, Settings, WillResult};

/// The parsed settings: this instance's state, like the component's `RefCell<Filter>`.
static FILTER: OnceLock<Filter> = OnceLock::new();

fn filter() -> FnResult<&'static Filter> {
    if let Some(filter) = FILTER.get() {
        return Ok(filter);
    }
    let settings: Settings = serde_json::from_str(&config::get("settings")?.unwrap_or_else(|| "{}".into()))?;
    Ok(FILTER.get_or_init(|| Filter::new(&settings.replacements, &settings.blocked_phrases).0))
}

/// The hook: JSON in, JSON out, the same decision as the component's `decide`.
#[plugin_fn]
pub fn message_will_be_posted(input: Vec<u8>) -> FnResult<Vec<u8>> {
    let args: HookArgs<PluginContext, Post> = serde_json::from_slice(&input)?;
    let result = match filter()?.check(&args.post.message) {
        Verdict::Unchanged => WillResult::Allow,
        Verdict::Replaced(message) => WillResult::Replace { post: Post { message, ..args.post } },
        Verdict::Blocked(phrase) => WillResult::Reject { reason: format!("Your message was not posted: it contains the blocked phrase \"{phrase}\".") },
    };
    Ok(serde_json::to_vec(&result)?)
}
