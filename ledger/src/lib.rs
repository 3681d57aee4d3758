//! Grassroots ledger: every community fact as a signed statement, the
//! store that keeps them, and the community state computed from them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ballot_rules;
pub mod blocklace;
pub mod codec;
pub mod community;
pub mod decision;
pub mod file;
#[cfg(feature = "net")]
pub mod net;
mod parallel;
pub mod payload;
pub mod statement;
pub mod store;
pub mod vote;

pub use community::CommunityState;
pub use payload::{Genesis, Kind, Note, Payload};
pub use statement::{CommunityId, Draft, Statement, StatementError, StatementId};
pub use store::{Store, StoreError};
