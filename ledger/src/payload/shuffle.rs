//! Kind 28: a trustee's verifiable re-encryption shuffle of a whole-ballot
//! decision's counted ballots, before they are decrypted one by one.
//!
//! A shuffle ([`ballot::ShuffleStep`]: the permuted, re-encrypted ballots
//! and the Terelius–Wikström proof) of `N` ballots of `w` ciphertexts takes
//! `11 + 64·N·w + 4 + 109 + 32·(5N + 3w + 6)` bytes — 1.4 MB for 1,000
//! ranked ballots of 5 candidates — more than one statement, or one block
//! of a serving device (64 KiB), holds. So its canonical encoding is cut
//! into parts of [`SHUFFLE_PART_BYTES`] (the last shorter), one statement
//! each, every part naming the digest of the whole:
//!
//! ```text
//! 28 shuffle part   decision [32] | close [32] | input [32] | step [32] |
//!                   shuffler u16 | part u16 | parts u16 | blob(bytes)
//! ```
//!
//! (integers big-endian, `blob` = `len u32 | bytes`). `input` is the digest
//! ([`ballot::CountedBallots::digest`]) of the list shuffled — the counted
//! ballots in the order the close fixes, or the previous shuffle's output —
//! and `step` is `SHA-256("grassroots/shuffle-step/v1\0" ‖ encoding)`.
//!
//! **Decoding is verification of form.** `1 ≤ shuffler ≤ 64`,
//! `1 ≤ parts ≤ MAX_SHUFFLE_PARTS`, `part < parts`; every part but the last
//! holds exactly [`SHUFFLE_PART_BYTES`], the last between 1 and that; part 0
//! starts with a step header whose declared size needs exactly `parts`
//! parts; a one-part shuffle is decoded whole (canonical points and
//! scalars, the proof's shape and shuffler) and must hash to `step`.
//! [`ShufflePart::assemble`] does the same for the parts of a longer one.
//! Whether the proof holds — against the decision key, the close and the
//! input list — is for the decision's state machine, which knows them.

use super::decision::MAX_DECISION_TRUSTEES;
use super::PayloadError;
use crate::codec::Reader;
use crate::statement::StatementId;
use ballot::ShuffleStep;
use sha2::{Digest, Sha256};

/// Bytes of a shuffle's encoding one part carries (every part but the
/// last): a part statement with 64 predecessors still fits one block of a
/// serving device (64 KiB).
pub const SHUFFLE_PART_BYTES: usize = 60 * 1024;
/// Most parts one shuffle may have (about 1 GB of encoding).
pub const MAX_SHUFFLE_PARTS: u16 = 16_384;
/// Domain of the digest naming a whole shuffle.
const STEP_DOMAIN: &[u8] = b"grassroots/shuffle-step/v1\0";

/// Kind 28: one part of a trustee's shuffle of a whole-ballot decision's
/// ballots after its close (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShufflePart {
    /// The decision.
    pub decision: StatementId,
    /// The close whose counted ballots are shuffled.
    pub close: StatementId,
    /// Digest of the list this shuffle takes as input.
    pub input: [u8; 32],
    /// Digest of the whole shuffle's encoding ([`step_digest`]).
    pub step: [u8; 32],
    /// The shuffling trustee (1-based).
    pub shuffler: u16,
    /// This part's index (from 0).
    pub part: u16,
    /// How many parts the shuffle has.
    pub parts: u16,
    /// This part's slice of the shuffle's encoding.
    pub bytes: Vec<u8>,
}

/// `SHA-256("grassroots/shuffle-step/v1\0" ‖ encoding)`: the digest every
/// part of a shuffle names.
pub fn step_digest(encoding: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(STEP_DOMAIN)
        .chain_update(encoding)
        .finalize()
        .into()
}

fn invalid<T>(why: &'static str) -> Result<T, PayloadError> {
    Err(PayloadError::Invalid(why))
}

/// The parts an encoding of `len` bytes is cut into.
fn parts_for(len: usize) -> usize {
    len.div_ceil(SHUFFLE_PART_BYTES)
}

impl ShufflePart {
    /// Cuts trustee `step`'s shuffle of the list with digest `input`, after
    /// `close` of `decision`, into its part payloads, in order.
    pub fn split(
        decision: StatementId,
        close: StatementId,
        input: [u8; 32],
        step: &ShuffleStep,
    ) -> Result<Vec<ShufflePart>, PayloadError> {
        let encoding = step.to_bytes();
        let parts = parts_for(encoding.len());
        if parts > MAX_SHUFFLE_PARTS as usize {
            return invalid("the shuffle is too large for the record");
        }
        let digest = step_digest(&encoding);
        Ok(encoding
            .chunks(SHUFFLE_PART_BYTES)
            .enumerate()
            .map(|(i, bytes)| ShufflePart {
                decision,
                close,
                input,
                step: digest,
                shuffler: step.shuffler(),
                part: i as u16,
                parts: parts as u16,
                bytes: bytes.to_vec(),
            })
            .collect())
    }

    /// Whether `other` is a part of the same shuffle (same decision, close,
    /// input, digest, shuffler and part count).
    pub fn same_shuffle(&self, other: &ShufflePart) -> bool {
        (
            self.decision,
            self.close,
            self.input,
            self.step,
            self.shuffler,
            self.parts,
        ) == (
            other.decision,
            other.close,
            other.input,
            other.step,
            other.shuffler,
            other.parts,
        )
    }

    /// The shuffle its parts encode: every part `0..parts` exactly once, of
    /// one shuffle, hashing to the digest they name, decoding canonically,
    /// and made by the shuffler they name.
    pub fn assemble(parts: &[&ShufflePart]) -> Result<ShuffleStep, PayloadError> {
        let Some(first) = parts.iter().find(|p| p.part == 0) else {
            return invalid("a shuffle without its part 0");
        };
        if parts.len() != first.parts as usize || parts.iter().any(|p| !p.same_shuffle(first)) {
            return invalid("the parts are not exactly those of one shuffle");
        }
        let mut encoding = Vec::new();
        for i in 0..first.parts {
            let mut of_i = parts.iter().filter(|p| p.part == i);
            match (of_i.next(), of_i.next()) {
                (Some(p), None) => encoding.extend_from_slice(&p.bytes),
                _ => return invalid("a shuffle part is missing or repeated"),
            }
        }
        Self::whole(first, &encoding)
    }

    /// Decodes a whole encoding named by `head`'s digest and shuffler.
    fn whole(head: &ShufflePart, encoding: &[u8]) -> Result<ShuffleStep, PayloadError> {
        if step_digest(encoding) != head.step {
            return invalid("the shuffle's parts do not hash to the digest they name");
        }
        let step = ShuffleStep::from_bytes(encoding)?;
        if step.shuffler() != head.shuffler {
            return invalid("the shuffle's proof is by another trustee than it names");
        }
        Ok(step)
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 * 4 + 10 + self.bytes.len());
        out.extend_from_slice(&self.decision.0);
        out.extend_from_slice(&self.close.0);
        out.extend_from_slice(&self.input);
        out.extend_from_slice(&self.step);
        for n in [self.shuffler, self.part, self.parts] {
            out.extend_from_slice(&n.to_be_bytes());
        }
        out.extend_from_slice(&(self.bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.bytes);
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let p = ShufflePart {
            decision: StatementId(r.array("decision")?),
            close: StatementId(r.array("close")?),
            input: r.array("input digest")?,
            step: r.array("shuffle digest")?,
            shuffler: r.u16("shuffler")?,
            part: r.u16("part")?,
            parts: r.u16("parts")?,
            bytes: Vec::new(),
        };
        let len = r.u32("part length")? as usize;
        if len == 0 || len > SHUFFLE_PART_BYTES {
            return invalid("a shuffle part holds between 1 byte and SHUFFLE_PART_BYTES");
        }
        let slice = r.bytes(len, "shuffle part")?;
        r.finish()?;
        let p = ShufflePart {
            bytes: slice.to_vec(),
            ..p
        };
        p.check_form()?;
        Ok(p)
    }

    /// The checks one part allows on its own (see the module docs).
    fn check_form(&self) -> Result<(), PayloadError> {
        if self.shuffler == 0 || self.shuffler as usize > MAX_DECISION_TRUSTEES {
            return invalid("the shuffler must be a trustee index between 1 and 64");
        }
        if self.parts == 0 || self.parts > MAX_SHUFFLE_PARTS || self.part >= self.parts {
            return invalid("the part must be below the part count, at most MAX_SHUFFLE_PARTS");
        }
        if self.part + 1 < self.parts && self.bytes.len() != SHUFFLE_PART_BYTES {
            return invalid("every shuffle part but the last holds exactly SHUFFLE_PART_BYTES");
        }
        if self.part > 0 {
            return Ok(());
        }
        let (n, w) = ShuffleStep::shape(&self.bytes)?;
        if parts_for(ShuffleStep::encoded_len(n, w)) != self.parts as usize {
            return invalid("the part count does not fit the shuffle's declared size");
        }
        if self.parts == 1 {
            Self::whole(self, &self.bytes)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ballot::{BallotKind, CountedBallots, DecisionContext, DecisionId, ShuffleContext};
    use rand::rngs::OsRng;

    type Input = Vec<Vec<ballot::Ciphertext>>;

    /// Trustee 1's shuffle of `n` ballots of `kind`, the input digest, the
    /// shuffle context and the input.
    fn shuffled(n: usize, kind: BallotKind) -> (ShuffleStep, [u8; 32], ShuffleContext, Input) {
        let params = ballot::ThresholdParams::new(2, 3).unwrap();
        let (info, _) = ballot::dkg::run_honest(params, &mut OsRng).unwrap();
        let ctx = DecisionContext {
            decision: DecisionId([7; 32]),
            electorate: [1; 32],
            key: info.key(),
            kind,
        };
        let values = vec![vec![0u64; kind.slots()]; n];
        let counted = CountedBallots::encrypt_for_bench(&ctx, &values, &mut OsRng);
        let sctx = ShuffleContext::for_close(&ctx, &[9; 32]).unwrap();
        let chain = ballot::ShuffleChain::new(sctx, counted.ciphertexts().to_vec()).unwrap();
        let s = chain.shuffle(1, &mut OsRng).unwrap();
        (s, counted.digest(), sctx, chain.input().to_vec())
    }

    fn step(n: usize, kind: BallotKind) -> (ShuffleStep, [u8; 32]) {
        let (s, input, ..) = shuffled(n, kind);
        (s, input)
    }

    fn split(step: &ShuffleStep, input: [u8; 32]) -> Vec<ShufflePart> {
        ShufflePart::split(StatementId([7; 32]), StatementId([9; 32]), input, step).unwrap()
    }

    /// Truncations and trailing bytes of every part are refused.
    fn refuses_truncations_and_trailing(parts: &[ShufflePart]) {
        for p in parts {
            let bytes = p.encode();
            assert_eq!(&ShufflePart::decode(&bytes).unwrap(), p);
            for cut in [0, 1, 100, bytes.len() / 2, bytes.len() - 1] {
                assert!(ShufflePart::decode(&bytes[..cut]).is_err(), "cut at {cut}");
            }
            let mut long = bytes.clone();
            long.push(0);
            assert!(ShufflePart::decode(&long).is_err());
        }
    }

    #[test]
    fn a_small_shuffle_is_one_part_checked_whole() {
        let (s, input, sctx, list) = shuffled(3, BallotKind::Ranked { candidates: 3 });
        let parts = split(&s, input);
        assert_eq!(parts.len(), 1);
        refuses_truncations_and_trailing(&parts);
        assert_eq!(ShufflePart::assemble(&[&parts[0]]).unwrap(), s);
        // A flipped byte anywhere in the shuffle is refused by its digest;
        // under a matching digest, by decoding or else by the proof.
        let p = &parts[0];
        for i in (0..p.bytes.len()).step_by(37) {
            let mut bad = p.clone();
            bad.bytes[i] ^= 1;
            assert!(ShufflePart::decode(&bad.encode()).is_err(), "byte {i}");
            bad.step = step_digest(&bad.bytes);
            let checked = ShufflePart::decode(&bad.encode()).map(|p| {
                let s = ShufflePart::assemble(&[&p]).unwrap();
                s.proof.verify(&sctx, &list, &s.output)
            });
            assert!(!matches!(checked, Ok(Ok(()))), "byte {i}");
        }
        let mut scalar = p.clone();
        let at = scalar.bytes.len() - 32;
        scalar.bytes[at..].copy_from_slice(&[0xff; 32]);
        scalar.step = step_digest(&scalar.bytes);
        assert!(matches!(
            ShufflePart::decode(&scalar.encode()),
            Err(PayloadError::Ballot(ballot::Error::Decode(_)))
        ));
        // A shuffle naming another shuffler than its proof's.
        let mut other = p.clone();
        other.shuffler = 2;
        assert!(ShufflePart::decode(&other.encode()).is_err());
        let mut zero = p.clone();
        zero.shuffler = 0;
        assert!(ShufflePart::decode(&zero.encode()).is_err());
        let mut count = p.clone();
        count.parts = 2;
        assert!(ShufflePart::decode(&count.encode()).is_err());
    }

    #[test]
    fn a_large_shuffle_is_cut_into_parts_and_reassembled() {
        let kind = BallotKind::Ranked { candidates: 4 };
        let (s, input) = step(100, kind);
        let parts = split(&s, input);
        let len = ShuffleStep::encoded_len(100, kind.slots());
        assert_eq!(parts.len(), len.div_ceil(SHUFFLE_PART_BYTES));
        assert!(parts.len() >= 2);
        refuses_truncations_and_trailing(&parts);
        let refs: Vec<&ShufflePart> = parts.iter().collect();
        assert_eq!(ShufflePart::assemble(&refs).unwrap(), s);
        // Reordered parts assemble too; missing, repeated or foreign ones do not.
        let rev: Vec<&ShufflePart> = parts.iter().rev().collect();
        assert_eq!(ShufflePart::assemble(&rev).unwrap(), s);
        assert!(ShufflePart::assemble(&refs[1..]).is_err());
        let mut twice = refs.clone();
        twice[1] = refs[0];
        assert!(ShufflePart::assemble(&twice).is_err());
        let mut bent = parts[1].clone();
        bent.bytes[5] ^= 1;
        let mut with_bent = refs.clone();
        with_bent[1] = &bent;
        assert!(ShufflePart::assemble(&with_bent).is_err());
        // A short middle part, and part 0 with a wrong count, are refused.
        let mut short = parts[0].clone();
        short.part = 0;
        short.parts = parts.len() as u16 + 1;
        assert!(ShufflePart::decode(&short.encode()).is_err());
        let mut mid = parts[0].clone();
        mid.bytes.pop();
        assert!(ShufflePart::decode(&mid.encode()).is_err());
        let mut beyond = parts[1].clone();
        beyond.part = beyond.parts;
        assert!(ShufflePart::decode(&beyond.encode()).is_err());
    }
}
