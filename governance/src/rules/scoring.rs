//! Rules that score each alternative from the pairwise matrix.
//!
//! * **Copeland**: `wins(a) − losses(a)`, counting a pair as a win when
//!   the margin is positive (ties count zero); maximised. Equivalent to
//!   Copeland with ½ a point per tie.
//! * **Minimax** (Simpson–Kramer): the largest margin by which any `b`
//!   beats `a`, `max_b margin(b, a)`; minimised. A Condorcet winner has a
//!   negative score and every other alternative a positive one.
//! * **Borda**: `Σ_b support(a, b)`, one point per voter per alternative
//!   ranked strictly below `a`; maximised. On complete strict ballots this
//!   is the textbook `m − 1, m − 2, …, 0` count; with ties a tied pair
//!   scores nothing and with truncation every ranked alternative scores
//!   against every unranked one (the "pessimistic" convention).

use super::{arg_best, Evidence, RuleResult};
use crate::pairwise::PairwiseMatrix;

fn scored(scores: Vec<i64>, meaning: &'static str, maximise: bool) -> RuleResult {
    let winners = if maximise {
        arg_best(&scores, |a, b| a > b)
    } else {
        arg_best(&scores, |a, b| a < b)
    };
    RuleResult {
        winners,
        evidence: Evidence::Scores {
            meaning,
            scores: scores.into_iter().map(|s| s as f64).collect(),
        },
    }
}

/// Copeland: pairwise wins minus pairwise losses.
pub(crate) fn copeland(w: &PairwiseMatrix) -> RuleResult {
    let m = w.len();
    let scores = (0..m)
        .map(|a| (0..m).map(|b| w.margin(a, b).signum()).sum())
        .collect();
    scored(scores, "pairwise wins minus losses (maximised)", true)
}

/// Minimax: the largest defeat margin.
pub(crate) fn minimax(w: &PairwiseMatrix) -> RuleResult {
    let m = w.len();
    let scores = (0..m)
        .map(|a| {
            (0..m)
                .filter(|&b| b != a)
                .map(|b| w.margin(b, a))
                .max()
                .unwrap_or(0)
        })
        .collect();
    scored(scores, "largest margin of defeat (minimised)", false)
}

/// Borda: points for each alternative ranked below.
pub(crate) fn borda(w: &PairwiseMatrix) -> RuleResult {
    let m = w.len();
    let scores = (0..m)
        .map(|a| (0..m).map(|b| w.support(a, b) as i64).sum())
        .collect();
    scored(scores, "Borda points (maximised)", true)
}
