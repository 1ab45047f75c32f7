//! B1's and B2's peers: the same word-filter work as (d) an Extism plugin over JSON and (e) a plugin process answering JSON-RPC on a Unix socket, each timed from the host's side, JSON encoding and decoding included.

pub mod extism;
pub mod oop;

// The one copy of the word-filter's source in this crate (B1's native baseline), which
// `wire` names as `super::filter`.
use crate::plugin_path::filter;
#[allow(dead_code, unreachable_pub)]
pub mod wire;

use confab_host::Limits;
use confab_host::types::{PluginContext, Post};

/// What the host sends: its own context and post, serialized by reference (no copy).
type HookRef<'a> = wire::Hook<&'a PluginContext, &'a Post>;

/// What a peer decided about a post, read back into the host's own `Post`.
type HookReply = wire::Reply<Post>;

/// The limits the host path's plugins run under, given to the peers where they can hold
/// to them (see each peer).
fn limits() -> Limits {
    Limits::default()
}

/// Carry a chain of peer calls forward the way the host's chain does: a replacement
/// becomes the next link's post, a rejection ends the chain.
fn carry(post: &mut Post, reply: HookReply) -> anyhow::Result<()> {
    match reply {
        wire::Reply::Continue => Ok(()),
        wire::Reply::Replace { post: replaced } => {
            *post = replaced;
            Ok(())
        }
        wire::Reply::Reject { reason } => anyhow::bail!("a peer rejected the benchmark post: {reason}"),
    }
}
