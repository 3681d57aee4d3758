//! Payload → smallest QR symbol at error-correction level M.
//!
//! The framed payload (see [`super::frame`]) is handed to the `qrcode`
//! crate's segment optimiser, which for binary data chooses **byte mode**
//! (8 bits per byte, plus a 4-bit mode indicator and an 8- or 16-bit
//! length), switching to numeric or alphanumeric segments only where a run
//! of digits or upper-case letters makes that shorter. The smallest version
//! 1–40 whose data capacity holds the bit stream is used.
//!
//! # Why not base45 / alphanumeric mode
//!
//! Alphanumeric mode packs two characters from a 45-symbol alphabet into 11
//! bits. Base45 (RFC 9285) turns 2 bytes into 3 such characters, so n bytes
//! cost 16.5 bits per 2 bytes = **8.25 bits per byte**, 3 % *more* than byte
//! mode's 8. Base45 exists to carry binary data through text-only channels
//! (it is what EU COVID certificates use), not to shrink it. For the
//! 150–250-byte payloads of the vouching protocol byte mode is never worse
//! and is sometimes a version smaller; `tests/qr_roundtrip.rs` checks this
//! for every size from 100 to 300 bytes and the benchmark prints the table.
//!
//! # Why error-correction level M
//!
//! Level M restores up to ~15 % of damaged codewords, Q ~25 %. A phone
//! photographing a screen mostly suffers *blur*, moiré and glare. Blur
//! hurts in proportion to module size, and at a fixed screen size a larger
//! version has smaller modules: a 207-byte frame needs version 10
//! (57 × 57 modules) at M but version 13 (69 × 69) at Q — modules 17 % smaller
//! under the same blur. The CRC in the frame catches what slips past, and a
//! failed read costs only another frame. Hence M.

use qrcode::{EcLevel, Version};

use super::{frame, QrError};

/// Error-correction level of every Grassroots QR code.
pub const EC_LEVEL: EcLevel = EcLevel::M;

/// Largest framed message (bytes, byte mode) that fits version 40 at level M.
const MAX_FRAME_BYTES: usize = 2331;

/// Largest payload [`encode`] accepts, in bytes.
pub const MAX_PAYLOAD: usize = MAX_FRAME_BYTES - frame::OVERHEAD;

/// A Grassroots QR code: the framed payload laid out as a module matrix,
/// ready to render.
#[derive(Clone)]
pub struct QrCode {
    inner: qrcode::QrCode,
}

impl std::fmt::Debug for QrCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrCode")
            .field("version", &self.version())
            .field("width", &self.width())
            .finish()
    }
}

impl QrCode {
    /// QR version, 1 to 40 (the symbol is `17 + 4·version` modules wide).
    pub fn version(&self) -> u8 {
        match self.inner.version() {
            // encode_auto only chooses normal versions, 1..=40.
            Version::Normal(v) | Version::Micro(v) => v as u8,
        }
    }

    /// Width (= height) of the symbol in modules, without the quiet zone.
    pub fn width(&self) -> usize {
        self.inner.width()
    }

    /// Whether the module at column `x`, row `y` is dark. Out-of-range
    /// coordinates are light (the quiet zone).
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width() && y < self.width() && self.inner[(x, y)] == qrcode::Color::Dark
    }

    pub(super) fn inner(&self) -> &qrcode::QrCode {
        &self.inner
    }
}

/// Encodes opaque protocol bytes as the smallest Grassroots QR code at
/// error-correction level M.
///
/// The payload is framed with magic `GR`, format version `1` and a CRC-32
/// (seven bytes in all) so readers refuse foreign codes and catch misreads.
///
/// # Errors
/// [`QrError::PayloadTooLarge`] if the framed payload exceeds version 40.
pub fn encode(payload: &[u8]) -> Result<QrCode, QrError> {
    let too_large = || QrError::PayloadTooLarge {
        len: payload.len(),
        max: MAX_PAYLOAD,
    };
    if payload.len() > MAX_PAYLOAD {
        return Err(too_large());
    }
    let framed = frame::wrap(payload);
    // For normal versions chosen by the encoder itself, the only failure
    // is `DataTooLong` (the optimiser found no version that fits).
    let inner =
        qrcode::QrCode::with_error_correction_level(&framed, EC_LEVEL).map_err(|_| too_large())?;
    Ok(QrCode { inner })
}

/// The smallest QR version (at level M) that holds a payload of `len`
/// bytes, or `None` if none does.
pub fn version_for_payload_len(len: usize) -> Option<u8> {
    if len > MAX_PAYLOAD {
        return None;
    }
    // Worst case for the segment optimiser: bytes that never form digit or
    // alphanumeric runs, i.e. pure byte mode.
    let framed = len + frame::OVERHEAD;
    (1..=40u8).find(|&v| byte_mode_fits(framed, v))
}

/// Whether `bytes` bytes in one byte-mode segment fit version `v` at level M.
fn byte_mode_fits(bytes: usize, v: u8) -> bool {
    let mut bits = qrcode::bits::Bits::new(Version::Normal(i16::from(v)));
    // Content is irrelevant to the length: only the count is.
    bits.push_byte_data(&vec![0xA5; bytes]).is_ok() && bits.push_terminator(EC_LEVEL).is_ok()
}
