//! QR codes for the vouching protocol: compact framing, the smallest
//! symbol, renderings for screens and files, and robust reading from
//! photos and (with the `camera` feature) a webcam.
//!
//! # Encoding
//!
//! A protocol message is opaque bytes (two 32-byte keys, nonces, a community
//! id, a 64-byte signature: about 150–250 bytes). [`encode`] frames it as
//!
//! ```text
//! "GR" ‖ '1' ‖ payload ‖ CRC-32(all before)
//! ```
//!
//! and lays it out in **byte mode** in the smallest QR version at
//! error-correction level **M**. A 200-byte payload becomes version 10
//! (57 × 57 modules). The reasons (byte mode beats base45's 8.25 bits per
//! byte; M keeps modules larger than Q under blur; the CRC turns silent
//! Reed–Solomon miscorrections into a clear error) are in the
//! [`frame`](self#framing) and encoder sections below and in `docs/qr.md`.
//!
//! # Framing
//!
//! The magic `GR` and version digit let any reader refuse a foreign code
//! ([`QrError::NotGrassroots`]) or a code from another release
//! ([`QrError::UnsupportedVersion`]) by name; the CRC-32 catches misreads
//! ([`QrError::IntegrityCheckFailed`]). It is no security measure: the
//! protocol's signatures are.
//!
//! # Reading
//!
//! [`decode_image_file`] / [`decode_image`] find the code with `rqrr`
//! (finder patterns, perspective grid, Reed–Solomon) in a 2×-downscaled
//! copy first (fast), then at full size, then with a local-mean threshold,
//! a 2× enlargement of small images and an inverted image, stopping at the
//! first pass that reads a Grassroots code. Rotation, scale, blur, slight
//! perspective skew, noise and clutter around the code are covered by tests.
//!
//! ```
//! use attest::qr;
//! let code = qr::encode(b"an opaque protocol message").unwrap();
//! let png = qr::to_png_bytes(&code);
//! assert_eq!(qr::decode_image_bytes(&png).unwrap(), b"an opaque protocol message");
//! ```

#[cfg(feature = "camera")]
pub mod camera;
mod decode;
mod encode;
mod error;
mod frame;
mod preprocess;
mod render;

pub use decode::{decode_gray, decode_image, decode_image_bytes, decode_image_file, MAX_SIDE};
pub use encode::{encode, version_for_payload_len, QrCode, EC_LEVEL, MAX_PAYLOAD};
pub use error::QrError;
pub use frame::{unwrap as unwrap_frame, wrap as wrap_frame, FORMAT_VERSION, MAGIC, OVERHEAD};
pub use render::{
    to_image, to_png, to_png_bytes, to_svg, to_terminal, to_text, PNG_MODULE_PX, QUIET_ZONE,
};
