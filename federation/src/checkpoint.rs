//! The checkpoint: the message every participant signs.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use ledger::blocklace::participants::Participants;
use ledger::statement::CommunityId;
use sha2::{Digest, Sha256};

/// Prefix of every signed checkpoint.
pub const CHECKPOINT_DOMAIN: &[u8] = b"grassroots/federation/checkpoint/v1\0";
/// Prefix of the hash naming a participant set.
pub const PARTICIPANTS_DOMAIN: &[u8] = b"grassroots/federation/participants/v1\0";

/// A claim about a community's record that a quorum of the epoch's
/// participants signs: "in epoch `epoch`, position `position` of the record
/// of `community` is final with state root `root`" and, for an epoch
/// change, "and the next epoch's participant set hashes to `next`".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The community (the id of its genesis).
    pub community: CommunityId,
    /// The epoch whose participants sign.
    pub epoch: u64,
    /// The record position `p` (the genesis is position 0).
    pub position: u64,
    /// The state root `r_p`.
    pub root: [u8; 32],
    /// For an epoch change: [`participants_hash`] of the next set.
    pub next: Option<[u8; 32]>,
}

impl Checkpoint {
    /// The signed bytes:
    /// `CHECKPOINT_DOMAIN ‖ community ‖ epoch:u64 ‖ position:u64 ‖ root ‖
    /// kind:u8 (0 statement, 1 epoch change) [‖ next:[32]]`, integers
    /// big-endian.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(CHECKPOINT_DOMAIN.len() + 32 + 16 + 32 + 33);
        out.extend_from_slice(CHECKPOINT_DOMAIN);
        out.extend_from_slice(&self.community.0);
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.position.to_be_bytes());
        out.extend_from_slice(&self.root);
        match &self.next {
            None => out.push(0),
            Some(h) => {
                out.push(1);
                out.extend_from_slice(h);
            }
        }
        out
    }

    /// A participant's signature on the checkpoint.
    pub fn sign(&self, key: &SigningKey) -> Signature {
        key.sign(&self.signing_bytes())
    }

    /// Whether `sig` is `key`'s signature on the checkpoint, by the
    /// project's one rule (`verify_strict`, `docs/formats.md`).
    pub fn verify(&self, key: &VerifyingKey, sig: &Signature) -> bool {
        key.verify_strict(&self.signing_bytes(), sig).is_ok()
    }
}

/// The hash naming a participant set:
/// `SHA-256(PARTICIPANTS_DOMAIN ‖ n:u16 ‖ keys in index order)`.
pub fn participants_hash(p: &Participants) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(PARTICIPANTS_DOMAIN);
    h.update((p.n() as u16).to_be_bytes());
    for k in p.keys() {
        h.update(k.as_bytes());
    }
    h.finalize().into()
}
