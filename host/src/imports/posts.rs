//! `posts`: `posts:read` for reading posts, threads, channel histories and reactions, `posts:write` for everything that changes a post or what a user is shown.

use super::WitResult;
use crate::bindings::confab::plugin::posts::Host;
use crate::bindings::types::{Error, Post, Reaction};
use crate::capabilities::Capability;
use crate::server_api::ApiResult;
use crate::state::HostState;

/// The WIT list of a list of plain posts.
fn post_list(posts: ApiResult<Vec<crate::types::Post>>) -> WitResult<Vec<Post>> {
    posts.map(|ps| ps.into_iter().map(Into::into).collect()).map_err(Error::from)
}

impl Host for HostState {
    async fn create(&mut self, post: Post) -> wasmtime::Result<WitResult<Post>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.create_post(self.plugin_id(), post.into()).await.map(Into::into).map_err(Error::from))
    }

    async fn get(&mut self, post_id: String) -> wasmtime::Result<WitResult<Post>> {
        if let Err(e) = self.require(Capability::PostsRead) {
            return Ok(Err(e));
        }
        Ok(self.api.get_post(self.plugin_id(), &post_id).await.map(Into::into).map_err(Error::from))
    }

    async fn update(&mut self, post: Post) -> wasmtime::Result<WitResult<Post>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.update_post(self.plugin_id(), post.into()).await.map(Into::into).map_err(Error::from))
    }

    async fn delete(&mut self, post_id: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.delete_post(self.plugin_id(), &post_id).await.map_err(Error::from))
    }

    async fn send_ephemeral(&mut self, user_id: String, post: Post) -> wasmtime::Result<WitResult<Post>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.send_ephemeral_post(self.plugin_id(), &user_id, post.into()).await.map(Into::into).map_err(Error::from))
    }

    async fn update_ephemeral(&mut self, user_id: String, post: Post) -> wasmtime::Result<WitResult<Post>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.update_ephemeral_post(self.plugin_id(), &user_id, post.into()).await.map(Into::into).map_err(Error::from))
    }

    async fn delete_ephemeral(&mut self, user_id: String, post_id: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.delete_ephemeral_post(self.plugin_id(), &user_id, &post_id).await.map_err(Error::from))
    }

    async fn get_thread(&mut self, post_id: String) -> wasmtime::Result<WitResult<Vec<Post>>> {
        if let Err(e) = self.require(Capability::PostsRead) {
            return Ok(Err(e));
        }
        Ok(post_list(self.api.get_post_thread(self.plugin_id(), &post_id).await))
    }

    async fn get_for_channel(&mut self, channel_id: String, page: u32, per_page: u32) -> wasmtime::Result<WitResult<Vec<Post>>> {
        if let Err(e) = self.require(Capability::PostsRead) {
            return Ok(Err(e));
        }
        Ok(post_list(self.api.get_channel_posts(self.plugin_id(), &channel_id, page, per_page).await))
    }

    async fn get_since(&mut self, channel_id: String, since: i64) -> wasmtime::Result<WitResult<Vec<Post>>> {
        if let Err(e) = self.require(Capability::PostsRead) {
            return Ok(Err(e));
        }
        Ok(post_list(self.api.get_channel_posts_since(self.plugin_id(), &channel_id, since).await))
    }

    async fn pin(&mut self, post_id: String) -> wasmtime::Result<WitResult<Post>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.set_post_pinned(self.plugin_id(), &post_id, true).await.map(Into::into).map_err(Error::from))
    }

    async fn unpin(&mut self, post_id: String) -> wasmtime::Result<WitResult<Post>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.set_post_pinned(self.plugin_id(), &post_id, false).await.map(Into::into).map_err(Error::from))
    }

    async fn add_reaction(&mut self, reaction: Reaction) -> wasmtime::Result<WitResult<Reaction>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.add_reaction(self.plugin_id(), reaction.into()).await.map(Into::into).map_err(Error::from))
    }

    async fn remove_reaction(&mut self, user_id: String, post_id: String, emoji_name: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::PostsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.remove_reaction(self.plugin_id(), &user_id, &post_id, &emoji_name).await.map_err(Error::from))
    }

    async fn list_reactions(&mut self, post_id: String) -> wasmtime::Result<WitResult<Vec<Reaction>>> {
        if let Err(e) = self.require(Capability::PostsRead) {
            return Ok(Err(e));
        }
        let reactions = self.api.list_reactions(self.plugin_id(), &post_id).await;
        Ok(reactions.map(|rs| rs.into_iter().map(Into::into).collect()).map_err(Error::from))
    }
}
