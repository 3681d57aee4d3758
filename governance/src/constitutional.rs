//! The constitutional rule (Shapiro & Talmon 2026).
//!
//! Given a component's metric space `(X, d)`, its status quo `s`, the
//! members' ideal elements `v_1 … v_n` (their votes) and public proposals
//! `p_1 … p_k`:
//!
//! * member `i` **supports** `p` when `d(v_i, p) < d(v_i, s)`: strictly
//!   closer to the proposal than to the status quo;
//! * `p` is **supported** when its supporters are *more than* the
//!   threshold `q` of the electorate (members who cast no vote count
//!   against, as in Shahaf, Shapiro & Talmon 2019);
//! * the **score** of `p` is the total improvement it brings,
//!   `score(p) = Σ_i d(v_i, s) − d(v_i, p)`, i.e. how much it reduces the
//!   sum of distances the generalized median minimizes;
//! * the rule **adopts** the supported proposal of maximal score if that
//!   score is positive (ties: the earliest proposal); otherwise the status
//!   quo stays.
//!
//! Proposals may come from members or from the space's aggregator
//! ([`Space::aggregate`]); [`ComponentDecision::decide`] adds the aggregate
//! as a proposal when asked. With a generalized median aggregate at majority
//! threshold on a line, the aggregate is supported whenever it differs
//! from the status quo.
//!
//! The score definition is this crate's reading of "supported proposal
//! with positive maximal score": the paper's generalized-median utility
//! measured against the status quo (see `docs/governance.md`).

use crate::metric::{Element, MetricError, Space};
use crate::ratio::Ratio;
use serde::{Deserialize, Serialize};

/// One proposal's tally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProposalTally {
    /// The proposal.
    pub proposal: Element,
    /// Members strictly closer to it than to the status quo.
    pub supporters: u64,
    /// Whether supporters exceed the threshold of the electorate.
    pub supported: bool,
    /// `Σ d(v, s) − d(v, p)` over the votes.
    pub score: i128,
}

/// The outcome of the constitutional rule on one component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentOutcome {
    /// Every proposal's tally, in submission order (the aggregate last
    /// when it was added).
    pub proposals: Vec<ProposalTally>,
    /// The adopted proposal's index, if any.
    pub adopted: Option<usize>,
    /// The new value: the adopted proposal, else the status quo.
    pub outcome: Element,
    /// The electorate the threshold was measured against.
    pub electorate: u64,
    /// The threshold used.
    pub threshold: Ratio,
}

/// A decision on one component, as read from JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentDecision {
    /// The component's space.
    pub space: Space,
    /// The status quo.
    pub status_quo: Element,
    /// The members' ideal elements.
    pub votes: Vec<Element>,
    /// Public proposals.
    #[serde(default)]
    pub proposals: Vec<Element>,
    /// The threshold `q`.
    pub threshold: Ratio,
    /// Members entitled to vote (default: the number of votes).
    #[serde(default)]
    pub electorate: Option<u64>,
    /// Whether to add the space's aggregate of the votes as a proposal.
    #[serde(default = "yes")]
    pub add_aggregate: bool,
}

fn yes() -> bool {
    true
}

/// Why the rule could not be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConstitutionalError {
    /// A vote, proposal or the status quo is not in the space.
    #[error("{what}: {error}")]
    Element {
        /// Which input (e.g. `votes[3]`).
        what: String,
        /// What is wrong.
        error: MetricError,
    },
    /// The space is malformed.
    #[error(transparent)]
    Space(MetricError),
    /// The threshold is below one half.
    #[error("threshold {0} is below 1/2: two opposite proposals could both pass")]
    ThresholdBelowHalf(Ratio),
    /// The electorate is smaller than the number of votes.
    #[error("electorate of {electorate} is smaller than the {votes} votes cast")]
    ElectorateTooSmall {
        /// The electorate given.
        electorate: u64,
        /// The votes cast.
        votes: u64,
    },
    /// No votes.
    #[error("no votes were cast")]
    NoVotes,
}

impl ComponentDecision {
    /// Apply the constitutional rule (see the module docs).
    pub fn decide(&self) -> Result<ComponentOutcome, ConstitutionalError> {
        let space = &self.space;
        space.validate().map_err(ConstitutionalError::Space)?;
        let sq = space.coerce(self.status_quo.clone());
        let votes: Vec<Element> = self.votes.iter().map(|v| space.coerce(v.clone())).collect();
        let mut proposals: Vec<Element> = self
            .proposals
            .iter()
            .map(|p| space.coerce(p.clone()))
            .collect();
        let elem = |what: String, x: &Element| {
            space
                .check(x)
                .map_err(|error| ConstitutionalError::Element { what, error })
        };
        elem("status_quo".into(), &sq)?;
        for (i, v) in votes.iter().enumerate() {
            elem(format!("votes[{i}]"), v)?;
        }
        for (i, p) in proposals.iter().enumerate() {
            elem(format!("proposals[{i}]"), p)?;
        }
        if votes.is_empty() {
            return Err(ConstitutionalError::NoVotes);
        }
        if self.add_aggregate {
            let agg = space
                .aggregate(&votes, &sq, self.threshold)
                .map_err(ConstitutionalError::Space)?;
            if !proposals.contains(&agg) {
                proposals.push(agg);
            }
        }
        decide(
            space,
            &sq,
            &votes,
            &proposals,
            self.threshold,
            self.electorate,
        )
    }
}

/// The constitutional rule on checked inputs.
pub fn decide(
    space: &Space,
    status_quo: &Element,
    votes: &[Element],
    proposals: &[Element],
    threshold: Ratio,
    electorate: Option<u64>,
) -> Result<ComponentOutcome, ConstitutionalError> {
    if !threshold.at_least(Ratio::new(1, 2).expect("1/2 is valid")) {
        return Err(ConstitutionalError::ThresholdBelowHalf(threshold));
    }
    let n = votes.len() as u64;
    let electorate = electorate.unwrap_or(n);
    if electorate < n {
        return Err(ConstitutionalError::ElectorateTooSmall {
            electorate,
            votes: n,
        });
    }
    let to_sq: Vec<u64> = votes
        .iter()
        .map(|v| space.distance(v, status_quo))
        .collect();
    let tally = |p: &Element| {
        let mut supporters = 0u64;
        let mut score = 0i128;
        for (v, &ds) in votes.iter().zip(&to_sq) {
            let dp = space.distance(v, p);
            if dp < ds {
                supporters += 1;
            }
            score += i128::from(ds) - i128::from(dp);
        }
        ProposalTally {
            proposal: p.clone(),
            supporters,
            supported: threshold.exceeded_by(supporters, electorate),
            score,
        }
    };
    let tallies: Vec<ProposalTally> = if proposals.len() * votes.len() > 1 << 16 {
        parallel_map(proposals, tally)
    } else {
        proposals.iter().map(tally).collect()
    };
    let mut adopted: Option<usize> = None;
    for (i, t) in tallies.iter().enumerate() {
        if t.supported && t.score > 0 && adopted.is_none_or(|a| t.score > tallies[a].score) {
            adopted = Some(i);
        }
    }
    Ok(ComponentOutcome {
        outcome: adopted.map_or_else(|| status_quo.clone(), |i| proposals[i].clone()),
        proposals: tallies,
        adopted,
        electorate,
        threshold,
    })
}

/// Map over `items` on all cores, keeping order.
fn parallel_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("tally worker does not panic"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_decision(
        votes: &[i64],
        sq: i64,
        q: (u32, u32),
        proposals: &[i64],
    ) -> ComponentDecision {
        ComponentDecision {
            space: Space::Line { min: 0, max: 1000 },
            status_quo: Element::Number(sq),
            votes: votes.iter().map(|&v| Element::Number(v)).collect(),
            proposals: proposals.iter().map(|&v| Element::Number(v)).collect(),
            threshold: Ratio::new(q.0, q.1).unwrap(),
            electorate: None,
            add_aggregate: true,
        }
    }

    #[test]
    fn a_supported_proposal_that_costs_more_than_it_gains_is_not_adopted() {
        // Status quo 100; three members at 106 support 110 (each 2 closer),
        // two members at 50 lose 10 each: supported by 3 of 5, score -14.
        let mut d = line_decision(&[106, 106, 106, 50, 50], 100, (1, 2), &[110]);
        d.add_aggregate = false;
        let out = d.decide().unwrap();
        assert!(out.proposals[0].supported);
        assert_eq!(out.proposals[0].score, 6 - 20);
        assert_eq!(out.adopted, None);
        assert_eq!(out.outcome, Element::Number(100));
    }

    #[test]
    fn a_rate_moves_to_the_generalized_median() {
        let d = line_decision(&[10, 20, 30, 40, 50], 0, (1, 2), &[])
            .decide()
            .unwrap();
        assert_eq!(d.outcome, Element::Number(30));
        let t = &d.proposals[0];
        // Members at 20+ are closer to 30 than to 0: 4 of 5.
        assert_eq!((t.supporters, t.supported), (4, true));
        assert_eq!(t.score, 150 - 60); // distances to 30: 20, 10, 0, 10, 20
    }

    #[test]
    fn supermajority_limits_the_move_and_scores_pick_among_supported() {
        let d = line_decision(&[10, 20, 30, 40, 50], 0, (2, 3), &[45, 15])
            .decide()
            .unwrap();
        // 45: supporters are those > 22.5: 3 of 5, not > 2/3. 15: > 7.5: 5.
        // The aggregate is 20: supporters > 10: 4 of 5 > 2/3; score 150-70=80
        // vs 15: 150 - (5+5+15+25+35) = 65.
        assert!(!d.proposals[0].supported);
        assert!(d.proposals[1].supported && d.proposals[2].supported);
        assert_eq!(d.proposals[2].proposal, Element::Number(20));
        assert_eq!(d.outcome, Element::Number(20));
    }

    #[test]
    fn status_quo_stays_without_support_and_abstentions_count_against() {
        let d = line_decision(&[10, 20, 30, 40, 50], 25, (2, 3), &[40])
            .decide()
            .unwrap();
        assert_eq!(d.adopted, None);
        assert_eq!(d.outcome, Element::Number(25));
        let mut dec = line_decision(&[10, 20, 30, 40, 50], 0, (1, 2), &[]);
        dec.electorate = Some(8); // 4 supporters of 8 is not more than half
        let d = dec.decide().unwrap();
        assert_eq!(d.outcome, Element::Number(0));
        dec.electorate = Some(4);
        assert!(matches!(
            dec.decide(),
            Err(ConstitutionalError::ElectorateTooSmall { .. })
        ));
    }

    #[test]
    fn officers_and_priorities() {
        let officers = ComponentDecision {
            space: Space::Discrete {
                options: vec!["ann".into(), "bob".into(), "cy".into()],
            },
            status_quo: Element::Option("ann".into()),
            votes: ["bob", "bob", "cy", "ann", "bob"]
                .iter()
                .map(|s| Element::Option(s.to_string()))
                .collect(),
            proposals: vec![],
            threshold: Ratio::new(1, 2).unwrap(),
            electorate: None,
            add_aggregate: true,
        };
        let d = officers.decide().unwrap();
        assert_eq!(d.outcome, Element::Option("bob".into()));
        let json = r#"{"space": {"kind": "rankings", "items": ["a", "b", "c"]},
            "status_quo": [2, 1, 0], "threshold": "1/2",
            "votes": [[0, 1, 2], [0, 2, 1], [1, 0, 2]]}"#;
        let dec: ComponentDecision = serde_json::from_str(json).unwrap();
        let d = dec.decide().unwrap();
        assert_eq!(d.outcome, Element::Ranking(vec![0, 1, 2]));
        let bad = r#"{"space": {"kind": "rankings", "items": ["a", "b"]},
            "status_quo": [0, 1], "threshold": "1/2", "votes": [[0, 1], [1, 1]]}"#;
        let dec: ComponentDecision = serde_json::from_str(bad).unwrap();
        let e = dec.decide().unwrap_err();
        assert!(e.to_string().starts_with("votes[1]:"), "{e}");
    }

    #[test]
    fn threshold_below_half_is_refused() {
        let e = line_decision(&[1], 0, (1, 3), &[]).decide().unwrap_err();
        assert!(matches!(e, ConstitutionalError::ThresholdBelowHalf(_)));
    }

    proptest::proptest! {
        /// Shapiro & Talmon's claim on a line at majority threshold: with
        /// the generalized median as the proposal, no misreport gives a
        /// member an outcome strictly closer to its ideal than sincere
        /// voting does.
        #[test]
        fn no_misreport_beats_sincere_voting_at_majority(
            ideals in proptest::collection::vec(0i64..100, 1..9),
            sq in 0i64..100,
            who in proptest::prelude::any::<usize>(),
            lie in 0i64..100,
        ) {
            let outcome = |votes: &[i64]| match line_decision(votes, sq, (1, 2), &[]).decide().unwrap().outcome {
                Element::Number(x) => x,
                other => panic!("a line outcome is a number, got {other:?}"),
            };
            let i = who % ideals.len();
            let sincere = outcome(&ideals);
            let mut reported = ideals.clone();
            reported[i] = lie;
            let manipulated = outcome(&reported);
            proptest::prop_assert!(ideals[i].abs_diff(manipulated) >= ideals[i].abs_diff(sincere));
        }
    }
}
