//! Proportional Approval Voting (Thiele 1895; Aziz et al. 2017).
//!
//! A voter who approves `j` members of the committee contributes
//! `H(j) = 1 + 1/2 + … + 1/j`; PAV elects a committee of `k` with the
//! largest total. Exact PAV satisfies extended justified representation
//! (EJR) but finding its committee is NP-hard, so two forms are offered:
//!
//! * [`pav_exact`]: tries every committee of size `k` (at most 10⁷ of
//!   them), keeping the first optimum in lexicographic order of the
//!   sorted members;
//! * [`pav_sequential`]: adds one candidate at a time, the one with the
//!   largest marginal gain `Σ_{i approves c} 1 / (1 + |A_i ∩ W|)`; lower
//!   index on ties. Fast, proportional in practice, but not EJR.
//!
//! # Exact arithmetic
//!
//! All scores are kept as whole numbers in units of `1 / L` with
//! `L = lcm(1, …, k)`, so `L · H(j)` and `L / j` are integers and no
//! comparison involves rounding. (`L` fits comfortably for any board
//! size up to 40 seats; beyond that the rules report
//! [`CommitteeError::TooLarge`].)

use super::{ApprovalProfile, CommitteeError};
use serde::Serialize;

/// A PAV committee with its score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PavOutcome {
    /// The elected candidates (in election order for sequential PAV,
    /// sorted for exact PAV).
    pub elected: Vec<usize>,
    /// The PAV score in units of `1 / unit`.
    pub score: u128,
    /// `L = lcm(1, …, k)`: the score's denominator.
    pub unit: u128,
    /// Sequential PAV: each elected candidate's marginal gain, in units
    /// of `1 / unit` (empty for exact PAV).
    pub gains: Vec<u128>,
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// `lcm(1..=k)` and `L · H(j)` for `j = 0..=k`.
fn harmonic(k: usize, n: u64) -> Result<(u128, Vec<u128>), CommitteeError> {
    let mut l: u128 = 1;
    for j in 1..=k as u128 {
        l = (l / gcd(l, j))
            .checked_mul(j)
            .ok_or(CommitteeError::TooLarge)?;
    }
    let mut h = vec![0u128; k + 1];
    for j in 1..=k {
        h[j] = h[j - 1] + l / j as u128;
    }
    // Totals are at most n · L · H(k).
    h[k].checked_mul(u128::from(n).max(1))
        .filter(|&x| x < 1 << 126)
        .ok_or(CommitteeError::TooLarge)?;
    Ok((l, h))
}

/// Exact PAV by exhaustive search (at most 10⁷ committees, at most 64
/// candidates).
pub fn pav_exact(profile: &ApprovalProfile, seats: usize) -> Result<PavOutcome, CommitteeError> {
    profile.check_seats(seats)?;
    let m = profile.candidates().len();
    let mut combos: u128 = 1;
    for j in 0..seats as u128 {
        combos = combos.saturating_mul(m as u128 - j) / (j + 1);
    }
    if combos > 10_000_000 || m > 64 {
        return Err(CommitteeError::TooManyCommittees(combos));
    }
    let (unit, h) = harmonic(seats, profile.num_voters())?;
    let masks: Vec<(u64, u128)> = profile
        .ballots()
        .iter()
        .map(|(a, c)| (a.iter().fold(0u64, |x, &i| x | 1 << i), u128::from(*c)))
        .collect();
    let mut idx: Vec<usize> = (0..seats).collect();
    let mut best: Option<(u128, Vec<usize>)> = None;
    loop {
        let w = idx.iter().fold(0u64, |x, &i| x | 1 << i);
        let score: u128 = masks
            .iter()
            .map(|&(a, c)| c * h[(a & w).count_ones() as usize])
            .sum();
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, idx.clone()));
        }
        // Next combination in lexicographic order.
        let mut i = seats;
        while i > 0 && idx[i - 1] == m - seats + i - 1 {
            i -= 1;
        }
        if i == 0 {
            break;
        }
        idx[i - 1] += 1;
        for j in i..seats {
            idx[j] = idx[j - 1] + 1;
        }
    }
    let (score, elected) = best.unwrap_or_default();
    Ok(PavOutcome {
        elected,
        score,
        unit,
        gains: Vec::new(),
    })
}

/// Sequential PAV.
pub fn pav_sequential(
    profile: &ApprovalProfile,
    seats: usize,
) -> Result<PavOutcome, CommitteeError> {
    profile.check_seats(seats)?;
    let m = profile.candidates().len();
    let (unit, h) = harmonic(seats, profile.num_voters())?;
    let mut have = vec![0usize; profile.ballots().len()];
    let mut elected_mask = vec![false; m];
    let mut elected = Vec::with_capacity(seats);
    let mut gains = Vec::with_capacity(seats);
    let mut gain = vec![0u128; m];
    for _ in 0..seats {
        gain.iter_mut().for_each(|g| *g = 0);
        for ((approved, count), &j) in profile.ballots().iter().zip(&have) {
            let g = u128::from(*count) * (unit / (j as u128 + 1));
            for &c in approved {
                gain[c as usize] += g;
            }
        }
        let best = (0..m)
            .filter(|&c| !elected_mask[c])
            .max_by(|&a, &b| gain[a].cmp(&gain[b]).then(b.cmp(&a)))
            .ok_or(CommitteeError::BadSeats {
                seats,
                candidates: m,
            })?;
        elected_mask[best] = true;
        elected.push(best);
        gains.push(gain[best]);
        for ((approved, _), j) in profile.ballots().iter().zip(have.iter_mut()) {
            if approved.binary_search(&(best as u32)).is_ok() {
                *j += 1;
            }
        }
    }
    let score = profile
        .ballots()
        .iter()
        .zip(&have)
        .map(|((_, c), &j)| u128::from(*c) * h[j])
        .sum();
    Ok(PavOutcome {
        elected,
        score,
        unit,
        gains,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::testing::{ejr_violation, profile, small_profiles};
    use proptest::prelude::*;

    /// 6 voters approve {a, b, c}, 4 approve {x, y}; 5 seats. PAV splits
    /// 3 : 2 (the D'Hondt apportionment of party-list ballots): after
    /// a, b, c the majority's next gain is 6/4 = 1.5 < the minority's
    /// 4/1 and 4/2.
    #[test]
    fn party_lists_get_dhondt_seats() {
        let p = profile(&[(&[0, 1, 2, 3], 6), (&[4, 5, 6], 4)], 7);
        let seq = pav_sequential(&p, 5).unwrap();
        assert_eq!(seq.elected, vec![0, 4, 1, 2, 5]);
        // Gains in units of 1/60: 6, 4, 6/2, 6/3, 4/2.
        assert_eq!(seq.unit, 60);
        assert_eq!(seq.gains, vec![360, 240, 180, 120, 120]);
        let exact = pav_exact(&p, 5).unwrap();
        assert_eq!(exact.elected, vec![0, 1, 2, 4, 5]);
        assert_eq!(exact.score, seq.score);
        // 6·H(3) + 4·H(2) = 11 + 6 = 17.
        assert_eq!(exact.score, 17 * 60);
    }

    /// Sequential PAV is not optimal in general. Approvals: 3 voters
    /// {a, b}, 3 {a, c}, 2 {b}, 2 {c}; two seats. Sequential PAV takes a
    /// (6 approvals), then b (gain 3/2 + 2, tied with c): score 9.5. The
    /// optimum {b, c} scores 3 + 3 + 2 + 2 = 10.
    #[test]
    fn exact_beats_sequential_when_greedy_errs() {
        let p = profile(&[(&[0, 1], 3), (&[0, 2], 3), (&[1], 2), (&[2], 2)], 3);
        let seq = pav_sequential(&p, 2).unwrap();
        assert_eq!(seq.elected, vec![0, 1]);
        assert_eq!((seq.score, seq.unit), (19, 2));
        let exact = pav_exact(&p, 2).unwrap();
        assert_eq!(exact.elected, vec![1, 2]);
        assert_eq!(exact.score, 20);
    }

    #[test]
    fn refuses_huge_searches() {
        let p = profile(&[(&[0], 1)], 60);
        assert!(matches!(
            pav_exact(&p, 30),
            Err(CommitteeError::TooManyCommittees(_))
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Exact PAV satisfies EJR (Aziz et al. 2017), checked
        /// exhaustively.
        #[test]
        fn exact_pav_is_ejr(p in small_profiles(), k in 1usize..=6) {
            let k = k.min(p.candidates().len());
            let out = pav_exact(&p, k).unwrap();
            prop_assert_eq!(out.elected.len(), k);
            prop_assert_eq!(ejr_violation(&p, &out.elected, k), None);
        }

        /// Sequential PAV never beats the optimum, and both fill k seats.
        #[test]
        fn sequential_is_at_most_optimal(p in small_profiles(), k in 1usize..=6) {
            let k = k.min(p.candidates().len());
            let seq = pav_sequential(&p, k).unwrap();
            let exact = pav_exact(&p, k).unwrap();
            prop_assert!(seq.score <= exact.score);
            let mut e = seq.elected.clone();
            e.sort_unstable();
            e.dedup();
            prop_assert_eq!(e.len(), k);
        }
    }
}
