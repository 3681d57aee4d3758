//! Every way reading a QR image can fail has its own error.

mod qr_support;

use attest::qr::{self, QrError};
use image::{GrayImage, Luma};
use qr_support::*;

/// An image of an arbitrary QR code holding `raw` bytes, not framed by us.
fn foreign_code(raw: &[u8]) -> GrayImage {
    qrcode::QrCode::with_error_correction_level(raw, qrcode::EcLevel::M)
        .unwrap()
        .render::<Luma<u8>>()
        .module_dimensions(8, 8)
        .build()
}

/// A module matrix image of `code` with every module in rows `rows` and
/// columns `cols` inverted.
fn with_flipped_modules(
    code: &qr::QrCode,
    rows: std::ops::RangeInclusive<usize>,
    cols: std::ops::RangeInclusive<usize>,
) -> GrayImage {
    let (q, px) = (qr::QUIET_ZONE, 8usize);
    let side = (code.width() + 2 * q) * px;
    GrayImage::from_fn(side as u32, side as u32, |x, y| {
        let (mx, my) = (x as usize / px, y as usize / px);
        if mx < q || my < q {
            return Luma([255]);
        }
        let (mx, my) = (mx - q, my - q);
        let dark = code.is_dark(mx, my) ^ (rows.contains(&my) && cols.contains(&mx));
        Luma([if dark { 0 } else { 255 }])
    })
}

#[test]
fn few_flipped_modules_are_corrected() {
    let p = payload(200, 20);
    let code = qr::encode(&p).unwrap();
    // 3 × 8 modules ≈ 3 codewords: well inside level M's capacity.
    let img = with_flipped_modules(&code, 10..=12, 20..=27);
    assert_eq!(decode(&img).unwrap(), p);
}

#[test]
fn modules_flipped_beyond_reed_solomon_capacity_are_unreadable() {
    let code = qr::encode(&payload(200, 21)).unwrap();
    // Version 10: rows 9–24, columns 9–47 hold only data modules (the
    // alignment patterns sit at rows/columns 6, 28, 50). 624 inverted
    // modules ≈ 78 codewords, far above the 26·5/2 that level M corrects.
    let img = with_flipped_modules(&code, 9..=24, 9..=47);
    let err = decode(&img).unwrap_err();
    assert!(matches!(err, QrError::Unreadable { .. }), "{err:?}");
    assert!(err.to_string().contains("unreadable"));
}

/// Rotated 45°, the corner without a finder pattern points down; a photo
/// cut off at the bottom loses it first.
fn cropped(code: &GrayImage, keep_percent: u32) -> GrayImage {
    let rotated = rotate(code, 45.0);
    let keep = rotated.height() * keep_percent / 100;
    image::imageops::crop_imm(&rotated, 0, 0, rotated.width(), keep).to_image()
}

#[test]
fn slightly_cropped_code_is_restored_by_reed_solomon() {
    let (code, p) = typical_code();
    assert_eq!(decode(&cropped(&code, 88)).unwrap(), p);
}

#[test]
fn badly_cropped_code_is_not_found_and_says_so() {
    let (code, _) = typical_code();
    // Cut through the data area with all three finders visible, and cut
    // through a finder pattern: either way the reader cannot fit a grid.
    let cut_data = cropped(&code, 70);
    let cut_finder =
        image::imageops::crop_imm(&code, 0, 0, code.width() * 3 / 4, code.height()).to_image();
    for img in [cut_data, cut_finder] {
        let err = decode(&img).unwrap_err();
        assert!(matches!(err, QrError::NoCodeFound), "{err:?}");
        assert!(err.to_string().contains("whole code"), "{err}");
    }
}

#[test]
fn url_code_is_not_grassroots() {
    let err = decode(&foreign_code(b"https://example.org/join?ref=42")).unwrap_err();
    match &err {
        QrError::NotGrassroots { preview } => {
            assert!(preview.contains("https://example.org/join?ref=42"))
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().starts_with("not a Grassroots QR code"));
}

#[test]
fn other_format_version_is_unsupported() {
    let mut raw = b"GR2".to_vec();
    raw.extend_from_slice(&payload(100, 22));
    let err = decode(&foreign_code(&raw)).unwrap_err();
    assert!(
        matches!(
            err,
            QrError::UnsupportedVersion {
                found: '2',
                supported: '1'
            }
        ),
        "{err:?}"
    );
}

#[test]
fn wrong_checksum_fails_the_integrity_check() {
    // A well-formed QR code whose Grassroots frame has a bad CRC: what a
    // Reed–Solomon miscorrection would look like.
    let mut raw = b"GR1".to_vec();
    raw.extend_from_slice(&payload(200, 23));
    let crc = crc32fast::hash(&raw) ^ 0x0000_0100;
    raw.extend_from_slice(&crc.to_be_bytes());
    let err = decode(&foreign_code(&raw)).unwrap_err();
    assert!(
        matches!(err, QrError::IntegrityCheckFailed { .. }),
        "{err:?}"
    );
}

#[test]
fn image_without_a_code() {
    for (w, h) in [(0, 0), (1, 1), (3, 500), (640, 480)] {
        let img = GrayImage::from_pixel(w, h, WHITE);
        assert!(matches!(decode(&img), Err(QrError::NoCodeFound)), "{w}×{h}");
    }
    let clutter = in_cluttered_frame(&GrayImage::from_pixel(1, 1, WHITE), 0, 0, 30);
    assert!(matches!(decode(&clutter), Err(QrError::NoCodeFound)));
}

#[test]
fn two_grassroots_codes_are_refused_but_a_url_beside_one_is_ignored() {
    let a = payload(200, 24);
    let b = payload(200, 25);
    let img_a = qr::to_image(&qr::encode(&a).unwrap());
    let img_b = qr::to_image(&qr::encode(&b).unwrap());
    let mut two = GrayImage::from_pixel(1200, 600, WHITE);
    image::imageops::overlay(&mut two, &img_a, 20, 20);
    image::imageops::overlay(&mut two, &img_b, 640, 20);
    assert!(matches!(
        decode(&two),
        Err(QrError::MultipleCodes { count: 2 })
    ));

    let mut with_url = GrayImage::from_pixel(1200, 600, WHITE);
    image::imageops::overlay(&mut with_url, &img_a, 20, 20);
    image::imageops::overlay(
        &mut with_url,
        &foreign_code(b"https://example.org"),
        700,
        40,
    );
    assert_eq!(decode(&with_url).unwrap(), a);
}

#[test]
fn truncated_png_is_a_corrupt_image() {
    let png = qr::to_png_bytes(&qr::encode(&payload(200, 26)).unwrap());
    let half = &png[..png.len() / 2];
    let err = qr::decode_image_bytes(half).unwrap_err();
    assert!(
        matches!(&err, QrError::CorruptImage { format, .. } if format == "PNG"),
        "{err:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.png");
    std::fs::write(&path, half).unwrap();
    let err = qr::decode_image_file(&path).unwrap_err();
    assert!(
        matches!(&err, QrError::CorruptImage { what, .. } if what.ends_with("cut.png")),
        "{err:?}"
    );
}

#[test]
fn not_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.png");
    std::fs::write(&path, "these are notes, not pixels\n").unwrap();
    let err = qr::decode_image_file(&path).unwrap_err();
    assert!(matches!(&err, QrError::NotAnImage { .. }), "{err:?}");
    assert!(err.to_string().contains("notes.png"));
    assert!(matches!(
        qr::decode_image_bytes(b""),
        Err(QrError::NotAnImage { .. })
    ));
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = qr::decode_image_file(dir.path().join("absent.png")).unwrap_err();
    assert!(
        matches!(&err, QrError::ImageIo { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    );
}

/// An image found by fuzzing (`fuzz/corpus/attest/regression-rqrr-perspective-overflow`,
/// a 58-pixel-wide grey image) on which the QR reader's perspective fit maps
/// outside `i32` and its assertion panics: the decoder reports the image as
/// unreadable instead of panicking.
#[test]
fn an_image_that_breaks_the_readers_perspective_is_unreadable_not_a_panic() {
    let data = include_bytes!("../../fuzz/corpus/attest/regression-rqrr-perspective-overflow");
    // As `tests::fuzz_checks::check_attest` selector 2 builds it.
    let (&w, pixels) = data[1..].split_first().unwrap();
    let width = (w % 64) as usize + 1;
    let height = pixels.len() / width;
    let img = image::GrayImage::from_raw(
        width as u32,
        height as u32,
        pixels[..width * height].to_vec(),
    )
    .unwrap();
    let read = std::panic::catch_unwind(|| attest::qr::decode_gray(img));
    let err = read
        .expect("the decoder does not panic")
        .unwrap_err()
        .to_string();
    assert!(err.contains("degenerate"), "{err}");
}
