//! Message attachments and post props from integrations (`domain/attachment.rs`): any JSON goes through parse, validate, number, store and read back.

use serde_json::Value;

use crate::support::attachments_round_trip;

/// `data` is JSON: an attachment list, or post props holding one under `attachments`.
pub fn check(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    match value {
        Value::Object(props) => {
            if let Ok(list) = confab_server::domain::attachment::from_props(&props) {
                attachments_round_trip(serde_json::to_value(list).expect("attachments serialize"));
            }
        }
        other => attachments_round_trip(other),
    }
}
