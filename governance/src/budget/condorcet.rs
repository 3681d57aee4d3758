//! A Condorcet-consistent budgeting rule (Shapiro & Talmon, "A
//! participatory democratic budgeting algorithm", 2017).
//!
//! # The setting
//!
//! Members rank the projects (budget items) in the order they would
//! fund them; a ranking stands for a budget proposal, the longest prefix
//! of it that fits the budget limit. The *status quo* (last year's
//! budget) is itself such a ranking: a member who casts a blank ballot
//! keeps it, so the status quo is among the proposals and stands where
//! members do not move away from it. Unranked projects come after ranked
//! ones (the reading of [`crate::profile`]).
//!
//! # The rule
//!
//! Project `a` *dominates* `b` when a strict majority of all members
//! (more than `n / 2`, Shapiro & Talmon's strict-majority caveat) rank
//! `a` above `b`. The dominance pairs are locked in as in Tideman's
//! ranked pairs: strongest majority first, skipping any pair that would
//! close a cycle with pairs already locked. The locked pairs are acyclic;
//! the aggregate order lists the projects so that locked pairs point
//! forward (choosing the earliest-listed project whenever several are
//! free). The budget is the longest prefix of that order within the
//! limit.
//!
//! If some order of the projects has every earlier project dominating
//! every later one (a Condorcet order), every dominance pair agrees with
//! it, all are locked, and the rule returns that order's prefix: the
//! budget a majority prefers to every alternative prefix. Otherwise the
//! result follows the strongest majorities, which Shapiro & Talmon show
//! lies in the Smith set of budgets.
//!
//! Ties: equal majorities are locked in order of the projects' indices
//! (first listed first).

use super::{Funded, Instance};
use crate::profile::Profile;
use serde::Serialize;

/// Why the rule could not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CondorcetError {
    /// The rankings are not over the instance's projects.
    #[error(
        "the rankings are over {rankings} alternatives but the instance has {projects} projects"
    )]
    Mismatch {
        /// Alternatives in the profile.
        rankings: usize,
        /// Projects in the instance.
        projects: usize,
    },
    /// The status quo names a project twice or one that does not exist.
    #[error("the status quo must list distinct existing projects")]
    BadStatusQuo,
}

/// A locked majority: `winner` dominates `loser` with `votes` members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Majority {
    /// The preferred project.
    pub winner: usize,
    /// The other project.
    pub loser: usize,
    /// How many members rank `winner` above `loser`.
    pub votes: u64,
}

/// The outcome with its evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CondorcetBudget {
    /// The funded projects (a prefix of `order`).
    pub funded: Funded,
    /// The aggregate order of all projects.
    pub order: Vec<usize>,
    /// The majorities locked in, strongest first.
    pub locked: Vec<Majority>,
    /// Majorities skipped because they contradicted stronger ones (empty
    /// when the order is a Condorcet order).
    pub skipped: Vec<Majority>,
}

/// Runs the rule on rankings of the instance's projects (alternative `k`
/// of `rankings` is project `k`), with `status_quo` the ranking blank
/// ballots keep.
pub fn democratic_budget(
    instance: &Instance,
    rankings: &Profile,
    status_quo: &[usize],
) -> Result<CondorcetBudget, CondorcetError> {
    let m = instance.projects().len();
    if rankings.num_alternatives() != m {
        return Err(CondorcetError::Mismatch {
            rankings: rankings.num_alternatives(),
            projects: m,
        });
    }
    let mut seen = vec![false; m];
    for &p in status_quo {
        if p >= m || std::mem::replace(&mut seen[p], true) {
            return Err(CondorcetError::BadStatusQuo);
        }
    }
    // prefer[a * m + b]: members ranking a above b.
    let mut prefer = vec![0u64; m * m];
    let mut pos = vec![0u32; m];
    let add = |pos: &[u32], count: u64, prefer: &mut [u64]| {
        for a in 0..m {
            for b in 0..m {
                if pos[a] < pos[b] {
                    prefer[a * m + b] += count;
                }
            }
        }
    };
    let unranked = u32::MAX;
    for b in rankings.ballots() {
        pos.iter_mut().for_each(|x| *x = unranked);
        if b.ranking.is_empty() {
            for (k, &p) in status_quo.iter().enumerate() {
                pos[p] = k as u32;
            }
        } else {
            for (t, tier) in b.ranking.tiers().enumerate() {
                for a in tier {
                    pos[a] = t as u32;
                }
            }
        }
        add(&pos, b.count, &mut prefer);
    }
    let n = rankings.num_voters();
    let mut majorities: Vec<Majority> = Vec::new();
    for a in 0..m {
        for b in 0..m {
            let v = prefer[a * m + b];
            if a != b && 2 * v > n {
                majorities.push(Majority {
                    winner: a,
                    loser: b,
                    votes: v,
                });
            }
        }
    }
    majorities.sort_by(|x, y| {
        y.votes
            .cmp(&x.votes)
            .then(x.winner.cmp(&y.winner))
            .then(x.loser.cmp(&y.loser))
    });
    // reach[a * m + b]: a path a → b of locked pairs exists.
    let mut reach = vec![false; m * m];
    let (mut locked, mut skipped) = (Vec::new(), Vec::new());
    for maj in majorities {
        let (a, b) = (maj.winner, maj.loser);
        if reach[b * m + a] {
            skipped.push(maj);
            continue;
        }
        // Everything reaching a (and a) now reaches everything b reaches
        // (and b).
        let from: Vec<usize> = (0..m).filter(|&x| x == a || reach[x * m + a]).collect();
        let to: Vec<usize> = (0..m).filter(|&y| y == b || reach[b * m + y]).collect();
        for &x in &from {
            for &y in &to {
                reach[x * m + y] = true;
            }
        }
        locked.push(maj);
    }
    // Order: repeatedly take the first project no remaining project
    // beats through locked pairs.
    let mut placed = vec![false; m];
    let mut order = Vec::with_capacity(m);
    while order.len() < m {
        let next = (0..m)
            .find(|&x| !placed[x] && (0..m).all(|y| placed[y] || !reach[y * m + x]))
            .unwrap_or_else(|| (0..m).find(|&x| !placed[x]).unwrap_or(0));
        placed[next] = true;
        order.push(next);
    }
    let mut funded = Vec::new();
    for &p in &order {
        let mut with = funded.clone();
        with.push(p);
        if instance.cost_of(&with) > instance.budget() {
            break;
        }
        funded = with;
    }
    Ok(CondorcetBudget {
        funded: Funded {
            cost: instance.cost_of(&funded),
            projects: funded,
        },
        order,
        locked,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::testing::approval_instance;
    use proptest::prelude::*;

    fn profile(m: usize, ballots: &[(&[usize], u64)]) -> Profile {
        let mut p = Profile::with_names((0..m).map(|c| format!("p{c}")));
        for (order, count) in ballots {
            p.add_strict(order, *count).unwrap();
        }
        p
    }

    /// A majority-preferred order is followed and cut at the limit: 3
    /// members rank 2 > 0 > 1, 2 members 1 > 0 > 2; every pair has a
    /// 3-of-5 majority for the first group's order. Costs 4, 4, 4 and a
    /// limit of 9: fund 2 and 0.
    #[test]
    fn follows_a_condorcet_order() {
        let inst = approval_instance(9, &[4, 4, 4], &[]);
        let p = profile(3, &[(&[2, 0, 1], 3), (&[1, 0, 2], 2)]);
        let out = democratic_budget(&inst, &p, &[]).unwrap();
        assert_eq!(out.order, vec![2, 0, 1]);
        assert_eq!(out.funded.projects, vec![2, 0]);
        assert!(out.skipped.is_empty());
    }

    /// Blank ballots keep the status quo: with 3 blank members keeping
    /// [1, 0] and 2 members ranking 0 > 1, the status quo stands.
    #[test]
    fn blank_ballots_keep_the_status_quo() {
        let inst = approval_instance(4, &[4, 4], &[]);
        let mut p = profile(2, &[(&[0, 1], 2)]);
        p.add(crate::profile::Ranking::empty(), 3).unwrap();
        let out = democratic_budget(&inst, &p, &[1, 0]).unwrap();
        assert_eq!(out.funded.projects, vec![1]);
    }

    /// Condorcet's paradox: 4 members rank 0 > 1 > 2, 3 rank 1 > 2 > 0,
    /// 2 rank 2 > 0 > 1. Majorities: 1 over 2 by 7, 0 over 1 by 6, 2 over
    /// 0 by 5 of 9, a cycle. Ranked pairs locks 7 and 6 and skips the
    /// weakest: the order is 0, 1, 2.
    #[test]
    fn cycles_drop_the_weakest_majority() {
        let inst = approval_instance(2, &[1, 1, 1], &[]);
        let p = profile(3, &[(&[0, 1, 2], 4), (&[1, 2, 0], 3), (&[2, 0, 1], 2)]);
        let out = democratic_budget(&inst, &p, &[]).unwrap();
        let pairs: Vec<(usize, usize, u64)> = out
            .locked
            .iter()
            .map(|x| (x.winner, x.loser, x.votes))
            .collect();
        assert_eq!(pairs, vec![(1, 2, 7), (0, 1, 6)]);
        assert_eq!(
            out.skipped,
            vec![Majority {
                winner: 2,
                loser: 0,
                votes: 5
            }]
        );
        assert_eq!(out.order, vec![0, 1, 2]);
        assert_eq!(out.funded.projects, vec![0, 1]);
    }

    #[test]
    fn refuses_mismatched_input() {
        let inst = approval_instance(10, &[1, 1], &[]);
        assert!(matches!(
            democratic_budget(&inst, &profile(3, &[]), &[]),
            Err(CondorcetError::Mismatch { .. })
        ));
        assert_eq!(
            democratic_budget(&inst, &profile(2, &[]), &[0, 0]),
            Err(CondorcetError::BadStatusQuo)
        );
    }

    proptest! {
        /// Condorcet consistency: when a strict majority casts the same
        /// complete ranking, the budget is that ranking's prefix.
        #[test]
        fn a_united_majority_gets_its_budget(
            perm in Just((0..5usize).collect::<Vec<_>>()).prop_shuffle(),
            majority in 3u64..10,
            others in proptest::collection::vec(Just((0..5usize).collect::<Vec<_>>()).prop_shuffle(), 0..3),
            costs in proptest::collection::vec(1u64..5, 5),
            limit in 1u64..20,
        ) {
            let inst = approval_instance(limit, &costs, &[]);
            let mut p = Profile::with_names((0..5).map(|c| format!("p{c}")));
            p.add_strict(&perm, majority).unwrap();
            let minority = others.len() as u64;
            prop_assume!(majority > minority);
            for o in &others { p.add_strict(o, 1).unwrap(); }
            let out = democratic_budget(&inst, &p, &[]).unwrap();
            prop_assert_eq!(&out.order, &perm);
            let mut prefix = Vec::new();
            for &x in &perm {
                let mut w = prefix.clone(); w.push(x);
                if inst.cost_of(&w) > inst.budget() { break; }
                prefix = w;
            }
            prop_assert_eq!(out.funded.projects, prefix);
        }
    }
}
