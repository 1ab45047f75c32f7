//! The plugin API's KV rules (Mattermost's semantics, plus our key, value and quota limits) and its refusals, over a real SQLite store.

use std::sync::Arc;

use super::*;
use crate::hub::Hub;
use crate::service::Settings;
use crate::store::Store;
use crate::testing::sqlite_url;

const P: &str = "com.example.p";

struct Fixture {
    bridge: PluginBridge,
    services: Services,
    _dir: tempfile::TempDir,
}

async fn fixture(settings: Settings) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&sqlite_url(dir.path())).await.unwrap();
    let services = Services::new(store, Arc::new(Hub::default()), settings);
    let (bridge, _) = PluginBridge::new(services.downgrade(), dir.path().join("plugins"));
    Fixture { bridge, services, _dir: dir }
}

fn cas(old: Option<&[u8]>) -> KvSetOptions {
    KvSetOptions { atomic: true, old_value: old.map(<[u8]>::to_vec), expire_in_seconds: None }
}

#[tokio::test]
async fn set_get_delete_and_compare_and_set_through_the_api() {
    let f = fixture(Settings::default()).await;
    let api = &f.bridge;
    assert_eq!(api.kv_get(P, "k").await, Ok(None));
    api.kv_set(P, "k", b"v".to_vec()).await.unwrap();
    assert_eq!(api.kv_get(P, "k").await, Ok(Some(b"v".to_vec())));
    assert_eq!(api.kv_set_with_options(P, "k", Some(b"2".to_vec()), cas(None)).await, Ok(false));
    assert_eq!(api.kv_set_with_options(P, "k", Some(b"2".to_vec()), cas(Some(b"v"))).await, Ok(true));
    assert_eq!(api.kv_set_with_options(P, "k", None, cas(None)).await, Ok(false), "delete only-if-absent never happens");
    assert_eq!(api.kv_set_with_options(P, "k", None, KvSetOptions::default()).await, Ok(true), "unconditional delete");
    assert_eq!(api.kv_get(P, "k").await, Ok(None));
    api.kv_set("other", "k", b"1".to_vec()).await.unwrap();
    api.kv_delete_all(P).await.unwrap();
    assert_eq!(api.kv_get("other", "k").await, Ok(Some(b"1".to_vec())), "namespaces are per plugin");
}

#[tokio::test]
async fn bad_options_keys_and_values_are_rejected_and_write_nothing() {
    let f = fixture(Settings { kv_max_value_bytes: 10, ..Settings::default() }).await;
    let api = &f.bridge;
    let lone_old = KvSetOptions { atomic: false, old_value: Some(b"1".to_vec()), expire_in_seconds: None };
    assert!(matches!(api.kv_set_with_options(P, "k", Some(b"1".to_vec()), lone_old).await, Err(ApiError::InvalidInput(_))));
    let negative = KvSetOptions { expire_in_seconds: Some(-1), ..KvSetOptions::default() };
    assert!(matches!(api.kv_set_with_options(P, "k", Some(b"1".to_vec()), negative).await, Err(ApiError::InvalidInput(_))));
    assert!(api.kv_set(P, &"k".repeat(MAX_KEY_LEN), b"1".to_vec()).await.is_ok(), "150 characters is fine");
    assert!(matches!(api.kv_set(P, &"k".repeat(MAX_KEY_LEN + 1), b"1".to_vec()).await, Err(ApiError::InvalidInput(_))));
    assert!(matches!(api.kv_set(P, "", b"1".to_vec()).await, Err(ApiError::InvalidInput(_))));
    assert!(matches!(api.kv_set(P, "big", vec![0; 11]).await, Err(ApiError::InvalidInput(_))));
    assert_eq!(api.kv_get(P, "k").await, Ok(None));
    assert_eq!(api.kv_get(P, "big").await, Ok(None));
}

#[tokio::test]
async fn the_per_plugin_quota_counts_live_values_and_replacements() {
    let f = fixture(Settings { kv_quota_bytes: 10, ..Settings::default() }).await;
    let api = &f.bridge;
    api.kv_set(P, "a", vec![0; 6]).await.unwrap();
    assert_eq!(api.kv_set(P, "b", vec![0; 5]).await, Err(ApiError::QuotaExceeded));
    api.kv_set(P, "b", vec![0; 4]).await.unwrap();
    api.kv_set(P, "a", vec![0; 6]).await.unwrap();
    assert_eq!(api.kv_set("other", "a", vec![0; 10]).await, Ok(()), "the quota is per plugin");
    api.kv_delete(P, "a").await.unwrap();
    api.kv_set(P, "c", vec![0; 6]).await.unwrap();
}

#[tokio::test]
async fn values_expire_on_the_plugin_clock() {
    let f = fixture(Settings::default()).await;
    let api = &f.bridge;
    let t0 = 1_000_000;
    let expiring = KvSetOptions { expire_in_seconds: Some(10), ..KvSetOptions::default() };
    assert_eq!(api.kv_set_at(P, "short", Some(b"1".to_vec()), expiring, t0).await, Ok(true));
    assert_eq!(api.kv_get_at(P, "short", t0 + 9_999).await, Ok(Some(b"1".to_vec())));
    assert_eq!(api.kv_get_at(P, "short", t0 + 10_000).await, Ok(None));
    let huge = KvSetOptions { expire_in_seconds: Some(i64::MAX), ..KvSetOptions::default() };
    assert_eq!(api.kv_set_at(P, "forever", Some(b"1".to_vec()), huge, t0).await, Ok(true), "too far away is never");
    assert_eq!(api.kv_get_at(P, "forever", i64::MAX).await, Ok(Some(b"1".to_vec())));
}

#[tokio::test]
async fn settings_come_from_the_plugin_directory() {
    let f = fixture(Settings::default()).await;
    let root = tempfile::tempdir().unwrap();
    assert_eq!(f.bridge.plugin_settings(P).await, Ok(serde_json::Map::new()), "no file: no settings");
    std::fs::write(root.path().join("settings.json"), r#"{"Greeting": "hi"}"#).unwrap();
    f.bridge.register_plugin_dir(P, root.path());
    assert_eq!(f.bridge.plugin_settings(P).await.unwrap()["Greeting"], "hi");
    std::fs::write(root.path().join("settings.json"), "[1]").unwrap();
    assert!(matches!(f.bridge.plugin_settings(P).await, Err(ApiError::Internal(m)) if m.contains("not a JSON object")));
}

#[tokio::test]
async fn outbound_http_to_internal_addresses_is_refused_and_unknown_objects_are_not_found() {
    let f = fixture(Settings::default()).await;
    assert!(matches!(f.bridge.http_request(P, OutboundRequest::default()).await, Err(ApiError::InvalidInput(_))), "no URL");
    for internal in ["http://127.0.0.1:9/x", "http://169.254.169.254/latest/meta-data", "http://localhost:9/"] {
        let request = OutboundRequest { method: "GET".into(), url: internal.into(), max_response_bytes: 10, ..Default::default() };
        assert_eq!(f.bridge.http_request(P, request).await, Err(ApiError::PermissionDenied), "{internal}");
    }
    assert_eq!(f.bridge.get_channel(P, &crate::ids::new_id()).await, Err(ApiError::NotFound));
    assert_eq!(f.bridge.get_user(P, "nope").await, Err(ApiError::NotFound));
    assert!(matches!(f.bridge.publish_event(P, "bad name", serde_json::Value::Null, Broadcast::default()).await, Err(ApiError::InvalidInput(_))));
}

#[tokio::test]
async fn plugin_events_are_named_custom_plugin_event_and_follow_the_broadcast() {
    let f = fixture(Settings::default()).await;
    let mut ann = f.services.hub().register("c1", "ann", "s1").events;
    let mut bob = f.services.hub().register("c2", "bob", "s2").events;
    let to_ann = Broadcast { user_id: "ann".into(), ..Broadcast::default() };
    f.bridge.publish_event(P, "state_changed", serde_json::json!({ "n": 1 }), to_ann).await.unwrap();
    let event = ann.try_recv().expect("ann gets it");
    assert_eq!(event.event, "custom_com.example.p_state_changed");
    assert_eq!(event.data["n"], 1);
    assert!(bob.try_recv().is_err(), "bob is not the target");
    let everyone_but_bob = Broadcast { omit_users: vec!["bob".into()], ..Broadcast::default() };
    f.bridge.publish_event(P, "ping", serde_json::Value::Null, everyone_but_bob).await.unwrap();
    assert!(ann.try_recv().is_ok());
    assert!(bob.try_recv().is_err(), "omitted");
}

/// Status changes reach whoever holds the receiver, coalesced, and the receiver learns
/// when the bridge is gone; nothing refers back from the bridge to its listener.
#[tokio::test]
async fn status_changes_travel_over_the_channel() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&sqlite_url(dir.path())).await.unwrap();
    let services = Services::new(store, Arc::new(Hub::default()), Settings::default());
    let (bridge, mut changes) = PluginBridge::new(services.downgrade(), dir.path().join("plugins"));
    let status = PluginStatus {
        plugin_id: P.into(),
        plugin_path: String::new(),
        state: confab_host::PluginState::Running,
        error: String::new(),
        name: String::new(),
        description: String::new(),
        version: "1.0.0".into(),
    };
    bridge.plugin_status_changed(&status);
    bridge.plugin_status_changed(&status);
    assert!(changes.next().await, "a change arrives");
    drop(bridge);
    assert!(!changes.next().await, "the two changes were one wake-up, then the bridge is gone");
}
