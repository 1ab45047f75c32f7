//! `messages-will-be-consumed` on the way out: the posts of REST reads and of `posted`/`post_edited` events pass the consuming plugins, which may redact or withhold them.
//!
//! A server with no consuming plugin pays one atomic load per read
//! ([`confab_host::PluginHost::has_consumers`]) and nothing else: no conversion, no
//! allocation. A plugin sees the plugin form of each post and may change its `message`,
//! `type` and `props`; everything else a client sees (ids, times, counts, metadata)
//! stays the server's. As in Mattermost the hook has no reader: it runs once per read
//! or event, not once per receiving user.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Services, convert};
use crate::domain::{Post, PostList};

impl Services {
    /// Whether reads must pass the consuming plugins.
    fn consumers(&self) -> bool {
        self.host().is_some_and(|host| host.has_consumers())
    }

    /// The posts a client may see of `posts`, as the consuming plugins left them, in
    /// the order the last one returned them.
    pub(crate) async fn consume_posts(&self, posts: Vec<Post>) -> Vec<Post> {
        let Some(host) = self.host().filter(|_| self.consumers() && !posts.is_empty()) else { return posts };
        let plugin_posts = posts.iter().map(convert::post_to_plugin).collect();
        let consumed = host.messages_will_be_consumed(plugin_posts).await;
        let mut originals: HashMap<String, Post> = posts.into_iter().map(|p| (p.id.clone(), p)).collect();
        consumed
            .into_iter()
            .filter_map(|changed| {
                // The host only returns posts it was given, each once.
                let mut post = originals.remove(&changed.id)?;
                let changed = convert::post_from_plugin(changed);
                post.message = changed.message;
                post.kind = changed.kind;
                post.props = changed.props;
                Some(post)
            })
            .collect()
    }

    /// One post, or `None` when a plugin withholds it.
    pub(crate) async fn consume_post(&self, post: Post) -> Option<Post> {
        if !self.consumers() {
            return Some(post);
        }
        self.consume_posts(vec![post]).await.pop()
    }

    /// [`Services::consume_post`] for a post the caller keeps: borrowed back unchanged
    /// when there is no consuming plugin (events pay no copy).
    pub(crate) async fn consume_ref<'p>(&self, post: &'p Post) -> Option<Cow<'p, Post>> {
        if !self.consumers() {
            return Some(Cow::Borrowed(post));
        }
        self.consume_posts(vec![post.clone()]).await.pop().map(Cow::Owned)
    }

    /// A post list with its posts consumed: withheld posts leave `order` and `posts`.
    pub(crate) async fn consume_list(&self, mut list: PostList) -> PostList {
        if !self.consumers() || list.posts.is_empty() {
            return list;
        }
        let posts: Vec<Post> = std::mem::take(&mut list.posts).into_values().collect();
        list.posts = self.consume_posts(posts).await.into_iter().map(|p| (p.id.clone(), p)).collect();
        list.order.retain(|id| list.posts.contains_key(id));
        list
    }
}
