//! Sequential Phragmén (Phragmén 1894; Brill, Freeman, Janson &
//! Lackner 2017).
//!
//! Each elected candidate brings a unit of *load* that her approvers
//! share. Every voter starts with load 0. In each round, electing
//! candidate `c` would let her approvers `N_c` balance their loads at
//!
//! ```text
//!     t_c = (1 + Σ_{i ∈ N_c} x_i) / |N_c|,
//! ```
//!
//! and the candidate with the smallest `t_c` is elected; her approvers'
//! loads all become `t_c`. Sequential Phragmén satisfies proportional
//! justified representation (PJR) and is priceable; loads are its
//! evidence (a voter's load is what she "paid" for the committee).
//!
//! # Numbers
//!
//! Exact. All loads are kept as numerators over one common denominator
//! `D` (the product of the supports `|N_c|` of the candidates elected so
//! far): electing `c` at `t_c = (D + Σ_{i ∈ N_c} X_i) / (|N_c| · D)`
//! multiplies `D` and every stored numerator by `|N_c|` and gives `N_c`
//! the numerator `D + Σ X_i`. Voters' loads take at most `k + 1`
//! distinct values, so numerators are stored once per value, and the
//! candidates' `t_c` are compared by cross-multiplying with their
//! supports. `D` grows by a factor `|N_c|` each round (about 250 bits for
//! 15 seats and 100,000 voters), so numerators are small arbitrary-size
//! integers ([`Natural`]): additions, multiplication by a machine word and
//! comparison are all that is needed. Candidates nobody approves never
//! balance a load; if seats remain when only they are left, they fill
//! them in index order. Ties go to the lower index.

use super::{ApprovalProfile, CommitteeError};
use serde::Serialize;
use std::cmp::Ordering;

/// A natural number of any size, little-endian 64-bit limbs (no
/// trailing zero limbs); just what exact loads need.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Natural(Vec<u64>);

impl Natural {
    fn from_u64(x: u64) -> Natural {
        let mut n = Natural(vec![x]);
        n.trim();
        n
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn add(&self, other: &Natural) -> Natural {
        let len = self.0.len().max(other.0.len());
        let mut out = Vec::with_capacity(len + 1);
        let mut carry = 0u128;
        for k in 0..len {
            let s = u128::from(*self.0.get(k).unwrap_or(&0))
                + u128::from(*other.0.get(k).unwrap_or(&0))
                + carry;
            out.push(s as u64);
            carry = s >> 64;
        }
        out.push(carry as u64);
        let mut n = Natural(out);
        n.trim();
        n
    }

    fn mul_word(&self, w: u64) -> Natural {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        let mut carry = 0u128;
        for &limb in &self.0 {
            let p = u128::from(limb) * u128::from(w) + carry;
            out.push(p as u64);
            carry = p >> 64;
        }
        out.push(carry as u64);
        let mut n = Natural(out);
        n.trim();
        n
    }

    fn cmp(&self, other: &Natural) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// `self / other` as a float (for display).
    pub fn ratio(&self, other: &Natural) -> f64 {
        let drop = self.0.len().max(other.0.len()).saturating_sub(2);
        let top = |n: &Natural| {
            n.0.iter()
                .enumerate()
                .skip(drop)
                .map(|(k, &l)| l as f64 * 2f64.powi(64 * (k - drop) as i32))
                .sum::<f64>()
        };
        top(self) / top(other)
    }
}

/// One round of sequential Phragmén.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhragmenRound {
    /// The elected candidate.
    pub candidate: usize,
    /// The load her approvers now carry (`None` if nobody approves her);
    /// a float for display, the decision itself was exact.
    pub load: Option<f64>,
}

/// A sequential-Phragmén committee with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhragmenOutcome {
    /// The elected candidates, in order.
    pub elected: Vec<usize>,
    /// The rounds.
    pub rounds: Vec<PhragmenRound>,
    /// The final load of each ballot of the profile (display floats).
    pub loads: Vec<f64>,
    /// The exact final loads: `load_numers[level[b]] / load_denom`.
    #[serde(skip)]
    pub load_numers: Vec<Natural>,
    /// Which load value each ballot carries.
    #[serde(skip)]
    pub level: Vec<usize>,
    /// The common denominator.
    #[serde(skip)]
    pub load_denom: Natural,
}

/// Runs sequential Phragmén for `seats` seats.
pub fn phragmen(
    profile: &ApprovalProfile,
    seats: usize,
) -> Result<PhragmenOutcome, CommitteeError> {
    profile.check_seats(seats)?;
    let m = profile.candidates().len();
    let ballots = profile.ballots();
    let support = profile.approval_counts();
    // Load values: numerators over `denom`; level 0 is load 0.
    let mut numers = vec![Natural::default()];
    let mut denom = Natural::from_u64(1);
    let mut level = vec![0usize; ballots.len()];
    let mut elected_mask = vec![false; m];
    let mut elected = Vec::with_capacity(seats);
    let mut rounds = Vec::with_capacity(seats);
    // weight[c * levels + l]: approvers of c carrying load level l.
    let mut weight: Vec<u64> = Vec::new();
    for _ in 0..seats {
        let levels = numers.len();
        weight.clear();
        weight.resize(m * levels, 0);
        for ((approved, count), &l) in ballots.iter().zip(&level) {
            for &c in approved {
                weight[c as usize * levels + l] += count;
            }
        }
        let mut best: Option<(usize, Natural)> = None;
        for c in (0..m).filter(|&c| !elected_mask[c] && support[c] > 0) {
            let mut num = denom.clone();
            for l in 1..levels {
                let w = weight[c * levels + l];
                if w > 0 {
                    num = num.add(&numers[l].mul_word(w));
                }
            }
            // t_c = num / (support_c · denom): compare num_c · W_b with
            // num_b · W_c.
            let better = match &best {
                None => true,
                Some((b, nb)) => {
                    num.mul_word(support[*b]).cmp(&nb.mul_word(support[c])) == Ordering::Less
                }
            };
            if better {
                best = Some((c, num));
            }
        }
        let Some((c, num)) = best else { break };
        let w = support[c];
        for x in numers.iter_mut() {
            *x = x.mul_word(w);
        }
        let new_denom = denom.mul_word(w);
        let load = num.ratio(&new_denom);
        numers.push(num);
        denom = new_denom;
        let new_level = numers.len() - 1;
        for ((approved, _), l) in ballots.iter().zip(level.iter_mut()) {
            if approved.binary_search(&(c as u32)).is_ok() {
                *l = new_level;
            }
        }
        elected_mask[c] = true;
        elected.push(c);
        rounds.push(PhragmenRound {
            candidate: c,
            load: Some(load),
        });
    }
    for (c, taken) in elected_mask.iter_mut().enumerate() {
        if elected.len() == seats {
            break;
        }
        if !*taken {
            *taken = true;
            elected.push(c);
            rounds.push(PhragmenRound {
                candidate: c,
                load: None,
            });
        }
    }
    let loads = level
        .iter()
        .map(|&l| if l == 0 { 0.0 } else { numers[l].ratio(&denom) })
        .collect();
    Ok(PhragmenOutcome {
        elected,
        rounds,
        loads,
        load_numers: numers,
        level,
        load_denom: denom,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::testing::profile;
    use proptest::prelude::*;

    /// Party lists: sequential Phragmén gives D'Hondt seats. 6 voters
    /// for {a, b, c, d}, 4 for {x, y, z}, 5 seats: loads go 1/6 (a),
    /// 1/4 (x), 2/6 (b), 3/6 = 2/4 (an exact tie: c before y by lower
    /// index; fixed-point loads would get this wrong), 2/4 (y).
    #[test]
    fn party_lists_get_dhondt_seats() {
        let p = profile(&[(&[0, 1, 2, 3], 6), (&[4, 5, 6], 4)], 7);
        let out = phragmen(&p, 5).unwrap();
        assert_eq!(out.elected, vec![0, 4, 1, 2, 5]);
        let loads: Vec<f64> = out.rounds.iter().map(|r| r.load.unwrap()).collect();
        assert_eq!(loads, vec![1.0 / 6.0, 0.25, 2.0 / 6.0, 0.5, 0.5]);
        assert_eq!(out.loads, vec![0.5, 0.5]);
        // Exactly equal, not merely close: both ballots' numerators match.
        assert_eq!(out.load_numers[out.level[0]], out.load_numers[out.level[1]]);
    }

    /// Loads round by round: 2 voters {a, b}, 1 {a}, 1 {c}, 2 seats.
    /// Round 1: a balances at 1/3 (three approvers), b at 1/2, c at 1.
    /// Round 2: b balances at (1 + 2 · 1/3) / 2 = 5/6 < 1 for c. Loads
    /// end at 5/6, 1/3 and 0.
    #[test]
    fn load_balancing_round_by_round() {
        let p = profile(&[(&[0, 1], 2), (&[0], 1), (&[2], 1)], 3);
        let out = phragmen(&p, 2).unwrap();
        assert_eq!(out.elected, vec![0, 1]);
        assert_eq!(out.loads, vec![5.0 / 6.0, 1.0 / 3.0, 0.0]);
    }

    #[test]
    fn unapproved_candidates_fill_last_seats() {
        let p = profile(&[(&[1], 3)], 3);
        let out = phragmen(&p, 2).unwrap();
        assert_eq!(out.elected, vec![1, 0]);
        assert_eq!(out.rounds[1].load, None);
    }

    proptest! {
        /// Committee monotonicity, which sequential rules have by
        /// construction: the committee for k + 1 seats extends the one
        /// for k (checked for Phragmén, sequential PAV and AV).
        #[test]
        fn sequential_rules_are_committee_monotone(p in crate::committee::testing::small_profiles(), k in 1usize..6) {
            prop_assume!(k < p.candidates().len());
            let ph = |k| phragmen(&p, k).unwrap().elected;
            prop_assert_eq!(&ph(k + 1)[..k], &ph(k)[..]);
            let pav = |k| crate::committee::pav::pav_sequential(&p, k).unwrap().elected;
            prop_assert_eq!(&pav(k + 1)[..k], &pav(k)[..]);
            let mut av_k = crate::committee::approval_voting(&p, k).unwrap().elected;
            let mut av_k1 = crate::committee::approval_voting(&p, k + 1).unwrap().elected;
            av_k1.truncate(k);
            av_k.sort_unstable();
            av_k1.sort_unstable();
            prop_assert_eq!(av_k1, av_k);
        }

        /// PJR (Sánchez-Fernández et al. 2017), which sequential Phragmén
        /// satisfies: no group of at least ℓ·n/k voters approving ℓ
        /// common candidates has fewer than ℓ elected candidates approved
        /// by at least one of its members, checked exhaustively.
        #[test]
        fn satisfies_pjr(p in crate::committee::testing::small_profiles(), k in 1usize..=6) {
            let k = k.min(p.candidates().len());
            let out = phragmen(&p, k).unwrap();
            prop_assert_eq!(out.elected.len(), k);
            let m = p.candidates().len();
            let n = p.num_voters();
            for mask in 1u32..(1 << m) {
                let t: Vec<usize> = (0..m).filter(|&c| mask & (1 << c) != 0).collect();
                let l = t.len();
                if l > k { continue; }
                let group: Vec<&(Vec<u32>, u64)> = p.ballots().iter()
                    .filter(|(a, _)| t.iter().all(|&c| a.contains(&(c as u32)))).collect();
                let size: u64 = group.iter().map(|(_, c)| c).sum();
                if size * k as u64 >= l as u64 * n {
                    let covered = out.elected.iter()
                        .filter(|&&c| group.iter().any(|(a, _)| a.contains(&(c as u32))))
                        .count();
                    prop_assert!(covered >= l, "{:?} {:?}", t, out.elected);
                }
            }
        }
    }
}
