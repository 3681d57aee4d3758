//! Domain-separated hashing: to bytes, to scalars and to Ristretto points.
//!
//! Every hash input starts with a domain label and frames each item with its
//! length, so no two distinct (label, items) inputs share an encoding.
//! Hash-to-point uses SHA-512 and the Ristretto Elligator map twice
//! (`RistrettoPoint::from_uniform_bytes`), giving points whose discrete
//! logarithms relative to each other and to the basepoint are unknown.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

/// Domain label prefix of every hash in this crate.
pub(crate) const PREFIX: &[u8] = b"grassroots/ballot/v1/";

fn framed(label: &[u8], items: &[&[u8]]) -> Sha512 {
    let mut h = Sha512::new();
    h.update(((PREFIX.len() + label.len()) as u64).to_le_bytes());
    h.update(PREFIX);
    h.update(label);
    for item in items {
        h.update((item.len() as u64).to_le_bytes());
        h.update(item);
    }
    h
}

/// A 32-byte digest (SHA-512 truncated) of framed items under `label`.
pub(crate) fn digest(label: &[u8], items: &[&[u8]]) -> [u8; 32] {
    let out = framed(label, items).finalize();
    let mut d = [0u8; 32];
    d.copy_from_slice(&out[..32]);
    d
}

/// A point with unknown discrete logarithm, from framed items under `label`.
pub(crate) fn to_point(label: &[u8], items: &[&[u8]]) -> RistrettoPoint {
    let out = framed(label, items).finalize();
    let mut wide = [0u8; 64];
    wide.copy_from_slice(&out);
    RistrettoPoint::from_uniform_bytes(&wide)
}

/// A scalar (the 64-byte hash reduced mod ℓ) from framed items under `label`.
pub(crate) fn to_scalar(label: &[u8], items: &[&[u8]]) -> Scalar {
    use zeroize::Zeroize;
    let mut out = framed(label, items).finalize();
    let mut wide = zeroize::Zeroizing::new([0u8; 64]);
    wide.copy_from_slice(&out);
    out.as_mut_slice().zeroize();
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// The full 64-byte hash of framed items under `label` (for key derivation).
pub(crate) fn wide(label: &[u8], items: &[&[u8]]) -> zeroize::Zeroizing<[u8; 64]> {
    use zeroize::Zeroize;
    let mut out = framed(label, items).finalize();
    let mut wide = zeroize::Zeroizing::new([0u8; 64]);
    wide.copy_from_slice(&out);
    out.as_mut_slice().zeroize();
    wide
}
