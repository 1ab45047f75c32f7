//! The WebSocket action handler (`service/websocket.rs`, `handle_message`): any frame a signed-in client sends is answered over a real SQLite-backed service; replies have Mattermost's shape and `user_typing` succeeds only in a channel the user belongs to.

use std::sync::{Arc, OnceLock};

use confab_host::types::PluginContext;
use confab_server::domain::channel::NewChannel;
use confab_server::domain::team::NewTeam;
use confab_server::domain::user::{NewUser, User};
use confab_server::hub::Hub;
use confab_server::service::{Actor, Caller, Services, Settings};
use confab_server::store::Store;
use serde_json::Value;

use crate::support::runtime;

/// A user who belongs to one channel (`$MINE` in a frame) and not to another (`$OTHER`).
struct Fixture {
    services: Services,
    user_id: String,
    mine: String,
    other: String,
    _dir: tempfile::TempDir,
}

/// `data` is the frame's text (lossy UTF-8); `$MINE` and `$OTHER` are replaced by the
/// two channels' ids so the fuzzer reaches the membership check with real ids.
pub fn check(data: &[u8]) {
    let f = fixture();
    let text = String::from_utf8_lossy(data).replace("$MINE", &f.mine).replace("$OTHER", &f.other);
    let Some(reply) = runtime().block_on(f.services.websocket().handle_message("fuzzconnection", &f.user_id, &text)) else { return };
    // The server reads the frame into its request struct, which skips an unknown field
    // without converting its number; a `Value` cannot hold a number past f64's range, so
    // an answered frame may carry `"x": 1e999` and still not parse here. Such a reply is
    // checked for its shape only (seed `huge_number_in_unknown_field.json`).
    let request: Option<Value> = serde_json::from_str(&text).ok();
    if let Some(request) = &request {
        let seq = part(request, "seq", 0).and_then(Value::as_i64).unwrap_or(0);
        assert_eq!(reply["seq_reply"].as_i64(), Some(seq), "the reply answers another seq: {reply}");
    }
    match reply["status"].as_str() {
        Some("OK") => {
            if let Some(request) = &request
                && part(request, "action", 1).and_then(Value::as_str) == Some("user_typing")
            {
                let channel = part(request, "data", 2).and_then(|d| d.get("channel_id")).and_then(Value::as_str);
                assert_eq!(channel, Some(f.mine.as_str()), "typing accepted in a channel the user does not belong to: {text}");
            }
        }
        Some("FAIL") => {
            let error = &reply["error"];
            assert!(error["id"].as_str().is_some_and(|id| id.ends_with(".app_error")), "a failure without a Mattermost error id: {reply}");
            assert_eq!(error["status_code"], 400, "{reply}");
        }
        _ => panic!("a reply that is neither OK nor FAIL: {reply}"),
    }
}

/// A field of the frame: by name in an object, by position in an array (serde reads a
/// struct from either).
fn part<'a>(frame: &'a Value, name: &str, index: usize) -> Option<&'a Value> {
    match frame {
        Value::Array(items) => items.get(index),
        other => other.get(name),
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| runtime().block_on(build()))
}

/// Two users, a team, and a channel each; the fuzzed user is in only their own.
async fn build() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::connect(&confab_server::testing::sqlite_url(dir.path())).await.expect("a SQLite store");
    let services = Services::new(store, Arc::new(Hub::default()), Settings { open_server: true, ..Settings::default() });
    // The first account is the system admin: the stranger, so the fuzzed user is plain.
    let stranger = caller(&services, "stranger").await;
    let fuzzed = caller(&services, "fuzzed").await;
    let new_team = NewTeam { name: "fuzzteam".into(), display_name: "Fuzz".into(), kind: "O".into(), ..NewTeam::default() };
    let team = services.teams().create_team(&stranger, new_team).await.expect("a team");
    services.teams().add_team_member(&fuzzed, &team.id, fuzzed.user_id()).await.expect("join the open team");
    let channel = |name: &str| NewChannel { team_id: team.id.clone(), name: name.into(), display_name: name.into(), kind: "O".into(), ..NewChannel::default() };
    let mine = services.channels().create_channel(&fuzzed, channel("mine")).await.expect("a channel").id;
    let other = services.channels().create_channel(&stranger, channel("other")).await.expect("a channel").id;
    Fixture { services, user_id: fuzzed.user_id().to_string(), mine, other, _dir: dir }
}

async fn caller(services: &Services, username: &str) -> Caller {
    let new = NewUser { username: username.into(), email: format!("{username}@example.com"), password: "a-long-password-1".into(), ..NewUser::default() };
    let user: User = services.users().create_user(None, new, &PluginContext::default()).await.expect("a user");
    Caller { actor: Actor::User { user: Box::new(user), session_id: "fuzz".into() }, ctx: PluginContext::default() }
}
