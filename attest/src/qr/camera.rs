//! Scanning a Grassroots code from a webcam (cargo feature `camera`).
//!
//! Frames come from `nokhwa` (V4L2 on Linux, AVFoundation on macOS, Media
//! Foundation on Windows) at the camera's highest resolution, are converted
//! to luminance by nokhwa's frame decoder (MJPEG or YUYV → 8-bit gray) and go
//! through the same [`decode_gray`] pipeline as image files. Scanning stops
//! at the first frame holding exactly one valid Grassroots code.
//!
//! A person takes a second or two to hold a phone steady, so frames that
//! fail are expected and skipped. When the timeout elapses, the most
//! telling failure seen is returned: a foreign code, a code of another
//! version or a failed integrity check tells the user more than a bare
//! [`QrError::ScanTimeout`], which is returned when no code was ever seen.
//!
//! Building this module on Linux needs the V4L2 headers
//! (`linux-libc-dev`), libclang (bindgen generates the V4L2 bindings) and
//! nasm (nokhwa's MJPEG decoder, mozjpeg, has SIMD assembly):
//! `apt-get install -y libclang-dev nasm`.

use std::time::{Duration, Instant};

use nokhwa::pixel_format::LumaFormat;
use nokhwa::utils::{CameraIndex, RequestedFormat, RequestedFormatType};
use nokhwa::Camera;

use super::{decode_gray, QrError};

/// Scans the first camera (index 0) until a Grassroots code is read or
/// `timeout` elapses, and returns its payload.
///
/// # Errors
/// [`QrError::Camera`] if the camera cannot be opened or read;
/// [`QrError::ScanTimeout`] (or the most telling decode error seen) when
/// the timeout elapses; [`QrError::MultipleCodes`] at once if two different
/// Grassroots codes are in view.
pub fn scan(timeout: Duration) -> Result<Vec<u8>, QrError> {
    scan_camera(0, timeout)
}

/// [`scan`] with the camera at `index` (as numbered by the OS, e.g.
/// `/dev/video<index>` on Linux).
///
/// # Errors
/// As [`scan`].
pub fn scan_camera(index: u32, timeout: Duration) -> Result<Vec<u8>, QrError> {
    let camera_error = |e: nokhwa::NokhwaError| QrError::Camera {
        reason: e.to_string(),
    };
    let requested =
        RequestedFormat::new::<LumaFormat>(RequestedFormatType::AbsoluteHighestResolution);
    let mut camera = Camera::new(CameraIndex::Index(index), requested).map_err(camera_error)?;
    camera.open_stream().map_err(camera_error)?;

    let start = Instant::now();
    let mut frames = 0u64;
    let mut telling: Option<QrError> = None;
    let result = loop {
        if start.elapsed() >= timeout {
            break Err(telling.unwrap_or(QrError::ScanTimeout {
                seconds: timeout.as_secs_f64(),
                frames,
            }));
        }
        let frame = match camera.frame() {
            Ok(frame) => frame,
            Err(e) => break Err(camera_error(e)),
        };
        frames += 1;
        let gray = match frame.decode_image::<LumaFormat>() {
            Ok(gray) => gray,
            // One garbled MJPEG frame is no reason to give up.
            Err(_) => continue,
        };
        match decode_gray(gray) {
            Ok(payload) => break Ok(payload),
            Err(e @ QrError::MultipleCodes { .. }) => break Err(e),
            Err(
                e @ (QrError::NotGrassroots { .. }
                | QrError::UnsupportedVersion { .. }
                | QrError::IntegrityCheckFailed { .. }),
            ) => telling = Some(e),
            // No code in view, or not yet sharp enough: next frame.
            Err(_) => {}
        }
    };
    // Releasing the device is best effort: the result is already decided.
    let _ = camera.stop_stream();
    result
}
