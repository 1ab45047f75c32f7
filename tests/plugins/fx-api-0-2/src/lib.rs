//! Fixture `fx-api-0-2`: the host functions added in `confab:plugin@0.2.0`, each behind a `serve-http` route, so tests call them through a compiled component.
//!
//! - `GET /server` → `{"site_url","server_version","diagnostic_id"}` (`config`).
//! - `POST /direct` with `{"a":..,"b":..}` → the direct channel `{"id","type","name"}`
//!   (`channels.get-direct`).
//! - `POST /save` with a settings object → `config.save-settings`; then
//!   `GET /settings` → what `configuration-changed` last saw.
//!
//! A host error answers 400 with `{"error": "<text>"}`.

use std::cell::RefCell;

use confab_plugin::prelude::*;
use confab_plugin::{channels, config};

#[derive(Default)]
struct Fixture {
    /// The settings `configuration-changed` last delivered to this instance.
    seen: RefCell<String>,
}

fn failed(e: impl std::fmt::Display) -> HttpResponse {
    HttpResponse::json(400, &serde_json::json!({ "error": e.to_string() }))
}

fn body_json(request: &HttpRequest) -> serde_json::Value {
    serde_json::from_slice(&request.body).unwrap_or_default()
}

#[plugin]
impl Plugin for Fixture {
    fn configuration_changed(&self) -> Result<(), String> {
        *self.seen.borrow_mut() = config::settings_json();
        Ok(())
    }

    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/server") => HttpResponse::json(
                200,
                &serde_json::json!({
                    "site_url": config::site_url(),
                    "server_version": config::server_version(),
                    "diagnostic_id": config::diagnostic_id().unwrap_or_else(|e| format!("error: {e}")),
                }),
            ),
            ("POST", "/direct") => {
                let body = body_json(&request);
                let user = |key: &str| body[key].as_str().unwrap_or_default().to_string();
                match channels::get_direct(&user("a"), &user("b")) {
                    Ok(channel) => HttpResponse::json(200, &serde_json::json!({ "id": channel.id, "type": channel.type_, "name": channel.name })),
                    Err(e) => failed(e),
                }
            }
            ("POST", "/save") => match config::save_settings_json(&request.text()) {
                Ok(()) => HttpResponse::json(200, &serde_json::json!({ "saved": true })),
                Err(e) => failed(e),
            },
            ("GET", "/settings") => HttpResponse::new(200, self.seen.borrow().clone().into_bytes()).with_header("Content-Type", "application/json"),
            _ => HttpResponse::not_found(),
        }
    }
}
