//! Decisions under rules that need whole ballots (kinds 20–21): an opening
//! that names such a rule, and trustees' shares decrypting every counted
//! ballot one by one after the close.
//!
//! Layouts (integers big-endian, `blob` = `len u32 | bytes`):
//!
//! ```text
//! 20 ruled decision open  blob(kind-11 opening payload) | rule
//! 21 ballot shares        decision [32] | close [32] | chunk u32 | blob(DecryptionShare)
//! rule                    tag u8: 1 instant-runoff | 2 stv(seats u16) | 3 pav(seats u16) |
//!                         4 mes committee(seats u16) |
//!                         5 mes budget(budget u64, ncosts u16, cost u64 × n)
//! ```

use super::decision::DecisionOpening;
use super::PayloadError;
use crate::codec::Reader;
use crate::statement::StatementId;
use ballot::{BallotKind, DecryptionShare};
use serde::Serialize;

/// A rule computed from individually decrypted ballots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum WholeBallotRule {
    /// Single-winner instant-runoff on ranked ballots
    /// (`governance::rules::Rule::InstantRunoff`).
    InstantRunoff,
    /// A board by Scottish STV on ranked ballots (`governance::committee::stv`).
    Stv {
        /// Seats to fill.
        seats: u16,
    },
    /// A board by proportional approval voting (exact when small, else
    /// sequential) on approval ballots (`governance::committee::pav`).
    Pav {
        /// Seats to fill.
        seats: u16,
    },
    /// A board by the method of equal shares on approval ballots
    /// (`governance::committee::mes`).
    MesCommittee {
        /// Seats to fill.
        seats: u16,
    },
    /// A participatory budget by the method of equal shares on approval
    /// ballots, the options being projects with costs
    /// (`governance::budget::mes`).
    MesBudget {
        /// The money available, in whole units.
        budget: u64,
        /// Each project's cost, in whole units (one per option).
        costs: Vec<u64>,
    },
}

impl WholeBallotRule {
    /// The rule's command-line name.
    pub fn name(&self) -> &'static str {
        match self {
            WholeBallotRule::InstantRunoff => "irv",
            WholeBallotRule::Stv { .. } => "stv",
            WholeBallotRule::Pav { .. } => "pav",
            WholeBallotRule::MesCommittee { .. } => "mes",
            WholeBallotRule::MesBudget { .. } => "mes-budget",
        }
    }

    /// Checks that the rule fits the ballot kind: instant-runoff and STV
    /// need ranked ballots, the others approval ballots; seats between 1
    /// and the number of options; one positive cost per project and a
    /// positive budget.
    pub fn validate(&self, kind: &BallotKind) -> Result<(), PayloadError> {
        let (ranked, options) = match *kind {
            BallotKind::Ranked { candidates } => (true, candidates),
            BallotKind::Approval { options } => (false, options),
            _ => {
                return Err(PayloadError::Invalid(
                    "whole-ballot rules take ranked or approval ballots",
                ))
            }
        };
        let needs_ranked = matches!(
            self,
            WholeBallotRule::InstantRunoff | WholeBallotRule::Stv { .. }
        );
        if needs_ranked != ranked {
            return Err(PayloadError::Invalid(if needs_ranked {
                "instant-runoff and STV need ranked ballots"
            } else {
                "PAV and MES need approval ballots"
            }));
        }
        match self {
            WholeBallotRule::InstantRunoff => {}
            WholeBallotRule::Stv { seats }
            | WholeBallotRule::Pav { seats }
            | WholeBallotRule::MesCommittee { seats } => {
                if *seats == 0 || *seats > options {
                    return Err(PayloadError::Invalid(
                        "seats must be between 1 and the number of candidates",
                    ));
                }
            }
            WholeBallotRule::MesBudget { budget, costs } => {
                if costs.len() != options as usize {
                    return Err(PayloadError::Invalid(
                        "a budget rule needs one cost per option",
                    ));
                }
                if *budget == 0 || costs.contains(&0) {
                    return Err(PayloadError::Invalid(
                        "the budget and every project cost must be positive",
                    ));
                }
            }
        }
        Ok(())
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            WholeBallotRule::InstantRunoff => out.push(1),
            WholeBallotRule::Stv { seats } => {
                out.push(2);
                out.extend_from_slice(&seats.to_be_bytes());
            }
            WholeBallotRule::Pav { seats } => {
                out.push(3);
                out.extend_from_slice(&seats.to_be_bytes());
            }
            WholeBallotRule::MesCommittee { seats } => {
                out.push(4);
                out.extend_from_slice(&seats.to_be_bytes());
            }
            WholeBallotRule::MesBudget { budget, costs } => {
                out.push(5);
                out.extend_from_slice(&budget.to_be_bytes());
                out.extend_from_slice(&(costs.len() as u16).to_be_bytes());
                for c in costs {
                    out.extend_from_slice(&c.to_be_bytes());
                }
            }
        }
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, PayloadError> {
        Ok(match r.u8("rule")? {
            1 => WholeBallotRule::InstantRunoff,
            2 => WholeBallotRule::Stv {
                seats: r.u16("seats")?,
            },
            3 => WholeBallotRule::Pav {
                seats: r.u16("seats")?,
            },
            4 => WholeBallotRule::MesCommittee {
                seats: r.u16("seats")?,
            },
            5 => {
                let budget = r.u64("budget")?;
                let n = r.u16("cost count")? as usize;
                let costs = (0..n)
                    .map(|_| r.u64("project cost"))
                    .collect::<Result<Vec<_>, _>>()?;
                WholeBallotRule::MesBudget { budget, costs }
            }
            _ => return Err(PayloadError::Invalid("unknown whole-ballot rule")),
        })
    }
}

/// Kind 20: a decision opens under a rule that needs whole ballots. The
/// opening is exactly a kind-11 opening; its statement id is the decision
/// id, and after the close the trustees decrypt every counted ballot
/// (kind 21) so the rule can be run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuledOpening {
    /// The opening, as in kind 11.
    pub opening: DecisionOpening,
    /// The rule the decrypted ballots are counted by.
    pub rule: WholeBallotRule,
}

impl RuledOpening {
    pub(super) fn encode(&self) -> Vec<u8> {
        let body = self.opening.encode();
        let mut out = (body.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&body);
        self.rule.encode(&mut out);
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let len = r.u32("opening length")? as usize;
        let opening = DecisionOpening::decode(r.bytes(len, "opening")?)?;
        let rule = WholeBallotRule::decode(&mut r)?;
        r.finish()?;
        rule.validate(&opening.kind)?;
        Ok(RuledOpening { opening, rule })
    }
}

/// Kind 21: a trustee's decryption share of one chunk of the counted
/// ballots' ciphertexts ([`ballot::CountedBallots`]), for the close in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BallotShares {
    /// The decision.
    pub decision: StatementId,
    /// The close whose counted ballots this decrypts.
    pub close: StatementId,
    /// Which chunk of the counted ballots (from 0).
    pub chunk: u32,
    /// The share with its Chaum–Pedersen proof.
    pub share: DecryptionShare,
}

impl BallotShares {
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = self.decision.0.to_vec();
        out.extend_from_slice(&self.close.0);
        out.extend_from_slice(&self.chunk.to_be_bytes());
        let share = self.share.to_bytes();
        out.extend_from_slice(&(share.len() as u32).to_be_bytes());
        out.extend_from_slice(&share);
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut r = Reader::new(bytes);
        let decision = StatementId(r.array("decision")?);
        let close = StatementId(r.array("close")?);
        let chunk = r.u32("chunk")?;
        let len = r.u32("decryption share length")? as usize;
        let blob = r.bytes(len, "decryption share")?;
        let share = DecryptionShare::from_bytes(blob)?;
        if share.to_bytes() != blob {
            return Err(PayloadError::Invalid("non-canonical decryption share"));
        }
        r.finish()?;
        Ok(BallotShares {
            decision,
            close,
            chunk,
            share,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use identity::Keypair;

    fn opening(kind: BallotKind) -> DecisionOpening {
        let n = match kind {
            BallotKind::Ranked { candidates } => candidates,
            BallotKind::Approval { options } => options,
            _ => 2,
        };
        DecisionOpening {
            question: "Who?".into(),
            kind,
            options: (0..n).map(|i| format!("c{i}")).collect(),
            threshold: 2,
            trustees: (0..3).map(|_| Keypair::generate().public()).collect(),
            electorate_size: 3,
            electorate: [1; 32],
        }
    }

    #[test]
    fn ruled_openings_round_trip_and_rules_must_fit_the_kind() {
        let ranked = BallotKind::Ranked { candidates: 3 };
        let approval = BallotKind::Approval { options: 3 };
        let good = [
            (ranked, WholeBallotRule::InstantRunoff),
            (ranked, WholeBallotRule::Stv { seats: 2 }),
            (approval, WholeBallotRule::Pav { seats: 1 }),
            (approval, WholeBallotRule::MesCommittee { seats: 3 }),
            (
                approval,
                WholeBallotRule::MesBudget {
                    budget: 10,
                    costs: vec![4, 5, 6],
                },
            ),
        ];
        for (kind, rule) in good {
            let o = RuledOpening {
                opening: opening(kind),
                rule,
            };
            let bytes = o.encode();
            assert_eq!(RuledOpening::decode(&bytes).unwrap(), o);
            // Truncations and trailing bytes are refused.
            assert!(RuledOpening::decode(&bytes[..bytes.len() - 1]).is_err());
            let mut long = bytes.clone();
            long.push(0);
            assert!(RuledOpening::decode(&long).is_err());
        }
        let bad = [
            (approval, WholeBallotRule::InstantRunoff),
            (ranked, WholeBallotRule::Pav { seats: 1 }),
            (ranked, WholeBallotRule::Stv { seats: 0 }),
            (ranked, WholeBallotRule::Stv { seats: 4 }),
            (
                approval,
                WholeBallotRule::MesBudget {
                    budget: 10,
                    costs: vec![4, 5],
                },
            ),
            (
                approval,
                WholeBallotRule::MesBudget {
                    budget: 10,
                    costs: vec![4, 0, 1],
                },
            ),
            (
                BallotKind::Score { options: 2, max: 3 },
                WholeBallotRule::Pav { seats: 1 },
            ),
        ];
        for (kind, rule) in bad {
            let o = RuledOpening {
                opening: opening(kind),
                rule: rule.clone(),
            };
            assert!(RuledOpening::decode(&o.encode()).is_err(), "{rule:?}");
        }
    }
}
