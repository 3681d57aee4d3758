//! Grassroots identity: a person's key, the encrypted keystore that holds
//! it, the fingerprint read aloud at an event, and (as it grows) member
//! records, the trust graph and its audit.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admission;
pub mod audit;
pub mod fingerprint;
pub mod graph;
pub mod keys;
pub mod keystore;

pub use admission::{admit, Admission, Reason};
pub use fingerprint::Fingerprint;
pub use graph::TrustGraph;
pub use keys::{KeyError, Keypair, PublicKey};
pub use keystore::{KdfParams, KeystoreError, LockedKeystore};
