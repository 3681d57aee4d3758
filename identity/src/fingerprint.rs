//! Fingerprints: a key's short, speakable name.
//!
//! At an onboarding event two people compare fingerprints on their screens
//! or read them aloud. A fingerprint is the first 80 bits of
//! `SHA-256("grassroots/fingerprint/v1" || public key)`, written in
//! Crockford base32 (digits and letters without I, L, O, U, so nothing
//! reads ambiguously) in four groups: `K3F9-QX2M-7HTA-W4ZB`.
//!
//! 80 bits is for people, not for machines: an attacker grinding keys
//! needs about 2^80 work for a collision with a chosen victim's
//! fingerprint. Everything machines compare uses the full 32-byte key.

use crate::keys::PublicKey;
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;

const DOMAIN: &[u8] = b"grassroots/fingerprint/v1";
const BYTES: usize = 10;

/// A key's fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint([u8; BYTES]);

fn crockford() -> data_encoding::Encoding {
    let mut spec = data_encoding::Specification::new();
    spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    spec.encoding()
        .expect("the Crockford alphabet is a valid base32 specification")
}

impl Fingerprint {
    /// The fingerprint of `key`.
    pub fn of(key: &PublicKey) -> Self {
        let digest = Sha256::new()
            .chain_update(DOMAIN)
            .chain_update(key.as_bytes())
            .finalize();
        let mut out = [0u8; BYTES];
        out.copy_from_slice(&digest[..BYTES]);
        Fingerprint(out)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = crockford().encode(&self.0);
        let groups: Vec<&str> = text
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect();
        f.write_str(&groups.join("-"))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use crate::keys::Keypair;

    #[test]
    fn shape_is_four_groups_of_four() {
        let fp = Keypair::generate().public().fingerprint().to_string();
        assert_eq!(fp.len(), 19);
        let groups: Vec<&str> = fp.split('-').collect();
        assert_eq!(groups.len(), 4);
        for g in groups {
            assert_eq!(g.len(), 4);
            assert!(
                g.chars()
                    .all(|c| c.is_ascii_digit() || "ABCDEFGHJKMNPQRSTVWXYZ".contains(c)),
                "{fp}"
            );
        }
    }

    #[test]
    fn different_keys_different_fingerprints() {
        let a = Keypair::generate().public();
        let b = Keypair::generate().public();
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), a.fingerprint());
    }
}
