//! Sureties: "this key belongs to a real person I met, who holds no other
//! key in this community", signed by both people.
//!
//! A surety statement is authored by the person who started the exchange
//! (A). Its payload carries the other person's key (B), both nonces, and
//! B's signature over the surety body
//!
//! ```text
//! S = "grassroots/surety/v1\0" || community || A || B || nonce_A || nonce_B || time
//! ```
//!
//! whose community, A and time are the envelope's. A's envelope signature
//! covers the same fields, so both signed the same content. See
//! `docs/attest.md`.

use super::{Envelope, PayloadError};
use crate::codec::Reader;
use crate::statement::CommunityId;
use identity::PublicKey;

/// Domain prefix of the surety body.
pub const SURETY_DOMAIN: &[u8] = b"grassroots/surety/v1\0";
/// Length of each side's nonce.
pub const NONCE_LEN: usize = 16;

/// The bytes both people sign.
pub fn surety_body(
    community: &CommunityId,
    a: &PublicKey,
    b: &PublicKey,
    nonce_a: &[u8; NONCE_LEN],
    nonce_b: &[u8; NONCE_LEN],
    time: u64,
) -> Vec<u8> {
    let mut s = Vec::with_capacity(SURETY_DOMAIN.len() + 32 * 3 + 2 * NONCE_LEN + 8);
    s.extend_from_slice(SURETY_DOMAIN);
    s.extend_from_slice(&community.0);
    s.extend_from_slice(a.as_bytes());
    s.extend_from_slice(b.as_bytes());
    s.extend_from_slice(nonce_a);
    s.extend_from_slice(nonce_b);
    s.extend_from_slice(&time.to_be_bytes());
    s
}

/// A surety's payload. Layout: `B [32] | nonce_A [16] | nonce_B [16] | sigB [64]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Surety {
    /// The other person's key.
    pub peer: PublicKey,
    /// The author's nonce.
    pub nonce_author: [u8; NONCE_LEN],
    /// The other person's nonce.
    pub nonce_peer: [u8; NONCE_LEN],
    /// The other person's signature over the surety body.
    pub peer_signature: [u8; 64],
}

impl Surety {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + 2 * NONCE_LEN + 64);
        out.extend_from_slice(self.peer.as_bytes());
        out.extend_from_slice(&self.nonce_author);
        out.extend_from_slice(&self.nonce_peer);
        out.extend_from_slice(&self.peer_signature);
        out
    }

    pub(super) fn decode(bytes: &[u8], env: Envelope<'_>) -> Result<Surety, PayloadError> {
        let mut r = Reader::new(bytes);
        let peer = PublicKey::from_bytes(&r.array("surety peer key")?)?;
        let nonce_author = r.array("author nonce")?;
        let nonce_peer = r.array("peer nonce")?;
        let peer_signature = r.array("peer signature")?;
        r.finish()?;
        if &peer == env.author {
            return Err(PayloadError::Invalid("a key cannot vouch for itself"));
        }
        let body = surety_body(
            env.community,
            env.author,
            &peer,
            &nonce_author,
            &nonce_peer,
            env.time,
        );
        peer.verify(&body, &peer_signature).map_err(|_| {
            PayloadError::Invalid("the second signature (by the vouched-for key) does not verify")
        })?;
        Ok(Surety {
            peer,
            nonce_author,
            nonce_peer,
            peer_signature,
        })
    }
}
