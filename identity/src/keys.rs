//! A person's key: an Ed25519 key pair.
//!
//! Keys come from the operating system's random number generator. The
//! secret half is an `ed25519_dalek::SigningKey`, which wipes itself from
//! memory when dropped. Verification is always `verify_strict`: it refuses
//! small-order public keys and `R` values, so a signature is valid on every
//! node or on none (see `docs/formats.md`, "Signatures").

use crate::fingerprint::Fingerprint;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand_core::OsRng;
use std::fmt;
use zeroize::Zeroizing;

/// Length of an encoded public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Length of an encoded signature.
pub const SIGNATURE_LEN: usize = 64;

/// Why a key or signature was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The 32 bytes are not the encoding of a curve point.
    #[error("public key {0} is not a valid Ed25519 point")]
    InvalidPoint(String),
    /// The key is of small order: anyone could forge signatures for it.
    #[error("public key {0} is a weak (small-order) key")]
    WeakKey(String),
    /// The signature does not verify under the key.
    #[error("signature does not verify under key {0}")]
    BadSignature(Fingerprint),
}

/// A member's public key. Holds the decompressed point too, so verifying
/// many signatures by one key decompresses it once.
#[derive(Clone, Copy)]
pub struct PublicKey {
    bytes: [u8; PUBLIC_KEY_LEN],
    point: VerifyingKey,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}
impl Eq for PublicKey {}
impl std::hash::Hash for PublicKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.bytes.hash(h)
    }
}
impl PartialOrd for PublicKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PublicKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes.cmp(&other.bytes)
    }
}

impl PublicKey {
    /// Parse a public key, refusing invalid and small-order points.
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_LEN]) -> Result<Self, KeyError> {
        let vk = VerifyingKey::from_bytes(bytes)
            .map_err(|_| KeyError::InvalidPoint(hex::encode(bytes)))?;
        if vk.is_weak() {
            return Err(KeyError::WeakKey(hex::encode(bytes)));
        }
        Ok(PublicKey {
            bytes: *bytes,
            point: vk,
        })
    }

    /// The key's 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.bytes
    }

    /// The key's 32-byte encoding, borrowed.
    pub fn as_bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.bytes
    }

    /// The short code people read aloud to check they hold the same key.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(self)
    }

    /// The dalek verifying key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.point
    }

    /// Verify `signature` over `message` (strict Ed25519).
    pub fn verify(&self, message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> Result<(), KeyError> {
        let sig = ed25519_dalek::Signature::from_bytes(signature);
        self.verifying_key()
            .verify_strict(message, &sig)
            .map_err(|_| KeyError::BadSignature(self.fingerprint()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.bytes))
    }
}

/// A key pair. The secret is wiped from memory on drop and never printed.
pub struct Keypair {
    signing: SigningKey,
}

impl Keypair {
    /// A fresh key pair from the operating system's random number generator.
    pub fn generate() -> Self {
        Keypair {
            signing: SigningKey::generate(&mut OsRng),
        }
    }

    /// The key pair for a 32-byte secret seed.
    pub fn from_seed(seed: &Zeroizing<[u8; 32]>) -> Self {
        Keypair {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The secret seed, in a buffer that wipes itself on drop.
    pub fn seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.signing.to_bytes())
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        let point = self.signing.verifying_key();
        PublicKey {
            bytes: point.to_bytes(),
            point,
        }
    }

    /// Sign `message`. Callers domain-separate `message` themselves.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.signing.sign(message).to_bytes()
    }
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({}, secret hidden)", self.public().fingerprint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let k = Keypair::generate();
        let sig = k.sign(b"hello");
        k.public().verify(b"hello", &sig).unwrap();
        assert!(matches!(
            k.public().verify(b"hellp", &sig),
            Err(KeyError::BadSignature(_))
        ));
        let mut bad = sig;
        bad[5] ^= 1;
        assert!(k.public().verify(b"hello", &bad).is_err());
    }

    #[test]
    fn seed_round_trip() {
        let k = Keypair::generate();
        let k2 = Keypair::from_seed(&k.seed());
        assert_eq!(k.public(), k2.public());
    }

    #[test]
    fn weak_and_invalid_keys_are_refused() {
        // The identity point (small order).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(
            PublicKey::from_bytes(&identity),
            Err(KeyError::WeakKey(_))
        ));
        // y = 2 is not on the curve.
        let mut not_on_curve = [0u8; 32];
        not_on_curve[0] = 2;
        assert!(matches!(
            PublicKey::from_bytes(&not_on_curve),
            Err(KeyError::InvalidPoint(_))
        ));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let k = Keypair::generate();
        let shown = format!("{k:?}");
        assert!(!shown.contains(&hex::encode(*k.seed())));
        assert!(shown.contains("secret hidden"));
    }
}
