//! Grassroots attest: the in-person mutual vouching protocol and its QR
//! codes. The protocol is specified in `docs/attest.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod message;
pub mod protocol;
pub mod qr;
pub mod sas;

pub use message::{Accept, Message, MessageError, Offer};
pub use protocol::{accept, comparison_code, complete, confirm, offer, AttestError};
