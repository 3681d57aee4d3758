//! Schulze's beatpath method (Schulze 2011, "A new monotonic,
//! clone-independent, reversal symmetric, and Condorcet-consistent
//! single-winner election method").
//!
//! The *link* from `a` to `b` has strength `margin(a, b)` when positive,
//! else there is no link (strength 0). A *path* is as strong as its
//! weakest link, and `P[a][b]` is the strength of the strongest path from
//! `a` to `b`, computed by the widest-path variant of Floyd–Warshall in
//! `O(m³)`:
//!
//! ```text
//! P[i][j] ← max(P[i][j], min(P[i][k], P[k][j]))   for k, then i, j
//! ```
//!
//! The winners are the alternatives `a` with `P[a][b] ≥ P[b][a]` for
//! every `b`; Schulze proves this set is never empty. Measuring links by
//! margins rather than winning votes changes nothing for complete strict
//! ballots (the margin is `2·support − n`, an increasing function of the
//! winning votes); with ties or truncated ballots it is the choice of
//! Schulze's §2.1 "margins" variant and of `pref_voting`.

use super::{Evidence, RuleResult};
use crate::pairwise::PairwiseMatrix;

/// Strongest-path strengths: `P[a][b]`, row-major.
pub(crate) fn strongest_paths(w: &PairwiseMatrix) -> Vec<i64> {
    let m = w.len();
    let mut p = vec![0i64; m * m];
    for a in 0..m {
        for b in 0..m {
            if a != b {
                p[a * m + b] = w.margin(a, b).max(0);
            }
        }
    }
    for k in 0..m {
        // Row k is read while rows i are written; copy it once.
        let row_k: Vec<i64> = p[k * m..(k + 1) * m].to_vec();
        for i in 0..m {
            if i == k {
                continue;
            }
            let pik = p[i * m + k];
            if pik == 0 {
                continue;
            }
            let row_i = &mut p[i * m..(i + 1) * m];
            for (j, (pij, &pkj)) in row_i.iter_mut().zip(&row_k).enumerate() {
                if j != i {
                    let via = pik.min(pkj);
                    if via > *pij {
                        *pij = via;
                    }
                }
            }
        }
    }
    p
}

/// The Schulze winners and path strengths.
pub(crate) fn schulze(w: &PairwiseMatrix) -> RuleResult {
    let m = w.len();
    let p = strongest_paths(w);
    let winners = (0..m)
        .filter(|&a| (0..m).all(|b| p[a * m + b] >= p[b * m + a]))
        .collect();
    RuleResult {
        winners,
        evidence: Evidence::Paths {
            strengths: p.chunks(m.max(1)).map(<[i64]>::to_vec).collect(),
        },
    }
}
