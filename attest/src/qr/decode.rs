//! Reading a Grassroots code back from an image.
//!
//! # Pipeline
//!
//! 1. The image is converted to 8-bit luminance and, if its longer side
//!    exceeds [`MAX_SIDE`], shrunk by an integer factor.
//! 2. `rqrr` locates finder-pattern triples, fits a perspective grid
//!    (which absorbs rotation, scale and moderate skew), samples the
//!    modules and runs Reed–Solomon correction. The first pass reads a 2×
//!    box-downscaled copy (a quarter of the pixels: a 1080p frame decodes in
//!    about half the time, and most codes have modules of 4 px or more);
//!    the second reads the image as it is.
//! 3. Each code read is checked against the Grassroots frame
//!    ([`super::frame`]): magic, version, CRC-32.
//! 4. If no Grassroots code came out, the next *pass* is tried: a
//!    local-mean binarisation, a 2× enlargement of small images, inversion
//!    (see `preprocess`). Each pass is there
//!    because a test in `tests/qr_photo.rs` fails without it; a plain
//!    contrast stretch was tried and dropped, as rqrr's threshold is
//!    already relative to the local brightness.
//!
//! Exactly one Grassroots payload is expected. Foreign codes beside it (a
//! URL on the same poster) are ignored; two *different* Grassroots codes are
//! [`QrError::MultipleCodes`]. When nothing valid is found the most specific
//! failure is reported: integrity failure, then unsupported version, then an
//! unreadable code, then a foreign code, then no code at all.
//!
//! `rqrr` can panic on degenerate finder-pattern groups in real photos
//! (upstream issue #54, an assertion in its perspective fit). A camera frame
//! is untrusted input, so each pass runs under `catch_unwind` and such a
//! panic becomes [`QrError::Unreadable`].

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use image::{DynamicImage, GrayImage};

use super::{frame, preprocess, QrError};

/// Longer side, in pixels, above which an image is shrunk before decoding.
pub const MAX_SIDE: u32 = 2048;

/// Reads the one Grassroots QR code in the image file at `path` (PNG or
/// JPEG) and returns its payload.
///
/// # Errors
/// [`QrError::ImageIo`], [`QrError::NotAnImage`], [`QrError::CorruptImage`]
/// for the file; otherwise as [`decode_image`].
pub fn decode_image_file(path: impl AsRef<Path>) -> Result<Vec<u8>, QrError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| QrError::ImageIo {
        path: path.to_owned(),
        source,
    })?;
    let img = load(&bytes, &path.display().to_string())?;
    decode_image(&img)
}

/// Reads the one Grassroots QR code in encoded image bytes (PNG or JPEG),
/// e.g. the output of [`super::to_png_bytes`].
///
/// # Errors
/// [`QrError::NotAnImage`], [`QrError::CorruptImage`]; otherwise as
/// [`decode_image`].
pub fn decode_image_bytes(bytes: &[u8]) -> Result<Vec<u8>, QrError> {
    decode_image(&load(bytes, "image bytes")?)
}

fn load(bytes: &[u8], what: &str) -> Result<DynamicImage, QrError> {
    let format = image::guess_format(bytes).map_err(|_| QrError::NotAnImage {
        what: what.to_owned(),
    })?;
    image::load_from_memory_with_format(bytes, format).map_err(|e| match e {
        image::ImageError::Unsupported(_) => QrError::NotAnImage {
            what: what.to_owned(),
        },
        other => QrError::CorruptImage {
            what: what.to_owned(),
            format: format!("{format:?}").to_uppercase(),
            reason: other.to_string(),
        },
    })
}

/// Reads the one Grassroots QR code in a decoded image and returns its
/// payload.
///
/// # Errors
/// [`QrError::NoCodeFound`], [`QrError::Unreadable`],
/// [`QrError::NotGrassroots`], [`QrError::UnsupportedVersion`],
/// [`QrError::IntegrityCheckFailed`], [`QrError::MultipleCodes`].
pub fn decode_image(img: &DynamicImage) -> Result<Vec<u8>, QrError> {
    decode_gray(img.to_luma8())
}

/// [`decode_image`] for an 8-bit luminance image.
pub fn decode_gray(gray: GrayImage) -> Result<Vec<u8>, QrError> {
    let base = preprocess::fit_within(gray, MAX_SIDE);
    let mut best = QrError::NoCodeFound;
    for pass in Pass::ALL {
        match read_pass(pass, &base) {
            Ok(payload) => return Ok(payload),
            Err(e @ QrError::MultipleCodes { .. }) => return Err(e),
            Err(e) => {
                if specificity(&e) > specificity(&best) {
                    best = e;
                }
            }
        }
    }
    Err(best)
}

/// One way of presenting the image to the QR reader.
#[derive(Clone, Copy, Debug)]
enum Pass {
    /// The luminance image as it is, binarised by rqrr's own row-wise
    /// running average.
    AsIs,
    /// Binarised against the mean of a square window (blur, gradients and
    /// clutter defeat the row-wise average; see `preprocess`).
    LocalMean,
    /// 2 × 2 box average: sensor noise, JPEG speckle, large codes.
    Halved,
    /// Bilinear 2× enlargement of small images: codes with under ~3 px
    /// per module, whose finder patterns are too small to detect.
    Doubled,
    /// Light-on-dark codes.
    Inverted,
}

impl Pass {
    const ALL: [Pass; 5] = [
        Pass::Halved,
        Pass::AsIs,
        Pass::LocalMean,
        Pass::Doubled,
        Pass::Inverted,
    ];

    /// Runs the pass: every QR code it finds, read and unframed; `None` if
    /// the pass does not apply to an image of this size.
    fn run(self, base: &GrayImage) -> Option<Vec<Result<Vec<u8>, QrError>>> {
        let (w, h) = base.dimensions();
        let short = w.min(h);
        let gray = |img: GrayImage| {
            let mut prepared = rqrr::PreparedImage::prepare(img);
            read_grids(prepared.detect_grids())
        };
        Some(match self {
            Pass::AsIs => gray(base.clone()),
            Pass::LocalMean => {
                let dark = preprocess::local_mean_dark(base, (short / 12).max(15));
                let mut prepared =
                    rqrr::PreparedImage::prepare_from_bitmap(w as usize, h as usize, |x, y| {
                        dark[y * w as usize + x]
                    });
                read_grids(prepared.detect_grids())
            }
            Pass::Halved if short >= 200 => gray(preprocess::downscale(base, 2)),
            Pass::Doubled if w.max(h) <= 1024 => gray(preprocess::upscale2(base)),
            Pass::Inverted => gray(preprocess::invert(base)),
            Pass::Halved | Pass::Doubled => return None,
        })
    }
}

/// Reads and unframes each located grid.
fn read_grids<G: rqrr::BitGrid>(grids: Vec<rqrr::Grid<G>>) -> Vec<Result<Vec<u8>, QrError>> {
    grids
        .iter()
        .map(|grid| {
            let mut raw = Vec::new();
            match grid.decode_to(&mut raw) {
                Ok(_) => frame::unwrap(&raw).map(<[u8]>::to_vec),
                Err(e) => Err(QrError::Unreadable {
                    reason: e.to_string(),
                }),
            }
        })
        .collect()
}

/// Runs one pass (if it applies) and reduces its reads to one payload or
/// the most telling error.
fn read_pass(pass: Pass, base: &GrayImage) -> Result<Vec<u8>, QrError> {
    let outcome = catch_unwind(AssertUnwindSafe(|| pass.run(base)))
        .map_err(|_| QrError::Unreadable {
            reason: "the QR reader gave up on a degenerate finder-pattern group".to_owned(),
        })?
        .unwrap_or_default();

    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut best = QrError::NoCodeFound;
    for result in outcome {
        match result {
            Ok(payload) => {
                if !found.contains(&payload) {
                    found.push(payload);
                }
            }
            Err(e) => {
                if specificity(&e) > specificity(&best) {
                    best = e;
                }
            }
        }
    }
    match found.len() {
        0 => Err(best),
        1 => Ok(found.pop().expect("one element")),
        count => Err(QrError::MultipleCodes { count }),
    }
}

/// How much a decode failure tells the user; the highest is reported.
fn specificity(e: &QrError) -> u8 {
    match e {
        QrError::IntegrityCheckFailed { .. } => 5,
        QrError::UnsupportedVersion { .. } => 4,
        QrError::Unreadable { .. } => 3,
        QrError::NotGrassroots { .. } => 2,
        _ => 1,
    }
}
