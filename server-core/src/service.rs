//! The use cases: permission checks, plugin hooks, persistence and WebSocket broadcasts, one module per resource.
//!
//! Every way into the server (HTTP handlers, the plugin API, later webhooks and slash
//! commands) calls these functions, so a post made by any of them passes the same
//! `message-will-be-posted` chain and reaches the same listeners. A [`Caller`] says who
//! is acting: a signed-in user (checked against Mattermost's default permissions) or a
//! plugin (already checked by the host against its granted capabilities).

pub mod actions;
pub mod auth;
pub mod channels;
pub mod commands;
pub mod convert;
mod plugin_commands;
pub mod posts;
pub mod sessions;
pub mod slack;
pub mod status;
pub mod teams;
pub mod trigger_id;
pub mod users;
pub mod webhooks;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use confab_host::PluginHost;
use confab_host::types::PluginContext;
use serde_json::Value;

use crate::domain::{Invalid, User};
use crate::hub::{BroadcastInfo, Event, Hub, Recipients};
use crate::outbound::{Outbound, OutboundPolicy};
use crate::store::{self, Store};

pub use convert::{
    channel_to_plugin, member_to_plugin, post_from_plugin, post_to_plugin, reaction_to_plugin, team_member_to_plugin, team_to_plugin, user_to_plugin,
};

/// Why a use case failed. The API layer turns each into Mattermost's error body; the
/// plugin bridge into the WIT error variant.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such object, or one the caller may not know exists.
    #[error("{message}")]
    NotFound { id: &'static str, message: String },
    /// The input broke a rule.
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// The object already exists (a name is taken).
    #[error("{message}")]
    Conflict { id: &'static str, message: String },
    /// No valid session.
    #[error("{message}")]
    Unauthorized { id: &'static str, message: String },
    /// Signed in, but not allowed.
    #[error("{message}")]
    Forbidden { id: &'static str, message: String },
    /// A plugin's will-hook refused the post or login.
    #[error("rejected by plugin {plugin_id}: {reason}")]
    RejectedByPlugin { plugin_id: String, reason: String },
    /// A plugin's will-hook dropped the post silently.
    #[error("dismissed by plugin {plugin_id}")]
    DismissedByPlugin { plugin_id: String },
    /// A plugin went over its KV quota or a size limit.
    #[error("{0}")]
    QuotaExceeded(String),
    /// The server is too busy to do it now (503 with `Retry-After`).
    #[error("{message}")]
    Unavailable { id: &'static str, message: String },
    /// The server failed; the detail is logged, not shown.
    #[error("{0}")]
    Internal(String),
}

impl From<store::Error> for Error {
    fn from(e: store::Error) -> Error {
        match e {
            // Text PostgreSQL cannot hold is the input's fault: a 400, as the API's own
            // check would have answered.
            store::Error::InvalidText(_) => Error::Invalid(crate::domain::text::nul_refused()),
            // Callers map NotFound and Conflict themselves where they mean something
            // specific; reaching here means the store failed.
            e => Error::Internal(e.to_string()),
        }
    }
}

/// Result of a use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The generic 403.
    pub fn forbidden() -> Error {
        Error::Forbidden { id: "api.context.permissions.app_error", message: "You do not have the appropriate permissions.".into() }
    }

    /// A 404 with Mattermost's id for the kind of object.
    pub fn not_found(id: &'static str, what: &str) -> Error {
        Error::NotFound { id, message: format!("Unable to find the {what}.") }
    }
}

/// Who is acting.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in user, through a session or a personal access token.
    User {
        /// The account, as loaded when the request was authenticated.
        user: Box<User>,
        /// The session id (a token's id for personal access tokens).
        session_id: String,
    },
    /// A plugin through the plugin API.
    Plugin(String),
}

/// An actor plus the request context handed to plugin hooks.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub ctx: PluginContext,
}

impl Caller {
    /// A plugin acting through the plugin API.
    pub fn plugin(plugin_id: &str) -> Caller {
        Caller { actor: Actor::Plugin(plugin_id.to_string()), ctx: PluginContext::default() }
    }

    /// The acting user's id; empty for plugins.
    pub fn user_id(&self) -> &str {
        match &self.actor {
            Actor::User { user, .. } => &user.id,
            Actor::Plugin(_) => "",
        }
    }

    /// The acting user, if a user acts.
    pub fn user(&self) -> Option<&User> {
        match &self.actor {
            Actor::User { user, .. } => Some(user),
            Actor::Plugin(_) => None,
        }
    }

    /// System admins and plugins pass every permission check (plugins were checked
    /// against their capability grant by the host).
    pub fn is_admin(&self) -> bool {
        match &self.actor {
            Actor::User { user, .. } => user.is_admin(),
            Actor::Plugin(_) => true,
        }
    }

    /// `Forbidden` unless admin (or plugin).
    pub fn require_admin(&self) -> Result<()> {
        if self.is_admin() { Ok(()) } else { Err(Error::forbidden()) }
    }

    /// `Forbidden` unless acting as `user_id` or admin.
    pub fn require_self_or_admin(&self, user_id: &str) -> Result<()> {
        if self.user_id() == user_id || self.is_admin() { Ok(()) } else { Err(Error::forbidden()) }
    }
}

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether anyone may sign up (`POST /users` without a session); the first
    /// account can always be created.
    pub open_server: bool,
    /// Largest KV value a plugin may store.
    pub kv_max_value_bytes: usize,
    /// Most KV bytes one plugin may store in all.
    pub kv_quota_bytes: i64,
    /// Session lifetime.
    pub session_ttl_ms: i64,
    /// This server's version, for `hello`.
    pub server_version: String,
    /// What requests the server makes on its own may reach.
    pub outbound: OutboundPolicy,
    /// Integrations may set a post's shown name (`EnablePostUsernameOverride`).
    pub enable_post_username_override: bool,
    /// Integrations may set a post's shown icon (`EnablePostIconOverride`).
    pub enable_post_icon_override: bool,
    /// Incoming and outgoing webhooks.
    pub webhooks: webhooks::WebhookSettings,
    /// What users see of other users (`PrivacySettings`).
    pub privacy: crate::domain::user::Privacy,
    /// Lock-out after failed logins, and the password-hashing pool.
    pub login: auth::LoginSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            open_server: true,
            kv_max_value_bytes: 1024 * 1024,
            kv_quota_bytes: 64 * 1024 * 1024,
            session_ttl_ms: 30 * 24 * 3600 * 1000,
            server_version: env!("CARGO_PKG_VERSION").to_string(),
            outbound: OutboundPolicy { timeout: std::time::Duration::from_secs(30), ..OutboundPolicy::default() },
            enable_post_username_override: false,
            enable_post_icon_override: false,
            webhooks: webhooks::WebhookSettings::default(),
            privacy: crate::domain::user::Privacy::default(),
            login: auth::LoginSettings::default(),
        }
    }
}

/// The services. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    hub: Arc<Hub>,
    settings: Settings,
    /// The guarded client for webhooks, command and action URLs, downloads.
    outbound: Outbound,
    /// Set once after the host exists (the host needs the plugin API, which needs the
    /// services, so one of the two must be filled in later). `None` until then: no
    /// hooks run, which only happens during start-up.
    host: OnceLock<PluginHost>,
    /// Slash commands plugins registered: (team id or "", trigger) → plugin id.
    /// In memory, like Mattermost's plugin commands: plugins register them again on
    /// every activation.
    commands: std::sync::RwLock<HashMap<(String, String), (String, confab_host::types::Command)>>,
    /// See `posts::LoopGuard`.
    loop_guard: posts::LoopGuard,
    /// Seals action cookies and trigger ids; see `actions`.
    sealer: OnceLock<crate::sealed::Sealer>,
    /// Every password hash and check runs here (bounded, memory reused).
    passwords: auth::password::PasswordPool,
}

impl Services {
    /// Services over `store`, publishing to `hub`.
    pub fn new(store: Store, hub: Arc<Hub>, settings: Settings) -> Services {
        let passwords = auth::password::PasswordPool::new(&settings.login.hashing);
        Services {
            inner: Arc::new(Inner {
                store,
                hub,
                outbound: Outbound::new(settings.outbound.clone()),
                settings,
                host: OnceLock::new(),
                commands: Default::default(),
                loop_guard: posts::LoopGuard::default(),
                sealer: OnceLock::new(),
                passwords,
            }),
        }
    }

    /// Attach the plugin host; hooks run from now on.
    pub fn set_host(&self, host: PluginHost) {
        let _ = self.inner.host.set(host);
    }

    /// The plugin host, once attached.
    pub fn host(&self) -> Option<&PluginHost> {
        self.inner.host.get()
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The WebSocket hub.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.inner.hub
    }

    /// The guarded client for requests the server makes on its own.
    pub fn outbound(&self) -> &Outbound {
        &self.inner.outbound
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// A weak handle, for the plugin bridge (the host holds the bridge; a strong
    /// handle would keep everything alive in a cycle).
    pub fn downgrade(&self) -> WeakServices {
        WeakServices(Arc::downgrade(&self.inner))
    }

    /// Register a plugin's slash command.
    pub fn register_command(&self, plugin_id: &str, command: confab_host::types::Command) -> Result<()> {
        let trigger = command.trigger.trim_start_matches('/').to_lowercase();
        if trigger.is_empty() || trigger.contains(char::is_whitespace) || trigger.len() > 128 {
            return Err(Invalid::new("model.command.is_valid.trigger.app_error", "Invalid trigger.").into());
        }
        let mut commands = self.inner.commands.write().unwrap();
        let key = (command.team_id.clone(), trigger);
        if let Some((owner, _)) = commands.get(&key)
            && owner != plugin_id
        {
            return Err(Error::Conflict { id: "api.command.duplicate_trigger.app_error", message: format!("The trigger /{} is already registered.", key.1) });
        }
        commands.insert(key, (plugin_id.to_string(), command));
        Ok(())
    }

    /// Remove a plugin's slash command.
    pub fn unregister_command(&self, plugin_id: &str, team_id: &str, trigger: &str) {
        let key = (team_id.to_string(), trigger.trim_start_matches('/').to_lowercase());
        let mut commands = self.inner.commands.write().unwrap();
        if commands.get(&key).is_some_and(|(owner, _)| owner == plugin_id) {
            commands.remove(&key);
        }
    }

    /// The plugin serving `/trigger` in `team_id` (a team-specific registration wins).
    pub fn command_owner(&self, team_id: &str, trigger: &str) -> Option<String> {
        let commands = self.inner.commands.read().unwrap();
        let trigger = trigger.to_lowercase();
        commands.get(&(team_id.to_string(), trigger.clone())).or_else(|| commands.get(&(String::new(), trigger))).map(|(owner, _)| owner.clone())
    }

    /// Send an event to the users allowed to see it: a user, a channel's members, a
    /// team's members, or everyone, in that order of precedence (Mattermost's
    /// broadcast rules), minus `omit_users`.
    pub async fn publish(&self, event: &str, data: Value, broadcast: BroadcastInfo) -> Result<()> {
        let recipients = if !broadcast.user_id.is_empty() {
            Recipients::Users(HashSet::from([broadcast.user_id.clone()]))
        } else if !broadcast.channel_id.is_empty() {
            Recipients::Users(self.store().channel_member_ids(&broadcast.channel_id).await?.into_iter().collect())
        } else if !broadcast.team_id.is_empty() {
            Recipients::Users(self.store().team_member_ids(&broadcast.team_id).await?.into_iter().collect())
        } else {
            Recipients::All
        };
        self.hub().send(Event { event: event.to_string(), data, broadcast }, &recipients);
        Ok(())
    }

    /// Publish, logging instead of failing: the write it reports has already happened.
    pub(crate) async fn publish_logged(&self, event: &str, data: Value, broadcast: BroadcastInfo) {
        if let Err(e) = self.publish(event, data, broadcast).await {
            tracing::error!(event, error = %e, "could not publish a websocket event");
        }
    }
}

/// A [`Services`] handle that does not keep the services alive.
#[derive(Clone)]
pub struct WeakServices(std::sync::Weak<Inner>);

impl WeakServices {
    /// The services, unless they were dropped (server stopped).
    pub fn upgrade(&self) -> Option<Services> {
        self.0.upgrade().map(|inner| Services { inner })
    }
}

/// Milliseconds since the Unix epoch, Mattermost's timestamp unit.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A broadcast to one channel.
pub(crate) fn to_channel(channel_id: &str) -> BroadcastInfo {
    BroadcastInfo { channel_id: channel_id.to_string(), ..BroadcastInfo::default() }
}

/// A broadcast to one user.
pub(crate) fn to_user(user_id: &str) -> BroadcastInfo {
    BroadcastInfo { user_id: user_id.to_string(), ..BroadcastInfo::default() }
}

/// A broadcast to one team.
pub(crate) fn to_team(team_id: &str) -> BroadcastInfo {
    BroadcastInfo { team_id: team_id.to_string(), ..BroadcastInfo::default() }
}
