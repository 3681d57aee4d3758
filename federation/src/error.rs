//! Why a certificate was refused.

use ledger::blocklace::participants::ParticipantsError;
use ledger::statement::CommunityId;

/// Why a certificate could not be decoded, assembled or verified. Each
/// variant names what is wrong; nothing here panics on bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// The bytes end inside a field.
    #[error("certificate truncated in `{0}`")]
    Truncated(&'static str),
    /// Bytes left after the last signature.
    #[error("{0} bytes after the end of the certificate")]
    TrailingBytes(usize),
    /// Not a certificate.
    #[error("not a federation certificate (magic bytes)")]
    Magic,
    /// A format version this build does not read.
    #[error("certificate version {0} is not supported (this build reads 1)")]
    Version(u8),
    /// An unknown certificate kind.
    #[error("unknown certificate kind {0}")]
    Kind(u8),
    /// A field holds a value outside its range.
    #[error("certificate field `{field}` is invalid: {reason}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A key of the next participant set is not a usable Ed25519 key.
    #[error("next participant key {index} is not a valid, non-weak Ed25519 key")]
    BadKey {
        /// Its index in the set.
        index: usize,
    },
    /// The next participant set is malformed.
    #[error("next participant set: {0}")]
    NextSet(#[from] ParticipantsError),
    /// Issued for another community.
    #[error("certificate is for community {found}, this verifier follows {expected}")]
    WrongCommunity {
        /// The community the verifier follows.
        expected: CommunityId,
        /// The community the certificate names.
        found: CommunityId,
    },
    /// The verifier has not followed the participant set of this epoch.
    #[error("epoch {epoch} is unknown here: participant sets followed for epochs 0..{followed}")]
    UnknownEpoch {
        /// The certificate's epoch.
        epoch: u64,
        /// How many epochs the verifier has followed.
        followed: u64,
    },
    /// The bitmap's width is not the epoch's participant count.
    #[error("certificate counts {found} participants, epoch {epoch} has {expected}")]
    ParticipantCount {
        /// The epoch.
        epoch: u64,
        /// Its participant count.
        expected: usize,
        /// The certificate's bitmap width.
        found: usize,
    },
    /// A signer that is not one of the epoch's participants.
    #[error("signer {signer} is not a participant of epoch {epoch}")]
    SignerNotInSet {
        /// The epoch.
        epoch: u64,
        /// The signer: a key in hex, or a bitmap index past the set.
        signer: String,
    },
    /// The same participant signs twice.
    #[error("participant {0} signs twice")]
    DuplicateSigner(String),
    /// Fewer signers than the epoch's supermajority.
    #[error("{got} signers, the supermajority of epoch {epoch} is {need}")]
    TooFewSigners {
        /// The epoch.
        epoch: u64,
        /// Distinct signers present.
        got: usize,
        /// Signers needed.
        need: usize,
    },
    /// A signature that does not verify under its participant's key.
    #[error("the signature of participant {index} ({key}) does not verify")]
    ForgedSignature {
        /// The participant's index in the epoch's set.
        index: u32,
        /// Its key in hex.
        key: String,
    },
    /// The root the checkpoint claims is not the one the statements give.
    #[error("root mismatch: r_{position} computed from r_(p−1) and the statement ids is {computed}, the checkpoint claims {claimed}")]
    RootMismatch {
        /// The checkpoint position.
        position: u64,
        /// The root signed.
        claimed: String,
        /// The root recomputed.
        computed: String,
    },
    /// A statement certificate of an epoch placed at or before the change
    /// that started it.
    #[error("position {position} is not after position {start}, where epoch {epoch} began")]
    BeforeEpoch {
        /// The epoch.
        epoch: u64,
        /// The first position certified.
        position: u64,
        /// The position of the change that started the epoch.
        start: u64,
    },
    /// A certificate of an epoch at a position after the change that
    /// closed it (once that change is followed).
    #[error("position {position} is after position {end}, where epoch {epoch} closed")]
    AfterEpoch {
        /// The certificate's epoch.
        epoch: u64,
        /// Its checkpoint position.
        position: u64,
        /// The position of the change that closed the epoch.
        end: u64,
    },
    /// An epoch change was expected.
    #[error("not an epoch-change certificate")]
    NotAnEpochChange,
    /// An epoch change of an epoch after the last one followed.
    #[error(
        "epoch change of epoch {epoch} cannot be followed: the last epoch followed is {current}"
    )]
    EpochGap {
        /// The certificate's epoch.
        epoch: u64,
        /// The last followed epoch.
        current: u64,
    },
    /// Two valid certificates that cannot both be true.
    #[error("equivocation in epoch {}: {} participants signed both certificates", .0.epoch, .0.signers.len())]
    Equivocation(Box<crate::Equivocation>),
}
