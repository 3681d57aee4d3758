//! The classic single-winner voting rules over ranked profiles.
//!
//! Each rule maps a [`Profile`] (and its [`PairwiseMatrix`]) to an
//! *irresolute* set of winners — every alternative the rule cannot
//! separate — together with the [`Evidence`] the result rests on.
//! Choosing one outcome among tied winners, and the status-quo test of
//! reality-aware social choice, are done once for all rules in
//! [`crate::decision`].
//!
//! | rule | reads | winners | evidence |
//! | --- | --- | --- | --- |
//! | [`Rule::Schulze`] | margins | `a` with `P[a][b] ≥ P[b][a]` for all `b` (widest paths) | path strengths |
//! | [`Rule::RankedPairs`] | margins | sources of the locked graph, over *all* orders of tied margins | locked and skipped pairs |
//! | [`Rule::Copeland`] | margins | most pairwise wins minus losses | scores |
//! | [`Rule::Minimax`] | margins | smallest largest defeat margin | scores |
//! | [`Rule::Borda`] | supports | most `Σ_b support(a, b)` | scores |
//! | [`Rule::InstantRunoff`] | ballots | last survivor of eliminating the fewest first preferences | rounds |
//! | [`Rule::Plurality`] | ballots | most first preferences | scores |
//! | [`Rule::Approval`] | ballots | most approvals | scores |
//! | [`Rule::Kemeny`] | supports | first of some ranking reversing fewest voter preferences | the ranking and its cost |
//!
//! Conventions shared by all rules (documented in `docs/governance.md`):
//! unranked alternatives are below ranked ones and tied among themselves;
//! approval ballots are the alternatives a ballot ranks;
//! a ballot whose top tier holds `k` alternatives gives each `1/k` of its
//! weight in first-preference counts (plurality, instant-runoff), counted
//! exactly in integers scaled by `lcm(1..=k_max)`.

mod kemeny;
mod ranked_pairs;
mod runoff;
mod schulze;
mod scoring;
mod tally;

use crate::pairwise::PairwiseMatrix;
use crate::profile::Profile;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use ranked_pairs::{LockedPair, RANKED_PAIRS_STATE_LIMIT};
pub use runoff::Round;

/// A single-winner voting rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Schulze's beatpath method, link strength = margin (Schulze 2011).
    Schulze,
    /// Tideman's ranked pairs, with parallel-universe tie-breaking.
    RankedPairs,
    /// Copeland: pairwise wins minus pairwise losses.
    Copeland,
    /// Minimax (Simpson–Kramer): the smallest largest defeat, by margin.
    Minimax,
    /// Borda count: one point per alternative ranked below.
    Borda,
    /// Instant-runoff (alternative vote, Hare).
    #[serde(rename = "irv")]
    InstantRunoff,
    /// Plurality: most first preferences.
    Plurality,
    /// Approval: a ballot approves exactly the alternatives it ranks (the
    /// way PrefLib stores approval ballots, one tier each), so complete
    /// ballots approve everything.
    Approval,
    /// Kemeny–Young: the top of a ranking that reverses the fewest voter
    /// preferences (exact up to [`crate::metric::KEMENY_EXACT_MAX`]
    /// alternatives).
    Kemeny,
}

impl Rule {
    /// Every rule, in documentation order.
    pub const ALL: [Rule; 9] = [
        Rule::Schulze,
        Rule::RankedPairs,
        Rule::Copeland,
        Rule::Minimax,
        Rule::Borda,
        Rule::InstantRunoff,
        Rule::Plurality,
        Rule::Approval,
        Rule::Kemeny,
    ];

    /// The rule's canonical command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Schulze => "schulze",
            Rule::RankedPairs => "ranked-pairs",
            Rule::Copeland => "copeland",
            Rule::Minimax => "minimax",
            Rule::Borda => "borda",
            Rule::InstantRunoff => "irv",
            Rule::Plurality => "plurality",
            Rule::Approval => "approval",
            Rule::Kemeny => "kemeny",
        }
    }

    /// Whether the rule always elects the Condorcet winner when there is
    /// one (Schulze, ranked pairs, Copeland, minimax, Kemeny).
    pub fn is_condorcet_consistent(self) -> bool {
        matches!(
            self,
            Rule::Schulze | Rule::RankedPairs | Rule::Copeland | Rule::Minimax | Rule::Kemeny
        )
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rule name that is not recognised.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{0}` (expected one of: schulze, ranked-pairs, copeland, minimax, borda, irv, plurality, approval, kemeny)")]
pub struct UnknownRule(pub String);

impl FromStr for Rule {
    type Err = UnknownRule;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match key.as_str() {
            "schulze" | "beatpath" => Rule::Schulze,
            "ranked-pairs" | "rankedpairs" | "rp" | "tideman" => Rule::RankedPairs,
            "copeland" => Rule::Copeland,
            "minimax" | "simpson" | "simpson-kramer" => Rule::Minimax,
            "borda" => Rule::Borda,
            "irv" | "instant-runoff" | "instantrunoff" | "hare" | "alternative-vote" => {
                Rule::InstantRunoff
            }
            "plurality" | "fptp" => Rule::Plurality,
            "approval" => Rule::Approval,
            "kemeny" | "kemeny-young" => Rule::Kemeny,
            _ => return Err(UnknownRule(s.to_string())),
        })
    }
}

/// Why a rule could not be run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The profile has no alternatives.
    #[error("the profile has no alternatives")]
    NoAlternatives,
    /// The profile has no ballots.
    #[error("the profile has no ballots")]
    NoBallots,
    /// Exact first-preference counting with ties this large overflows.
    #[error("an indifference class of {0} alternatives is too large to split exactly among first preferences")]
    TiesTooLarge(usize),
}

/// What a rule's result rests on.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Evidence {
    /// One score per alternative (index order); what is maximised or
    /// minimised is named by `meaning`.
    Scores {
        /// What the score is, e.g. "wins minus losses (maximised)".
        meaning: &'static str,
        /// The scores, by alternative index.
        scores: Vec<f64>,
    },
    /// Schulze: the strength of the strongest path from row to column.
    Paths {
        /// `strengths[a][b]`, by alternative index.
        strengths: Vec<Vec<i64>>,
    },
    /// Ranked pairs: pairs in decreasing margin, as locked or skipped
    /// under the canonical tie order (see [`LockedPair`]).
    Locks {
        /// Pairs with a positive margin, in the order considered, and
        /// whether each was locked.
        pairs: Vec<LockedPair>,
        /// Whether the parallel-universe search over orders of tied
        /// margins finished (else the winners are those found within
        /// [`RANKED_PAIRS_STATE_LIMIT`] states).
        complete: bool,
    },
    /// Kemeny: an optimal (or, beyond the exact limit, locally optimal)
    /// ranking.
    Kemeny {
        /// The ranking, best first, by alternative index.
        ranking: Vec<usize>,
        /// How many voter preferences it reverses.
        cost: u64,
        /// Whether the ranking is a proven optimum.
        exact: bool,
    },
    /// Instant-runoff: the first-preference tally of each round.
    Rounds {
        /// The rounds, first to last.
        rounds: Vec<Round>,
    },
}

/// A rule's irresolute result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleResult {
    /// Every winner, by index, ascending; never empty.
    pub winners: Vec<usize>,
    /// What the result rests on.
    pub evidence: Evidence,
}

/// Run `rule` on `profile`, whose pairwise matrix is `matrix`.
pub fn run(
    rule: Rule,
    profile: &Profile,
    matrix: &PairwiseMatrix,
) -> Result<RuleResult, RuleError> {
    if profile.num_alternatives() == 0 {
        return Err(RuleError::NoAlternatives);
    }
    if profile.num_voters() == 0 {
        return Err(RuleError::NoBallots);
    }
    debug_assert_eq!(matrix.len(), profile.num_alternatives());
    Ok(match rule {
        Rule::InstantRunoff => runoff::instant_runoff(profile)?,
        Rule::Plurality => tally::plurality(profile)?,
        Rule::Approval => tally::approval(profile),
        // Every other rule reads only the (non-empty) matrix.
        _ => run_on_matrix(rule, matrix).ok_or(RuleError::NoAlternatives)?,
    })
}

/// Run `rule` when only the pairwise matrix is known, as with encrypted
/// pairwise ballots whose sums alone are decrypted. The rules that read
/// only the matrix (Schulze, ranked pairs, Copeland, minimax, Borda,
/// Kemeny) run;
/// those that need whole ballots (instant-runoff, plurality, approval)
/// give `None`.
pub fn run_on_matrix(rule: Rule, matrix: &PairwiseMatrix) -> Option<RuleResult> {
    if matrix.is_empty() {
        return None;
    }
    Some(match rule {
        Rule::Schulze => schulze::schulze(matrix),
        Rule::RankedPairs => ranked_pairs::ranked_pairs(matrix),
        Rule::Copeland => scoring::copeland(matrix),
        Rule::Minimax => scoring::minimax(matrix),
        Rule::Borda => scoring::borda(matrix),
        Rule::Kemeny => kemeny::kemeny(matrix),
        Rule::InstantRunoff | Rule::Plurality | Rule::Approval => return None,
    })
}

/// The indices whose score is maximal (ascending).
fn arg_best<T: PartialOrd + Copy>(scores: &[T], better: impl Fn(T, T) -> bool) -> Vec<usize> {
    let mut best: Option<T> = None;
    for &s in scores {
        if best.is_none_or(|b| better(s, b)) {
            best = Some(s);
        }
    }
    let best = best.expect("at least one alternative");
    (0..scores.len())
        .filter(|&i| !better(best, scores[i]) && !better(scores[i], best))
        .collect()
}

#[cfg(test)]
mod tests;
