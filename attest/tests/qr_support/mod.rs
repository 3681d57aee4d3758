//! Shared helpers for the QR tests: payloads and phone-photo distortions
//! synthesised with `image` and `imageproc`.

#![allow(dead_code)] // each test binary uses a different subset

use image::imageops::{self, FilterType};
use image::{GrayImage, Luma};
use imageproc::geometric_transformations::{rotate_about_center, warp, Interpolation, Projection};
use rand::{Rng, SeedableRng};

pub const WHITE: Luma<u8> = Luma([255]);

/// A deterministic pseudo-random payload of `len` bytes, like a protocol
/// message (keys, nonces and signatures are uniformly random bytes).
pub fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..len).map(|_| rng.gen()).collect()
}

/// The rendered code of a 200-byte payload, and the payload.
pub fn typical_code() -> (GrayImage, Vec<u8>) {
    let p = payload(200, 7);
    let img = attest::qr::to_image(&attest::qr::encode(&p).unwrap());
    (img, p)
}

/// Adds a white margin of `m` pixels on every side.
pub fn pad(img: &GrayImage, m: u32) -> GrayImage {
    let mut out = GrayImage::from_pixel(img.width() + 2 * m, img.height() + 2 * m, WHITE);
    imageops::overlay(&mut out, img, i64::from(m), i64::from(m));
    out
}

/// Rotates by `degrees` about the centre, on a canvas padded so nothing is
/// cut off.
pub fn rotate(img: &GrayImage, degrees: f32) -> GrayImage {
    let padded = pad(img, img.width() / 4);
    rotate_about_center(
        &padded,
        degrees.to_radians(),
        Interpolation::Bilinear,
        WHITE,
    )
}

/// Scales by `factor` (below 1 shrinks) with a triangle filter.
pub fn scale(img: &GrayImage, factor: f32) -> GrayImage {
    let w = (img.width() as f32 * factor).round() as u32;
    let h = (img.height() as f32 * factor).round() as u32;
    imageops::resize(img, w, h, FilterType::Triangle)
}

pub fn blur(img: &GrayImage, sigma: f32) -> GrayImage {
    imageproc::filter::gaussian_blur_f32(img, sigma)
}

/// A perspective warp: the square's top edge is shrunk by `skew` of the
/// width on each side (the phone held below the screen, tilted up).
pub fn skew(img: &GrayImage, skew: f32) -> GrayImage {
    let padded = pad(img, img.width() / 8);
    let (w, h) = (padded.width() as f32, padded.height() as f32);
    let from = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let d = w * skew;
    let to = [(d, h * 0.03), (w - d, 0.0), (w, h), (0.0, h * 0.97)];
    let projection = Projection::from_control_points(from, to).expect("non-degenerate quad");
    warp(&padded, &projection, Interpolation::Bilinear, WHITE)
}

/// Additive Gaussian sensor noise of standard deviation `sigma`.
pub fn noise(img: &GrayImage, sigma: f64, seed: u64) -> GrayImage {
    imageproc::noise::gaussian_noise(img, 0.0, sigma, seed)
}

/// Maps black..white onto `lo..hi` (a washed-out screen photo).
pub fn low_contrast(img: &GrayImage, lo: u8, hi: u8) -> GrayImage {
    let mut out = img.clone();
    let span = f32::from(hi - lo);
    for p in out.iter_mut() {
        *p = lo + (f32::from(*p) / 255.0 * span).round() as u8;
    }
    out
}

/// A 1920×1080 camera frame with a lighting gradient and clutter
/// (rectangles, lines, circles, a checkerboard) and `code` pasted at
/// (`x`, `y`).
pub fn in_cluttered_frame(code: &GrayImage, x: i64, y: i64, seed: u64) -> GrayImage {
    use imageproc::drawing::{
        draw_filled_circle_mut, draw_filled_rect_mut, draw_hollow_rect_mut, draw_line_segment_mut,
    };
    use imageproc::rect::Rect;
    let (w, h) = (1920u32, 1080u32);
    let mut frame = GrayImage::from_fn(w, h, |px, py| {
        Luma([(150 + (px * 60 / w) + (py * 40 / h)) as u8])
    });
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    for _ in 0..40 {
        let (rx, ry) = (rng.gen_range(0..w as i32), rng.gen_range(0..h as i32));
        let (rw, rh) = (rng.gen_range(10..300), rng.gen_range(10..200));
        let shade = Luma([rng.gen_range(0..255)]);
        if rng.gen_bool(0.5) {
            draw_filled_rect_mut(&mut frame, Rect::at(rx, ry).of_size(rw, rh), shade);
        } else {
            draw_hollow_rect_mut(&mut frame, Rect::at(rx, ry).of_size(rw, rh), shade);
        }
    }
    for _ in 0..60 {
        let a = (rng.gen_range(0.0..w as f32), rng.gen_range(0.0..h as f32));
        let b = (rng.gen_range(0.0..w as f32), rng.gen_range(0.0..h as f32));
        draw_line_segment_mut(&mut frame, a, b, Luma([rng.gen_range(0..120)]));
    }
    for _ in 0..20 {
        let c = (rng.gen_range(0..w as i32), rng.gen_range(0..h as i32));
        draw_filled_circle_mut(
            &mut frame,
            c,
            rng.gen_range(5..60),
            Luma([rng.gen_range(0..255)]),
        );
    }
    // A checkerboard (a keyboard, a tiled floor) in one corner.
    for cy in 0..8 {
        for cx in 0..8 {
            if (cx + cy) % 2 == 0 {
                draw_filled_rect_mut(
                    &mut frame,
                    Rect::at(1500 + cx * 40, 700 + cy * 40).of_size(40, 40),
                    Luma([20]),
                );
            }
        }
    }
    imageops::overlay(&mut frame, code, x, y);
    frame
}

/// Encodes `img` as JPEG at `quality` and decodes it again, as a phone does.
pub fn jpeg(img: &GrayImage, quality: u8) -> GrayImage {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(img)
        .unwrap();
    image::load_from_memory(&bytes).unwrap().to_luma8()
}

/// Decodes a grayscale image through the public API.
pub fn decode(img: &GrayImage) -> Result<Vec<u8>, attest::qr::QrError> {
    attest::qr::decode_image(&image::DynamicImage::ImageLuma8(img.clone()))
}
