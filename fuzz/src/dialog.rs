//! Interactive dialog definitions (`OpenDialogRequest`, `domain/dialog.rs`): any JSON is validated, and what validation accepted must survive a JSON round trip and still validate.

use confab_server::domain::dialog::OpenDialogRequest;

/// `data` is the JSON body of `POST /actions/dialogs/open`.
pub fn check(data: &[u8]) {
    let Ok(request) = serde_json::from_slice::<OpenDialogRequest>(data) else { return };
    if request.validate().is_err() {
        return;
    }
    let json = serde_json::to_vec(&request).expect("a dialog serializes");
    let back: OpenDialogRequest = serde_json::from_slice(&json).expect("a serialized dialog parses");
    assert_eq!(back, request, "a dialog changed through JSON");
    if let Err(e) = back.validate() {
        panic!("a dialog that validated no longer does after a JSON round trip: {e:?}");
    }
}
