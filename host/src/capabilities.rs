//! Capabilities a plugin may hold, and the grant check every host call goes through.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// One thing a plugin may do through the host API. `log` and `config` need none.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// `kv`: the plugin's own key-value namespace.
    Kv,
    /// `posts:read`: fetch posts, threads, channel histories (paged or since a time)
    /// and reactions, in any channel.
    PostsRead,
    /// `posts:write`: create, update, delete, pin and unpin posts; add and remove
    /// reactions in any user's name; show, change and withdraw ephemeral posts.
    PostsWrite,
    /// `channels:read`: fetch channels, list and search them, and list members.
    ChannelsRead,
    /// `channels:write`: create channels (direct and group ones too), patch, archive
    /// and restore them, and change membership.
    ChannelsWrite,
    /// `users:read`: fetch users (email addresses blanked).
    UsersRead,
    /// `users:read-email`: see email addresses and look users up by email.
    UsersReadEmail,
    /// `users:write`: set users' statuses, patch their profiles (username, names,
    /// nickname, position, props) and deactivate or reactivate accounts, which ends
    /// the user's sessions.
    UsersWrite,
    /// `teams:read`: fetch teams and list members.
    TeamsRead,
    /// `teams:write`: add users to teams and remove them (with the teams' channels).
    TeamsWrite,
    /// `commands`: register slash commands.
    Commands,
    /// `events`: publish WebSocket events.
    Events,
    /// `bots`: create the plugin's bot accounts.
    Bots,
    /// `cluster`: message copies of the plugin on other nodes.
    Cluster,
    /// `config:write`: replace the plugin's own saved settings.
    ConfigWrite,
    /// `scheduler`: keep named jobs (one-shot, interval, cron) that the host runs later
    /// through the plugin's `job-hooks`, within the server's job quota.
    Scheduler,
    /// `dialogs`: open interactive dialogs from a user's trigger id; submissions come
    /// back to the plugin's own `serve-http`.
    Dialogs,
    /// `metrics`: the plugin's own counters, gauges and histograms on `/metrics`.
    Metrics,
    /// `plugin:<id>`: call that plugin's `serve-http` (`plugin-http`).
    Plugin(String),
    /// `http:<host>`: outbound HTTP to one host on its scheme's default port, or on the
    /// port given (`localhost:8080`); `*.example.com` matches subdomains.
    Http(String),
}

/// A capability string in a manifest or grant was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown permission `{0}`")]
pub struct UnknownCapability(pub String);

impl FromStr for Capability {
    type Err = UnknownCapability;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let cap = match s {
            "kv" => Capability::Kv,
            "posts:read" => Capability::PostsRead,
            "posts:write" => Capability::PostsWrite,
            "channels:read" => Capability::ChannelsRead,
            "channels:write" => Capability::ChannelsWrite,
            "users:read" => Capability::UsersRead,
            "users:read-email" => Capability::UsersReadEmail,
            "users:write" => Capability::UsersWrite,
            "teams:read" => Capability::TeamsRead,
            "teams:write" => Capability::TeamsWrite,
            "commands" => Capability::Commands,
            "events" => Capability::Events,
            "bots" => Capability::Bots,
            "cluster" => Capability::Cluster,
            "config:write" => Capability::ConfigWrite,
            "scheduler" => Capability::Scheduler,
            "dialogs" => Capability::Dialogs,
            "metrics" => Capability::Metrics,
            other => match (other.strip_prefix("http:"), other.strip_prefix("plugin:")) {
                (Some(host), _) if is_host_pattern(host) => Capability::Http(host.to_ascii_lowercase()),
                (_, Some(id)) if is_plugin_id(id) => Capability::Plugin(id.to_string()),
                _ => return Err(UnknownCapability(s.to_string())),
            },
        };
        Ok(cap)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Capability::Kv => "kv",
            Capability::PostsRead => "posts:read",
            Capability::PostsWrite => "posts:write",
            Capability::ChannelsRead => "channels:read",
            Capability::ChannelsWrite => "channels:write",
            Capability::UsersRead => "users:read",
            Capability::UsersReadEmail => "users:read-email",
            Capability::UsersWrite => "users:write",
            Capability::TeamsRead => "teams:read",
            Capability::TeamsWrite => "teams:write",
            Capability::Commands => "commands",
            Capability::Events => "events",
            Capability::Bots => "bots",
            Capability::Cluster => "cluster",
            Capability::ConfigWrite => "config:write",
            Capability::Scheduler => "scheduler",
            Capability::Dialogs => "dialogs",
            Capability::Metrics => "metrics",
            Capability::Plugin(id) => return write!(f, "plugin:{id}"),
            Capability::Http(host) => return write!(f, "http:{host}"),
        };
        f.write_str(s)
    }
}

/// A plugin id as manifests allow it: letters, digits, `.`, `-` and `_`.
fn is_plugin_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 190 && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// `api.example.com`, `*.example.com` or `localhost:8080`: dot-separated labels of
/// letters, digits and `-` (not at either end), an optional leading `*.` and an
/// optional port. A wildcard needs at least two labels after it: `*.com` would grant
/// half the internet.
fn is_host_pattern(host: &str) -> bool {
    let (bare, wildcard) = match host.strip_prefix("*.") {
        Some(rest) => (rest, true),
        None => (host, false),
    };
    let (name, port) = match bare.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (bare, None),
    };
    let label_ok =
        |l: &str| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(label_ok)
        && (!wildcard || name.split('.').count() >= 2)
        && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p != 0))
}

/// What a plugin may actually do: the intersection of what its manifest requested and
/// what the admin granted. An empty grant denies everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants {
    effective: BTreeSet<Capability>,
}

impl Grants {
    /// Intersect the manifest's request with the admin's grant.
    pub fn new(requested: &[Capability], granted: &[Capability]) -> Self {
        let granted: BTreeSet<&Capability> = granted.iter().collect();
        let effective = requested.iter().filter(|c| granted.contains(c)).cloned().collect();
        Grants { effective }
    }

    /// Everything that was requested is granted (tests and trusted local plugins).
    pub fn all_requested(requested: &[Capability]) -> Self {
        Grants { effective: requested.iter().cloned().collect() }
    }

    /// Whether `cap` is held. `http:` capabilities are matched with [`Grants::allows_http_host`].
    pub fn allows(&self, cap: &Capability) -> bool {
        self.effective.contains(cap)
    }

    /// Whether outbound HTTP to `host` on `port` (`None`: the scheme's default port, as
    /// a parsed URL gives it) is allowed by an `http:` capability. A pattern without a
    /// port allows only the default port: granting `api.example.com` is not granting
    /// whatever else listens on that machine.
    pub fn allows_http_host(&self, host: &str, port: Option<u16>) -> bool {
        let host = host.to_ascii_lowercase();
        self.effective.iter().any(|cap| {
            let Capability::Http(pattern) = cap else { return false };
            let (pattern_host, pattern_port) = match pattern.rsplit_once(':') {
                Some((h, p)) => (h, p.parse::<u16>().ok()),
                None => (pattern.as_str(), None),
            };
            if pattern_port != port {
                return false;
            }
            match pattern_host.strip_prefix("*.") {
                Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
                None => host == pattern_host,
            }
        })
    }

    /// The effective capabilities, for status pages.
    pub fn iter(&self) -> impl Iterator<Item = &Capability> {
        self.effective.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(list: &[&str]) -> Vec<Capability> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn parses_and_prints_every_form() {
        for s in [
            "kv",
            "config:write",
            "scheduler",
            "dialogs",
            "metrics",
            "plugin:com.example.tracker",
            "posts:read",
            "posts:write",
            "users:read-email",
            "teams:write",
            "users:write",
            "http:api.example.com",
            "http:*.example.com",
            "http:localhost:8080",
        ] {
            assert_eq!(s.parse::<Capability>().unwrap().to_string(), s);
        }
        for bad in [
            "",
            "posts",
            "http:",
            "http:a b",
            "http:x:99999",
            "http:x:0",
            "fs:read",
            "http:*",
            "http:*.com",
            "http:a..b",
            "http:.a.b",
            "http:-a.b",
            "http:*.*.b.c",
            "http:a/b",
            "plugin:",
            "plugin:a/b",
            "plugin:*",
        ] {
            assert!(bad.parse::<Capability>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn empty_grant_denies_everything() {
        let grants = Grants::new(&caps(&["kv", "http:api.example.com"]), &[]);
        assert!(!grants.allows(&Capability::Kv));
        assert!(!grants.allows_http_host("api.example.com", None));
    }

    #[test]
    fn grant_without_request_denies() {
        let grants = Grants::new(&caps(&["kv"]), &caps(&["kv", "posts:write"]));
        assert!(grants.allows(&Capability::Kv));
        assert!(!grants.allows(&Capability::PostsWrite));
    }

    #[test]
    fn http_hosts_match_exactly_or_by_suffix() {
        let grants = Grants::all_requested(&caps(&["http:api.example.com", "http:*.hooks.test", "http:localhost:8080"]));
        assert!(grants.allows_http_host("API.example.com", None));
        assert!(!grants.allows_http_host("evil-api.example.com", None));
        assert!(grants.allows_http_host("a.hooks.test", None));
        assert!(!grants.allows_http_host("a.hooks.test", Some(8443)), "no port in the grant: the default port only");
        assert!(!grants.allows_http_host("localhost", None));
        assert!(!grants.allows_http_host("hooks.test", None));
        assert!(!grants.allows_http_host("xhooks.test", None));
        assert!(grants.allows_http_host("localhost", Some(8080)));
        assert!(!grants.allows_http_host("localhost", Some(8081)));
    }
}
