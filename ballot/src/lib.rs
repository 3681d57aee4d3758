//! Grassroots ballots: voter credentials, linkable ring signatures,
//! encrypted ballots with range proofs, and threshold tallies.
//!
//! The protocols are specified in `docs/ballot.md`. In outline:
//!
//! - [`credential`]: voting keys `X = x·G`, the electorate and its
//!   commitment, per-decision linking tags `J = x⁻¹·U_d`;
//! - [`ring`]: Triptych linkable ring signatures of logarithmic size with
//!   batch verification;
//! - [`elgamal`], [`kind`], [`ballot`]: encrypted ballot values with
//!   ciphertext/commitment equality proofs and Bulletproofs range proofs,
//!   or, for one-of ballots, a proof that the ciphertexts encrypt a unit
//!   vector (disjunctive Chaum–Pedersen proofs, no range proof);
//! - [`dkg`], [`threshold`], [`dlog`], [`tally`]: t-of-m key generation,
//!   verifiable threshold decryption and homomorphic tallies;
//! - [`individual`]: counted ballots decrypted one by one after the close,
//!   for rules that need whole ballots;
//! - [`coin`]: a threshold coin (Cachin–Kursawe–Shoup) from the same
//!   trustee keys, a lottery seed nobody can bias;
//! - [`shuffle`]: a verifiable re-encryption shuffle of ballot vectors by
//!   trustees in turn (Terelius–Wikström), so individually decrypted
//!   ballots cannot be traced back to their ledger statements;
//! - [`transport`]: dealer shares sealed to their recipients, so key
//!   generation can run over a public ledger.
//!
//! Every public message has a canonical, versioned `to_bytes`/`from_bytes`
//! encoding (see `docs/ballot.md`, "Encodings").

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ballot;
pub mod coin;
pub mod credential;
pub mod dkg;
pub mod dlog;
pub mod elgamal;
mod encoding;
pub mod error;
mod hash;
pub mod individual;
pub mod kind;
pub mod opening;
pub mod ring;
pub mod shuffle;
pub mod tally;
pub mod threshold;
pub mod transport;
mod unitvec;
pub mod verified;

pub use ballot::{verify_ballots, Ballot, DecisionContext};
pub use coin::{Coin, CoinName, CoinShare};
pub use credential::{
    DecisionId, Electorate, LinkingTag, PossessionProof, VotingKey, VotingSecret,
};
pub use dkg::{check_panel, KeyInfo, RevealProof, ThresholdParams, TrusteeKey};
pub use elgamal::{Ciphertext, DecisionKey};
pub use error::{DecodeError, Error, Result, ShuffleFailure};
pub use individual::{weak_order, CountedBallots, DecryptedBallots};
pub use kind::BallotKind;
pub use opening::{Opened, ShareOpening};
pub use ring::RingSignature;
pub use shuffle::{ShuffleChain, ShuffleContext, ShuffleProof, ShuffleStep};
pub use tally::{accept, Acceptance, EncryptedTally};
pub use threshold::{Decryption, DecryptionShare};
pub use transport::{SealedShare, TransportKey, TransportSecret};
