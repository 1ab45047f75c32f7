//! Outbound HTTP (`http-outbound` interface; capability `http:<host>` per host).
//!
//! Requests to hosts outside the grant fail with `Error::PermissionDenied`. The call
//! counts against the calling hook's deadline, so keep upstreams fast or move slow
//! work out of will-hooks.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::bindings::confab::plugin::http_outbound as wit;
use crate::error::wit as lift;
use crate::records::find_header;

/// A request to send; build it with [`Request::get`] and friends.
pub use wit::OutboundRequest as Request;
/// The upstream's answer (body cut at the server's size limit).
pub use wit::OutboundResponse as Response;

/// Sends `request`.
pub fn send(request: &Request) -> Result<Response> {
    lift(wit::request(request))
}

/// `GET url`.
pub fn get(url: &str) -> Result<Response> {
    send(&Request::get(url))
}

/// `POST url` with `value` as a JSON body.
pub fn post_json<T: Serialize + ?Sized>(url: &str, value: &T) -> Result<Response> {
    send(&Request::post_json(url, value)?)
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: &str, url: impl Into<String>) -> Self {
        Request { method: method.to_owned(), url: url.into(), headers: Vec::new(), body: Vec::new() }
    }

    /// A `GET` request.
    pub fn get(url: impl Into<String>) -> Self {
        Self::new("GET", url)
    }

    /// A `POST` with a JSON body and `Content-Type: application/json`.
    pub fn post_json<T: Serialize + ?Sized>(url: impl Into<String>, value: &T) -> Result<Self> {
        Ok(Self::new("POST", url).with_header("Content-Type", "application/json").with_body(serde_json::to_vec(value)?))
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body (builder style).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body as UTF-8 text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        Ok(serde_json::from_slice(&self.body)?)
    }
}
