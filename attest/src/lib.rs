//! Grassroots attest: the in-person mutual vouching protocol and its QR
//! codes. The protocol is specified in `docs/attest.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod qr;
