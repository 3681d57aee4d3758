//! Greedy utilitarian welfare: the baseline most cities use.
//!
//! Projects are ranked by total utility per unit of cost,
//! `U(p) / c(p)` with `U(p) = Σ_i u_i(p)`; walking down the ranking, each
//! project that still fits in the money left is funded, and a project
//! that does not fit is skipped (the walk continues with cheaper ones).
//! Under [`Utility::Cost`] on approval ballots `U(p) / c(p)` is the
//! number of approvals, so this is "most votes first"; under
//! [`Utility::Cardinality`] it is approvals per unit of cost. Projects
//! costing nothing come first. The ratios are compared exactly (as
//! fractions); equal ratios go to the project earlier in the instance.
//! Projects nobody supports are never funded.

use super::{cmp_fractions, Funded, Instance, Money, Utility};
use serde::Serialize;
use std::cmp::Ordering;

/// One step of the greedy walk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GreedyStep {
    /// The project considered.
    pub project: usize,
    /// The sum of its supporters' scores.
    pub score: u64,
    /// Whether it was funded (else it did not fit).
    pub funded: bool,
}

/// The greedy outcome with the walk as evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GreedyOutcome {
    /// The funded projects, in order.
    pub funded: Funded,
    /// Every supported project in ranking order, funded or skipped.
    pub steps: Vec<GreedyStep>,
}

/// Supported projects ranked by total utility per cost, best first.
fn ranking(instance: &Instance, utility: Utility) -> Vec<(usize, u64)> {
    let mut score = vec![0u64; instance.projects().len()];
    for b in instance.ballots() {
        for (p, s) in b.items() {
            score[p] += u64::from(s);
        }
    }
    let projects = instance.projects();
    // U(p) / c(p) = score · w(p) / c(p).
    let ratio = |p: usize| -> (u128, u128) {
        (
            u128::from(score[p]) * utility.weight(&projects[p]),
            u128::from(projects[p].cost.micros()),
        )
    };
    let mut order: Vec<usize> = (0..projects.len()).filter(|&p| score[p] > 0).collect();
    order.sort_by(|&a, &b| {
        let ((ua, ca), (ub, cb)) = (ratio(a), ratio(b));
        let by_ratio = match (ca == 0, cb == 0) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => cmp_fractions(ub, cb, ua, ca),
        };
        by_ratio.then(a.cmp(&b))
    });
    order.into_iter().map(|p| (p, score[p])).collect()
}

fn walk(instance: &Instance, utility: Utility, already: &[usize]) -> (Vec<usize>, Vec<GreedyStep>) {
    let mut taken = vec![false; instance.projects().len()];
    for &p in already {
        taken[p] = true;
    }
    let mut left = instance
        .budget()
        .checked_sub(instance.cost_of(already))
        .unwrap_or(Money::ZERO);
    let mut added = Vec::new();
    let mut steps = Vec::new();
    for (p, score) in ranking(instance, utility) {
        if taken[p] {
            continue;
        }
        let cost = instance.projects()[p].cost;
        let fits = cost <= left;
        if fits {
            left = left.checked_sub(cost).unwrap_or(Money::ZERO);
            added.push(p);
        }
        steps.push(GreedyStep {
            project: p,
            score,
            funded: fits,
        });
    }
    (added, steps)
}

/// Greedy utilitarian welfare.
pub fn greedy(instance: &Instance, utility: Utility) -> GreedyOutcome {
    let (projects, steps) = walk(instance, utility, &[]);
    GreedyOutcome {
        funded: Funded {
            cost: instance.cost_of(&projects),
            projects,
        },
        steps,
    }
}

/// The projects greedy adds to an outcome `already` funded, spending
/// only the money it leaves (used to complete MES).
pub fn greedy_fill(instance: &Instance, utility: Utility, already: &[usize]) -> Vec<usize> {
    walk(instance, utility, already).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::testing::approval_instance as inst;
    use crate::budget::Ballot;

    #[test]
    fn most_votes_first_skipping_what_does_not_fit() {
        // Votes: p0 3, p1 2, p2 1, p3 0. Budget 10: p0 (6) fits, p1 (5)
        // does not, p2 (4) does; p3 has no supporters.
        let i = inst(10, &[6, 5, 4, 1], &[&[0, 1], &[0, 1], &[0, 2]]);
        let g = greedy(&i, Utility::Cost);
        assert_eq!(g.funded.projects, vec![0, 2]);
        assert_eq!(g.funded.cost, Money::from_units(10).unwrap());
        assert_eq!(
            g.steps
                .iter()
                .map(|s| (s.project, s.funded))
                .collect::<Vec<_>>(),
            vec![(0, true), (1, false), (2, true)]
        );
    }

    #[test]
    fn cardinality_ranks_votes_per_cost() {
        // p0: 3 votes / 6 = 0.5, p1: 2 votes / 2 = 1, p2: 1 vote / 4.
        let i = inst(8, &[6, 2, 4], &[&[0, 1], &[0, 1], &[0, 2]]);
        assert_eq!(greedy(&i, Utility::Cardinality).funded.projects, vec![1, 0]);
    }

    proptest::proptest! {
        /// Support monotonicity: if a voter adds her approval to a funded
        /// project, it stays funded (it moves up the ranking, so less is
        /// spent before it is reached).
        #[test]
        fn more_support_keeps_a_project_funded(
            inst in crate::budget::testing::small_instances(),
            voter in 0usize..8,
            pick in 0usize..5,
            cost_util in proptest::prelude::any::<bool>(),
        ) {
            let utility = if cost_util { Utility::Cost } else { Utility::Cardinality };
            let before = greedy(&inst, utility).funded.projects;
            proptest::prop_assume!(!before.is_empty());
            let p = before[pick % before.len()];
            let i = voter % inst.num_voters();
            let mut ballots = inst.ballots().to_vec();
            let approved: Vec<usize> = ballots[i].items().map(|(q, _)| q).chain([p]).collect();
            let mut approved = approved;
            approved.sort_unstable();
            approved.dedup();
            ballots[i] = Ballot::approval(approved);
            let more = Instance::new(inst.budget(), inst.projects().to_vec(), ballots).unwrap();
            proptest::prop_assert!(greedy(&more, utility).funded.projects.contains(&p));
        }
    }

    #[test]
    fn equal_ratios_go_to_the_earlier_project() {
        let i = inst(5, &[5, 5], &[&[0, 1]]);
        assert_eq!(greedy(&i, Utility::Cost).funded.projects, vec![0]);
    }
}
