//! Plugin HTTP: routing a request under `/plugins/{plugin_id}/...` to the plugin's `serve-http`, after Mattermost's anti-spoofing clean-up of headers and query.
//!
//! `api/plugins.rs` hands over the raw method, path, query, headers and body and turns
//! the plugin's answer back into an HTTP response; which plugin is called and what it
//! may see is decided here.

use confab_host::CallError;
use confab_host::types::{HttpRequest, HttpResponse, PluginCallChain, PluginContext};

use super::Caller;

super::area!(
    /// The plugin-facing use cases: `serve-http` routing.
    Plugins,
    plugins
);

/// A request to a plugin as it arrived, path still percent-encoded.
#[derive(Debug, Clone, Default)]
pub struct PluginRequest {
    pub method: String,
    /// The whole path, starting `/plugins/`.
    pub path: String,
    pub query: String,
    /// Header names in lower case; values as sent (lossily decoded).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Why a plugin request was not answered by the plugin.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The path names no plugin (not a plugin id): an unknown route.
    #[error("no plugin route")]
    NoRoute,
    /// The plugin could not answer.
    #[error(transparent)]
    Plugin(#[from] CallError),
}

impl Plugins<'_> {
    /// A plugin's `plugin-http` call to `target`, in process: no session and a fresh
    /// request id (as Mattermost's inter-plugin requests); the host has checked the
    /// grant, the chain's depth and the headers.
    pub async fn serve_from_plugin(&self, chain: &PluginCallChain, target: &str, request: HttpRequest) -> Result<HttpResponse, CallError> {
        let host = self.host().ok_or_else(|| CallError::UnknownPlugin { plugin_id: target.to_string() })?;
        let ctx = PluginContext { request_id: crate::ids::new_id(), ..PluginContext::default() };
        host.serve_plugin_http(chain, target, &ctx, request).await
    }

    /// Hand `request` to the plugin its path names, as `caller` (if signed in), with
    /// `/plugins/{plugin_id}` removed from the path.
    pub async fn serve(&self, caller: Option<&Caller>, ctx: PluginContext, request: PluginRequest) -> Result<(String, HttpResponse), ServeError> {
        let (plugin_id, rest) = route(&request.path).ok_or(ServeError::NoRoute)?;
        // The session id is set only for a real session (a cookie without its CSRF
        // proof on a write counts as none, see `MaybeAuth`).
        let ctx = PluginContext { session_id: caller.map(|c| c.ctx.session_id.clone()).unwrap_or_default(), ..ctx };
        let mut headers = forwarded_headers(request.headers);
        // After the spoofed copies were stripped: only the server names the user.
        if let Some(user) = caller.and_then(|c| c.user()) {
            headers.push(("mattermost-user-id".to_string(), user.id.clone()));
        }
        let plugin_request = HttpRequest {
            method: request.method,
            path: format!("/{rest}"),
            query: strip_query_param(&request.query, "access_token"),
            headers,
            body: request.body,
        };
        let host = self.host().ok_or_else(|| CallError::UnknownPlugin { plugin_id: plugin_id.to_string() })?;
        let response = host.serve_http(plugin_id, &ctx, plugin_request).await?;
        Ok((plugin_id.to_string(), response))
    }
}

/// The plugin id and the rest of a `/plugins/{plugin_id}[/{rest}]` path; `None` when
/// it names no plugin. The raw path is split here: the plugin gets its sub-path exactly
/// as sent (still percent-encoded), and ids are plain `[A-Za-z0-9_.-]+` anyway.
pub fn route(path: &str) -> Option<(&str, &str)> {
    let after = path.strip_prefix("/plugins/").unwrap_or_default();
    let (plugin_id, rest) = after.split_once('/').map_or((after, ""), |(id, rest)| (id, rest));
    is_plugin_id(plugin_id).then_some((plugin_id, rest))
}

/// Mattermost's plugin id pattern.
fn is_plugin_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Headers that describe one connection rather than the message; neither forwarded to
/// the plugin nor taken from its answer (hyper sets the framing ones itself).
pub fn is_hop_by_hop(name: &str) -> bool {
    matches!(name, "connection" | "keep-alive" | "proxy-connection" | "transfer-encoding" | "upgrade" | "te" | "trailer" | "content-length")
}

/// The request headers a plugin sees. As in Mattermost, `Mattermost-User-Id` and
/// `Mattermost-Plugin-ID` are removed (only the server may set them, once it knows the
/// session or the calling plugin), as are `Referer` and the `MMAUTHTOKEN` cookie.
fn forwarded_headers(headers: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        if is_hop_by_hop(&name) || matches!(name.as_str(), "mattermost-user-id" | "mattermost-plugin-id" | "referer") {
            continue;
        }
        if name == "cookie" {
            let kept: Vec<&str> = value.split(';').map(str::trim).filter(|c| !c.is_empty() && !c.starts_with("MMAUTHTOKEN=")).collect();
            if !kept.is_empty() {
                out.push((name, kept.join("; ")));
            }
            continue;
        }
        out.push((name, value));
    }
    out
}

/// `query` without any `name=...` pair (the access token must not reach plugins).
fn strip_query_param(query: &str, name: &str) -> String {
    query.split('&').filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(name)).collect::<Vec<_>>().join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_ids() {
        assert!(is_plugin_id("com.confab.kv-counter"));
        assert!(is_plugin_id("a_b"));
        assert!(!is_plugin_id(""));
        assert!(!is_plugin_id("a%2Fb"));
        assert!(!is_plugin_id("a b"));
        assert_eq!(route("/plugins/p/a/b"), Some(("p", "a/b")));
        assert_eq!(route("/plugins/p"), Some(("p", "")));
        assert_eq!(route("/plugins/a%2Fb/x"), None);
    }

    #[test]
    fn spoofable_headers_and_the_auth_cookie_are_removed() {
        let h = |pairs: &[(&str, &str)]| pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect::<Vec<_>>();
        let headers = h(&[
            ("mattermost-user-id", "admin"),
            ("mattermost-plugin-id", "other"),
            ("referer", "https://x"),
            ("connection", "keep-alive"),
            ("cookie", "MMAUTHTOKEN=secret; theme=dark"),
            ("x-custom", "1"),
        ]);
        assert_eq!(forwarded_headers(headers), h(&[("cookie", "theme=dark"), ("x-custom", "1")]));
        assert!(forwarded_headers(h(&[("cookie", "MMAUTHTOKEN=secret")])).is_empty());
    }

    #[test]
    fn the_access_token_is_removed_from_the_query() {
        assert_eq!(strip_query_param("a=1&access_token=t&b=2", "access_token"), "a=1&b=2");
        assert_eq!(strip_query_param("access_token=t", "access_token"), "");
        assert_eq!(strip_query_param("access_tokens=x&&c", "access_token"), "access_tokens=x&c");
    }
}
