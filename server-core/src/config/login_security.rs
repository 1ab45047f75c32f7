//! `LoginSecurity`: the settings of login lock-out, the password-hashing pool and the rate limiting of unauthenticated routes, flattened into `Config` (each a flag with a `CONFAB_*` environment variable).

use std::time::Duration;

use crate::api::RateLimitSettings;
use crate::service::auth::LoginSettings;
use crate::service::auth::password::PasswordSettings;

/// Login lock-out, password hashing and rate limits. `Default` is what no flags give.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct LoginSecurity {
    /// Wrong passwords in a row after which an account refuses every login until an
    /// admin sets a new password (`PUT /api/v4/users/{id}/password`); a successful
    /// login resets the count (Mattermost's `MaximumLoginAttempts`). 0 turns it off.
    #[arg(long, env = "CONFAB_MAXIMUM_LOGIN_ATTEMPTS", default_value_t = 10)]
    pub maximum_login_attempts: u32,

    /// Password hashes computed at once, each with its own reused 19 MiB of argon2
    /// memory; 0 means one per available core.
    #[arg(long, env = "CONFAB_PASSWORD_HASHING_SLOTS", default_value_t = 0)]
    pub password_hashing_slots: usize,

    /// How long a login or sign-up waits for a hashing slot before it is answered 503.
    #[arg(long, env = "CONFAB_PASSWORD_HASHING_QUEUE_TIMEOUT_MS", default_value_t = 5000)]
    pub password_hashing_queue_timeout_ms: u64,

    /// Rate-limit the routes anyone can call without a session: login, sign-up,
    /// incoming webhooks, command responses, plugin HTTP (`RateLimitSettings.Enable`).
    #[arg(long, env = "CONFAB_RATE_LIMIT_ENABLE", default_value_t = true, action = clap::ArgAction::Set)]
    pub rate_limit_enable: bool,

    /// Requests a second one client may make to those routes, sustained (`PerSec`).
    #[arg(long, env = "CONFAB_RATE_LIMIT_PER_SEC", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_per_sec: u32,

    /// Requests beyond that rate one client may make at once (`MaxBurst`).
    #[arg(long, env = "CONFAB_RATE_LIMIT_MAX_BURST", default_value_t = 100)]
    pub rate_limit_max_burst: u32,

    /// Most clients tracked at once; past it new clients share one bucket
    /// (`MemoryStoreSize`).
    #[arg(long, env = "CONFAB_RATE_LIMIT_MEMORY_STORE_SIZE", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub rate_limit_memory_store_size: u64,

    /// Tell clients apart by their address (`VaryByRemoteAddr`).
    #[arg(long, env = "CONFAB_RATE_LIMIT_VARY_BY_REMOTE_ADDR", default_value_t = true, action = clap::ArgAction::Set)]
    pub rate_limit_vary_by_remote_addr: bool,

    /// A header set by your trusted reverse proxy that tells clients apart, e.g.
    /// `X-Forwarded-For` (its last entry is used) (`VaryByHeader`). Leave empty unless
    /// a proxy sets it: clients could otherwise pick their own key.
    #[arg(long, env = "CONFAB_RATE_LIMIT_VARY_BY_HEADER", default_value = "")]
    pub rate_limit_vary_by_header: String,
}

impl Default for LoginSecurity {
    fn default() -> Self {
        LoginSecurity {
            maximum_login_attempts: 10,
            password_hashing_slots: 0,
            password_hashing_queue_timeout_ms: 5000,
            rate_limit_enable: true,
            rate_limit_per_sec: 10,
            rate_limit_max_burst: 100,
            rate_limit_memory_store_size: 10_000,
            rate_limit_vary_by_remote_addr: true,
            rate_limit_vary_by_header: String::new(),
        }
    }
}

impl LoginSecurity {
    /// What the services use: lock-out and the hashing pool.
    pub fn login_settings(&self) -> LoginSettings {
        LoginSettings {
            max_attempts: self.maximum_login_attempts,
            hashing: PasswordSettings { slots: self.password_hashing_slots, queue_timeout: Duration::from_millis(self.password_hashing_queue_timeout_ms) },
        }
    }

    /// What the API's rate limiter uses.
    pub fn rate_limit_settings(&self) -> RateLimitSettings {
        RateLimitSettings {
            enable: self.rate_limit_enable,
            per_sec: self.rate_limit_per_sec,
            max_burst: self.rate_limit_max_burst,
            memory_store_size: usize::try_from(self.rate_limit_memory_store_size).unwrap_or(usize::MAX),
            vary_by_remote_addr: self.rate_limit_vary_by_remote_addr,
            vary_by_header: self.rate_limit_vary_by_header.trim().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        security: LoginSecurity,
    }

    #[test]
    fn no_flags_give_the_default_which_is_mattermosts_numbers_switched_on() {
        let parsed = Cli::try_parse_from(["confab"]).unwrap().security;
        assert_eq!(parsed, LoginSecurity::default());
        assert_eq!(parsed.login_settings(), LoginSettings::default());
        assert_eq!(parsed.rate_limit_settings(), RateLimitSettings::default());
        let limits = parsed.rate_limit_settings();
        assert!(limits.enable && limits.vary_by_remote_addr && limits.vary_by_header.is_empty());
        assert_eq!((limits.per_sec, limits.max_burst, limits.memory_store_size), (10, 100, 10_000));
    }

    #[test]
    fn flags_reach_the_settings_and_a_zero_rate_is_refused() {
        let parsed = Cli::try_parse_from([
            "confab",
            "--maximum-login-attempts",
            "3",
            "--password-hashing-slots",
            "4",
            "--rate-limit-enable",
            "false",
            "--rate-limit-vary-by-header",
            "X-Forwarded-For",
        ])
        .unwrap()
        .security;
        assert_eq!(parsed.login_settings().max_attempts, 3);
        assert_eq!(parsed.login_settings().hashing.slots, 4);
        assert!(!parsed.rate_limit_settings().enable);
        assert_eq!(parsed.rate_limit_settings().vary_by_header, "X-Forwarded-For");
        assert!(Cli::try_parse_from(["confab", "--rate-limit-per-sec", "0"]).is_err());
        assert!(Cli::try_parse_from(["confab", "--rate-limit-memory-store-size", "0"]).is_err());
    }
}
