//! Grayscale image transforms tried when a first read fails.
//!
//! `rqrr` (a port of quirc) binarises with a running row average: a pixel
//! is dark if it is below 95 % of the mean of roughly the surrounding w/8
//! pixels. That copes with uneven lighting but not with every photo:
//!
//! * **Local-mean threshold** (Bradley–Roth) compares each pixel with the
//!   mean of a square window about 1/12 of the image's short side (≈ a
//!   dozen modules of a code filling a quarter of the frame). Blur spreads
//!   ink into paper symmetrically, so the mean over a square stays between
//!   the two where a long row average, dragged by clutter, does not.
//! * **Doubling** small images (bilinear) gives codes with fewer than about
//!   3 pixels per module finder patterns large enough to be found.
//! * **Box downscale** by 2 averages 2 × 2 pixels: it removes sensor noise
//!   and JPEG speckle that break finder-pattern runs, and halves the work.
//! * **Inversion** reads light-on-dark codes (a plain-text rendering on a
//!   dark terminal theme), which quirc-style detectors do not look for.
//! * **Fit** shrinks very large frames (a 12-megapixel photo) by an integer
//!   factor before anything else, bounding decode time.

use image::GrayImage;

/// Shrinks `img` by the smallest integer factor that makes its longer side
/// at most `max_side` pixels (returned unchanged if it already fits).
pub fn fit_within(img: GrayImage, max_side: u32) -> GrayImage {
    let longest = img.width().max(img.height());
    if longest <= max_side {
        return img;
    }
    downscale(&img, longest.div_ceil(max_side))
}

/// Averages `factor × factor` pixel blocks (a box filter followed by
/// decimation); partial blocks at the right and bottom edges are averaged
/// over the pixels they have.
pub fn downscale(img: &GrayImage, factor: u32) -> GrayImage {
    let factor = factor.max(1);
    let (w, h) = img.dimensions();
    let (nw, nh) = (w.div_ceil(factor).max(1), h.div_ceil(factor).max(1));
    let src = img.as_raw();
    let mut out = Vec::with_capacity(nw as usize * nh as usize);
    for by in 0..nh {
        let y0 = by * factor;
        let y1 = (y0 + factor).min(h);
        for bx in 0..nw {
            let x0 = bx * factor;
            let x1 = (x0 + factor).min(w);
            let mut sum = 0u32;
            for y in y0..y1 {
                let row = &src[(y * w) as usize..][..w as usize];
                sum += row[x0 as usize..x1 as usize]
                    .iter()
                    .map(|&v| u32::from(v))
                    .sum::<u32>();
            }
            let n = (y1 - y0) * (x1 - x0);
            out.push(((sum + n / 2) / n) as u8);
        }
    }
    GrayImage::from_raw(nw, nh, out).expect("buffer has nw × nh pixels")
}

/// Marks each pixel dark if it is more than 10 % below the mean of the
/// `window × window` square around it (Bradley–Roth adaptive threshold,
/// computed in O(1) per pixel from a summed-area table). Returns one `bool`
/// per pixel, row by row.
///
/// Unlike rqrr's running row average, the square window is isotropic and
/// local in both directions, so a blurred code beside dark clutter or under
/// a lighting gradient keeps its finder patterns.
pub fn local_mean_dark(img: &GrayImage, window: u32) -> Vec<bool> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let stride = w + 1;
    // sat[(y + 1) * stride + (x + 1)] = sum of img[0..=y][0..=x].
    let mut sat = vec![0u64; stride * (h + 1)];
    for (y, row) in img.as_raw().chunks_exact(w.max(1)).enumerate().take(h) {
        let mut run = 0u64;
        for (x, &v) in row.iter().enumerate() {
            run += u64::from(v);
            sat[(y + 1) * stride + x + 1] = sat[y * stride + x + 1] + run;
        }
    }
    let r = (window / 2) as usize;
    let src = img.as_raw();
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let sum = sat[y1 * stride + x1] + sat[y0 * stride + x0]
                - sat[y0 * stride + x1]
                - sat[y1 * stride + x0];
            let n = ((y1 - y0) * (x1 - x0)) as u64;
            // v < 0.9 · mean  ⇔  100 · v · n < 90 · sum
            out.push(100 * u64::from(src[y * w + x]) * n < 90 * sum);
        }
    }
    out
}

/// Enlarges by 2 with bilinear interpolation.
pub fn upscale2(img: &GrayImage) -> GrayImage {
    image::imageops::resize(
        img,
        img.width() * 2,
        img.height() * 2,
        image::imageops::FilterType::Triangle,
    )
}

/// Light becomes dark and dark light.
pub fn invert(img: &GrayImage) -> GrayImage {
    let mut out = img.clone();
    for v in out.iter_mut() {
        *v = 255 - *v;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downscale_averages_blocks_and_keeps_edges() {
        let img = GrayImage::from_fn(5, 3, |x, _| image::Luma([(x * 50) as u8]));
        let small = downscale(&img, 2);
        assert_eq!(small.dimensions(), (3, 2));
        assert_eq!(small.get_pixel(0, 0).0[0], 25);
        assert_eq!(small.get_pixel(2, 1).0[0], 200);
    }

    #[test]
    fn fit_within_bounds_the_longer_side() {
        let img = GrayImage::new(4000, 3000);
        let fitted = fit_within(img, 2048);
        assert_eq!(fitted.dimensions(), (2000, 1500));
        assert_eq!(
            fit_within(GrayImage::new(100, 50), 2048).dimensions(),
            (100, 50)
        );
    }

    #[test]
    fn local_mean_marks_ink_under_a_gradient() {
        // A gradient from 40 to 240 with a dark 4 × 4 dot (60 % of the local
        // level) at x = 50 and one at x = 180.
        let img = GrayImage::from_fn(200, 20, |x, y| {
            let level = 40 + x;
            let dot = (8..12).contains(&y) && ((50..54).contains(&x) || (180..184).contains(&x));
            image::Luma([if dot { level * 6 / 10 } else { level } as u8])
        });
        let dark = local_mean_dark(&img, 15);
        let at = |x: usize, y: usize| dark[y * 200 + x];
        assert!(at(51, 9) && at(181, 10));
        assert!(!at(20, 2) && !at(120, 15) && !at(195, 5));
        // A flat image has no ink.
        assert!(
            local_mean_dark(&GrayImage::from_pixel(30, 30, image::Luma([77])), 9)
                .iter()
                .all(|&d| !d)
        );
    }

    #[test]
    fn invert_is_an_involution() {
        let img = GrayImage::from_fn(7, 7, |x, y| image::Luma([(x * 30 + y) as u8]));
        assert_eq!(invert(&invert(&img)), img);
        assert_eq!(invert(&img).get_pixel(1, 0).0[0], 225);
    }
}
