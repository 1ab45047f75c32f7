//! `kv`: the plugin's own namespace; capability `kv`, keys 1–150 characters.

use super::WitResult;
use crate::bindings::confab::plugin::kv::{Host, SetOptions};
use crate::bindings::types::Error;
use crate::capabilities::Capability;
use crate::state::HostState;
use crate::types::KvSetOptions;

/// Mattermost's `KeyValueKeyMaxRunes`.
pub(crate) const MAX_KEY_CHARS: usize = 150;

fn check_key(key: &str) -> WitResult<()> {
    let n = key.chars().count();
    if n == 0 || n > MAX_KEY_CHARS {
        return Err(Error::InvalidInput(format!("key must be 1 to {MAX_KEY_CHARS} characters, got {n}")));
    }
    Ok(())
}

/// Run a KV operation after the capability and key checks.
macro_rules! kv_op {
    ($state:ident, $key:expr, $call:expr) => {{
        if let Err(e) = $state.require(Capability::Kv) {
            return Ok(Err(e));
        }
        if let Some(key) = $key {
            if let Err(e) = check_key(key) {
                return Ok(Err(e));
            }
        }
        Ok($call.map_err(Error::from))
    }};
}

impl Host for HostState {
    async fn get(&mut self, key: String) -> wasmtime::Result<WitResult<Option<Vec<u8>>>> {
        kv_op!(self, Some(&key), self.api.kv_get(self.plugin_id(), &key).await)
    }

    async fn set(&mut self, key: String, value: Vec<u8>) -> wasmtime::Result<WitResult<()>> {
        kv_op!(self, Some(&key), self.api.kv_set(self.plugin_id(), &key, value).await)
    }

    async fn set_with_options(&mut self, key: String, value: Option<Vec<u8>>, options: SetOptions) -> wasmtime::Result<WitResult<bool>> {
        if options.expire_in_seconds.is_some_and(|s| s < 0) {
            return Ok(Err(Error::InvalidInput("expire-in-seconds must not be negative".into())));
        }
        if !options.atomic && options.old_value.is_some() {
            return Ok(Err(Error::InvalidInput("old-value is only meaningful with atomic".into())));
        }
        let options = KvSetOptions { atomic: options.atomic, old_value: options.old_value, expire_in_seconds: options.expire_in_seconds };
        kv_op!(self, Some(&key), self.api.kv_set_with_options(self.plugin_id(), &key, value, options).await)
    }

    async fn delete(&mut self, key: String) -> wasmtime::Result<WitResult<()>> {
        kv_op!(self, Some(&key), self.api.kv_delete(self.plugin_id(), &key).await)
    }

    async fn list_keys(&mut self, page: u32, per_page: u32) -> wasmtime::Result<WitResult<Vec<String>>> {
        if per_page == 0 || per_page > 1000 {
            return Ok(Err(Error::InvalidInput("per-page must be 1 to 1000".into())));
        }
        kv_op!(self, None::<&String>, self.api.kv_list(self.plugin_id(), page, per_page).await)
    }

    async fn delete_all(&mut self) -> wasmtime::Result<WitResult<()>> {
        kv_op!(self, None::<&String>, self.api.kv_delete_all(self.plugin_id()).await)
    }
}
