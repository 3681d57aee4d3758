//! QR layer throughput: encode + decode round trips of a typical 200-byte
//! protocol message, and decoding a code inside a 1920×1080 camera frame.
//!
//! Run: `cargo bench -p attest --bench qr`

use std::hint::black_box;

use attest::qr;
use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../tests/qr_support/mod.rs"]
mod qr_support;

fn round_trip(c: &mut Criterion) {
    let p = qr_support::payload(200, 1);
    c.bench_function("encode 200 B", |b| {
        b.iter(|| qr::encode(black_box(&p)).unwrap())
    });
    c.bench_function(
        "round trip 200 B (encode, render 8 px/module, decode)",
        |b| {
            b.iter(|| {
                let img = qr::to_image(&qr::encode(black_box(&p)).unwrap());
                assert_eq!(qr::decode_gray(img).unwrap(), p);
            })
        },
    );
    c.bench_function("round trip 200 B via PNG bytes", |b| {
        b.iter(|| {
            let png = qr::to_png_bytes(&qr::encode(black_box(&p)).unwrap());
            assert_eq!(qr::decode_image_bytes(&png).unwrap(), p);
        })
    });
}

fn full_hd(c: &mut Criterion) {
    use qr_support::*;
    let (code, p) = typical_code();
    let clean = in_cluttered_frame(&code, 700, 300, 11);
    let photo = {
        let tilted = skew(&rotate(&scale(&code, 0.7), 17.0), 0.08);
        let frame = in_cluttered_frame(&tilted, 900, 250, 12);
        low_contrast(&noise(&blur(&frame, 1.5), 10.0, 2), 40, 210)
    };
    let empty = in_cluttered_frame(&image::GrayImage::new(1, 1), 0, 0, 30);
    c.bench_function("decode 1920x1080 frame, code in clutter", |b| {
        b.iter(|| assert_eq!(qr::decode_gray(black_box(clean.clone())).unwrap(), p))
    });
    c.bench_function(
        "decode 1920x1080 frame, rotated+skewed+blurred+noisy",
        |b| b.iter(|| assert_eq!(qr::decode_gray(black_box(photo.clone())).unwrap(), p)),
    );
    c.bench_function("decode 1920x1080 frame, no code (all passes)", |b| {
        b.iter(|| assert!(qr::decode_gray(black_box(empty.clone())).is_err()))
    });
}

criterion_group!(
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = round_trip, full_hd
);
criterion_main!(benches);
