//! `http-outbound`: requests only to hosts granted as `http:<host>`, under the plugin's request quota, following redirects only to granted hosts.
//!
//! The split of the work: the host decides *whom* a plugin may talk to (its grant,
//! checked on the first URL and again on every redirect target, since a granted
//! server could otherwise forward the plugin anywhere) and *how often* (a token
//! bucket per plugin). The server's outbound guard decides *how* (`ServerApi::
//! http_request` sends exactly one hop: internal addresses refused unless the admin
//! allowed them, timeouts, the body cut at the plugin's limit). So every hop passes
//! both checks, and a redirect is never followed by a client that does not know the
//! grant.
//!
//! The wait for an answer is a suspended host call: it burns no fuel and ends when
//! the hook's deadline does (dropping the future drops the connection).

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use url::Url;

use super::WitResult;
use crate::bindings::confab::plugin::http_outbound::{Host, OutboundRequest, OutboundResponse};
use crate::bindings::types::Error;
use crate::capabilities::Grants;
use crate::server_api::ServerApi;
use crate::state::{HostState, PluginIdentity};

/// Most redirects followed for one request; each is checked against the grant again.
const MAX_REDIRECTS: usize = 10;

/// Methods a plugin may send.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// Headers that carry credentials for one origin; dropped when a redirect leads to
/// another (the Fetch standard's rule, also reqwest's and browsers').
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "cookie", "proxy-authorization"];

/// Headers describing a body; dropped with the body when a redirect turns the request
/// into a `GET`.
const BODY_HEADERS: &[&str] = &["content-type", "content-encoding", "content-language", "content-location"];

/// One plugin's outbound HTTP allowance, shared by all its instances.
pub(crate) struct HttpLimits {
    /// Requests (each redirect hop is one) per second; as many at once.
    quota: DefaultDirectRateLimiter,
    /// Longest response body handed to the plugin.
    pub max_response_bytes: usize,
}

impl HttpLimits {
    pub(crate) fn new(requests_per_second: u32, max_response_bytes: usize) -> HttpLimits {
        let rate = NonZeroU32::new(requests_per_second).unwrap_or(NonZeroU32::MIN);
        HttpLimits { quota: RateLimiter::direct(Quota::per_second(rate)), max_response_bytes }
    }

    /// Take one request from the bucket; `false` when it is empty.
    fn take(&self) -> bool {
        self.quota.check().is_ok()
    }
}

impl std::fmt::Debug for HttpLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpLimits").field("max_response_bytes", &self.max_response_bytes).finish_non_exhaustive()
    }
}

/// `url` parsed, when it is an absolute http(s) URL without user info whose host the
/// grant allows. The same parser (WHATWG's, the `url` crate) reads the URL here and
/// in the server's client, so the host checked is the host connected to.
fn granted_url(grants: &Grants, url: &str) -> Result<Url, Error> {
    let parsed = Url::parse(url).map_err(|e| Error::InvalidInput(format!("`{url}` is not an absolute http(s) URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::InvalidInput(format!("`{url}` is not an http(s) URL")));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::InvalidInput("credentials in the URL are not accepted; send an Authorization header".into()));
    }
    // An IPv6 literal cannot be granted (grants are names or IPv4 addresses).
    let host = match parsed.host() {
        Some(url::Host::Domain(name)) => name.to_string(),
        Some(url::Host::Ipv4(v4)) => v4.to_string(),
        Some(url::Host::Ipv6(_)) | None => return Err(Error::PermissionDenied),
    };
    if grants.allows_http_host(&host, parsed.port()) { Ok(parsed) } else { Err(Error::PermissionDenied) }
}

/// Where a redirect answer points, or `None` when `status` is not a redirect to follow
/// (or has no usable `Location`, in which case the plugin gets the answer as it is).
fn redirect_target(from: &Url, status: u16, headers: &[(String, String)]) -> Option<String> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("location"))?;
    from.join(location.1.trim()).ok().map(String::from)
}

/// Turn `request` into the request for the next hop after a `status` redirect from
/// `from` to `to`: a 303 (and a 301/302 after a POST) becomes a bodiless GET, and
/// credentials stay with the origin they were meant for.
fn follow(request: &mut crate::types::OutboundRequest, status: u16, from: &Url, to: &Url) {
    let to_get = (status == 303 && request.method != "HEAD") || (matches!(status, 301 | 302) && request.method == "POST");
    if to_get {
        request.method = "GET".into();
        request.body.clear();
        request.headers.retain(|(name, _)| !BODY_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)));
    }
    if from.origin() != to.origin() {
        request.headers.retain(|(name, _)| !CREDENTIAL_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)));
    }
    request.url = to.to_string();
}

/// Send `request` for the plugin `identity`, following up to [`MAX_REDIRECTS`]
/// redirects to granted hosts. A free function holding its own handles: the store's
/// state is not `Sync`, so no reference to it may live across the waits.
async fn send(identity: Arc<PluginIdentity>, api: Arc<dyn ServerApi>, mut request: crate::types::OutboundRequest) -> WitResult<crate::types::OutboundResponse> {
    let (id, http) = (identity.id.as_str(), &identity.http);
    let mut url = granted_url(&identity.grants, &request.url).inspect_err(|_| log_refused(id, &request.url, "not granted"))?;
    for _ in 0..=MAX_REDIRECTS {
        if !http.take() {
            tracing::info!(plugin_id = %id, "outbound HTTP over the plugin's request quota");
            return Err(Error::QuotaExceeded);
        }
        request.max_response_bytes = http.max_response_bytes;
        let response = api.http_request(id, request.clone()).await.map_err(Error::from)?;
        let Some(next) = redirect_target(&url, response.status, &response.headers) else { return Ok(response) };
        let to = granted_url(&identity.grants, &next).inspect_err(|_| log_refused(id, &next, "redirect to a host not granted"))?;
        follow(&mut request, response.status, &url, &to);
        url = to;
    }
    Err(Error::Internal(format!("more than {MAX_REDIRECTS} redirects")))
}

/// Log a refused URL by scheme, host and port only (its path may hold a secret).
fn log_refused(plugin_id: &str, url: &str, why: &str) {
    let parsed = Url::parse(url).ok();
    let shown = parsed.as_ref().map(|u| format!("{}://{}", u.scheme(), u.host_str().unwrap_or_default())).unwrap_or_default();
    tracing::warn!(plugin_id, url = %shown, port = ?parsed.and_then(|u| u.port()), why, "outbound HTTP refused");
}

impl Host for HostState {
    async fn request(&mut self, request: OutboundRequest) -> wasmtime::Result<WitResult<OutboundResponse>> {
        let method = request.method.to_ascii_uppercase();
        if !METHODS.contains(&method.as_str()) {
            return Ok(Err(Error::InvalidInput(format!("unsupported method `{}`; use one of {}", request.method, METHODS.join(", ")))));
        }
        if !request.body.is_empty() && matches!(method.as_str(), "GET" | "HEAD") {
            return Ok(Err(Error::InvalidInput(format!("a {method} request has no body"))));
        }
        let request = crate::types::OutboundRequest { method, url: request.url, headers: request.headers, body: request.body, max_response_bytes: 0 };
        let response = send(self.identity.clone(), self.api.clone(), request).await;
        Ok(response.map(|r| OutboundResponse { status: r.status, headers: r.headers, body: r.body }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::Capability;

    fn grants(list: &[&str]) -> Grants {
        Grants::all_requested(&list.iter().map(|s| s.parse::<Capability>().unwrap()).collect::<Vec<_>>())
    }

    #[test]
    fn only_granted_hosts_pass() {
        let g = grants(&["http:api.example.com", "http:127.0.0.1:8080"]);
        assert_eq!(granted_url(&g, "https://API.example.com/x?y").unwrap().host_str(), Some("api.example.com"));
        assert!(granted_url(&g, "http://127.0.0.1:8080/").is_ok());
        assert!(matches!(granted_url(&g, "http://127.0.0.1:8081/"), Err(Error::PermissionDenied)));
        assert!(matches!(granted_url(&g, "https://api.example.com:8443/"), Err(Error::PermissionDenied)), "a grant without a port is the default port");
        assert!(matches!(granted_url(&g, "http://[::1]:8080/"), Err(Error::PermissionDenied)));
        // WHATWG parsing: a backslash ends the host, so this is api.example.com...
        assert_eq!(granted_url(&g, "https://api.example.com\\@evil.test/").unwrap().host_str(), Some("api.example.com"));
        // ...and this one is evil.test, whatever a naive parser thinks.
        assert!(matches!(granted_url(&g, "https://evil.test\\.api.example.com/"), Err(Error::PermissionDenied)));
        assert_eq!(granted_url(&g, "http://0x7f.1:8080/").unwrap().host_str(), Some("127.0.0.1"));
        for bad in ["ftp://api.example.com/", "/relative", "http://user:pw@api.example.com/"] {
            assert!(matches!(granted_url(&g, bad), Err(Error::InvalidInput(_))), "{bad}");
        }
    }

    fn request(method: &str, body: &[u8]) -> crate::types::OutboundRequest {
        crate::types::OutboundRequest {
            method: method.into(),
            url: "https://a.example.com/start".into(),
            headers: vec![("Authorization".into(), "Bearer s3cret".into()), ("Content-Type".into(), "application/json".into())],
            body: body.to_vec(),
            max_response_bytes: 0,
        }
    }

    #[test]
    fn redirects_change_method_and_keep_credentials_at_home() {
        let from = Url::parse("https://a.example.com/start").unwrap();
        let location = |to: &str| vec![("Location".to_string(), to.to_string())];
        assert_eq!(redirect_target(&from, 302, &location("/next?x=1")), Some("https://a.example.com/next?x=1".into()));
        assert_eq!(redirect_target(&from, 200, &location("/next")), None);
        assert_eq!(redirect_target(&from, 304, &location("/next")), None);
        assert_eq!(redirect_target(&from, 301, &[]), None, "a redirect without Location is the answer");

        let same = Url::parse("https://a.example.com/next").unwrap();
        let mut post = request("POST", b"{}");
        follow(&mut post, 307, &from, &same);
        assert_eq!((post.method.as_str(), post.body.as_slice(), post.headers.len()), ("POST", &b"{}"[..], 2), "307 keeps everything");

        let other = Url::parse("https://b.example.com/next").unwrap();
        let mut post = request("POST", b"{}");
        follow(&mut post, 308, &from, &other);
        assert_eq!((post.method.as_str(), post.body.as_slice()), ("POST", &b"{}"[..]));
        assert_eq!(post.headers, [("Content-Type".to_string(), "application/json".to_string())], "no credentials to another origin");

        let mut post = request("POST", b"{}");
        follow(&mut post, 302, &from, &same);
        assert_eq!((post.method.as_str(), post.body.len(), post.headers.len()), ("GET", 0, 1), "POST becomes a bodiless GET");

        let mut put = request("PUT", b"{}");
        follow(&mut put, 301, &from, &same);
        assert_eq!(put.method, "PUT", "301/302 change only POST");
        follow(&mut put, 303, &same, &other);
        assert_eq!((put.method.as_str(), put.body.len(), put.url.as_str()), ("GET", 0, "https://b.example.com/next"));
    }

    #[test]
    fn the_quota_is_a_bucket_of_a_second() {
        let limits = HttpLimits::new(3, 1);
        assert_eq!((0..5).filter(|_| limits.take()).count(), 3);
        assert!(HttpLimits::new(0, 1).take(), "zero is one request per second");
    }
}
