//! The comparison code: six digits both people read off their screens.
//!
//! `SHA-256("grassroots/attest/sas/v1\0" || community || A || B || nonce_A
//! || nonce_B)`, its first 8 bytes as a big-endian integer, modulo 10^6,
//! written `123 456`. Both nonces make it fresh for every exchange; both
//! keys make it differ when either device vouched for a relay's key. A
//! relay that wanted matching codes would need to find a collision between
//! two exchanges' codes in the few seconds of the exchange: one chance in
//! a million per attempt, with both people watching.

use identity::PublicKey;
use ledger::payload::NONCE_LEN;
use ledger::CommunityId;
use sha2::{Digest, Sha256};

/// The comparison code for an exchange.
pub fn code(
    community: &CommunityId,
    a: &PublicKey,
    b: &PublicKey,
    nonce_a: &[u8; NONCE_LEN],
    nonce_b: &[u8; NONCE_LEN],
) -> String {
    let h = Sha256::new()
        .chain_update(b"grassroots/attest/sas/v1\0")
        .chain_update(community.0)
        .chain_update(a.as_bytes())
        .chain_update(b.as_bytes())
        .chain_update(nonce_a)
        .chain_update(nonce_b)
        .finalize();
    let n = u64::from_be_bytes(h[..8].try_into().expect("8 bytes")) % 1_000_000;
    format!("{:03} {:03}", n / 1000, n % 1000)
}
