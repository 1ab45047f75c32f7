//! `Config`: everything `confab serve` can be told, each setting a flag with a `CONFAB_*` environment variable.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

mod login_security;

pub use login_security::LoginSecurity;

/// The tracing filter used when neither `--log` nor `CONFAB_LOG` says otherwise.
pub const DEFAULT_LOG_FILTER: &str = "confab_server=info,confab_host=info,confab_plugin=info";

/// Settings of `confab serve`. `Default` is what running with no flags gives, except
/// that the listener is bound by the caller (`run` takes a bound listener).
#[derive(Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "CONFAB_LISTEN", default_value = "127.0.0.1:8065")]
    pub listen: SocketAddr,

    /// Directory for the server's data (plugins, the plugin compile cache).
    #[arg(long, env = "CONFAB_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Directory of installed plugins, one subdirectory per plugin
    /// (`plugin.json` + its component). Defaults to `<data-dir>/plugins`.
    #[arg(long, env = "CONFAB_PLUGIN_DIR")]
    pub plugin_dir: Option<PathBuf>,

    /// Database: `sqlite://<path>?mode=rwc` or `postgres://user:pass@host/db`.
    /// Defaults to the SQLite file `<data-dir>/confab.db`.
    #[arg(long, env = "CONFAB_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Longest a request waits for a database connection before it fails with a 500.
    /// While the database is unreachable every request waits this long (the pool keeps
    /// retrying the connect), so it is short; a busy pool hands connections over in
    /// milliseconds.
    #[arg(long, env = "CONFAB_DATABASE_ACQUIRE_TIMEOUT_SECS", default_value_t = 10)]
    pub database_acquire_timeout_secs: u64,

    /// The URL clients reach this server at (Mattermost's `SiteURL`). Defaults to
    /// `http://<listen>`.
    #[arg(long, env = "CONFAB_SITE_URL")]
    pub site_url: Option<String>,

    /// Whether anyone may create an account (`POST /api/v4/users` without a session).
    /// The first account can always be created, and becomes system admin.
    #[arg(long, env = "CONFAB_OPEN_SERVER", default_value_t = true, action = clap::ArgAction::Set)]
    pub open_server: bool,

    /// Largest value a plugin may store in its KV store, in bytes.
    #[arg(long, env = "CONFAB_PLUGIN_KV_MAX_VALUE_BYTES", default_value_t = 1024 * 1024)]
    pub plugin_kv_max_value_bytes: usize,

    /// Most bytes one plugin may keep in its KV store.
    #[arg(long, env = "CONFAB_PLUGIN_KV_QUOTA_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub plugin_kv_quota_bytes: i64,

    /// Most scheduled jobs one plugin may hold (the `scheduler` permission); a new job
    /// past it is refused with `quota-exceeded`.
    #[arg(long, env = "CONFAB_PLUGIN_JOB_QUOTA", default_value_t = 1000)]
    pub plugin_job_quota: i64,

    /// Running time a plugin's hook call gets at full speed, in milliseconds; past it
    /// the call is paced (see `plugin_pacing_share_percent`).
    #[arg(long, env = "CONFAB_PLUGIN_PACING_GRACE_MS", default_value_t = 10)]
    pub plugin_pacing_grace_ms: u64,

    /// The share of one thread, in percent (1–100), that a plugin's hook calls past
    /// their grace get together; 100 paces a plugin only when several of its calls run
    /// long at once.
    #[arg(long, env = "CONFAB_PLUGIN_PACING_SHARE_PERCENT", default_value_t = 25, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub plugin_pacing_share_percent: u32,

    /// Whether admins may upload plugin bundles or install them from a URL
    /// (Mattermost's `PluginSettings.EnableUploads`, off by default there too).
    #[arg(long, env = "CONFAB_ENABLE_PLUGIN_UPLOADS", default_value_t = false, action = clap::ArgAction::Set)]
    pub enable_plugin_uploads: bool,

    /// Largest plugin bundle accepted (upload, URL, marketplace), in bytes; bigger
    /// uploads get 413.
    #[arg(long, env = "CONFAB_PLUGIN_MAX_BUNDLE_BYTES", default_value_t = 50 * 1024 * 1024)]
    pub plugin_max_bundle_bytes: usize,

    /// Most entries (files and directories) a bundle may contain.
    #[arg(long, env = "CONFAB_PLUGIN_MAX_BUNDLE_ENTRIES", default_value_t = 4096)]
    pub plugin_max_bundle_entries: usize,

    /// Most bytes a bundle may unpack to.
    #[arg(long, env = "CONFAB_PLUGIN_MAX_UNPACKED_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub plugin_max_unpacked_bytes: u64,

    /// Refuse plugin bundles without a valid signature by a trusted key, on every
    /// install path (Mattermost's `RequirePluginSignature`).
    #[arg(long, env = "CONFAB_REQUIRE_PLUGIN_SIGNATURE", default_value_t = false, action = clap::ArgAction::Set)]
    pub require_plugin_signature: bool,

    /// Files holding trusted ed25519 public keys (base64, as `confab plugin keygen`
    /// writes them), comma-separated.
    #[arg(long, env = "CONFAB_PLUGIN_SIGNATURE_PUBLIC_KEYS", value_delimiter = ',')]
    pub plugin_signature_public_keys: Vec<PathBuf>,

    /// Whether the marketplace routes are on (Mattermost's `EnableMarketplace`).
    #[arg(long, env = "CONFAB_ENABLE_MARKETPLACE", default_value_t = true, action = clap::ArgAction::Set)]
    pub enable_marketplace: bool,

    /// The marketplace index: an http(s) URL or a file path of the JSON that
    /// `confab marketplace build` writes. No marketplace when unset.
    #[arg(long, env = "CONFAB_MARKETPLACE_URL")]
    pub marketplace_url: Option<String>,

    /// Benchmarks only (bench B3's baseline): store posts without their unread and
    /// mention bookkeeping, so that its cost can be measured in the same run. Counts are
    /// then wrong; hidden from `--help`.
    #[arg(long, env = "CONFAB_BENCH_WITHOUT_UNREADS", default_value_t = false, action = clap::ArgAction::Set, hide = true)]
    pub bench_without_unreads: bool,

    /// Watch the plugin directory and hot-reload a plugin whose files change
    /// (development; debounced).
    #[arg(long, env = "CONFAB_WATCH_PLUGINS", default_value_t = false, action = clap::ArgAction::Set)]
    pub watch_plugins: bool,

    /// Internal hosts the server may call for integrations (webhooks, command and action
    /// URLs, plugin downloads, plugins' outbound HTTP), which are otherwise refused: host names, IP addresses and
    /// CIDR ranges separated by spaces or commas (Mattermost's
    /// `AllowedUntrustedInternalConnections`), e.g. `localhost 10.0.0.0/8`.
    #[arg(long, env = "CONFAB_ALLOWED_UNTRUSTED_INTERNAL_CONNECTIONS", default_value = "")]
    pub allowed_untrusted_internal_connections: String,

    /// Seconds an outbound integration request may take in all (Mattermost's
    /// `OutgoingIntegrationRequestsTimeout`); a plugin's request also ends at its hook's
    /// deadline.
    #[arg(long, env = "CONFAB_OUTGOING_INTEGRATION_REQUESTS_TIMEOUT", default_value_t = 30)]
    pub outgoing_integration_requests_timeout: u64,
    /// Whether integrations (webhooks, slash commands) may set the name a post shows
    /// (Mattermost's `EnablePostUsernameOverride`).
    #[arg(long, env = "CONFAB_ENABLE_POST_USERNAME_OVERRIDE", default_value_t = false, action = clap::ArgAction::Set)]
    pub enable_post_username_override: bool,

    /// Whether integrations may set the icon a post shows (`EnablePostIconOverride`).
    #[arg(long, env = "CONFAB_ENABLE_POST_ICON_OVERRIDE", default_value_t = false, action = clap::ArgAction::Set)]
    pub enable_post_icon_override: bool,

    /// Whether integrations may post through incoming webhooks (`EnableIncomingWebhooks`).
    #[arg(long, env = "CONFAB_ENABLE_INCOMING_WEBHOOKS", default_value_t = true, action = clap::ArgAction::Set)]
    pub enable_incoming_webhooks: bool,

    /// Whether outgoing webhooks fire (`EnableOutgoingWebhooks`).
    #[arg(long, env = "CONFAB_ENABLE_OUTGOING_WEBHOOKS", default_value_t = true, action = clap::ArgAction::Set)]
    pub enable_outgoing_webhooks: bool,

    /// Longest message in runes an incoming or outgoing webhook posts as one post;
    /// longer ones are split into several (`MaxPostSize`). At most 16383, the
    /// longest post there is.
    #[arg(long, env = "CONFAB_MAX_POST_SIZE", default_value_t = 16383)]
    pub max_post_size: usize,

    /// Origins, besides the site URL's and the request's own host, whose pages may open
    /// a WebSocket authenticated by the session cookie: separated by spaces, `*` for
    /// any (Mattermost's `AllowCorsFrom`), e.g. `https://app.example.com`.
    #[arg(long, env = "CONFAB_ALLOW_CORS_FROM", default_value = "")]
    pub allow_cors_from: String,

    /// Whether other users see a user's email address (Mattermost's
    /// `PrivacySettings.ShowEmailAddress`); the user and system admins always do.
    #[arg(long, env = "CONFAB_SHOW_EMAIL_ADDRESS", default_value_t = false, action = clap::ArgAction::Set)]
    pub show_email_address: bool,

    /// Whether other users see a user's first and last name (`ShowFullName`).
    #[arg(long, env = "CONFAB_SHOW_FULL_NAME", default_value_t = true, action = clap::ArgAction::Set)]
    pub show_full_name: bool,

    /// Client addresses `/metrics` answers without a session: IP addresses and CIDR
    /// ranges separated by spaces or commas. System admins' sessions work from
    /// anywhere. Behind a reverse proxy on the same host every client is loopback:
    /// block `/metrics` there or use `--metrics-listen`.
    #[arg(long, env = "CONFAB_METRICS_ALLOWED_FROM", default_value = DEFAULT_METRICS_ALLOWED_FROM)]
    pub metrics_allowed_from: IpRanges,

    /// Serve `/metrics` on this address only, to whoever reaches it (Mattermost's
    /// `MetricsSettings.ListenAddress`); the main listener then answers 404 there.
    #[arg(long, env = "CONFAB_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Run as one node of a cluster: the NATS server (JetStream on) the nodes talk
    /// through, e.g. `nats://127.0.0.1:4222`. Needs PostgreSQL. Unset: a single node, no
    /// NATS connection.
    #[arg(long, env = "CONFAB_CLUSTER_NATS_URL")]
    pub cluster_nats_url: Option<String>,

    /// This node's name in the cluster (letters, digits, `-`, `_`). Defaults to an id
    /// generated once and kept in `<data-dir>/cluster-node-id`.
    #[arg(long, env = "CONFAB_CLUSTER_NODE_ID")]
    pub cluster_node_id: Option<String>,

    /// Login lock-out, password hashing and rate limits (`config/login_security.rs`).
    #[command(flatten)]
    pub login_security: LoginSecurity,

    /// Log filter in `tracing` EnvFilter syntax, e.g. `info` or `confab_host=debug`.
    #[arg(long, env = "CONFAB_LOG", default_value = DEFAULT_LOG_FILTER)]
    pub log: String,

    /// A TOML file of settings, keys named like the flags (`database_url = "..."` or
    /// `database-url = "..."`). Flags and environment variables win over it.
    #[arg(long = "config", env = "CONFAB_CONFIG")]
    pub config_file: Option<PathBuf>,
}

/// Loopback, so a Prometheus on the same host keeps working.
pub const DEFAULT_METRICS_ALLOWED_FROM: &str = "127.0.0.0/8 ::1";

/// IP addresses and CIDR ranges, written separated by spaces or commas.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpRanges(pub Vec<ipnet::IpNet>);

impl IpRanges {
    /// Whether `ip` is in one of the ranges (an IPv4 address written as IPv6,
    /// `::ffff:127.0.0.1`, counts as the IPv4 one).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

impl std::str::FromStr for IpRanges {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parse = |entry: &str| {
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{entry}` is neither an IP address nor a CIDR range"))
        };
        text.split([' ', ',', '\n', '\t']).filter(|e| !e.is_empty()).map(parse).collect::<Result<_, _>>().map(IpRanges)
    }
}

impl std::fmt::Display for IpRanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&entries.join(" "))
    }
}

/// Why the settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// It could not be read.
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    /// It is not TOML, or a value is not a string, number or boolean.
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The command line with the settings file's values added as flags, right after the
/// subcommand, for settings given neither as a flag nor in the environment; clap then
/// parses one argument list, so precedence is flags, environment, file, defaults.
/// The file is named by `--config <path>` (or `--config=<path>`) or `CONFAB_CONFIG`.
pub fn with_config_file(args: Vec<OsString>) -> Result<Vec<OsString>, ConfigFileError> {
    let text_args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let from_flag = text_args.iter().enumerate().find_map(|(i, a)| match a.strip_prefix("--config") {
        Some("") => text_args.get(i + 1).cloned(),
        Some(rest) => rest.strip_prefix('=').map(str::to_string),
        None => None,
    });
    let Some(path) = from_flag.or_else(|| std::env::var("CONFAB_CONFIG").ok()).map(PathBuf::from) else { return Ok(args) };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigFileError::Read { path: path.clone(), source })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| ConfigFileError::Invalid { path: path.clone(), message: e.to_string() })?;
    let mut added = Vec::new();
    for (key, value) in table {
        let flag = format!("--{}", key.replace('_', "-"));
        let env = format!("CONFAB_{}", key.replace('-', "_").to_uppercase());
        let given = text_args.iter().any(|a| *a == flag || a.starts_with(&format!("{flag}=")));
        if given || std::env::var_os(&env).is_some() {
            continue;
        }
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(ConfigFileError::Invalid { path, message: format!("`{key}`: expected a string, number or boolean, found {}", other.type_str()) });
            }
        };
        added.push(OsString::from(format!("{flag}={value}")));
    }
    // After the subcommand (`confab serve ...`), where the flags belong.
    let at = text_args.iter().position(|a| a == "serve").map_or(args.len(), |i| i + 1);
    let mut out = args;
    out.splice(at..at, added);
    Ok(out)
}

/// Written by hand so the database password never reaches a log line.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("plugin_dir", &self.plugin_dir)
            .field("database_url", &self.database_url.as_deref().map(crate::store::redact))
            .field("database_acquire_timeout_secs", &self.database_acquire_timeout_secs)
            .field("site_url", &self.site_url)
            .field("open_server", &self.open_server)
            .field("plugin_kv_max_value_bytes", &self.plugin_kv_max_value_bytes)
            .field("plugin_kv_quota_bytes", &self.plugin_kv_quota_bytes)
            .field("plugin_job_quota", &self.plugin_job_quota)
            .field("plugin_pacing_grace_ms", &self.plugin_pacing_grace_ms)
            .field("plugin_pacing_share_percent", &self.plugin_pacing_share_percent)
            .field("enable_plugin_uploads", &self.enable_plugin_uploads)
            .field("plugin_max_bundle_bytes", &self.plugin_max_bundle_bytes)
            .field("plugin_max_bundle_entries", &self.plugin_max_bundle_entries)
            .field("plugin_max_unpacked_bytes", &self.plugin_max_unpacked_bytes)
            .field("require_plugin_signature", &self.require_plugin_signature)
            .field("plugin_signature_public_keys", &self.plugin_signature_public_keys)
            .field("enable_marketplace", &self.enable_marketplace)
            .field("marketplace_url", &self.marketplace_url)
            .field("watch_plugins", &self.watch_plugins)
            .field("bench_without_unreads", &self.bench_without_unreads)
            .field("allowed_untrusted_internal_connections", &self.allowed_untrusted_internal_connections)
            .field("outgoing_integration_requests_timeout", &self.outgoing_integration_requests_timeout)
            .field("enable_post_username_override", &self.enable_post_username_override)
            .field("enable_post_icon_override", &self.enable_post_icon_override)
            .field("enable_incoming_webhooks", &self.enable_incoming_webhooks)
            .field("enable_outgoing_webhooks", &self.enable_outgoing_webhooks)
            .field("max_post_size", &self.max_post_size)
            .field("allow_cors_from", &self.allow_cors_from)
            .field("show_email_address", &self.show_email_address)
            .field("show_full_name", &self.show_full_name)
            .field("metrics_allowed_from", &self.metrics_allowed_from.to_string())
            .field("metrics_listen", &self.metrics_listen)
            .field("cluster_nats_url", &self.cluster_nats_url.as_deref().map(crate::store::redact))
            .field("cluster_node_id", &self.cluster_node_id)
            .field("login_security", &self.login_security)
            .field("log", &self.log)
            .field("config_file", &self.config_file)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8065)),
            data_dir: PathBuf::from("./data"),
            plugin_dir: None,
            database_url: None,
            database_acquire_timeout_secs: 10,
            site_url: None,
            open_server: true,
            plugin_kv_max_value_bytes: 1024 * 1024,
            plugin_kv_quota_bytes: 64 * 1024 * 1024,
            plugin_job_quota: 1000,
            plugin_pacing_grace_ms: 10,
            plugin_pacing_share_percent: 25,
            enable_plugin_uploads: false,
            plugin_max_bundle_bytes: 50 * 1024 * 1024,
            plugin_max_bundle_entries: 4096,
            plugin_max_unpacked_bytes: 256 * 1024 * 1024,
            require_plugin_signature: false,
            plugin_signature_public_keys: Vec::new(),
            enable_marketplace: true,
            marketplace_url: None,
            watch_plugins: false,
            bench_without_unreads: false,
            allowed_untrusted_internal_connections: String::new(),
            outgoing_integration_requests_timeout: 30,
            enable_post_username_override: false,
            enable_post_icon_override: false,
            enable_incoming_webhooks: true,
            enable_outgoing_webhooks: true,
            max_post_size: 16383,
            allow_cors_from: String::new(),
            show_email_address: false,
            show_full_name: true,
            metrics_allowed_from: DEFAULT_METRICS_ALLOWED_FROM.parse().expect("the default ranges parse"),
            metrics_listen: None,
            cluster_nats_url: None,
            cluster_node_id: None,
            login_security: LoginSecurity::default(),
            log: DEFAULT_LOG_FILTER.to_string(),
            config_file: None,
        }
    }
}

impl Config {
    /// How plugin hook calls that run long share a thread.
    pub fn plugin_pacing(&self) -> confab_host::Pacing {
        confab_host::Pacing { grace: std::time::Duration::from_millis(self.plugin_pacing_grace_ms), share_percent: self.plugin_pacing_share_percent }
    }

    /// Where installed plugins are read from.
    pub fn plugin_dir(&self) -> PathBuf {
        self.plugin_dir.clone().unwrap_or_else(|| self.data_dir.join("plugins"))
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}?mode=rwc", self.data_dir.join("confab.db").display()))
    }

    /// The rules for requests the server makes on its own.
    pub fn outbound_policy(&self) -> crate::outbound::OutboundPolicy {
        crate::outbound::OutboundPolicy {
            allowed_internal: crate::outbound::AllowList::parse(&self.allowed_untrusted_internal_connections),
            timeout: std::time::Duration::from_secs(self.outgoing_integration_requests_timeout.max(1)),
        }
    }

    /// The webhook settings the services use.
    pub fn webhook_settings(&self) -> crate::service::webhooks::WebhookSettings {
        crate::service::webhooks::WebhookSettings {
            enable_incoming: self.enable_incoming_webhooks,
            enable_outgoing: self.enable_outgoing_webhooks,
            max_post_size: self.max_post_size,
        }
    }

    /// Where the host keeps precompiled components.
    pub fn plugin_cache_dir(&self) -> PathBuf {
        self.data_dir.join("plugin-cache")
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn flags_default_like_default() {
        let parsed = Cli::try_parse_from(["confab"]).unwrap().config;
        let default = Config::default();
        assert_eq!(parsed.listen, default.listen);
        assert_eq!(parsed.data_dir, default.data_dir);
        assert_eq!(parsed.plugin_dir(), PathBuf::from("./data/plugins"));
        assert_eq!(parsed.log, default.log);
        assert_eq!(parsed.database_url(), "sqlite://./data/confab.db?mode=rwc");
        assert!(parsed.open_server);
        assert_eq!(parsed.plugin_kv_max_value_bytes, default.plugin_kv_max_value_bytes);
        assert_eq!(parsed.plugin_kv_quota_bytes, default.plugin_kv_quota_bytes);
        assert_eq!(parsed.plugin_job_quota, default.plugin_job_quota);
        assert_eq!(parsed.plugin_pacing_grace_ms, default.plugin_pacing_grace_ms);
        assert_eq!(parsed.plugin_pacing_share_percent, default.plugin_pacing_share_percent);
        assert_eq!(parsed.allowed_untrusted_internal_connections, default.allowed_untrusted_internal_connections);
        assert_eq!(parsed.outgoing_integration_requests_timeout, default.outgoing_integration_requests_timeout);
        assert_eq!(parsed.enable_incoming_webhooks, default.enable_incoming_webhooks);
        assert_eq!(parsed.enable_outgoing_webhooks, default.enable_outgoing_webhooks);
        assert_eq!(parsed.enable_post_username_override, default.enable_post_username_override);
        assert_eq!(parsed.enable_post_icon_override, default.enable_post_icon_override);
        assert_eq!(parsed.max_post_size, default.max_post_size);
        assert_eq!(parsed.allow_cors_from, default.allow_cors_from);
        assert_eq!(parsed.show_email_address, default.show_email_address);
        assert_eq!(parsed.show_full_name, default.show_full_name);
        assert_eq!(parsed.metrics_allowed_from, default.metrics_allowed_from);
        assert_eq!(parsed.metrics_listen, default.metrics_listen);
        assert_eq!(parsed.cluster_nats_url, default.cluster_nats_url);
        assert_eq!(parsed.cluster_node_id, default.cluster_node_id);
    }

    #[test]
    fn metrics_ranges_parse_and_match() {
        let loopback = Config::default().metrics_allowed_from;
        for ip in ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"] {
            assert!(loopback.contains(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["10.0.0.1", "192.168.1.2", "::2", "8.8.8.8"] {
            assert!(!loopback.contains(ip.parse().unwrap()), "{ip}");
        }
        let config = Cli::try_parse_from(["confab", "--metrics-allowed-from", "10.1.0.0/16, 192.168.1.7"]).unwrap().config;
        assert!(config.metrics_allowed_from.contains("10.1.200.3".parse().unwrap()));
        assert!(config.metrics_allowed_from.contains("192.168.1.7".parse().unwrap()));
        assert!(!config.metrics_allowed_from.contains("127.0.0.1".parse().unwrap()), "the default is replaced");
        assert_eq!(config.metrics_allowed_from.to_string(), "10.1.0.0/16 192.168.1.7/32");
        assert_eq!(Cli::try_parse_from(["confab", "--metrics-allowed-from", ""]).unwrap().config.metrics_allowed_from, IpRanges::default(), "nobody");
        assert!(Cli::try_parse_from(["confab", "--metrics-allowed-from", "localhost"]).is_err(), "names are refused");
    }

    #[test]
    fn a_settings_file_fills_in_what_flags_do_not_say() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("confab.toml");
        std::fs::write(&file, "data_dir = \"/srv/confab\"\nlisten = \"0.0.0.0:9000\"\nopen-server = false\nplugin_kv_quota_bytes = 10\n").unwrap();
        let args = ["confab", "--listen", "127.0.0.1:1", &format!("--config={}", file.display())].map(OsString::from).to_vec();
        let merged = with_config_file(args).unwrap();
        let config = Cli::try_parse_from(merged).unwrap().config;
        assert_eq!(config.listen, "127.0.0.1:1".parse().unwrap(), "the flag wins");
        assert_eq!(config.data_dir, PathBuf::from("/srv/confab"));
        assert!(!config.open_server);
        assert_eq!(config.plugin_kv_quota_bytes, 10);

        std::fs::write(&file, "listen = [1]").unwrap();
        let args = ["confab", "--config", file.to_str().unwrap()].map(OsString::from).to_vec();
        assert!(matches!(with_config_file(args), Err(ConfigFileError::Invalid { .. })));
    }

    #[test]
    fn debug_hides_the_database_password() {
        let config = Config { database_url: Some("postgres://confab:s3cret@db/confab".into()), ..Config::default() };
        let text = format!("{config:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("postgres://confab:***@db/confab"), "{text}");
    }

    #[test]
    fn plugin_dir_follows_data_dir_unless_given() {
        let config = Cli::try_parse_from(["confab", "--data-dir", "/srv/confab"]).unwrap().config;
        assert_eq!(config.plugin_dir(), PathBuf::from("/srv/confab/plugins"));
        assert_eq!(config.plugin_cache_dir(), PathBuf::from("/srv/confab/plugin-cache"));
        let config = Cli::try_parse_from(["confab", "--plugin-dir", "/opt/plugins"]).unwrap().config;
        assert_eq!(config.plugin_dir(), PathBuf::from("/opt/plugins"));
    }

    #[test]
    fn pacing_settings_reach_the_host_and_a_share_outside_1_to_100_is_refused() {
        let config = Cli::try_parse_from(["confab", "--plugin-pacing-grace-ms", "50", "--plugin-pacing-share-percent", "100"]).unwrap().config;
        assert_eq!(config.plugin_pacing(), confab_host::Pacing { grace: std::time::Duration::from_millis(50), share_percent: 100 });
        assert_eq!(Config::default().plugin_pacing(), confab_host::Pacing::default(), "the server's default is the host's");
        for share in ["0", "101"] {
            assert!(Cli::try_parse_from(["confab", "--plugin-pacing-share-percent", share]).is_err(), "share {share} must be refused");
        }
    }
}
