//! The signed statement: one envelope for every community fact.
//!
//! A statement says *who* (author key) said *what* (kind and payload)
//! *where* (community), *when* (time) and *after what* (the ids of the
//! statements it builds on), and carries the author's Ed25519 signature.
//! The byte layout is specified in `docs/formats.md`; in short, all
//! integers big-endian:
//!
//! ```text
//! version u8 | kind u16 | community [32] | author [32] | time u64 |
//! npreds u16 | preds [32]*npreds (strictly ascending) |
//! payload_len u32 | payload | signature [64]
//! ```
//!
//! The signature covers `"grassroots/statement/v1\0"` followed by every
//! byte before the signature; the statement id is
//! `SHA-256("grassroots/statement-id/v1\0" || all bytes)`. The domain
//! prefixes make a statement signature useless as any other Grassroots
//! signature (a vouching message, a block) and vice versa.
//!
//! Decoding is verification: a [`Statement`] value exists only for bytes
//! that are canonical, of a known version and kind, carry a payload that
//! parses, and are signed by their author. Every other input is refused
//! with a [`StatementError`] naming the problem.

use crate::codec::{CodecError, Reader};
use crate::payload::{Kind, Payload, PayloadError};
use identity::{KeyError, Keypair, PublicKey};
use sha2::{Digest, Sha256};
use std::fmt;

/// The envelope format version this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Prefix of every signed statement message.
pub const SIGNING_DOMAIN: &[u8] = b"grassroots/statement/v1\0";
/// Prefix of the hash that names a statement.
pub const ID_DOMAIN: &[u8] = b"grassroots/statement-id/v1\0";
/// Most predecessors one statement may name.
pub const MAX_PREDS: usize = 64;
/// Largest payload, in bytes.
pub const MAX_PAYLOAD: usize = 1 << 20;

/// A statement's id: the hash of its encoding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatementId(pub [u8; 32]);

/// A community's id: the id of its genesis statement.
pub type CommunityId = StatementId;

impl StatementId {
    /// The all-zero id, written in the community field of a genesis.
    pub const ZERO: StatementId = StatementId([0; 32]);

    /// Parse 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, StatementError> {
        let bytes =
            hex::decode(text.trim()).map_err(|_| StatementError::BadId(text.to_string()))?;
        Ok(StatementId(
            bytes
                .try_into()
                .map_err(|_| StatementError::BadId(text.to_string()))?,
        ))
    }

    /// The first 8 bytes in hex, for people.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..8])
    }
}

impl fmt::Display for StatementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for StatementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatementId({})", self.short())
    }
}

/// Why bytes are not a valid statement.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    /// The bytes end early or run on.
    #[error("malformed statement: {0}")]
    Codec(#[from] CodecError),
    /// A version this build does not know.
    #[error(
        "statement format version {0} is not supported (this build reads version {FORMAT_VERSION})"
    )]
    UnsupportedVersion(u8),
    /// A kind number this build does not know.
    #[error("unknown statement kind {0}")]
    UnknownKind(u16),
    /// More predecessors than allowed.
    #[error("statement names {0} predecessors; at most {MAX_PREDS} are allowed")]
    TooManyPreds(usize),
    /// Predecessors not in strictly ascending order.
    #[error("predecessor ids are not in strictly ascending order (non-canonical encoding)")]
    PredsNotCanonical,
    /// The payload is larger than allowed.
    #[error("payload of {0} bytes exceeds the limit of {MAX_PAYLOAD}")]
    PayloadTooLarge(usize),
    /// The author field is not a usable key.
    #[error("author: {0}")]
    Author(KeyError),
    /// The signature does not verify.
    #[error("bad signature: not signed by author {0}")]
    BadSignature(identity::Fingerprint),
    /// The payload does not parse for its kind.
    #[error("{kind} payload: {source}")]
    Payload {
        /// The statement's kind.
        kind: Kind,
        /// What is wrong with the payload.
        source: PayloadError,
    },
    /// A genesis must leave the community field zero; others must not.
    #[error("community field: {0}")]
    CommunityField(&'static str),
    /// The statement belongs to another community.
    #[error("statement {id} belongs to community {found}, not {expected}")]
    WrongCommunity {
        /// The statement.
        id: StatementId,
        /// The community it names.
        found: CommunityId,
        /// The community expected.
        expected: CommunityId,
    },
    /// Text that is not a 32-byte hex id.
    #[error("`{0}` is not a statement id (64 hex digits)")]
    BadId(String),
}

/// A verified statement. Only [`Statement::decode`] and [`Statement::sign`]
/// make one, so holding one means its bytes were checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Statement {
    id: StatementId,
    kind: Kind,
    community: CommunityId,
    author: PublicKey,
    time: u64,
    preds: Vec<StatementId>,
    payload: Payload,
    bytes: Vec<u8>,
}

impl fmt::Debug for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Statement({} {} by {})",
            self.kind,
            self.id.short(),
            self.author.fingerprint()
        )
    }
}

/// What an author wants to say; [`Statement::sign`] turns it into a statement.
pub struct Draft {
    /// The community (ignored for a genesis, which names none).
    pub community: CommunityId,
    /// Seconds since the Unix epoch.
    pub time: u64,
    /// Statements this one builds on.
    pub preds: Vec<StatementId>,
    /// The fact.
    pub payload: Payload,
}

fn hash_id(bytes: &[u8]) -> StatementId {
    StatementId(
        Sha256::new()
            .chain_update(ID_DOMAIN)
            .chain_update(bytes)
            .finalize()
            .into(),
    )
}

fn signing_message(unsigned: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNING_DOMAIN.len() + unsigned.len());
    m.extend_from_slice(SIGNING_DOMAIN);
    m.extend_from_slice(unsigned);
    m
}

impl Statement {
    /// Sign a draft with `key`.
    pub fn sign(key: &Keypair, draft: Draft) -> Result<Statement, StatementError> {
        let mut preds = draft.preds;
        preds.sort();
        preds.dedup();
        let kind = draft.payload.kind();
        let community = if kind == Kind::Genesis {
            StatementId::ZERO
        } else {
            draft.community
        };
        let payload = draft.payload.encode();
        let mut out =
            Vec::with_capacity(1 + 2 + 32 + 32 + 8 + 2 + 32 * preds.len() + 4 + payload.len() + 64);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&(kind as u16).to_be_bytes());
        out.extend_from_slice(&community.0);
        out.extend_from_slice(key.public().as_bytes());
        out.extend_from_slice(&draft.time.to_be_bytes());
        out.extend_from_slice(&(preds.len() as u16).to_be_bytes());
        for p in &preds {
            out.extend_from_slice(&p.0);
        }
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&payload);
        let signature = key.sign(&signing_message(&out));
        out.extend_from_slice(&signature);
        // Decoding what we just wrote checks every rule in one place.
        Statement::decode(&out)
    }

    /// Parse and verify statement bytes.
    pub fn decode(bytes: &[u8]) -> Result<Statement, StatementError> {
        let mut r = Reader::new(bytes);
        let version = r.u8("version")?;
        if version != FORMAT_VERSION {
            return Err(StatementError::UnsupportedVersion(version));
        }
        let kind_num = r.u16("kind")?;
        let kind = Kind::from_u16(kind_num).ok_or(StatementError::UnknownKind(kind_num))?;
        let community = StatementId(r.array("community")?);
        let author_bytes: [u8; 32] = r.array("author")?;
        let time = r.u64("time")?;
        let npreds = r.u16("predecessor count")? as usize;
        if npreds > MAX_PREDS {
            return Err(StatementError::TooManyPreds(npreds));
        }
        let mut preds = Vec::with_capacity(npreds);
        for _ in 0..npreds {
            let p = StatementId(r.array("predecessor")?);
            if preds.last().is_some_and(|last| *last >= p) {
                return Err(StatementError::PredsNotCanonical);
            }
            preds.push(p);
        }
        let len = r.u32("payload length")? as usize;
        if len > MAX_PAYLOAD {
            return Err(StatementError::PayloadTooLarge(len));
        }
        let payload_bytes = r.bytes(len, "payload")?;
        let signed_len = r.offset();
        let signature: [u8; 64] = r.array("signature")?;
        r.finish()?;

        match (kind == Kind::Genesis, community == StatementId::ZERO) {
            (true, false) => {
                return Err(StatementError::CommunityField(
                    "a genesis statement must name no community",
                ))
            }
            (false, true) => {
                return Err(StatementError::CommunityField(
                    "only a genesis statement may name no community",
                ))
            }
            _ => {}
        }
        if kind == Kind::Genesis && !preds.is_empty() {
            return Err(StatementError::CommunityField(
                "a genesis statement builds on no earlier statement",
            ));
        }
        let author = PublicKey::from_bytes(&author_bytes).map_err(StatementError::Author)?;
        author
            .verify(&signing_message(&bytes[..signed_len]), &signature)
            .map_err(|_| StatementError::BadSignature(author.fingerprint()))?;
        let env = crate::payload::Envelope {
            community: &community,
            author: &author,
            time,
        };
        let payload = Payload::decode(kind, payload_bytes, env)
            .map_err(|source| StatementError::Payload { kind, source })?;
        let id = hash_id(bytes);
        Ok(Statement {
            id,
            kind,
            community: if kind == Kind::Genesis { id } else { community },
            author,
            time,
            preds,
            payload,
            bytes: bytes.to_vec(),
        })
    }

    /// The id that `bytes` would have; the store compares it with the id a
    /// row was filed under to detect rows changed on disk.
    pub fn hash_of(bytes: &[u8]) -> StatementId {
        hash_id(bytes)
    }

    /// Refuse the statement unless it belongs to `expected`.
    pub fn expect_community(&self, expected: &CommunityId) -> Result<(), StatementError> {
        if &self.community != expected {
            return Err(StatementError::WrongCommunity {
                id: self.id,
                found: self.community,
                expected: *expected,
            });
        }
        Ok(())
    }

    /// The statement's id.
    pub fn id(&self) -> StatementId {
        self.id
    }
    /// Its kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }
    /// Its community (for a genesis, its own id).
    pub fn community(&self) -> CommunityId {
        self.community
    }
    /// Who signed it.
    pub fn author(&self) -> PublicKey {
        self.author
    }
    /// When, in seconds since the Unix epoch, as the author's clock said.
    pub fn time(&self) -> u64 {
        self.time
    }
    /// The statements it builds on.
    pub fn preds(&self) -> &[StatementId] {
        &self.preds
    }
    /// The parsed payload.
    pub fn payload(&self) -> &Payload {
        &self.payload
    }
    /// The exact signed bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// The message the signature covers (domain prefix and every byte
    /// before the signature), for batch verification.
    pub fn signed_message(&self) -> Vec<u8> {
        signing_message(&self.bytes[..self.bytes.len() - 64])
    }
    /// The author's signature.
    pub fn signature(&self) -> [u8; 64] {
        self.bytes[self.bytes.len() - 64..]
            .try_into()
            .expect("64 bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::Genesis;
    use governance::Constitution;

    fn genesis(key: &Keypair) -> Statement {
        Statement::sign(
            key,
            Draft {
                community: StatementId::ZERO,
                time: 1_700_000_000,
                preds: vec![],
                payload: Payload::Genesis(Genesis::new(
                    Constitution::default(),
                    vec![key.public()],
                    [7; 16],
                )),
            },
        )
        .unwrap()
    }

    #[test]
    fn round_trip_and_id_is_community() {
        let key = Keypair::generate();
        let g = genesis(&key);
        let again = Statement::decode(g.bytes()).unwrap();
        assert_eq!(again, g);
        assert_eq!(g.community(), g.id());
        assert_eq!(g.author(), key.public());
    }

    #[test]
    fn every_flipped_bit_is_refused() {
        let g = genesis(&Keypair::generate());
        let good = g.bytes().to_vec();
        for i in 0..good.len() {
            for bit in [0x01u8, 0x80] {
                let mut bad = good.clone();
                bad[i] ^= bit;
                assert!(
                    Statement::decode(&bad).is_err(),
                    "flip {bit:#x} at byte {i} accepted"
                );
            }
        }
    }

    #[test]
    fn truncation_and_trailing_bytes_are_refused() {
        let g = genesis(&Keypair::generate());
        let good = g.bytes();
        for len in 0..good.len() {
            assert!(
                matches!(
                    Statement::decode(&good[..len]),
                    Err(StatementError::Codec(CodecError::Truncated { .. }))
                        | Err(StatementError::UnsupportedVersion(_))
                ) || len == 0,
                "len {len}"
            );
        }
        let mut long = good.to_vec();
        long.push(0);
        assert!(matches!(
            Statement::decode(&long),
            Err(StatementError::Codec(CodecError::Trailing(1)))
        ));
    }

    #[test]
    fn unknown_version_and_kind_are_named() {
        let g = genesis(&Keypair::generate());
        let mut b = g.bytes().to_vec();
        b[0] = 2;
        assert!(matches!(
            Statement::decode(&b),
            Err(StatementError::UnsupportedVersion(2))
        ));
        let mut b = g.bytes().to_vec();
        b[1..3].copy_from_slice(&999u16.to_be_bytes());
        assert!(matches!(
            Statement::decode(&b),
            Err(StatementError::UnknownKind(999))
        ));
    }

    #[test]
    fn wrong_community_is_named() {
        let a = genesis(&Keypair::generate());
        let b = genesis(&Keypair::generate());
        let err = a.expect_community(&b.id()).unwrap_err();
        assert!(err.to_string().contains("belongs to community"), "{err}");
        a.expect_community(&a.id()).unwrap();
    }

    #[test]
    fn predecessors_are_canonicalised() {
        let key = Keypair::generate();
        let g = genesis(&key);
        let s = Statement::sign(
            &key,
            Draft {
                community: g.id(),
                time: 1,
                preds: vec![StatementId([9; 32]), g.id(), StatementId([9; 32])],
                payload: Payload::Note(crate::payload::Note::new("hello").unwrap()),
            },
        );
        let s = s.unwrap();
        assert_eq!(s.preds().len(), 2);
        assert!(s.preds()[0] < s.preds()[1]);
    }
}
