//! One hop of a plugin's `http-outbound` request: the same guard as the server's own requests (internal addresses, timeout), no redirect followed, the body cut at the plugin's limit.
//!
//! Redirects are the plugin host's to follow: it knows the plugin's grant and checks
//! every target against it before asking for the next hop, which comes back here and
//! is checked against the internal-address rule again. A client that followed
//! redirects on its own would visit hosts nobody granted.
//!
//! The body is cut, not refused, because the WIT contract says so ("cut at the
//! server's size limit"); a plugin that must know compares with `Content-Length`.
//! Reading stops at the limit and the connection is dropped, so a hostile upstream's
//! endless body costs one limit's worth of memory.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::{Outbound, OutboundError, OutboundResponse, classify, literal_host_check, redact_url};

/// Headers a plugin may not set: the client writes them (framing, connection
/// handling, the target's name). A plugin's own `Host` would let a granted address
/// be asked for another site, and framing headers could smuggle a second request.
const RESERVED: &[&str] =
    &["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "proxy-authorization", "proxy-connection"];

/// What a plugin asks to send.
#[derive(Debug, Clone)]
pub struct PluginRequest<'a> {
    /// Upper-case method (the host has checked it is one it allows).
    pub method: &'a str,
    /// Absolute http(s) URL.
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Vec<u8>,
    /// Bytes of the answer's body kept; the rest is not read.
    pub max_body: usize,
}

/// The plugin's headers as a header map; an unknown name, a bad value or a reserved
/// header is an [`OutboundError::Invalid`] naming it.
fn header_map(headers: &[(String, String)]) -> Result<HeaderMap, OutboundError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| OutboundError::Invalid(format!("`{name}` is not a header name")))?;
        if RESERVED.contains(&name.as_str()) {
            return Err(OutboundError::Invalid(format!("the `{name}` header is set by the server")));
        }
        let value = HeaderValue::from_str(value).map_err(|_| OutboundError::Invalid(format!("the value of `{name}` is not a valid header value")))?;
        map.append(name, value);
    }
    Ok(map)
}

impl Outbound {
    /// Send one hop of a plugin's request: internal addresses refused as for every
    /// outbound request, no redirect followed (a 3xx comes back as the answer), at
    /// most `max_body` bytes of the body read.
    pub async fn send_plugin_hop(&self, request: PluginRequest<'_>) -> Result<OutboundResponse, OutboundError> {
        let method =
            reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| OutboundError::Invalid(format!("`{}` is not a method", request.method)))?;
        let url = reqwest::Url::parse(request.url).map_err(|_| OutboundError::BadUrl(redact_url(request.url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(OutboundError::BadUrl(redact_url(request.url)));
        }
        literal_host_check(&url, &self.allowed).map_err(|host| OutboundError::Forbidden { host })?;
        let mut builder = self.single_hop.request(method, url).headers(header_map(request.headers)?);
        if !request.body.is_empty() {
            builder = builder.body(request.body);
        }
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while body.len() < request.max_body {
            let Some(chunk) = response.chunk().await.map_err(classify)? else { break };
            let room = request.max_body - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        Ok(OutboundResponse { status, headers, body })
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Duration;

    use super::*;
    use crate::outbound::{AllowList, OutboundPolicy};

    fn outbound(allowed: &str) -> Outbound {
        Outbound::new(OutboundPolicy { allowed_internal: AllowList::parse(allowed), timeout: Duration::from_secs(5) })
    }

    fn get(url: &str, max_body: usize) -> PluginRequest<'_> {
        PluginRequest { method: "GET", url, headers: &[], body: Vec::new(), max_body }
    }

    /// A loopback server: `/redirect` answers 302 to `/final`, `/big` a 1 MiB body,
    /// anything else echoes the method, the `x-test` header and the body.
    async fn serve() -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/redirect", axum::routing::get(|| async { (axum::http::StatusCode::FOUND, [("location", "/final")]) }))
            .route("/big", axum::routing::get(|| async { vec![b'x'; 1 << 20] }))
            .fallback(|method: axum::http::Method, headers: axum::http::HeaderMap, body: String| async move {
                let test = headers.get("x-test").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                format!("{method} {test} {body}")
            });
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    }

    #[tokio::test]
    async fn one_hop_only_and_internal_addresses_refused() {
        let addr = serve().await;
        let url = format!("http://{addr}/redirect");
        let refused = outbound("").send_plugin_hop(get(&url, 1024)).await.unwrap_err();
        assert_eq!(refused, OutboundError::Forbidden { host: "127.0.0.1".into() });
        let url = format!("http://localhost:{}/redirect", addr.port());
        let refused = outbound("").send_plugin_hop(get(&url, 1024)).await.unwrap_err();
        assert_eq!(refused, OutboundError::Forbidden { host: "localhost".into() }, "names are resolved through the guard");

        let allowed = outbound("127.0.0.1");
        let answer = allowed.send_plugin_hop(get(&format!("http://{addr}/redirect"), 1024)).await.unwrap();
        assert_eq!((answer.status, answer.headers["location"].to_str().unwrap()), (302, "/final"), "the redirect is the answer");
    }

    #[tokio::test]
    async fn headers_and_body_go_through_and_the_answer_is_cut() {
        let addr = serve().await;
        let client = outbound("127.0.0.1");
        let url = format!("http://{addr}/echo");
        let headers = [("X-Test".to_string(), "yes".to_string())];
        let request = PluginRequest { method: "PUT", url: &url, headers: &headers, body: b"payload".to_vec(), max_body: 1024 };
        assert_eq!(client.send_plugin_hop(request).await.unwrap().body, b"PUT yes payload");

        let url = format!("http://{addr}/big");
        let cut = client.send_plugin_hop(get(&url, 1000)).await.unwrap();
        assert_eq!((cut.status, cut.body.len()), (200, 1000));
        assert_eq!(cut.headers["content-length"], "1048576", "the plugin can tell it was cut");

        for (name, value) in [("Host", "internal.example"), ("Transfer-Encoding", "chunked"), ("bad name", "x"), ("X-Ok", "line\nbreak")] {
            let headers = [(name.to_string(), value.to_string())];
            let request = PluginRequest { method: "GET", url: &url, headers: &headers, body: Vec::new(), max_body: 10 };
            assert!(matches!(client.send_plugin_hop(request).await, Err(OutboundError::Invalid(_))), "{name}: {value:?}");
        }
    }
}
