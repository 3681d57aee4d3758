#![no_main]
//! Fuzz target `certificate`: see `tests::fuzz_checks::check_certificate`
//! for the decoder it drives and the properties it asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz_checks::check_certificate(data));
