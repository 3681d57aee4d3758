//! Small discrete logarithms by baby-step giant-step.
//!
//! Decryption yields `v·G`; tallies are small (at most ballots × slot
//! maximum), so `v` is found in `O(√bound)` group operations: a table of
//! `j·G` for `j < w` (the baby steps) and giant steps `v·G − i·w·G`. The table
//! is capped at 2²² entries; larger bounds take proportionally more giant
//! steps. Public values only, so variable time is fine.

use std::collections::HashMap;

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

const MAX_TABLE: u64 = 1 << 22;

/// Finds `v ∈ 0..=bound` with `v·G = target`, if there is one.
pub fn small_dlog(target: &RistrettoPoint, bound: u64) -> Option<u64> {
    let width = ((bound as f64).sqrt() as u64 + 1).clamp(1, MAX_TABLE);
    let mut table = HashMap::with_capacity(width as usize);
    let mut p = RistrettoPoint::identity();
    for j in 0..width {
        table.entry(p.compress().to_bytes()).or_insert(j);
        p += G;
    }
    let giant = Scalar::from(width) * G;
    let mut cur = *target;
    let mut base = 0u64;
    while base <= bound {
        if let Some(j) = table.get(cur.compress().as_bytes()) {
            let v = base + j;
            return (v <= bound).then_some(v);
        }
        cur -= giant;
        base = base.checked_add(width)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_up_to_bound_only() {
        for v in [0u64, 1, 2, 99, 100, 12_345] {
            assert_eq!(small_dlog(&(Scalar::from(v) * G), 12_345), Some(v));
        }
        assert_eq!(small_dlog(&(Scalar::from(12_346u64) * G), 12_345), None);
        assert_eq!(small_dlog(&(Scalar::from(5u64) * G), 4), None);
    }
}
