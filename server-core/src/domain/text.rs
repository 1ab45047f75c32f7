//! Text the server refuses: NUL characters (U+0000) in any input, which PostgreSQL cannot store in a text column and SQLite would keep, so both backends refuse them alike.
//!
//! The API checks every JSON body, webhook and command-response body, path and query
//! here before anything is parsed into a use case; the store maps PostgreSQL's own
//! refusal to the same error as a second line of defence.

use serde::Serialize;
use serde_json::Value;

use super::Invalid;
use crate::domain::error_ids;

/// The refusal of a text holding a NUL character.
pub fn nul_refused() -> Invalid {
    Invalid::new(error_ids::context::INVALID_BODY_PARAM, "Text must not contain NUL (\\u0000) characters.")
}

/// Whether a JSON document holds a NUL character in any string or key. A raw NUL byte
/// is not valid JSON (serde_json refuses control characters in strings), so the only
/// way to write one is the escape `\u0000`; bodies without those six bytes (almost
/// all) are answered with one scan. Where they occur, they may also be the text
/// `\\u0000` (an escaped backslash), so the document is parsed to tell. Invalid JSON is
/// reported as holding none: its parser will refuse it.
pub fn json_has_nul(bytes: &[u8]) -> bool {
    if memchr::memmem::find(bytes, br"\u0000").is_none() {
        return false;
    }
    serde_json::from_slice::<Value>(bytes).is_ok_and(|value| value_has_nul(&value))
}

/// Whether any string or object key in `value` holds a NUL character.
pub fn value_has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(value_has_nul),
        Value::Object(fields) => fields.iter().any(|(key, field)| key.contains('\0') || value_has_nul(field)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Whether `input`, seen as JSON, holds a NUL character anywhere.
pub fn serialized_has_nul<T: Serialize>(input: &T) -> bool {
    serde_json::to_value(input).is_ok_and(|value| value_has_nul(&value))
}

/// `Err` when `text` holds a NUL character.
pub fn check_text(text: &str) -> Result<(), Invalid> {
    if text.contains('\0') { Err(nul_refused()) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_escaped_nul_is_found_anywhere() {
        for body in [r#"{"message": "a\u0000b"}"#, r#"{"props": {"k": ["x", "\u0000"]}}"#, r#"{"a\u0000": 1}"#, r#"["\\\u0000"]"#] {
            assert!(json_has_nul(body.as_bytes()), "{body}");
        }
    }

    #[test]
    fn an_escaped_backslash_before_u0000_is_text() {
        // JSON `"\\u0000"` is a backslash followed by `u0000`: six printable characters.
        for body in [r#"{"message": "\\u0000"}"#, r#"{"message": "\\\\u0000"}"#, r#"{"message": "plain"}"#, "not json \\u0000"] {
            assert!(!json_has_nul(body.as_bytes()), "{body}");
        }
        assert_eq!(serde_json::from_str::<Value>(r#""\\u0000""#).unwrap(), json!("\\u0000"));
    }

    #[test]
    fn values_and_structs() {
        assert!(value_has_nul(&json!({ "a": [1, { "b": "x\u{0}" }] })));
        assert!(!value_has_nul(&json!({ "a": [1, { "b": "x" }], "n": null })));
        assert!(serialized_has_nul(&("ok", "no\u{0}")));
        assert!(check_text("a\u{0}").is_err() && check_text("a").is_ok());
    }
}
