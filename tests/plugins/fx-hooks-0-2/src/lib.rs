//! Fixture `fx-hooks-0-2` (`fx.hooks-0-2`): implements every hook added in contract 0.2.0, each driven by KV keys a test sets with `POST /control`, and records the notifications it gets, read back with `GET /record`. Contract: tests/plugins/README.md.

use confab_plugin::prelude::*;
use confab_plugin::{config, kv, log};

/// The value of control key `key`, empty when unset.
fn control(key: &str) -> String {
    kv::get(key).ok().flatten().map(|v| String::from_utf8_lossy(&v).into_owned()).unwrap_or_default()
}

/// The verdict of a veto hook on `id`: refuse when `veto-<what>` names it, trap when
/// `trap-<what>` does (a test of fail-open and fail-closed), allow otherwise.
fn veto(what: &str, id: &str) -> Option<String> {
    if control(&format!("trap-{what}")) == id {
        panic!("fx-hooks-0-2 traps on {what} {id} as asked");
    }
    (control(&format!("veto-{what}")) == id).then(|| format!("fx-hooks-0-2 refuses {what} {id}"))
}

/// Append `value` to the JSON list in KV `key`.
fn append(key: &str, value: &str) {
    let result = kv::update_json(key, |list: Option<Vec<String>>| {
        let mut list = list.unwrap_or_default();
        list.push(value.to_owned());
        list
    });
    if let Err(e) = result {
        log::error("fx-hooks-0-2 could not record", &[("key", key), ("error", &e.to_string())]);
    }
}

fn list(key: &str) -> Vec<String> {
    kv::get_json::<Vec<String>>(key).ok().flatten().unwrap_or_default()
}

#[derive(Default)]
struct Hooks02;

#[plugin]
impl Plugin for Hooks02 {
    fn channel_member_will_be_added(&self, _ctx: &PluginContext, member: ChannelMember, _actor: Option<User>) -> Option<String> {
        veto("channel", &member.channel_id)
    }

    fn team_member_will_be_added(&self, _ctx: &PluginContext, member: TeamMember, _actor: Option<User>) -> Option<String> {
        veto("team", &member.team_id)
    }

    fn channel_will_be_archived(&self, _ctx: &PluginContext, channel: Channel, actor: Option<User>) -> Option<String> {
        append("archivers", actor.as_ref().map_or("", |u| u.id.as_str()));
        veto("archive", &channel.id)
    }

    fn user_has_been_deactivated(&self, _ctx: &PluginContext, user: User) {
        append("deactivated", &user.id);
    }

    /// A message containing `secret` is redacted, one containing `hidden` withheld.
    fn messages_will_be_consumed(&self, posts: Vec<Post>) -> Vec<Post> {
        posts
            .into_iter()
            .filter(|p| !p.message.contains("hidden"))
            .map(|mut p| {
                if p.message.contains("secret") {
                    p.message = "[redacted by fx-hooks-0-2]".to_owned();
                }
                p
            })
            .collect()
    }

    fn on_install(&self, _ctx: &PluginContext, event: InstallEvent) -> Result<(), String> {
        append("installs", &event.user_id);
        Ok(())
    }

    /// `Mode` `refuse` is refused, `shout` saved upper-cased, anything else kept.
    fn configuration_will_be_saved(&self, settings: &str) -> Result<Option<String>, String> {
        let mut value: serde_json::Value = serde_json::from_str(settings).map_err(|e| e.to_string())?;
        match value["Mode"].as_str() {
            Some("refuse") => Err("fx-hooks-0-2 does not accept Mode refuse".to_owned()),
            Some("shout") => {
                value["Mode"] = "SHOUT".into();
                Ok(Some(value.to_string()))
            }
            _ => Ok(None),
        }
    }

    /// `POST /control` `{key: value}` sets control keys (an empty value clears one);
    /// `GET /record` answers what was recorded; `POST /save` saves its body as this
    /// plugin's settings (`config.save-settings`) and answers the error as a 400.
    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/control") => {
                let Ok(keys) = request.json::<std::collections::BTreeMap<String, String>>() else { return HttpResponse::error(400, "bad body") };
                for (key, value) in keys {
                    let done = if value.is_empty() { kv::delete(&key) } else { kv::set(&key, value) };
                    if let Err(e) = done {
                        return HttpResponse::error(500, &e.to_string());
                    }
                }
                HttpResponse::json(200, &serde_json::json!({}))
            }
            ("GET", "/record") => HttpResponse::json(
                200,
                &serde_json::json!({ "deactivated": list("deactivated"), "installs": list("installs"), "archivers": list("archivers"), "mode": config::settings_value().ok().and_then(|s| s["Mode"].as_str().map(str::to_owned)) }),
            ),
            ("POST", "/save") => match config::save_settings_json(&String::from_utf8_lossy(&request.body)) {
                Ok(()) => HttpResponse::json(200, &serde_json::json!({})),
                Err(e) => HttpResponse::error(400, &e.to_string()),
            },
            _ => HttpResponse::not_found(),
        }
    }
}
