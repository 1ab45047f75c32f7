//! Detached ed25519 bundle signatures: 64 bytes over the exact `.tar.gz` bytes, kept as base64 text (`<bundle>.sig`, the marketplace's `signature`), checked against the trusted public keys in the config.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// Why a signature or key was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// A signature is required and none came with the bundle.
    #[error("the bundle is not signed, and this server requires signed plugins")]
    Missing,
    /// The signature is not base64 of 64 bytes.
    #[error("the signature is malformed: {0}")]
    Malformed(String),
    /// No trusted key verifies it (wrong key, or the bundle was changed).
    #[error("the signature does not match the bundle for any trusted key")]
    Mismatch,
    /// A key is not base64 of 32 bytes.
    #[error("invalid key {what}: {reason}")]
    BadKey {
        /// Which key (a file name or "inline").
        what: String,
        /// Why.
        reason: String,
    },
}

/// The public keys bundles may be signed with.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    keys: Vec<VerifyingKey>,
}

impl TrustedKeys {
    /// Keys from their base64 texts.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = (&'a str, String)>) -> Result<TrustedKeys, SignatureError> {
        let mut keys = Vec::new();
        for (what, text) in texts {
            keys.push(parse_public_key(&text).map_err(|reason| SignatureError::BadKey { what: what.to_string(), reason })?);
        }
        Ok(TrustedKeys { keys })
    }

    /// How many keys are trusted.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is trusted.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Check `signature` (base64, surrounding whitespace ignored) over `bundle`.
    pub fn verify(&self, bundle: &[u8], signature: Option<&str>) -> Result<(), SignatureError> {
        let text = signature.map(str::trim).filter(|s| !s.is_empty()).ok_or(SignatureError::Missing)?;
        let bytes = STANDARD.decode(text).map_err(|e| SignatureError::Malformed(e.to_string()))?;
        let signature = Signature::from_slice(&bytes).map_err(|e| SignatureError::Malformed(e.to_string()))?;
        if self.keys.iter().any(|key| key.verify(bundle, &signature).is_ok()) { Ok(()) } else { Err(SignatureError::Mismatch) }
    }
}

fn decode32(text: &str) -> Result<[u8; 32], String> {
    let bytes = STANDARD.decode(text.trim()).map_err(|e| e.to_string())?;
    bytes.try_into().map_err(|b: Vec<u8>| format!("expected 32 bytes, found {}", b.len()))
}

/// A public key from base64 text.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    VerifyingKey::from_bytes(&decode32(text)?).map_err(|e| e.to_string())
}

/// A secret key (its 32-byte seed) from base64 text.
pub fn parse_secret_key(text: &str) -> Result<SigningKey, String> {
    Ok(SigningKey::from_bytes(&decode32(text)?))
}

/// A new key pair as (secret, public), both base64.
pub fn generate_key_pair() -> Result<(String, String), getrandom::Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)?;
    let key = SigningKey::from_bytes(&seed);
    Ok((STANDARD.encode(seed), STANDARD.encode(key.verifying_key().as_bytes())))
}

/// The base64 signature of `bundle` with `key`.
pub fn sign(bundle: &[u8], key: &SigningKey) -> String {
    STANDARD.encode(key.sign(bundle).to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_accepted_unsigned_tampered_and_foreign_refused() {
        let (secret, public) = generate_key_pair().unwrap();
        let (other_secret, _) = generate_key_pair().unwrap();
        let keys = TrustedKeys::from_texts([("test", public)]).unwrap();
        let bundle = b"bundle bytes".to_vec();
        let signature = sign(&bundle, &parse_secret_key(&secret).unwrap());
        keys.verify(&bundle, Some(&format!("{signature}\n"))).unwrap();
        assert!(matches!(keys.verify(&bundle, None), Err(SignatureError::Missing)));
        assert!(matches!(keys.verify(b"bundle bytez", Some(&signature)), Err(SignatureError::Mismatch)));
        let foreign = sign(&bundle, &parse_secret_key(&other_secret).unwrap());
        assert!(matches!(keys.verify(&bundle, Some(&foreign)), Err(SignatureError::Mismatch)));
        assert!(matches!(keys.verify(&bundle, Some("!!")), Err(SignatureError::Malformed(_))));
        assert!(TrustedKeys::from_texts([("bad", "AAAA".to_string())]).is_err());
    }
}
