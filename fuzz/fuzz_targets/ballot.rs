#![no_main]
//! Fuzz target `ballot`: see `tests::fuzz_checks::check_ballot` for the
//! decoders it drives and the properties it asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz_checks::check_ballot(data));
