//! The pairwise (majority) matrix of a profile.
//!
//! For alternatives `a ≠ b`, `support(a, b)` is the number of voters who
//! rank `a` strictly above `b` (a ranked alternative is above an unranked
//! one; see [`crate::profile`]), and the *margin* is
//! `margin(a, b) = support(a, b) − support(b, a)`, antisymmetric. Every
//! Condorcet-style rule in [`crate::rules`] reads only this matrix, so it
//! is built once per decision.
//!
//! # Cost
//!
//! Building it walks each *distinct* ranking once, weighted by its count,
//! so the cost is `O(d · m²)` for `d` distinct rankings, independent of
//! the number of voters. For a ranking with tiers, only pairs in
//! different tiers are touched: a pair inside one tier is skipped without
//! a comparison because each tier is contiguous. Large profiles are split
//! over threads (`std::thread::scope`), each filling its own matrix, and
//! the matrices are summed.

use crate::profile::{Profile, TIED};
use serde::Serialize;

/// Voters per ordered pair: `support(a, b)` voters rank `a` above `b`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PairwiseMatrix {
    m: usize,
    /// Row-major `m × m`; the diagonal is zero.
    support: Vec<u64>,
}

/// Work (ranking entries × alternatives) above which building is split
/// over threads.
const PARALLEL_WORK: usize = 1 << 22;

impl PairwiseMatrix {
    /// The matrix of `profile`.
    pub fn from_profile(profile: &Profile) -> Self {
        let m = profile.num_alternatives();
        let ballots = profile.ballots();
        let work = ballots.len().saturating_mul(m.max(1));
        let threads = if work < PARALLEL_WORK {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        };
        Self::build(profile, threads)
    }

    /// The matrix of `profile`, built on `threads` threads.
    fn build(profile: &Profile, threads: usize) -> Self {
        let m = profile.num_alternatives();
        let ballots = profile.ballots();
        if threads < 2 || ballots.len() < 2 {
            let mut support = vec![0u64; m * m];
            accumulate(m, ballots, &mut support);
            return PairwiseMatrix { m, support };
        }
        let chunk = ballots.len().div_ceil(threads);
        let parts: Vec<Vec<u64>> = std::thread::scope(|s| {
            let handles: Vec<_> = ballots
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        let mut support = vec![0u64; m * m];
                        accumulate(m, part, &mut support);
                        support
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("pairwise worker does not panic"))
                .collect()
        });
        let mut support = vec![0u64; m * m];
        for part in parts {
            for (s, p) in support.iter_mut().zip(part) {
                *s += p;
            }
        }
        PairwiseMatrix { m, support }
    }

    /// A matrix from explicit support counts (row-major `m × m`, zero
    /// diagonal); `None` if the length is not a square or the diagonal is
    /// not zero. For weighted majority graphs given directly.
    pub fn from_support(m: usize, support: Vec<u64>) -> Option<Self> {
        (support.len() == m * m && (0..m).all(|a| support[a * m + a] == 0))
            .then_some(PairwiseMatrix { m, support })
    }

    /// The number of alternatives.
    pub fn len(&self) -> usize {
        self.m
    }

    /// Whether there are no alternatives.
    pub fn is_empty(&self) -> bool {
        self.m == 0
    }

    /// Voters ranking `a` strictly above `b`.
    #[inline]
    pub fn support(&self, a: usize, b: usize) -> u64 {
        self.support[a * self.m + b]
    }

    /// `support(a, b) − support(b, a)`.
    #[inline]
    pub fn margin(&self, a: usize, b: usize) -> i64 {
        self.support(a, b) as i64 - self.support(b, a) as i64
    }

    /// The full margin matrix, row-major.
    pub fn margins(&self) -> Vec<Vec<i64>> {
        (0..self.m)
            .map(|a| (0..self.m).map(|b| self.margin(a, b)).collect())
            .collect()
    }

    /// The Condorcet winner (beats every other alternative by a positive
    /// margin), if there is one.
    pub fn condorcet_winner(&self) -> Option<usize> {
        (0..self.m).find(|&a| (0..self.m).all(|b| a == b || self.margin(a, b) > 0))
    }

    /// Alternatives no other alternative beats (margin ≥ 0 against all):
    /// the weak Condorcet winners.
    pub fn weak_condorcet_winners(&self) -> Vec<usize> {
        (0..self.m)
            .filter(|&a| (0..self.m).all(|b| self.margin(a, b) >= 0))
            .collect()
    }
}

/// Add the pairwise preferences of `ballots` into `support`.
fn accumulate(m: usize, ballots: &[crate::profile::Ballot], support: &mut [u64]) {
    let mut ranked = vec![false; m];
    let mut unranked: Vec<usize> = Vec::with_capacity(m);
    for ballot in ballots {
        let c = ballot.count;
        let e = ballot.ranking.raw();
        // End (exclusive) of the tier starting at each position: entries
        // after it are strictly worse.
        let mut i = 0;
        while i < e.len() {
            let mut end = i + 1;
            while end < e.len() && e[end] & TIED != 0 {
                end += 1;
            }
            for &top in &e[i..end] {
                let row = &mut support[(top & !TIED) as usize * m..][..m];
                for &below in &e[end..] {
                    row[(below & !TIED) as usize] += c;
                }
            }
            i = end;
        }
        if e.len() < m {
            for &x in e {
                ranked[(x & !TIED) as usize] = true;
            }
            unranked.clear();
            unranked.extend((0..m).filter(|&b| !ranked[b]));
            for &x in e {
                let row = &mut support[(x & !TIED) as usize * m..][..m];
                for &b in &unranked {
                    row[b] += c;
                }
                ranked[(x & !TIED) as usize] = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Profile, Ranking};

    /// Count pairwise preferences the slow way, ballot by ballot.
    fn naive(p: &Profile) -> Vec<u64> {
        let m = p.num_alternatives();
        let mut s = vec![0; m * m];
        for b in p.ballots() {
            for x in 0..m {
                for y in 0..m {
                    if b.ranking.prefers(x, y) {
                        s[x * m + y] += b.count;
                    }
                }
            }
        }
        s
    }

    #[test]
    fn counts_ties_and_unranked() {
        let mut p = Profile::with_names(["a", "b", "c", "d"]);
        p.add(Ranking::from_tiers([vec![1], vec![0, 2]]).unwrap(), 3)
            .unwrap();
        p.add_strict(&[3, 0, 1, 2], 2).unwrap();
        let w = PairwiseMatrix::from_profile(&p);
        assert_eq!(w.support(1, 0), 3);
        assert_eq!(w.support(0, 2), 2); // tied on the first ballot
        assert_eq!(w.support(1, 3), 3); // ranked above unranked
        assert_eq!(w.support(0, 3), 3);
        assert_eq!(w.support(3, 0), 2);
        assert_eq!(w.margin(0, 3), 1);
        assert_eq!(w.margin(3, 0), -1);
        assert_eq!(w.support, naive(&p));
    }

    #[test]
    fn condorcet_winner_and_cycle() {
        let mut p = Profile::with_names(["a", "b", "c"]);
        p.add_strict(&[0, 1, 2], 1).unwrap();
        p.add_strict(&[1, 2, 0], 1).unwrap();
        p.add_strict(&[2, 0, 1], 1).unwrap();
        let w = PairwiseMatrix::from_profile(&p);
        assert_eq!(w.condorcet_winner(), None);
        assert!(w.weak_condorcet_winners().is_empty());
        p.add_strict(&[1, 0, 2], 1).unwrap();
        let w = PairwiseMatrix::from_profile(&p);
        assert_eq!(w.condorcet_winner(), None);
        assert_eq!(w.weak_condorcet_winners(), vec![0, 1]);
        p.add_strict(&[1, 0, 2], 1).unwrap();
        assert_eq!(PairwiseMatrix::from_profile(&p).condorcet_winner(), Some(1));
    }

    #[test]
    fn threaded_build_matches_sequential() {
        let m = 12;
        let mut p = Profile::with_names((0..m).map(|i| i.to_string()));
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..3000 {
            let mut order: Vec<usize> = (0..m).collect();
            for i in (1..m).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let keep = 1 + (state >> 40) as usize % m;
            p.add_strict(&order[..keep], 1 + (state >> 50) % 3).unwrap();
        }
        let w = PairwiseMatrix::build(&p, 3);
        assert_eq!(w, PairwiseMatrix::build(&p, 1));
        assert_eq!(w, PairwiseMatrix::from_profile(&p));
        let total: u64 = p.num_voters();
        for a in 0..m {
            for b in 0..m {
                assert!(w.support(a, b) + w.support(b, a) <= total);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn matches_naive_count(
            ballots in proptest::collection::vec(
                (proptest::collection::vec((0usize..5, 0usize..3), 0..6), 1u64..4), 0..10)
        ) {
            let m = 5;
            let mut p = Profile::with_names((0..m).map(|i| i.to_string()));
            for (pairs, count) in ballots {
                let mut tiers = vec![Vec::new(); 3];
                let mut seen = [false; 5];
                for (a, t) in pairs {
                    if !seen[a] { seen[a] = true; tiers[t].push(a); }
                }
                tiers.retain(|t: &Vec<usize>| !t.is_empty());
                p.add(Ranking::from_tiers(tiers).unwrap(), count).unwrap();
            }
            proptest::prop_assert_eq!(PairwiseMatrix::from_profile(&p).support, naive(&p));
        }
    }
}
