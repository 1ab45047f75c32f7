//! Helpers shared by the targets: one tokio runtime per process (the async extractors and services need one), and the attachment round trip several inputs end in.

use std::sync::OnceLock;

use confab_server::domain::attachment::{self, Attachment};
use serde_json::{Map, Value};

/// A current-thread runtime, built once: libFuzzer calls a target millions of times,
/// and building a runtime per call would dominate the run.
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime"))
}

/// What the server does with attachments an integration sent (parse, validate, number,
/// store in props), checked: what validation accepted and the server stored must read
/// back as the same attachments and validate again, and what clients are sent never
/// carries an action's integration (its URL and context are the integration's secret).
pub(crate) fn attachments_round_trip(value: Value) {
    let Ok(mut parsed) = attachment::parse(value) else { return };
    if attachment::validate(&parsed).is_err() {
        return;
    }
    attachment::assign_ids(&mut parsed);
    let (mut props, mut kind) = (Map::new(), String::new());
    attachment::store_in(&mut props, &mut kind, parsed.clone());
    let read_back: Vec<Attachment> = attachment::from_props(&props).expect("stored attachments parse");
    assert_eq!(read_back, parsed, "stored attachments read back changed");
    if let Err(e) = attachment::validate(&read_back) {
        panic!("validation refused what it accepted and the server stored: {e:?}");
    }
    if !parsed.is_empty() {
        assert_eq!(kind, attachment::POST_TYPE_SLACK_ATTACHMENT);
    }
    let mut client = Vec::new();
    attachment::serialize_client_props(&props, &mut serde_json::Serializer::new(&mut client)).expect("client props serialize");
    let client: Value = serde_json::from_slice(&client).expect("client props are JSON");
    for a in client.get(attachment::ATTACHMENTS_PROP).and_then(Value::as_array).into_iter().flatten() {
        for action in a.get("actions").and_then(Value::as_array).into_iter().flatten() {
            assert!(action.get("integration").is_none(), "an action's integration reached the client props: {action}");
        }
    }
}
