//! A runtime's lifecycle calls: activation (first instance, settings, `activate`, the other warm instances), settings changes delivered to every instance, and deactivation.
//!
//! These calls are not paced: they belong to a load, not to the request path.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{Budget, HookFuture, Instance, Invocation, PluginRuntime};
use crate::deadline::Pacing;
use crate::error::{FailureKind, LoadError};
use crate::families::HookFamily;
use crate::status::PluginState;

impl PluginRuntime {
    /// Mark settings as changed; every instance runs `configuration-changed` before its
    /// next hook, and idle ones are refreshed now so the change takes effect at once.
    pub(crate) async fn configuration_changed(&self) {
        self.config_generation.fetch_add(1, Ordering::SeqCst);
        let idle: Vec<Instance> = std::mem::take(&mut *self.idle.lock().unwrap());
        for mut instance in idle {
            if self.refresh_config(&mut instance).await.is_ok() {
                self.idle.lock().unwrap().push(instance);
            } else {
                self.retire(instance);
            }
        }
    }

    /// Activate this version: create the first instance, deliver settings, call `activate`.
    pub(crate) async fn activate(&self) -> Result<(), LoadError> {
        let fail = |reason: String| LoadError::Activate { plugin_id: self.id().to_string(), reason };
        let permit = self.permits.clone().acquire_owned().await.map_err(|_| fail("plugin is shutting down".into()))?;
        let mut instance = self.create_instance().await.map_err(|(_, detail)| fail(detail))?;
        if let Err((kind, detail)) = self.refresh_config(&mut instance).await {
            self.retire(instance);
            return Err(fail(format!("configuration-changed failed ({kind}): {detail}")));
        }
        if instance.exports.lifecycle.is_some() {
            let outcome = self
                .call_lifecycle(&mut instance, "activate", |inst| {
                    Box::pin(async move { inst.exports.lifecycle.as_ref().expect("checked").call_activate(&mut inst.store).await })
                })
                .await;
            match outcome.result {
                Ok(Ok(())) => {}
                Ok(Err(reason)) => {
                    self.retire(instance);
                    return Err(fail(reason));
                }
                Err((kind, detail)) => {
                    self.retire(instance);
                    return Err(fail(format!("{kind}: {detail}")));
                }
            }
        }
        self.idle.lock().unwrap().push(instance);
        drop(permit);
        // Side effects of `activate` happen once per activation; the other warm
        // instances only get their settings.
        for _ in 1..self.limits.warm_instances {
            let mut instance = self.create_instance().await.map_err(|(kind, detail)| fail(format!("warm instance: {kind}: {detail}")))?;
            if let Err((kind, detail)) = self.refresh_config(&mut instance).await {
                self.retire(instance);
                return Err(fail(format!("configuration-changed failed on a warm instance ({kind}): {detail}")));
            }
            self.idle.lock().unwrap().push(instance);
        }
        self.set_state(PluginState::Running, "");
        Ok(())
    }

    /// Stop serving: wait (bounded) for in-flight calls, call `deactivate` once, drop
    /// every instance.
    pub(crate) async fn deactivate(&self, grace: Duration) {
        let was_running = self.state() == PluginState::Running;
        self.set_state(PluginState::Stopping, "");
        let all = u32::try_from(self.limits.instances).unwrap_or(u32::MAX);
        let drained = tokio::time::timeout(grace, self.permits.clone().acquire_many_owned(all)).await;
        if drained.is_err() {
            tracing::warn!(plugin_id = %self.id(), "in-flight calls did not finish within {grace:?}; deactivating anyway");
        }
        if was_running && self.exports(HookFamily::Lifecycle) {
            let instance = self.idle.lock().unwrap().pop();
            let instance = match instance {
                Some(i) => Ok(i),
                None => self.create_instance().await,
            };
            if let Ok(mut instance) = instance {
                let outcome = self
                    .call_lifecycle(&mut instance, "deactivate", |inst| {
                        Box::pin(async move { inst.exports.lifecycle.as_ref().expect("checked").call_deactivate(&mut inst.store).await })
                    })
                    .await;
                if let Err((kind, detail)) = outcome.result {
                    tracing::warn!(plugin_id = %self.id(), %kind, %detail, "deactivate failed");
                }
                self.retire(instance);
            }
        }
        let idle: Vec<Instance> = std::mem::take(&mut *self.idle.lock().unwrap());
        for instance in idle {
            self.retire(instance);
        }
        self.permits.close();
        self.set_state(PluginState::NotRunning, "");
    }

    /// Call one lifecycle export on `instance` unpaced under the hook budget, and record it.
    async fn call_lifecycle<R>(
        &self,
        instance: &mut Instance,
        hook: &'static str,
        f: impl for<'a> FnOnce(&'a mut Instance) -> HookFuture<'a, R>,
    ) -> Invocation<R> {
        let started = Instant::now();
        let outcome = self.invoke(instance, hook, Budget::hook(&self.limits), Pacing::UNPACED, f, started).await;
        self.metrics.record(hook, started.elapsed(), outcome.fuel, outcome.result.as_ref().err().map(|(k, _)| *k));
        outcome
    }

    /// Whether `instance` has not seen the current settings yet.
    pub(super) fn config_stale(&self, instance: &Instance) -> bool {
        instance.config_generation != self.config_generation.load(Ordering::SeqCst)
    }

    /// Deliver `configuration-changed` if this instance has not seen the current settings.
    pub(super) async fn refresh_config(&self, instance: &mut Instance) -> Result<(), (FailureKind, String)> {
        let current = self.config_generation.load(Ordering::SeqCst);
        if instance.config_generation == current {
            return Ok(());
        }
        if instance.exports.lifecycle.is_some() {
            let outcome = self
                .call_lifecycle(instance, "configuration-changed", |inst| {
                    Box::pin(async move { inst.exports.lifecycle.as_ref().expect("checked").call_configuration_changed(&mut inst.store).await })
                })
                .await;
            match outcome.result {
                Ok(Ok(())) => {}
                // The plugin handled it and said no; Mattermost only logs this.
                Ok(Err(reason)) => tracing::warn!(plugin_id = %self.id(), %reason, "configuration-changed returned an error"),
                Err(e) => return Err(e),
            }
        }
        instance.config_generation = current;
        Ok(())
    }
}
