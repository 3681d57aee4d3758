//! End-to-end tests across the Grassroots crates live in `tests/tests/`.
//! This library is empty on purpose: the crate exists to hold those tests.
