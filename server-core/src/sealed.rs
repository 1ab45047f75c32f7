//! Sealed tokens: small server-issued values (action cookies, trigger ids) encrypted and authenticated, so a client can carry one back but neither read nor alter it.
//!
//! ChaCha20-Poly1305 with a random 96-bit nonce per token; the token says what it is
//! for (`purpose`, bound as associated data) so a cookie can never be replayed as a
//! trigger id or the other way round. The key is a server secret kept in the database,
//! so every node of a cluster opens what another sealed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

/// Length of a key in bytes.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;

/// Seals and opens tokens with one key.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// A sealer with `key`.
    pub fn new(key: &[u8; KEY_LEN]) -> Sealer {
        Sealer { cipher: ChaCha20Poly1305::new(Key::from_slice(key)) }
    }

    /// A sealer with a fresh random key (tokens die with the process).
    pub fn random() -> Sealer {
        Sealer { cipher: ChaCha20Poly1305::new(&ChaCha20Poly1305::generate_key(&mut OsRng)) }
    }

    /// `plaintext` sealed for `purpose`, as URL-safe base64.
    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> String {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.cipher.encrypt(&nonce, Payload { msg: plaintext, aad: purpose.as_bytes() }).expect("encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// What `token` holds, if this key sealed it for `purpose`.
    pub fn open(&self, purpose: &str, token: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        self.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: purpose.as_bytes() }).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_what_it_sealed_for_the_same_purpose() {
        let sealer = Sealer::new(&[7; KEY_LEN]);
        let token = sealer.seal("cookie", b"post 1");
        assert_eq!(sealer.open("cookie", &token).as_deref(), Some(&b"post 1"[..]));
        assert_eq!(sealer.open("trigger", &token), None, "the purpose is bound");
        assert_eq!(Sealer::new(&[8; KEY_LEN]).open("cookie", &token), None, "another key");
        assert_ne!(sealer.seal("cookie", b"post 1"), token, "a fresh nonce each time");
        let mut tampered = token.into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(sealer.open("cookie", &String::from_utf8(tampered).unwrap()), None);
        assert_eq!(sealer.open("cookie", "!!"), None);
        assert_eq!(sealer.open("cookie", ""), None);
    }
}
