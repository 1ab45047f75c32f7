//! `PluginBridge`: the host's `ServerApi` implemented over the services, so a plugin's post, channel or membership change takes the same path (hooks, events, checks) as one made over HTTP.
//!
//! The host has already checked the plugin's capability grant for every call; what is
//! left here is the server's own rules: existence, validation, the KV limits (key
//! length, value size, per-plugin quota) and the post loop guard. Settings come from
//! the admin's saved values (or the plugin's own, `save-settings`, checked against its schema like an admin's), else `<plugin dir>/settings.json` when it exists; the diagnostic id is a `server_secrets` row written once. Outbound HTTP
//! goes one hop at a time through the server's outbound guard (`outbound/plugin.rs`);
//! the host follows redirects, checking each against the plugin's grant.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use async_trait::async_trait;
use confab_host::types::*;
use confab_host::{ApiError, ApiResult, CallError, PluginStatus, ServerApi};
use tokio::sync::mpsc;

use crate::domain::dialog::OpenDialogRequest;
use crate::domain::post::NewPost;
use crate::domain::{Invalid, Paging};
use crate::outbound::plugin::PluginRequest;
use crate::outbound::{OutboundError, redact_url};
use crate::service::{self, Caller, Services, WeakServices, convert, now_ms};
use crate::store::{KvWrite, KvWriteOutcome};

/// Longest KV key, in characters (Mattermost's).
pub const MAX_KEY_LEN: usize = 150;

/// The server side of the plugin API.
pub struct PluginBridge {
    /// Weak: the host owns the bridge and the services own the host.
    services: WeakServices,
    /// Directory of each loaded plugin (where its `settings.json` lives).
    plugin_dirs: RwLock<HashMap<String, PathBuf>>,
    /// The server's plugin directory, for plugins not registered.
    plugin_root: PathBuf,
    /// Status changes the host reports (quarantine, failed start), for plugin
    /// administration to push to admins; a channel, so the bridge needs no reference
    /// to what listens.
    status_changed: mpsc::UnboundedSender<()>,
    /// The installation's diagnostic id, read from the database on first use.
    diagnostic_id: std::sync::OnceLock<String>,
}

/// The `server_secrets` row holding the diagnostic id (Mattermost's `DiagnosticId`).
const DIAGNOSTIC_ID: &str = "diagnostic_id";

/// The receiving end of a bridge's status changes.
pub struct StatusChanges(mpsc::UnboundedReceiver<()>);

impl StatusChanges {
    /// Wait for the next change, taking any that queued up behind it as well; `false`
    /// once the bridge is gone.
    pub async fn next(&mut self) -> bool {
        if self.0.recv().await.is_none() {
            return false;
        }
        while self.0.try_recv().is_ok() {}
        true
    }
}

/// The WIT error variant for a service error.
fn to_api_error(e: service::Error) -> ApiError {
    match e {
        service::Error::NotFound { .. } => ApiError::NotFound,
        service::Error::Forbidden { .. } | service::Error::Unauthorized { .. } => ApiError::PermissionDenied,
        service::Error::Invalid(Invalid { message, .. }) | service::Error::Conflict { message, .. } => ApiError::InvalidInput(message),
        service::Error::RejectedByPlugin { plugin_id, reason } => ApiError::InvalidInput(format!("rejected by plugin {plugin_id}: {reason}")),
        service::Error::DismissedByPlugin { plugin_id } => ApiError::InvalidInput(format!("dismissed by plugin {plugin_id}")),
        service::Error::QuotaExceeded(_) => ApiError::QuotaExceeded,
        service::Error::Unavailable { message, .. } | service::Error::Disabled { message, .. } => ApiError::Internal(message),
        service::Error::Upstream { message, detail, .. } => ApiError::Internal(format!("{message} ({detail})")),
        service::Error::Internal(source) => ApiError::Internal(source.to_string()),
    }
}

/// The WIT error for a failed outbound hop; refusals are logged (scheme, host and port
/// only: a path may hold a secret), since an admin wants to know a plugin tried.
fn outbound_error(plugin_id: &str, url: &str, error: OutboundError) -> ApiError {
    match error {
        OutboundError::Forbidden { host } => {
            tracing::warn!(plugin_id, url = %redact_url(url), %host, "plugin outbound HTTP to an internal address refused");
            ApiError::PermissionDenied
        }
        OutboundError::BadUrl(_) | OutboundError::Invalid(_) => ApiError::InvalidInput(error.to_string()),
        OutboundError::TooLarge { .. } => ApiError::QuotaExceeded,
        OutboundError::Timeout | OutboundError::Failed(_) => ApiError::Internal(error.to_string()),
    }
}

fn run<T>(result: Result<T, service::Error>) -> ApiResult<T> {
    result.map_err(to_api_error)
}

impl PluginBridge {
    /// A bridge over `services`; settings are looked up under `plugin_root`. The
    /// status changes it reports arrive on the returned receiver (dropping it is fine).
    pub fn new(services: WeakServices, plugin_root: PathBuf) -> (PluginBridge, StatusChanges) {
        let (status_changed, changes) = mpsc::unbounded_channel();
        (
            PluginBridge { services, plugin_dirs: RwLock::new(HashMap::new()), plugin_root, status_changed, diagnostic_id: std::sync::OnceLock::new() },
            StatusChanges(changes),
        )
    }

    /// Record where `plugin_id` was loaded from, so its settings are read from there.
    pub fn register_plugin_dir(&self, plugin_id: &str, dir: &Path) {
        self.plugin_dirs.write().unwrap().insert(plugin_id.to_string(), dir.to_path_buf());
    }

    fn services(&self) -> ApiResult<Services> {
        self.services.upgrade().ok_or_else(|| ApiError::Internal("the server is shutting down".into()))
    }

    fn plugin_dir(&self, plugin_id: &str) -> PathBuf {
        self.plugin_dirs.read().unwrap().get(plugin_id).cloned().unwrap_or_else(|| self.plugin_root.join(plugin_id))
    }

    fn check_key(key: &str) -> ApiResult<()> {
        if key.is_empty() || key.chars().count() > MAX_KEY_LEN {
            return Err(ApiError::InvalidInput(format!("keys must be 1 to {MAX_KEY_LEN} characters")));
        }
        Ok(())
    }

    /// A value's own size limit; the plugin's quota is checked with the write
    /// (`Store::kv_write_within`).
    fn check_size(services: &Services, value: Option<&[u8]>) -> ApiResult<()> {
        let limit = services.settings().kv_max_value_bytes;
        match value {
            Some(value) if value.len() > limit => Err(ApiError::InvalidInput(format!("values are limited to {limit} bytes"))),
            _ => Ok(()),
        }
    }

    /// `set-with-options` at time `now` (ms), for tests that move the clock.
    pub async fn kv_set_at(&self, plugin_id: &str, key: &str, value: Option<Vec<u8>>, options: KvSetOptions, now: i64) -> ApiResult<bool> {
        Self::check_key(key)?;
        if !options.atomic && options.old_value.is_some() {
            return Err(ApiError::InvalidInput("old_value is only meaningful with atomic".into()));
        }
        let expire_at = match options.expire_in_seconds {
            None | Some(0) => 0,
            Some(s) if s < 0 => return Err(ApiError::InvalidInput("expire_in_seconds must not be negative".into())),
            // Too far away to represent is the same as never.
            Some(s) => s.checked_mul(1000).and_then(|ms| now.checked_add(ms)).unwrap_or(0),
        };
        let services = self.services()?;
        Self::check_size(&services, value.as_deref())?;
        let write = KvWrite { value: value.as_deref(), atomic: options.atomic, old_value: options.old_value.as_deref(), expire_at };
        match services.store().kv_write_within(plugin_id, key, &write, Some(services.settings().kv_quota_bytes), now).await {
            Ok(KvWriteOutcome::Written) => Ok(true),
            Ok(KvWriteOutcome::Mismatch) => Ok(false),
            Ok(KvWriteOutcome::OverQuota) => Err(ApiError::QuotaExceeded),
            Err(e) => Err(ApiError::Internal(e.to_string())),
        }
    }

    /// `get` at time `now` (ms).
    pub async fn kv_get_at(&self, plugin_id: &str, key: &str, now: i64) -> ApiResult<Option<Vec<u8>>> {
        Self::check_key(key)?;
        self.services()?.store().kv_get(plugin_id, key, now).await.map_err(|e| ApiError::Internal(e.to_string()))
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

fn paging(page: u32, per_page: u32) -> Paging {
    Paging { page, per_page: per_page.clamp(1, crate::domain::paging::MAX_PER_PAGE) }
}

fn channels_to_plugin(channels: &[crate::domain::Channel]) -> Vec<Channel> {
    channels.iter().map(convert::channel_to_plugin).collect()
}

#[async_trait]
impl ServerApi for PluginBridge {
    async fn kv_get(&self, plugin_id: &str, key: &str) -> ApiResult<Option<Vec<u8>>> {
        self.kv_get_at(plugin_id, key, now_ms()).await
    }

    async fn kv_set(&self, plugin_id: &str, key: &str, value: Vec<u8>) -> ApiResult<()> {
        // A plain set replaces the value and clears any expiry, as Mattermost's KVSet does.
        self.kv_set_at(plugin_id, key, Some(value), KvSetOptions::default(), now_ms()).await.map(|_| ())
    }

    async fn kv_set_with_options(&self, plugin_id: &str, key: &str, value: Option<Vec<u8>>, options: KvSetOptions) -> ApiResult<bool> {
        self.kv_set_at(plugin_id, key, value, options, now_ms()).await
    }

    async fn kv_delete(&self, plugin_id: &str, key: &str) -> ApiResult<()> {
        Self::check_key(key)?;
        self.services()?.store().kv_delete(plugin_id, key).await.map_err(internal)
    }

    async fn kv_list(&self, plugin_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<String>> {
        self.services()?.store().kv_list(plugin_id, page, per_page, now_ms()).await.map_err(internal)
    }

    async fn kv_delete_all(&self, plugin_id: &str) -> ApiResult<()> {
        self.services()?.store().kv_delete_all(plugin_id).await.map_err(internal)
    }

    async fn create_post(&self, plugin_id: &str, post: Post) -> ApiResult<Post> {
        let services = self.services()?;
        let post = convert::post_from_plugin(post);
        let new = NewPost {
            user_id: post.user_id,
            channel_id: post.channel_id,
            message: post.message,
            root_id: post.root_id,
            kind: post.kind,
            props: Some(post.props),
            is_pinned: Some(post.is_pinned),
            ..NewPost::default()
        };
        run(services.posts().create_post(&Caller::plugin(plugin_id), new).await).map(|p| convert::post_to_plugin(&p))
    }

    async fn get_post(&self, plugin_id: &str, post_id: &str) -> ApiResult<Post> {
        run(self.services()?.posts().readable_post(&Caller::plugin(plugin_id), post_id).await).map(|p| convert::post_to_plugin(&p))
    }

    async fn update_post(&self, plugin_id: &str, post: Post) -> ApiResult<Post> {
        let post = convert::post_from_plugin(post);
        let edit = service::posts::PostEdit { message: Some(post.message), props: Some(post.props), is_pinned: Some(post.is_pinned) };
        run(self.services()?.posts().update_post(&Caller::plugin(plugin_id), &post.id, edit).await).map(|p| convert::post_to_plugin(&p))
    }

    async fn delete_post(&self, plugin_id: &str, post_id: &str) -> ApiResult<()> {
        run(self.services()?.posts().delete_post(&Caller::plugin(plugin_id), post_id).await)
    }

    async fn send_ephemeral_post(&self, _plugin_id: &str, user_id: &str, post: Post) -> ApiResult<Post> {
        run(self.services()?.posts().send_ephemeral_post(user_id, convert::post_from_plugin(post)).await).map(|p| convert::post_to_plugin(&p))
    }

    async fn get_channel(&self, plugin_id: &str, channel_id: &str) -> ApiResult<Channel> {
        run(self.services()?.channels().get_channel(&Caller::plugin(plugin_id), channel_id).await).map(|c| convert::channel_to_plugin(&c))
    }

    async fn get_channel_by_name(&self, plugin_id: &str, team_id: &str, name: &str) -> ApiResult<Channel> {
        run(self.services()?.channels().get_channel_by_name(&Caller::plugin(plugin_id), team_id, name).await).map(|c| convert::channel_to_plugin(&c))
    }

    async fn create_channel(&self, plugin_id: &str, channel: Channel) -> ApiResult<Channel> {
        let new = crate::domain::channel::NewChannel {
            team_id: channel.team_id,
            name: channel.name,
            display_name: channel.display_name,
            kind: channel.kind,
            purpose: channel.purpose,
            header: channel.header,
        };
        run(self.services()?.channels().create_channel(&Caller::plugin(plugin_id), new).await).map(|c| convert::channel_to_plugin(&c))
    }

    async fn get_direct_channel(&self, plugin_id: &str, user_a: &str, user_b: &str) -> ApiResult<Channel> {
        let users = [user_a.to_string(), user_b.to_string()];
        run(self.services()?.channels().create_direct_channel(&Caller::plugin(plugin_id), &users).await).map(|(c, _)| convert::channel_to_plugin(&c))
    }

    async fn add_channel_member(&self, plugin_id: &str, channel_id: &str, user_id: &str) -> ApiResult<ChannelMember> {
        run(self.services()?.channels().add_channel_member(&Caller::plugin(plugin_id), channel_id, user_id).await).map(|m| convert::member_to_plugin(&m))
    }

    async fn remove_channel_member(&self, plugin_id: &str, channel_id: &str, user_id: &str) -> ApiResult<()> {
        run(self.services()?.channels().remove_channel_member(&Caller::plugin(plugin_id), channel_id, user_id).await)
    }

    async fn list_channel_members(&self, plugin_id: &str, channel_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<ChannelMember>> {
        run(self.services()?.channels().list_channel_members(&Caller::plugin(plugin_id), channel_id, paging(page, per_page)).await)
            .map(|ms| ms.iter().map(convert::member_to_plugin).collect())
    }

    async fn get_user(&self, _plugin_id: &str, user_id: &str) -> ApiResult<User> {
        run(self.services()?.users().get_user_checked(user_id).await).map(|u| convert::user_to_plugin(&u))
    }

    async fn get_user_by_username(&self, _plugin_id: &str, username: &str) -> ApiResult<User> {
        run(self.services()?.users().get_user_by_username(username).await).map(|u| convert::user_to_plugin(&u))
    }

    async fn get_user_by_email(&self, _plugin_id: &str, email: &str) -> ApiResult<User> {
        run(self.services()?.users().get_user_by_email(email).await).map(|u| convert::user_to_plugin(&u))
    }

    async fn get_team(&self, plugin_id: &str, team_id: &str) -> ApiResult<Team> {
        run(self.services()?.teams().get_team(&Caller::plugin(plugin_id), team_id).await).map(|t| convert::team_to_plugin(&t))
    }

    async fn get_team_by_name(&self, plugin_id: &str, name: &str) -> ApiResult<Team> {
        run(self.services()?.teams().get_team_by_name(&Caller::plugin(plugin_id), name).await).map(|t| convert::team_to_plugin(&t))
    }

    async fn list_team_members(&self, plugin_id: &str, team_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<TeamMember>> {
        run(self.services()?.teams().list_team_members(&Caller::plugin(plugin_id), team_id, paging(page, per_page)).await)
            .map(|ms| ms.iter().map(convert::team_member_to_plugin).collect())
    }

    // Channels and teams added in 0.2.0: each the REST route's use case, acting as the plugin.

    async fn get_group_channel(&self, plugin_id: &str, user_ids: &[String]) -> ApiResult<Channel> {
        run(self.services()?.channels().create_group_channel(&Caller::plugin(plugin_id), user_ids).await).map(|(c, _)| convert::channel_to_plugin(&c))
    }

    async fn get_channel_member(&self, plugin_id: &str, channel_id: &str, user_id: &str) -> ApiResult<ChannelMember> {
        run(self.services()?.channels().get_channel_member(&Caller::plugin(plugin_id), channel_id, user_id).await).map(|m| convert::member_to_plugin(&m))
    }

    async fn list_team_channels(&self, plugin_id: &str, team_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<Channel>> {
        run(self.services()?.channels().list_public_channels(&Caller::plugin(plugin_id), team_id, paging(page, per_page)).await)
            .map(|cs| channels_to_plugin(&cs))
    }

    async fn list_user_channels(&self, plugin_id: &str, user_id: &str, team_id: &str) -> ApiResult<Vec<Channel>> {
        run(self.services()?.channels().channels_for_user(&Caller::plugin(plugin_id), user_id, team_id).await).map(|cs| channels_to_plugin(&cs))
    }

    async fn patch_channel(&self, plugin_id: &str, channel_id: &str, patch: ChannelPatch) -> ApiResult<Channel> {
        let patch = crate::domain::channel::ChannelPatch { name: patch.name, display_name: patch.display_name, purpose: patch.purpose, header: patch.header };
        run(self.services()?.channels().patch_channel(&Caller::plugin(plugin_id), channel_id, patch).await).map(|c| convert::channel_to_plugin(&c))
    }

    async fn archive_channel(&self, plugin_id: &str, channel_id: &str) -> ApiResult<()> {
        run(self.services()?.channels().archive_channel(&Caller::plugin(plugin_id), channel_id).await)
    }

    async fn restore_channel(&self, plugin_id: &str, channel_id: &str) -> ApiResult<Channel> {
        run(self.services()?.channels().restore_channel(&Caller::plugin(plugin_id), channel_id).await).map(|c| convert::channel_to_plugin(&c))
    }

    async fn search_channels(&self, plugin_id: &str, team_id: &str, term: &str) -> ApiResult<Vec<Channel>> {
        run(self.services()?.channels().search_channels(&Caller::plugin(plugin_id), team_id, term).await).map(|cs| channels_to_plugin(&cs))
    }

    async fn get_team_member(&self, plugin_id: &str, team_id: &str, user_id: &str) -> ApiResult<TeamMember> {
        run(self.services()?.teams().get_team_member(&Caller::plugin(plugin_id), team_id, user_id).await).map(|m| convert::team_member_to_plugin(&m))
    }

    async fn list_user_teams(&self, plugin_id: &str, user_id: &str) -> ApiResult<Vec<Team>> {
        run(self.services()?.teams().teams_for_user(&Caller::plugin(plugin_id), user_id).await).map(|ts| ts.iter().map(convert::team_to_plugin).collect())
    }

    async fn add_team_member(&self, plugin_id: &str, team_id: &str, user_id: &str) -> ApiResult<TeamMember> {
        run(self.services()?.teams().add_team_member(&Caller::plugin(plugin_id), team_id, user_id).await).map(|m| convert::team_member_to_plugin(&m))
    }

    async fn remove_team_member(&self, plugin_id: &str, team_id: &str, user_id: &str) -> ApiResult<()> {
        run(self.services()?.teams().remove_team_member(&Caller::plugin(plugin_id), team_id, user_id).await)
    }

    async fn register_command(&self, plugin_id: &str, command: Command) -> ApiResult<()> {
        run(self.services()?.plugin_commands().register(plugin_id, command))
    }

    async fn unregister_command(&self, plugin_id: &str, team_id: &str, trigger: &str) -> ApiResult<()> {
        self.services()?.plugin_commands().unregister(plugin_id, team_id, trigger);
        Ok(())
    }

    async fn plugin_settings(&self, plugin_id: &str) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
        // Values an admin saved through the API win over the directory's settings.json.
        if let Some(saved) = self.services()?.store().get_plugin_settings(plugin_id).await.map_err(internal)? {
            return Ok(saved);
        }
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

    async fn save_plugin_settings(&self, plugin_id: &str, settings: serde_json::Map<String, serde_json::Value>) -> ApiResult<()> {
        let services = self.services()?;
        let host = services.host().ok_or_else(|| ApiError::Internal("no plugin host".into()))?;
        let manifest = host.manifest(plugin_id).ok_or(ApiError::NotFound)?;
        // The same checks as an admin's save: the schema, then the plugin's own
        // `configuration-will-be-saved` (on another of its instances).
        let settings = services.plugins().settings_to_save(&manifest, settings).await.map_err(ApiError::InvalidInput)?;
        services.store().put_plugin_settings(plugin_id, &settings, now_ms()).await.map_err(internal)?;
        // Awaited, not spawned: when the call returns, every idle instance has the new
        // settings and busy ones (this caller's) refresh before their next hook.
        let _ = host.configuration_changed(plugin_id).await;
        Ok(())
    }

    fn site_url(&self) -> String {
        self.services().map(|s| s.settings().site_url.clone()).unwrap_or_default()
    }

    fn server_version(&self) -> String {
        self.services().map(|s| s.settings().server_version.clone()).unwrap_or_default()
    }

    async fn diagnostic_id(&self) -> ApiResult<String> {
        if let Some(id) = self.diagnostic_id.get() {
            return Ok(id.clone());
        }
        // Insert-if-absent in the database: every node, and every later start, reads
        // the id the first one wrote.
        let stored = self.services()?.store().ensure_secret(DIAGNOSTIC_ID, crate::ids::new_id().as_bytes(), now_ms()).await.map_err(internal)?;
        let id = String::from_utf8(stored).map_err(|_| ApiError::Internal("the stored diagnostic id is not text".into()))?;
        Ok(self.diagnostic_id.get_or_init(|| id).clone())
    }

    async fn publish_event(&self, plugin_id: &str, event: &str, data: serde_json::Value, broadcast: Broadcast) -> ApiResult<()> {
        if event.is_empty() || event.len() > 128 || !event.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
            return Err(ApiError::InvalidInput("event names are 1 to 128 of [A-Za-z0-9_.-]".into()));
        }
        let omit_users = (!broadcast.omit_users.is_empty()).then(|| broadcast.omit_users.iter().map(|u| (u.clone(), true)).collect());
        let info = crate::hub::BroadcastInfo {
            omit_users,
            user_id: broadcast.user_id,
            channel_id: broadcast.channel_id,
            team_id: broadcast.team_id,
            ..Default::default()
        };
        run(self.services()?.publish(&format!("custom_{plugin_id}_{event}"), data, info).await)
    }

    async fn ensure_bot(&self, plugin_id: &str, bot: BotSpec) -> ApiResult<String> {
        run(self.services()?.users().ensure_bot(plugin_id, &bot).await)
    }

    async fn http_request(&self, plugin_id: &str, request: OutboundRequest) -> ApiResult<OutboundResponse> {
        let services = self.services()?;
        let hop =
            PluginRequest { method: &request.method, url: &request.url, headers: &request.headers, body: request.body, max_body: request.max_response_bytes };
        match services.outbound().send_plugin_hop(hop).await {
            Ok(response) => Ok(OutboundResponse {
                status: response.status,
                // A value that is not UTF-8 (rare, and never a header a plugin needs) is
                // passed on lossily rather than failing the whole answer.
                headers: response.headers.iter().map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())).collect(),
                body: response.body,
            }),
            Err(error) => Err(outbound_error(plugin_id, &request.url, error)),
        }
    }

    async fn publish_cluster_event(&self, plugin_id: &str, event: ClusterEvent) -> ApiResult<()> {
        let services = self.services()?;
        // One node: there is no other copy of the plugin to deliver to.
        let Some(cluster) = services.cluster() else { return Ok(()) };
        crate::plugins::cluster_bus::publish_event(cluster, plugin_id, &event)
            .await
            .map_err(|e| ApiError::Internal(format!("cannot publish the cluster event: {e}")))
    }

    async fn schedule_job(&self, plugin_id: &str, name: &str, schedule: JobSchedule, payload: Vec<u8>) -> ApiResult<Job> {
        run(self.services()?.scheduler().schedule_job(plugin_id, name, schedule, payload).await)
    }

    async fn cancel_job(&self, plugin_id: &str, name: &str) -> ApiResult<bool> {
        run(self.services()?.scheduler().cancel_job(plugin_id, name).await)
    }

    async fn get_job(&self, plugin_id: &str, name: &str) -> ApiResult<Option<Job>> {
        run(self.services()?.scheduler().get_job(plugin_id, name).await)
    }

    async fn list_jobs(&self, plugin_id: &str) -> ApiResult<Vec<Job>> {
        run(self.services()?.scheduler().list_jobs(plugin_id).await)
    }

    async fn call_plugin(&self, chain: &PluginCallChain, target: &str, request: HttpRequest) -> ApiResult<HttpResponse> {
        match self.services()?.plugins().serve_from_plugin(chain, target, request).await {
            Ok(response) => Ok(response),
            Err(CallError::UnknownPlugin { .. } | CallError::NotRunning { .. } | CallError::NotImplemented { .. }) => Err(ApiError::NotFound),
            Err(e) => Err(ApiError::Internal(e.to_string())),
        }
    }

    async fn open_dialog(&self, _plugin_id: &str, trigger_id: &str, url: &str, dialog: serde_json::Value) -> ApiResult<()> {
        let dialog = serde_json::from_value(dialog).map_err(|e| ApiError::InvalidInput(format!("not a Mattermost dialog: {e}")))?;
        let request = OpenDialogRequest { trigger_id: trigger_id.to_string(), url: url.to_string(), dialog };
        run(self.services()?.actions().open_dialog(request).await)
    }

    async fn update_ephemeral_post(&self, _plugin_id: &str, user_id: &str, post: Post) -> ApiResult<Post> {
        self.bridge_update_ephemeral(user_id, post).await
    }

    async fn delete_ephemeral_post(&self, _plugin_id: &str, user_id: &str, post_id: &str) -> ApiResult<()> {
        self.bridge_delete_ephemeral(user_id, post_id).await
    }

    async fn get_post_thread(&self, plugin_id: &str, post_id: &str) -> ApiResult<Vec<Post>> {
        self.bridge_thread(plugin_id, post_id).await
    }

    async fn get_channel_posts(&self, plugin_id: &str, channel_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<Post>> {
        self.bridge_channel_posts(plugin_id, channel_id, (page, per_page), None).await
    }

    async fn get_channel_posts_since(&self, plugin_id: &str, channel_id: &str, since: i64) -> ApiResult<Vec<Post>> {
        self.bridge_channel_posts(plugin_id, channel_id, (0, 0), Some(since)).await
    }

    async fn set_post_pinned(&self, plugin_id: &str, post_id: &str, pinned: bool) -> ApiResult<Post> {
        self.bridge_set_pinned(plugin_id, post_id, pinned).await
    }

    async fn add_reaction(&self, plugin_id: &str, reaction: Reaction) -> ApiResult<Reaction> {
        self.bridge_add_reaction(plugin_id, reaction).await
    }

    async fn remove_reaction(&self, plugin_id: &str, user_id: &str, post_id: &str, emoji_name: &str) -> ApiResult<()> {
        self.bridge_remove_reaction(plugin_id, user_id, post_id, emoji_name).await
    }

    async fn list_reactions(&self, plugin_id: &str, post_id: &str) -> ApiResult<Vec<Reaction>> {
        self.bridge_reactions(plugin_id, post_id).await
    }

    async fn get_users_by_ids(&self, _plugin_id: &str, user_ids: &[String]) -> ApiResult<Vec<User>> {
        self.bridge_users_by_ids(user_ids).await
    }

    async fn list_users_in_channel(&self, plugin_id: &str, channel_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<User>> {
        self.bridge_list_users(plugin_id, users::Members::Channel(channel_id), page, per_page).await
    }

    async fn list_users_in_team(&self, plugin_id: &str, team_id: &str, page: u32, per_page: u32) -> ApiResult<Vec<User>> {
        self.bridge_list_users(plugin_id, users::Members::Team(team_id), page, per_page).await
    }

    async fn search_users(&self, plugin_id: &str, term: &str, team_id: &str, channel_id: &str, limit: u32) -> ApiResult<Vec<User>> {
        self.bridge_search_users(plugin_id, term, team_id, channel_id, limit).await
    }

    async fn get_user_status(&self, plugin_id: &str, user_id: &str) -> ApiResult<UserStatus> {
        self.bridge_get_status(plugin_id, user_id).await
    }

    async fn set_user_status(&self, plugin_id: &str, user_id: &str, status: &str) -> ApiResult<UserStatus> {
        self.bridge_set_status(plugin_id, user_id, status).await
    }

    async fn patch_user(&self, plugin_id: &str, user_id: &str, patch: UserPatch) -> ApiResult<User> {
        self.bridge_patch_user(plugin_id, user_id, patch).await
    }

    async fn set_user_active(&self, plugin_id: &str, user_id: &str, active: bool) -> ApiResult<()> {
        self.bridge_set_active(plugin_id, user_id, active).await
    }

    fn plugin_status_changed(&self, status: &PluginStatus) {
        tracing::info!(plugin_id = %status.plugin_id, state = status.state.code(), error = %status.error, "plugin status changed");
        // No one listening (a bench, a test) is fine.
        let _ = self.status_changed.send(());
        // A plugin that starts may have jobs due (missed while it was stopped).
        if status.state == confab_host::PluginState::Running
            && let Some(services) = self.services.upgrade()
        {
            services.jobs().wake();
        }
    }
}

mod posts;
#[cfg(test)]
mod tests;
mod users;
