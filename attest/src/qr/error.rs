//! The one error type of the QR layer.

use std::path::PathBuf;

/// Everything that can go wrong while encoding, rendering, reading or
/// scanning a Grassroots QR code. Each variant names one cause, so a caller
/// (and the person holding the phone) learns what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// The payload does not fit the largest QR code (version 40) at the
    /// error-correction level this layer uses.
    #[error(
        "payload of {len} bytes is too large for a QR code: at most {max} bytes fit \
         (version 40, error correction M)"
    )]
    PayloadTooLarge {
        /// Length of the payload that was refused.
        len: usize,
        /// Largest payload that fits.
        max: usize,
    },

    /// No QR code (no three finder patterns forming a grid) was found. A
    /// code cut off by the image edge is reported this way too: the reader
    /// cannot fit a grid to part of a code.
    #[error(
        "no QR code found in the image: make sure the whole code, with its white \
         margin, is in view and in focus"
    )]
    NoCodeFound,

    /// A QR code was located but its modules could not be read back:
    /// damaged, partly cropped, too blurry, or too many errors for its
    /// Reed–Solomon code to correct.
    #[error("QR code found but unreadable (damaged, cropped or too blurry): {reason}")]
    Unreadable {
        /// What the decoder reported.
        reason: String,
    },

    /// A QR code was read, but it is not a Grassroots code (for example a URL).
    #[error("not a Grassroots QR code: it holds {preview}")]
    NotGrassroots {
        /// A short, printable preview of what the code holds.
        preview: String,
    },

    /// A Grassroots code of a format version this build does not read.
    #[error(
        "Grassroots QR code of unsupported format version '{found}' \
         (this build reads version '{supported}'): update the program"
    )]
    UnsupportedVersion {
        /// Version character found in the code.
        found: char,
        /// Version character this build reads.
        supported: char,
    },

    /// The code was read but its CRC-32 does not match its contents: a
    /// misread that Reed–Solomon did not catch, or a forged code.
    #[error(
        "Grassroots QR code failed its integrity check (stored CRC-32 {stored:08x}, \
         computed {computed:08x}): rescan it"
    )]
    IntegrityCheckFailed {
        /// Checksum carried by the code.
        stored: u32,
        /// Checksum of what was read.
        computed: u32,
    },

    /// More than one different Grassroots code is visible.
    #[error("{count} different Grassroots QR codes in the image: show exactly one")]
    MultipleCodes {
        /// Number of distinct Grassroots payloads found.
        count: usize,
    },

    /// The image file could not be read from disk.
    #[error("cannot read image file {}: {source}", path.display())]
    ImageIo {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// The bytes are not in any image format this build reads (PNG, JPEG).
    #[error("{what} is not an image (PNG or JPEG expected)")]
    NotAnImage {
        /// The file path, or "image bytes" when decoding from memory.
        what: String,
    },

    /// The bytes start like an image but do not decode (e.g. a truncated PNG).
    #[error("{what} is a damaged or truncated {format} image: {reason}")]
    CorruptImage {
        /// The file path, or "image bytes" when decoding from memory.
        what: String,
        /// Detected image format.
        format: String,
        /// What the image decoder reported.
        reason: String,
    },

    /// Writing a rendered code failed.
    #[error("cannot write QR code image {}: {reason}", path.display())]
    Write {
        /// Destination file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },

    /// The webcam could not be opened or read (`camera` feature only).
    #[error("camera error: {reason}")]
    Camera {
        /// What the camera backend reported.
        reason: String,
    },

    /// No Grassroots code was read from the webcam before the timeout
    /// (`camera` feature only).
    #[error("no Grassroots QR code scanned within {seconds:.1} s ({frames} frames read)")]
    ScanTimeout {
        /// Timeout that elapsed, in seconds.
        seconds: f64,
        /// Number of frames that were examined.
        frames: u64,
    },
}
