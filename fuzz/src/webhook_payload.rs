//! Incoming webhook bodies (`POST /hooks/{id}`, `api/hooks.rs`): JSON, Slack's form `payload=` and multipart fields, decoded by the same axum extractors and `IncomingWebhookRequest` parsers the route uses, then checked and split into posts as the service does.

use axum::Form;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{Request, header};
use confab_server::domain::post::MAX_PROPS_RUNES;
use confab_server::domain::webhook::{IncomingWebhookRequest, split_webhook_post};
use serde_json::{Map, Value};

use crate::support::{attachments_round_trip, runtime};

/// The boundary of the multipart bodies: the corpus' multipart seeds use it.
pub const BOUNDARY: &str = "confabfuzz";

/// `data[0]` picks the encoding (0: JSON, 1: form, 2: multipart) and `data[1]` the
/// post size to split at (1 to 64 runes, so splitting is exercised); the rest is the body.
pub fn check(data: &[u8]) {
    let [mode, size, body @ ..] = data else { return };
    let Some(request) = decode(*mode, body) else { return };
    let max_runes = usize::from(size % 64) + 1;
    let attachments: Vec<Value> = match request.attachments.clone() {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => {
            attachments_round_trip(value.clone());
            value.as_array().cloned().unwrap_or_default()
        }
    };
    let props = request.props.clone().unwrap_or_default();
    if let Ok(parts) = split_webhook_post(&request.text, &props, &attachments, max_runes) {
        check_split(&request.text, &props, &attachments, max_runes, &parts);
    }
}

/// Decode `body` as the route would for the encoding `mode` names.
fn decode(mode: u8, body: &[u8]) -> Option<IncomingWebhookRequest> {
    match mode % 3 {
        0 => IncomingWebhookRequest::from_json(body).ok(),
        1 => {
            let request =
                Request::builder().method("POST").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body.to_vec())).ok()?;
            let Form(fields) = runtime().block_on(Form::<Vec<(String, String)>>::from_request(request, &())).ok()?;
            let payload = fields.into_iter().find(|(name, _)| name == "payload").map(|(_, value)| value).unwrap_or_default();
            IncomingWebhookRequest::from_json(payload.as_bytes()).ok()
        }
        _ => {
            let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
            let request = Request::builder().method("POST").header(header::CONTENT_TYPE, content_type).body(Body::from(body.to_vec())).ok()?;
            let fields = runtime().block_on(async {
                let mut multipart = Multipart::from_request(request, &()).await.ok()?;
                let mut fields = Vec::new();
                while let Some(field) = multipart.next_field().await.ok()? {
                    let name = field.name().unwrap_or_default().to_string();
                    fields.push((name, field.text().await.ok()?));
                }
                Some(fields)
            })?;
            IncomingWebhookRequest::from_fields(&fields).ok()
        }
    }
}

/// A split keeps the whole message in order, no part longer than asked, every part's
/// props within the limit and carrying the request's props, and every attachment.
fn check_split(text: &str, props: &Map<String, Value>, attachments: &[Value], max_runes: usize, parts: &[(String, Map<String, Value>)]) {
    assert!(!parts.is_empty(), "a split has at least one post");
    let joined: String = parts.iter().map(|(message, _)| message.as_str()).collect();
    assert_eq!(joined, text, "the split lost or reordered text");
    let mut carried = 0;
    for (message, part_props) in parts {
        assert!(message.chars().count() <= max_runes, "a part of {} runes exceeds {max_runes}", message.chars().count());
        assert!(Value::Object(part_props.clone()).to_string().chars().count() <= MAX_PROPS_RUNES, "a part's props exceed the limit");
        for (key, value) in props.iter().filter(|(key, _)| key.as_str() != "attachments") {
            assert_eq!(part_props.get(key), Some(value), "part props lost `{key}`");
        }
        carried += part_props.get("attachments").and_then(Value::as_array).map_or(0, Vec::len);
    }
    assert_eq!(carried, attachments.len(), "attachments were lost or duplicated in the split");
}
