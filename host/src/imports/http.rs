//! `http-outbound`: requests only to hosts granted as `http:<host>`.

use super::WitResult;
use crate::bindings::confab::plugin::http_outbound::{Host, OutboundRequest, OutboundResponse};
use crate::bindings::types::Error;
use crate::state::HostState;

/// Scheme, lower-cased host and explicit port of an absolute http(s) URL.
pub(crate) fn url_authority(url: &str) -> Option<(&'static str, String, Option<u16>)> {
    let (scheme, rest) = if let Some(rest) = url.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        ("http", rest)
    } else {
        return None;
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = if let Some(stripped) = authority.strip_prefix('[') {
        let (host, after) = stripped.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        (host.to_ascii_lowercase(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_ascii_lowercase(), Some(port.parse().ok()?)),
            None => (authority.to_ascii_lowercase(), None),
        }
    };
    if host.is_empty() {
        return None;
    }
    Some((scheme, host, port))
}

impl Host for HostState {
    async fn request(&mut self, request: OutboundRequest) -> wasmtime::Result<WitResult<OutboundResponse>> {
        let Some((_, host, port)) = url_authority(&request.url) else {
            return Ok(Err(Error::InvalidInput(format!("`{}` is not an absolute http(s) URL", request.url))));
        };
        if !self.identity.grants.allows_http_host(&host, port) {
            tracing::debug!(plugin_id = %self.plugin_id(), %host, "outbound HTTP denied");
            return Ok(Err(Error::PermissionDenied));
        }
        let method = request.method.to_ascii_uppercase();
        if !matches!(method.as_str(), "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") {
            return Ok(Err(Error::InvalidInput(format!("unsupported method `{}`", request.method))));
        }
        let request = crate::types::OutboundRequest { method, url: request.url, headers: request.headers, body: request.body };
        let response = self.api.http_request(self.plugin_id(), request).await;
        Ok(response.map(|r| OutboundResponse { status: r.status, headers: r.headers, body: r.body }).map_err(Error::from))
    }
}

#[cfg(test)]
mod tests {
    use super::url_authority;

    #[test]
    fn parses_authorities() {
        assert_eq!(url_authority("https://API.example.com/x?y"), Some(("https", "api.example.com".into(), None)));
        assert_eq!(url_authority("http://localhost:8080"), Some(("http", "localhost".into(), Some(8080))));
        assert_eq!(url_authority("http://[::1]:9/p"), Some(("http", "::1".into(), Some(9))));
        assert_eq!(url_authority("http://user@evil.com@good.com/"), None);
        assert_eq!(url_authority("ftp://x"), None);
        assert_eq!(url_authority("http://:80"), None);
        assert_eq!(url_authority("http://host:notaport/"), None);
    }
}
