//! Decision statements (kinds 10–18): voting keys, openings, the trustees'
//! key generation, ballots, the close, decryption shares and results.
//!
//! Each payload carries `ballot`-crate messages as length-prefixed blobs in
//! their own canonical encodings (`docs/ballot.md`, "Encodings"); decoding
//! parses them and refuses any blob whose re-encoding differs, so every
//! payload has exactly one encoding. What can be checked from the payload
//! alone is checked here; what needs other statements (is the author a
//! member, a trustee; is the electorate right) is checked by
//! [`crate::decision::DecisionState`].
//!
//! Layouts (integers big-endian, `blob` = `len u32 | bytes`, `text` =
//! `len u16 | UTF-8`, `decision` = the 32-byte id of the opening statement):
//!
//! ```text
//! 10 voting key      credential [32] | possession proof [64]
//! 11 decision open   question text | kind | noptions u16 | option text × n |
//!                    threshold u16 | ntrustees u16 | trustee key [32] × m |
//!                    electorate size u32 | electorate commitment [32]
//! 12 trustee join    decision | transport key [32]
//! 13 dkg deal        decision | blob(PedersenCommitments) | nshares u16 | blob(SealedShare) × n
//! 14 dkg reveal      decision | blob(FeldmanCommitments) | blob(RevealProof)
//! 19 key confirmation decision | decision key [32]
//! 15 ballot          decision | blob(Ballot)
//! 16 decision close  decision | nballots u32 | ballot statement id [32] × n (ascending)
//! 17 decryption share decision | close [32] | blob(DecryptionShare)
//! 18 decision result decision | close [32] | ntotals u16 | total u64 × n | ntrustees u16 | trustee u16 × k
//! kind               tag u8: 1 approval(options u16) | 2 score(options u16, max u64) |
//!                    3 budget(options u16, budget u64) | 4 ranked(candidates u16)
//! ```

use super::{Envelope, PayloadError};
use crate::codec::Reader;
use crate::statement::{CommunityId, StatementId};
use ballot::dkg::{FeldmanCommitments, PedersenCommitments, RevealProof};
use ballot::{
    Ballot, BallotKind, DecisionKey, DecryptionShare, PossessionProof, SealedShare, ShareOpening,
    TransportKey, VotingKey,
};
use identity::PublicKey;

/// Domain prefix of what a voting key's proof of possession is bound to.
pub const VOTING_KEY_DOMAIN: &[u8] = b"grassroots/voting-key/v1\0";
/// Longest question, in bytes of UTF-8.
pub const MAX_QUESTION: usize = 1000;
/// Longest option label, in bytes of UTF-8.
pub const MAX_OPTION_LABEL: usize = 200;
/// Most trustees a decision may name.
pub const MAX_DECISION_TRUSTEES: usize = 64;

/// What a voting key's proof of possession is bound to: the community and
/// the member's identity key, so the proof cannot be replayed by another
/// member or in another community.
pub fn voting_key_binding(community: &CommunityId, member: &PublicKey) -> Vec<u8> {
    let mut b = Vec::with_capacity(VOTING_KEY_DOMAIN.len() + 64);
    b.extend_from_slice(VOTING_KEY_DOMAIN);
    b.extend_from_slice(&community.0);
    b.extend_from_slice(member.as_bytes());
    b
}

pub(super) fn blob(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

pub(super) fn read_blob<'a>(
    r: &mut Reader<'a>,
    field: &'static str,
) -> Result<&'a [u8], PayloadError> {
    let len = r.u32(field)? as usize;
    Ok(r.bytes(len, field)?)
}

/// Parse a blob with `parse`, refusing it unless `encode` gives it back.
fn canonical<T>(
    bytes: &[u8],
    parse: impl FnOnce(&[u8]) -> ballot::Result<T>,
    encode: impl FnOnce(&T) -> Vec<u8>,
    what: &'static str,
) -> Result<T, PayloadError> {
    let v = parse(bytes)?;
    if encode(&v) != bytes {
        return Err(PayloadError::Invalid(what));
    }
    Ok(v)
}

pub(super) fn text(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

pub(super) fn read_text(
    r: &mut Reader<'_>,
    field: &'static str,
    max: usize,
    problem: &'static str,
) -> Result<String, PayloadError> {
    let len = r.u16(field)? as usize;
    if len == 0 || len > max {
        return Err(PayloadError::Invalid(problem));
    }
    Ok(std::str::from_utf8(r.bytes(len, field)?)
        .map_err(|_| PayloadError::Invalid("text is not UTF-8"))?
        .to_string())
}

pub(super) fn id(r: &mut Reader<'_>, field: &'static str) -> Result<StatementId, PayloadError> {
    Ok(StatementId(r.array(field)?))
}

/// Kind 10: a member binds a voting credential to their identity key (the
/// statement's author), proving possession of its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VotingKeyRegistration {
    /// The credential `X = x·G`.
    pub key: VotingKey,
    /// Proof of knowledge of `x`, bound by [`voting_key_binding`].
    pub proof: PossessionProof,
}

impl VotingKeyRegistration {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.key.to_bytes().to_vec();
        out.extend_from_slice(&self.proof.to_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8], env: Envelope<'_>) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let key = VotingKey::from_bytes(&r.array("voting key")?)?;
        let proof = PossessionProof::from_bytes(&r.array("possession proof")?)?;
        r.finish()?;
        proof.verify(&key, &voting_key_binding(env.community, env.author))?;
        Ok(VotingKeyRegistration { key, proof })
    }
}

/// Kind 11: a decision opens. Its statement id is the decision id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionOpening {
    /// What is being decided.
    pub question: String,
    /// The ballot kind (approval, score, budget, ranked, one-of).
    pub kind: BallotKind,
    /// One label per option (per candidate for ranked ballots).
    pub options: Vec<String>,
    /// Decryption shares needed (`t`).
    pub threshold: u16,
    /// The trustees' identity keys; trustee `i` (1-based) is `trustees[i−1]`.
    pub trustees: Vec<PublicKey>,
    /// Number of credentials in the electorate.
    pub electorate_size: u32,
    /// The electorate commitment `E` the opener computed.
    pub electorate: [u8; 32],
}

fn option_count(kind: &BallotKind) -> usize {
    match *kind {
        BallotKind::Approval { options }
        | BallotKind::Score { options, .. }
        | BallotKind::Budget { options, .. }
        | BallotKind::OneOf { options } => options as usize,
        BallotKind::Ranked { candidates } => candidates as usize,
    }
}

fn encode_kind(out: &mut Vec<u8>, kind: &BallotKind) {
    match *kind {
        BallotKind::Approval { options } => {
            out.push(1);
            out.extend_from_slice(&options.to_be_bytes());
        }
        BallotKind::Score { options, max } => {
            out.push(2);
            out.extend_from_slice(&options.to_be_bytes());
            out.extend_from_slice(&max.to_be_bytes());
        }
        BallotKind::Budget { options, budget } => {
            out.push(3);
            out.extend_from_slice(&options.to_be_bytes());
            out.extend_from_slice(&budget.to_be_bytes());
        }
        BallotKind::Ranked { candidates } => {
            out.push(4);
            out.extend_from_slice(&candidates.to_be_bytes());
        }
        BallotKind::OneOf { options } => {
            out.push(5);
            out.extend_from_slice(&options.to_be_bytes());
        }
    }
}

fn decode_kind(r: &mut Reader<'_>) -> Result<BallotKind, PayloadError> {
    let kind = match r.u8("ballot kind")? {
        1 => BallotKind::Approval {
            options: r.u16("options")?,
        },
        2 => BallotKind::Score {
            options: r.u16("options")?,
            max: r.u64("maximum score")?,
        },
        3 => BallotKind::Budget {
            options: r.u16("options")?,
            budget: r.u64("budget")?,
        },
        4 => BallotKind::Ranked {
            candidates: r.u16("candidates")?,
        },
        5 => BallotKind::OneOf {
            options: r.u16("options")?,
        },
        _ => return Err(PayloadError::Invalid("unknown ballot kind")),
    };
    kind.validate()?;
    Ok(kind)
}

impl DecisionOpening {
    /// Checks what the opening says on its own: a question, one label per
    /// option, a valid kind, distinct trustees and `1 ≤ t ≤ m`, a non-empty
    /// electorate.
    pub fn validate(&self) -> Result<(), PayloadError> {
        if self.question.is_empty() || self.question.len() > MAX_QUESTION {
            return Err(PayloadError::Invalid(
                "the question must be 1 to 1000 bytes",
            ));
        }
        self.kind.validate()?;
        if self.options.len() != option_count(&self.kind) {
            return Err(PayloadError::Invalid(
                "the number of option labels differs from the ballot kind's options",
            ));
        }
        if self
            .options
            .iter()
            .any(|o| o.is_empty() || o.len() > MAX_OPTION_LABEL)
        {
            return Err(PayloadError::Invalid(
                "option labels must be 1 to 200 bytes",
            ));
        }
        let m = self.trustees.len();
        if m == 0 || m > MAX_DECISION_TRUSTEES {
            return Err(PayloadError::Invalid("a decision names 1 to 64 trustees"));
        }
        let distinct: std::collections::BTreeSet<_> = self.trustees.iter().collect();
        if distinct.len() != m {
            return Err(PayloadError::Invalid("a trustee is named twice"));
        }
        ballot::ThresholdParams::new(self.threshold, m as u16)?;
        if self.electorate_size == 0 {
            return Err(PayloadError::Invalid("the electorate is empty"));
        }
        Ok(())
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        text(&mut out, &self.question);
        encode_kind(&mut out, &self.kind);
        out.extend_from_slice(&(self.options.len() as u16).to_be_bytes());
        for o in &self.options {
            text(&mut out, o);
        }
        out.extend_from_slice(&self.threshold.to_be_bytes());
        out.extend_from_slice(&(self.trustees.len() as u16).to_be_bytes());
        for t in &self.trustees {
            out.extend_from_slice(t.as_bytes());
        }
        out.extend_from_slice(&self.electorate_size.to_be_bytes());
        out.extend_from_slice(&self.electorate);
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let question = read_text(
            &mut r,
            "question",
            MAX_QUESTION,
            "the question must be 1 to 1000 bytes",
        )?;
        let kind = decode_kind(&mut r)?;
        let n = r.u16("option count")? as usize;
        if n != option_count(&kind) {
            return Err(PayloadError::Invalid(
                "the number of option labels differs from the ballot kind's options",
            ));
        }
        let options = (0..n)
            .map(|_| {
                read_text(
                    &mut r,
                    "option label",
                    MAX_OPTION_LABEL,
                    "option labels must be 1 to 200 bytes",
                )
            })
            .collect::<Result<_, _>>()?;
        let threshold = r.u16("threshold")?;
        let m = r.u16("trustee count")? as usize;
        if m > MAX_DECISION_TRUSTEES {
            return Err(PayloadError::Invalid("a decision names 1 to 64 trustees"));
        }
        let trustees = (0..m)
            .map(|_| Ok(PublicKey::from_bytes(&r.array("trustee key")?)?))
            .collect::<Result<_, PayloadError>>()?;
        let electorate_size = r.u32("electorate size")?;
        let electorate = r.array("electorate commitment")?;
        r.finish()?;
        let o = DecisionOpening {
            question,
            kind,
            options,
            threshold,
            trustees,
            electorate_size,
            electorate,
        };
        o.validate()?;
        Ok(o)
    }
}

/// Kind 12: a trustee joins a decision's key generation with a fresh
/// transport key, to which the other trustees seal its shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrusteeJoin {
    /// The decision.
    pub decision: StatementId,
    /// The trustee's transport key for this decision.
    pub key: TransportKey,
}

impl TrusteeJoin {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        out.extend_from_slice(&self.key.to_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = id(&mut r, "decision")?;
        let key = TransportKey::from_bytes(&r.array("transport key")?)?;
        r.finish()?;
        Ok(TrusteeJoin { decision, key })
    }
}

/// Kind 13: a trustee's round-1 deal: its Pedersen commitments and its
/// shares for every trustee whose join it builds on (itself included),
/// each sealed to the recipient's transport key, in increasing recipient
/// order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkgDeal {
    /// The decision.
    pub decision: StatementId,
    /// `C_k = a_k·G + b_k·H'`.
    pub commitments: PedersenCommitments,
    /// The sealed shares, by increasing recipient.
    pub shares: Vec<SealedShare>,
}

impl DkgDeal {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        blob(&mut out, &self.commitments.to_bytes());
        out.extend_from_slice(&(self.shares.len() as u16).to_be_bytes());
        for s in &self.shares {
            blob(&mut out, &s.to_bytes());
        }
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = id(&mut r, "decision")?;
        let commitments = canonical(
            read_blob(&mut r, "Pedersen commitments")?,
            PedersenCommitments::from_bytes,
            PedersenCommitments::to_bytes,
            "non-canonical Pedersen commitments",
        )?;
        let n = r.u16("share count")? as usize;
        if n == 0 || n > MAX_DECISION_TRUSTEES {
            return Err(PayloadError::Invalid("a deal carries 1 to 64 shares"));
        }
        let mut shares = Vec::with_capacity(n);
        for _ in 0..n {
            let s = canonical(
                read_blob(&mut r, "sealed share")?,
                SealedShare::from_bytes,
                SealedShare::to_bytes,
                "non-canonical sealed share",
            )?;
            let previous = shares.last().map_or(0, SealedShare::recipient);
            if s.dealer() != commitments.dealer() || s.recipient() <= previous {
                return Err(PayloadError::Invalid(
                    "sealed shares must come from the dealer and go to distinct trustees in increasing order",
                ));
            }
            shares.push(s);
        }
        r.finish()?;
        Ok(DkgDeal {
            decision,
            commitments,
            shares,
        })
    }
}

/// Kind 14: a trustee's round-2 reveal: its Feldman commitments, with the
/// public proof that they open the Pedersen commitments of its deal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkgReveal {
    /// The decision.
    pub decision: StatementId,
    /// `A_k = a_k·G`.
    pub commitments: FeldmanCommitments,
    /// Proves `A_k` is the `G` part of the dealt `C_k`, bound to the decision.
    pub proof: RevealProof,
}

impl DkgReveal {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        blob(&mut out, &self.commitments.to_bytes());
        blob(&mut out, &self.proof.to_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = id(&mut r, "decision")?;
        let commitments = canonical(
            read_blob(&mut r, "Feldman commitments")?,
            FeldmanCommitments::from_bytes,
            FeldmanCommitments::to_bytes,
            "non-canonical Feldman commitments",
        )?;
        let proof = canonical(
            read_blob(&mut r, "reveal proof")?,
            RevealProof::from_bytes,
            RevealProof::to_bytes,
            "non-canonical reveal proof",
        )?;
        if proof.dealer() != commitments.dealer() {
            return Err(PayloadError::Invalid(
                "the reveal proof is for another dealer than the commitments",
            ));
        }
        r.finish()?;
        Ok(DkgReveal {
            decision,
            commitments,
            proof,
        })
    }
}

/// Kinds 32 and 33: a trustee's public openings of shares sealed to it
/// ([`ShareOpening`]), all by one recipient, by increasing dealer.
///
/// As kind 32 (a **key check**) it ends the trustee's round 1: the shares
/// it opens are its complaints (each must prove its dealer's share bad),
/// and an empty list says every share it holds is good. As kind 33 (a
/// **recovery**) it opens good shares of qualified dealers that did not
/// reveal, so that every device can interpolate their commitments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareOpenings {
    /// The decision.
    pub decision: StatementId,
    /// The openings, by increasing dealer, all of one recipient.
    pub openings: Vec<ShareOpening>,
}

impl ShareOpenings {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        out.extend_from_slice(&(self.openings.len() as u16).to_be_bytes());
        for o in &self.openings {
            blob(&mut out, &o.to_bytes());
        }
        out
    }

    pub(super) fn decode(bytes: &[u8], at_least: usize) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = id(&mut r, "decision")?;
        let n = r.u16("opening count")? as usize;
        if n < at_least || n > MAX_DECISION_TRUSTEES {
            return Err(PayloadError::Invalid(if at_least == 0 {
                "a key check opens at most 64 shares"
            } else {
                "a recovery opens 1 to 64 shares"
            }));
        }
        let mut openings: Vec<ShareOpening> = Vec::with_capacity(n);
        for _ in 0..n {
            let o = canonical(
                read_blob(&mut r, "share opening")?,
                ShareOpening::from_bytes,
                ShareOpening::to_bytes,
                "non-canonical share opening",
            )?;
            if let Some(p) = openings.last() {
                if o.recipient() != p.recipient() || o.dealer() <= p.dealer() {
                    return Err(PayloadError::Invalid(
                        "share openings must be one recipient's, by distinct dealers in increasing order",
                    ));
                }
            }
            openings.push(o);
        }
        r.finish()?;
        Ok(ShareOpenings { decision, openings })
    }
}

/// Kind 19: a trustee confirms the decision key: every share dealt to it
/// matches its dealer's revealed (Feldman) commitments and the combined
/// share matches the trustee's verification key under this key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyConfirmation {
    /// The decision.
    pub decision: StatementId,
    /// The decision key the trustee computed from the reveals.
    pub key: DecisionKey,
}

impl KeyConfirmation {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        out.extend_from_slice(&self.key.to_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = id(&mut r, "decision")?;
        let key = DecisionKey::from_bytes(&r.array("decision key")?)?;
        r.finish()?;
        Ok(KeyConfirmation { decision, key })
    }
}

/// Kind 15: an anonymous ballot. The statement's author is a one-time key
/// made for this ballot alone: the ring signature inside is what makes the
/// ballot count, and an identity signature would reveal the voter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BallotCast {
    /// The decision.
    pub decision: StatementId,
    /// The encrypted, proven, ring-signed ballot (boxed: it is large).
    pub ballot: Box<Ballot>,
}

impl BallotCast {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        blob(&mut out, &self.ballot.to_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = id(&mut r, "decision")?;
        let ballot = canonical(
            read_blob(&mut r, "ballot")?,
            Ballot::from_bytes,
            Ballot::to_bytes,
            "non-canonical ballot",
        )?;
        r.finish()?;
        Ok(BallotCast {
            decision,
            ballot: Box::new(ballot),
        })
    }
}

/// Most ballot statements a close may name beyond its predecessors.
pub const MAX_CLOSE_BALLOTS: usize = 30_000;

/// Kind 16: voting ends. Ballots in the causal past of the (first valid)
/// close count; later ones do not. An envelope names at most 64
/// predecessors, so the close also names, in its payload, every ballot
/// statement not already in the causal past of its predecessors; those
/// count as built on too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionClose {
    /// The decision.
    pub decision: StatementId,
    /// Further ballot statements the close builds on, strictly ascending.
    pub ballots: Vec<StatementId>,
}

impl DecisionClose {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        out.extend_from_slice(&(self.ballots.len() as u32).to_be_bytes());
        for b in &self.ballots {
            out.extend_from_slice(&b.0);
        }
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = id(&mut r, "decision")?;
        let n = r.u32("ballot count")? as usize;
        if n > MAX_CLOSE_BALLOTS {
            return Err(PayloadError::Invalid(
                "a close names at most 30000 further ballots",
            ));
        }
        let ballots = (0..n)
            .map(|_| id(&mut r, "ballot statement"))
            .collect::<Result<Vec<_>, _>>()?;
        r.finish()?;
        if ballots.windows(2).any(|w| w[0] >= w[1]) {
            return Err(PayloadError::Invalid(
                "a close's ballots must be strictly ascending",
            ));
        }
        Ok(DecisionClose { decision, ballots })
    }
}

/// Kind 17: a trustee's decryption share of the encrypted tally fixed by a close.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TallyShare {
    /// The decision.
    pub decision: StatementId,
    /// The close whose tally this decrypts.
    pub close: StatementId,
    /// The share with its Chaum–Pedersen proof.
    pub share: DecryptionShare,
}

impl TallyShare {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        out.extend_from_slice(&self.close.0);
        blob(&mut out, &self.share.to_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = id(&mut r, "decision")?;
        let close = id(&mut r, "close")?;
        let share = canonical(
            read_blob(&mut r, "decryption share")?,
            DecryptionShare::from_bytes,
            DecryptionShare::to_bytes,
            "non-canonical decryption share",
        )?;
        r.finish()?;
        Ok(TallyShare {
            decision,
            close,
            share,
        })
    }
}

/// Kind 18: the decrypted totals someone computed, for readers who do not
/// recompute them; `community::decision::DecisionState` checks them against
/// its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionResult {
    /// The decision.
    pub decision: StatementId,
    /// The close whose tally was decrypted.
    pub close: StatementId,
    /// One total per slot.
    pub totals: Vec<u64>,
    /// The trustees whose shares were used, ascending.
    pub trustees: Vec<u16>,
}

impl DecisionResult {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        out.extend_from_slice(&self.close.0);
        out.extend_from_slice(&(self.totals.len() as u16).to_be_bytes());
        for t in &self.totals {
            out.extend_from_slice(&t.to_be_bytes());
        }
        out.extend_from_slice(&(self.trustees.len() as u16).to_be_bytes());
        for t in &self.trustees {
            out.extend_from_slice(&t.to_be_bytes());
        }
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = id(&mut r, "decision")?;
        let close = id(&mut r, "close")?;
        let n = r.u16("total count")? as usize;
        let totals = (0..n)
            .map(|_| r.u64("total"))
            .collect::<Result<Vec<_>, _>>()?;
        let k = r.u16("trustee count")? as usize;
        let trustees = (0..k)
            .map(|_| r.u16("trustee"))
            .collect::<Result<Vec<_>, _>>()?;
        r.finish()?;
        if trustees.windows(2).any(|w| w[0] >= w[1]) || trustees.first() == Some(&0) {
            return Err(PayloadError::Invalid(
                "result trustees must be distinct indices from 1, ascending",
            ));
        }
        Ok(DecisionResult {
            decision,
            close,
            totals,
            trustees,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use identity::Keypair;

    fn opening() -> DecisionOpening {
        DecisionOpening {
            question: "Which?".into(),
            kind: BallotKind::Score { options: 2, max: 5 },
            options: vec!["a".into(), "b".into()],
            threshold: 2,
            trustees: (0..3).map(|_| Keypair::generate().public()).collect(),
            electorate_size: 7,
            electorate: [3; 32],
        }
    }

    /// Two trustees' openings: trustee 2 opens the shares dealers 1 and 3
    /// sealed to it; and one opening by trustee 3.
    fn openings() -> (Vec<ShareOpening>, ShareOpening) {
        use ballot::dkg::{Dealer, ThresholdParams};
        use ballot::TransportSecret;
        use rand::rngs::OsRng;
        let params = ThresholdParams::new(2, 3).unwrap();
        let d = ballot::DecisionId([5; 32]);
        let (two, three) = (
            TransportSecret::generate(&mut OsRng),
            TransportSecret::generate(&mut OsRng),
        );
        let open = |dealer: u16, to: u16, secret: &TransportSecret| {
            let share = Dealer::new(params, dealer, &mut OsRng)
                .unwrap()
                .share_for(to)
                .unwrap();
            let sealed = SealedShare::seal(&d, &share, &secret.public(), &mut OsRng).unwrap();
            ShareOpening::create(&d, &sealed, secret, &mut OsRng)
        };
        (vec![open(1, 2, &two), open(3, 2, &two)], open(1, 3, &three))
    }

    #[test]
    fn share_openings_round_trip_refuse_every_cut_and_need_one_order() {
        let (mine, theirs) = openings();
        let check = ShareOpenings {
            decision: StatementId([9; 32]),
            openings: mine.clone(),
        };
        let bytes = check.encode();
        assert_eq!(ShareOpenings::decode(&bytes, 0).unwrap(), check);
        for cut in 0..bytes.len() {
            assert!(
                ShareOpenings::decode(&bytes[..cut], 0).is_err(),
                "cut at {cut}"
            );
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(ShareOpenings::decode(&long, 0).is_err(), "trailing byte");
        // An empty key check is valid; an empty recovery is not.
        let empty = ShareOpenings {
            decision: StatementId([9; 32]),
            openings: vec![],
        };
        assert!(ShareOpenings::decode(&empty.encode(), 0).is_ok());
        let err = ShareOpenings::decode(&empty.encode(), 1).unwrap_err();
        assert!(
            err.to_string().contains("a recovery opens 1 to 64"),
            "{err}"
        );
        // Dealers out of order, repeated, or another recipient's opening.
        for openings in [
            vec![mine[1].clone(), mine[0].clone()],
            vec![mine[0].clone(), mine[0].clone()],
            vec![mine[0].clone(), theirs.clone()],
        ] {
            let bad = ShareOpenings {
                decision: StatementId([9; 32]),
                openings,
            };
            let err = ShareOpenings::decode(&bad.encode(), 0).unwrap_err();
            assert!(err.to_string().contains("one recipient's"), "{err}");
        }
    }

    #[test]
    fn an_opening_round_trips_and_every_broken_rule_is_named() {
        let o = opening();
        assert_eq!(DecisionOpening::decode(&o.encode()).unwrap(), o);
        let broken = |f: &dyn Fn(&mut DecisionOpening), why: &str| {
            let mut b = opening();
            f(&mut b);
            let err = DecisionOpening::decode(&b.encode())
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{err} does not say {why}");
        };
        broken(&|o| o.question.clear(), "question");
        broken(
            &|o| {
                o.options.pop();
            },
            "option labels differs",
        );
        broken(&|o| o.options[1] = String::new(), "option labels must be");
        broken(&|o| o.trustees[2] = o.trustees[0], "named twice");
        broken(&|o| o.threshold = 4, "threshold");
        broken(&|o| o.threshold = 0, "threshold");
        broken(&|o| o.electorate_size = 0, "electorate is empty");
        broken(&|o| o.trustees.clear(), "1 to 64 trustees");
        broken(
            &|o| o.kind = BallotKind::Ranked { candidates: 9 },
            "ballot kind",
        );
        broken(
            &|o| o.kind = BallotKind::OneOf { options: 1 },
            "ballot kind",
        );
        broken(
            &|o| o.kind = BallotKind::OneOf { options: 3 },
            "option labels differs",
        );
        // Unknown kind tag and trailing bytes.
        let mut bytes = opening().encode();
        let at = 2 + "Which?".len();
        bytes[at] = 9;
        assert!(DecisionOpening::decode(&bytes).is_err());
        let mut bytes = opening().encode();
        bytes.push(0);
        assert!(DecisionOpening::decode(&bytes).is_err());
    }

    /// A one-of opening is tag 5 with its option count; a malformed one
    /// (too few or too many options, cut short) is refused.
    #[test]
    fn a_one_of_opening_round_trips_and_malformed_ones_are_refused() {
        let mut o = opening();
        o.kind = BallotKind::OneOf { options: 2 };
        let bytes = o.encode();
        assert_eq!(DecisionOpening::decode(&bytes).unwrap(), o);
        let at = 2 + "Which?".len();
        assert_eq!(&bytes[at..at + 3], &[5, 0, 2]);
        for options in [0u16, 1, 65, u16::MAX] {
            let mut b = bytes.clone();
            b[at + 1..at + 3].copy_from_slice(&options.to_be_bytes());
            let err = DecisionOpening::decode(&b).unwrap_err().to_string();
            assert!(err.contains("one-of"), "{options} options: {err}");
        }
        for cut in at..at + 3 {
            assert!(
                DecisionOpening::decode(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        // The kinds before it keep their bytes: budget(2, 1) is tag 3.
        let mut b = opening();
        b.kind = BallotKind::Budget {
            options: 2,
            budget: 1,
        };
        assert_eq!(&b.encode()[at..at + 11], &[3, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn a_result_needs_ascending_trustees_and_exact_length() {
        let r = DecisionResult {
            decision: StatementId([1; 32]),
            close: StatementId([2; 32]),
            totals: vec![3, 4],
            trustees: vec![1, 3],
        };
        assert_eq!(DecisionResult::decode(&r.encode()).unwrap(), r);
        for trustees in [vec![3, 1], vec![0, 1], vec![2, 2]] {
            let bad = DecisionResult {
                trustees,
                ..r.clone()
            };
            assert!(DecisionResult::decode(&bad.encode()).is_err());
        }
        let bytes = r.encode();
        assert!(DecisionResult::decode(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn a_deal_must_address_trustees_in_order() {
        use ballot::dkg::Dealer;
        use rand::rngs::OsRng;
        let params = ballot::ThresholdParams::new(2, 3).unwrap();
        let d = ballot::DecisionId([4; 32]);
        let dealer = Dealer::new(params, 1, &mut OsRng).unwrap();
        let key = ballot::TransportSecret::generate(&mut OsRng).public();
        let shares: Vec<SealedShare> = (1..=3)
            .map(|j| {
                SealedShare::seal(&d, &dealer.share_for(j).unwrap(), &key, &mut OsRng).unwrap()
            })
            .collect();
        let deal = DkgDeal {
            decision: StatementId(d.0),
            commitments: dealer.pedersen_commitments(),
            shares: shares.clone(),
        };
        assert_eq!(DkgDeal::decode(&deal.encode()).unwrap(), deal);
        let mut swapped = deal.clone();
        swapped.shares.swap(0, 1);
        assert!(DkgDeal::decode(&swapped.encode()).is_err());
        let other = Dealer::new(params, 2, &mut OsRng).unwrap();
        let foreign = DkgDeal {
            commitments: other.pedersen_commitments(),
            ..deal
        };
        assert!(DkgDeal::decode(&foreign.encode()).is_err());
    }
}
