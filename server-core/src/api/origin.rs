//! Which `Origin`s may open a cookie-authenticated WebSocket: the site URL's, the request's own host, and `--allow-cors-from`.
//!
//! A browser sends cookies with a WebSocket upgrade from any page, and the upgrade is
//! a GET, so the CSRF rule for writes does not apply; without this check a page on
//! another site could read a signed-in user's events. Clients that authenticate with a
//! header or the challenge are not browsers riding on ambient cookies, so their
//! `Origin` is not checked.

use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use url::Url;

/// The origins allowed besides the request's own host.
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins {
    /// Serialized origins (`scheme://host[:port]`, default port left out).
    origins: Vec<String>,
    /// `*` in the allow-list: any origin.
    any: bool,
}

/// `scheme://host[:port]` of a URL or origin, the default port left out; `None` for
/// anything that is not a tuple origin (`null`, `file:`, garbage).
fn serialize(origin: &str) -> Option<String> {
    let url = Url::parse(origin.trim()).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

impl AllowedOrigins {
    /// The site URL's origin plus Mattermost's `AllowCorsFrom`: origins separated by
    /// spaces (commas accepted too), `*` for any.
    pub fn new(site_url: &str, allow_cors_from: &str) -> AllowedOrigins {
        let mut allowed = AllowedOrigins::default();
        for entry in std::iter::once(site_url).chain(allow_cors_from.split([' ', ',']).filter(|e| !e.is_empty())) {
            if entry == "*" {
                allowed.any = true;
            } else if let Some(origin) = serialize(entry) {
                allowed.origins.push(origin);
            } else if !entry.is_empty() {
                tracing::warn!(%entry, "not an origin; left out of the allowed origins");
            }
        }
        allowed
    }

    /// Whether a request may use ambient (cookie) credentials: no `Origin` (not a
    /// browser's cross-site request), or one that is allowed or is the request's own.
    pub fn allows(&self, parts: &Parts) -> bool {
        let Some(origin) = parts.headers.get(header::ORIGIN) else { return true };
        let Some(origin) = origin.to_str().ok().and_then(|o| Url::parse(o.trim()).ok()) else { return false };
        if self.any || same_host(&origin, &parts.headers) {
            return true;
        }
        let serialized = origin.origin();
        serialized.is_tuple() && self.origins.contains(&serialized.ascii_serialization())
    }
}

/// Whether `origin` names the host the request was sent to (same-origin: the page was
/// served by this server under the name the client used, e.g. `localhost` rather than
/// the site URL's `127.0.0.1`).
fn same_host(origin: &Url, headers: &HeaderMap) -> bool {
    let Some(authority) = headers.get(header::HOST).and_then(|h| h.to_str().ok()).and_then(|h| h.parse::<axum::http::uri::Authority>().ok()) else {
        return false;
    };
    let (Some(origin_host), Some(origin_port)) = (origin.host_str(), origin.port_or_known_default()) else { return false };
    // A Host without a port means the scheme's default, as the Origin's does.
    let port = authority.port_u16().unwrap_or(match origin.scheme() {
        "https" => 443,
        _ => 80,
    });
    origin_host.eq_ignore_ascii_case(authority.host()) && port == origin_port
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn parts(origin: Option<&str>, host: &str) -> Parts {
        let mut request = Request::get("/api/v4/websocket").header(header::HOST, host);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn the_site_url_the_own_host_and_the_allow_list_pass() {
        let allowed = AllowedOrigins::new("https://chat.example.com/", "http://localhost:3000 https://app.example.org");
        // Behind a proxy: the Host the server sees is not the site's.
        let host = "confab.internal:8065";
        for origin in ["https://chat.example.com", "https://chat.example.com:443", "http://localhost:3000", "https://APP.example.org"] {
            assert!(allowed.allows(&parts(Some(origin), "elsewhere:1")), "{origin}");
        }
        assert!(allowed.allows(&parts(None, host)), "no Origin: not a browser's cross-site request");
        assert!(allowed.allows(&parts(Some("http://127.0.0.1:8065"), "127.0.0.1:8065")), "same origin as the request's Host");
        assert!(allowed.allows(&parts(Some("http://LOCALHOST"), "localhost:80")), "default ports and case");
        // The Host header has no scheme: without a port it means the Origin's default.
        assert!(allowed.allows(&parts(Some("https://chat.example.com"), "chat.example.com")));
        for origin in ["https://evil.example", "http://chat.example.com", "https://chat.example.com:8443", "null", "not a url", "http://localhost:3001"] {
            assert!(!allowed.allows(&parts(Some(origin), host)), "{origin}");
        }
        assert!(!allowed.allows(&parts(Some("http://127.0.0.1:8066"), "127.0.0.1:8065")), "another port is another origin");
    }

    #[test]
    fn a_star_allows_any_origin() {
        let allowed = AllowedOrigins::new("http://127.0.0.1:8065", "*");
        assert!(allowed.allows(&parts(Some("https://evil.example"), "127.0.0.1:8065")));
        let none = AllowedOrigins::new("", "");
        assert!(!none.allows(&parts(Some("https://evil.example"), "127.0.0.1:8065")));
    }
}
