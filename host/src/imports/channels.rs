//! `channels`: `channels:read` for lookups and member lists, `channels:write` for changes and direct channels.

use super::WitResult;
use crate::bindings::confab::plugin::channels::Host;
use crate::bindings::types::{Channel, ChannelMember, Error};
use crate::capabilities::Capability;
use crate::state::HostState;

impl Host for HostState {
    async fn get(&mut self, channel_id: String) -> wasmtime::Result<WitResult<Channel>> {
        if let Err(e) = self.require(Capability::ChannelsRead) {
            return Ok(Err(e));
        }
        Ok(self.api.get_channel(self.plugin_id(), &channel_id).await.map(Into::into).map_err(Error::from))
    }

    async fn get_by_name(&mut self, team_id: String, name: String) -> wasmtime::Result<WitResult<Channel>> {
        if let Err(e) = self.require(Capability::ChannelsRead) {
            return Ok(Err(e));
        }
        Ok(self.api.get_channel_by_name(self.plugin_id(), &team_id, &name).await.map(Into::into).map_err(Error::from))
    }

    async fn create(&mut self, channel: Channel) -> wasmtime::Result<WitResult<Channel>> {
        if let Err(e) = self.require(Capability::ChannelsWrite) {
            return Ok(Err(e));
        }
        if !matches!(channel.type_.as_str(), "O" | "P") {
            return Ok(Err(Error::InvalidInput("type must be O (public) or P (private)".into())));
        }
        Ok(self.api.create_channel(self.plugin_id(), channel.into()).await.map(Into::into).map_err(Error::from))
    }

    async fn get_direct(&mut self, user_a: String, user_b: String) -> wasmtime::Result<WitResult<Channel>> {
        if let Err(e) = self.require(Capability::ChannelsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.get_direct_channel(self.plugin_id(), &user_a, &user_b).await.map(Into::into).map_err(Error::from))
    }

    async fn add_member(&mut self, channel_id: String, user_id: String) -> wasmtime::Result<WitResult<ChannelMember>> {
        if let Err(e) = self.require(Capability::ChannelsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.add_channel_member(self.plugin_id(), &channel_id, &user_id).await.map(Into::into).map_err(Error::from))
    }

    async fn remove_member(&mut self, channel_id: String, user_id: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::ChannelsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.remove_channel_member(self.plugin_id(), &channel_id, &user_id).await.map_err(Error::from))
    }

    async fn list_members(&mut self, channel_id: String, page: u32, per_page: u32) -> wasmtime::Result<WitResult<Vec<ChannelMember>>> {
        if let Err(e) = self.require(Capability::ChannelsRead) {
            return Ok(Err(e));
        }
        if per_page == 0 || per_page > 200 {
            return Ok(Err(Error::InvalidInput("per-page must be 1 to 200".into())));
        }
        let members = self.api.list_channel_members(self.plugin_id(), &channel_id, page, per_page).await;
        Ok(members.map(|m| m.into_iter().map(Into::into).collect()).map_err(Error::from))
    }
}
