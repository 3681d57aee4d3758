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
        /// The (highest) version this library reads.
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
    /// The one-of ballot's unit-vector proof fails: some slot does not
    /// encrypt 0 or 1, the slots do not sum to 1, or the proof is
    /// malformed or was made for other ciphertexts, another voter or
    /// another decision.
    #[error("the unit-vector proof does not verify (the ciphertexts do not encrypt exactly one chosen option, or the proof was made for other ciphertexts, another voter or another decision)")]
    BadUnitVectorProof,
    /// The ballot carries the proof of another family of kinds: range
    /// proofs for a one-of kind, or a unit-vector proof for another kind.
    #[error("the ballot carries a {found} proof, but its kind needs a {expected} proof")]
    WrongProofKind {
        /// The proof the kind needs ("range" or "unit-vector").
        expected: &'static str,
        /// The proof the ballot carries.
        found: &'static str,
    },
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
    /// A coin share's Chaum–Pedersen proof fails: its `σ_j` is not trustee
    /// `trustee`'s share of this coin (wrong value, another coin's name,
    /// another trustee's index, or tampered bytes).
    #[error("trustee {trustee}'s coin share is wrong (its proof that it is the trustee's share of this coin does not verify)")]
    BadCoinShare {
        /// The trustee (1-based index) the share claims.
        trustee: u16,
    },
    /// A second share of a trustee whose share is already counted.
    #[error("a second share of trustee {trustee}: each trustee counts once")]
    DuplicateShare {
        /// The trustee (1-based index).
        trustee: u16,
    },
    /// Not enough valid shares (decryption or coin shares).
    #[error("{valid} valid share(s), but the threshold is {threshold}")]
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
    /// A public opening of a sealed share fails its proof: its `Z` is not
    /// the recipient's Diffie–Hellman value for that share, or it names
    /// another share.
    #[error("trustee {recipient}'s opening of the share sealed by trustee {dealer} does not verify (its proof that Z = y·E does not hold)")]
    BadShareOpening {
        /// The dealer (1-based).
        dealer: u16,
        /// The recipient who opened it (1-based).
        recipient: u16,
    },
    /// Messages of different shapes were combined.
    #[error("mismatched message: {0}")]
    Mismatch(String),
    /// A shuffle step is refused: its proof, or the lists it is checked
    /// against, fail in the named way.
    #[error("shuffle by trustee {shuffler} refused: {failure}")]
    BadShuffle {
        /// The shuffler (1-based trustee index) the proof names.
        shuffler: u16,
        /// What failed.
        failure: ShuffleFailure,
    },
    /// A shuffle cannot be made or checked from these inputs (no ballots,
    /// ballots of the wrong width, an unsupported width).
    #[error("shuffle input refused: {0}")]
    ShuffleInput(ShuffleFailure),
}

/// What failed in a shuffle or its proof (see [`crate::shuffle`]).
///
/// The equation names follow `docs/ballot.md` §8: a proof is checked as
/// independent groups of equations, and the first group that does not hold
/// is named.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShuffleFailure {
    /// The proof was made for another shuffle context (decision label,
    /// decision key or ballot width).
    #[error("the proof was made for another context (decision label, key or width)")]
    WrongContext,
    /// There are no ballots.
    #[error("there are no ballots to shuffle")]
    Empty,
    /// More ballots than a shuffle may hold.
    #[error("{ballots} ballots, at most {max} may be shuffled at once")]
    TooManyBallots {
        /// Ballots given.
        ballots: usize,
        /// The limit.
        max: usize,
    },
    /// The ballot width (ciphertexts per ballot) is not supported.
    #[error("ballot width {width} is outside 1..={max}")]
    BadWidth {
        /// The width given.
        width: usize,
        /// The largest supported width.
        max: usize,
    },
    /// The output does not have as many ballots as the input (a ballot was
    /// dropped or added).
    #[error("the output has {output} ballot(s), the input {input}")]
    CountMismatch {
        /// Input ballots.
        input: usize,
        /// Output ballots.
        output: usize,
    },
    /// A ballot does not have one ciphertext per slot.
    #[error("{side} ballot {ballot} has {found} ciphertext(s), the width is {width}")]
    WidthMismatch {
        /// "input" or "output".
        side: &'static str,
        /// Position of the ballot (0-based).
        ballot: usize,
        /// Ciphertexts it has.
        found: usize,
        /// Ciphertexts it should have.
        width: usize,
    },
    /// The proof was made for another number of ballots or another width.
    #[error("the proof is for {proof_ballots} ballot(s) of width {proof_width}, the shuffle has {ballots} of width {width}")]
    ProofShape {
        /// Ballots in the proof.
        proof_ballots: usize,
        /// Width in the proof.
        proof_width: usize,
        /// Ballots shuffled.
        ballots: usize,
        /// Width of the context.
        width: usize,
    },
    /// The input ballots are not those the proof was made for.
    #[error("the input ballots are not those the proof was made for")]
    InputMismatch,
    /// The output ballots are not those the proof was made for (one was
    /// altered, replaced, duplicated or moved after proving).
    #[error("the output ballots are not those the proof was made for")]
    OutputMismatch,
    /// Equation 1 fails: the permutation commitments' randomness is not
    /// what the proof claims (the commitments do not add up to a
    /// commitment to the all-ones vector).
    #[error("the permutation commitments do not sum to a commitment to the all-ones vector")]
    PermutationCommitment,
    /// The product argument fails (equation 2 or a chain equation): the
    /// committed matrix does not preserve the product of the challenges, so
    /// it is not a permutation (for example, a ballot was duplicated).
    #[error("the product argument fails: the committed matrix is not a permutation")]
    Product,
    /// The linear argument fails (equation 3): the permuted challenges are
    /// not those the commitments open to.
    #[error("the linear argument fails: the permuted challenges do not open the commitments")]
    Linear,
    /// The re-encryption equation of ciphertext component `component`
    /// fails: the output is not a re-encryption of the committed
    /// permutation of the input (a ciphertext was altered or replaced).
    #[error("component {component}: the output is not a re-encryption of the committed permutation of the input")]
    Reencryption {
        /// The component (slot, 0-based).
        component: usize,
    },
    /// A trustee shuffled twice in one chain.
    #[error("trustee {shuffler} already shuffled in this chain")]
    RepeatedShuffler {
        /// The trustee.
        shuffler: u16,
    },
}

/// Result alias of this crate.
pub type Result<T> = core::result::Result<T, Error>;
