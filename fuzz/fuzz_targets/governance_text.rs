#![no_main]
//! Fuzz target `governance_text`: see `tests::fuzz_checks::check_governance_text` for the
//! decoders it drives and the properties it asserts.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzz_checks::check_governance_text(data));
