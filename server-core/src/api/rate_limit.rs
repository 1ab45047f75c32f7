//! Per-client rate limiting of the routes anyone can call without a session (login, sign-up, incoming webhooks, command responses, plugin HTTP), after Mattermost's `RateLimitSettings`, with its `X-RateLimit-*` headers and a 429 in Mattermost's error shape.
//!
//! How it is wired: [`super::router`] puts one [`RateLimiter`] (per server) into every
//! request's extensions, and the limited routes carry [`limit`] as a `route_layer`, so
//! the routes that are limited are marked where they are declared and every other
//! route pays nothing. The limiter is `governor`'s keyed GCRA (the algorithm of the
//! `throttled` package Mattermost uses): `per_sec` requests a second per client, and
//! bursts of `max_burst` beyond that (plus one, as `throttled` counts).
//!
//! Who a client is: its address (`vary_by_remote_addr`; IPv6 by /64, what one host
//! usually gets) and, only when the admin names one, a header set by a trusted proxy
//! (`vary_by_header`, e.g. `X-Forwarded-For`, whose last entry is the address the proxy
//! saw). Without a configured header nothing the client sends changes its key.
//!
//! Memory is bounded: keys whose bucket is full again are dropped by `retain_recent`
//! (every minute, and at most every second while the table is full), and when the
//! table still holds `memory_store_size` keys, new clients share one overflow bucket
//! instead of adding keys.

use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::{HashMapStateStore, ShrinkableKeyedStateStore};
use governor::{Quota, RateLimiter as Gcra};

use super::ApiError;
use crate::domain::error_ids;

/// Mattermost's `RateLimitSettings`; the defaults are Mattermost's numbers, but on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Whether the limited routes are limited at all.
    pub enable: bool,
    /// Requests a second a client may make, sustained (at least 1).
    pub per_sec: u32,
    /// Requests beyond the sustained rate a client may make at once.
    pub max_burst: u32,
    /// Most clients tracked at once; past it, new clients share one bucket.
    pub memory_store_size: usize,
    /// Tell clients apart by their address.
    pub vary_by_remote_addr: bool,
    /// A request header that tells clients apart, set by a trusted proxy (empty: none).
    pub vary_by_header: String,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings { enable: true, per_sec: 10, max_burst: 100, memory_store_size: 10_000, vary_by_remote_addr: true, vary_by_header: String::new() }
    }
}

/// Longest header value used in a key, so a key's size is bounded too.
const MAX_HEADER_KEY_BYTES: usize = 64;

/// How often idle keys are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Who a bucket belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Client(Box<str>),
    /// Every new client once the table is full.
    Overflow,
}

/// `governor`'s hash-map store with a cap on the number of keys.
struct CappedStore {
    map: HashMapStateStore<Key>,
    cap: usize,
}

impl StateStore for CappedStore {
    type Key = Key;

    fn measure_and_replace<T, F, E>(&self, key: &Key, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let full = {
            let map = self.map.lock();
            map.len() >= self.cap && !map.contains_key(key)
        };
        self.map.measure_and_replace(if full { &Key::Overflow } else { key }, f)
    }
}

impl ShrinkableKeyedStateStore<Key> for CappedStore {
    fn retain_recent(&self, drop_below: Nanos) {
        self.map.retain_recent(drop_below);
    }

    fn shrink_to_fit(&self) {
        self.map.shrink_to_fit();
    }

    fn len(&self) -> usize {
        ShrinkableKeyedStateStore::len(&self.map)
    }

    fn is_empty(&self) -> bool {
        ShrinkableKeyedStateStore::is_empty(&self.map)
    }
}

/// The limiter of one server.
pub struct RateLimiter {
    settings: RateLimitSettings,
    gcra: Gcra<Key, CappedStore, DefaultClock, StateInformationMiddleware>,
    quota: Quota,
    last_sweep: Mutex<Instant>,
}

/// What the limiter decided for one request: the headers to send, and for a refusal
/// the seconds to wait.
struct Decision {
    headers: [(&'static str, u64); 3],
    retry_after: Option<u64>,
}

impl RateLimiter {
    /// A limiter as `settings` say.
    pub fn new(settings: &RateLimitSettings) -> RateLimiter {
        let per_sec = NonZeroU32::new(settings.per_sec).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(settings.max_burst.saturating_add(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(per_sec).allow_burst(burst);
        let store = CappedStore { map: HashMapStateStore::default(), cap: settings.memory_store_size.max(1) };
        RateLimiter { settings: settings.clone(), gcra: Gcra::new(quota, store, DefaultClock::default()), quota, last_sweep: Mutex::new(Instant::now()) }
    }

    /// The key of a request.
    fn key(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Key {
        let mut key = String::new();
        if self.settings.vary_by_remote_addr
            && let Some(ip) = peer
        {
            key.push_str(&client_prefix(ip));
        }
        if !self.settings.vary_by_header.is_empty()
            && let Some(value) = headers.get(self.settings.vary_by_header.as_str()).and_then(|v| v.to_str().ok())
        {
            // A proxy appends the address it saw: the last entry is the one it vouches for.
            let last = value.rsplit(',').next().unwrap_or_default().trim();
            key.push('|');
            key.push_str(last.get(..MAX_HEADER_KEY_BYTES).unwrap_or(last));
        }
        Key::Client(key.into_boxed_str())
    }

    /// Count one request of `key`.
    fn check(&self, key: &Key) -> Decision {
        self.sweep();
        let burst = u64::from(self.quota.burst_size().get());
        let interval = self.quota.replenish_interval();
        match self.gcra.check_key(key) {
            Ok(snapshot) => {
                let remaining = u64::from(snapshot.remaining_burst_capacity());
                // The bucket is full again once the cells in use have been replenished.
                let reset = interval.saturating_mul(u32::try_from(burst - remaining.min(burst)).unwrap_or(u32::MAX));
                Decision {
                    headers: [("x-ratelimit-limit", burst), ("x-ratelimit-remaining", remaining), ("x-ratelimit-reset", ceil_secs(reset))],
                    retry_after: None,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.gcra.clock().now());
                let reset = wait + interval.saturating_mul(u32::try_from(burst - 1).unwrap_or(u32::MAX));
                Decision {
                    headers: [("x-ratelimit-limit", burst), ("x-ratelimit-remaining", 0), ("x-ratelimit-reset", ceil_secs(reset))],
                    retry_after: Some(ceil_secs(wait).max(1)),
                }
            }
        }
    }

    /// Drop keys whose bucket is full again: every minute, and while the table is
    /// full at most once a second (so a full table does not cost a scan per request).
    fn sweep(&self) {
        let Ok(mut last) = self.last_sweep.try_lock() else { return };
        let since = last.elapsed();
        let full = self.gcra.len() >= self.settings.memory_store_size;
        if since >= SWEEP_EVERY || (full && since >= Duration::from_secs(1)) {
            self.gcra.retain_recent();
            self.gcra.shrink_to_fit();
            *last = Instant::now();
        }
    }

    /// Keys tracked now (tests).
    #[cfg(test)]
    fn keys(&self) -> usize {
        self.gcra.len()
    }
}

/// The part of an address that names one client: IPv4 whole, IPv6 by its /64.
fn client_prefix(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The middleware of the limited routes (`route_layer(from_fn(limit))`). Without a
/// limiter in the request's extensions (a router built without [`super::router`]) it
/// lets everything through.
pub async fn limit(request: Request, next: Next) -> Response {
    let Some(limiter) = request.extensions().get::<Arc<RateLimiter>>().cloned() else { return next.run(request).await };
    if !limiter.settings.enable {
        return next.run(request).await;
    }
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let decision = limiter.check(&limiter.key(request.headers(), peer));
    let mut response = match decision.retry_after {
        None => next.run(request).await,
        Some(secs) => {
            tracing::debug!(path = %request.uri().path(), "rate limited");
            ApiError {
                retry_after: u32::try_from(secs).ok(),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    error_ids::context::RATE_LIMIT_EXCEEDED,
                    "Too many requests: limit exceeded. Please try again later.",
                )
            }
            .into_response()
        }
    };
    for (name, value) in decision.headers {
        response.headers_mut().insert(name, HeaderValue::from(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_sec: u32, max_burst: u32, store: usize) -> RateLimiter {
        RateLimiter::new(&RateLimitSettings { per_sec, max_burst, memory_store_size: store, ..RateLimitSettings::default() })
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_burst_past_the_limit_is_refused_with_headers_and_a_retry_after() {
        let limiter = limiter(1, 2, 100);
        let key = limiter.key(&HeaderMap::new(), ip("10.0.0.1"));
        let remaining: Vec<u64> = (0..3).map(|_| limiter.check(&key)).map(|d| d.headers[1].1).collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = limiter.check(&key);
        assert_eq!(refused.headers[0], ("x-ratelimit-limit", 3), "max_burst plus one, as Mattermost's limiter counts");
        assert_eq!(refused.headers[1], ("x-ratelimit-remaining", 0));
        assert_eq!(refused.retry_after, Some(1));
        assert!((1..=3).contains(&refused.headers[2].1), "{:?}", refused.headers);
        // Another address has its own bucket.
        assert!(limiter.check(&limiter.key(&HeaderMap::new(), ip("10.0.0.2"))).retry_after.is_none());
    }

    #[test]
    fn keys_follow_the_settings_and_ignore_headers_nobody_configured() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("1.1.1.1, 192.0.2.7"));
        let by_addr = limiter(10, 100, 100);
        assert_eq!(by_addr.key(&headers, ip("10.0.0.1")), Key::Client("10.0.0.1".into()), "a forwarded header counts only when configured");
        assert_eq!(by_addr.key(&headers, ip("2001:db8:1:2:3:4:5:6")), by_addr.key(&headers, ip("2001:db8:1:2:ffff::1")), "one /64, one client");
        assert_eq!(by_addr.key(&headers, ip("::ffff:10.0.0.1")), Key::Client("10.0.0.1".into()));
        let by_proxy =
            RateLimiter::new(&RateLimitSettings { vary_by_remote_addr: false, vary_by_header: "X-Forwarded-For".into(), ..RateLimitSettings::default() });
        assert_eq!(by_proxy.key(&headers, ip("10.0.0.1")), Key::Client("|192.0.2.7".into()), "the entry the proxy added");
    }

    #[test]
    fn the_key_table_is_capped_and_new_clients_share_the_overflow_bucket() {
        let limiter = limiter(1, 0, 3);
        for n in 0..10 {
            limiter.check(&limiter.key(&HeaderMap::new(), ip(&format!("10.0.0.{n}"))));
        }
        assert!(limiter.keys() <= 4, "{} keys for a cap of 3 (+ overflow)", limiter.keys());
        // Clients 3..9 shared one bucket of one request: most of them were refused.
        let fresh = limiter.check(&limiter.key(&HeaderMap::new(), ip("10.0.0.200")));
        assert!(fresh.retry_after.is_some(), "the overflow bucket is spent");
    }

    #[test]
    fn the_sweep_drops_clients_whose_bucket_is_full_again() {
        let limiter = limiter(1000, 0, 100);
        for n in 0..5 {
            limiter.check(&limiter.key(&HeaderMap::new(), ip(&format!("10.0.0.{n}"))));
        }
        assert_eq!(limiter.keys(), 5);
        std::thread::sleep(Duration::from_millis(20));
        let long_ago = Instant::now().checked_sub(SWEEP_EVERY).expect("the clock runs past a minute");
        *limiter.last_sweep.lock().unwrap() = long_ago;
        limiter.check(&limiter.key(&HeaderMap::new(), ip("10.0.0.9")));
        assert!(limiter.keys() <= 1, "{} keys after a sweep", limiter.keys());
    }
}
