//! Typed errors for decoding and verifying ballot-protocol messages.

use thiserror::Error;

/// A byte string could not be decoded into a protocol message.
///
/// Every variant names the field (`what`) and the byte offset where decoding
/// stopped, so a bad statement payload can be diagnosed from the error alone.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The input ended before the field could be read.
    #[error("truncated input: {what} at byte {offset} needs {needed} more byte(s)")]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// Byte offset of the field.
        offset: usize,
        /// How many bytes were missing.
        needed: usize,
    },
    /// Bytes were left over after the message.
    #[error("{extra} trailing byte(s) after {what} at byte {offset}")]
    TrailingBytes {
        /// The message that was decoded.
        what: &'static str,
        /// Byte offset where the trailing bytes start.
        offset: usize,
        /// Number of trailing bytes.
        extra: usize,
    },
    /// The message does not start with the expected type marker.
    #[error("not a {what}: expected marker {expected:?}, found {found:?}")]
    WrongMarker {
        /// The message type expected.
        what: &'static str,
        /// The expected 4-byte marker.
        expected: [u8; 4],
        /// The marker found.
        found: [u8; 4],
    },
    /// The message's encoding version is not supported.
    #[error(
        "{what}: unsupported encoding version {version} (this library reads version {supported})"
    )]
    UnsupportedVersion {
        /// The message type.
        what: &'static str,
        /// The version found.
        version: u8,
        /// The version this library reads.
        supported: u8,
    },
    /// A 32-byte field is not the canonical encoding of a Ristretto point.
    #[error("{what} at byte {offset} is not a canonical Ristretto point encoding")]
    NonCanonicalPoint {
        /// The field.
        what: &'static str,
        /// Byte offset of the field.
        offset: usize,
    },
    /// A 32-byte field is not a canonical scalar (it is not reduced mod ℓ).
    #[error(
        "{what} at byte {offset} is not a canonical scalar (not reduced modulo the group order)"
    )]
    NonCanonicalScalar {
        /// The field.
        what: &'static str,
        /// Byte offset of the field.
        offset: usize,
    },
    /// A length or count is outside the range allowed for the field.
    #[error("{what} at byte {offset}: {value} is outside the allowed range {min}..={max}")]
    OutOfRange {
        /// The field.
        what: &'static str,
        /// Byte offset of the field.
        offset: usize,
        /// The value found.
        value: u64,
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// A field is well-formed but its value is not allowed (for example the identity point).
    #[error("{what} at byte {offset}: {reason}")]
    Invalid {
        /// The field.
        what: &'static str,
        /// Byte offset of the field.
        offset: usize,
        /// Why the value is refused.
        reason: &'static str,
    },
}

/// Errors of the ballot protocols: building, proving, verifying, tallying.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// A message could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The electorate is empty, too large or has a repeated credential.
    #[error("invalid electorate: {0}")]
    InvalidElectorate(String),
    /// The signer's voting key is not in the electorate.
    #[error("the voting key is not a credential of this electorate")]
    NotAMember,
    /// The ring signature was made for a different ring size / digit count.
    #[error(
        "ring signature has {found} digits but an electorate of {members} members needs {expected}"
    )]
    RingShapeMismatch {
        /// Digits in the signature.
        found: usize,
        /// Digits the electorate needs.
        expected: usize,
        /// Members in the electorate.
        members: usize,
    },
    /// The ring signature's verification equations do not hold.
    #[error("ring signature does not verify")]
    BadRingSignature,
    /// Batch verification failed; these positions (0-based) hold invalid signatures.
    #[error("ring signatures at positions {0:?} do not verify")]
    BatchFailed(Vec<usize>),
    /// The ballot was made for another decision context (decision, electorate, key or kind).
    #[error("ballot was cast for another decision context (decision id, electorate, decision key or ballot kind differ)")]
    WrongContext,
    /// The ballot kind's parameters are not supported.
    #[error("invalid ballot kind: {0}")]
    InvalidKind(String),
    /// The plaintext values do not fit the ballot kind.
    #[error("invalid ballot values: {0}")]
    InvalidValues(String),
    /// The proof that ciphertexts and commitments hold the same values fails.
    #[error("the ciphertext/commitment equality proof does not verify")]
    BadEqualityProof,
    /// The range proof fails: a value is out of range or the proof is malformed.
    #[error("the range proof does not verify (a value is outside what the ballot kind allows, or the proof is malformed)")]
    BadRangeProof,
    /// Bulletproofs refused to build a proof.
    #[error("range proof could not be built: {0}")]
    RangeProofBuild(String),
    /// Distributed key generation parameters are invalid.
    #[error("invalid threshold parameters: {0}")]
    InvalidThreshold(String),
    /// A dealer's share does not match the dealer's public commitments.
    #[error("trustee {dealer}'s share for trustee {recipient} does not match trustee {dealer}'s {stage} commitments")]
    BadDealerShare {
        /// The dealer (1-based trustee index).
        dealer: u16,
        /// The recipient (1-based trustee index).
        recipient: u16,
        /// "Pedersen" (round 1) or "Feldman" (round 2).
        stage: &'static str,
    },
    /// A dealer's round-2 reveal does not provably open its round-1 deal.
    #[error("trustee {dealer}'s reveal does not open its dealt commitments (its public reveal proof does not verify)")]
    BadReveal {
        /// The dealer (1-based trustee index).
        dealer: u16,
    },
    /// A decryption share's Chaum–Pedersen proof fails.
    #[error("trustee {trustee}'s decryption share is wrong (its proof of correct decryption does not verify)")]
    BadDecryptionShare {
        /// The trustee (1-based index).
        trustee: u16,
    },
    /// Not enough valid decryption shares.
    #[error("{valid} valid decryption share(s), but the threshold is {threshold}")]
    NotEnoughShares {
        /// Valid shares received.
        valid: usize,
        /// Shares needed.
        threshold: usize,
    },
    /// A decrypted total exceeds the search bound.
    #[error("decrypted total of slot {slot} is not in 0..={bound}")]
    TotalOutOfBound {
        /// The slot.
        slot: usize,
        /// The bound searched.
        bound: u64,
    },
    /// A byte-for-byte copy of an earlier ballot.
    #[error("replay: the same ballot was already posted at position {earlier}")]
    Replayed {
        /// Position of the first copy.
        earlier: usize,
    },
    /// A voting key's proof of possession does not verify.
    #[error("the proof of possession of the voting key does not verify")]
    BadPossessionProof,
    /// A sealed dealer share does not open (wrong recipient key or tampered bytes).
    #[error("the sealed share from trustee {dealer} for trustee {recipient} does not open with this key (wrong key or tampered bytes)")]
    SealedShareDoesNotOpen {
        /// The dealer (1-based).
        dealer: u16,
        /// The recipient (1-based).
        recipient: u16,
    },
    /// Messages of different shapes were combined.
    #[error("mismatched message: {0}")]
    Mismatch(String),
}

/// Result alias of this crate.
pub type Result<T> = core::result::Result<T, Error>;
