//! Grassroots ledger: every community fact as a signed statement, the
//! store that keeps them, and the blocklace that orders them across the
//! members' devices. What the ordered statements *mean* — the community's
//! state — is applied above this crate, by the `community` crate.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod blocklace;
pub mod certify;
pub mod codec;
pub mod dag;
pub mod file;
#[cfg(feature = "net")]
pub mod net;
mod parallel;
pub mod payload;
pub mod statement;
pub mod store;

pub use payload::{Genesis, Kind, Note, ParentCitation, Payload};
pub use statement::{CommunityId, Draft, Statement, StatementError, StatementId};
pub use store::{Store, StoreError};
