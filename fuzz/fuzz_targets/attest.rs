#![no_main]
//! Fuzz target `attest`: see `tests::fuzz_checks::check_attest` for the
//! decoders it drives and the properties it asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz_checks::check_attest(data));
