//! Committee rules on approval ballots, by name.
//!
//! The names follow abcvoting's: `pav` is Proportional Approval Voting
//! proper, the committee of **maximal** PAV score ([`pav::pav_exact`]);
//! `seqpav` is its greedy approximation, sequential PAV
//! ([`pav::pav_sequential`]), which can elect a committee of lower score
//! (see the test below). Interfaces that let a user write a rule name
//! (`decide --rule pav --seats K`) read it with [`CommitteeRule::from_name`],
//! so a name means the same rule everywhere.

use super::{approval_voting, mes::mes_committee, pav, phragmen::phragmen};
use super::{ApprovalProfile, CommitteeError};
use std::fmt;
use std::str::FromStr;

/// A committee rule on approval ballots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommitteeRule {
    /// Proportional Approval Voting: a committee of maximal PAV score.
    Pav,
    /// Sequential PAV: one candidate at a time, largest marginal gain.
    SeqPav,
    /// Sequential Phragmén.
    SeqPhragmen,
    /// Method of Equal Shares, completed (Add1 and fill).
    EqualShares,
    /// Approval voting: the most approved candidates.
    Av,
}

/// A committee rule name that is not recognised.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown committee rule `{0}` (expected one of: pav, seqpav, seqphragmen, equal-shares, av)"
)]
pub struct UnknownCommitteeRule(pub String);

impl CommitteeRule {
    /// Every rule, in documentation order.
    pub const ALL: [CommitteeRule; 5] = [
        CommitteeRule::Pav,
        CommitteeRule::SeqPav,
        CommitteeRule::SeqPhragmen,
        CommitteeRule::EqualShares,
        CommitteeRule::Av,
    ];

    /// The rule's canonical name (abcvoting's).
    pub fn name(self) -> &'static str {
        match self {
            CommitteeRule::Pav => "pav",
            CommitteeRule::SeqPav => "seqpav",
            CommitteeRule::SeqPhragmen => "seqphragmen",
            CommitteeRule::EqualShares => "equal-shares",
            CommitteeRule::Av => "av",
        }
    }

    /// The rule a name (or a common alias) denotes: `pav` (also
    /// `pav-exact`, `exact-pav`), `seqpav` (also `seq-pav`,
    /// `sequential-pav`), `seqphragmen` (also `phragmen`), `equal-shares`
    /// (also `mes`), `av` (also `approval`). Case, `_` and `-` are ignored
    /// where they separate words.
    pub fn from_name(name: &str) -> Result<CommitteeRule, UnknownCommitteeRule> {
        let key = name.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match key.as_str() {
            "pav" | "pav-exact" | "exact-pav" => CommitteeRule::Pav,
            "seqpav" | "seq-pav" | "sequential-pav" => CommitteeRule::SeqPav,
            "seqphragmen" | "seq-phragmen" | "phragmen" => CommitteeRule::SeqPhragmen,
            "equal-shares" | "mes" => CommitteeRule::EqualShares,
            "av" | "approval" => CommitteeRule::Av,
            _ => return Err(UnknownCommitteeRule(name.to_string())),
        })
    }

    /// Elect `seats` candidates (indices, ascending).
    pub fn elect(
        self,
        profile: &ApprovalProfile,
        seats: usize,
    ) -> Result<Vec<usize>, CommitteeError> {
        let mut elected = match self {
            CommitteeRule::Pav => pav::pav_exact(profile, seats)?.elected,
            CommitteeRule::SeqPav => pav::pav_sequential(profile, seats)?.elected,
            CommitteeRule::SeqPhragmen => phragmen(profile, seats)?.elected,
            CommitteeRule::EqualShares => mes_committee(profile, seats, true)?.funded.projects,
            CommitteeRule::Av => approval_voting(profile, seats)?.elected,
        };
        elected.sort_unstable();
        Ok(elected)
    }
}

impl fmt::Display for CommitteeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CommitteeRule {
    type Err = UnknownCommitteeRule;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CommitteeRule::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::testing::profile;

    /// The PAV score of `w` in units of 1/2520 = 1/lcm(1..=9), by
    /// definition: each voter group adds `count · H(|A ∩ W|)`.
    fn pav_score(p: &ApprovalProfile, w: &[usize]) -> u64 {
        let h = |j: usize| (1..=j as u64).map(|i| 2520 / i).sum::<u64>();
        p.ballots()
            .iter()
            .map(|(a, c)| c * h(a.iter().filter(|&&x| w.contains(&(x as usize))).count()))
            .sum()
    }

    /// Every committee of `k` of `m` candidates.
    fn committees(m: usize, k: usize) -> Vec<Vec<usize>> {
        if k == 0 {
            return vec![Vec::new()];
        }
        (k - 1..m)
            .flat_map(|last| {
                committees(last, k - 1).into_iter().map(move |mut c| {
                    c.push(last);
                    c
                })
            })
            .collect()
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for r in CommitteeRule::ALL {
            assert_eq!(CommitteeRule::from_name(r.name()), Ok(r));
            assert_eq!(r.to_string().parse::<CommitteeRule>(), Ok(r));
        }
        assert_eq!(CommitteeRule::from_name("PAV"), Ok(CommitteeRule::Pav));
        assert_eq!(
            CommitteeRule::from_name("seq_pav"),
            Ok(CommitteeRule::SeqPav)
        );
        let e = CommitteeRule::from_name("stv").unwrap_err();
        assert_eq!(e, UnknownCommitteeRule("stv".into()));
        assert!(e.to_string().contains("seqpav"));
    }

    /// Nine candidates, four seats (found by a seeded random search):
    /// sequential PAV elects {3, 5, 7, 8} with score 39/2, the optimum
    /// {3, 4, 5, 8} scores 119/6. `pav` must elect the optimum.
    #[test]
    fn pav_is_optimal_where_seqpav_is_not() {
        let p = profile(
            &[
                (&[5, 8], 4),
                (&[1, 2, 4, 7], 2),
                (&[0, 3, 4, 5], 4),
                (&[2], 1),
                (&[3, 6, 7, 8], 3),
            ],
            9,
        );
        let best = committees(9, 4)
            .iter()
            .map(|w| pav_score(&p, w))
            .max()
            .unwrap();
        assert_eq!(best, 119 * 420); // 119/6 in units of 1/2520
        let pav = CommitteeRule::Pav.elect(&p, 4).unwrap();
        let seq = CommitteeRule::SeqPav.elect(&p, 4).unwrap();
        assert_eq!(pav, vec![3, 4, 5, 8]);
        assert_eq!(pav_score(&p, &pav), best);
        assert_eq!(seq, vec![3, 5, 7, 8]);
        assert_eq!(pav_score(&p, &seq), 39 * 1260); // 39/2 < 119/6
        assert!(pav_score(&p, &seq) < best);
    }

    #[test]
    fn every_rule_fills_the_seats() {
        let p = profile(&[(&[0, 1], 3), (&[2], 2), (&[3, 4], 1)], 5);
        for r in CommitteeRule::ALL {
            let w = r.elect(&p, 3).unwrap();
            assert_eq!(w.len(), 3, "{r}");
        }
        assert!(matches!(
            CommitteeRule::Pav.elect(&p, 6),
            Err(CommitteeError::BadSeats { .. })
        ));
    }
}
