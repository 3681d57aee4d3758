//! Rendering a [`QrCode`] for people and phones: terminal text, PNG, SVG.
//!
//! Every rendering keeps the 4-module **quiet zone** (light margin) that
//! ISO/IEC 18004 requires; without it readers fail to find the finder
//! patterns against a dark terminal or page background.
//!
//! Terminal output packs two module rows into one character cell with the
//! Unicode half blocks `▀ ▄ █` and space, so the square symbol keeps its
//! aspect ratio in a typical 1:2 terminal cell. [`to_terminal`] pins the
//! colours with ANSI escapes (black ink on bright white), so the code reads
//! the same on dark and light terminal themes; [`to_text`] is the plain
//! variant (dark modules are ink) for files and light backgrounds.

use std::path::Path;

use image::{GrayImage, ImageFormat, Luma};

use super::{QrCode, QrError};

/// Light margin around the symbol, in modules.
pub const QUIET_ZONE: usize = 4;

/// Pixels per module in PNG output: a version-10 code becomes a 520 × 520 px
/// image, large enough for any phone at arm's length.
pub const PNG_MODULE_PX: u32 = 8;

/// ANSI: black foreground on bright-white background.
const ANSI_INK_ON_PAPER: &str = "\x1b[30;107m";
/// ANSI: reset attributes.
const ANSI_RESET: &str = "\x1b[0m";

/// Renders the code for a terminal, with ANSI colours fixed to black on
/// white so that it scans on dark and light themes alike. One line per two
/// module rows, quiet zone included, each line ending in `\n`.
pub fn to_terminal(code: &QrCode) -> String {
    half_blocks(code, Some((ANSI_INK_ON_PAPER, ANSI_RESET)))
}

/// Renders the code as plain Unicode half blocks with dark modules as ink
/// (no escape codes): for files, or terminals with a light background.
pub fn to_text(code: &QrCode) -> String {
    half_blocks(code, None)
}

fn half_blocks(code: &QrCode, colours: Option<(&str, &str)>) -> String {
    let side = code.width() + 2 * QUIET_ZONE;
    // Module at padded coordinates (px, py); the quiet zone is light.
    let dark = |px: usize, py: usize| {
        px >= QUIET_ZONE && py >= QUIET_ZONE && code.is_dark(px - QUIET_ZONE, py - QUIET_ZONE)
    };
    let mut out = String::with_capacity((side * 3 + 16) * side.div_ceil(2));
    for py in (0..side).step_by(2) {
        if let Some((on, _)) = colours {
            out.push_str(on);
        }
        for px in 0..side {
            out.push(match (dark(px, py), py + 1 < side && dark(px, py + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if let Some((_, off)) = colours {
            out.push_str(off);
        }
        out.push('\n');
    }
    out
}

/// Renders the code as a grayscale image, [`PNG_MODULE_PX`] pixels per
/// module, quiet zone included.
pub fn to_image(code: &QrCode) -> GrayImage {
    code.inner()
        .render::<Luma<u8>>()
        .quiet_zone(true)
        .module_dimensions(PNG_MODULE_PX, PNG_MODULE_PX)
        .build()
}

/// Renders the code as PNG file contents.
pub fn to_png_bytes(code: &QrCode) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    to_image(code)
        .write_to(&mut out, ImageFormat::Png)
        .expect("PNG encoding into memory cannot fail for a valid grayscale image");
    out.into_inner()
}

/// Writes the code as a PNG file at `path`.
///
/// # Errors
/// [`QrError::Write`] if the file cannot be written.
pub fn to_png(code: &QrCode, path: impl AsRef<Path>) -> Result<(), QrError> {
    let path = path.as_ref();
    std::fs::write(path, to_png_bytes(code)).map_err(|e| QrError::Write {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// Renders the code as a standalone SVG document (one `<path>` of dark
/// modules on a white rectangle, quiet zone included). Its user units are
/// [`PNG_MODULE_PX`] per module, like the PNG; it scales to any size.
pub fn to_svg(code: &QrCode) -> String {
    code.inner()
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(PNG_MODULE_PX, PNG_MODULE_PX)
        .build()
}
