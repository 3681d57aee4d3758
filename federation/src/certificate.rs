//! The certificate: statement ids, the root before them, the checkpoint
//! after them, and a supermajority's signatures; its canonical encoding.

use crate::checkpoint::{participants_hash, Checkpoint};
use crate::error::CertificateError;
use community::record::next_root;
use ed25519_dalek::{Signature, VerifyingKey};
use ledger::blocklace::participants::Participants;
use ledger::statement::{CommunityId, StatementId};
use std::collections::BTreeMap;

/// The certificate's magic bytes.
pub const MAGIC: &[u8; 4] = b"GRFC";
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Most statement ids one certificate carries.
pub const MAX_IDS: usize = 4096;

const KIND_STATEMENT: u8 = 0;
const KIND_EPOCH_CHANGE: u8 = 1;

/// What a certificate claims, before anyone signs: the ids of the final
/// statements at positions `first ..= first + ids.len() − 1` of
/// `community`'s record, the root before them, and for an epoch change the
/// next participant set.
#[derive(Clone, Debug)]
pub struct Claim {
    /// The community.
    pub community: CommunityId,
    /// The epoch whose participants sign.
    pub epoch: u64,
    /// The position of the first id (at least 1: the genesis is 0).
    pub first: u64,
    /// The root `r_{first−1}`.
    pub prev_root: [u8; 32],
    /// The statement ids, in record order.
    pub ids: Vec<StatementId>,
    /// For an epoch change: the participants of epoch `epoch + 1`.
    pub next: Option<Participants>,
}

impl Claim {
    /// The checkpoint the participants sign: at the last id's position,
    /// with the root recomputed from `prev_root` and the ids.
    ///
    /// # Errors
    /// [`CertificateError::Field`] for no ids, more than [`MAX_IDS`], a
    /// first position of 0, or a position past `u64::MAX`.
    pub fn checkpoint(&self) -> Result<Checkpoint, CertificateError> {
        check_ids(self.ids.len())?;
        let last = match self.first {
            0 => None,
            first => first.checked_add(self.ids.len() as u64 - 1),
        };
        let position = last.ok_or(CertificateError::Field {
            field: "position",
            reason: "the first statement must be at a position from 1 to u64::MAX".into(),
        })?;
        Ok(Checkpoint {
            community: self.community,
            epoch: self.epoch,
            position,
            root: *roots(&self.prev_root, &self.ids)
                .last()
                .unwrap_or(&self.prev_root),
            next: self.next.as_ref().map(participants_hash),
        })
    }
}

fn check_ids(count: usize) -> Result<(), CertificateError> {
    if count == 0 || count > MAX_IDS {
        return Err(CertificateError::Field {
            field: "count",
            reason: format!("{count} statement ids; 1 to {MAX_IDS} allowed"),
        });
    }
    Ok(())
}

/// The roots after each id, starting from `prev`.
pub fn roots(prev: &[u8; 32], ids: &[StatementId]) -> Vec<[u8; 32]> {
    let mut r = *prev;
    ids.iter()
        .map(|id| {
            r = next_root(&r, id);
            r
        })
        .collect()
}

/// A quorum certificate: see the crate documentation for what it proves
/// and `docs/federation.md` for the byte format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    checkpoint: Checkpoint,
    prev_root: [u8; 32],
    ids: Vec<StatementId>,
    next: Option<Vec<VerifyingKey>>,
    width: u16,
    signers: Vec<u32>,
    signatures: Vec<Signature>,
}

impl Certificate {
    /// Assemble a certificate from a claim and signatures collected from
    /// the epoch's `participants` (any order).
    ///
    /// # Errors
    /// [`CertificateError::SignerNotInSet`], [`CertificateError::DuplicateSigner`],
    /// [`CertificateError::ForgedSignature`], [`CertificateError::TooFewSigners`],
    /// and the claim's own errors.
    pub fn assemble(
        claim: &Claim,
        participants: &Participants,
        signatures: &[(VerifyingKey, Signature)],
    ) -> Result<Certificate, CertificateError> {
        let checkpoint = claim.checkpoint()?;
        let mut by_index = BTreeMap::new();
        for (key, sig) in signatures {
            let i = participants.index_of(key.as_bytes()).ok_or_else(|| {
                CertificateError::SignerNotInSet {
                    epoch: claim.epoch,
                    signer: hex::encode(key.as_bytes()),
                }
            })?;
            if by_index.insert(i, *sig).is_some() {
                return Err(CertificateError::DuplicateSigner(hex::encode(
                    key.as_bytes(),
                )));
            }
            if !checkpoint.verify(key, sig) {
                return Err(forged(i, key));
            }
        }
        let need = participants.supermajority();
        if by_index.len() < need {
            return Err(CertificateError::TooFewSigners {
                epoch: claim.epoch,
                got: by_index.len(),
                need,
            });
        }
        Ok(Certificate {
            checkpoint,
            prev_root: claim.prev_root,
            ids: claim.ids.clone(),
            next: claim.next.as_ref().map(|p| p.keys().to_vec()),
            width: participants.n() as u16,
            signers: by_index.keys().copied().collect(),
            signatures: by_index.into_values().collect(),
        })
    }

    /// The signed checkpoint (community, epoch, position, root, next-set hash).
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The root before the first certified statement.
    pub fn prev_root(&self) -> &[u8; 32] {
        &self.prev_root
    }

    /// The certified statement ids, in record order.
    pub fn ids(&self) -> &[StatementId] {
        &self.ids
    }

    /// The position of the first certified statement.
    pub fn first_position(&self) -> u64 {
        // `position ≥ ids.len() ≥ 1` (checked when built and decoded), so
        // this neither underflows nor, unlike `position + 1 − len`,
        // overflows at a position of `u64::MAX`.
        self.checkpoint.position - (self.ids.len() as u64 - 1)
    }

    /// The position of `id`, if this certificate carries it.
    pub fn position_of(&self, id: &StatementId) -> Option<u64> {
        let i = self.ids.iter().position(|x| x == id)?;
        Some(self.first_position() + i as u64)
    }

    /// The root this certificate implies at `position`: from `r_{first−1}`
    /// (the root before its first id) to the checkpoint's root at its
    /// last position; `None` outside that range. Every one of them is
    /// bound by the signatures, since the signed root is computed from
    /// the root before and the ids.
    pub fn root_at(&self, position: u64) -> Option<[u8; 32]> {
        let before = self.first_position() - 1;
        match position.checked_sub(before)? {
            0 => Some(self.prev_root),
            i => roots(&self.prev_root, &self.ids)
                .get(i as usize - 1)
                .copied(),
        }
    }

    /// The next participant set, for an epoch change.
    pub fn next_participants(&self) -> Option<&[VerifyingKey]> {
        self.next.as_deref()
    }

    /// The signers' indices in the epoch's set, ascending.
    pub fn signers(&self) -> &[u32] {
        &self.signers
    }

    /// The signatures, in signer order.
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// The signers' count of the epoch's participants (the bitmap width).
    pub fn width(&self) -> usize {
        usize::from(self.width)
    }

    /// The encoded size in bytes:
    /// `122 + 32·ids + ⌈n/8⌉ + 64·signers`, plus `2 + 32·m` for an epoch
    /// change to `m` participants.
    pub fn encoded_len(&self) -> usize {
        let next = self.next.as_ref().map_or(0, |k| 2 + 32 * k.len());
        122 + 32 * self.ids.len() + next + self.width().div_ceil(8) + 64 * self.signatures.len()
    }

    /// Check the certificate against the epoch's participants: bitmap
    /// width, signers in the set, a supermajority, the root recomputed
    /// from `r_{p−1}` and the ids, and every signature (`verify_strict`).
    /// Community and epoch bookkeeping are the [`crate::LightClient`]'s.
    ///
    /// # Errors
    /// The [`CertificateError`] naming the first failed check.
    pub fn verify_with(&self, participants: &Participants) -> Result<(), CertificateError> {
        let epoch = self.checkpoint.epoch;
        if self.width() != participants.n() {
            return Err(CertificateError::ParticipantCount {
                epoch,
                expected: participants.n(),
                found: self.width(),
            });
        }
        let need = participants.supermajority();
        if self.signers.len() < need {
            return Err(CertificateError::TooFewSigners {
                epoch,
                got: self.signers.len(),
                need,
            });
        }
        self.check_root()?;
        let msg = self.checkpoint.signing_bytes();
        for (&i, sig) in self.signers.iter().zip(&self.signatures) {
            let key = participants
                .key(i)
                .ok_or(CertificateError::SignerNotInSet {
                    epoch,
                    signer: format!("index {i} of {}", participants.n()),
                })?;
            if key.verify_strict(&msg, sig).is_err() {
                return Err(forged(i, key));
            }
        }
        Ok(())
    }

    fn check_root(&self) -> Result<(), CertificateError> {
        let computed = *roots(&self.prev_root, &self.ids)
            .last()
            .unwrap_or(&self.prev_root);
        if computed != self.checkpoint.root {
            return Err(CertificateError::RootMismatch {
                position: self.checkpoint.position,
                claimed: hex::encode(self.checkpoint.root),
                computed: hex::encode(computed),
            });
        }
        Ok(())
    }

    /// The canonical encoding (`docs/federation.md`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(if self.next.is_some() {
            KIND_EPOCH_CHANGE
        } else {
            KIND_STATEMENT
        });
        out.extend_from_slice(&self.checkpoint.community.0);
        out.extend_from_slice(&self.checkpoint.epoch.to_be_bytes());
        out.extend_from_slice(&self.checkpoint.position.to_be_bytes());
        out.extend_from_slice(&self.checkpoint.root);
        out.extend_from_slice(&self.prev_root);
        out.extend_from_slice(&(self.ids.len() as u16).to_be_bytes());
        for id in &self.ids {
            out.extend_from_slice(&id.0);
        }
        if let Some(keys) = &self.next {
            out.extend_from_slice(&(keys.len() as u16).to_be_bytes());
            for k in keys {
                out.extend_from_slice(k.as_bytes());
            }
        }
        out.extend_from_slice(&self.width.to_be_bytes());
        let mut bitmap = vec![0u8; self.width().div_ceil(8)];
        for &i in &self.signers {
            bitmap[i as usize / 8] |= 1 << (i % 8);
        }
        out.extend_from_slice(&bitmap);
        for s in &self.signatures {
            out.extend_from_slice(&s.to_bytes());
        }
        out
    }

    /// Decode a certificate: framing, lengths and canonical form are
    /// checked here, signatures by [`Certificate::verify_with`].
    ///
    /// # Errors
    /// A [`CertificateError`] naming the field at fault.
    pub fn decode(bytes: &[u8]) -> Result<Certificate, CertificateError> {
        let mut r = Reader(bytes);
        if r.take(4, "magic")? != MAGIC {
            return Err(CertificateError::Magic);
        }
        match r.u8("version")? {
            VERSION => {}
            v => return Err(CertificateError::Version(v)),
        }
        let kind = r.u8("kind")?;
        if kind > KIND_EPOCH_CHANGE {
            return Err(CertificateError::Kind(kind));
        }
        let community = StatementId(r.array("community")?);
        let epoch = r.u64("epoch")?;
        let position = r.u64("position")?;
        let root = r.array("root")?;
        let prev_root = r.array("prev_root")?;
        let count = usize::from(r.u16("count")?);
        check_ids(count)?;
        if position < count as u64 {
            return Err(CertificateError::Field {
                field: "position",
                reason: format!("{count} statements cannot end at position {position}"),
            });
        }
        let ids = (0..count)
            .map(|_| r.array("ids").map(StatementId))
            .collect::<Result<Vec<_>, _>>()?;
        let next = (kind == KIND_EPOCH_CHANGE)
            .then(|| decode_set(&mut r))
            .transpose()?;
        let (width, signers) = decode_bitmap(&mut r, epoch)?;
        let signatures = (0..signers.len())
            .map(|_| {
                r.array::<64>("signatures")
                    .map(|b| Signature::from_bytes(&b))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !r.0.is_empty() {
            return Err(CertificateError::TrailingBytes(r.0.len()));
        }
        let checkpoint = Checkpoint {
            community,
            epoch,
            position,
            root,
            next: next.as_ref().map(participants_hash),
        };
        Ok(Certificate {
            checkpoint,
            prev_root,
            ids,
            next: next.map(|p| p.keys().to_vec()),
            width,
            signers,
            signatures,
        })
    }
}

fn forged(index: u32, key: &VerifyingKey) -> CertificateError {
    CertificateError::ForgedSignature {
        index,
        key: hex::encode(key.as_bytes()),
    }
}

/// The next participant set: `m:u16 ‖ keys`, strictly ascending, each a
/// valid non-weak key.
fn decode_set(r: &mut Reader<'_>) -> Result<Participants, CertificateError> {
    let m = usize::from(r.u16("next_count")?);
    let mut keys = Vec::with_capacity(m);
    for index in 0..m {
        let bytes: [u8; 32] = r.array("next_keys")?;
        let key =
            VerifyingKey::from_bytes(&bytes).map_err(|_| CertificateError::BadKey { index })?;
        if key.is_weak() {
            return Err(CertificateError::BadKey { index });
        }
        if keys
            .last()
            .is_some_and(|k: &VerifyingKey| k.as_bytes() >= key.as_bytes())
        {
            return Err(CertificateError::Field {
                field: "next_keys",
                reason: format!(
                    "key {index} is not above the one before (keys strictly ascending)"
                ),
            });
        }
        keys.push(key);
    }
    Ok(Participants::new(keys)?)
}

/// `n:u16 ‖ bitmap[⌈n/8⌉]`, bit `i` (byte `i/8`, bit `i mod 8` from the
/// least significant) set when participant `i` signed.
fn decode_bitmap(r: &mut Reader<'_>, epoch: u64) -> Result<(u16, Vec<u32>), CertificateError> {
    let width = r.u16("participants")?;
    if width == 0 {
        return Err(CertificateError::Field {
            field: "participants",
            reason: "an epoch has at least one participant".into(),
        });
    }
    let bitmap = r.take(usize::from(width).div_ceil(8), "bitmap")?;
    let mut signers = Vec::new();
    for (byte_i, &byte) in bitmap.iter().enumerate() {
        for bit in 0..8u32 {
            if byte & (1 << bit) != 0 {
                signers.push(byte_i as u32 * 8 + bit);
            }
        }
    }
    if let Some(&i) = signers.iter().find(|&&i| i >= u32::from(width)) {
        return Err(CertificateError::SignerNotInSet {
            epoch,
            signer: format!("index {i} of {width}"),
        });
    }
    Ok((width, signers))
}

/// A cursor over the bytes, naming the field that runs short.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], CertificateError> {
        if self.0.len() < n {
            return Err(CertificateError::Truncated(field));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], CertificateError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, CertificateError> {
        Ok(self.array::<1>(field)?[0])
    }

    fn u16(&mut self, field: &'static str) -> Result<u16, CertificateError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    fn u64(&mut self, field: &'static str) -> Result<u64, CertificateError> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }
}
