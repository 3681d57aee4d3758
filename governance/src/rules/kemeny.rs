//! Kemeny–Young as a single-winner rule.
//!
//! The Kemeny ranking minimises the number of (voter, pair) preferences
//! it reverses: `cost(r) = Σ_{a above b in r} support(b, a)`, read from
//! the pairwise matrix, so ties and unranked alternatives cost nothing
//! either way. The winners are the alternatives ranked first by some
//! optimal ranking. Up to [`KEMENY_EXACT_MAX`] alternatives the optimum is
//! exact (dynamic programming over subsets, see [`crate::metric`]) and
//! the winner set is complete. Beyond that, the rule uses the
//! local-search ranking: its evidence says `exact: false` and the only
//! winner is that ranking's top.
//!
//! Kemeny is Condorcet consistent: a Condorcet winner below some
//! alternative could be swapped upwards with the alternative just above
//! it, which lowers the cost, so no optimal ranking (and no local
//! optimum of the heuristic) puts it anywhere but first.

use super::{Evidence, RuleResult};
use crate::metric::{above_counts_of, kemeny_dp, kemeny_local, kemeny_tops, KEMENY_EXACT_MAX};
use crate::pairwise::PairwiseMatrix;

/// Run Kemeny–Young on `matrix`.
pub(super) fn kemeny(matrix: &PairwiseMatrix) -> RuleResult {
    let m = matrix.len();
    let w = above_counts_of(matrix);
    let (k, winners) = if m <= KEMENY_EXACT_MAX {
        let k = kemeny_dp(m, &w);
        let tops = kemeny_tops(m, &w, k.cost);
        (k, tops)
    } else {
        let k = kemeny_local(m, &w);
        let top = vec![k.ranking[0]];
        (k, top)
    };
    RuleResult {
        winners,
        evidence: Evidence::Kemeny {
            ranking: k.ranking,
            cost: k.cost,
            exact: k.exact,
        },
    }
}
