//! Nothing-up-my-sleeve commitment generators for the shuffle proof.
//!
//! `H = hash-to-point("shuffle-generator-h")` and
//! `H_i = hash-to-point("shuffle-generator", i as u64)` for `i = 0, 1, …`
//! (see [`crate::hash`]: SHA-512 of the framed label and index under the
//! crate's domain prefix, mapped by Elligator twice). They depend on
//! nothing but their index, so anyone can recompute them, and nobody knows
//! a discrete-logarithm relation among them or with the basepoint `G`; the
//! permutation commitments are binding exactly because of that.

use curve25519_dalek::ristretto::RistrettoPoint;
use rayon::prelude::*;

use crate::hash;

/// `(H, [H_0, …, H_{n−1}])`: the chain base and the per-position generators.
pub fn generators(n: usize) -> (RistrettoPoint, Vec<RistrettoPoint>) {
    let h = hash::to_point(b"shuffle-generator-h", &[]);
    let hs = (0..n)
        .into_par_iter()
        .with_min_len(1024)
        .map(|i| hash::to_point(b"shuffle-generator", &[&(i as u64).to_le_bytes()]))
        .collect();
    (h, hs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;
    use std::collections::HashSet;

    #[test]
    fn generators_are_fixed_distinct_and_prefix_stable() {
        let (h, hs) = generators(64);
        let (h2, short) = generators(8);
        assert_eq!(h, h2);
        assert_eq!(&hs[..8], &short[..]);
        let mut seen = HashSet::new();
        for p in std::iter::once(&h).chain(&hs).chain(std::iter::once(&G)) {
            assert!(seen.insert(p.compress().to_bytes()), "repeated generator");
        }
    }
}
