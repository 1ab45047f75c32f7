//! `Config`: everything `confab serve` can be told, each setting a flag with a `CONFAB_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

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

    /// Log filter in `tracing` EnvFilter syntax, e.g. `info` or `confab_host=debug`.
    #[arg(long, env = "CONFAB_LOG", default_value = DEFAULT_LOG_FILTER)]
    pub log: String,
}

/// Written by hand so the database password never reaches a log line.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("plugin_dir", &self.plugin_dir)
            .field("database_url", &self.database_url.as_deref().map(crate::store::redact))
            .field("site_url", &self.site_url)
            .field("open_server", &self.open_server)
            .field("plugin_kv_max_value_bytes", &self.plugin_kv_max_value_bytes)
            .field("plugin_kv_quota_bytes", &self.plugin_kv_quota_bytes)
            .field("log", &self.log)
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
            site_url: None,
            open_server: true,
            plugin_kv_max_value_bytes: 1024 * 1024,
            plugin_kv_quota_bytes: 64 * 1024 * 1024,
            log: DEFAULT_LOG_FILTER.to_string(),
        }
    }
}

impl Config {
    /// Where installed plugins are read from.
    pub fn plugin_dir(&self) -> PathBuf {
        self.plugin_dir.clone().unwrap_or_else(|| self.data_dir.join("plugins"))
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}?mode=rwc", self.data_dir.join("confab.db").display()))
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
}
