//! The bridge's posts calls beyond create/get/update/delete: ephemeral updates and withdrawals, threads, channel histories, pinning and reactions, each through the same use case as its REST route.

use confab_host::ApiResult;
use confab_host::types::{Post, Reaction};

use super::{PluginBridge, paging, run};
use crate::domain::PostList;
use crate::service::posts::PostEdit;
use crate::service::{Caller, convert};
use crate::store::PostQuery;

/// A Mattermost post list as plugin posts, in its order (newest first).
fn in_order(mut list: PostList) -> Vec<Post> {
    list.order.iter().filter_map(|id| list.posts.remove(id)).map(|p| convert::post_to_plugin(&p)).collect()
}

impl PluginBridge {
    pub(super) async fn bridge_update_ephemeral(&self, user_id: &str, post: Post) -> ApiResult<Post> {
        run(self.services()?.posts().update_ephemeral_post(user_id, convert::post_from_plugin(post)).await).map(|p| convert::post_to_plugin(&p))
    }

    pub(super) async fn bridge_delete_ephemeral(&self, user_id: &str, post_id: &str) -> ApiResult<()> {
        run(self.services()?.posts().delete_ephemeral_post(user_id, post_id).await)
    }

    pub(super) async fn bridge_thread(&self, plugin_id: &str, post_id: &str) -> ApiResult<Vec<Post>> {
        run(self.services()?.posts().get_thread(&Caller::plugin(plugin_id), post_id).await).map(in_order)
    }

    /// A page of the channel (`since` = `None`), or what changed in it after `since`.
    pub(super) async fn bridge_channel_posts(&self, plugin_id: &str, channel_id: &str, page: (u32, u32), since: Option<i64>) -> ApiResult<Vec<Post>> {
        let query = match since {
            Some(since) => PostQuery::Since(since),
            None => PostQuery::Page(paging(page.0, page.1)),
        };
        run(self.services()?.posts().channel_posts(&Caller::plugin(plugin_id), channel_id, query).await).map(in_order)
    }

    /// `POST /posts/{id}/pin` and `/unpin` as Mattermost does them: an edit of the
    /// pinned flag alone, so update hooks and `post_edited` follow.
    pub(super) async fn bridge_set_pinned(&self, plugin_id: &str, post_id: &str, pinned: bool) -> ApiResult<Post> {
        let edit = PostEdit { is_pinned: Some(pinned), ..PostEdit::default() };
        run(self.services()?.posts().update_post(&Caller::plugin(plugin_id), post_id, edit).await).map(|p| convert::post_to_plugin(&p))
    }

    pub(super) async fn bridge_add_reaction(&self, plugin_id: &str, reaction: Reaction) -> ApiResult<Reaction> {
        let reaction = crate::domain::Reaction { user_id: reaction.user_id, post_id: reaction.post_id, emoji_name: reaction.emoji_name, create_at: 0 };
        run(self.services()?.posts().save_reaction(&Caller::plugin(plugin_id), reaction).await).map(|r| convert::reaction_to_plugin(&r))
    }

    pub(super) async fn bridge_remove_reaction(&self, plugin_id: &str, user_id: &str, post_id: &str, emoji_name: &str) -> ApiResult<()> {
        run(self.services()?.posts().delete_reaction(&Caller::plugin(plugin_id), user_id, post_id, emoji_name).await)
    }

    pub(super) async fn bridge_reactions(&self, plugin_id: &str, post_id: &str) -> ApiResult<Vec<Reaction>> {
        run(self.services()?.posts().list_reactions(&Caller::plugin(plugin_id), post_id).await).map(|rs| rs.iter().map(convert::reaction_to_plugin).collect())
    }
}
