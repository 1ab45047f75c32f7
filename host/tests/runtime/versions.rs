//! Contract versions: a component built against the frozen `confab:plugin@0.1.0` loads and behaves as before, beside 0.2.0 components in one chain; a component naming a version this host does not serve is refused with the served ones named.

use std::path::{Path, PathBuf};

use confab_host::types::*;
use confab_host::{HookFamily, LoadError, LoadOptions, PluginHost, WillOutcome, WitVersion};

use crate::harness::*;

const V010: &str = "fx.v0-1-0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_0_1_0_component_loads_and_behaves_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    let report = load(&host, &fixture(tmp.path(), "v0-1-0")).await;
    assert_eq!(report.wit_version, WitVersion::V0_1_0);
    assert_eq!(report.families, [HookFamily::Lifecycle, HookFamily::Message, HookFamily::Http]);

    // message-will-be-posted through the 0.1.0 export, kv through the 0.1.0 import.
    let WillOutcome::Continue(posted) = host.message_will_be_posted(&ctx(), post("v010 hello")).await else { panic!("not continued") };
    assert_eq!(posted.message, "[0.1.0] hello");
    assert_eq!(api.kv_text(V010, "count").as_deref(), Some("1"));
    let outcome = host.message_will_be_posted(&ctx(), post("v010-reject now")).await;
    assert_eq!(outcome, WillOutcome::Rejected { plugin_id: V010.into(), reason: "refused by 0.1.0".into() });
    assert_eq!(host.message_will_be_posted(&ctx(), post("plain")).await, WillOutcome::Continue(post("plain")));

    // serve-http, and config.get-settings with the schema's defaults.
    let request = HttpRequest { method: "GET".into(), path: "/count".into(), ..Default::default() };
    let response = host.serve_http(V010, &ctx(), request).await.unwrap();
    assert_eq!(response.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(body, serde_json::json!({"count": 1, "settings": {"note": "hello"}}));

    // A capability the 0.1.0 manifest did not get is still refused: the 0.1.0 import
    // goes through the same check as the current one.
    let denied = host.load(&fixture(tmp.path(), "v0-1-0"), LoadOptions::default()).await;
    assert!(denied.is_ok(), "{denied:?}");
    let outcome = host.message_will_be_posted(&ctx(), post("v010 again")).await;
    let WillOutcome::Rejected { reason, .. } = outcome else { panic!("kv should be denied: {outcome:?}") };
    assert!(reason.contains("PermissionDenied"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn components_of_0_1_0_and_0_2_0_share_one_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    // Dispatch order is by id: chain.a (0.2.0), then fx.v0-1-0.
    let current = load(&host, &chain_link(tmp.path(), &api, "chain.a", serde_json::json!({"action": "replace", "from": "cat", "to": "v010 dog"}))).await;
    assert_eq!(current.wit_version, WitVersion::V0_2_0);
    load(&host, &fixture(tmp.path(), "v0-1-0")).await;
    let outcome = host.message_will_be_posted(&ctx(), post("cat")).await;
    assert_eq!(outcome, WillOutcome::Continue(post("[0.1.0] dog")), "the 0.1.0 plugin saw the 0.2.0 plugin's replacement");
}

/// A directory holding `plugin.json` for `id` and `wasm` as its component.
fn raw_plugin(root: &Path, id: &str, wasm: &[u8]) -> PathBuf {
    let dir = root.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = serde_json::json!({"id": id, "name": id, "version": "1.0.0", "server": {"wasm": "server.wasm"}});
    std::fs::write(dir.join("plugin.json"), manifest.to_string()).unwrap();
    std::fs::write(dir.join("server.wasm"), wasm).unwrap();
    dir
}

/// A component (binary format) that imports one empty instance under each of `names`.
fn component_importing(names: &[&str]) -> Vec<u8> {
    // Preamble: magic, component-model version 0x0d, layer 1.
    let mut wasm = b"\0asm\x0d\x00\x01\x00".to_vec();
    // Type section (7): one type, an instance type with no declarations.
    wasm.extend_from_slice(&[7, 3, 1, 0x42, 0]);
    // Import section (10): each name as an instance of type 0.
    let mut imports = vec![u8::try_from(names.len()).unwrap()];
    for name in names {
        imports.extend_from_slice(&[0x00, u8::try_from(name.len()).unwrap()]);
        imports.extend_from_slice(name.as_bytes());
        imports.extend_from_slice(&[0x05, 0x00]);
    }
    wasm.push(10);
    wasm.push(u8::try_from(imports.len()).unwrap());
    wasm.extend_from_slice(&imports);
    wasm
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unserved_contract_version_is_refused_naming_the_served_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let host = PluginHost::new(config(&tmp.path().join("cache")), RecordingApi::new()).unwrap();

    let future = raw_plugin(tmp.path(), "fx.future", &component_importing(&["confab:plugin/log@0.9.0"]));
    let error = host.load(&future, LoadOptions::default()).await.unwrap_err();
    assert!(matches!(&error, LoadError::UnsupportedWitVersion { found, .. } if found == "0.9.0"), "{error:?}");
    assert_eq!(error.to_string(), "plugin `fx.future` was built against confab:plugin 0.9.0; this server serves 0.1.0, 0.2.0");
    // `prepare` (what an install runs first) refuses it the same way.
    let prepared = host.prepare(&future).await.unwrap_err();
    assert!(matches!(prepared, LoadError::UnsupportedWitVersion { .. }), "{prepared:?}");

    let mixed = raw_plugin(tmp.path(), "fx.mixed", &component_importing(&["confab:plugin/log@0.1.0", "confab:plugin/kv@0.2.0"]));
    let error = host.load(&mixed, LoadOptions::default()).await.unwrap_err();
    assert!(error.to_string().contains("built against confab:plugin 0.1.0 and 0.2.0; this server serves 0.1.0, 0.2.0"), "{error}");
}
