//! `MemoryServerApi`: the server side of the plugin API before the chat core exists — an in-memory plugin KV store, settings files, and honest refusals for the rest.
//!
//! This is the thin pre-chat-core state (issue 3 replaces it with an implementation over
//! the server's services and database):
//! - **KV** works completely, in memory: namespaced per plugin, compare-and-set with
//!   Mattermost's semantics, expiry, paged listing sorted by key, delete-all. It is lost
//!   on restart.
//! - **Settings** come from `<plugin dir>/settings.json` when the file exists, else `{}`.
//! - **Outbound HTTP** is refused with `permission-denied`: the server makes no outbound
//!   requests for plugins until the integrations issue brings the allow-list and the
//!   private-address guard.
//! - **Posts, channels, users, teams, commands, bots, events, cluster** fail with
//!   `internal("... arrives with the chat core (issue 3)")`: there is nothing to read or
//!   write yet, and pretending otherwise would hide the gap from plugin authors.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use confab_host::types::*;
use confab_host::{ApiError, ApiResult, PluginStatus, ServerApi};

/// One stored KV value.
#[derive(Debug, Clone)]
struct Entry {
    value: Vec<u8>,
    /// When the value stops being visible; `None` = never.
    expires_at: Option<Instant>,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

/// plugin id → key → entry. A `BTreeMap` per plugin keeps `list` sorted by key.
type Namespaces = HashMap<String, BTreeMap<String, Entry>>;

/// The pre-chat-core [`ServerApi`]; see the module docs for what works.
pub struct MemoryServerApi {
    /// All KV data. A std `Mutex`: every operation is a short map update with no
    /// `.await` inside, and compare-and-set needs the read and the write under one lock.
    kv: Mutex<Namespaces>,
    /// Directory of each loaded plugin (where its `settings.json` lives), registered by
    /// the loader before activation; plugins not registered fall back to
    /// `<plugin_root>/<id>`.
    plugin_dirs: RwLock<HashMap<String, PathBuf>>,
    /// The server's plugin directory.
    plugin_root: PathBuf,
}

/// The error for the parts of the API that need the chat core.
fn not_yet(what: &str) -> ApiError {
    ApiError::Internal(format!("{what} arrives with the chat core (issue 3)"))
}

impl MemoryServerApi {
    /// An empty store; settings are looked up under `plugin_root`.
    pub fn new(plugin_root: PathBuf) -> MemoryServerApi {
        MemoryServerApi { kv: Mutex::new(HashMap::new()), plugin_dirs: RwLock::new(HashMap::new()), plugin_root }
    }

    /// Record where `plugin_id` was loaded from, so its settings are read from there.
    pub fn register_plugin_dir(&self, plugin_id: &str, dir: &Path) {
        self.plugin_dirs.write().unwrap().insert(plugin_id.to_string(), dir.to_path_buf());
    }

    fn plugin_dir(&self, plugin_id: &str) -> PathBuf {
        self.plugin_dirs.read().unwrap().get(plugin_id).cloned().unwrap_or_else(|| self.plugin_root.join(plugin_id))
    }

    fn get_at(&self, plugin_id: &str, key: &str, now: Instant) -> Option<Vec<u8>> {
        let mut kv = self.kv.lock().unwrap();
        let ns = kv.get_mut(plugin_id)?;
        match ns.get(key) {
            Some(entry) if entry.live(now) => Some(entry.value.clone()),
            Some(_) => {
                // Expired: drop it now rather than keeping it until a sweep.
                ns.remove(key);
                None
            }
            None => None,
        }
    }

    /// Mattermost's `KVSetWithOptions`, at time `now` (a parameter so tests can move the clock).
    fn set_with_options_at(&self, plugin_id: &str, key: &str, value: Option<Vec<u8>>, options: KvSetOptions, now: Instant) -> ApiResult<bool> {
        // The host checks both already; repeated here because the trait is public and
        // a bad expiry or a lone old value must never be silently reinterpreted.
        if !options.atomic && options.old_value.is_some() {
            return Err(ApiError::InvalidInput("old_value is only meaningful with atomic".into()));
        }
        let expires_at = match options.expire_in_seconds {
            None | Some(0) => None,
            Some(s) if s < 0 => return Err(ApiError::InvalidInput("expire_in_seconds must not be negative".into())),
            // An expiry too far away for the clock to represent is the same as none.
            Some(s) => now.checked_add(Duration::from_secs(s as u64)),
        };
        let mut kv = self.kv.lock().unwrap();
        let ns = kv.entry(plugin_id.to_string()).or_default();
        if options.atomic {
            let current = ns.get(key).filter(|e| e.live(now)).map(|e| &e.value);
            let matches = match (&options.old_value, current) {
                // Nothing can be stored as "no value", so deleting "only if absent" never
                // happens (Mattermost's CompareAndDelete returns false for a nil old value).
                (None, _) if value.is_none() => false,
                // Insert only if absent (or expired).
                (None, current) => current.is_none(),
                (Some(old), Some(current)) => old == current,
                (Some(_), None) => false,
            };
            if !matches {
                return Ok(false);
            }
        }
        match value {
            Some(value) => {
                ns.insert(key.to_string(), Entry { value, expires_at });
            }
            None => {
                ns.remove(key);
            }
        }
        Ok(true)
    }

    fn list_at(&self, plugin_id: &str, page: u32, per_page: u32, now: Instant) -> Vec<String> {
        let mut kv = self.kv.lock().unwrap();
        let Some(ns) = kv.get_mut(plugin_id) else { return Vec::new() };
        // Expired keys are invisible; remove them so paging counts only live keys.
        ns.retain(|_, e| e.live(now));
        let skip = (page as usize).saturating_mul(per_page as usize);
        ns.keys().skip(skip).take(per_page as usize).cloned().collect()
    }
}

#[async_trait]
impl ServerApi for MemoryServerApi {
    async fn kv_get(&self, plugin_id: &str, key: &str) -> ApiResult<Option<Vec<u8>>> {
        Ok(self.get_at(plugin_id, key, Instant::now()))
    }

    async fn kv_set(&self, plugin_id: &str, key: &str, value: Vec<u8>) -> ApiResult<()> {
        // A plain set replaces the value and clears any expiry, as Mattermost's KVSet does.
        self.set_with_options_at(plugin_id, key, Some(value), KvSetOptions::default(), Instant::now()).map(|_| ())
    }

    async fn kv_set_with_options(&self, plugin_id: &str, key: &str, value: Option<Vec<u8>>, options: KvSetOptions) -> ApiResult<bool> {
        self.set_with_options_at(plugin_id, key, value, options, Instant::now())
    }

    async fn kv_delete(&self, plugin_id: &str, key: &str) -> ApiResult<()> {
        if let Some(ns) = self.kv.lock().unwrap().get_mut(plugin_id) {
            ns.remove(key);
        }
        Ok(())
    }

    async fn kv_list(&self, plugin_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<String>> {
        Ok(self.list_at(plugin_id, page, per_page, Instant::now()))
    }

    async fn kv_delete_all(&self, plugin_id: &str) -> ApiResult<()> {
        self.kv.lock().unwrap().remove(plugin_id);
        Ok(())
    }

    async fn create_post(&self, _plugin_id: &str, _post: Post) -> ApiResult<Post> {
        Err(not_yet("the posts API"))
    }

    async fn get_post(&self, _plugin_id: &str, _post_id: &str) -> ApiResult<Post> {
        Err(not_yet("the posts API"))
    }

    async fn update_post(&self, _plugin_id: &str, _post: Post) -> ApiResult<Post> {
        Err(not_yet("the posts API"))
    }

    async fn delete_post(&self, _plugin_id: &str, _post_id: &str) -> ApiResult<()> {
        Err(not_yet("the posts API"))
    }

    async fn send_ephemeral_post(&self, _plugin_id: &str, _user_id: &str, _post: Post) -> ApiResult<Post> {
        Err(not_yet("the posts API"))
    }

    async fn get_channel(&self, _plugin_id: &str, _channel_id: &str) -> ApiResult<Channel> {
        Err(not_yet("the channels API"))
    }

    async fn get_channel_by_name(&self, _plugin_id: &str, _team_id: &str, _name: &str) -> ApiResult<Channel> {
        Err(not_yet("the channels API"))
    }

    async fn create_channel(&self, _plugin_id: &str, _channel: Channel) -> ApiResult<Channel> {
        Err(not_yet("the channels API"))
    }

    async fn add_channel_member(&self, _plugin_id: &str, _channel_id: &str, _user_id: &str) -> ApiResult<ChannelMember> {
        Err(not_yet("the channels API"))
    }

    async fn remove_channel_member(&self, _plugin_id: &str, _channel_id: &str, _user_id: &str) -> ApiResult<()> {
        Err(not_yet("the channels API"))
    }

    async fn list_channel_members(&self, _plugin_id: &str, _channel_id: &str, _page: u32, _per_page: u32) -> ApiResult<Vec<ChannelMember>> {
        Err(not_yet("the channels API"))
    }

    async fn get_user(&self, _plugin_id: &str, _user_id: &str) -> ApiResult<User> {
        Err(not_yet("the users API"))
    }

    async fn get_user_by_username(&self, _plugin_id: &str, _username: &str) -> ApiResult<User> {
        Err(not_yet("the users API"))
    }

    async fn get_user_by_email(&self, _plugin_id: &str, _email: &str) -> ApiResult<User> {
        Err(not_yet("the users API"))
    }

    async fn get_team(&self, _plugin_id: &str, _team_id: &str) -> ApiResult<Team> {
        Err(not_yet("the teams API"))
    }

    async fn get_team_by_name(&self, _plugin_id: &str, _name: &str) -> ApiResult<Team> {
        Err(not_yet("the teams API"))
    }

    async fn list_team_members(&self, _plugin_id: &str, _team_id: &str, _page: u32, _per_page: u32) -> ApiResult<Vec<TeamMember>> {
        Err(not_yet("the teams API"))
    }

    async fn register_command(&self, _plugin_id: &str, _command: Command) -> ApiResult<()> {
        Err(not_yet("the commands API"))
    }

    async fn unregister_command(&self, _plugin_id: &str, _team_id: &str, _trigger: &str) -> ApiResult<()> {
        Err(not_yet("the commands API"))
    }

    async fn plugin_settings(&self, plugin_id: &str) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
        let path = self.plugin_dir(plugin_id).join("settings.json");
        let text = match tokio::fs::read_to_string(&path).await {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(serde_json::Map::new()),
            Err(e) => return Err(ApiError::Internal(format!("cannot read {}: {e}", path.display()))),
        };
        match serde_json::from_str(&text) {
            Ok(serde_json::Value::Object(settings)) => Ok(settings),
            Ok(_) => Err(ApiError::Internal(format!("{} is not a JSON object", path.display()))),
            Err(e) => Err(ApiError::Internal(format!("{} is not valid JSON: {e}", path.display()))),
        }
    }

    async fn publish_event(&self, _plugin_id: &str, _event: &str, _data: serde_json::Value, _broadcast: Broadcast) -> ApiResult<()> {
        Err(not_yet("the events API"))
    }

    async fn ensure_bot(&self, _plugin_id: &str, _bot: BotSpec) -> ApiResult<String> {
        Err(not_yet("the bots API"))
    }

    async fn http_request(&self, _plugin_id: &str, _request: OutboundRequest) -> ApiResult<OutboundResponse> {
        // No outbound HTTP at all until the integrations issue adds the private-address
        // guard, timeouts and size caps; refusing is the only safe answer meanwhile.
        Err(ApiError::PermissionDenied)
    }

    async fn publish_cluster_event(&self, _plugin_id: &str, _event: ClusterEvent) -> ApiResult<()> {
        Err(not_yet("the cluster API"))
    }

    fn plugin_status_changed(&self, status: &PluginStatus) {
        tracing::info!(plugin_id = %status.plugin_id, state = status.state.code(), error = %status.error, "plugin status changed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "com.example.p";

    fn api() -> MemoryServerApi {
        MemoryServerApi::new(PathBuf::from("/nonexistent"))
    }

    fn cas(old: Option<&[u8]>) -> KvSetOptions {
        KvSetOptions { atomic: true, old_value: old.map(<[u8]>::to_vec), expire_in_seconds: None }
    }

    fn expiring(secs: i64) -> KvSetOptions {
        KvSetOptions { expire_in_seconds: Some(secs), ..KvSetOptions::default() }
    }

    #[tokio::test]
    async fn set_get_delete() {
        let api = api();
        assert_eq!(api.kv_get(P, "k").await, Ok(None));
        api.kv_set(P, "k", b"v".to_vec()).await.unwrap();
        assert_eq!(api.kv_get(P, "k").await, Ok(Some(b"v".to_vec())));
        api.kv_set(P, "k", b"w".to_vec()).await.unwrap();
        assert_eq!(api.kv_get(P, "k").await, Ok(Some(b"w".to_vec())));
        api.kv_delete(P, "k").await.unwrap();
        assert_eq!(api.kv_get(P, "k").await, Ok(None));
        // Deleting an absent key (in an absent namespace, too) is not an error.
        api.kv_delete(P, "k").await.unwrap();
        api.kv_delete("com.example.never", "k").await.unwrap();
    }

    #[tokio::test]
    async fn namespaces_are_per_plugin() {
        let api = api();
        api.kv_set("a", "k", b"1".to_vec()).await.unwrap();
        api.kv_set("b", "k", b"2".to_vec()).await.unwrap();
        assert_eq!(api.kv_get("a", "k").await, Ok(Some(b"1".to_vec())));
        assert_eq!(api.kv_get("b", "k").await, Ok(Some(b"2".to_vec())));
        api.kv_delete_all("a").await.unwrap();
        assert_eq!(api.kv_get("a", "k").await, Ok(None));
        assert_eq!(api.kv_get("b", "k").await, Ok(Some(b"2".to_vec())));
        assert_eq!(api.kv_list("a", 0, 10).await, Ok(vec![]));
    }

    #[tokio::test]
    async fn compare_and_set_with_no_old_value_inserts_only_if_absent() {
        let api = api();
        assert_eq!(api.kv_set_with_options(P, "k", Some(b"1".to_vec()), cas(None)).await, Ok(true));
        assert_eq!(api.kv_set_with_options(P, "k", Some(b"2".to_vec()), cas(None)).await, Ok(false));
        assert_eq!(api.kv_get(P, "k").await, Ok(Some(b"1".to_vec())));
    }

    #[tokio::test]
    async fn compare_and_set_replaces_only_the_expected_value() {
        let api = api();
        assert_eq!(api.kv_set_with_options(P, "k", Some(b"2".to_vec()), cas(Some(b"1"))).await, Ok(false), "absent key never matches an old value");
        api.kv_set(P, "k", b"1".to_vec()).await.unwrap();
        assert_eq!(api.kv_set_with_options(P, "k", Some(b"2".to_vec()), cas(Some(b"0"))).await, Ok(false));
        assert_eq!(api.kv_get(P, "k").await, Ok(Some(b"1".to_vec())));
        assert_eq!(api.kv_set_with_options(P, "k", Some(b"2".to_vec()), cas(Some(b"1"))).await, Ok(true));
        assert_eq!(api.kv_get(P, "k").await, Ok(Some(b"2".to_vec())));
    }

    #[tokio::test]
    async fn a_none_value_deletes() {
        let api = api();
        api.kv_set(P, "k", b"1".to_vec()).await.unwrap();
        // Compare-and-delete: only when the current value matches.
        assert_eq!(api.kv_set_with_options(P, "k", None, cas(Some(b"0"))).await, Ok(false));
        assert_eq!(api.kv_get(P, "k").await, Ok(Some(b"1".to_vec())));
        assert_eq!(api.kv_set_with_options(P, "k", None, cas(Some(b"1"))).await, Ok(true));
        assert_eq!(api.kv_get(P, "k").await, Ok(None));
        // Atomic delete with no old value never happens (Mattermost semantics).
        api.kv_set(P, "k", b"1".to_vec()).await.unwrap();
        assert_eq!(api.kv_set_with_options(P, "k", None, cas(None)).await, Ok(false));
        assert_eq!(api.kv_set_with_options(P, "absent", None, cas(None)).await, Ok(false));
        // Non-atomic: an unconditional delete, reported as written.
        assert_eq!(api.kv_set_with_options(P, "k", None, KvSetOptions::default()).await, Ok(true));
        assert_eq!(api.kv_get(P, "k").await, Ok(None));
    }

    #[tokio::test]
    async fn old_value_without_atomic_and_negative_expiry_are_rejected() {
        let api = api();
        let lone_old = KvSetOptions { atomic: false, old_value: Some(b"1".to_vec()), expire_in_seconds: None };
        assert!(matches!(api.kv_set_with_options(P, "k", Some(b"1".to_vec()), lone_old).await, Err(ApiError::InvalidInput(_))));
        assert!(matches!(api.kv_set_with_options(P, "k", Some(b"1".to_vec()), expiring(-1)).await, Err(ApiError::InvalidInput(_))));
        assert_eq!(api.kv_get(P, "k").await, Ok(None), "a rejected write writes nothing");
    }

    #[test]
    fn values_expire() {
        let api = api();
        let t0 = Instant::now();
        assert_eq!(api.set_with_options_at(P, "short", Some(b"1".to_vec()), expiring(10), t0), Ok(true));
        assert_eq!(api.set_with_options_at(P, "forever", Some(b"1".to_vec()), expiring(0), t0), Ok(true));
        let before = t0 + Duration::from_secs(9);
        let after = t0 + Duration::from_secs(10);
        assert_eq!(api.get_at(P, "short", before), Some(b"1".to_vec()));
        assert_eq!(api.list_at(P, 0, 10, before), vec!["forever", "short"]);
        assert_eq!(api.get_at(P, "short", after), None);
        assert_eq!(api.get_at(P, "forever", after + Duration::from_secs(1_000_000)), Some(b"1".to_vec()));
        assert_eq!(api.list_at(P, 0, 10, after), vec!["forever"]);
    }

    #[test]
    fn an_expired_key_counts_as_absent_for_compare_and_set() {
        let api = api();
        let t0 = Instant::now();
        let lock = KvSetOptions { atomic: true, old_value: None, expire_in_seconds: Some(5) };
        assert_eq!(api.set_with_options_at(P, "lock", Some(b"a".to_vec()), lock.clone(), t0), Ok(true));
        assert_eq!(api.set_with_options_at(P, "lock", Some(b"b".to_vec()), lock.clone(), t0 + Duration::from_secs(4)), Ok(false), "still held");
        assert_eq!(api.set_with_options_at(P, "lock", Some(b"b".to_vec()), lock, t0 + Duration::from_secs(5)), Ok(true), "expired, so absent");
        let t1 = t0 + Duration::from_secs(100);
        assert_eq!(api.set_with_options_at(P, "lock", Some(b"c".to_vec()), cas(Some(b"b")), t1), Ok(false), "the expired value does not match");
        // A plain set clears the expiry.
        api.set_with_options_at(P, "k", Some(b"1".to_vec()), expiring(1), t0).unwrap();
        api.set_with_options_at(P, "k", Some(b"2".to_vec()), KvSetOptions::default(), t0).unwrap();
        assert_eq!(api.get_at(P, "k", t1), Some(b"2".to_vec()));
    }

    #[tokio::test]
    async fn list_pages_through_keys_in_order() {
        let api = api();
        for key in ["d", "a", "c", "e", "b"] {
            api.kv_set(P, key, vec![]).await.unwrap();
        }
        assert_eq!(api.kv_list(P, 0, 2).await, Ok(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(api.kv_list(P, 1, 2).await, Ok(vec!["c".to_string(), "d".to_string()]));
        assert_eq!(api.kv_list(P, 2, 2).await, Ok(vec!["e".to_string()]));
        assert_eq!(api.kv_list(P, 3, 2).await, Ok(vec![]));
        assert_eq!(api.kv_list(P, u32::MAX, 1000).await, Ok(vec![]), "huge pages do not overflow");
        assert_eq!(api.kv_list("com.example.empty", 0, 10).await, Ok(vec![]));
    }

    #[tokio::test]
    async fn settings_come_from_the_plugin_directory() {
        let root = tempfile::tempdir().unwrap();
        let api = MemoryServerApi::new(root.path().to_path_buf());
        assert_eq!(api.plugin_settings(P).await, Ok(serde_json::Map::new()), "no file: no settings");

        std::fs::create_dir_all(root.path().join(P)).unwrap();
        std::fs::write(root.path().join(P).join("settings.json"), r#"{"Greeting": "hi"}"#).unwrap();
        assert_eq!(api.plugin_settings(P).await.unwrap()["Greeting"], "hi");

        let elsewhere = root.path().join("renamed");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("settings.json"), "[1]").unwrap();
        api.register_plugin_dir(P, &elsewhere);
        assert!(matches!(api.plugin_settings(P).await, Err(ApiError::Internal(m)) if m.contains("not a JSON object")));
    }

    #[tokio::test]
    async fn outbound_http_is_refused_and_chat_objects_wait_for_the_chat_core() {
        let api = api();
        assert_eq!(api.http_request(P, OutboundRequest::default()).await, Err(ApiError::PermissionDenied));
        assert!(matches!(api.get_channel(P, "c").await, Err(ApiError::Internal(m)) if m.contains("issue 3")));
    }
}
