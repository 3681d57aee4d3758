//! Whole-ballot rules on individually decrypted ballots.
//!
//! After the close of a decision opened under a [`WholeBallotRule`]
//! (kind 20), the trustees decrypt every counted ballot one by one
//! ([`ballot::CountedBallots`]). This module turns the sorted plaintexts
//! into the governance crate's profiles and runs its rules; it implements
//! no rule itself.
//!
//! - **Ranked ballots** are decoded with [`ballot::weak_order`] into the
//!   voter's weak order (tiers, best first; unranked candidates form the
//!   last tier). A pairwise encoding that is not a weak order — a cyclic
//!   ballot, which the range proofs cannot exclude — is *spoiled*: set
//!   aside and counted in [`WholeBallotOutcome::spoiled`].
//!   *Instant-runoff* ([`governance::rules::Rule::InstantRunoff`]) takes
//!   the weak orders as they are (ties split first preferences exactly).
//!   *STV* ([`governance::committee::stv::scottish_stv`]) needs strict
//!   preferences, so each ballot is read down to its first tie: the strict
//!   prefix of singleton tiers, plus a last lone candidate (ranking
//!   `a > b > c` of three and ranking `a > b` leaving `c` unranked have the
//!   same encoding and count the same). A ballot whose first tier is a tie
//!   is *exhausted* from the start and counted in
//!   [`WholeBallotOutcome::exhausted`].
//! - **Approval ballots** become approval sets: *PAV*
//!   ([`governance::committee::pav`], exact when it tries at most 10⁷
//!   committees, else sequential), *MES* for a board
//!   ([`governance::committee::mes::mes_committee`], completed greedily),
//!   and *MES* for a budget ([`governance::budget::mes::mes`], approval
//!   utilities, default completion) with the options as projects.

use ballot::{weak_order, BallotKind};
use governance::budget::mes::{mes, MesOptions};
use governance::budget::{Ballot as BudgetBallot, Instance, Money, Project};
use governance::committee::mes::mes_committee;
use governance::committee::pav::pav_exact;
use governance::committee::stv::scottish_stv;
use governance::committee::{ApprovalProfile, CommitteeError};
use governance::rules::{run, Rule};
use governance::{PairwiseMatrix, Profile, Ranking};
use ledger::payload::WholeBallotRule;
use serde::Serialize;

/// Why a rule could not be run on the decrypted ballots.
#[derive(Debug, thiserror::Error)]
pub enum RuleRunError {
    /// The rule does not fit the ballot kind (checked at the opening, so
    /// only reachable through a library caller).
    #[error("rule {rule} does not fit {kind:?} ballots")]
    Mismatch {
        /// The rule's name.
        rule: &'static str,
        /// The ballot kind.
        kind: BallotKind,
    },
    /// No ballot was usable.
    #[error("no usable ballot: {counted} counted, {spoiled} spoiled, {exhausted} exhausted")]
    NoBallots {
        /// Ballots decrypted.
        counted: usize,
        /// Ballots that encode no weak order.
        spoiled: usize,
        /// Ballots that rank nobody strictly first.
        exhausted: usize,
    },
    /// A ranking or profile was refused.
    #[error("profile: {0}")]
    Profile(#[from] governance::ProfileError),
    /// A single-winner rule failed.
    #[error("{0}")]
    Rule(#[from] governance::rules::RuleError),
    /// A committee rule failed.
    #[error("{0}")]
    Committee(#[from] CommitteeError),
    /// A budgeting rule failed.
    #[error("{0}")]
    Budget(String),
}

/// A decrypted ballot, as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ShownBallot {
    /// The approved option indices.
    Approval {
        /// Approved options, ascending.
        approved: Vec<usize>,
    },
    /// A weak order: tiers of candidate indices, best first.
    Ranked {
        /// The tiers.
        tiers: Vec<Vec<u16>>,
    },
    /// A ranked ballot whose pairwise encoding is no weak order.
    Spoiled {
        /// The raw pairwise values.
        values: Vec<u64>,
    },
}

/// What a whole-ballot rule decided.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WholeBallotOutcome {
    /// The rule's name.
    pub rule: &'static str,
    /// Ballots the rule counted.
    pub used: usize,
    /// Ranked ballots set aside because they encode no weak order.
    pub spoiled: usize,
    /// STV: ballots with no strict first preference (they count for no one).
    pub exhausted: usize,
    /// The winners: instant-runoff winners (ties listed), STV's elected
    /// candidates in order of election, the PAV or MES board, or the
    /// funded projects in the order MES chose them.
    pub winners: Vec<usize>,
    /// MES for a budget: the funded projects' total cost, in whole units.
    pub cost: Option<u64>,
}

/// Shows each decrypted ballot of `kind` (spoiled ranked ballots as such).
pub fn show(kind: &BallotKind, ballots: &[Vec<u64>]) -> Vec<ShownBallot> {
    ballots
        .iter()
        .map(|v| match *kind {
            BallotKind::Ranked { candidates } => match weak_order(candidates, v) {
                Some(tiers) => ShownBallot::Ranked { tiers },
                None => ShownBallot::Spoiled { values: v.clone() },
            },
            _ => ShownBallot::Approval {
                approved: (0..v.len()).filter(|&i| v[i] != 0).collect(),
            },
        })
        .collect()
}

/// Runs `rule` on decrypted `ballots` of `kind` with option labels `labels`.
pub fn run_rule(
    rule: &WholeBallotRule,
    kind: &BallotKind,
    labels: &[String],
    ballots: &[Vec<u64>],
) -> Result<WholeBallotOutcome, RuleRunError> {
    let mismatch = || RuleRunError::Mismatch {
        rule: rule.name(),
        kind: *kind,
    };
    let mut out = WholeBallotOutcome {
        rule: rule.name(),
        used: 0,
        spoiled: 0,
        exhausted: 0,
        winners: Vec::new(),
        cost: None,
    };
    let no_ballots = |out: &WholeBallotOutcome| RuleRunError::NoBallots {
        counted: ballots.len(),
        spoiled: out.spoiled,
        exhausted: out.exhausted,
    };
    match rule {
        WholeBallotRule::InstantRunoff | WholeBallotRule::Stv { .. } => {
            let BallotKind::Ranked { candidates } = *kind else {
                return Err(mismatch());
            };
            let mut profile = Profile::with_names(labels.iter().cloned());
            for v in ballots {
                let Some(tiers) = weak_order(candidates, v) else {
                    out.spoiled += 1;
                    continue;
                };
                let tiers: Vec<Vec<usize>> = tiers
                    .into_iter()
                    .map(|t| t.into_iter().map(usize::from).collect())
                    .collect();
                let ranking = match rule {
                    WholeBallotRule::Stv { .. } => {
                        let strict: Vec<usize> = tiers
                            .iter()
                            .take_while(|t| t.len() == 1)
                            .map(|t| t[0])
                            .collect();
                        if strict.is_empty() {
                            out.exhausted += 1;
                            continue;
                        }
                        Ranking::strict(&strict)?
                    }
                    _ => Ranking::from_tiers(&tiers)?,
                };
                profile.add(ranking, 1)?;
                out.used += 1;
            }
            if out.used == 0 {
                return Err(no_ballots(&out));
            }
            out.winners = match rule {
                WholeBallotRule::Stv { seats } => scottish_stv(&profile, *seats as usize)?.elected,
                _ => {
                    let matrix = PairwiseMatrix::from_profile(&profile);
                    run(Rule::InstantRunoff, &profile, &matrix)?.winners
                }
            };
        }
        WholeBallotRule::Pav { .. }
        | WholeBallotRule::MesCommittee { .. }
        | WholeBallotRule::MesBudget { .. } => {
            if !matches!(kind, BallotKind::Approval { .. }) {
                return Err(mismatch());
            }
            let sets: Vec<Vec<usize>> = ballots
                .iter()
                .map(|v| (0..v.len()).filter(|&i| v[i] != 0).collect())
                .collect();
            out.used = sets.len();
            if out.used == 0 {
                return Err(no_ballots(&out));
            }
            match rule {
                WholeBallotRule::MesBudget { budget, costs } => {
                    let money = |u: u64| {
                        Money::from_units(u)
                            .ok_or_else(|| RuleRunError::Budget(format!("{u} units is too much")))
                    };
                    let projects = labels
                        .iter()
                        .zip(costs)
                        .map(|(id, &c)| {
                            Ok(Project {
                                id: id.clone(),
                                cost: money(c)?,
                            })
                        })
                        .collect::<Result<Vec<_>, RuleRunError>>()?;
                    let instance = Instance::new(
                        money(*budget)?,
                        projects,
                        sets.into_iter().map(BudgetBallot::approval).collect(),
                    )
                    .map_err(|e| RuleRunError::Budget(e.to_string()))?;
                    let r = mes(&instance, &MesOptions::default())
                        .map_err(|e| RuleRunError::Budget(e.to_string()))?;
                    out.cost = Some(r.funded.projects.iter().map(|&p| costs[p]).sum::<u64>());
                    out.winners = r.funded.projects;
                }
                WholeBallotRule::Pav { seats } | WholeBallotRule::MesCommittee { seats } => {
                    let profile =
                        ApprovalProfile::new(labels.to_vec(), sets.into_iter().map(|s| (s, 1)))?;
                    let seats = *seats as usize;
                    out.winners = if matches!(rule, WholeBallotRule::Pav { .. }) {
                        // the optimum, never silently the sequential
                        // rule: an opening whose committees are too many
                        // to search is refused (`cli decision open`)
                        pav_exact(&profile, seats)?.elected
                    } else {
                        mes_committee(&profile, seats, true)?.funded.projects
                    };
                }
                _ => unreachable!("matched above"),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    fn ranked(c: u16, ranks: &[Option<u32>]) -> Vec<u64> {
        BallotKind::ranked_values(c, ranks).unwrap()
    }

    #[test]
    fn irv_and_stv_on_decoded_rankings_with_a_spoiled_ballot() {
        let kind = BallotKind::Ranked { candidates: 3 };
        // First preferences: a 2, b 2, c 1 (c's voter prefers b next);
        // one cyclic ballot.
        let mut cyc = vec![0u64; 6];
        for (a, b) in [(0, 1), (1, 2), (2, 0)] {
            cyc[BallotKind::pair_slot(3, a, b).unwrap()] = 1;
        }
        let ballots = vec![
            ranked(3, &[Some(1), Some(2), Some(3)]),
            ranked(3, &[Some(1), None, None]),
            ranked(3, &[Some(2), Some(1), None]),
            ranked(3, &[None, Some(1), Some(2)]),
            ranked(3, &[None, Some(2), Some(1)]),
            cyc,
        ];
        let irv = run_rule(&WholeBallotRule::InstantRunoff, &kind, &labels(3), &ballots).unwrap();
        assert_eq!((irv.used, irv.spoiled), (5, 1));
        assert_eq!(irv.winners, vec![1]);
        let stv = run_rule(
            &WholeBallotRule::Stv { seats: 2 },
            &kind,
            &labels(3),
            &ballots,
        )
        .unwrap();
        assert_eq!((stv.used, stv.spoiled, stv.exhausted), (5, 1, 0));
        assert_eq!(stv.winners.len(), 2);
        assert!(stv.winners.contains(&1));
        assert!(matches!(
            show(&kind, &ballots)[5],
            ShownBallot::Spoiled { .. }
        ));
        // Only spoiled ballots: nothing to count.
        assert!(matches!(
            run_rule(
                &WholeBallotRule::InstantRunoff,
                &kind,
                &labels(3),
                &ballots[5..]
            ),
            Err(RuleRunError::NoBallots { spoiled: 1, .. })
        ));
    }

    #[test]
    fn pav_and_mes_on_approval_sets() {
        let kind = BallotKind::Approval { options: 3 };
        let ballots = vec![
            vec![1, 1, 0],
            vec![1, 1, 0],
            vec![1, 1, 0],
            vec![0, 0, 1],
            vec![0, 0, 1],
        ];
        // Proportionality: the 2-voter group gets one of two seats.
        for rule in [
            WholeBallotRule::Pav { seats: 2 },
            WholeBallotRule::MesCommittee { seats: 2 },
        ] {
            let r = run_rule(&rule, &kind, &labels(3), &ballots).unwrap();
            let mut w = r.winners.clone();
            w.sort_unstable();
            assert!(w == vec![0, 2] || w == vec![1, 2], "{rule:?} gave {w:?}");
        }
        let budget = WholeBallotRule::MesBudget {
            budget: 10,
            costs: vec![6, 4, 4],
        };
        let r = run_rule(&budget, &kind, &labels(3), &ballots).unwrap();
        assert!(r.cost.unwrap() <= 10);
        assert!(r.winners.contains(&2), "{:?}", r.winners);
        assert!(run_rule(
            &budget,
            &BallotKind::Ranked { candidates: 3 },
            &labels(3),
            &ballots
        )
        .is_err());
    }
}
