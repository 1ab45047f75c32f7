//! Test harness: a recording in-memory `ServerApi`, plugin directories built from the compiled fixtures, and host constructors.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use confab_host::types::*;
use confab_host::{ApiError, ApiResult, HealthPolicy, HostConfig, LoadOptions, LoadReport, PluginHost, PluginStatus, ServerApi};

/// Repository root (the host crate's parent).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The compiled component `name` (crate name with underscores), built by `cargo xtask plugins`.
pub fn wasm(name: &str) -> PathBuf {
    let path = repo_root().join("target/plugins/wasm32-wasip2/release").join(format!("{name}.wasm"));
    assert!(path.exists(), "{} is missing: run `cargo xtask plugins` first", path.display());
    path
}

/// A plugin directory: `source`'s plugin.json (edited by `edit`) plus the component as server.wasm.
pub fn plugin_dir(root: &Path, source: &str, wasm_name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let manifest_path = repo_root().join(source).join("plugin.json");
    let mut manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    edit(&mut manifest);
    let dir = root.join(format!("{}-{}", manifest["id"].as_str().unwrap(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("plugin.json"), serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    std::fs::copy(wasm(wasm_name), dir.join("server.wasm")).unwrap();
    dir
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A fixture from tests/plugins by short name (`loop` → tests/plugins/fx-loop, fx_loop.wasm).
pub fn fixture(root: &Path, name: &str) -> PathBuf {
    fixture_with(root, name, |_| {})
}

/// A fixture with its manifest edited.
pub fn fixture_with(root: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    plugin_dir(root, &format!("tests/plugins/fx-{name}"), &format!("fx_{}", name.replace('-', "_")), edit)
}

/// An `fx-chain` copy with its own id and settings.
pub fn chain_link(root: &Path, api: &RecordingApi, id: &str, settings: serde_json::Value) -> PathBuf {
    api.set_settings(id, settings);
    fixture_with(root, "chain", |m| m["id"] = id.into())
}

/// One call the server saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    pub plugin_id: String,
    pub what: String,
}

/// An in-memory `ServerApi` that records every call.
#[derive(Default)]
pub struct RecordingApi {
    pub calls: Mutex<Vec<ApiCall>>,
    pub kv: Mutex<BTreeMap<(String, String), Vec<u8>>>,
    pub settings: Mutex<HashMap<String, serde_json::Map<String, serde_json::Value>>>,
    pub statuses: Mutex<Vec<PluginStatus>>,
    pub commands: Mutex<Vec<(String, Command)>>,
    /// While set, every `kv_get` waits until this semaphore is closed (a plugin call
    /// held inside a host call, for as long as a test needs).
    pub kv_hold: Mutex<Option<Arc<tokio::sync::Semaphore>>>,
}

impl RecordingApi {
    pub fn new() -> Arc<RecordingApi> {
        Arc::new(RecordingApi::default())
    }

    fn record(&self, plugin_id: &str, what: impl Into<String>) {
        self.calls.lock().unwrap().push(ApiCall { plugin_id: plugin_id.into(), what: what.into() });
    }

    /// Calls made by `plugin_id` whose description starts with `prefix`.
    pub fn calls_of(&self, plugin_id: &str, prefix: &str) -> Vec<String> {
        self.calls.lock().unwrap().iter().filter(|c| c.plugin_id == plugin_id && c.what.starts_with(prefix)).map(|c| c.what.clone()).collect()
    }

    pub fn kv_text(&self, plugin_id: &str, key: &str) -> Option<String> {
        self.kv.lock().unwrap().get(&(plugin_id.to_string(), key.to_string())).map(|v| String::from_utf8_lossy(v).into_owned())
    }

    pub fn set_settings(&self, plugin_id: &str, settings: serde_json::Value) {
        let serde_json::Value::Object(map) = settings else { panic!("settings must be an object") };
        self.settings.lock().unwrap().insert(plugin_id.to_string(), map);
    }

    fn user(id: &str) -> User {
        let username = match id {
            "blocked-id" => "blocked".to_string(),
            other => format!("user-{other}"),
        };
        User { id: id.to_string(), username, email: format!("{id}@example.com"), roles: "system_user".into(), ..Default::default() }
    }
}

#[async_trait]
impl ServerApi for RecordingApi {
    async fn kv_get(&self, plugin_id: &str, key: &str) -> ApiResult<Option<Vec<u8>>> {
        self.record(plugin_id, format!("kv_get {key}"));
        let hold = self.kv_hold.lock().unwrap().clone();
        if let Some(hold) = hold {
            let _ = hold.acquire().await;
        }
        Ok(self.kv.lock().unwrap().get(&(plugin_id.to_string(), key.to_string())).cloned())
    }
    async fn kv_set(&self, plugin_id: &str, key: &str, value: Vec<u8>) -> ApiResult<()> {
        self.record(plugin_id, format!("kv_set {key}"));
        self.kv.lock().unwrap().insert((plugin_id.to_string(), key.to_string()), value);
        Ok(())
    }
    async fn kv_set_with_options(&self, plugin_id: &str, key: &str, value: Option<Vec<u8>>, options: KvSetOptions) -> ApiResult<bool> {
        self.record(plugin_id, format!("kv_set_with_options {key}"));
        let mut kv = self.kv.lock().unwrap();
        let k = (plugin_id.to_string(), key.to_string());
        if options.atomic && kv.get(&k) != options.old_value.as_ref() {
            return Ok(false);
        }
        match value {
            Some(v) => kv.insert(k, v),
            None => kv.remove(&k),
        };
        Ok(true)
    }
    async fn kv_delete(&self, plugin_id: &str, key: &str) -> ApiResult<()> {
        self.record(plugin_id, format!("kv_delete {key}"));
        self.kv.lock().unwrap().remove(&(plugin_id.to_string(), key.to_string()));
        Ok(())
    }
    async fn kv_list(&self, plugin_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<String>> {
        self.record(plugin_id, "kv_list");
        let kv = self.kv.lock().unwrap();
        let keys = kv.keys().filter(|(p, _)| p == plugin_id).map(|(_, k)| k.clone());
        Ok(keys.skip((page * per_page) as usize).take(per_page as usize).collect())
    }
    async fn kv_delete_all(&self, plugin_id: &str) -> ApiResult<()> {
        self.record(plugin_id, "kv_delete_all");
        self.kv.lock().unwrap().retain(|(p, _), _| p != plugin_id);
        Ok(())
    }
    async fn create_post(&self, plugin_id: &str, mut post: Post) -> ApiResult<Post> {
        self.record(plugin_id, format!("create_post {}", post.message));
        post.id = "createdpostid".into();
        Ok(post)
    }
    async fn get_post(&self, plugin_id: &str, post_id: &str) -> ApiResult<Post> {
        self.record(plugin_id, format!("get_post {post_id}"));
        Err(ApiError::NotFound)
    }
    async fn update_post(&self, plugin_id: &str, post: Post) -> ApiResult<Post> {
        self.record(plugin_id, format!("update_post {}", post.id));
        Ok(post)
    }
    async fn delete_post(&self, plugin_id: &str, post_id: &str) -> ApiResult<()> {
        self.record(plugin_id, format!("delete_post {post_id}"));
        Ok(())
    }
    async fn send_ephemeral_post(&self, plugin_id: &str, user_id: &str, post: Post) -> ApiResult<Post> {
        self.record(plugin_id, format!("send_ephemeral_post {user_id} {}", post.message));
        Ok(post)
    }
    async fn get_channel(&self, plugin_id: &str, channel_id: &str) -> ApiResult<Channel> {
        self.record(plugin_id, format!("get_channel {channel_id}"));
        Ok(Channel { id: channel_id.into(), name: "town-square".into(), kind: "O".into(), ..Default::default() })
    }
    async fn get_channel_by_name(&self, plugin_id: &str, team_id: &str, name: &str) -> ApiResult<Channel> {
        self.record(plugin_id, format!("get_channel_by_name {team_id} {name}"));
        Err(ApiError::NotFound)
    }
    async fn create_channel(&self, plugin_id: &str, channel: Channel) -> ApiResult<Channel> {
        self.record(plugin_id, format!("create_channel {}", channel.name));
        Ok(channel)
    }
    async fn add_channel_member(&self, plugin_id: &str, channel_id: &str, user_id: &str) -> ApiResult<ChannelMember> {
        self.record(plugin_id, format!("add_channel_member {channel_id} {user_id}"));
        Ok(ChannelMember { channel_id: channel_id.into(), user_id: user_id.into(), ..Default::default() })
    }
    async fn remove_channel_member(&self, plugin_id: &str, channel_id: &str, user_id: &str) -> ApiResult<()> {
        self.record(plugin_id, format!("remove_channel_member {channel_id} {user_id}"));
        Ok(())
    }
    async fn list_channel_members(&self, plugin_id: &str, channel_id: &str, _page: u32, _per_page: u32) -> ApiResult<Vec<ChannelMember>> {
        self.record(plugin_id, format!("list_channel_members {channel_id}"));
        Ok(vec![])
    }
    async fn get_user(&self, plugin_id: &str, user_id: &str) -> ApiResult<User> {
        self.record(plugin_id, format!("get_user {user_id}"));
        Ok(Self::user(user_id))
    }
    async fn get_user_by_username(&self, plugin_id: &str, username: &str) -> ApiResult<User> {
        self.record(plugin_id, format!("get_user_by_username {username}"));
        Err(ApiError::NotFound)
    }
    async fn get_user_by_email(&self, plugin_id: &str, email: &str) -> ApiResult<User> {
        self.record(plugin_id, format!("get_user_by_email {email}"));
        Err(ApiError::NotFound)
    }
    async fn get_team(&self, plugin_id: &str, team_id: &str) -> ApiResult<Team> {
        self.record(plugin_id, format!("get_team {team_id}"));
        Err(ApiError::NotFound)
    }
    async fn get_team_by_name(&self, plugin_id: &str, name: &str) -> ApiResult<Team> {
        self.record(plugin_id, format!("get_team_by_name {name}"));
        Err(ApiError::NotFound)
    }
    async fn list_team_members(&self, plugin_id: &str, team_id: &str, _page: u32, _per_page: u32) -> ApiResult<Vec<TeamMember>> {
        self.record(plugin_id, format!("list_team_members {team_id}"));
        Ok(vec![])
    }
    async fn register_command(&self, plugin_id: &str, command: Command) -> ApiResult<()> {
        self.record(plugin_id, format!("register_command {}", command.trigger));
        self.commands.lock().unwrap().push((plugin_id.to_string(), command));
        Ok(())
    }
    async fn unregister_command(&self, plugin_id: &str, _team_id: &str, trigger: &str) -> ApiResult<()> {
        self.record(plugin_id, format!("unregister_command {trigger}"));
        Ok(())
    }
    async fn plugin_settings(&self, plugin_id: &str) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
        Ok(self.settings.lock().unwrap().get(plugin_id).cloned().unwrap_or_default())
    }
    async fn save_plugin_settings(&self, plugin_id: &str, settings: serde_json::Map<String, serde_json::Value>) -> ApiResult<()> {
        self.record(plugin_id, format!("save_plugin_settings {}", serde_json::Value::Object(settings.clone())));
        self.settings.lock().unwrap().insert(plugin_id.to_string(), settings);
        Ok(())
    }
    fn site_url(&self) -> String {
        "https://chat.example.com".into()
    }
    fn server_version(&self) -> String {
        "9.8.7".into()
    }
    async fn diagnostic_id(&self) -> ApiResult<String> {
        Ok("diagnosticid0000000000000a".into())
    }
    async fn get_direct_channel(&self, plugin_id: &str, user_a: &str, user_b: &str) -> ApiResult<Channel> {
        self.record(plugin_id, format!("get_direct_channel {user_a} {user_b}"));
        Ok(Channel { id: format!("dm-{user_a}-{user_b}"), name: format!("{user_a}__{user_b}"), kind: "D".into(), ..Default::default() })
    }
    async fn publish_event(&self, plugin_id: &str, event: &str, data: serde_json::Value, _broadcast: Broadcast) -> ApiResult<()> {
        self.record(plugin_id, format!("publish_event {event} {data}"));
        Ok(())
    }
    async fn ensure_bot(&self, plugin_id: &str, bot: BotSpec) -> ApiResult<String> {
        self.record(plugin_id, format!("ensure_bot {}", bot.username));
        Ok("botuserid".into())
    }
    async fn http_request(&self, plugin_id: &str, request: OutboundRequest) -> ApiResult<OutboundResponse> {
        self.record(plugin_id, format!("http_request {} {}", request.method, request.url));
        // `http://slow.test/sleep?ms=N` sleeps N ms (default: far past any deadline).
        if request.url.starts_with("http://slow.test/sleep") {
            let ms = request.url.split("ms=").nth(1).and_then(|v| v.parse().ok()).unwrap_or(60_000);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        Ok(OutboundResponse { status: 200, headers: vec![], body: b"slept".to_vec() })
    }
    async fn publish_cluster_event(&self, plugin_id: &str, event: ClusterEvent) -> ApiResult<()> {
        self.record(plugin_id, format!("publish_cluster_event {}", event.id));
        Ok(())
    }
    fn plugin_status_changed(&self, status: &PluginStatus) {
        self.statuses.lock().unwrap().push(status.clone());
    }
}

/// Host configuration for tests: its own cache dir, optional tweaks.
pub fn config(cache: &Path) -> HostConfig {
    HostConfig { cache_dir: cache.to_path_buf(), health: HealthPolicy { max_failures: 3, window: Duration::from_secs(3600) }, ..HostConfig::default() }
}

/// Load with everything the manifest requests granted.
pub async fn load(host: &PluginHost, dir: &Path) -> LoadReport {
    host.load(dir, LoadOptions { grant_all_requested: true, ..Default::default() }).await.unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()))
}

/// A post in channel `c1` by `u1`.
pub fn post(message: &str) -> Post {
    Post { id: "p1".into(), channel_id: "c1".into(), user_id: "u1".into(), message: message.into(), props: "{}".into(), ..Default::default() }
}

pub fn ctx() -> PluginContext {
    PluginContext { request_id: "req1".into(), ..Default::default() }
}
