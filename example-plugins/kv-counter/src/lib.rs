//! The `kv-counter` example plugin: counts posts per channel in KV with
//! compare-and-set, and serves the counts at `/plugins/com.confab.kv-counter/counts`.

use std::collections::BTreeMap;

use confab_plugin::prelude::*;
use confab_plugin::{kv, log};

/// Counter keys are `count:<channel_id>`; the prefix lets `GET /counts` find them all
/// with `kv::list_all` instead of maintaining a separate index key (which would be one
/// more value every instance races to update).
const PREFIX: &str = "count:";

fn key(channel_id: &str) -> String {
    format!("{PREFIX}{channel_id}")
}

fn count(channel_id: &str) -> Result<u64> {
    Ok(kv::get_json::<u64>(&key(channel_id))?.unwrap_or(0))
}

fn all_counts() -> Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for key in kv::list_all()? {
        if let Some(channel_id) = key.strip_prefix(PREFIX) {
            // A key can vanish between list and get (a delete-all); it counts as 0.
            counts.insert(channel_id.to_owned(), kv::get_json::<u64>(&key)?.unwrap_or(0));
        }
    }
    Ok(counts)
}

/// What a request asks for, decided from method and path alone.
#[derive(Debug, PartialEq)]
enum Route<'a> {
    All,
    One(&'a str),
    MethodNotAllowed,
    NotFound,
}

fn route<'a>(method: &str, path: &'a str) -> Route<'a> {
    let path = path.trim_end_matches('/');
    let target = match path.strip_prefix("/counts") {
        Some("") => Route::All,
        Some(rest) => match rest.strip_prefix('/') {
            Some(id) if !id.is_empty() && !id.contains('/') => Route::One(id),
            _ => return Route::NotFound,
        },
        None => return Route::NotFound,
    };
    if method.eq_ignore_ascii_case("GET") { target } else { Route::MethodNotAllowed }
}

#[derive(Default)]
struct KvCounter;

#[plugin]
impl Plugin for KvCounter {
    fn message_has_been_posted(&self, post: &HookPost) {
        let channel_id = post.channel_id();
        if channel_id.is_empty() {
            return;
        }
        // Several instances (and nodes) run this hook at once: a plain get + set would
        // lose increments, so update with compare-and-set and retry.
        if let Err(e) = kv::update_json::<u64, _>(&key(channel_id), |n| n.unwrap_or(0) + 1) {
            log::error("could not count a post", &[("channel_id", channel_id), ("error", &e.to_string())]);
        }
    }

    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        let result = match route(&request.method, &request.path) {
            Route::All => all_counts().map(|counts| HttpResponse::json(200, &counts)),
            Route::One(channel_id) => count(channel_id).map(|count| HttpResponse::json(200, &serde_json::json!({ "channel_id": channel_id, "count": count }))),
            Route::MethodNotAllowed => Ok(HttpResponse::error(405, "only GET is supported")),
            Route::NotFound => Ok(HttpResponse::not_found()),
        };
        result.unwrap_or_else(|e| HttpResponse::error(500, &e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/counts"), Route::All);
        assert_eq!(route("get", "/counts/"), Route::All);
        assert_eq!(route("GET", "/counts/abc"), Route::One("abc"));
        assert_eq!(route("GET", "/counts/a/b"), Route::NotFound);
        assert_eq!(route("GET", "/countsx"), Route::NotFound);
        assert_eq!(route("GET", "/"), Route::NotFound);
        assert_eq!(route("POST", "/counts"), Route::MethodNotAllowed);
    }
}
