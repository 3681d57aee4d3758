//! Payloads: the fact a statement carries, one type per kind.
//!
//! Kind numbers are assigned here and listed in `docs/formats.md`; a
//! number, once assigned, never changes meaning. Each payload has one
//! canonical encoding; decoding refuses anything else, so one fact has one
//! statement id. Decoding sees the envelope's community, author and time,
//! because some payloads (a surety's second signature) are bound to them.

mod assembly;
mod decision;
mod genesis;
mod governed;
mod keys;
mod note;
mod pin;
mod shuffle;
mod surety;
mod whole_ballot;

pub use assembly::{
    draw_question, is_draw_opening, AssemblyDraw, CoinSharePost, FeatureDeclaration, Resignation,
    DRAW_KIND, DRAW_LABEL, MAX_DECLARED_FEATURES, MAX_DECLARED_NAME,
};
pub use decision::{
    voting_key_binding, BallotCast, DecisionClose, DecisionOpening, DecisionResult, DkgDeal,
    DkgReveal, KeyConfirmation, ShareOpenings, TallyShare, TrusteeJoin, VotingKeyRegistration,
    MAX_CLOSE_BALLOTS, MAX_DECISION_TRUSTEES, MAX_OPTION_LABEL, MAX_QUESTION, VOTING_KEY_DOMAIN,
};
pub use genesis::{Genesis, ParentCitation, CITATION_VERSION, MAX_FOUNDERS};
pub use governed::{
    governed_kind, governed_labels, is_governed_kind, legacy_governed_kind, GovernedElection,
    GovernedOpening, Proposal, Timeline, MAX_GOVERNED_PROPOSALS, MAX_REASON, STATUS_QUO_LABEL,
};
pub use keys::{Departure, KeyReplacement, Revocation};
pub use note::{Note, MAX_NOTE};
pub use pin::{MemberPin, MAX_PIN_CHANGES};
pub use shuffle::{step_digest, ShufflePart, MAX_SHUFFLE_PARTS, SHUFFLE_PART_BYTES};
pub use surety::{surety_body, Surety, NONCE_LEN, SURETY_DOMAIN};
pub use whole_ballot::{BallotShares, RuledOpening, WholeBallotRule};

use crate::codec::CodecError;
use crate::statement::CommunityId;
use governance::ConstitutionError;
use identity::{KeyError, PublicKey};
use std::fmt;

/// The kind of fact a statement records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum Kind {
    /// A community's founding: its constitution and founders.
    Genesis = 1,
    /// A short text message to the community (notices, minutes).
    Note = 2,
    /// A mutual surety between two keys, signed by both.
    Surety = 3,
    /// One party withdraws a surety.
    Revocation = 4,
    /// A new key replaces a lost one.
    KeyReplacement = 5,
    /// A member binds a voting credential to their identity.
    VotingKey = 10,
    /// A decision opens: question, ballot kind, trustees, electorate.
    DecisionOpen = 11,
    /// A trustee joins a decision's key generation.
    TrusteeJoin = 12,
    /// A trustee's key-generation deal (round 1).
    DkgDeal = 13,
    /// A trustee's key-generation reveal (round 2).
    DkgReveal = 14,
    /// An anonymous ballot.
    Ballot = 15,
    /// Voting ends.
    DecisionClose = 16,
    /// A trustee's decryption share of the tally.
    DecryptionShare = 17,
    /// The decrypted totals.
    DecisionResult = 18,
    /// A trustee confirms the decision key.
    KeyConfirmation = 19,
    /// A decision opens under a rule that needs whole ballots.
    RuledDecisionOpen = 20,
    /// A trustee's decryption shares of individual counted ballots.
    BallotShares = 21,
    /// A member proposes a value for a governed component.
    Proposal = 22,
    /// A decision on a governed component among proposals and the status quo.
    GovernedOpen = 23,
    /// An election to a governed officer or board by a whole-ballot rule.
    GovernedElection = 24,
    /// The draw of an assembly's next period (a decision without ballots).
    AssemblyDraw = 25,
    /// A trustee's share of a draw's threshold coin.
    CoinShare = 26,
    /// A seated member gives up their seat.
    Resignation = 27,
    /// A part of a trustee's shuffle of a whole-ballot decision's ballots.
    Shuffle = 28,
    /// A member's feature values, which quota assemblies draw by.
    Features = 29,
    /// A member leaves the community (possibly for a fork).
    Departure = 30,
    /// A federation pins a member's record at a certified position.
    MemberPin = 31,
    /// A trustee ends its key-generation round 1, with its complaints.
    KeyCheck = 32,
    /// A trustee opens its shares of dealers that did not reveal.
    KeyRecovery = 33,
}

impl Kind {
    /// Every kind, in number order.
    pub const ALL: [Kind; 29] = [
        Kind::Genesis,
        Kind::Note,
        Kind::Surety,
        Kind::Revocation,
        Kind::KeyReplacement,
        Kind::VotingKey,
        Kind::DecisionOpen,
        Kind::TrusteeJoin,
        Kind::DkgDeal,
        Kind::DkgReveal,
        Kind::Ballot,
        Kind::DecisionClose,
        Kind::DecryptionShare,
        Kind::DecisionResult,
        Kind::KeyConfirmation,
        Kind::RuledDecisionOpen,
        Kind::BallotShares,
        Kind::Proposal,
        Kind::GovernedOpen,
        Kind::GovernedElection,
        Kind::AssemblyDraw,
        Kind::CoinShare,
        Kind::Resignation,
        Kind::Shuffle,
        Kind::Features,
        Kind::Departure,
        Kind::MemberPin,
        Kind::KeyCheck,
        Kind::KeyRecovery,
    ];

    /// The kind for a number, if known.
    pub fn from_u16(n: u16) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| *k as u16 == n)
    }

    /// The kind's name in documents and output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Genesis => "genesis",
            Kind::Note => "note",
            Kind::Surety => "surety",
            Kind::Revocation => "revocation",
            Kind::KeyReplacement => "key replacement",
            Kind::VotingKey => "voting key",
            Kind::DecisionOpen => "decision open",
            Kind::TrusteeJoin => "trustee join",
            Kind::DkgDeal => "key-generation deal",
            Kind::DkgReveal => "key-generation reveal",
            Kind::Ballot => "ballot",
            Kind::DecisionClose => "decision close",
            Kind::DecryptionShare => "decryption share",
            Kind::DecisionResult => "decision result",
            Kind::KeyConfirmation => "key confirmation",
            Kind::RuledDecisionOpen => "ruled decision open",
            Kind::BallotShares => "ballot decryption shares",
            Kind::Proposal => "proposal",
            Kind::GovernedOpen => "governed decision open",
            Kind::GovernedElection => "governed election open",
            Kind::AssemblyDraw => "assembly draw",
            Kind::CoinShare => "coin share",
            Kind::Resignation => "assembly resignation",
            Kind::Shuffle => "ballot shuffle",
            Kind::Features => "feature declaration",
            Kind::Departure => "departure",
            Kind::MemberPin => "member pin",
            Kind::KeyCheck => "key-generation check",
            Kind::KeyRecovery => "key-generation recovery",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a payload does not parse.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// Ends early or runs on.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A key in the payload is unusable.
    #[error("key: {0}")]
    Key(#[from] KeyError),
    /// The constitution does not parse or validate.
    #[error("constitution: {0}")]
    Constitution(#[from] ConstitutionError),
    /// A ballot-protocol message inside the payload is malformed or fails its proof.
    #[error("{0}")]
    Ballot(#[from] ballot::Error),
    /// Any other broken rule.
    #[error("{0}")]
    Invalid(&'static str),
}

/// The envelope fields a payload is bound to.
#[derive(Clone, Copy, Debug)]
pub struct Envelope<'a> {
    /// The community named in the envelope (zero for a genesis).
    pub community: &'a CommunityId,
    /// The statement's author.
    pub author: &'a PublicKey,
    /// The statement's time.
    pub time: u64,
}

/// The fact a statement records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// A community's founding.
    Genesis(Genesis),
    /// A text message.
    Note(Note),
    /// A mutual surety.
    Surety(Surety),
    /// A surety withdrawn.
    Revocation(Revocation),
    /// A lost key replaced.
    KeyReplacement(KeyReplacement),
    /// A voting credential registered.
    VotingKey(VotingKeyRegistration),
    /// A decision opened.
    DecisionOpen(DecisionOpening),
    /// A trustee joined key generation.
    TrusteeJoin(TrusteeJoin),
    /// A key-generation deal.
    DkgDeal(DkgDeal),
    /// A key-generation reveal.
    DkgReveal(DkgReveal),
    /// An anonymous ballot.
    Ballot(BallotCast),
    /// Voting closed.
    DecisionClose(DecisionClose),
    /// A decryption share.
    DecryptionShare(TallyShare),
    /// Decrypted totals.
    DecisionResult(DecisionResult),
    /// A trustee confirmed the decision key.
    KeyConfirmation(KeyConfirmation),
    /// A decision opened under a whole-ballot rule.
    RuledDecisionOpen(RuledOpening),
    /// Decryption shares of individual ballots.
    BallotShares(BallotShares),
    /// A proposal for a governed component.
    Proposal(Proposal),
    /// A decision on a governed component opened.
    GovernedOpen(GovernedOpening),
    /// An election to a governed officer or board opened.
    GovernedElection(GovernedElection),
    /// An assembly's next period is drawn.
    AssemblyDraw(AssemblyDraw),
    /// A trustee's share of a draw's coin.
    CoinShare(CoinSharePost),
    /// A member resigns their assembly seat.
    Resignation(Resignation),
    /// A part of a trustee's ballot shuffle.
    Shuffle(ShufflePart),
    /// A member declares the feature values quota assemblies draw by.
    Features(FeatureDeclaration),
    /// A member leaves the community, possibly for a fork.
    Departure(Departure),
    /// A federation pins a member's record at a certified position.
    MemberPin(MemberPin),
    /// A trustee's key check: the end of its round 1, with complaints.
    KeyCheck(ShareOpenings),
    /// A trustee's openings of shares of dealers that did not reveal.
    KeyRecovery(ShareOpenings),
}

impl Payload {
    /// The payload's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Payload::Genesis(_) => Kind::Genesis,
            Payload::Note(_) => Kind::Note,
            Payload::Surety(_) => Kind::Surety,
            Payload::Revocation(_) => Kind::Revocation,
            Payload::KeyReplacement(_) => Kind::KeyReplacement,
            Payload::VotingKey(_) => Kind::VotingKey,
            Payload::DecisionOpen(_) => Kind::DecisionOpen,
            Payload::TrusteeJoin(_) => Kind::TrusteeJoin,
            Payload::DkgDeal(_) => Kind::DkgDeal,
            Payload::DkgReveal(_) => Kind::DkgReveal,
            Payload::Ballot(_) => Kind::Ballot,
            Payload::DecisionClose(_) => Kind::DecisionClose,
            Payload::DecryptionShare(_) => Kind::DecryptionShare,
            Payload::DecisionResult(_) => Kind::DecisionResult,
            Payload::KeyConfirmation(_) => Kind::KeyConfirmation,
            Payload::RuledDecisionOpen(_) => Kind::RuledDecisionOpen,
            Payload::BallotShares(_) => Kind::BallotShares,
            Payload::Proposal(_) => Kind::Proposal,
            Payload::GovernedOpen(_) => Kind::GovernedOpen,
            Payload::GovernedElection(_) => Kind::GovernedElection,
            Payload::AssemblyDraw(_) => Kind::AssemblyDraw,
            Payload::CoinShare(_) => Kind::CoinShare,
            Payload::Resignation(_) => Kind::Resignation,
            Payload::Shuffle(_) => Kind::Shuffle,
            Payload::Features(_) => Kind::Features,
            Payload::Departure(_) => Kind::Departure,
            Payload::MemberPin(_) => Kind::MemberPin,
            Payload::KeyCheck(_) => Kind::KeyCheck,
            Payload::KeyRecovery(_) => Kind::KeyRecovery,
        }
    }

    /// Canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Payload::Genesis(p) => p.encode(),
            Payload::Note(p) => p.encode(),
            Payload::Surety(p) => p.encode(),
            Payload::Revocation(p) => p.encode(),
            Payload::KeyReplacement(p) => p.encode(),
            Payload::VotingKey(p) => p.encode(),
            Payload::DecisionOpen(p) => p.encode(),
            Payload::TrusteeJoin(p) => p.encode(),
            Payload::DkgDeal(p) => p.encode(),
            Payload::DkgReveal(p) => p.encode(),
            Payload::Ballot(p) => p.encode(),
            Payload::DecisionClose(p) => p.encode(),
            Payload::DecryptionShare(p) => p.encode(),
            Payload::DecisionResult(p) => p.encode(),
            Payload::KeyConfirmation(p) => p.encode(),
            Payload::RuledDecisionOpen(p) => p.encode(),
            Payload::BallotShares(p) => p.encode(),
            Payload::Proposal(p) => p.encode(),
            Payload::GovernedOpen(p) => p.encode(),
            Payload::GovernedElection(p) => p.encode(),
            Payload::AssemblyDraw(p) => p.encode(),
            Payload::CoinShare(p) => p.encode(),
            Payload::Resignation(p) => p.encode(),
            Payload::Shuffle(p) => p.encode(),
            Payload::Features(p) => p.encode(),
            Payload::Departure(p) => p.encode(),
            Payload::MemberPin(p) => p.encode(),
            Payload::KeyCheck(p) | Payload::KeyRecovery(p) => p.encode(),
        }
    }

    /// Parse the payload of a statement of `kind` with envelope `env`.
    pub fn decode(kind: Kind, bytes: &[u8], env: Envelope<'_>) -> Result<Payload, PayloadError> {
        Ok(match kind {
            Kind::Genesis => Payload::Genesis(Genesis::decode(bytes, env.author)?),
            Kind::Note => Payload::Note(Note::decode(bytes)?),
            Kind::Surety => Payload::Surety(Surety::decode(bytes, env)?),
            Kind::Revocation => Payload::Revocation(Revocation::decode(bytes)?),
            Kind::KeyReplacement => {
                Payload::KeyReplacement(KeyReplacement::decode(bytes, env.author)?)
            }
            Kind::VotingKey => Payload::VotingKey(VotingKeyRegistration::decode(bytes, env)?),
            Kind::DecisionOpen => Payload::DecisionOpen(DecisionOpening::decode(bytes)?),
            Kind::TrusteeJoin => Payload::TrusteeJoin(TrusteeJoin::decode(bytes)?),
            Kind::DkgDeal => Payload::DkgDeal(DkgDeal::decode(bytes)?),
            Kind::DkgReveal => Payload::DkgReveal(DkgReveal::decode(bytes)?),
            Kind::Ballot => Payload::Ballot(BallotCast::decode(bytes)?),
            Kind::DecisionClose => Payload::DecisionClose(DecisionClose::decode(bytes)?),
            Kind::DecryptionShare => Payload::DecryptionShare(TallyShare::decode(bytes)?),
            Kind::DecisionResult => Payload::DecisionResult(DecisionResult::decode(bytes)?),
            Kind::KeyConfirmation => Payload::KeyConfirmation(KeyConfirmation::decode(bytes)?),
            Kind::RuledDecisionOpen => Payload::RuledDecisionOpen(RuledOpening::decode(bytes)?),
            Kind::BallotShares => Payload::BallotShares(BallotShares::decode(bytes)?),
            Kind::Proposal => Payload::Proposal(Proposal::decode(bytes)?),
            Kind::GovernedOpen => Payload::GovernedOpen(GovernedOpening::decode(bytes)?),
            Kind::GovernedElection => Payload::GovernedElection(GovernedElection::decode(bytes)?),
            Kind::AssemblyDraw => Payload::AssemblyDraw(AssemblyDraw::decode(bytes)?),
            Kind::CoinShare => Payload::CoinShare(CoinSharePost::decode(bytes)?),
            Kind::Resignation => Payload::Resignation(Resignation::decode(bytes)?),
            Kind::Shuffle => Payload::Shuffle(ShufflePart::decode(bytes)?),
            Kind::Features => Payload::Features(FeatureDeclaration::decode(bytes)?),
            Kind::Departure => Payload::Departure(Departure::decode(bytes)?),
            Kind::MemberPin => Payload::MemberPin(MemberPin::decode(bytes)?),
            Kind::KeyCheck => Payload::KeyCheck(ShareOpenings::decode(bytes, 0)?),
            Kind::KeyRecovery => Payload::KeyRecovery(ShareOpenings::decode(bytes, 1)?),
        })
    }
}
