//! Grassroots ledger: every community fact as a signed statement, the
//! store that keeps them, and the community state computed from them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
pub mod blocklace;
