//! Equivocation proofs: two signed headers by one creator for one slot.
//!
//! The papers define an equivocation as two blocks by the same creator of
//! which neither observes the other. Every correct creator chains its own
//! blocks (`seq` = its self-parent's `seq` + 1), so the blocks of a correct
//! creator have distinct `seq` numbers. We therefore record as evidence two
//! distinct blocks with the same `(epoch, creator, seq)`:
//!
//! * **sound** — a correct creator never signs two such blocks, so the pair
//!   proves misbehaviour on its own, checkable with the two headers and no
//!   other context;
//! * **complete** — if two blocks of a creator are incomparable, their
//!   self-parent chains (both complete, by the validity rules of the lace)
//!   diverge at some `seq`, where two distinct blocks of that creator sit.

use super::block::{BlockError, BlockHeader, Limits};

/// Why an equivocation proof does not prove anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The headers are by different creators.
    #[error("the two headers are by different creators")]
    DifferentCreators,
    /// The headers are for different epochs or sequence numbers.
    #[error("the two headers are for different slots (epoch/seq {0}/{1} vs {2}/{3})")]
    DifferentSlots(u64, u64, u64, u64),
    /// The two headers are the same block.
    #[error("the two headers are the same block")]
    SameBlock,
    /// A header failed to decode or verify.
    #[error("header {which} is invalid: {source}")]
    BadHeader {
        /// 1 or 2.
        which: u8,
        /// What is wrong.
        source: BlockError,
    },
}

/// Two conflicting signed headers by one creator: a recordable, self-verifying
/// proof that the creator equivocated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EquivocationProof {
    first: BlockHeader,
    second: BlockHeader,
}

impl EquivocationProof {
    /// Build and check a proof from two headers (order-normalised by id).
    pub fn new(a: BlockHeader, b: BlockHeader) -> Result<Self, ProofError> {
        let (first, second) = if a.id() <= b.id() { (a, b) } else { (b, a) };
        let p = EquivocationProof { first, second };
        p.verify()?;
        Ok(p)
    }

    /// Check that the proof really proves an equivocation.
    pub fn verify(&self) -> Result<(), ProofError> {
        let (a, b) = (&self.first, &self.second);
        if a.creator() != b.creator() {
            return Err(ProofError::DifferentCreators);
        }
        if (a.epoch(), a.seq()) != (b.epoch(), b.seq()) {
            return Err(ProofError::DifferentSlots(
                a.epoch(),
                a.seq(),
                b.epoch(),
                b.seq(),
            ));
        }
        if a.id() == b.id() {
            return Err(ProofError::SameBlock);
        }
        a.verify()
            .map_err(|source| ProofError::BadHeader { which: 1, source })?;
        b.verify()
            .map_err(|source| ProofError::BadHeader { which: 2, source })?;
        Ok(())
    }

    /// The equivocator's public key.
    pub fn creator(&self) -> &[u8; 32] {
        self.first.creator()
    }

    /// The two headers (smaller id first).
    pub fn headers(&self) -> (&BlockHeader, &BlockHeader) {
        (&self.first, &self.second)
    }

    /// Canonical encoding: `len1:u32 | header1 | header2`, for recording in
    /// the ledger as a statement payload.
    pub fn encode(&self) -> Vec<u8> {
        let a = self.first.encode();
        let mut out = (a.len() as u32).to_le_bytes().to_vec();
        out.extend_from_slice(&a);
        out.extend_from_slice(&self.second.encode());
        out
    }

    /// Decode and verify an encoded proof.
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Self, ProofError> {
        let bad = |which, source| ProofError::BadHeader { which, source };
        let len = bytes
            .get(..4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
            .ok_or(bad(
                1,
                BlockError::Truncated {
                    field: "proof length",
                },
            ))?;
        let rest = &bytes[4..];
        if rest.len() < len {
            return Err(bad(1, BlockError::Truncated { field: "header" }));
        }
        let a = BlockHeader::decode(&rest[..len], limits).map_err(|e| bad(1, e))?;
        let b = BlockHeader::decode(&rest[len..], limits).map_err(|e| bad(2, e))?;
        if a.id() > b.id() {
            return Err(bad(2, BlockError::PredsNotCanonical { index: 1 }));
        }
        Self::new(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::super::block::{Block, BlockHash};
    use super::*;
    use ed25519_dalek::SigningKey;

    fn blk(k: u8, seq: u64, payload: &[u8]) -> Block {
        let key = SigningKey::from_bytes(&[k; 32]);
        Block::sign(
            &key,
            0,
            seq,
            vec![BlockHash([9; 32])],
            payload.to_vec(),
            &Limits::default(),
        )
        .unwrap()
    }

    #[test]
    fn valid_proof_roundtrips() {
        let a = blk(1, 4, b"x");
        let b = blk(1, 4, b"y");
        let p = EquivocationProof::new(a.header().clone(), b.header().clone()).unwrap();
        let q = EquivocationProof::decode(&p.encode(), &Limits::default()).unwrap();
        assert_eq!(p, q);
        assert_eq!(q.creator(), a.header().creator());
    }

    #[test]
    fn non_proofs_rejected() {
        let a = blk(1, 4, b"x");
        assert_eq!(
            EquivocationProof::new(a.header().clone(), a.header().clone()),
            Err(ProofError::SameBlock)
        );
        assert_eq!(
            EquivocationProof::new(a.header().clone(), blk(2, 4, b"x").header().clone()),
            Err(ProofError::DifferentCreators)
        );
        assert!(matches!(
            EquivocationProof::new(a.header().clone(), blk(1, 5, b"x").header().clone()),
            Err(ProofError::DifferentSlots(..))
        ));
    }

    #[test]
    fn tampered_proof_rejected() {
        let p = EquivocationProof::new(
            blk(1, 4, b"x").header().clone(),
            blk(1, 4, b"y").header().clone(),
        )
        .unwrap();
        let bytes = p.encode();
        for i in 4..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x80;
            assert!(
                EquivocationProof::decode(&t, &Limits::default()).is_err(),
                "flip at {i} accepted"
            );
        }
    }
}
