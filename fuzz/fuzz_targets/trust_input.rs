#![no_main]
//! Fuzz target `trust_input`: see `tests::fuzz_checks::check_trust_input` for the
//! decoders it drives and the properties it asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz_checks::check_trust_input(data));
