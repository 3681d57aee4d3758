//! Phone-photo-like distortions, synthesised: every one must still decode.

mod qr_support;

use qr_support::*;

fn assert_reads(img: &image::GrayImage, expected: &[u8], what: &str) {
    match decode(img) {
        Ok(p) => assert_eq!(p, expected, "{what}: wrong payload"),
        Err(e) => panic!("{what}: {e}"),
    }
}

#[test]
fn rotated_5_to_90_degrees() {
    let (code, p) = typical_code();
    for deg in [5.0, 12.0, 30.0, 45.0, 60.0, 90.0, 135.0, 200.0] {
        assert_reads(&rotate(&code, deg), &p, &format!("rotated {deg}°"));
    }
}

#[test]
fn scaled_down_three_times() {
    let (code, p) = typical_code();
    // 520 px → 173 px: 2.7 px per module.
    assert_reads(&scale(&code, 1.0 / 3.0), &p, "scaled 1/3");
    assert_reads(&scale(&code, 2.5), &p, "scaled 2.5×");
}

#[test]
fn gaussian_blur() {
    let (code, p) = typical_code();
    for sigma in [1.0, 2.0, 3.0] {
        assert_reads(
            &blur(&code, sigma),
            &p,
            &format!("blur σ={sigma} px (8 px modules)"),
        );
    }
}

#[test]
fn perspective_skew() {
    let (code, p) = typical_code();
    for s in [0.05, 0.1, 0.15] {
        assert_reads(&skew(&code, s), &p, &format!("skew {s}"));
    }
}

#[test]
fn sensor_noise_and_jpeg() {
    let (code, p) = typical_code();
    assert_reads(&noise(&code, 25.0, 1), &p, "noise σ=25");
    assert_reads(&jpeg(&code, 40), &p, "JPEG q=40");
}

#[test]
fn low_contrast() {
    let (code, p) = typical_code();
    assert_reads(
        &qr_support::low_contrast(&code, 90, 160),
        &p,
        "contrast 90..160",
    );
    assert_reads(
        &qr_support::low_contrast(&code, 180, 230),
        &p,
        "contrast 180..230",
    );
}

#[test]
fn inverted_light_on_dark() {
    let (code, p) = typical_code();
    let mut inv = code.clone();
    image::imageops::invert(&mut inv);
    assert_reads(&inv, &p, "inverted");
}

#[test]
fn in_a_cluttered_full_hd_frame() {
    let (code, p) = typical_code();
    let frame = in_cluttered_frame(&code, 700, 300, 11);
    assert_reads(&frame, &p, "1920×1080 with clutter");
}

/// Everything at once, as a real photo of a phone screen: tilted,
/// rotated, in clutter, blurred, noisy, washed out, saved as JPEG
/// (8 px per module, a code filling half the frame height; blur σ = 1.2 px, noise σ = 6, contrast 40–210).
#[test]
fn combined_phone_photo() {
    let (code, p) = typical_code();
    let tilted = skew(&rotate(&code, 17.0), 0.08);
    let frame = in_cluttered_frame(&tilted, 900, 150, 12);
    let photo = jpeg(
        &qr_support::low_contrast(&noise(&blur(&frame, 1.2), 6.0, 2), 40, 210),
        80,
    );
    assert_reads(&photo, &p, "combined");
    // Also through a file, as the CLI reads it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.jpg");
    photo.save(&path).unwrap();
    assert_eq!(attest::qr::decode_image_file(&path).unwrap(), p);
}

#[test]
fn very_large_photo_is_shrunk_and_read() {
    let (code, p) = typical_code();
    // A 12-megapixel photo with the code filling a third of it.
    let big = scale(&code, 3.0);
    let mut frame = image::GrayImage::from_pixel(4000, 3000, WHITE);
    image::imageops::overlay(&mut frame, &blur(&big, 3.0), 1200, 700);
    assert_reads(&frame, &p, "4000×3000");
}
