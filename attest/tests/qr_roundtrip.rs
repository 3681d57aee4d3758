//! Encode → render → decode round trips, version selection, renderings.

mod qr_support;

use attest::qr::{self, QrError};
use image::{GrayImage, Luma};
use qr_support::{decode, payload};

#[test]
fn png_round_trip_at_several_payload_sizes() {
    for (i, len) in [0usize, 1, 32, 150, 200, 250, 512, 1200]
        .into_iter()
        .enumerate()
    {
        let p = payload(len, i as u64);
        let code = qr::encode(&p).unwrap();
        let png = qr::to_png_bytes(&code);
        assert_eq!(
            qr::decode_image_bytes(&png).unwrap(),
            p,
            "payload of {len} bytes"
        );
    }
}

#[test]
fn png_file_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offer.png");
    let p = payload(200, 1);
    qr::to_png(&qr::encode(&p).unwrap(), &path).unwrap();
    assert_eq!(qr::decode_image_file(&path).unwrap(), p);
}

#[test]
fn typical_payload_uses_version_10_at_level_m() {
    let code = qr::encode(&payload(200, 2)).unwrap();
    assert_eq!(code.version(), 10);
    assert_eq!(code.width(), 57);
    assert_eq!(qr::version_for_payload_len(200), Some(10));
    // The image is quiet zone + symbol at 8 px per module.
    let img = qr::to_image(&code);
    assert_eq!(
        img.width(),
        (57 + 2 * qr::QUIET_ZONE as u32) * qr::PNG_MODULE_PX
    );
}

#[test]
fn chosen_version_is_the_smallest_that_fits() {
    for len in [0usize, 10, 100, 150, 200, 250, 300, 1000] {
        let p = payload(len, 3);
        let v = qr::encode(&p).unwrap().version();
        assert_eq!(Some(v), qr::version_for_payload_len(len), "len {len}");
        if v > 1 {
            // The version below must be too small for the framed payload.
            let framed = len + qr::OVERHEAD;
            let mut bits = qrcode::bits::Bits::new(qrcode::Version::Normal(i16::from(v) - 1));
            let fits = bits.push_byte_data(&vec![0; framed]).is_ok()
                && bits.push_terminator(qr::EC_LEVEL).is_ok();
            assert!(!fits, "len {len} would fit version {}", v - 1);
        }
    }
}

/// Smallest version holding `chars` alphanumeric characters at level M.
fn alphanumeric_version(chars: usize) -> Option<i16> {
    let text = vec![b'A'; chars];
    (1..=40).find(|&v| {
        let mut bits = qrcode::bits::Bits::new(qrcode::Version::Normal(v));
        bits.push_alphanumeric_data(&text).is_ok() && bits.push_terminator(qr::EC_LEVEL).is_ok()
    })
}

/// The design decision in `docs/qr.md`: byte mode is never a larger symbol
/// than base45 text in alphanumeric mode for protocol-sized payloads.
#[test]
fn byte_mode_is_never_larger_than_base45() {
    let mut strictly_smaller = 0;
    for len in 100..=300usize {
        let framed = len + qr::OVERHEAD;
        let base45_chars = framed / 2 * 3 + framed % 2 * 2;
        let byte_v = i16::from(qr::version_for_payload_len(len).unwrap());
        let alnum_v = alphanumeric_version(base45_chars).unwrap();
        assert!(
            byte_v <= alnum_v,
            "len {len}: byte v{byte_v} vs base45 v{alnum_v}"
        );
        strictly_smaller += usize::from(byte_v < alnum_v);
    }
    assert!(strictly_smaller > 0);
}

#[test]
fn largest_payload_fits_version_40_and_one_more_byte_does_not() {
    let code = qr::encode(&payload(qr::MAX_PAYLOAD, 4)).unwrap();
    assert_eq!(code.version(), 40);
    let err = qr::encode(&payload(qr::MAX_PAYLOAD + 1, 4)).unwrap_err();
    assert!(matches!(
        err,
        QrError::PayloadTooLarge { len, max } if len == qr::MAX_PAYLOAD + 1 && max == qr::MAX_PAYLOAD
    ));
    assert_eq!(qr::version_for_payload_len(qr::MAX_PAYLOAD + 1), None);
}

/// Rasterises half-block text (two module rows per character) at 8 px per
/// module, the way a phone sees a terminal.
fn rasterise_half_blocks(text: &str) -> GrayImage {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let cols = lines[0].len();
    assert!(
        lines.iter().all(|l| l.len() == cols),
        "ragged terminal output"
    );
    let px = 8u32;
    let mut img = GrayImage::from_pixel(cols as u32 * px, lines.len() as u32 * 2 * px, Luma([255]));
    for (row, line) in lines.iter().enumerate() {
        for (col, &c) in line.iter().enumerate() {
            let (top, bottom) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected character {other:?}"),
            };
            for (half, dark) in [(0u32, top), (1, bottom)] {
                if dark {
                    for y in 0..px {
                        for x in 0..px {
                            let yy = (row as u32 * 2 + half) * px + y;
                            img.put_pixel(col as u32 * px + x, yy, Luma([0]));
                        }
                    }
                }
            }
        }
    }
    img
}

#[test]
fn plain_text_rendering_scans() {
    let p = payload(200, 5);
    let code = qr::encode(&p).unwrap();
    let text = qr::to_text(&code);
    // Quiet zone on every side: first and last lines and columns are blank.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), (code.width() + 2 * qr::QUIET_ZONE).div_ceil(2));
    assert!(lines[0].chars().all(|c| c == ' '));
    assert!(lines
        .iter()
        .all(|l| l.starts_with("    ") && l.ends_with("    ")));
    assert_eq!(decode(&rasterise_half_blocks(&text)).unwrap(), p);
}

#[test]
fn terminal_rendering_pins_colours_and_scans() {
    let p = payload(180, 6);
    let code = qr::encode(&p).unwrap();
    let term = qr::to_terminal(&code);
    assert!(term
        .lines()
        .all(|l| l.starts_with("\x1b[30;107m") && l.ends_with("\x1b[0m")));
    let stripped = term.replace("\x1b[30;107m", "").replace("\x1b[0m", "");
    assert_eq!(stripped, qr::to_text(&code));
    assert_eq!(decode(&rasterise_half_blocks(&stripped)).unwrap(), p);
}

/// Rasterises the `M{x} {y}h{w}v{h}H{x}V{y}` rectangles the SVG renderer
/// writes, then scans the result.
#[test]
fn svg_rendering_scans() {
    let p = payload(200, 8);
    let code = qr::encode(&p).unwrap();
    let svg = qr::to_svg(&code);
    assert!(svg.contains("<svg") && svg.ends_with("</svg>"));
    let side = (code.width() + 2 * qr::QUIET_ZONE) as u32 * qr::PNG_MODULE_PX;
    assert!(svg.contains(&format!("width=\"{side}\" height=\"{side}\"")));
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut img = GrayImage::from_pixel(side, side, Luma([255]));
    for rect in d.split('M').filter(|s| !s.is_empty()) {
        let nums: Vec<u32> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let (x, y, w, h) = (nums[0], nums[1], nums[2], nums[3]);
        for yy in y..y + h {
            for xx in x..x + w {
                img.put_pixel(xx, yy, Luma([0]));
            }
        }
    }
    assert_eq!(decode(&img).unwrap(), p);
}

#[test]
fn png_output_is_a_real_png_with_a_white_quiet_zone() {
    let code = qr::encode(&payload(200, 9)).unwrap();
    let png = qr::to_png_bytes(&code);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let margin = qr::QUIET_ZONE as u32 * qr::PNG_MODULE_PX;
    for x in 0..img.width() {
        for y in (0..margin).chain(img.height() - margin..img.height()) {
            assert_eq!(img.get_pixel(x, y).0[0], 255);
            assert_eq!(img.get_pixel(y, x).0[0], 255);
        }
    }
    // The top-left finder pattern starts right after the quiet zone.
    assert_eq!(img.get_pixel(margin, margin).0[0], 0);
}
