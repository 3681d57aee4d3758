//! Explaining infeasible quotas: a conflicting set, minimal by deletion.
//!
//! When no panel meets the quotas, the error names a set of quota bounds
//! that cannot be met together (with the panel size and the pool) while
//! every proper subset can. First every single bound is tested on its own,
//! exactly by counting, so a conflict of one bound is always reported as
//! such (the smallest possible). Otherwise a deletion filter runs: starting
//! from all bounds, each is lifted in turn and stays lifted if the rest are
//! still infeasible; the bounds left are an irreducible infeasible subset.
//! Each test is an exact feasibility integer program; the result is
//! minimal, not necessarily of the smallest size.

use super::pricing::Flat;
use super::quota::{BoundSide, Instance, QuotaBound, SortitionError};
use std::collections::HashSet;

/// Whether a single bound, with only the panel size, can be met: counted.
fn alone_feasible(flat: &Flat, g: usize, side: BoundSide) -> bool {
    let have = flat.members[g].len();
    match side {
        BoundSide::Min => flat.min[g] <= have.min(flat.k),
        // The rest of the panel must come from people without the value.
        BoundSide::Max => flat.k - flat.max[g].min(flat.k) <= flat.n - have,
    }
}

/// The error for an infeasible instance, with a minimal conflict.
pub(crate) fn conflict(inst: &Instance, flat: &Flat) -> SortitionError {
    match minimal_conflict(inst, flat) {
        Ok(bounds) => SortitionError::Infeasible {
            conflict: bounds
                .into_iter()
                .filter_map(|b| inst.name_bound(b))
                .collect(),
        },
        Err(e) => e,
    }
}

/// A set of bounds, minimal by deletion, that no panel meets.
pub(crate) fn minimal_conflict(
    inst: &Instance,
    flat: &Flat,
) -> Result<Vec<QuotaBound>, SortitionError> {
    for (g, &(feature, value)) in flat.bound_of.iter().enumerate() {
        for side in [BoundSide::Min, BoundSide::Max] {
            if !alone_feasible(flat, g, side) {
                return Ok(vec![QuotaBound {
                    feature,
                    value,
                    side,
                }]);
            }
        }
    }
    let zero = vec![0.0; flat.n];
    let all = inst.bounds();
    let mut relaxed: HashSet<QuotaBound> = HashSet::new();
    let feasible = |relaxed: &HashSet<QuotaBound>| -> Result<bool, SortitionError> {
        let (min, max) = flat.relaxed_bounds(relaxed);
        Ok(flat.best_panel(&zero, &min, &max)?.is_some())
    };
    if feasible(&relaxed)? {
        return Err(SortitionError::Solver(
            "asked to explain a feasible instance".into(),
        ));
    }
    // Bounds that constrain nothing (min 0, max ≥ k) go first.
    for &b in &all {
        relaxed.insert(b);
        if feasible(&relaxed)? {
            relaxed.remove(&b);
        }
    }
    Ok(all.into_iter().filter(|b| !relaxed.contains(b)).collect())
}
