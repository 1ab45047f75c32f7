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
mod consume;
pub mod convert;
pub(crate) mod departed;
mod fanout;
pub mod lookups;
pub mod plugin_settings;
pub mod plugins;
pub mod posts;
pub mod preferences;
pub mod scheduler;
pub mod sessions;
pub mod slack;
pub mod status;
pub mod teams;
pub mod trigger_id;
pub mod unreads;
pub mod users;
pub mod webhooks;
pub mod websocket;

use std::collections::HashSet;
use std::sync::Arc;

use confab_host::PluginHost;
use confab_host::types::PluginContext;
use serde_json::Value;

use crate::cluster::Cluster;
use crate::domain::error_ids;
use crate::domain::{Invalid, User};
use crate::hub::{BroadcastInfo, Event, Hub, Recipients};
use crate::outbound::{Outbound, OutboundPolicy};
use crate::sealed::Sealer;
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
    /// A feature the administrator turned off (Mattermost answers 501).
    #[error("{message}")]
    Disabled { id: &'static str, message: String },
    /// Something the use case called failed: a command or action URL, a plugin, or the
    /// post an integration's answer was to become. Reported with its own id.
    #[error("{message}")]
    Upstream { id: &'static str, message: String, detail: String },
    /// A plugin went over its KV quota or a size limit.
    #[error("{0}")]
    QuotaExceeded(String),
    /// The server is too busy to do it now (503 with `Retry-After`).
    #[error("{message}")]
    Unavailable { id: &'static str, message: String },
    /// The server failed; the source is logged, not shown.
    #[error("{0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<store::Error> for Error {
    fn from(e: store::Error) -> Error {
        match e {
            // Text PostgreSQL cannot hold is the input's fault: a 400, as the API's own
            // check would have answered.
            store::Error::InvalidText(_) => Error::Invalid(crate::domain::text::nul_refused()),
            // Callers map NotFound and Conflict themselves where they mean something
            // specific; reaching here means the store failed.
            e => Error::Internal(Box::new(e)),
        }
    }
}

/// Result of a use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The generic 403.
    pub fn forbidden() -> Error {
        Error::Forbidden { id: error_ids::context::PERMISSIONS, message: "You do not have the appropriate permissions.".into() }
    }

    /// A failure of the server itself, described by `detail`.
    pub fn internal(detail: impl Into<String>) -> Error {
        Error::Internal(detail.into().into())
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
    /// The public URL (`--site-url`, else the listener's address), no trailing slash.
    pub site_url: String,
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
    /// Whether posts update unread and mention counts; off only for bench B3's
    /// baseline (`--bench-without-unreads`).
    pub unread_bookkeeping: bool,
    /// Plugins' scheduled jobs: quota, minimum interval, run rate, concurrency.
    pub jobs: scheduler::JobSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            site_url: String::new(),
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
            unread_bookkeeping: true,
            jobs: scheduler::JobSettings::default(),
        }
    }
}

/// The shared context every area service works over: the store, the hub, the plugin
/// host, the settings, the outbound client, the sealer, the password pool and the
/// registry of plugins' slash commands. Cheap to clone.
///
/// Use cases live on the area services it hands out ([`Services::posts`],
/// [`Services::channels`], ...): each is a borrowed view of this context, so a use
/// case reaches the shared parts directly and another area through its accessor.
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
    /// `None` only for services built without plugins (tools and tests): no hooks run.
    host: Option<PluginHost>,
    /// Slash commands plugins registered.
    plugin_commands: commands::PluginCommands,
    /// See `posts::LoopGuard`.
    loop_guard: posts::LoopGuard,
    /// Seals action cookies and trigger ids; see `actions`.
    sealer: Sealer,
    /// Every password hash and check runs here (bounded, memory reused).
    passwords: auth::password::PasswordPool,
    /// The job runner's wake-up, guard and counters.
    jobs: Arc<scheduler::SchedulerState>,
    /// This node's link to the others; `None` on a single node.
    cluster: Option<Arc<Cluster>>,
}

/// Builds [`Services`]; the host and the sealer are given here, before the services
/// are shared, so nothing is filled in later.
pub struct ServicesBuilder {
    store: Store,
    hub: Arc<Hub>,
    settings: Settings,
    sealer: Option<Sealer>,
    cluster: Option<Arc<Cluster>>,
}

impl ServicesBuilder {
    /// Seal action cookies with `sealer` (its key is the database's, shared by every
    /// node). Without it a per-process random key is used.
    pub fn sealer(mut self, sealer: Sealer) -> ServicesBuilder {
        self.sealer = Some(sealer);
        self
    }

    /// Run as a node of `cluster`: events, hub commands and presence go through it.
    pub fn cluster(mut self, cluster: Arc<Cluster>) -> ServicesBuilder {
        self.cluster = Some(cluster);
        self
    }

    /// Services without a plugin host: no hooks run.
    pub fn build(self) -> Services {
        Services { inner: Arc::new(self.into_inner(None)) }
    }

    /// Services with the host `make_host` builds. The host needs the plugin bridge and
    /// the bridge needs the services, so `make_host` gets a weak handle to the services
    /// being built (it upgrades only once this returns; the host holds the bridge, and a
    /// strong handle would keep everything alive in a cycle).
    pub fn build_with_host<E>(self, make_host: impl FnOnce(WeakServices) -> Result<PluginHost, E>) -> Result<Services, E> {
        let mut failed = None;
        let inner = Arc::new_cyclic(|weak| {
            let host = make_host(WeakServices(weak.clone())).map_err(|e| failed = Some(e)).ok();
            self.into_inner(host)
        });
        match failed {
            Some(e) => Err(e),
            None => Ok(Services { inner }),
        }
    }

    fn into_inner(self, host: Option<PluginHost>) -> Inner {
        let passwords = auth::password::PasswordPool::new(&self.settings.login.hashing);
        let jobs = Arc::new(scheduler::SchedulerState::new(&self.settings.jobs));
        Inner {
            store: self.store,
            hub: self.hub,
            outbound: Outbound::new(self.settings.outbound.clone()),
            settings: self.settings,
            host,
            plugin_commands: Default::default(),
            loop_guard: posts::LoopGuard::default(),
            sealer: self.sealer.unwrap_or_else(Sealer::random),
            passwords,
            jobs,
            cluster: self.cluster,
        }
    }
}

/// Declares an area service: a borrowed, copyable view of [`Services`] whose use cases
/// are the `impl` blocks of its module, and the accessor that hands it out. It derefs to
/// the context so use cases reach the store, hub, host and settings directly.
macro_rules! area {
    ($(#[$doc:meta])* $name:ident, $accessor:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name<'a>(&'a $crate::service::Services);

        impl std::ops::Deref for $name<'_> {
            type Target = $crate::service::Services;
            fn deref(&self) -> &$crate::service::Services {
                self.0
            }
        }

        impl $crate::service::Services {
            #[doc = concat!("The ", stringify!($accessor), " use cases.")]
            pub fn $accessor(&self) -> $name<'_> {
                $name(self)
            }
        }
    };
}
pub(crate) use area;

impl Services {
    /// Start building services over `store`, publishing to `hub`.
    pub fn builder(store: Store, hub: Arc<Hub>, settings: Settings) -> ServicesBuilder {
        ServicesBuilder { store, hub, settings, sealer: None, cluster: None }
    }

    /// Services without plugins and with a random sealing key (tools and tests).
    pub fn new(store: Store, hub: Arc<Hub>, settings: Settings) -> Services {
        Services::builder(store, hub, settings).build()
    }

    /// The plugin host; `None` when built without one.
    pub fn host(&self) -> Option<&PluginHost> {
        self.inner.host.as_ref()
    }

    /// This node's cluster membership; `None` on a single node.
    pub fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.inner.cluster.as_ref()
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

    /// The key action cookies and trigger ids are sealed with.
    pub(crate) fn sealer(&self) -> &Sealer {
        &self.inner.sealer
    }

    /// The password pool.
    pub(crate) fn passwords(&self) -> &auth::password::PasswordPool {
        &self.inner.passwords
    }

    /// The slash commands plugins registered.
    pub fn plugin_commands(&self) -> &commands::PluginCommands {
        &self.inner.plugin_commands
    }

    /// The scheduler's shared state (the job runner's wake-up, guard, counters).
    pub fn jobs(&self) -> &Arc<scheduler::SchedulerState> {
        &self.inner.jobs
    }

    /// The guard against plugins answering each other's posts forever.
    pub(crate) fn loop_guard(&self) -> &posts::LoopGuard {
        &self.inner.loop_guard
    }

    /// A weak handle, for whoever must not keep the services alive.
    pub fn downgrade(&self) -> WeakServices {
        WeakServices(Arc::downgrade(&self.inner))
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
        self.deliver(Event { event: event.to_string(), data, broadcast }, recipients).await;
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
