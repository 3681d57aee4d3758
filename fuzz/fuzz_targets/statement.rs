#![no_main]
//! Fuzz target `statement`: see `tests::fuzz_checks::check_statement` for the
//! decoders it drives and the properties it asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz_checks::check_statement(data));
