#![no_main]
//! Fuzz target `attest`: see `tests::fuzz_checks::check_attest` for the
//! decoders it drives and the properties it asserts.
//!
//! The QR reader (`rqrr`) panics on some degenerate images (a perspective
//! mapped outside `i32`); `attest::qr::decode` runs each pass under
//! `catch_unwind` and reports such an image as unreadable. libFuzzer's
//! panic hook would abort at the panic itself, before that catch, so the
//! target restores the default hook once: a panic the decoder catches is
//! then no crash, and one that escapes the check still reaches
//! libfuzzer-sys, which aborts on it and reports the input.

static DEFAULT_HOOK: std::sync::Once = std::sync::Once::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    DEFAULT_HOOK.call_once(|| drop(std::panic::take_hook()));
    tests::fuzz_checks::check_attest(data)
});
