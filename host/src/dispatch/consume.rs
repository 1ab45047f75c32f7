//! `messages-will-be-consumed`: the posts of a read or a WebSocket event, passed through every consuming plugin before a client sees them.
//!
//! The read path checks [`PluginHost::has_family`] first, so a server with no consuming
//! plugin neither converts nor allocates. A plugin may only keep, change or drop posts
//! it was given: what it returns is matched to the input by id, and anything else is
//! ignored, so it cannot inject posts from elsewhere.

use std::collections::HashSet;

use crate::bindings::types as wit;
use crate::error::CallError;
use crate::families::HookFamily;
use crate::host::PluginHost;
use crate::types::Post;

impl PluginHost {
    /// Whether reads must go through [`PluginHost::messages_will_be_consumed`].
    pub fn has_consumers(&self) -> bool {
        self.has_family(HookFamily::Consume)
    }

    /// Run `messages-will-be-consumed` over every consuming plugin in plugin-id order,
    /// each seeing the previous one's result. Returns the posts to send, in the order
    /// the last plugin returned them. A failing plugin leaves the posts as they were
    /// (fail-open), unless its limits say `fail_closed`: then nothing is sent.
    pub async fn messages_will_be_consumed(&self, posts: Vec<Post>) -> Vec<Post> {
        if posts.is_empty() || !self.has_consumers() {
            return posts;
        }
        let mut current: Vec<wit::Post> = posts.into_iter().map(Into::into).collect();
        // Borrowed from one snapshot: the chain runs on the request path.
        let snapshot = self.snapshot();
        for runtime in snapshot.iter().filter(|r| r.exports(HookFamily::Consume)) {
            let result = runtime
                .call("messages-will-be-consumed", &current, |inst, posts| {
                    Box::pin(async move {
                        inst.exports.consume.as_ref().expect("exports consume-hooks").call_messages_will_be_consumed(&mut inst.store, posts).await
                    })
                })
                .await;
            match result {
                Ok(returned) => current = known_only(&current, returned),
                Err(CallError::NotRunning { .. }) => {}
                Err(_) if runtime.limits.fail_closed => return Vec::new(),
                Err(_) => {}
            }
            if current.is_empty() {
                break;
            }
        }
        current.into_iter().map(Into::into).collect()
    }
}

/// The posts of `returned` whose id was given, each at most once.
fn known_only(given: &[wit::Post], returned: Vec<wit::Post>) -> Vec<wit::Post> {
    let mut allowed: HashSet<&str> = given.iter().map(|p| p.id.as_str()).collect();
    let mut kept = Vec::with_capacity(returned.len());
    for post in returned {
        if allowed.remove(post.id.as_str()) {
            kept.push(post);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: &str) -> wit::Post {
        wit::Post {
            id: id.into(),
            create_at: 0,
            update_at: 0,
            edit_at: 0,
            delete_at: 0,
            user_id: String::new(),
            channel_id: String::new(),
            root_id: String::new(),
            message: String::new(),
            type_: String::new(),
            props: "{}".into(),
            is_pinned: false,
        }
    }

    #[test]
    fn only_given_posts_come_back_and_each_once() {
        let given = vec![post("a"), post("b")];
        let kept = known_only(&given, vec![post("b"), post("x"), post("b"), post("a")]);
        let ids: Vec<&str> = kept.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["b", "a"]);
    }
}
