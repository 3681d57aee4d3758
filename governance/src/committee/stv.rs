//! The single transferable vote, Scottish rules.
//!
//! # Why this variant
//!
//! We count STV as the Scottish Local Government Elections Order 2007
//! (Schedule 1, rules 45–52) prescribes: the Weighted Inclusive Gregory
//! Method with Droop quota. It is a statutory, fully specified variant
//! used in real public elections, its arithmetic is decimal fixed point
//! (five places, remainders dropped), so a count is exactly reproducible
//! by hand and by other implementations, and it treats all of a winner's
//! ballots alike (inclusive Gregory), unlike the random-sample rules of
//! older Irish law. Meek's method is more elegant (it re-weights through
//! elected candidates and recomputes the quota) but needs iteration to a
//! tolerance, so two correct programs can differ; for a community's board
//! we prefer the rule anyone can audit with a calculator.
//!
//! # The count
//!
//! * Every ballot paper starts with value 1.00000 and goes to its first
//!   preference. The quota is `⌊valid papers / (seats + 1)⌋ + 1`.
//! * A candidate whose votes reach the quota is elected. Her surplus
//!   `s = votes − quota` is transferred: *every* paper she holds goes to
//!   its next continuing preference with value
//!   `⌊s · value / votes⌋` (in units of 10⁻⁵); papers with no continuing
//!   preference are non-transferable. Her total becomes the quota. The
//!   largest surplus is transferred first.
//! * When no surplus is pending, the candidate with the fewest votes is
//!   excluded and all her papers go to their next continuing preference
//!   at their current value.
//! * The count ends when all seats are filled, or when the continuing
//!   candidates are as many as the seats left (they are all elected).
//!
//! # Ties (documented in [`TIE_BREAK`])
//!
//! Equal surpluses, equal lowest votes, or candidates reaching the quota
//! at the same stage with equal votes are ordered by their votes at the
//! earliest stage at which they differed (rules 49 and 50); where the
//! Order draws lots we take the candidate listed first in the file as the
//! winner of the lot (its surplus goes first, it is not excluded).
//!
//! # Ballots
//!
//! Rankings must be strict (STV transfers a paper to one next
//! preference); ballots may be truncated. Blank ballots are not valid
//! papers.

use super::CommitteeError;
use crate::profile::Profile;
use serde::Serialize;
use std::cmp::Ordering;
use std::fmt::Write as _;

/// One vote in units of 10⁻⁵.
pub const UNIT: u64 = 100_000;

/// The tie-break rule, as printed with results.
pub const TIE_BREAK: &str = "Scottish STV: ties go by the votes at the earliest stage at which the tied candidates differed; where the law draws lots, the candidate listed first in the file is favoured (surplus first, not excluded)";

/// What a stage of the count did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "candidate")]
pub enum StageAction {
    /// The first preferences were counted.
    FirstPreferences,
    /// A surplus was transferred.
    Surplus(usize),
    /// A candidate was excluded and her papers transferred.
    Exclusion(usize),
}

/// One stage of the count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// What happened.
    pub action: StageAction,
    /// Each candidate's votes after the stage, in units of 10⁻⁵.
    pub votes: Vec<u64>,
    /// Non-transferable votes so far (papers with no further preference
    /// and fractions lost to truncation), in units of 10⁻⁵.
    pub non_transferable: u64,
    /// Candidates elected at the end of this stage, in order.
    pub elected: Vec<usize>,
}

/// The result of an STV count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StvOutcome {
    /// The elected candidates, in order of election.
    pub elected: Vec<usize>,
    /// The quota, in whole votes.
    pub quota: u64,
    /// The stages of the count.
    pub stages: Vec<Stage>,
}

#[derive(Clone, Copy)]
struct Parcel {
    ballot: usize,
    pos: usize,
    value: u64,
    count: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Continuing,
    Elected,
    Excluded,
}

/// Counts `profile` for `seats` seats under the Scottish STV rules.
pub fn scottish_stv(profile: &Profile, seats: usize) -> Result<StvOutcome, CommitteeError> {
    let m = profile.num_alternatives();
    if seats == 0 || seats > m {
        return Err(CommitteeError::BadSeats {
            seats,
            candidates: m,
        });
    }
    let orders: Vec<Vec<usize>> = profile
        .ballots()
        .iter()
        .map(|b| {
            if b.ranking.is_strict() {
                Ok(b.ranking.order().collect())
            } else {
                let tied = b.ranking.tiers().map(|t| t.len()).max().unwrap_or(0);
                Err(CommitteeError::TiedRanking(tied))
            }
        })
        .collect::<Result<_, _>>()?;
    let valid: u64 = profile
        .ballots()
        .iter()
        .filter(|b| !b.ranking.is_empty())
        .map(|b| b.count)
        .sum();
    // Votes are at most valid · UNIT; products at most that times UNIT.
    valid
        .checked_mul(UNIT)
        .and_then(|x| x.checked_mul(UNIT))
        .ok_or(CommitteeError::TooManyVoters(valid))?;
    let quota = valid / (seats as u64 + 1) + 1;
    let quota_units = quota * UNIT;
    let mut status = vec![Status::Continuing; m];
    let mut piles: Vec<Vec<Parcel>> = vec![Vec::new(); m];
    let mut votes = vec![0u64; m];
    let mut non_transferable = 0u64;
    for (ballot, (order, b)) in orders.iter().zip(profile.ballots()).enumerate() {
        if let Some(&first) = order.first() {
            piles[first].push(Parcel {
                ballot,
                pos: 0,
                value: UNIT,
                count: b.count,
            });
            votes[first] += UNIT * b.count;
        }
    }
    let mut stages: Vec<Stage> = Vec::new();
    let mut elected: Vec<usize> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    let mut action = StageAction::FirstPreferences;
    loop {
        // Elect everyone at or above the quota, most votes first.
        let mut newly: Vec<usize> = (0..m)
            .filter(|&c| status[c] == Status::Continuing && votes[c] >= quota_units)
            .collect();
        newly.sort_by(|&a, &b| {
            votes[b]
                .cmp(&votes[a])
                .then_with(|| earliest_difference(&stages, b, a))
                .then(a.cmp(&b))
        });
        newly.truncate(seats - elected.len());
        for &c in &newly {
            status[c] = Status::Elected;
            elected.push(c);
            pending.push(c);
        }
        stages.push(Stage {
            action: action.clone(),
            votes: votes.clone(),
            non_transferable,
            elected: newly,
        });
        if elected.len() == seats {
            break;
        }
        let continuing: Vec<usize> = (0..m)
            .filter(|&c| status[c] == Status::Continuing)
            .collect();
        if continuing.len() <= seats - elected.len() {
            let mut rest = continuing;
            rest.sort_by(|&a, &b| votes[b].cmp(&votes[a]).then(a.cmp(&b)));
            for &c in &rest {
                status[c] = Status::Elected;
                elected.push(c);
            }
            if let Some(last) = stages.last_mut() {
                last.elected.extend(rest);
            }
            break;
        }
        // Transfer the largest pending surplus, if any.
        pending.sort_by(|&a, &b| {
            votes[b]
                .cmp(&votes[a])
                .then_with(|| earliest_difference(&stages, b, a))
                .then(a.cmp(&b))
        });
        if !pending.is_empty() {
            let c = pending.remove(0);
            let total = votes[c];
            let surplus = total - quota_units;
            let pile = std::mem::take(&mut piles[c]);
            let mut passed = 0u64;
            for p in pile {
                let value = (u128::from(surplus) * u128::from(p.value) / u128::from(total)) as u64;
                passed += value * p.count;
                non_transferable += transfer(
                    &orders,
                    &status,
                    Parcel { value, ..p },
                    &mut piles,
                    &mut votes,
                );
            }
            // What truncation dropped is lost to the count.
            non_transferable += surplus - passed;
            votes[c] = quota_units;
            action = StageAction::Surplus(c);
            continue;
        }
        // Exclude the continuing candidate with the fewest votes.
        let Some(&loser) = (0..m)
            .filter(|&c| status[c] == Status::Continuing)
            .collect::<Vec<_>>()
            .iter()
            .min_by(|&&a, &&b| {
                votes[a]
                    .cmp(&votes[b])
                    .then_with(|| earliest_difference(&stages, a, b))
                    .then(b.cmp(&a))
            })
        else {
            break;
        };
        status[loser] = Status::Excluded;
        votes[loser] = 0;
        for p in std::mem::take(&mut piles[loser]) {
            non_transferable += transfer(&orders, &status, p, &mut piles, &mut votes);
        }
        action = StageAction::Exclusion(loser);
    }
    Ok(StvOutcome {
        elected,
        quota,
        stages,
    })
}

/// Moves a parcel to its next continuing preference; returns the votes
/// that became non-transferable.
fn transfer(
    orders: &[Vec<usize>],
    status: &[Status],
    p: Parcel,
    piles: &mut [Vec<Parcel>],
    votes: &mut [u64],
) -> u64 {
    let order = &orders[p.ballot];
    match (p.pos + 1..order.len()).find(|&k| status[order[k]] == Status::Continuing) {
        Some(k) => {
            let c = order[k];
            votes[c] += p.value * p.count;
            piles[c].push(Parcel { pos: k, ..p });
            0
        }
        None => p.value * p.count,
    }
}

/// Compares `a` and `b` by their votes at the earliest stage at which
/// they differed (`Equal` if never).
fn earliest_difference(stages: &[Stage], a: usize, b: usize) -> Ordering {
    stages
        .iter()
        .map(|s| s.votes[a].cmp(&s.votes[b]))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// A human-readable account of the count, stage by stage.
pub fn describe(out: &StvOutcome, profile: &Profile) -> String {
    let name = |c: usize| profile.alternatives()[c].name.clone();
    let fmt = |v: u64| format!("{}.{:05}", v / UNIT, v % UNIT);
    let mut t = format!("quota {}\n", out.quota);
    for (k, s) in out.stages.iter().enumerate() {
        let what = match s.action {
            StageAction::FirstPreferences => "first preferences".to_string(),
            StageAction::Surplus(c) => format!("surplus of {}", name(c)),
            StageAction::Exclusion(c) => format!("exclusion of {}", name(c)),
        };
        let _ = write!(t, "stage {}: {what}:", k + 1);
        for (c, &v) in s.votes.iter().enumerate() {
            if v > 0 {
                let _ = write!(t, " {} {}", name(c), fmt(v));
            }
        }
        let _ = write!(t, "; non-transferable {}", fmt(s.non_transferable));
        if !s.elected.is_empty() {
            let names: Vec<String> = s.elected.iter().map(|&c| name(c)).collect();
            let _ = write!(t, "; elected {}", names.join(", "));
        }
        t.push('\n');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Ranking;
    use proptest::prelude::*;

    fn profile(m: usize, ballots: &[(&[usize], u64)]) -> Profile {
        let mut p = Profile::with_names((0..m).map(|c| format!("c{c}")));
        for (order, count) in ballots {
            p.add_strict(order, *count).unwrap();
        }
        p
    }

    /// 60 papers A > B, 30 C, 10 B > C; 2 seats; quota ⌊100/3⌋ + 1 = 34.
    /// A is elected with a surplus of 26, each of her 60 papers passing
    /// on ⌊26 / 60⌋ = 0.43333, so B gets 10 + 25.99980 = 35.99980 and is
    /// elected; 0.00020 is lost to truncation. Plurality would have
    /// elected C.
    #[test]
    fn surplus_transfer_worked_example() {
        let p = profile(3, &[(&[0, 1], 60), (&[2], 30), (&[1, 2], 10)]);
        let out = scottish_stv(&p, 2).unwrap();
        assert_eq!(out.quota, 34);
        assert_eq!(out.elected, vec![0, 1]);
        assert_eq!(out.stages[1].action, StageAction::Surplus(0));
        assert_eq!(out.stages[1].votes, vec![34 * UNIT, 3_599_980, 30 * UNIT]);
        assert_eq!(out.stages[1].non_transferable, 20);
        assert_eq!(super::super::plurality(&p, 2).unwrap().elected, vec![0, 2]);
    }

    /// One seat is instant runoff: A 40, B 35, C 25 with C's papers going
    /// to B: C is excluded and B wins 60 to 40.
    #[test]
    fn exclusion_transfers_at_full_value() {
        let p = profile(3, &[(&[0], 40), (&[1], 35), (&[2, 1], 25)]);
        let out = scottish_stv(&p, 1).unwrap();
        assert_eq!(out.elected, vec![1]);
        assert_eq!(out.stages[1].action, StageAction::Exclusion(2));
        assert_eq!(out.stages[1].votes, vec![40 * UNIT, 60 * UNIT, 0]);
    }

    /// Equal lowest votes now, but C trailed B at the first stage: C is
    /// excluded (earliest-difference rule), not B.
    #[test]
    fn ties_look_back_to_the_earliest_difference() {
        let p = profile(4, &[(&[0], 50), (&[1], 21), (&[2], 20), (&[3, 2], 1)]);
        let out = scottish_stv(&p, 1).unwrap();
        // Quota 47: A is elected at once.
        assert_eq!(out.elected, vec![0]);
        let p = profile(4, &[(&[0], 30), (&[1], 21), (&[2], 20), (&[3, 2], 1)]);
        let out = scottish_stv(&p, 1).unwrap();
        // Quota 37. Exclude D: B 21, C 21 tie; C had 20 < 21 at stage 1.
        assert_eq!(out.stages[2].action, StageAction::Exclusion(2));
    }

    #[test]
    fn refuses_tied_rankings() {
        let mut p = Profile::with_names(["a", "b", "c"]);
        p.add(Ranking::from_tiers([vec![0, 1], vec![2]]).unwrap(), 1)
            .unwrap();
        assert_eq!(scottish_stv(&p, 1), Err(CommitteeError::TiedRanking(2)));
    }

    proptest! {
        /// Droop proportionality for solid coalitions: if more than
        /// ℓ · n / (k + 1) voters rank the same ℓ candidates above all
        /// others, all ℓ are elected. Here a coalition ranks {0, 1} on
        /// top and everyone else ranks at random.
        #[test]
        fn solid_coalitions_get_their_seats(
            coalition in 1u64..40,
            others in proptest::collection::vec((proptest::collection::vec(0usize..5, 1..5), 1u64..5), 1..8),
            flip in any::<bool>(),
        ) {
            let seats = 3;
            let mut p = Profile::with_names((0..5).map(|c| format!("c{c}")));
            let top: &[usize] = if flip { &[1, 0, 2] } else { &[0, 1, 3] };
            p.add_strict(top, coalition).unwrap();
            for (order, count) in &others {
                let mut seen = Vec::new();
                for &c in order {
                    if !seen.contains(&c) && c >= 2 { seen.push(c); }
                }
                p.add_strict(&seen, *count).unwrap();
            }
            let n = p.ballots().iter().filter(|b| !b.ranking.is_empty()).map(|b| b.count).sum::<u64>();
            let out = scottish_stv(&p, seats).unwrap();
            prop_assert_eq!(out.elected.len(), seats);
            for s in &out.stages {
                prop_assert_eq!(s.votes.iter().sum::<u64>() + s.non_transferable, n * UNIT);
            }
            if coalition * (seats as u64 + 1) > 2 * n + 2 * (seats as u64 + 1) {
                prop_assert!(out.elected.contains(&0) && out.elected.contains(&1), "{:?}", out);
            }
        }
    }
}
