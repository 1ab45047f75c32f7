//! `posts`: `posts:read` for get, `posts:write` for everything that changes a post.

use super::WitResult;
use crate::bindings::confab::plugin::posts::Host;
use crate::bindings::types::{Error, Post};
use crate::capabilities::Capability;
use crate::state::HostState;

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
}
