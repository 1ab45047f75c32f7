//! The wit-bindgen import bindings, generated from `wit/` and kept private.
//!
//! Only the `host-api` world (imports) is generated here. Exports depend on which hooks
//! a plugin implements, so `#[confab_plugin::plugin]` generates them in the plugin crate
//! and points the shared `types` interface back at this module.

#![allow(clippy::all, missing_docs)]

wit_bindgen::generate!({
    path: "../wit",
    world: "host-api",
    // `will-result`, `command-args`, `http-request`... are used only by hooks, which
    // this world does not export; without this they would not be generated here and
    // every plugin crate would grow its own, incompatible copies.
    generate_unused_types: true,
    // Equality for tests and `assert_eq!`; serde so records can go to KV or HTTP as
    // JSON with Mattermost's field names.
    additional_derives: [PartialEq, Eq, serde::Serialize, serde::Deserialize],
    additional_member_attributes: {
        "confab:plugin/types@0.2.0/post.type": [#[serde(rename = "type")]],
        "confab:plugin/types@0.2.0/channel.type": [#[serde(rename = "type")]],
        "confab:plugin/types@0.2.0/team.type": [#[serde(rename = "type")]],
        "confab:plugin/types@0.2.0/command-response.type": [#[serde(rename = "type")]],
    },
});
