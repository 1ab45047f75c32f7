//! `channels`: `channels:read` for lookups, listings, search and members, `channels:write` for changes and direct and group channels.

use super::WitResult;
use crate::bindings::confab::plugin::channels::{ChannelPatch, Host};
use crate::bindings::types::{Channel, ChannelMember, Error};
use crate::capabilities::Capability;
use crate::state::HostState;
use crate::types;

/// The plain patch the server takes.
fn plain_patch(patch: ChannelPatch) -> types::ChannelPatch {
    types::ChannelPatch { name: patch.name, display_name: patch.display_name, purpose: patch.purpose, header: patch.header }
}

/// `per-page` of a listing: 1 to 200, as for member lists.
fn check_per_page(per_page: u32) -> WitResult<()> {
    if per_page == 0 || per_page > 200 { Err(Error::InvalidInput("per-page must be 1 to 200".into())) } else { Ok(()) }
}

/// A list the server returned, as WIT records.
fn channels(result: crate::ApiResult<Vec<types::Channel>>) -> WitResult<Vec<Channel>> {
    result.map(|list| list.into_iter().map(Into::into).collect()).map_err(Error::from)
}

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
        if let Err(e) = check_per_page(per_page) {
            return Ok(Err(e));
        }
        let members = self.api.list_channel_members(self.plugin_id(), &channel_id, page, per_page).await;
        Ok(members.map(|m| m.into_iter().map(Into::into).collect()).map_err(Error::from))
    }

    async fn get_group(&mut self, user_ids: Vec<String>) -> wasmtime::Result<WitResult<Channel>> {
        if let Err(e) = self.require(Capability::ChannelsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.get_group_channel(self.plugin_id(), &user_ids).await.map(Into::into).map_err(Error::from))
    }

    async fn get_member(&mut self, channel_id: String, user_id: String) -> wasmtime::Result<WitResult<ChannelMember>> {
        if let Err(e) = self.require(Capability::ChannelsRead) {
            return Ok(Err(e));
        }
        Ok(self.api.get_channel_member(self.plugin_id(), &channel_id, &user_id).await.map(Into::into).map_err(Error::from))
    }

    async fn list_for_team(&mut self, team_id: String, page: u32, per_page: u32) -> wasmtime::Result<WitResult<Vec<Channel>>> {
        if let Err(e) = self.require(Capability::ChannelsRead).and_then(|()| check_per_page(per_page)) {
            return Ok(Err(e));
        }
        Ok(channels(self.api.list_team_channels(self.plugin_id(), &team_id, page, per_page).await))
    }

    async fn list_for_user(&mut self, user_id: String, team_id: String) -> wasmtime::Result<WitResult<Vec<Channel>>> {
        if let Err(e) = self.require(Capability::ChannelsRead) {
            return Ok(Err(e));
        }
        Ok(channels(self.api.list_user_channels(self.plugin_id(), &user_id, &team_id).await))
    }

    async fn patch(&mut self, channel_id: String, patch: ChannelPatch) -> wasmtime::Result<WitResult<Channel>> {
        if let Err(e) = self.require(Capability::ChannelsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.patch_channel(self.plugin_id(), &channel_id, plain_patch(patch)).await.map(Into::into).map_err(Error::from))
    }

    async fn archive(&mut self, channel_id: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::ChannelsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.archive_channel(self.plugin_id(), &channel_id).await.map_err(Error::from))
    }

    async fn restore(&mut self, channel_id: String) -> wasmtime::Result<WitResult<Channel>> {
        if let Err(e) = self.require(Capability::ChannelsWrite) {
            return Ok(Err(e));
        }
        Ok(self.api.restore_channel(self.plugin_id(), &channel_id).await.map(Into::into).map_err(Error::from))
    }

    async fn search(&mut self, team_id: String, term: String) -> wasmtime::Result<WitResult<Vec<Channel>>> {
        if let Err(e) = self.require(Capability::ChannelsRead) {
            return Ok(Err(e));
        }
        Ok(channels(self.api.search_channels(self.plugin_id(), &team_id, &term).await))
    }
}
