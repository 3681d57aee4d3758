#![no_main]
//! Fuzz target `statement_file`: see `tests::fuzz_checks::check_statement_file` for the
//! decoders it drives and the properties it asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz_checks::check_statement_file(data));
