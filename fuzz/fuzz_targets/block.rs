#![no_main]
//! Fuzz target `block`: see `tests::fuzz_checks::check_block` for the
//! decoders it drives and the properties it asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz_checks::check_block(data));
