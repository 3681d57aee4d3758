//! Exponential ElGamal under a decision key.
//!
//! The decision key is `P = s·G`, with `s` shared t-of-m among trustees
//! (see [`crate::dkg`]). A value `v` is encrypted with fresh `r` as
//! `(R, C) = (r·G, v·G + r·P)`. Ciphertexts add componentwise, adding the
//! values, so a tally is the sum of ballots' ciphertexts; decryption recovers
//! `v·G = C − s·R` and then the small integer `v` (see [`crate::dlog`]).

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity};

use crate::encoding::{Pt, Reader, Writer};
use crate::error::{DecodeError, Result};

/// A decision's public encryption key `P = s·G` (never the identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecisionKey(pub(crate) Pt);

impl DecisionKey {
    /// The 32-byte compressed encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        *self.0.as_bytes()
    }

    /// Reads a key; refuses non-canonical encodings and the identity.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        let c = CompressedRistretto(*bytes);
        let p = c.decompress().ok_or(DecodeError::NonCanonicalPoint {
            what: "decision key",
            offset: 0,
        })?;
        if p.is_identity() {
            return Err(DecodeError::Invalid {
                what: "decision key",
                offset: 0,
                reason: "the identity point is not an encryption key",
            }
            .into());
        }
        Ok(DecisionKey(Pt { point: p, bytes: c }))
    }

    /// Encrypts `value` with randomness `r`.
    pub(crate) fn encrypt(&self, value: &Scalar, r: &Scalar) -> Ciphertext {
        Ciphertext {
            r: Pt::new(r * G),
            c: Pt::new(value * G + r * self.0.point),
        }
    }
}

/// An exponential ElGamal ciphertext `(R, C)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ciphertext {
    pub(crate) r: Pt,
    pub(crate) c: Pt,
}

impl Ciphertext {
    /// The sum of ciphertexts, an encryption of the sum of their values.
    pub fn sum<'a>(items: impl IntoIterator<Item = &'a Ciphertext>) -> Ciphertext {
        let (mut r, mut c) = (RistrettoPoint::identity(), RistrettoPoint::identity());
        for item in items {
            r += item.r.point;
            c += item.c.point;
        }
        Ciphertext {
            r: Pt::new(r),
            c: Pt::new(c),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.point(&self.r);
        w.point(&self.c);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> core::result::Result<Self, DecodeError> {
        // `R = 0·G` would mean the encryption randomness was zero and `C`
        // the plaintext in the clear: a public receipt of the vote.
        Ok(Ciphertext {
            r: r.nonidentity_point("ciphertext R")?,
            c: r.point("ciphertext C")?,
        })
    }

    /// Decodes `R ‖ C`, refusing non-canonical points.
    pub fn from_bytes(bytes: &[u8; 64]) -> Result<Self> {
        let mut c = [0u8; 32];
        c.copy_from_slice(&bytes[32..]);
        let mut r = [0u8; 32];
        r.copy_from_slice(&bytes[..32]);
        let read = |b: [u8; 32], what: &'static str, offset: usize| {
            let bytes = CompressedRistretto(b);
            bytes
                .decompress()
                .map(|point| Pt { point, bytes })
                .ok_or(DecodeError::NonCanonicalPoint { what, offset })
        };
        let r = read(r, "ciphertext R", 0)?;
        if r.point.is_identity() {
            return Err(DecodeError::Invalid {
                what: "ciphertext R",
                offset: 0,
                reason: "the identity point is not allowed here (zero encryption randomness)",
            }
            .into());
        }
        Ok(Ciphertext {
            r,
            c: read(c, "ciphertext C", 32)?,
        })
    }

    /// The 64-byte encoding `R ‖ C`.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(self.r.as_bytes());
        out[32..].copy_from_slice(self.c.as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn ciphertexts_add_and_round_trip() {
        let s = Scalar::random(&mut OsRng);
        let key = DecisionKey(Pt::new(s * G));
        let a = key.encrypt(&Scalar::from(3u64), &Scalar::random(&mut OsRng));
        let b = key.encrypt(&Scalar::from(4u64), &Scalar::random(&mut OsRng));
        let sum = Ciphertext::sum([&a, &b]);
        assert_eq!(sum.c.point - s * sum.r.point, Scalar::from(7u64) * G);
        assert_eq!(Ciphertext::from_bytes(&a.to_bytes()).unwrap(), a);
        let mut bad = a.to_bytes();
        bad[63] ^= 0xff;
        assert!(Ciphertext::from_bytes(&bad).is_err());
        // R = identity (zero randomness) is a public receipt: refused.
        let mut receipt = a.to_bytes();
        receipt[..32].copy_from_slice(RistrettoPoint::identity().compress().as_bytes());
        assert!(Ciphertext::from_bytes(&receipt).is_err());
        assert!(DecisionKey::from_bytes(&[0; 32]).is_err());
        assert_eq!(DecisionKey::from_bytes(&key.to_bytes()).unwrap(), key);
    }
}
