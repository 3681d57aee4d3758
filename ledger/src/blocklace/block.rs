//! Blocks: the signed, hash-linked unit of the blocklace.
//!
//! A block is `(creator, seq, predecessors, payload)` signed by its creator.
//! Its identity is the SHA-256 hash of its canonical *header* encoding, which
//! includes the signature and commits to the payload through the payload's
//! own domain-separated hash. Because the header alone is verifiable, an
//! equivocation proof (two headers) can be recorded and checked without the
//! payloads.
//!
//! # Canonical encoding (all integers little-endian)
//!
//! ```text
//! header   = "GRBL" | version:u8 (=1) | epoch:u64 | creator:[u8;32] | seq:u64
//!            | npreds:u16 | preds:[[u8;32]; npreds] (strictly ascending)
//!            | payload_len:u32 | payload_hash:[u8;32] | signature:[u8;64]
//! block    = header | payload:[u8; payload_len]
//! signed   = SHA-256("grassroots/blocklace/v1/sign" | header without signature)
//! id       = SHA-256("grassroots/blocklace/v1/id" | header)
//! payload_hash = SHA-256("grassroots/blocklace/v1/payload" | payload)
//! ```
//!
//! Predecessors are sorted and unique, so one block has exactly one encoding;
//! decoding rejects any other byte string (non-canonical order, duplicates,
//! trailing bytes). The signature is checked with `verify_strict`, which
//! rejects small-order keys and non-canonical `s`, so a block id cannot be
//! changed by mauling the signature.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use std::fmt;

/// Magic bytes opening every encoded block header.
pub const MAGIC: [u8; 4] = *b"GRBL";
/// Encoding version written and accepted by this code.
pub const VERSION: u8 = 1;
const SIGN_DOMAIN: &[u8] = b"grassroots/blocklace/v1/sign";
const ID_DOMAIN: &[u8] = b"grassroots/blocklace/v1/id";
const PAYLOAD_DOMAIN: &[u8] = b"grassroots/blocklace/v1/payload";
/// Bytes of a header with no predecessors.
const FIXED_HEADER_LEN: usize = 4 + 1 + 8 + 32 + 8 + 2 + 4 + 32 + 64;

/// The 32-byte identity (hash) of a block.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BlockHash(pub [u8; 32]);

impl fmt::Debug for BlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", hex::encode(&self.0[..6]))
    }
}

impl std::hash::Hash for BlockHash {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(&self.0);
    }
}

/// Hasher for maps keyed by the ids of blocks actually held: ids are
/// SHA-256 outputs of signed headers, so the first eight bytes serve as the
/// hash, sparing SipHash on the hot lookup path. Steering them needs
/// grinding a signature and hash per try; maps keyed by hashes that a peer
/// merely *claims* (unknown predecessors) must use a keyed hasher instead.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8).take(1) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(b);
        }
    }
}

/// `HashMap` keyed by block id.
pub type IdMap<V> =
    std::collections::HashMap<BlockHash, V, std::hash::BuildHasherDefault<IdHasher>>;

impl fmt::Display for BlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// Size limits applied while decoding and validating blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted payload in bytes.
    pub max_payload: usize,
    /// Largest accepted number of predecessors.
    pub max_preds: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_payload: 64 * 1024,
            max_preds: 1024,
        }
    }
}

/// Why a block (or header) byte string or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// The input ended inside the named field.
    #[error("block truncated while reading {field}")]
    Truncated {
        /// Field being read.
        field: &'static str,
    },
    /// The first four bytes are not `GRBL`.
    #[error("not a blocklace block (bad magic bytes)")]
    BadMagic,
    /// Unknown encoding version.
    #[error("unsupported block encoding version {0} (this build reads version {VERSION})")]
    UnsupportedVersion(u8),
    /// The payload is larger than allowed.
    #[error("payload of {len} bytes exceeds the limit of {max} bytes")]
    PayloadTooLarge {
        /// Claimed payload length.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// Too many predecessors.
    #[error("{count} predecessors exceed the limit of {max}")]
    TooManyPreds {
        /// Claimed count.
        count: usize,
        /// Limit.
        max: usize,
    },
    /// Predecessor hashes are not strictly ascending (unsorted or repeated).
    #[error("predecessor {index} is out of order or repeated (must be strictly ascending)")]
    PredsNotCanonical {
        /// Index of the offending predecessor.
        index: usize,
    },
    /// Bytes remain after the payload.
    #[error("{count} trailing bytes after the block")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// The payload does not match the header's payload hash.
    #[error("payload does not match the payload hash in the header")]
    PayloadMismatch,
    /// The creator field is not a valid Ed25519 public key.
    #[error("creator is not a valid Ed25519 public key")]
    BadCreatorKey,
    /// The signature does not verify under the creator's key.
    #[error("signature does not verify under the creator's key")]
    BadSignature,
    /// The block names its own hash as a predecessor.
    #[error("block names itself as a predecessor")]
    SelfReference,
}

/// The signed header of a block: everything but the payload bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct BlockHeader {
    epoch: u64,
    creator: [u8; 32],
    seq: u64,
    preds: Vec<BlockHash>,
    payload_len: u32,
    payload_hash: [u8; 32],
    signature: [u8; 64],
    id: BlockHash,
}

impl fmt::Debug for BlockHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockHeader")
            .field("id", &self.id)
            .field("creator", &hex::encode(&self.creator[..6]))
            .field("seq", &self.seq)
            .field("preds", &self.preds.len())
            .finish()
    }
}

/// A block: a signed header and the payload bytes it commits to.
///
/// The payload is opaque to the blocklace; the ledger puts an encoded signed
/// statement in it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Block {
    header: BlockHeader,
    payload: Vec<u8>,
}

fn payload_hash(payload: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(PAYLOAD_DOMAIN);
    h.update(payload);
    h.finalize().into()
}

impl BlockHeader {
    fn encode_unsigned(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&self.epoch.to_le_bytes());
        out.extend_from_slice(&self.creator);
        out.extend_from_slice(&self.seq.to_le_bytes());
        out.extend_from_slice(&(self.preds.len() as u16).to_le_bytes());
        for p in &self.preds {
            out.extend_from_slice(&p.0);
        }
        out.extend_from_slice(&self.payload_len.to_le_bytes());
        out.extend_from_slice(&self.payload_hash);
    }

    fn signing_digest(&self) -> [u8; 32] {
        let mut buf = Vec::with_capacity(FIXED_HEADER_LEN + 32 * self.preds.len());
        self.encode_unsigned(&mut buf);
        let mut h = Sha256::new();
        h.update(SIGN_DOMAIN);
        h.update(&buf);
        h.finalize().into()
    }

    fn compute_id(&self) -> BlockHash {
        let mut h = Sha256::new();
        h.update(ID_DOMAIN);
        h.update(self.encode());
        BlockHash(h.finalize().into())
    }

    /// Canonical encoding of the header, signature included.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FIXED_HEADER_LEN + 32 * self.preds.len());
        self.encode_unsigned(&mut out);
        out.extend_from_slice(&self.signature);
        out
    }

    /// Decode a header from the front of `bytes`; returns it and the bytes used.
    pub fn decode_prefix(bytes: &[u8], limits: &Limits) -> Result<(Self, usize), BlockError> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(4, "magic")? != MAGIC {
            return Err(BlockError::BadMagic);
        }
        let version = r.take(1, "version")?[0];
        if version != VERSION {
            return Err(BlockError::UnsupportedVersion(version));
        }
        let epoch = r.u64("epoch")?;
        let creator: [u8; 32] = r.array("creator")?;
        let seq = r.u64("seq")?;
        let npreds = u16::from_le_bytes(r.array("predecessor count")?) as usize;
        if npreds > limits.max_preds {
            return Err(BlockError::TooManyPreds {
                count: npreds,
                max: limits.max_preds,
            });
        }
        let mut preds = Vec::with_capacity(npreds);
        for index in 0..npreds {
            let p = BlockHash(r.array("predecessor")?);
            if preds.last().is_some_and(|last: &BlockHash| *last >= p) {
                return Err(BlockError::PredsNotCanonical { index });
            }
            preds.push(p);
        }
        let payload_len = u32::from_le_bytes(r.array("payload length")?);
        if payload_len as usize > limits.max_payload {
            return Err(BlockError::PayloadTooLarge {
                len: payload_len as usize,
                max: limits.max_payload,
            });
        }
        let payload_hash = r.array("payload hash")?;
        let signature = r.array("signature")?;
        let mut header = BlockHeader {
            epoch,
            creator,
            seq,
            preds,
            payload_len,
            payload_hash,
            signature,
            id: BlockHash([0; 32]),
        };
        header.id = header.compute_id();
        if header.preds.binary_search(&header.id).is_ok() {
            return Err(BlockError::SelfReference);
        }
        Ok((header, r.pos))
    }

    /// Decode exactly one header (no trailing bytes allowed).
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Self, BlockError> {
        let (h, used) = Self::decode_prefix(bytes, limits)?;
        if used != bytes.len() {
            return Err(BlockError::TrailingBytes {
                count: bytes.len() - used,
            });
        }
        Ok(h)
    }

    /// Check the creator's signature (strict Ed25519 verification).
    pub fn verify(&self) -> Result<(), BlockError> {
        let vk = VerifyingKey::from_bytes(&self.creator).map_err(|_| BlockError::BadCreatorKey)?;
        self.verify_with(&vk)
    }

    /// Check the signature with an already-decompressed creator key (saves
    /// the point decompression when the caller caches participants' keys).
    /// Fails if `key` is not the creator's.
    pub fn verify_with(&self, key: &VerifyingKey) -> Result<(), BlockError> {
        if key.as_bytes() != &self.creator {
            return Err(BlockError::BadSignature);
        }
        key.verify_strict(
            &self.signing_digest(),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| BlockError::BadSignature)
    }

    /// The block id (hash of this header).
    pub fn id(&self) -> BlockHash {
        self.id
    }
    /// Epoch (participant-set generation) the block belongs to.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
    /// Creator's Ed25519 public key bytes.
    pub fn creator(&self) -> &[u8; 32] {
        &self.creator
    }
    /// Position in the creator's own chain: 0 for its first block.
    pub fn seq(&self) -> u64 {
        self.seq
    }
    /// Predecessor hashes, strictly ascending.
    pub fn preds(&self) -> &[BlockHash] {
        &self.preds
    }
    /// Length of the payload committed to.
    pub fn payload_len(&self) -> usize {
        self.payload_len as usize
    }
}

impl Block {
    /// Create and sign a block. Predecessors are sorted and deduplicated.
    ///
    /// Fails only if the payload or predecessor count exceed `limits`.
    pub fn sign(
        key: &SigningKey,
        epoch: u64,
        seq: u64,
        mut preds: Vec<BlockHash>,
        payload: Vec<u8>,
        limits: &Limits,
    ) -> Result<Self, BlockError> {
        preds.sort_unstable();
        preds.dedup();
        if preds.len() > limits.max_preds || preds.len() > u16::MAX as usize {
            return Err(BlockError::TooManyPreds {
                count: preds.len(),
                max: limits.max_preds,
            });
        }
        if payload.len() > limits.max_payload || payload.len() > u32::MAX as usize {
            return Err(BlockError::PayloadTooLarge {
                len: payload.len(),
                max: limits.max_payload,
            });
        }
        let mut header = BlockHeader {
            epoch,
            creator: key.verifying_key().to_bytes(),
            seq,
            preds,
            payload_len: payload.len() as u32,
            payload_hash: payload_hash(&payload),
            signature: [0; 64],
            id: BlockHash([0; 32]),
        };
        header.signature = key.sign(&header.signing_digest()).to_bytes();
        header.id = header.compute_id();
        Ok(Block { header, payload })
    }

    /// Canonical encoding: header then payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.header.encode();
        out.extend_from_slice(&self.payload);
        out
    }

    /// Decode one block, checking structure, limits and the payload hash
    /// (but not the signature: call [`Block::verify`]).
    pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Self, BlockError> {
        let (header, used) = BlockHeader::decode_prefix(bytes, limits)?;
        let rest = &bytes[used..];
        let len = header.payload_len();
        if rest.len() < len {
            return Err(BlockError::Truncated { field: "payload" });
        }
        if rest.len() > len {
            return Err(BlockError::TrailingBytes {
                count: rest.len() - len,
            });
        }
        let payload = rest.to_vec();
        if payload_hash(&payload) != header.payload_hash {
            return Err(BlockError::PayloadMismatch);
        }
        Ok(Block { header, payload })
    }

    /// Check the creator's signature.
    pub fn verify(&self) -> Result<(), BlockError> {
        self.header.verify()
    }

    /// Check `limits` on an already-decoded block (for blocks not received as bytes).
    pub fn check_limits(&self, limits: &Limits) -> Result<(), BlockError> {
        if self.payload.len() > limits.max_payload {
            return Err(BlockError::PayloadTooLarge {
                len: self.payload.len(),
                max: limits.max_payload,
            });
        }
        if self.header.preds.len() > limits.max_preds {
            return Err(BlockError::TooManyPreds {
                count: self.header.preds.len(),
                max: limits.max_preds,
            });
        }
        Ok(())
    }

    /// The signed header.
    pub fn header(&self) -> &BlockHeader {
        &self.header
    }
    /// The block id.
    pub fn id(&self) -> BlockHash {
        self.header.id
    }
    /// The opaque payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
    /// Approximate heap + inline bytes held by this block (for memory accounting).
    pub fn footprint(&self) -> usize {
        std::mem::size_of::<Self>() + 32 * self.header.preds.capacity() + self.payload.capacity()
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], BlockError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(BlockError::Truncated { field })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], BlockError> {
        let s = self.take(N, field)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u64(&mut self, field: &'static str) -> Result<u64, BlockError> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u8) -> SigningKey {
        SigningKey::from_bytes(&[i; 32])
    }

    fn sample() -> Block {
        let preds = vec![BlockHash([3; 32]), BlockHash([1; 32])];
        Block::sign(&key(7), 2, 5, preds, b"hello".to_vec(), &Limits::default()).unwrap()
    }

    #[test]
    fn roundtrip_and_verify() {
        let b = sample();
        b.verify().unwrap();
        let bytes = b.encode();
        let d = Block::decode(&bytes, &Limits::default()).unwrap();
        assert_eq!(d, b);
        assert_eq!(d.id(), b.id());
        assert_eq!(d.header().preds()[0], BlockHash([1; 32]), "preds sorted");
        d.verify().unwrap();
    }

    #[test]
    fn header_alone_verifies() {
        let b = sample();
        let h = BlockHeader::decode(&b.header().encode(), &Limits::default()).unwrap();
        h.verify().unwrap();
        assert_eq!(h.id(), b.id());
    }

    #[test]
    fn every_flipped_bit_is_rejected() {
        let b = sample();
        let bytes = b.encode();
        for i in 0..bytes.len() {
            let mut t = bytes.clone();
            t[i] ^= 0x01;
            let ok = Block::decode(&t, &Limits::default()).and_then(|d| d.verify());
            assert!(ok.is_err(), "flip at byte {i} accepted");
        }
    }

    #[test]
    fn truncation_and_trailing_rejected() {
        let bytes = sample().encode();
        for cut in 0..bytes.len() {
            assert!(Block::decode(&bytes[..cut], &Limits::default()).is_err());
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            Block::decode(&long, &Limits::default()),
            Err(BlockError::TrailingBytes { count: 1 })
        );
    }

    #[test]
    fn limits_enforced() {
        let lim = Limits {
            max_payload: 4,
            max_preds: 1,
        };
        let bytes = sample().encode();
        assert_eq!(
            Block::decode(&bytes, &lim),
            Err(BlockError::TooManyPreds { count: 2, max: 1 })
        );
        let lim = Limits {
            max_payload: 4,
            max_preds: 8,
        };
        assert_eq!(
            Block::decode(&bytes, &lim),
            Err(BlockError::PayloadTooLarge { len: 5, max: 4 })
        );
        assert!(Block::sign(&key(1), 0, 0, vec![], vec![0; 5], &lim).is_err());
    }

    #[test]
    fn unsorted_preds_rejected() {
        let b = sample();
        let mut bytes = b.encode();
        // swap the two predecessor hashes in place (offset after fixed prefix)
        let off = 4 + 1 + 8 + 32 + 8 + 2;
        let (a, rest) = bytes[off..].split_at_mut(32);
        a.swap_with_slice(&mut rest[..32]);
        assert_eq!(
            Block::decode(&bytes, &Limits::default()),
            Err(BlockError::PredsNotCanonical { index: 1 })
        );
        let _ = &mut bytes;
    }

    #[test]
    fn wrong_key_signature_rejected() {
        let b = sample();
        let mut bytes = b.encode();
        let other = key(9).verifying_key().to_bytes();
        bytes[13..45].copy_from_slice(&other);
        let d = Block::decode(&bytes, &Limits::default()).unwrap();
        assert_eq!(d.verify(), Err(BlockError::BadSignature));
    }
}
