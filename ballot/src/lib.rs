//! Grassroots ballots: voter credentials, linkable ring signatures,
//! encrypted ballots with range proofs, and threshold tallies.
//!
//! The protocol is specified in `docs/ballot.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
