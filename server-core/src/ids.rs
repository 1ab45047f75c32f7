//! Mattermost-style ids: 26 lowercase characters, the unpadded base32 form of 16 random bytes.

/// Mattermost's base32 alphabet (z-base-32 order), so our ids look like theirs and pass
/// client-side checks such as `isValidId` (26 lowercase alphanumerics).
const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// Length of every id.
pub const ID_LEN: usize = 26;

/// A fresh random id.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    // The OS random source failing is not something a server can work around.
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    encode(&bytes)
}

/// Whether `s` has the shape of an id (length and alphabet).
pub fn is_valid_id(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Unpadded base32 of 16 bytes: 128 bits in 26 groups of 5, the last group zero-filled.
fn encode(bytes: &[u8; 16]) -> String {
    let bits = u128::from_be_bytes(*bytes);
    (0..ID_LEN)
        .map(|i| {
            // Group i covers bits [5i, 5i + 5) from the top; the 26th group has 3 real bits.
            let shift = 128i32 - 5 * (i as i32 + 1);
            let group = if shift >= 0 { (bits >> shift) & 0x1f } else { (bits << -shift) & 0x1f };
            ALPHABET[group as usize] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_mattermost_shape() {
        let a = new_id();
        let b = new_id();
        assert!(is_valid_id(&a), "{a}");
        assert!(is_valid_id(&b), "{b}");
        assert_ne!(a, b);
    }

    #[test]
    fn encoding_matches_base32_with_mattermost_alphabet() {
        // All zero bits map to the alphabet's first letter.
        assert_eq!(encode(&[0; 16]), "y".repeat(26));
        // All ones: 25 full groups (index 31) and a last group of 3 ones and 2 zero pad bits (0b11100 = 28).
        let ones = encode(&[0xff; 16]);
        assert_eq!(&ones[..25], &"9".repeat(25));
        assert_eq!(ones.as_bytes()[25], ALPHABET[28]);
        // "f" (0x66) leads: 01100 110.. → groups 12 and 24 in the first two places.
        let mut bytes = [0; 16];
        bytes[0] = 0x66;
        let encoded = encode(&bytes);
        assert_eq!(encoded.as_bytes()[0], ALPHABET[12]);
        assert_eq!(encoded.as_bytes()[1], ALPHABET[0b11000]);
    }
}
