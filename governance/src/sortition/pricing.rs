//! The pricing problem: a quota-respecting panel of largest total weight.
//!
//! Solved exactly as a 0/1 integer program (one binary variable per
//! person, the panel size as an equality, one row per non-trivial quota)
//! by `microlp`'s branch and bound; and a swap local search that finds
//! heavy (not necessarily heaviest) panels fast, used for the initial
//! columns.

use super::quota::{BoundSide, Instance, QuotaBound, SortitionError};
use microlp::{ComparisonOp, Error as LpError, OptimizationDirection, Problem};
use std::collections::HashSet;

/// The instance's quotas flattened: every feature value gets a global
/// index, and every person the global indices of their values.
#[derive(Debug, Clone)]
pub(crate) struct Flat {
    pub(crate) n: usize,
    pub(crate) k: usize,
    /// `person_values[i]`: global value indices of person `i`.
    pub(crate) person_values: Vec<Vec<usize>>,
    /// Members of each global value.
    pub(crate) members: Vec<Vec<usize>>,
    pub(crate) min: Vec<usize>,
    pub(crate) max: Vec<usize>,
    /// The bound each `(global value, side)` stands for.
    pub(crate) bound_of: Vec<(usize, usize)>,
}

impl Flat {
    pub(crate) fn new(inst: &Instance) -> Flat {
        let mut offsets = Vec::new();
        let mut min = Vec::new();
        let mut max = Vec::new();
        let mut bound_of = Vec::new();
        for (f, feat) in inst.features().iter().enumerate() {
            offsets.push(min.len());
            for (v, val) in feat.values.iter().enumerate() {
                min.push(val.min);
                max.push(val.max);
                bound_of.push((f, v));
            }
        }
        let mut members = vec![Vec::new(); min.len()];
        let person_values: Vec<Vec<usize>> = inst
            .people()
            .iter()
            .enumerate()
            .map(|(i, p)| {
                p.values
                    .iter()
                    .enumerate()
                    .map(|(f, &v)| {
                        let g = offsets[f] + v;
                        members[g].push(i);
                        g
                    })
                    .collect()
            })
            .collect();
        Flat {
            n: inst.people().len(),
            k: inst.panel_size(),
            person_values,
            members,
            min,
            max,
            bound_of,
        }
    }

    /// The bounds with `relaxed` ones lifted (min 0, max k).
    pub(crate) fn relaxed_bounds(&self, relaxed: &HashSet<QuotaBound>) -> (Vec<usize>, Vec<usize>) {
        let mut min = self.min.clone();
        let mut max = self.max.clone();
        for (g, &(feature, value)) in self.bound_of.iter().enumerate() {
            let b = |side| QuotaBound {
                feature,
                value,
                side,
            };
            if relaxed.contains(&b(BoundSide::Min)) {
                min[g] = 0;
            }
            if relaxed.contains(&b(BoundSide::Max)) {
                max[g] = self.k;
            }
        }
        (min, max)
    }

    /// Whether a panel meets the size and the given bounds, in integers.
    pub(crate) fn feasible_with(&self, panel: &[usize], min: &[usize], max: &[usize]) -> bool {
        if panel.len() != self.k {
            return false;
        }
        let mut counts = vec![0usize; min.len()];
        let mut seen = vec![false; self.n];
        for &i in panel {
            if i >= self.n || seen[i] {
                return false;
            }
            seen[i] = true;
            for &g in &self.person_values[i] {
                counts[g] += 1;
            }
        }
        (0..min.len()).all(|g| min[g] <= counts[g] && counts[g] <= max[g])
    }

    /// The exact pricing problem: a panel meeting `min`/`max` that
    /// maximises the sum of `weights` of its members, or `None` when no
    /// panel meets them.
    pub(crate) fn best_panel(
        &self,
        weights: &[f64],
        min: &[usize],
        max: &[usize],
    ) -> Result<Option<Vec<usize>>, SortitionError> {
        let mut problem = Problem::new(OptimizationDirection::Maximize);
        let vars: Vec<_> = (0..self.n)
            .map(|i| problem.add_binary_var(weights[i]))
            .collect();
        let all: Vec<_> = vars.iter().map(|&v| (v, 1.0)).collect();
        problem.add_constraint(all.as_slice(), ComparisonOp::Eq, self.k as f64);
        for (g, members) in self.members.iter().enumerate() {
            if min[g] > members.len() {
                return Ok(None);
            }
            let row: Vec<_> = members.iter().map(|&i| (vars[i], 1.0)).collect();
            if min[g] > 0 {
                problem.add_constraint(row.as_slice(), ComparisonOp::Ge, min[g] as f64);
            }
            if max[g] < members.len().min(self.k) {
                problem.add_constraint(row.as_slice(), ComparisonOp::Le, max[g] as f64);
            }
        }
        let outcome = match problem.solve() {
            Ok(outcome) => outcome,
            Err(LpError::Infeasible) => return Ok(None),
            Err(e) => return Err(SortitionError::Solver(e.to_string())),
        };
        let solution = outcome
            .into_solution()
            .map_err(|_| SortitionError::Solver("integer program interrupted".into()))?;
        let panel: Vec<usize> = (0..self.n)
            .filter(|&i| solution.var_value(vars[i]) > 0.5)
            .collect();
        if !self.feasible_with(&panel, min, max) {
            return Err(SortitionError::Solver(
                "integer program returned a panel that breaks a quota".into(),
            ));
        }
        Ok(Some(panel))
    }

    /// Swap local search from a feasible `start`. Each pass sorts the
    /// non-members by decreasing weight and the members by increasing
    /// weight, and swaps every non-member in turn with the lightest member
    /// it can replace while keeping every quota, if that gains weight; passes
    /// repeat until one makes no swap (or after `4k + 10` passes).
    pub(crate) fn local_search(&self, weights: &[f64], start: &[usize]) -> Vec<usize> {
        let mut in_panel = vec![false; self.n];
        let mut counts = vec![0usize; self.min.len()];
        for &i in start {
            in_panel[i] = true;
            for &g in &self.person_values[i] {
                counts[g] += 1;
            }
        }
        let mut panel: Vec<usize> = start.to_vec();
        let mut outside: Vec<usize> = (0..self.n).filter(|&i| !in_panel[i]).collect();
        for _ in 0..(4 * self.k + 10) {
            panel.sort_by(|&a, &b| weights[a].total_cmp(&weights[b]));
            outside.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
            let mut swapped = false;
            for slot in outside.iter_mut() {
                let j = *slot;
                for member in panel.iter_mut() {
                    let i = *member;
                    if weights[j] - weights[i] <= 1e-12 {
                        // Members are in increasing weight (those swapped in
                        // this pass are heavier still): no gain further on.
                        break;
                    }
                    let ok = self.person_values[i]
                        .iter()
                        .zip(&self.person_values[j])
                        .all(|(&gi, &gj)| {
                            gi == gj || (counts[gi] > self.min[gi] && counts[gj] < self.max[gj])
                        });
                    if ok {
                        for &g in &self.person_values[i] {
                            counts[g] -= 1;
                        }
                        for &g in &self.person_values[j] {
                            counts[g] += 1;
                        }
                        *member = j;
                        *slot = i;
                        swapped = true;
                        break;
                    }
                }
            }
            if !swapped {
                break;
            }
        }
        panel.sort_unstable();
        panel
    }
}
