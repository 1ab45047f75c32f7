//! Outbound HTTP for everything the server calls on its own (outgoing webhooks, command URLs, action and dialog URLs, plugin downloads): internal addresses refused unless allowed, a timeout, a response cap.
//!
//! Why a guard of our own and not a plain client: an integration URL is chosen by a
//! user, so without it anyone allowed to create an outgoing webhook could make the
//! server call its own admin ports, the cloud metadata service (169.254.169.254) or
//! anything else on the private network and read the answer back as a post
//! (server-side request forgery). Mattermost guards the same way with
//! `AllowedUntrustedInternalConnections`.
//!
//! Where the check happens, so that no path around it exists:
//! - a URL whose host is an IP literal is checked before the request is built
//!   (reqwest connects to literals without resolving);
//! - a host name is resolved by [`GuardedResolver`], which drops every internal
//!   address; the connection is made to the addresses it returns, so a DNS answer
//!   cannot be swapped between the check and the connect (no rebinding window);
//! - every redirect hop is checked again (IP literals here, names by the resolver).
//!
//! Redirects never carry a request's secrets to another origin (scheme, host, port):
//! reqwest drops `Authorization` and cookies on such a hop, a 301/302/303 turns a
//! POST into a GET without its body, and a 307/308, which would send the body again
//! (a command's form with its token, a webhook's payload), is refused. Only POST
//! requests carry a body here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect;

pub mod plugin;

/// Most redirects followed (each hop is checked again).
const MAX_REDIRECTS: usize = 10;

/// Why an outbound request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// Not an absolute http(s) URL (shown as [`redact_url`] gives it).
    #[error("invalid URL {0}")]
    BadUrl(String),
    /// The host is (or resolves only to) an internal address the admin did not allow.
    #[error("address forbidden: {host} is an internal address; allow it with AllowedUntrustedInternalConnections")]
    Forbidden { host: String },
    /// No complete answer within the timeout.
    #[error("the request timed out")]
    Timeout,
    /// The answer's body was bigger than the caller accepts.
    #[error("the response body exceeds {limit} bytes")]
    TooLarge { limit: usize },
    /// Connecting, sending or reading failed.
    #[error("request failed: {0}")]
    Failed(String),
    /// The caller's request was malformed (a header, a method); the text says which.
    #[error("invalid request: {0}")]
    Invalid(String),
}

/// `url` cut to scheme, host and port, for logs and error messages: the path and query
/// of an integration URL are often its secret (a token, a webhook id), and user info
/// (`user:password@`) always is. `/…` marks that something was cut.
pub fn redact_url(url: &str) -> String {
    let Ok(parsed) = reqwest::Url::parse(url) else { return "(not a URL)".into() };
    let Some(host) = parsed.host_str() else { return format!("{}:…", parsed.scheme()) };
    let mut shown = format!("{}://{host}", parsed.scheme());
    if let Some(port) = parsed.port() {
        shown.push_str(&format!(":{port}"));
    }
    if parsed.path() != "/" || parsed.query().is_some() || parsed.fragment().is_some() {
        shown.push_str("/…");
    }
    shown
}

/// What the admin allows beyond the public internet.
#[derive(Debug, Clone, Default)]
pub struct OutboundPolicy {
    /// Host names, IP addresses and CIDR ranges that may be internal, like
    /// Mattermost's `AllowedUntrustedInternalConnections`.
    pub allowed_internal: AllowList,
    /// Whole-request timeout (connect, send, read the body); Mattermost's
    /// `OutgoingIntegrationRequestsTimeout`.
    pub timeout: Duration,
}

/// Host names and address ranges exempt from the internal-address rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    hosts: Vec<String>,
    nets: Vec<IpNet>,
}

impl AllowList {
    /// Parse Mattermost's format: entries separated by spaces or commas, each a
    /// host name, an IP address or a CIDR range (`10.0.0.0/8`).
    pub fn parse(text: &str) -> AllowList {
        let mut list = AllowList::default();
        for entry in text.split([' ', ',', '\n', '\t']).map(str::trim).filter(|e| !e.is_empty()) {
            if let Ok(net) = entry.parse::<IpNet>() {
                list.nets.push(net);
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                list.nets.push(IpNet::from(ip));
            } else {
                list.hosts.push(entry.trim_end_matches('.').to_ascii_lowercase());
            }
        }
        list
    }

    fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    fn allows_ip(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// Whether a connection to `ip`, reached through the name `host`, is allowed.
    fn permits(&self, host: &str, ip: IpAddr) -> bool {
        !is_internal(ip) || self.allows_host(host) || self.allows_ip(ip)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Addresses that are not the public internet: loopback, private, link-local,
/// carrier-grade NAT, unspecified, multicast, broadcast, documentation and benchmark
/// ranges, IPv6 unique-local and link-local.
pub fn is_internal(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // 100.64.0.0/10, carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // 192.0.0.0/24, IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // 198.18.0.0/15, benchmarking
        || a >= 240 // reserved
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // fc00::/7, unique local
        || (first & 0xffc0) == 0xfe80 // fe80::/10, link local
        || (first & 0xffc0) == 0xfec0 // fec0::/10, old site local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || ip.to_ipv4().is_some_and(|v4| ip.segments()[..6] == [0; 6] && is_internal_v4(v4)) // ::a.b.c.d
}

/// The address a request was refused for; carried through reqwest's error chain so
/// [`Outbound::send`] can report [`OutboundError::Forbidden`] rather than a connect error.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to internal addresses")]
struct ForbiddenHost {
    host: String,
}

/// DNS for outbound requests: the system resolver, minus what the policy forbids.
struct GuardedResolver {
    allowed: Arc<AllowList>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> = found.into_iter().filter(|addr| allowed.permits(&host, addr.ip())).collect();
            if permitted.is_empty() {
                return Err(Box::new(ForbiddenHost { host }) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

/// A 307/308 to another origin for a request with a body; carried through reqwest's
/// error chain like [`ForbiddenHost`].
#[derive(Debug, thiserror::Error)]
#[error("refused a {status} redirect to another origin ({origin}): it would send the request body there")]
struct CrossOriginRedirect {
    status: u16,
    origin: String,
}

/// `scheme://host:port` of `url`, the unit a redirect may not carry a body across.
fn origin(url: &reqwest::Url) -> String {
    format!("{}://{}:{}", url.scheme(), url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or_default())
}

/// reqwest's redirect rule for one of the two clients: at most [`MAX_REDIRECTS`] hops,
/// each to an allowed address, and, for requests with a body, no 307/308 to another
/// origin.
fn redirect_policy(allowed: Arc<AllowList>, with_body: bool) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        let status = attempt.status().as_u16();
        let resends_body = matches!(status, 307 | 308);
        if with_body && resends_body && attempt.previous().last().is_some_and(|from| origin(from) != origin(attempt.url())) {
            let origin = origin(attempt.url());
            return attempt.error(CrossOriginRedirect { status, origin });
        }
        match literal_host_check(attempt.url(), &allowed) {
            Ok(()) => attempt.follow(),
            Err(host) => attempt.error(ForbiddenHost { host }),
        }
    })
}

/// A finished outbound request.
#[derive(Debug, Clone)]
pub struct OutboundResponse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl OutboundResponse {
    /// The `Content-Type` without parameters, lower-cased (`application/json`).
    pub fn media_type(&self) -> String {
        let value = self.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
    }
}

/// The guarded client. Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    /// For requests without a body: follows every allowed redirect.
    client: reqwest::Client,
    /// For requests with a body: refuses a 307/308 to another origin.
    with_body: reqwest::Client,
    /// For plugins' requests: follows no redirect (the plugin host follows them, checking
    /// each target against the plugin's grant; see [`plugin`]).
    single_hop: reqwest::Client,
    allowed: Arc<AllowList>,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound").field("allowed", &self.allowed).finish_non_exhaustive()
    }
}

impl Outbound {
    /// A client enforcing `policy`.
    pub fn new(policy: OutboundPolicy) -> Outbound {
        install_tls_provider();
        let allowed = Arc::new(policy.allowed_internal);
        let build = |redirects: redirect::Policy| {
            reqwest::Client::builder()
                .timeout(policy.timeout)
                .redirect(redirects)
                .dns_resolver(Arc::new(GuardedResolver { allowed: allowed.clone() }))
                // An HTTP_PROXY in the environment would connect on our behalf and skip the
                // address check.
                .no_proxy()
                .user_agent(concat!("confab/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("the outbound client's settings are valid")
        };
        Outbound {
            client: build(redirect_policy(allowed.clone(), false)),
            with_body: build(redirect_policy(allowed.clone(), true)),
            single_hop: build(redirect::Policy::none()),
            allowed,
        }
    }

    /// A request builder for `url`, refused now when the URL is not http(s) or names an
    /// internal IP address directly.
    pub fn request(&self, method: reqwest::Method, url: &str) -> Result<reqwest::RequestBuilder, OutboundError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| OutboundError::BadUrl(redact_url(url)))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(OutboundError::BadUrl(redact_url(url)));
        }
        literal_host_check(&parsed, &self.allowed).map_err(|host| OutboundError::Forbidden { host })?;
        Ok(self.client.request(method, parsed))
    }

    /// Send `request` and read at most `max_body` bytes of the answer.
    pub async fn send(&self, request: reqwest::RequestBuilder, max_body: usize) -> Result<OutboundResponse, OutboundError> {
        let request = request.build().map_err(classify)?;
        // A 301/302 keeps the body of anything but a POST (tower-http's rule), so the
        // redirect rule above holds only while POST is the one method with a body.
        debug_assert!(request.body().is_none() || request.method() == reqwest::Method::POST, "only POST requests carry a body");
        let client = if request.body().is_some() { &self.with_body } else { &self.client };
        let mut response = client.execute(request).await.map_err(classify)?;
        if response.content_length().is_some_and(|len| len > max_body as u64) {
            return Err(OutboundError::TooLarge { limit: max_body });
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > max_body {
                return Err(OutboundError::TooLarge { limit: max_body });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(OutboundResponse { status, headers, body })
    }
}

/// `Err(host)` when `url`'s host is an IP literal the policy forbids. Names are left
/// to the resolver.
fn literal_host_check(url: &reqwest::Url, allowed: &AllowList) -> Result<(), String> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    if allowed.permits(&ip.to_string(), ip) { Ok(()) } else { Err(ip.to_string()) }
}

/// Map reqwest's error to ours, finding a refusal anywhere in its source chain.
fn classify(error: reqwest::Error) -> OutboundError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(e) = source {
        if let Some(forbidden) = e.downcast_ref::<ForbiddenHost>() {
            return OutboundError::Forbidden { host: forbidden.host.clone() };
        }
        if let Some(redirect) = e.downcast_ref::<CrossOriginRedirect>() {
            return OutboundError::Failed(redirect.to_string());
        }
        source = e.source();
    }
    if error.is_timeout() {
        return OutboundError::Timeout;
    }
    // Without the URL: it may hold a token in its query.
    OutboundError::Failed(error.without_url().to_string())
}

/// Make rustls' `ring` provider the process default. reqwest is built without a
/// provider of its own (the default one needs a C toolchain and minutes to build), so
/// every reqwest client in the process (this module, the CLI, tests) needs this before
/// it is built; calling it again is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_recognised() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(ip(internal)), "{internal} is internal");
        }
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(!is_internal(ip(public)), "{public} is public");
        }
    }

    #[test]
    fn the_allow_list_takes_hosts_addresses_and_ranges() {
        let list = AllowList::parse("localhost, 127.0.0.1 10.0.0.0/8,,  Example.internal.");
        assert!(list.permits("localhost", ip("127.0.0.2")), "by host name");
        assert!(list.permits("example.internal", ip("192.168.0.1")), "host names compare case-insensitively");
        assert!(list.permits("x", ip("127.0.0.1")), "by address");
        assert!(list.permits("x", ip("::ffff:127.0.0.1")), "a mapped address is the IPv4 one");
        assert!(list.permits("x", ip("10.200.0.1")), "by range");
        assert!(!list.permits("x", ip("192.168.0.1")));
        assert!(list.permits("x", ip("8.8.8.8")), "public addresses need no entry");
        assert_eq!(AllowList::parse(""), AllowList::default());
    }

    fn outbound(allowed: &str) -> Outbound {
        Outbound::new(OutboundPolicy { allowed_internal: AllowList::parse(allowed), timeout: Duration::from_secs(5) })
    }

    #[test]
    fn redacted_urls_keep_only_scheme_host_and_port() {
        assert_eq!(redact_url("https://hooks.example.com/services/T0/B0/s3cret?token=s3cret#x"), "https://hooks.example.com/…");
        assert_eq!(redact_url("http://user:s3cret@10.0.0.1:8080/cmd"), "http://10.0.0.1:8080/…");
        assert_eq!(redact_url("http://[::1]:9/"), "http://[::1]:9");
        assert_eq!(redact_url("https://example.com"), "https://example.com");
        assert_eq!(redact_url("https://example.com/?access_token=s3cret"), "https://example.com/…");
        assert_eq!(redact_url("mailto:s3cret@example.com"), "mailto:…");
        assert_eq!(redact_url("not a url s3cret"), "(not a URL)");
        let client = outbound("");
        for bad in ["ftp://example.com/s3cret", "file:///s3cret", "s3cret"] {
            let err = client.request(reqwest::Method::GET, bad).unwrap_err().to_string();
            assert!(!err.contains("s3cret"), "{err}");
        }
    }

    #[test]
    fn bad_urls_and_internal_literals_are_refused_before_sending() {
        let client = outbound("");
        for bad in ["not a url", "ftp://example.com/x", "file:///etc/passwd", "/relative"] {
            assert!(matches!(client.request(reqwest::Method::GET, bad), Err(OutboundError::BadUrl(_))), "{bad}");
        }
        for internal in ["http://127.0.0.1:9/x", "http://[::1]/", "http://169.254.169.254/latest/meta-data", "http://[::ffff:7f00:1]/"] {
            assert!(matches!(client.request(reqwest::Method::GET, internal), Err(OutboundError::Forbidden { .. })), "{internal}");
        }
        assert!(client.request(reqwest::Method::POST, "https://example.com/hook").is_ok());
    }

    /// A loopback server answering every request with `body` (and `location` as a
    /// redirect when set).
    async fn serve(body: Vec<u8>, location: Option<String>) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(move || {
            let body = body.clone();
            let location = location.clone();
            async move {
                match location {
                    Some(to) => axum::response::Response::builder().status(302).header("location", to).body(axum::body::Body::empty()).unwrap(),
                    None => axum::response::Response::new(axum::body::Body::from(body)),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    }

    #[tokio::test]
    async fn names_resolving_to_internal_addresses_are_refused() {
        let addr = serve(b"secret".to_vec(), None).await;
        let client = outbound("");
        let request = client.request(reqwest::Method::GET, &format!("http://localhost:{}/", addr.port())).unwrap();
        assert_eq!(client.send(request, 1024).await.unwrap_err(), OutboundError::Forbidden { host: "localhost".into() });

        let allowed = outbound("localhost");
        let request = allowed.request(reqwest::Method::GET, &format!("http://localhost:{}/", addr.port())).unwrap();
        assert_eq!(allowed.send(request, 1024).await.unwrap().body, b"secret");
    }

    #[tokio::test]
    async fn a_redirect_into_an_internal_address_is_refused() {
        let inside = serve(b"secret".to_vec(), None).await;
        // The redirecting server itself is allowed (by name); where it points is not.
        let front = serve(Vec::new(), Some(format!("http://127.0.0.1:{}/", inside.port()))).await;
        let client = outbound("localhost");
        let request = client.request(reqwest::Method::GET, &format!("http://localhost:{}/", front.port())).unwrap();
        assert_eq!(client.send(request, 1024).await.unwrap_err(), OutboundError::Forbidden { host: "127.0.0.1".into() });
    }

    /// What a [`recorder`] server saw: method, path and body of each request.
    type Seen = Arc<std::sync::Mutex<Vec<(String, String, String)>>>;

    /// A loopback server that records every request and answers `status` with
    /// `location` when `location` is set (an empty body otherwise); a request to
    /// `/final` always gets a plain 200.
    async fn recorder(status: u16, location: Option<String>) -> (SocketAddr, Seen) {
        let seen: Seen = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |method: axum::http::Method, uri: axum::http::Uri, body: String| {
            let location = location.clone().filter(|_| uri.path() != "/final");
            log.lock().unwrap().push((method.to_string(), uri.path().to_string(), body));
            async move {
                let mut response = axum::response::Response::builder().status(if location.is_some() { status } else { 200 });
                if let Some(to) = location {
                    response = response.header("location", to);
                }
                response.body(axum::body::Body::from("done")).unwrap()
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        (addr, seen)
    }

    fn form_post(client: &Outbound, url: &str) -> reqwest::RequestBuilder {
        client.request(reqwest::Method::POST, url).unwrap().header("authorization", "Token s3cret").form(&[("token", "s3cret"), ("text", "hi")])
    }

    #[tokio::test]
    async fn a_body_is_never_resent_to_another_origin() {
        let client = outbound("127.0.0.1");
        let (target, target_seen) = recorder(200, None).await;
        for status in [307, 308] {
            // Another port is another origin, though the host is the same allowed one.
            let (front, front_seen) = recorder(status, Some(format!("http://{target}/final"))).await;
            let err = client.send(form_post(&client, &format!("http://{front}/cmd")), 1024).await.unwrap_err();
            assert!(matches!(&err, OutboundError::Failed(m) if m.contains("another origin")), "{status}: {err:?}");
            assert_eq!(front_seen.lock().unwrap().len(), 1);
        }
        assert!(target_seen.lock().unwrap().is_empty(), "the redirect target got nothing: {:?}", target_seen.lock().unwrap());

        // 303 (and 301/302) to another origin: followed as a GET without the body.
        let (front, _) = recorder(303, Some(format!("http://{target}/final"))).await;
        assert_eq!(client.send(form_post(&client, &format!("http://{front}/cmd")), 1024).await.unwrap().body, b"done");
        assert_eq!(*target_seen.lock().unwrap(), [("GET".to_string(), "/final".to_string(), String::new())]);
    }

    #[tokio::test]
    async fn same_origin_and_bodiless_redirects_are_followed() {
        let client = outbound("127.0.0.1");
        // A 307 within one origin keeps the method and body, as it should.
        let (front, seen) = recorder(307, Some("/final".into())).await;
        assert_eq!(client.send(form_post(&client, &format!("http://{front}/cmd")), 1024).await.unwrap().body, b"done");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2);
        assert_eq!((seen[1].0.as_str(), seen[1].1.as_str(), seen[1].2.as_str()), ("POST", "/final", "token=s3cret&text=hi"));

        // A GET has nothing to leak: a 307 to another origin is followed.
        let (target, target_seen) = recorder(200, None).await;
        let (front, _) = recorder(307, Some(format!("http://{target}/final"))).await;
        let request = client.request(reqwest::Method::GET, &format!("http://{front}/download")).unwrap();
        assert_eq!(client.send(request, 1024).await.unwrap().body, b"done");
        assert_eq!(target_seen.lock().unwrap()[0].0, "GET");
    }

    #[tokio::test]
    async fn the_body_is_capped() {
        let addr = serve(vec![b'x'; 4096], None).await;
        let client = outbound("127.0.0.1");
        let request = client.request(reqwest::Method::GET, &format!("http://{addr}/")).unwrap();
        assert_eq!(client.send(request, 1000).await.unwrap_err(), OutboundError::TooLarge { limit: 1000 });
        let request = client.request(reqwest::Method::GET, &format!("http://{addr}/")).unwrap();
        assert_eq!(client.send(request, 4096).await.unwrap().body.len(), 4096);
    }

    #[tokio::test]
    async fn a_slow_answer_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Accept and never answer.
        let hold = tokio::spawn(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        let client = Outbound::new(OutboundPolicy { allowed_internal: AllowList::parse("127.0.0.1"), timeout: Duration::from_millis(300) });
        let request = client.request(reqwest::Method::GET, &format!("http://{addr}/")).unwrap();
        assert_eq!(client.send(request, 1024).await.unwrap_err(), OutboundError::Timeout);
        hold.abort();
    }
}
