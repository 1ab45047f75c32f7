//! The plugin's own key-value store (`kv` interface; capability `kv`).
//!
//! This is where state shared by all instances of a plugin lives: the host runs
//! several instances side by side and discards them at will, so memory is only a
//! cache. Keys are 1 to 150 characters; values and total usage are capped by the
//! server (`Error::QuotaExceeded`).

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bindings::confab::plugin::kv as wit;
use crate::error::wit as lift;
use crate::{Error, Result};

/// Options for [`set_with_options`] (Mattermost `PluginKVSetOptions`).
pub use wit::SetOptions;

/// The most keys [`list`] returns per page.
pub const MAX_PAGE: u32 = 1000;

/// How often [`update_json`] retries a lost compare-and-set before giving up.
pub const UPDATE_ATTEMPTS: u32 = 32;

/// Reads a value; `None` when absent or expired.
pub fn get(key: &str) -> Result<Option<Vec<u8>>> {
    lift(wit::get(key))
}

/// Writes a value, replacing any previous one.
pub fn set(key: &str, value: impl AsRef<[u8]>) -> Result<()> {
    lift(wit::set(key, value.as_ref()))
}

/// Deletes a key; deleting an absent key is fine.
pub fn delete(key: &str) -> Result<()> {
    lift(wit::delete(key))
}

/// Deletes every key of this plugin.
pub fn delete_all() -> Result<()> {
    lift(wit::delete_all())
}

/// One page of keys in stable order (`per_page` at most [`MAX_PAGE`]).
pub fn list(page: u32, per_page: u32) -> Result<Vec<String>> {
    lift(wit::list_keys(page, per_page))
}

/// Every key, fetched page by page.
pub fn list_all() -> Result<Vec<String>> {
    let mut keys = Vec::new();
    for page in 0.. {
        let batch = list(page, MAX_PAGE)?;
        let done = batch.len() < MAX_PAGE as usize;
        keys.extend(batch);
        if done {
            break;
        }
    }
    Ok(keys)
}

/// Writes, or with `value = None` deletes, with options; `Ok(false)` when an atomic
/// comparison failed.
pub fn set_with_options(key: &str, value: Option<&[u8]>, options: &SetOptions) -> Result<bool> {
    lift(wit::set_with_options(key, value, options))
}

/// Compare-and-set: writes `new` (or deletes, for `None`) only if the current value
/// equals `old` (`None` = only if the key is absent). `Ok(false)` means someone else
/// changed the key first; read it again and retry, or use [`update_json`].
pub fn set_atomic(key: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> Result<bool> {
    let options = SetOptions { atomic: true, old_value: old.map(<[u8]>::to_vec), expire_in_seconds: None };
    set_with_options(key, new, &options)
}

/// Writes a value that expires after `seconds`.
pub fn set_with_expiry(key: &str, value: impl AsRef<[u8]>, seconds: i64) -> Result<()> {
    let options = SetOptions { atomic: false, old_value: None, expire_in_seconds: Some(seconds) };
    set_with_options(key, Some(value.as_ref()), &options).map(|_| ())
}

/// Reads a JSON value; `None` when absent.
pub fn get_json<T: DeserializeOwned>(key: &str) -> Result<Option<T>> {
    match get(key)? {
        Some(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
        None => Ok(None),
    }
}

/// Writes `value` as JSON.
pub fn set_json<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<()> {
    set(key, serde_json::to_vec(value)?)
}

/// Atomically read-modify-writes a JSON value: `f` gets the current value (`None`
/// when absent) and returns the new one, which is written with compare-and-set
/// against the exact bytes read. On a lost race `f` runs again on the fresh value, up
/// to [`UPDATE_ATTEMPTS`] times, so `f` must not have side effects. Returns the value
/// that was written.
///
/// Use this for anything several instances may update at once (counters, lists):
/// a plain get + set would lose updates.
pub fn update_json<T, F>(key: &str, mut f: F) -> Result<T>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(Option<T>) -> T,
{
    for _ in 0..UPDATE_ATTEMPTS {
        let old = get(key)?;
        let current = old.as_deref().map(serde_json::from_slice).transpose()?;
        let new = f(current);
        let bytes = serde_json::to_vec(&new)?;
        if set_atomic(key, old.as_deref(), Some(&bytes))? {
            return Ok(new);
        }
    }
    Err(Error::Conflict { key: key.to_owned(), attempts: UPDATE_ATTEMPTS })
}
