//! Grassroots ballots: voter credentials, linkable ring signatures,
//! encrypted ballots with range proofs, and threshold tallies.
//!
//! The protocol is specified in `docs/ballot.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod credential;
mod encoding;
pub mod error;
mod hash;
pub mod ring;

pub use credential::{DecisionId, Electorate, LinkingTag, VotingKey, VotingSecret};
pub use error::{DecodeError, Error, Result};
pub use ring::RingSignature;
