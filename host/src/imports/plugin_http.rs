//! `plugin-http`: call another plugin's `serve-http` in process (Mattermost's `PluginHTTP`); capability `plugin:<target-id>`, a depth limit on call chains.
//!
//! The host names the caller (`Mattermost-Plugin-ID`) and drops any
//! `Mattermost-User-Id` the caller wrote: the target must be able to trust both, as
//! it trusts them on a client's request. The chain of plugins a call passed through
//! travels with it (each instance knows the chain that called it), so the depth limit
//! holds across A → B → A cycles, and the host can tell a target already in the chain
//! (whose instances the chain itself may hold) from any other.

use super::WitResult;
use crate::bindings::confab::plugin::plugin_http::Host;
use crate::bindings::types::{Error, HttpRequest, HttpResponse};
use crate::capabilities::Capability;
use crate::state::HostState;

/// The most calls one chain may nest (A → B → A → B is four).
pub const MAX_PLUGIN_CALL_DEPTH: usize = 4;

/// Headers only the host sets on an inter-plugin request.
const HOST_SET_HEADERS: &[&str] = &["mattermost-plugin-id", "mattermost-user-id"];

impl Host for HostState {
    async fn call(&mut self, plugin_id: String, request: HttpRequest) -> wasmtime::Result<WitResult<HttpResponse>> {
        if let Err(e) = self.require(Capability::Plugin(plugin_id.clone())) {
            return Ok(Err(e));
        }
        let chain = self.callers.then(self.plugin_id());
        if chain.depth() > MAX_PLUGIN_CALL_DEPTH {
            tracing::warn!(plugin_id = %self.plugin_id(), target = %plugin_id, chain = %chain, "plugin call chain too deep; refused");
            return Ok(Err(Error::QuotaExceeded));
        }
        let mut request: crate::types::HttpRequest = request.into();
        if !request.path.starts_with('/') {
            request.path.insert(0, '/');
        }
        request.headers.retain(|(name, _)| !HOST_SET_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)));
        request.headers.push(("mattermost-plugin-id".into(), self.plugin_id().to_string()));
        Ok(self.api.call_plugin(&chain, &plugin_id, request).await.map(Into::into).map_err(Error::from))
    }
}
