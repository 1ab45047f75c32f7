//! Calls to another plugin's `serve_http`, in process (`plugin-http` interface; capability `plugin:<target-id>` for each target), Mattermost's `PluginHTTP`.
//!
//! The target sees `Mattermost-Plugin-ID` set to this plugin's id ([`caller`] reads
//! it) and no `Mattermost-User-Id`. A chain of such calls is at most 4 deep
//! (`Error::QuotaExceeded` past it); a call back into a plugin already in the chain
//! needs a free instance of it and fails at once (`Error::Internal`, busy) without one.
//!
//! ```ignore
//! use confab_plugin::plugin_http;
//!
//! let answer = plugin_http::post_json("com.example.tracker", "/api/issues", &issue)?;
//! // and in the tracker's serve_http:
//! if let Some(plugin) = plugin_http::caller(&request) { /* trusted: another plugin */ }
//! ```

use serde::Serialize;

use crate::bindings::confab::plugin::plugin_http as wit;
use crate::error::wit as lift;
use crate::{HttpRequest, HttpResponse, Result};

/// Sends `request` to plugin `plugin_id` (`request.path` is the path after
/// `/plugins/<plugin_id>`).
pub fn call(plugin_id: &str, request: &HttpRequest) -> Result<HttpResponse> {
    lift(wit::call(plugin_id, request))
}

/// `GET path` of plugin `plugin_id`; `path` may carry a query (`/items?page=2`).
pub fn get(plugin_id: &str, path: &str) -> Result<HttpResponse> {
    call(plugin_id, &request("GET", path, Vec::new(), Vec::new()))
}

/// `POST path` of plugin `plugin_id` with `value` as a JSON body.
pub fn post_json<T: Serialize + ?Sized>(plugin_id: &str, path: &str, value: &T) -> Result<HttpResponse> {
    let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    call(plugin_id, &request("POST", path, headers, serde_json::to_vec(value)?))
}

/// A request for [`call`]: `path` split at `?` into path and query.
pub fn request(method: &str, path: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> HttpRequest {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    HttpRequest { method: method.to_owned(), path: path.to_owned(), query: query.to_owned(), headers, body }
}

/// The id of the plugin that sent `request` through [`call`]; `None` for a request
/// from a client (the server strips the header from those).
pub fn caller(request: &HttpRequest) -> Option<&str> {
    request.header("Mattermost-Plugin-ID").filter(|id| !id.is_empty())
}
