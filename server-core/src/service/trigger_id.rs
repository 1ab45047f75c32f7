//! Trigger ids: minted for every slash command and every interactive action, HMAC-signed with a server secret kept in the database, so an interactive dialog can only be opened within 30 seconds of something the user did.
//!
//! A trigger id is the hex of `"<client id>:<user id>:<issued at ms>:"` followed by
//! HMAC-SHA256 of those bytes. Mattermost signs with an ECDSA key instead; the id is
//! opaque to clients and integrations alike, which only pass it back. The client id
//! goes to the client in the command response (`trigger_id`), the signed id to the
//! integration; `open_dialog` later carries the client id, as in Mattermost.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::actions::Actions;
use super::{Result, now_ms};
use crate::domain::Invalid;
use crate::ids::new_id;

/// How long a trigger id is valid (Mattermost's default `OutgoingIntegrationRequestsTimeout`).
pub const TRIGGER_TTL_MS: i64 = 30_000;
/// The `server_secrets` row holding the key.
const SECRET_NAME: &str = "trigger_id_hmac";
const MAC_LEN: usize = 32;

/// A freshly minted trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintedTrigger {
    /// The signed id, sent to the integration.
    pub trigger_id: String,
    /// The id the client sees (in the command response and in `open_dialog`).
    pub client_trigger_id: String,
}

/// What a valid trigger id says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTrigger {
    pub client_trigger_id: String,
    pub user_id: String,
    pub issued_at: i64,
}

/// HMAC-SHA256 (RFC 2104) over `message`.
fn hmac(key: &[u8], message: &[u8]) -> [u8; MAC_LEN] {
    mac(key, message).finalize().into_bytes().into()
}

/// A keyed MAC over `message`, ready to finalize or to verify in constant time.
fn mac(key: &[u8], message: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac
}

fn invalid(id: &'static str, message: &str) -> Invalid {
    Invalid::new(id, message)
}

/// Mint a trigger id for `user_id` at `now` (ms).
pub fn mint(secret: &[u8], user_id: &str, now: i64) -> MintedTrigger {
    let client_trigger_id = new_id();
    let payload = format!("{client_trigger_id}:{user_id}:{now}:");
    let mut bytes = payload.into_bytes();
    let mac = hmac(secret, &bytes);
    bytes.extend_from_slice(&mac);
    MintedTrigger { trigger_id: hex::encode(bytes), client_trigger_id }
}

/// Check a trigger id: signed with `secret`, minted for `user_id` (any user when
/// `None`: opening a dialog, where the trigger id says whom it is for), at most
/// [`TRIGGER_TTL_MS`] before `now`.
pub fn verify(secret: &[u8], trigger_id: &str, user_id: Option<&str>, now: i64) -> Result<VerifiedTrigger, Invalid> {
    let bytes = hex::decode(trigger_id).map_err(|_| invalid("interactive_message.decode_trigger_id.base64_decode_failed", "Failed to decode trigger ID."))?;
    if bytes.len() <= MAC_LEN {
        return Err(invalid("interactive_message.decode_trigger_id.missing_data", "Trigger ID missing required data."));
    }
    let (payload, tag) = bytes.split_at(bytes.len() - MAC_LEN);
    if mac(secret, payload).verify_slice(tag).is_err() {
        return Err(invalid("interactive_message.decode_trigger_id.verify_signature_failed", "Signature verification failed for trigger ID."));
    }
    let text = std::str::from_utf8(payload).map_err(|_| invalid("interactive_message.decode_trigger_id.missing_data", "Trigger ID missing required data."))?;
    let parts: Vec<&str> = text.split(':').collect();
    let [client_trigger_id, minted_for, issued_at, ""] = parts.as_slice() else {
        return Err(invalid("interactive_message.decode_trigger_id.missing_data", "Trigger ID missing required data."));
    };
    let issued_at: i64 = issued_at.parse().map_err(|_| invalid("interactive_message.decode_trigger_id.missing_data", "Trigger ID missing required data."))?;
    if user_id.is_some_and(|expected| expected != *minted_for) {
        return Err(invalid("interactive_message.decode_trigger_id.user_id_mismatch", "Trigger ID was issued to another user."));
    }
    if now - issued_at > TRIGGER_TTL_MS || issued_at > now + TRIGGER_TTL_MS {
        return Err(invalid(
            "interactive_message.decode_trigger_id.expired",
            "Trigger ID for interactive dialog is expired. Trigger IDs live for a maximum of 30s.",
        ));
    }
    Ok(VerifiedTrigger { client_trigger_id: client_trigger_id.to_string(), user_id: minted_for.to_string(), issued_at })
}

impl Actions<'_> {
    /// The signing key: created (32 random bytes) the first time any node needs it,
    /// then shared through the database.
    async fn trigger_secret(&self) -> Result<Vec<u8>> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).expect("the operating system's random source failed");
        Ok(self.store().ensure_secret(SECRET_NAME, &fresh, now_ms()).await?)
    }

    /// A trigger id for `user_id`, valid [`TRIGGER_TTL_MS`].
    pub async fn mint_trigger_id(&self, user_id: &str) -> Result<MintedTrigger> {
        Ok(mint(&self.trigger_secret().await?, user_id, now_ms()))
    }

    /// Whether `trigger_id` was minted here (for `user_id`, when given) less than
    /// [`TRIGGER_TTL_MS`] ago; it names the user it was minted for.
    pub async fn verify_trigger_id(&self, trigger_id: &str, user_id: Option<&str>) -> Result<VerifiedTrigger> {
        Ok(verify(&self.trigger_secret().await?, trigger_id, user_id, now_ms())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn a_trigger_is_valid_for_its_user_for_30_seconds() {
        let secret = b"k".repeat(32);
        let minted = mint(&secret, "alice", 1_000_000);
        let ok = verify(&secret, &minted.trigger_id, Some("alice"), 1_000_000 + TRIGGER_TTL_MS).unwrap();
        assert_eq!((ok.client_trigger_id, ok.issued_at), (minted.client_trigger_id.clone(), 1_000_000));
        assert_eq!(verify(&secret, &minted.trigger_id, None, 1_000_000).unwrap().user_id, "alice", "the id names its user");
        let expired = verify(&secret, &minted.trigger_id, Some("alice"), 1_000_001 + TRIGGER_TTL_MS).unwrap_err();
        assert_eq!(expired.id, "interactive_message.decode_trigger_id.expired");
        assert_eq!(verify(&secret, &minted.trigger_id, Some("bob"), 1_000_000).unwrap_err().id, "interactive_message.decode_trigger_id.user_id_mismatch");
        assert_eq!(
            verify(b"other", &minted.trigger_id, Some("alice"), 1_000_000).unwrap_err().id,
            "interactive_message.decode_trigger_id.verify_signature_failed"
        );
        assert_eq!(verify(&secret, "zz", Some("alice"), 1_000_000).unwrap_err().id, "interactive_message.decode_trigger_id.base64_decode_failed");
    }

    #[test]
    fn a_forged_payload_fails_the_signature() {
        let secret = b"s".to_vec();
        let minted = mint(&secret, "alice", 5);
        let mut bytes = hex::decode(&minted.trigger_id).unwrap();
        let at = bytes.iter().position(|&b| b == b'a').unwrap();
        bytes[at] = b'b';
        assert!(verify(&secret, &hex::encode(bytes), Some("blice"), 5).is_err());
    }
}
