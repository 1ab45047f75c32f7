//! Calls from one plugin to another's `serve-http` (`plugin-http`): the target runs with the call chain in its instance, and never waits long for an instance while the chain holds some.
//!
//! Why the wait rule: the caller holds an instance of its own for the whole call. If
//! the target is already in the chain (A calls B, which calls A), the instances it
//! would wait for may be the ones this very chain holds, so waiting can only end at
//! the deadline, and the outermost call, older, would run out first and be counted
//! as the plugin's failure. So a cycle takes a free instance or fails at once with
//! `busy`. A call to a plugin not in the chain waits a little, as two chains calling
//! each other's plugins the other way round (A→B beside B→A) could otherwise hold
//! each other up to the deadline.

use std::time::Duration;

use crate::bindings::types as wit;
use crate::error::CallError;
use crate::families::HookFamily;
use crate::host::PluginHost;
use crate::runtime::Budget;
use crate::types::{HttpRequest, HttpResponse, PluginCallChain, PluginContext};

/// How long a call from another plugin waits for an instance of a target outside the chain.
pub const NESTED_INSTANCE_WAIT: Duration = Duration::from_millis(50);

impl PluginHost {
    /// Run `target`'s `serve-http` for the last plugin of `chain` (see `plugin-http`).
    pub async fn serve_plugin_http(&self, chain: &PluginCallChain, target: &str, ctx: &PluginContext, request: HttpRequest) -> Result<HttpResponse, CallError> {
        let runtime = self.runtime(target)?;
        if !runtime.exports(HookFamily::Http) {
            return Err(CallError::NotImplemented { plugin_id: target.to_string(), hook: "serve-http" });
        }
        let wait = if chain.contains(target) { Duration::ZERO } else { NESTED_INSTANCE_WAIT };
        let budget = Budget { wait, ..Budget::hook(&runtime.limits) };
        let args: (wit::PluginContext, wit::HttpRequest) = (ctx.clone().into(), request.into());
        let callers = chain.clone();
        let response = runtime
            .call_within("serve-http", budget, &args, move |inst, (ctx, request)| {
                Box::pin(async move {
                    // The chain is this call's: an instance that goes back to the pool
                    // must not carry it into a call from the server.
                    inst.store.data_mut().callers = callers;
                    let result = inst.exports.http.as_ref().expect("exports http-hooks").call_serve_http(&mut inst.store, ctx, request).await;
                    inst.store.data_mut().callers = PluginCallChain::default();
                    result
                })
            })
            .await?;
        Ok(response.into())
    }
}
