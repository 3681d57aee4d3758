//! Grassroots identity: a person's key, the encrypted keystore that holds
//! it, the fingerprint read aloud at an event, and (as it grows) member
//! records, the trust graph and its audit.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
pub mod audit;
