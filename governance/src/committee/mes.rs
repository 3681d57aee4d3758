//! The Method of Equal Shares for approval committees (Peters &
//! Skowron 2020, "Rule X").
//!
//! A committee election is the budgeting instance where every candidate
//! costs 1 and the budget is `k`: each voter holds `k / n`, and a
//! candidate is elected when her approvers can pay 1 between them at the
//! lowest price per voter. This module builds that instance and runs
//! [`crate::budget::mes`] with [`Utility::Cardinality`], so everything
//! said there (exact prices, whole-share payments, ties to the lower
//! index) holds here. MES elects EJR committees, but may elect fewer
//! than `k`; the committee is then completed as in Peters & Skowron's
//! experiments and equalshares.net: raise every voter's budget in steps
//! of 1% of `k / n` while the outcome stays within `k` seats
//! (Add1), then fill the remaining seats by approval count, and finally
//! (only when no approved candidate is left) by index.

use super::{ApprovalProfile, CommitteeError};
use crate::budget::mes::{mes, Completion, MesError, MesOptions, MesOutcome};
use crate::budget::{Ballot, Instance, Money, Project, Utility};

/// Runs MES for `seats` seats; `complete` selects Add1 plus the fill
/// described in the module documentation (else plain MES, which may
/// leave seats empty). The returned outcome's projects are candidates.
pub fn mes_committee(
    profile: &ApprovalProfile,
    seats: usize,
    complete: bool,
) -> Result<MesOutcome, CommitteeError> {
    profile.check_seats(seats)?;
    let n = profile.num_voters();
    let n32 = u32::try_from(n).map_err(|_| CommitteeError::TooManyVoters(n))?;
    let one = Money::from_units(1).ok_or(CommitteeError::TooLarge)?;
    let projects = profile
        .candidates()
        .iter()
        .map(|c| Project {
            id: c.clone(),
            cost: one,
        })
        .collect();
    let mut ballots = Vec::with_capacity(n32 as usize);
    for (approved, count) in profile.ballots() {
        let b = Ballot::approval(approved.iter().map(|&c| c as usize));
        for _ in 0..*count {
            ballots.push(b.clone());
        }
    }
    let budget = Money::from_units(seats as u64).ok_or(CommitteeError::TooLarge)?;
    let instance =
        Instance::new(budget, projects, ballots).map_err(|_| CommitteeError::TooLarge)?;
    // 1% of the per-voter budget k/n, at least one micro-unit.
    let step = Money::from_micros((budget.micros() / (100 * u64::from(n32.max(1)))).max(1));
    let completion = if complete {
        Completion::Add1ThenGreedy { step }
    } else {
        Completion::None
    };
    let mut out = mes(
        &instance,
        &MesOptions {
            utility: Utility::Cardinality,
            completion,
        },
    )
    .map_err(|e| match e {
        MesError::TooLarge | MesError::ZeroStep => CommitteeError::TooLarge,
    })?;
    if complete {
        for c in 0..profile.candidates().len() {
            if out.funded.projects.len() >= seats {
                break;
            }
            if !out.funded.projects.contains(&c) {
                out.funded.projects.push(c);
                out.greedy_added.push(c);
            }
        }
        out.funded.cost = instance.cost_of(&out.funded.projects);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::testing::{ejr_violation, small_profiles};
    use proptest::prelude::*;

    /// Peters & Skowron's motivating shape: a majority of 6 approving
    /// {a, b, c, d} and a minority of 4 approving {x, y}, 5 seats. Each
    /// voter holds 1/2; the majority (3) buys 3 seats at 1/6 each, the
    /// minority (2) buys 2 at 1/4 each: 3 : 2, and no money is left.
    #[test]
    fn proportional_split() {
        let p = ApprovalProfile::new(
            ["a", "b", "c", "d", "x", "y"].map(String::from).to_vec(),
            [(vec![0, 1, 2, 3], 6), (vec![4, 5], 4)],
        )
        .unwrap();
        let out = mes_committee(&p, 5, false).unwrap();
        assert_eq!(out.funded.projects, vec![0, 1, 2, 4, 5]);
        assert!(out.spending.iter().all(|&s| s == out.voter_budget));
    }

    /// The motivating example of the Equal Shares literature
    /// (equalshares.net; Peters & Skowron): 51% of voters support ten
    /// "red" candidates, 49% ten "blue" ones, ten seats. Approval voting
    /// gives the majority all ten. Plain MES (each voter holds 0.1) lets
    /// the reds buy 5 (5.1 available) and the blues 4 (4.9), leaving a
    /// seat; completion raises each share to 0.103 (3 steps of 1%), where
    /// the blues can afford a fifth (5.047) but the reds no sixth
    /// (5.253 < 6): 5 and 5.
    #[test]
    fn fifty_one_to_forty_nine() {
        let red: Vec<usize> = (0..10).collect();
        let blue: Vec<usize> = (10..20).collect();
        let p = ApprovalProfile::new(
            (0..20).map(|c| format!("c{c}")).collect(),
            [(red, 51), (blue, 49)],
        )
        .unwrap();
        let av = crate::committee::approval_voting(&p, 10).unwrap();
        assert!(av.elected.iter().all(|&c| c < 10));
        let plain = mes_committee(&p, 10, false).unwrap();
        let count = |w: &[usize]| {
            (
                w.iter().filter(|&&c| c < 10).count(),
                w.iter().filter(|&&c| c >= 10).count(),
            )
        };
        assert_eq!(count(&plain.funded.projects), (5, 4));
        let full = mes_committee(&p, 10, true).unwrap();
        assert_eq!(count(&full.funded.projects), (5, 5));
        assert_eq!(full.increments, 3);
        assert!(full.greedy_added.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// MES is EJR (Peters & Skowron 2020), with and without
        /// completion, checked exhaustively; completion fills k seats.
        #[test]
        fn mes_committees_are_ejr(p in small_profiles(), k in 1usize..=6, complete in any::<bool>()) {
            let k = k.min(p.candidates().len());
            let out = mes_committee(&p, k, complete).unwrap();
            prop_assert!(out.funded.projects.len() <= k);
            if complete {
                prop_assert_eq!(out.funded.projects.len(), k);
            }
            prop_assert_eq!(ejr_violation(&p, &out.funded.projects, k), None);
        }
    }
}
