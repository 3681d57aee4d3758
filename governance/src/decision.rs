//! Reality-aware decisions with the classic rules.
//!
//! In reality-aware social choice (Shapiro & Talmon 2018) the status quo
//! is always on the ballot, and reality changes only when the members
//! want it changed by the required supermajority. A decision here is:
//!
//! 1. **Run the rule** ([`crate::rules`]) on the whole profile, the status
//!    quo included as an ordinary alternative. The result is the set of
//!    tied winners (irresolute).
//! 2. **Break ties** to one *chosen* alternative ([`TieBreak`]): if the
//!    status quo is among the winners it is chosen (a tie never changes
//!    reality); otherwise the winner with the lowest alternative number
//!    (the PrefLib number) is chosen. The rule is fixed and public so
//!    anyone recomputing the decision gets the same outcome; it is not
//!    neutral, which is why the full tied set is always reported.
//! 3. **Challenge the status quo** ([`Challenge`]): the chosen alternative
//!    replaces the status quo only if *strictly more* than the threshold
//!    `q` of the electorate rank it strictly above the status quo. The
//!    electorate is every member entitled to vote when given (abstentions
//!    then count for the status quo, as in Shahaf, Shapiro & Talmon 2019),
//!    else the number of ballots. Voters indifferent between the two, or
//!    ranking neither, do not support the change.
//!
//! Without a status quo, step 3 is skipped and the chosen alternative is
//! the outcome.

use crate::pairwise::PairwiseMatrix;
use crate::profile::{Alternative, Profile};
use crate::ratio::Ratio;
use crate::rules::{self, Evidence, Rule, RuleError};
use serde::Serialize;
use std::fmt::Write as _;

/// How a decision is taken besides the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecisionOptions {
    /// The status quo (by index), if reality has one.
    pub status_quo: Option<usize>,
    /// The supermajority the change needs: strictly more than this
    /// fraction of the electorate. At least 1/2.
    pub threshold: Ratio,
    /// How many members may vote; `None` means the number of ballots.
    /// Members who cast no ballot count for the status quo.
    pub electorate: Option<u64>,
}

impl Default for DecisionOptions {
    fn default() -> Self {
        DecisionOptions {
            status_quo: None,
            threshold: Ratio::new(1, 2).expect("1/2 is a valid ratio"),
            electorate: None,
        }
    }
}

/// Why a decision could not be taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// The rule refused the profile.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// The status quo index is not an alternative.
    #[error("status quo index {index} is out of range (the profile has {count} alternatives)")]
    UnknownStatusQuo {
        /// The index given.
        index: usize,
        /// How many alternatives there are.
        count: usize,
    },
    /// The threshold is below one half.
    #[error("threshold {0} is below 1/2: a minority could overturn the status quo")]
    ThresholdBelowHalf(Ratio),
    /// The electorate is smaller than the number of ballots.
    #[error("electorate of {electorate} is smaller than the {ballots} ballots cast")]
    ElectorateTooSmall {
        /// The electorate given.
        electorate: u64,
        /// The ballots in the profile.
        ballots: u64,
    },
}

/// How one outcome was picked among tied winners.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TieBreak {
    /// There was a single winner: nothing to break.
    None,
    /// The status quo was among the tied winners and was kept.
    StatusQuo,
    /// The tied winner with the lowest alternative number was chosen.
    LowestNumber,
}

/// The status quo test: does the chosen alternative beat it by enough?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Challenge {
    /// The chosen alternative (index).
    pub challenger: usize,
    /// The status quo (index).
    pub status_quo: usize,
    /// Voters ranking the challenger strictly above the status quo.
    pub supporters: u64,
    /// Voters ranking the status quo strictly above the challenger.
    pub opponents: u64,
    /// The electorate the threshold is measured against.
    pub electorate: u64,
    /// The threshold: supporters / electorate must exceed it.
    pub threshold: Ratio,
    /// Whether the challenger replaces the status quo.
    pub passed: bool,
}

/// A reality-aware decision with its full evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// The rule used.
    pub rule: Rule,
    /// Every tied winner of the rule (indices, ascending).
    pub winners: Vec<usize>,
    /// How one was chosen among them.
    pub tie_break: TieBreak,
    /// The rule's single winner after tie-breaking.
    pub chosen: usize,
    /// The status quo, if any.
    pub status_quo: Option<usize>,
    /// The status quo test (absent without a status quo, or when the
    /// status quo itself was chosen).
    pub challenge: Option<Challenge>,
    /// The outcome: `chosen` if it passed the challenge, else the status quo.
    pub outcome: usize,
    /// The rule's evidence.
    pub evidence: Evidence,
    /// The pairwise margin matrix, `margins[a][b]`.
    pub margins: Vec<Vec<i64>>,
}

/// Decide with `rule` on `profile`.
pub fn decide(
    profile: &Profile,
    rule: Rule,
    options: &DecisionOptions,
) -> Result<Decision, DecisionError> {
    decide_with_matrix(
        profile,
        &PairwiseMatrix::from_profile(profile),
        rule,
        options,
    )
}

/// [`decide`] with the pairwise matrix already built (to run several
/// rules on one profile).
pub fn decide_with_matrix(
    profile: &Profile,
    matrix: &PairwiseMatrix,
    rule: Rule,
    options: &DecisionOptions,
) -> Result<Decision, DecisionError> {
    let m = profile.num_alternatives();
    if let Some(sq) = options.status_quo {
        if sq >= m {
            return Err(DecisionError::UnknownStatusQuo {
                index: sq,
                count: m,
            });
        }
    }
    if !options
        .threshold
        .at_least(Ratio::new(1, 2).expect("1/2 is valid"))
    {
        return Err(DecisionError::ThresholdBelowHalf(options.threshold));
    }
    let ballots = profile.num_voters();
    let electorate = options.electorate.unwrap_or(ballots);
    if electorate < ballots {
        return Err(DecisionError::ElectorateTooSmall {
            electorate,
            ballots,
        });
    }
    let result = rules::run(rule, profile, matrix)?;
    let winners = result.winners;
    let (chosen, tie_break) = match (winners.as_slice(), options.status_quo) {
        ([only], _) => (*only, TieBreak::None),
        (_, Some(sq)) if winners.contains(&sq) => (sq, TieBreak::StatusQuo),
        _ => {
            let lowest = *winners
                .iter()
                .min_by_key(|&&a| profile.alternatives()[a].number)
                .expect("rules never return an empty winner set");
            (lowest, TieBreak::LowestNumber)
        }
    };
    let challenge = options.status_quo.filter(|&sq| sq != chosen).map(|sq| {
        let supporters = matrix.support(chosen, sq);
        Challenge {
            challenger: chosen,
            status_quo: sq,
            supporters,
            opponents: matrix.support(sq, chosen),
            electorate,
            threshold: options.threshold,
            passed: options.threshold.exceeded_by(supporters, electorate),
        }
    });
    let outcome = match challenge {
        Some(c) if !c.passed => c.status_quo,
        _ => chosen,
    };
    Ok(Decision {
        rule,
        winners,
        tie_break,
        chosen,
        status_quo: options.status_quo,
        challenge,
        outcome,
        evidence: result.evidence,
        margins: matrix.margins(),
    })
}

/// An alternative as reported: its number and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Named {
    /// The alternative's number (PrefLib number).
    pub number: u32,
    /// Its name.
    pub name: String,
}

impl From<&Alternative> for Named {
    fn from(a: &Alternative) -> Self {
        Named {
            number: a.number,
            name: a.name.clone(),
        }
    }
}

/// A decision in the profile's own terms (numbers and names), for
/// printing and JSON. Index-valued fields of [`Decision`] become
/// [`Named`]; matrices and evidence stay in index order, with
/// `alternatives` giving the order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionReport {
    /// The rule used.
    pub rule: Rule,
    /// The alternatives, in the index order used by matrices and evidence.
    pub alternatives: Vec<Named>,
    /// Number of ballots.
    pub ballots: u64,
    /// The outcome.
    pub outcome: Named,
    /// Every tied winner of the rule.
    pub winners: Vec<Named>,
    /// How one winner was chosen.
    pub tie_break: TieBreak,
    /// The rule's single winner after tie-breaking.
    pub chosen: Named,
    /// The status quo.
    pub status_quo: Option<Named>,
    /// The status quo test.
    pub challenge: Option<Challenge>,
    /// The rule's evidence (indices as in `alternatives`).
    pub evidence: Evidence,
    /// `margins[a][b]` (indices as in `alternatives`).
    pub margins: Vec<Vec<i64>>,
}

impl Decision {
    /// The decision in the profile's numbers and names.
    pub fn report(&self, profile: &Profile) -> DecisionReport {
        let alts = profile.alternatives();
        let named = |a: usize| Named::from(&alts[a]);
        DecisionReport {
            rule: self.rule,
            alternatives: alts.iter().map(Named::from).collect(),
            ballots: profile.num_voters(),
            outcome: named(self.outcome),
            winners: self.winners.iter().map(|&a| named(a)).collect(),
            tie_break: self.tie_break,
            chosen: named(self.chosen),
            status_quo: self.status_quo.map(named),
            challenge: self.challenge,
            evidence: self.evidence.clone(),
            margins: self.margins.clone(),
        }
    }
}

impl DecisionReport {
    /// A human-readable account: outcome, tied winners, tie-break, the
    /// status quo test, then the evidence and the margin matrix (the
    /// matrix only up to 30 alternatives).
    pub fn to_text(&self) -> String {
        let mut t = String::new();
        let label = |n: &Named| format!("{} ({})", n.name, n.number);
        let at = |i: usize| label(&self.alternatives[i]);
        let _ = writeln!(t, "rule: {}   ballots: {}", self.rule, self.ballots);
        let _ = writeln!(t, "outcome: {}", label(&self.outcome));
        let ws: Vec<String> = self.winners.iter().map(label).collect();
        let _ = writeln!(t, "winners of the rule: {}", ws.join(", "));
        match self.tie_break {
            TieBreak::None => {}
            TieBreak::StatusQuo => {
                let _ = writeln!(
                    t,
                    "tie-break: the status quo is among the tied winners and is kept"
                );
            }
            TieBreak::LowestNumber => {
                let _ = writeln!(
                    t,
                    "tie-break: lowest alternative number among the tied winners: {}",
                    label(&self.chosen)
                );
            }
        }
        if let Some(sq) = &self.status_quo {
            match &self.challenge {
                None => {
                    let _ = writeln!(t, "status quo: {} (chosen by the rule; kept)", label(sq));
                }
                Some(c) => {
                    let _ = writeln!(
                        t,
                        "status quo: {}; {} of {} members rank {} above it ({} below); more than {} needed: {}",
                        label(sq),
                        c.supporters,
                        c.electorate,
                        label(&self.chosen),
                        c.opponents,
                        c.threshold,
                        if c.passed { "adopted" } else { "status quo kept" }
                    );
                }
            }
        }
        match &self.evidence {
            Evidence::Scores { meaning, scores } => {
                let _ = writeln!(t, "scores ({meaning}):");
                for (i, s) in scores.iter().enumerate() {
                    let _ = writeln!(t, "  {:>12}  {}", fmt_num(*s), at(i));
                }
            }
            Evidence::Paths { strengths } => {
                let _ = writeln!(t, "strongest path strengths (row to column):");
                write_matrix(&mut t, strengths, &self.alternatives);
            }
            Evidence::Locks { pairs, complete } => {
                let _ = writeln!(t, "pairs by decreasing margin:");
                for p in pairs {
                    let _ = writeln!(
                        t,
                        "  {:>8}  {} > {}  {}",
                        p.margin,
                        at(p.winner),
                        at(p.loser),
                        if p.locked {
                            "locked"
                        } else {
                            "skipped (cycle)"
                        }
                    );
                }
                if !complete {
                    let _ = writeln!(t, "  (tie search stopped early: winners may be incomplete)");
                }
            }
            Evidence::Kemeny {
                ranking,
                cost,
                exact,
            } => {
                let names: Vec<String> = ranking.iter().map(|&a| at(a)).collect();
                let _ = writeln!(
                    t,
                    "{} ranking ({cost} voter preferences reversed): {}",
                    if *exact {
                        "Kemeny"
                    } else {
                        "locally optimal Kemeny"
                    },
                    names.join(" > ")
                );
            }
            Evidence::Rounds { rounds } => {
                for (r, round) in rounds.iter().enumerate() {
                    let votes: Vec<String> = round
                        .votes
                        .iter()
                        .map(|&(a, v)| format!("{} {}", at(a), fmt_num(v)))
                        .collect();
                    let _ = write!(
                        t,
                        "round {}: {}; exhausted {}",
                        r + 1,
                        votes.join(", "),
                        fmt_num(round.exhausted)
                    );
                    if !round.eliminated.is_empty() {
                        let out: Vec<String> = round.eliminated.iter().map(|&a| at(a)).collect();
                        let _ = write!(t, "; eliminated {}", out.join(", "));
                    }
                    t.push('\n');
                }
            }
        }
        let _ = writeln!(t, "pairwise margins (row minus column):");
        write_matrix(&mut t, &self.margins, &self.alternatives);
        t
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// A square matrix labelled by alternative numbers.
fn write_matrix(t: &mut String, rows: &[Vec<i64>], alts: &[Named]) {
    let m = alts.len();
    if m > 30 {
        let _ = writeln!(t, "  ({m} alternatives: use --json for the matrix)");
        return;
    }
    let _ = write!(t, "{:>6}", "");
    for a in alts {
        let _ = write!(t, " {:>8}", format!("#{}", a.number));
    }
    t.push('\n');
    for (i, row) in rows.iter().enumerate() {
        let _ = write!(t, "{:>6}", format!("#{}", alts[i].number));
        for (j, v) in row.iter().enumerate() {
            if i == j {
                let _ = write!(t, " {:>8}", "-");
            } else {
                let _ = write!(t, " {v:>8}");
            }
        }
        t.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tennessee() -> Profile {
        let mut p = Profile::with_names(["Memphis", "Nashville", "Chattanooga", "Knoxville"]);
        p.add_strict(&[0, 1, 2, 3], 42).unwrap();
        p.add_strict(&[1, 2, 3, 0], 26).unwrap();
        p.add_strict(&[2, 3, 1, 0], 15).unwrap();
        p.add_strict(&[3, 2, 1, 0], 17).unwrap();
        p
    }

    fn options(sq: Option<usize>, q: (u32, u32), electorate: Option<u64>) -> DecisionOptions {
        DecisionOptions {
            status_quo: sq,
            threshold: Ratio::new(q.0, q.1).unwrap(),
            electorate,
        }
    }

    #[test]
    fn winner_replaces_status_quo_only_above_threshold() {
        let p = tennessee();
        // Nashville beats Memphis 58 to 42.
        let d = decide(&p, Rule::Schulze, &options(Some(0), (1, 2), None)).unwrap();
        assert_eq!((d.chosen, d.outcome), (1, 1));
        let c = d.challenge.unwrap();
        assert_eq!((c.supporters, c.opponents, c.electorate), (58, 42, 100));
        assert!(c.passed);
        // 58 of 100 is not more than 2/3: Memphis stays.
        let d = decide(&p, Rule::Schulze, &options(Some(0), (2, 3), None)).unwrap();
        assert_eq!((d.chosen, d.outcome), (1, 0));
        assert!(!d.challenge.unwrap().passed);
        // 58 of an electorate of 120 (20 abstain) is not a majority.
        let d = decide(&p, Rule::Schulze, &options(Some(0), (1, 2), Some(120))).unwrap();
        assert_eq!(d.outcome, 0);
        // Exactly the threshold is not enough: 58 of 116.
        let d = decide(&p, Rule::Schulze, &options(Some(0), (1, 2), Some(116))).unwrap();
        assert_eq!(d.outcome, 0);
        let d = decide(&p, Rule::Schulze, &options(Some(0), (1, 2), Some(115))).unwrap();
        assert_eq!(d.outcome, 1);
    }

    #[test]
    fn status_quo_chosen_by_the_rule_is_kept_without_challenge() {
        let p = tennessee();
        let d = decide(&p, Rule::Schulze, &options(Some(1), (1, 2), None)).unwrap();
        assert_eq!(d.outcome, 1);
        assert_eq!(d.challenge, None);
        assert_eq!(d.tie_break, TieBreak::None);
    }

    #[test]
    fn ties_keep_the_status_quo_else_lowest_number() {
        let mut p = Profile::with_names(["a", "b", "c"]);
        p.add_strict(&[0, 1, 2], 1).unwrap();
        p.add_strict(&[1, 2, 0], 1).unwrap();
        p.add_strict(&[2, 0, 1], 1).unwrap();
        let d = decide(&p, Rule::Schulze, &options(Some(2), (1, 2), None)).unwrap();
        assert_eq!(d.winners, vec![0, 1, 2]);
        assert_eq!((d.tie_break, d.outcome), (TieBreak::StatusQuo, 2));
        let d = decide(&p, Rule::Schulze, &DecisionOptions::default()).unwrap();
        assert_eq!((d.tie_break, d.outcome), (TieBreak::LowestNumber, 0));
    }

    #[test]
    fn bad_options_are_refused() {
        let p = tennessee();
        assert!(matches!(
            decide(&p, Rule::Borda, &options(Some(4), (1, 2), None)),
            Err(DecisionError::UnknownStatusQuo { index: 4, count: 4 })
        ));
        assert!(matches!(
            decide(&p, Rule::Borda, &options(None, (2, 5), None)),
            Err(DecisionError::ThresholdBelowHalf(_))
        ));
        assert!(matches!(
            decide(&p, Rule::Borda, &options(None, (1, 2), Some(99))),
            Err(DecisionError::ElectorateTooSmall { .. })
        ));
        let empty = Profile::with_names(["a", "b"]);
        assert!(matches!(
            decide(&empty, Rule::Borda, &DecisionOptions::default()),
            Err(DecisionError::Rule(RuleError::NoBallots))
        ));
    }

    #[test]
    fn report_names_alternatives_and_prints_evidence() {
        let p = tennessee();
        for rule in Rule::ALL {
            let d = decide(&p, rule, &options(Some(0), (2, 3), None)).unwrap();
            let r = d.report(&p);
            assert_eq!(r.outcome.name, "Memphis");
            let text = r.to_text();
            assert!(text.contains("outcome: Memphis (1)"), "{text}");
            let kept = if d.chosen == 0 {
                "kept)"
            } else {
                "status quo kept"
            };
            assert!(text.contains(kept), "{rule}: {text}");
            let json = serde_json::to_value(&r).unwrap();
            assert_eq!(json["outcome"]["number"], 1);
            assert_eq!(json["margins"][1][0], 16);
        }
    }
}
