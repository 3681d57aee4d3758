//! SybilRank (Cao, Sirivianos, Yang, Pregueiro, NSDI 2012) — the baseline.
//!
//! Trust `T` (here `T = n`) is placed on the seeds in equal shares and
//! propagated by `w = ⌈log₂ n⌉` steps of the simple random walk (power
//! iteration of the walk matrix, [`super::walk::step`]):
//!
//! ```text
//!   T₀(s) = T / |seeds| for s ∈ seeds, 0 elsewhere
//!   Tᵢ(v) = Σ_{u ∈ N(v)} Tᵢ₋₁(u) / deg(u)          i = 1..w
//!   score(v) = T_w(v) / deg(v)
//! ```
//!
//! Early termination is the point: run to convergence and `T(v) ∝ deg(v)`
//! everywhere, so the degree-normalised score is flat. After `O(log n)`
//! steps a fast-mixing honest region is close to its own stationary
//! distribution, while the trust that crossed the `g` attack edges into the
//! Sybil region is bounded by (roughly) `g/vol(H)` of the honest mass per
//! step. Members are ranked by `score`, highest first (most trusted).
//!
//! Assumes: the honest region mixes in `O(log n)` steps *from the seeds*
//! and the attack edges are few. Cannot catch: Sybils behind many attack
//! edges; and it mis-ranks honest members far (in walk steps) from every
//! seed — slow-mixing regions such as communities without a seed.

use super::graph::TrustGraph;
use super::walk;

/// `⌈log₂ n⌉`, at least 1: the number of SybilRank iterations.
pub fn iterations(n: usize) -> usize {
    (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1) as usize
}

/// Run SybilRank; returns the degree-normalised trust of every member.
/// Members in components without a seed get 0.
pub fn sybilrank(g: &TrustGraph, seeds: &[u32]) -> Vec<f64> {
    sybilrank_with(g, seeds, iterations(g.len()))
}

/// SybilRank with an explicit number of iterations.
pub fn sybilrank_with(g: &TrustGraph, seeds: &[u32], iters: usize) -> Vec<f64> {
    walk::per_degree(g, &walk::iterate(g, start(g, seeds), iters, |_, y| y))
}

/// The initial trust: `n / |seeds|` on every seed.
fn start(g: &TrustGraph, seeds: &[u32]) -> Vec<f64> {
    let n = g.len();
    let mut t = vec![0.0; n];
    if !seeds.is_empty() {
        let share = n as f64 / seeds.len() as f64;
        for &s in seeds {
            t[s as usize] += share;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iteration_count_is_ceil_log2() {
        assert_eq!(iterations(1), 1);
        assert_eq!(iterations(2), 1);
        assert_eq!(iterations(1000), 10);
        assert_eq!(iterations(1024), 10);
        assert_eq!(iterations(1025), 11);
    }

    #[test]
    fn matches_the_published_recurrence_by_hand() {
        // path a - b - c, seed a, n = 3: w = ⌈log₂ 3⌉ = 2 steps of T = 3.
        // T₁ = (0, 3, 0); T₂ = (1.5, 0, 1.5); score = T₂ / deg = (1.5, 0, 1.5).
        let g = TrustGraph::from_pairs([("a", "b"), ("b", "c")]).unwrap();
        let s = sybilrank(&g, &[0]);
        assert!((s[0] - 1.5).abs() < 1e-6 && s[1].abs() < 1e-9 && (s[2] - 1.5).abs() < 1e-6);
    }

    #[test]
    fn trust_stays_in_the_seeded_component() {
        let g = TrustGraph::from_pairs([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y")]).unwrap();
        let s = sybilrank(&g, &[0]);
        assert!(s[..3].iter().all(|&t| t > 0.0));
        assert_eq!(&s[3..], &[0.0, 0.0]);
    }
}
