//! Committees: electing a board of `k` members proportionally.
//!
//! Approval rules take an [`ApprovalProfile`]: candidates and weighted
//! approval ballots (identical ballots may share one entry with a count).
//! Build one from a pabulib file's approval ballots
//! ([`ApprovalProfile::from_budget_instance`], projects become candidates,
//! costs are ignored) or from ranked ballots
//! ([`ApprovalProfile::from_rankings`], approving the first tiers).
//!
//! The rules:
//!
//! | rule | module | proportionality |
//! | --- | --- | --- |
//! | Proportional Approval Voting (`pav`: the optimum) | [`pav::pav_exact`] | EJR |
//! | sequential PAV (`seqpav`) | [`pav::pav_sequential`] | PJR for small k, not EJR |
//! | sequential Phragmén | [`phragmen`] | PJR, priceability |
//! | Method of Equal Shares | [`mes`] | EJR |
//! | approval voting (top k) | [`approval_voting`] | none (baseline) |
//! | plurality / SNTV (top k by first places) | [`plurality`] | none (baseline) |
//! | Scottish STV | [`stv`] | proportional for solid coalitions (Droop) |
//!
//! The rules on approval ballots are named as in abcvoting
//! ([`rule::CommitteeRule`]): `pav` is the optimal PAV committee, `seqpav`
//! the sequential approximation.
//!
//! Ties are always broken in favour of the candidate with the lower index
//! (the order of the file), except where STV's own rule applies first.
//!
//! A board is a set of candidates; boards are compared by the size of
//! their symmetric difference ([`symmetric_difference`]), the number of
//! seats that change hands, which is the metric the constitutional rule
//! uses for boards. That is the product of one `{0, 1}` line per
//! candidate, so a board is an element of the constitutional rule's
//! [`crate::metric::Space::Product`] ([`board_space`],
//! [`board_element`]).

pub mod mes;
pub mod pav;
pub mod phragmen;
pub mod rule;
pub mod stv;
use crate::budget::Instance;
use crate::profile::Profile;
use serde::Serialize;

/// Why a committee election could not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommitteeError {
    /// No seats, or more seats than candidates.
    #[error("cannot fill {seats} seats from {candidates} candidates")]
    BadSeats {
        /// Seats asked for.
        seats: usize,
        /// Candidates available.
        candidates: usize,
    },
    /// An approval ballot names a candidate that does not exist.
    #[error("a ballot approves candidate index {index}, but there are {count} candidates")]
    UnknownCandidate {
        /// The offending index.
        index: usize,
        /// How many candidates there are.
        count: usize,
    },
    /// The exact rule would have to try too many committees.
    #[error(
        "exact PAV would try {0} committees; use seqpav, sequential PAV (at most 10^7 supported)"
    )]
    TooManyCommittees(u128),
    /// The numbers are too large for exact arithmetic.
    #[error("the election is too large for exact 128-bit arithmetic")]
    TooLarge,
    /// STV needs strict rankings.
    #[error("STV needs strict rankings, but a ballot ties {0} alternatives")]
    TiedRanking(usize),
    /// A ballot count exceeds what the rule supports.
    #[error("{0} voters is more than the 4294967295 supported")]
    TooManyVoters(u64),
}

/// Candidates and weighted approval ballots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalProfile {
    candidates: Vec<String>,
    ballots: Vec<(Vec<u32>, u64)>,
}

impl ApprovalProfile {
    /// A profile from candidate names and `(approved indices, count)`
    /// ballots. Duplicates within a ballot are removed.
    pub fn new(
        candidates: Vec<String>,
        ballots: impl IntoIterator<Item = (Vec<usize>, u64)>,
    ) -> Result<ApprovalProfile, CommitteeError> {
        let m = candidates.len();
        let mut out = Vec::new();
        for (mut approved, count) in ballots {
            approved.sort_unstable();
            approved.dedup();
            if let Some(&bad) = approved.iter().find(|&&c| c >= m) {
                return Err(CommitteeError::UnknownCandidate {
                    index: bad,
                    count: m,
                });
            }
            if count > 0 {
                out.push((approved.into_iter().map(|c| c as u32).collect(), count));
            }
        }
        Ok(ApprovalProfile {
            candidates,
            ballots: out,
        })
    }

    /// The projects of a budgeting instance as candidates, its ballots'
    /// supported projects as approvals (costs and scores ignored).
    pub fn from_budget_instance(instance: &Instance) -> ApprovalProfile {
        ApprovalProfile {
            candidates: instance.projects().iter().map(|p| p.id.clone()).collect(),
            ballots: instance
                .ballots()
                .iter()
                .map(|b| (b.items().map(|(p, _)| p as u32).collect(), 1))
                .collect(),
        }
    }

    /// Approvals from ranked ballots: each voter approves the alternatives
    /// in her first `top_tiers` indifference classes (all she ranks when
    /// `top_tiers` is `None`).
    pub fn from_rankings(profile: &Profile, top_tiers: Option<usize>) -> ApprovalProfile {
        let candidates = profile
            .alternatives()
            .iter()
            .map(|a| a.name.clone())
            .collect();
        let ballots = profile
            .ballots()
            .iter()
            .map(|b| {
                let mut approved: Vec<u32> = b
                    .ranking
                    .tiers()
                    .take(top_tiers.unwrap_or(usize::MAX))
                    .flat_map(|t| t.iter().map(|&a| a as u32).collect::<Vec<_>>())
                    .collect();
                approved.sort_unstable();
                (approved, b.count)
            })
            .collect();
        ApprovalProfile {
            candidates,
            ballots,
        }
    }

    /// The candidates' names.
    pub fn candidates(&self) -> &[String] {
        &self.candidates
    }

    /// `(approved candidates sorted, count)` ballots.
    pub fn ballots(&self) -> &[(Vec<u32>, u64)] {
        &self.ballots
    }

    /// The number of voters (sum of counts).
    pub fn num_voters(&self) -> u64 {
        self.ballots.iter().map(|(_, c)| c).sum()
    }

    /// Each candidate's approval count.
    pub fn approval_counts(&self) -> Vec<u64> {
        let mut counts = vec![0u64; self.candidates.len()];
        for (approved, count) in &self.ballots {
            for &c in approved {
                counts[c as usize] += count;
            }
        }
        counts
    }

    fn check_seats(&self, seats: usize) -> Result<(), CommitteeError> {
        if seats == 0 || seats > self.candidates.len() {
            return Err(CommitteeError::BadSeats {
                seats,
                candidates: self.candidates.len(),
            });
        }
        Ok(())
    }
}

/// A committee elected by a score-ranking rule, with each winner's score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ranked {
    /// The elected candidates, best score first.
    pub elected: Vec<usize>,
    /// Every candidate's score (approvals or first places).
    pub scores: Vec<u64>,
}

fn top_k(scores: Vec<u64>, seats: usize) -> Ranked {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].cmp(&scores[a]).then(a.cmp(&b)));
    order.truncate(seats);
    Ranked {
        elected: order,
        scores,
    }
}

/// Approval voting (block approval): the `seats` candidates with the
/// most approvals. A majority takes every seat.
pub fn approval_voting(profile: &ApprovalProfile, seats: usize) -> Result<Ranked, CommitteeError> {
    profile.check_seats(seats)?;
    Ok(top_k(profile.approval_counts(), seats))
}

/// Plurality (single non-transferable vote): the `seats` candidates
/// ranked first by the most voters. Every alternative in a ballot's top
/// tier counts as ranked first by it.
pub fn plurality(profile: &Profile, seats: usize) -> Result<Ranked, CommitteeError> {
    let m = profile.num_alternatives();
    if seats == 0 || seats > m {
        return Err(CommitteeError::BadSeats {
            seats,
            candidates: m,
        });
    }
    let mut scores = vec![0u64; m];
    for b in profile.ballots() {
        for a in b.ranking.top() {
            scores[a] += b.count;
        }
    }
    Ok(top_k(scores, seats))
}

/// The constitutional rule's space of boards over `candidates`: one
/// `{0, 1}` line per candidate, so that the product distance is
/// `|A △ B|`.
pub fn board_space(candidates: &[String]) -> crate::metric::Space {
    crate::metric::Space::Product {
        components: candidates
            .iter()
            .map(|c| crate::metric::Component {
                name: c.clone(),
                space: crate::metric::Space::Line { min: 0, max: 1 },
            })
            .collect(),
    }
}

/// A board (candidate indices below `m`) as an element of
/// [`board_space`]: 1 for members, 0 for the others.
pub fn board_element(board: &[usize], m: usize) -> crate::metric::Element {
    crate::metric::Element::Tuple(
        (0..m)
            .map(|c| crate::metric::Element::Number(i64::from(board.contains(&c))))
            .collect(),
    )
}

/// The number of seats that differ between two boards, `|A △ B|`: the
/// metric on boards (sets of candidates). Duplicates are ignored.
pub fn symmetric_difference(a: &[usize], b: &[usize]) -> usize {
    let sa: std::collections::BTreeSet<_> = a.iter().collect();
    let sb: std::collections::BTreeSet<_> = b.iter().collect();
    sa.symmetric_difference(&sb).count()
}

#[cfg(test)]
pub(crate) mod testing {
    use super::ApprovalProfile;
    use proptest::prelude::*;

    /// An approval profile over candidates `c0..c{m-1}` from
    /// (approved candidates, number of voters) pairs.
    pub(crate) fn profile(ballots: &[(&[usize], u64)], m: usize) -> ApprovalProfile {
        ApprovalProfile::new(
            (0..m).map(|c| format!("c{c}")).collect(),
            ballots.iter().map(|(a, c)| (a.to_vec(), *c)),
        )
        .unwrap()
    }

    /// Random approval profiles: up to 6 candidates, up to 8 voters.
    pub(crate) fn small_profiles() -> impl Strategy<Value = ApprovalProfile> {
        (1usize..=6, 1usize..=8).prop_flat_map(|(m, n)| {
            proptest::collection::vec(proptest::collection::vec(any::<bool>(), m), n).prop_map(
                move |rows| {
                    ApprovalProfile::new(
                        (0..m).map(|c| format!("c{c}")).collect(),
                        rows.iter().map(|r| ((0..m).filter(|&c| r[c]).collect(), 1)),
                    )
                    .unwrap()
                },
            )
        })
    }

    /// An EJR violation by committee `w` of size `k`, by exhaustive
    /// search: a set `T` of `ℓ` candidates and a group of at least
    /// `ℓ · n / k` voters who all approve `T` but each approve fewer than
    /// `ℓ` members of `w`.
    pub(crate) fn ejr_violation(
        profile: &ApprovalProfile,
        w: &[usize],
        k: usize,
    ) -> Option<(Vec<usize>, u64)> {
        let m = profile.candidates().len();
        let n = profile.num_voters();
        for mask in 1u32..(1 << m) {
            let t: Vec<usize> = (0..m).filter(|&c| mask & (1 << c) != 0).collect();
            let l = t.len();
            if l > k {
                continue;
            }
            let group: u64 = profile
                .ballots()
                .iter()
                .filter(|(a, _)| t.iter().all(|&c| a.contains(&(c as u32))))
                .filter(|(a, _)| w.iter().filter(|&&c| a.contains(&(c as u32))).count() < l)
                .map(|(_, count)| count)
                .sum();
            if group > 0 && group * k as u64 >= l as u64 * n {
                return Some((t, group));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_voting_lets_a_majority_take_all() {
        let p = ApprovalProfile::new(
            ["a", "b", "c", "x"].map(String::from).to_vec(),
            [(vec![0, 1, 2], 6), (vec![3], 4)],
        )
        .unwrap();
        let r = approval_voting(&p, 3).unwrap();
        assert_eq!(r.elected, vec![0, 1, 2]);
        assert_eq!(r.scores, vec![6, 6, 6, 4]);
        // 4 voters are 4/10 ≥ 1/3 of the electorate, yet get no seat.
        assert_eq!(
            testing::ejr_violation(&p, &r.elected, 3),
            Some((vec![3], 4))
        );
        assert!(matches!(
            approval_voting(&p, 5),
            Err(CommitteeError::BadSeats { .. })
        ));
    }

    #[test]
    fn plurality_counts_first_places() {
        let mut prof = Profile::with_names(["a", "b", "c"]);
        prof.add_strict(&[1, 0, 2], 3).unwrap();
        prof.add_strict(&[2, 0, 1], 2).unwrap();
        prof.add_strict(&[0, 1, 2], 1).unwrap();
        assert_eq!(plurality(&prof, 2).unwrap().elected, vec![1, 2]);
    }

    #[test]
    fn rankings_become_approvals_of_top_tiers() {
        let mut prof = Profile::with_names(["a", "b", "c"]);
        prof.add_strict(&[2, 0], 1).unwrap();
        let all = ApprovalProfile::from_rankings(&prof, None);
        assert_eq!(all.ballots(), &[(vec![0, 2], 1)]);
        let top = ApprovalProfile::from_rankings(&prof, Some(1));
        assert_eq!(top.ballots(), &[(vec![2], 1)]);
    }

    #[test]
    fn boards_plug_into_the_constitutional_space() {
        let names: Vec<String> = (0..5).map(|c| format!("c{c}")).collect();
        let space = board_space(&names);
        let (a, b) = (board_element(&[0, 1, 2], 5), board_element(&[1, 2, 3], 5));
        space.check(&a).unwrap();
        assert_eq!(space.distance(&a, &b), 2);
        assert_eq!(symmetric_difference(&[0, 1, 2], &[1, 2, 3]), 2);
    }

    /// The sitting board is the status quo: a proposed board (here the
    /// one PAV elects from the members' ideal boards) replaces it only
    /// when strictly more than the threshold of members are closer to it.
    #[test]
    fn the_sitting_board_stands_unless_the_vote_supports_change() {
        let names: Vec<String> = (0..4).map(|c| format!("c{c}")).collect();
        let space = board_space(&names);
        let sitting = board_element(&[0, 1], 4);
        let ideals: [&[usize]; 5] = [&[2, 3], &[2, 3], &[2, 3], &[0, 1], &[0, 1]];
        let votes: Vec<_> = ideals.iter().map(|b| board_element(b, 4)).collect();
        let approvals =
            ApprovalProfile::new(names.clone(), ideals.iter().map(|b| (b.to_vec(), 1))).unwrap();
        let elected = crate::committee::pav::pav_sequential(&approvals, 2)
            .unwrap()
            .elected;
        let proposal = board_element(&elected, 4);
        // Proportional: the 3 : 2 split of members gets one seat each.
        assert_eq!(proposal, board_element(&[0, 2], 4));
        let half = crate::Ratio::new(1, 2).unwrap();
        let two_thirds = crate::Ratio::new(2, 3).unwrap();
        let at_half = crate::constitutional::decide(
            &space,
            &sitting,
            &votes,
            std::slice::from_ref(&proposal),
            half,
            None,
        )
        .unwrap();
        // The three who want {2, 3} are closer to {0, 2} than to {0, 1}.
        assert_eq!(
            at_half.outcome, proposal,
            "3 of 5 is more than 1/2: the board changes"
        );
        let at_two_thirds =
            crate::constitutional::decide(&space, &sitting, &votes, &[proposal], two_thirds, None)
                .unwrap();
        assert_eq!(at_two_thirds.adopted, None);
        assert_eq!(
            at_two_thirds.outcome, sitting,
            "3 of 5 is not more than 2/3: the sitting board stands"
        );
    }

    #[test]
    fn symmetric_difference_counts_changed_seats() {
        assert_eq!(symmetric_difference(&[0, 1, 2], &[1, 2, 3]), 2);
        assert_eq!(symmetric_difference(&[0, 1], &[1, 0]), 0);
        assert_eq!(symmetric_difference(&[], &[4]), 1);
    }
}
