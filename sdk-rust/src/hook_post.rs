//! The post a message hook runs for, read lazily from the host (`hook-post` interface), and the verdict a will-hook returns.
//!
//! The host lends the post for the length of the hook call instead of passing it: a
//! field crosses into the plugin only when the plugin asks for it, and then once (each
//! answer is kept in the `HookPost`). A word filter that reads only `message` pays for
//! one string, not for every field of the post and its context.

use std::cell::OnceCell;

use crate::bindings::confab::plugin::hook_post as wit;
pub use crate::bindings::confab::plugin::hook_post::{PostChange, PostVerdict};
use crate::types::{PluginContext, Post};

/// Which post a [`HookPost`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The post the hook is about (for an edit, the new version), field by field.
    Lent,
    /// The stored version before an edit, read whole with `old-post`.
    Old,
    /// Given in full (tests, or a copy the plugin made): no host call at all.
    Given,
}

/// A post lent to a message hook. Each accessor asks the host once and keeps the
/// answer; [`HookPost::whole`] fetches every field at once when a plugin needs most.
#[derive(Debug)]
pub struct HookPost {
    source: Source,
    whole: OnceCell<Post>,
    message: OnceCell<String>,
    id: OnceCell<String>,
    user_id: OnceCell<String>,
    channel_id: OnceCell<String>,
    root_id: OnceCell<String>,
    kind: OnceCell<String>,
    props: OnceCell<String>,
    file_ids: OnceCell<Vec<String>>,
    metadata: OnceCell<String>,
    context: OnceCell<PluginContext>,
    connection_id: OnceCell<String>,
}

impl HookPost {
    fn with_source(source: Source) -> HookPost {
        HookPost {
            source,
            whole: OnceCell::new(),
            message: OnceCell::new(),
            id: OnceCell::new(),
            user_id: OnceCell::new(),
            channel_id: OnceCell::new(),
            root_id: OnceCell::new(),
            kind: OnceCell::new(),
            props: OnceCell::new(),
            file_ids: OnceCell::new(),
            metadata: OnceCell::new(),
            context: OnceCell::new(),
            connection_id: OnceCell::new(),
        }
    }

    /// The post the running hook is about. Used by the code `#[plugin]` generates.
    #[doc(hidden)]
    pub fn lent() -> HookPost {
        HookPost::with_source(Source::Lent)
    }

    /// The stored version an edit replaces. Used by the code `#[plugin]` generates.
    #[doc(hidden)]
    pub fn lent_old() -> HookPost {
        HookPost::with_source(Source::Old)
    }

    /// A `HookPost` over a post you have (unit tests of hook logic on the host, where
    /// there is no host to ask): `file_ids` empty, `metadata` `{}`, default context.
    pub fn from_post(post: Post) -> HookPost {
        let given = HookPost::with_source(Source::Given);
        let _ = given.whole.set(post);
        let _ = given.file_ids.set(Vec::new());
        let _ = given.metadata.set("{}".to_owned());
        let _ = given.context.set(PluginContext::default());
        let _ = given.connection_id.set(String::new());
        given
    }

    /// Every field at once (one host call, then kept).
    pub fn whole(&self) -> &Post {
        self.whole.get_or_init(|| match self.source {
            Source::Old => wit::old_post().unwrap_or_default(),
            Source::Lent | Source::Given => wit::whole(),
        })
    }

    /// A field: from the whole post when it was fetched (or is the only way to read
    /// it), else its own host call.
    fn field<'a>(&'a self, cell: &'a OnceCell<String>, fetch: fn() -> String, pick: fn(&Post) -> &String) -> &'a str {
        if let Some(post) = self.whole.get() {
            return pick(post);
        }
        match self.source {
            Source::Lent => cell.get_or_init(fetch),
            Source::Old | Source::Given => pick(self.whole()),
        }
    }

    /// The Markdown text (for an edit's new version, the new text).
    pub fn message(&self) -> &str {
        self.field(&self.message, wit::message, |p| &p.message)
    }

    /// The post id; empty in `message_will_be_posted` (not stored yet).
    pub fn id(&self) -> &str {
        self.field(&self.id, wit::id, |p| &p.id)
    }

    /// The author.
    pub fn user_id(&self) -> &str {
        self.field(&self.user_id, wit::user_id, |p| &p.user_id)
    }

    /// The channel.
    pub fn channel_id(&self) -> &str {
        self.field(&self.channel_id, wit::channel_id, |p| &p.channel_id)
    }

    /// The thread root; empty for a root post.
    pub fn root_id(&self) -> &str {
        self.field(&self.root_id, wit::root_id, |p| &p.root_id)
    }

    /// The thread this post belongs to: its root, or itself when it is a root.
    pub fn thread_id(&self) -> &str {
        let root = self.root_id();
        if root.is_empty() { self.id() } else { root }
    }

    /// The post type (`""`, `slack_attachment`, `system_*`, `custom_*`).
    pub fn kind(&self) -> &str {
        self.field(&self.kind, wit::type_, |p| &p.type_)
    }

    /// Mattermost `props` as a JSON object.
    pub fn props(&self) -> &str {
        self.field(&self.props, wit::props, |p| &p.props)
    }

    /// Ids of the attached files (Mattermost `file_ids`). The old version of an edit
    /// has the same files as the new one, so this reads the lent post's.
    pub fn file_ids(&self) -> &[String] {
        self.file_ids.get_or_init(wit::file_ids)
    }

    /// Mattermost `metadata` as a JSON object (`{}` when there is none).
    pub fn metadata(&self) -> &str {
        self.metadata.get_or_init(wit::metadata)
    }

    /// The request the hook runs for (Mattermost `plugin.Context`).
    pub fn context(&self) -> &PluginContext {
        self.context.get_or_init(wit::context)
    }

    /// The WebSocket connection the request came from (Mattermost's `Connection-Id`
    /// header); empty when there was none.
    pub fn connection_id(&self) -> &str {
        self.connection_id.get_or_init(wit::connection_id)
    }
}

impl PostVerdict {
    /// Let the post through with `message` as its text.
    pub fn message(message: impl Into<String>) -> PostVerdict {
        PostVerdict::Change(PostChange { message: Some(message.into()), ..PostChange::default() })
    }

    /// Refuse the post, telling the author why.
    pub fn reject(reason: impl Into<String>) -> PostVerdict {
        PostVerdict::Reject(reason.into())
    }
}

impl Default for PostChange {
    /// Changes nothing.
    fn default() -> PostChange {
        PostChange { message: None, type_: None, props: None, file_ids: None, is_pinned: None }
    }
}
