//! Fixture `fx-p2p` (`fx.p2p`, loaded by tests as `fx.p2p-a` and `fx.p2p-b`): calls other plugins' `serve-http` when a test asks, answers with what it received, bounces a call between two copies of itself until the host stops the chain (hostile: it panics on any error), and records plugin-defined metrics. Contract: tests/plugins/README.md.

use confab_plugin::prelude::*;
use confab_plugin::{metrics, plugin_http};
use serde_json::{Value, json};

/// The target's answer as JSON: `{"status", "body"}` (the body parsed when it is
/// JSON), or `{"error"}`.
fn relay(result: Result<HttpResponse>) -> HttpResponse {
    match result {
        Ok(answer) => {
            let body = serde_json::from_slice::<Value>(&answer.body).unwrap_or_else(|_| Value::from(String::from_utf8_lossy(&answer.body).into_owned()));
            HttpResponse::json(200, &json!({ "status": answer.status, "body": body }))
        }
        Err(e) => HttpResponse::json(200, &json!({ "error": e.to_string() })),
    }
}

/// `GET /echo`: what this plugin was sent, and who sent it.
fn echo(request: &HttpRequest) -> HttpResponse {
    HttpResponse::json(
        200,
        &json!({
            "plugin_id": plugin_http::caller(request).unwrap_or_default(),
            "user_id": request.user_id().unwrap_or_default(),
            "path": request.path,
            "query": request.query,
            "x_test": request.header("x-test").unwrap_or_default(),
        }),
    )
}

/// `POST /call?target=T&path=P`: `GET P` of plugin `T`, with headers a plugin must not
/// be able to forge.
fn call(request: &HttpRequest) -> HttpResponse {
    let target = request.query_param("target").unwrap_or_default();
    let path = request.query_param("path").unwrap_or_else(|| "/echo".to_owned());
    let headers = vec![
        ("Mattermost-User-Id".to_owned(), "forged-user".to_owned()),
        ("Mattermost-Plugin-ID".to_owned(), "forged-plugin".to_owned()),
        ("x-test".to_owned(), "1".to_owned()),
    ];
    relay(plugin_http::call(&target, &plugin_http::request("GET", &path, headers, Vec::new())))
}

/// `GET /bounce?to=B&back=A`: **hostile**. Calls `B`'s `/bounce?to=A&back=B` and panics
/// on any error, so only the host's depth limit ends the chain.
fn bounce(request: &HttpRequest) -> HttpResponse {
    let to = request.query_param("to").unwrap_or_default();
    let back = request.query_param("back").unwrap_or_default();
    let answer = plugin_http::get(&to, &format!("/bounce?to={back}&back={to}")).expect("fx-p2p bounces until something gives");
    HttpResponse::new(200, answer.body)
}

/// `POST /metric` `{"kind", "name", "labels": {..}, "value"}`.
fn metric(request: &HttpRequest) -> HttpResponse {
    let Ok(body) = request.json::<Value>() else { return HttpResponse::error(400, "bad body") };
    let labels: Vec<(String, String)> =
        body["labels"].as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect()).unwrap_or_default();
    let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (name, value) = (body["name"].as_str().unwrap_or_default(), body["value"].as_f64().unwrap_or(f64::NAN));
    let result = match body["kind"].as_str() {
        Some("counter") => metrics::counter_add(name, &labels, value),
        Some("gauge") => metrics::gauge_set(name, &labels, value),
        _ => metrics::histogram_observe(name, &labels, value),
    };
    HttpResponse::json(200, &json!({ "result": result.map_or_else(|e| e.to_string(), |()| "ok".to_owned()) }))
}

/// `POST /metric-flood?count=N`: **hostile**. A gauge series per number until the first
/// refusal.
fn metric_flood(request: &HttpRequest) -> HttpResponse {
    let count = request.query_param("count").and_then(|c| c.parse::<u32>().ok()).unwrap_or(0);
    let mut accepted = 0;
    let mut refusal = String::new();
    for i in 0..count {
        let n = i.to_string();
        match metrics::gauge_set("flood", &[("n", n.as_str())], 1.0) {
            Ok(()) => accepted += 1,
            Err(e) => {
                refusal = e.to_string();
                break;
            }
        }
    }
    HttpResponse::json(200, &json!({ "accepted": accepted, "refusal": refusal }))
}

#[derive(Default)]
struct P2p;

#[plugin]
impl Plugin for P2p {
    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/echo") => echo(&request),
            ("POST", "/call") => call(&request),
            ("GET", "/ping-back") => {
                let caller = plugin_http::caller(&request).unwrap_or_default().to_owned();
                relay(plugin_http::get(&caller, "/echo"))
            }
            ("GET", "/bounce") => bounce(&request),
            ("POST", "/metric") => metric(&request),
            ("POST", "/metric-flood") => metric_flood(&request),
            _ => HttpResponse::not_found(),
        }
    }
}
