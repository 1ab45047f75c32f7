//! Fixture `fx-consume` (`fx.consume`): exports only `consume-hooks`, and its `messages-will-be-consumed` hands back the posts it was given, so a benchmark measures what one consuming plugin costs a read and nothing else. Contract: tests/plugins/README.md.

use confab_plugin::prelude::*;

#[derive(Default)]
struct Consume;

#[plugin]
impl Plugin for Consume {
    fn messages_will_be_consumed(&self, posts: Vec<Post>) -> Vec<Post> {
        posts
    }
}
