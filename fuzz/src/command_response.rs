//! Slash command responses from integrations (`CommandResponse::from_http_body`, `domain/command.rs`): any body under either content type, its attachments through the server's checks, and a JSON round trip of what was accepted.

use confab_server::domain::command::CommandResponse;

use crate::support::attachments_round_trip;

/// `data[0]` odd: `application/json` (with a charset parameter when `data[0] & 2`);
/// even: `text/plain`. The rest is the body.
pub fn check(data: &[u8]) {
    let [mode, body @ ..] = data else { return };
    let content_type = match (mode & 1, mode & 2) {
        (1, 0) => "application/json",
        (1, _) => "Application/JSON; charset=utf-8",
        _ => "text/plain",
    };
    let Ok(response) = CommandResponse::from_http_body(content_type, body) else {
        assert!(mode & 1 == 1, "a text body is never refused");
        return;
    };
    if mode & 1 == 0 {
        assert_eq!(response.text, String::from_utf8_lossy(body), "a text body is the response text");
    }
    check_response(&response);
}

/// Round-trip `response` and check the attachments of it and of its extra responses.
fn check_response(response: &CommandResponse) {
    let json = serde_json::to_vec(response).expect("a response serializes");
    let back: CommandResponse = serde_json::from_slice(&json).expect("a serialized response parses");
    assert_eq!(&back, response, "a command response changed through JSON");
    if let Some(attachments) = &response.attachments {
        attachments_round_trip(serde_json::Value::Array(attachments.clone()));
    }
    // Extra responses nest; serde_json's recursion limit bounds the depth already.
    for extra in response.extra_responses.iter().flatten() {
        check_response(extra);
    }
}
