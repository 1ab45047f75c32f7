//! `Config`: everything `confab serve` can be told, each setting a flag with a `CONFAB_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The tracing filter used when neither `--log` nor `CONFAB_LOG` says otherwise.
pub const DEFAULT_LOG_FILTER: &str = "confab_server=info,confab_host=info,confab_plugin=info";

/// Settings of `confab serve`. `Default` is what running with no flags gives, except
/// that the listener is bound by the caller (`run` takes a bound listener).
#[derive(Debug, Clone, clap::Args)]
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

    /// Log filter in `tracing` EnvFilter syntax, e.g. `info` or `confab_host=debug`.
    #[arg(long, env = "CONFAB_LOG", default_value = DEFAULT_LOG_FILTER)]
    pub log: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { listen: SocketAddr::from(([127, 0, 0, 1], 8065)), data_dir: PathBuf::from("./data"), plugin_dir: None, log: DEFAULT_LOG_FILTER.to_string() }
    }
}

impl Config {
    /// Where installed plugins are read from.
    pub fn plugin_dir(&self) -> PathBuf {
        self.plugin_dir.clone().unwrap_or_else(|| self.data_dir.join("plugins"))
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
