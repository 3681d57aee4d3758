//! Ranked pairs (Tideman 1987) with parallel-universe tie-breaking.
//!
//! Pairs `(a, b)` with a positive margin are taken in decreasing order of
//! margin; each is *locked* (an arrow `a → b`) unless it would close a
//! cycle with the arrows already locked, and is then skipped. The winners
//! are the alternatives no locked arrow points to.
//!
//! **Ties between margins.** When several pairs share a margin the order
//! among them can change the result. Following Zavist & Tideman (1989)
//! and Brill & Fischer (2012) a *parallel-universe* winner is a winner
//! under *some* order of the tied pairs, and the rule returns all of
//! them. Computing that set is NP-hard in general (Brill & Fischer), so
//! the search is a depth-first exploration of lock orders within each
//! group of equal margins, with three reductions that make the usual
//! case linear:
//!
//! 1. a pair that closes a cycle now closes it in every later state of the
//!    group (locking only adds reachability), so it is dropped at once;
//! 2. when all remaining pairs of a group can be locked together without a
//!    cycle, their order does not matter and they are locked as one step;
//! 3. states already visited (same group, same locked set) are not
//!    explored again.
//!
//! The search stops after [`RANKED_PAIRS_STATE_LIMIT`] states; the
//! evidence then says `complete: false` and the winners found so far (a
//! non-empty subset of the parallel-universe winners) are returned.
//!
//! Cycle test: locking `a → b` closes a cycle iff `a` is reachable from
//! `b`; reachability is kept as one bitset row per alternative and
//! updated on each lock in `O(m²/64)`.

use super::{Evidence, RuleResult};
use crate::pairwise::PairwiseMatrix;
use serde::Serialize;
use std::collections::HashSet;

/// How many search states the parallel-universe search may visit.
pub const RANKED_PAIRS_STATE_LIMIT: usize = 200_000;

/// A pair considered by ranked pairs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LockedPair {
    /// The winner of the pair (by index).
    pub winner: usize,
    /// The loser of the pair (by index).
    pub loser: usize,
    /// `margin(winner, loser) > 0`.
    pub margin: i64,
    /// Whether it was locked (else skipped: it would close a cycle).
    pub locked: bool,
}

/// Transitive reachability over `m` alternatives, as bitset rows.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Reach {
    m: usize,
    words: usize,
    bits: Vec<u64>,
}

impl Reach {
    fn new(m: usize) -> Self {
        let words = m.div_ceil(64).max(1);
        Reach {
            m,
            words,
            bits: vec![0; m * words],
        }
    }
    fn reaches(&self, from: usize, to: usize) -> bool {
        self.bits[from * self.words + to / 64] >> (to % 64) & 1 == 1
    }
    /// Whether locking `a → b` would close a cycle.
    fn closes_cycle(&self, a: usize, b: usize) -> bool {
        a == b || self.reaches(b, a)
    }
    /// Lock `a → b`: everything reaching `a` (and `a`) now reaches `b`
    /// and all `b` reaches.
    fn lock(&mut self, a: usize, b: usize) {
        let w = self.words;
        let mut add = self.bits[b * w..(b + 1) * w].to_vec();
        add[b / 64] |= 1 << (b % 64);
        for x in 0..self.m {
            if x == a || self.reaches(x, a) {
                for (dst, src) in self.bits[x * w..(x + 1) * w].iter_mut().zip(&add) {
                    *dst |= src;
                }
            }
        }
    }
    /// Alternatives nothing points to (in the transitive closure).
    fn sources(&self) -> Vec<usize> {
        (0..self.m)
            .filter(|&y| (0..self.m).all(|x| !self.reaches(x, y)))
            .collect()
    }
}

/// Pairs with positive margin grouped by equal margin, largest first;
/// within a group in canonical order (winner index, then loser index).
fn margin_groups(w: &PairwiseMatrix) -> Vec<Vec<(usize, usize, i64)>> {
    let m = w.len();
    let mut pairs: Vec<(usize, usize, i64)> = (0..m)
        .flat_map(|a| (0..m).map(move |b| (a, b)))
        .filter_map(|(a, b)| {
            let d = w.margin(a, b);
            (d > 0).then_some((a, b, d))
        })
        .collect();
    pairs.sort_by(|x, y| y.2.cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let mut groups: Vec<Vec<(usize, usize, i64)>> = Vec::new();
    for p in pairs {
        match groups.last_mut() {
            Some(g) if g[0].2 == p.2 => g.push(p),
            _ => groups.push(vec![p]),
        }
    }
    groups
}

/// A search state: the group being placed, the locked reachability, and
/// the pairs of that group still to place.
type State = (usize, Reach, Vec<(usize, usize)>);

struct Search<'a> {
    groups: &'a [Vec<(usize, usize, i64)>],
    seen: HashSet<(usize, Vec<u64>)>,
    winners: Vec<bool>,
    states: usize,
    complete: bool,
}

impl Search<'_> {
    /// Explore every lock order, depth first with an explicit stack;
    /// a state is the group being placed, the locked reachability and
    /// the pairs of that group still to place.
    fn run(&mut self, m: usize) {
        let first = self
            .groups
            .first()
            .map(|g| g.iter().map(|&(a, b, _)| (a, b)).collect())
            .unwrap_or_default();
        let mut stack: Vec<State> = vec![(0, Reach::new(m), first)];
        while let Some((g, reach, remaining)) = stack.pop() {
            self.states += 1;
            if self.states > RANKED_PAIRS_STATE_LIMIT {
                self.complete = false;
                return;
            }
            let Some((g, reach, remaining)) = self.settle(g, reach, remaining) else {
                continue;
            };
            // Reduction 3: skip visited states.
            if !self.seen.insert((g, reach.bits.clone())) {
                continue;
            }
            for i in (0..remaining.len()).rev() {
                let (a, b) = remaining[i];
                let mut next = reach.clone();
                next.lock(a, b);
                let mut rest = remaining.clone();
                rest.remove(i);
                stack.push((g, next, rest));
            }
        }
    }

    /// Apply reductions 1 and 2 and move through groups until a real
    /// choice remains (returned) or the run ends (winners recorded).
    fn settle(
        &mut self,
        mut g: usize,
        mut reach: Reach,
        mut remaining: Vec<(usize, usize)>,
    ) -> Option<State> {
        loop {
            // Reduction 1: drop pairs that already close a cycle.
            remaining.retain(|&(a, b)| !reach.closes_cycle(a, b));
            if remaining.is_empty() {
                g += 1;
                match self.groups.get(g) {
                    None => {
                        for s in reach.sources() {
                            self.winners[s] = true;
                        }
                        return None;
                    }
                    Some(group) => {
                        remaining = group.iter().map(|&(a, b, _)| (a, b)).collect();
                        continue;
                    }
                }
            }
            // Reduction 2: lock all at once if they never conflict.
            let mut all = reach.clone();
            let conflict = remaining.iter().any(|&(a, b)| {
                if all.closes_cycle(a, b) {
                    return true;
                }
                all.lock(a, b);
                false
            });
            if conflict {
                return Some((g, reach, remaining));
            }
            reach = all;
            remaining.clear();
        }
    }
}

/// Ranked pairs winners (all parallel universes) and the canonical run.
pub(crate) fn ranked_pairs(w: &PairwiseMatrix) -> RuleResult {
    let m = w.len();
    let groups = margin_groups(w);

    // The canonical run, for the evidence.
    let mut reach = Reach::new(m);
    let mut pairs = Vec::new();
    for &(a, b, margin) in groups.iter().flatten() {
        let locked = !reach.closes_cycle(a, b);
        if locked {
            reach.lock(a, b);
        }
        pairs.push(LockedPair {
            winner: a,
            loser: b,
            margin,
            locked,
        });
    }
    let canonical = reach.sources();

    let mut search = Search {
        groups: &groups,
        seen: HashSet::new(),
        winners: vec![false; m],
        states: 0,
        complete: true,
    };
    search.run(m);
    for s in canonical {
        search.winners[s] = true;
    }
    RuleResult {
        winners: (0..m).filter(|&a| search.winners[a]).collect(),
        evidence: Evidence::Locks {
            pairs,
            complete: search.complete,
        },
    }
}
