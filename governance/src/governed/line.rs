//! The rule on a line: the generalized median with status-quo phantoms,
//! from ballots or from cumulative counts alone (see the module docs of
//! [`crate::governed`] for the definition).

use super::{check_threshold, ComponentKind, GovernedError};
use crate::ratio::Ratio;
use serde::Serialize;

/// The most grid steps [`counts_per_step`] builds counts for.
pub const MAX_STEPS: u64 = 1 << 20;

/// The line rule's result, in grid steps (`value = min + step · spacing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineOutcome {
    /// The outcome's step: the status quo's when it stays.
    pub step: u64,
    /// Whether the value moved away from the status quo.
    pub moved: bool,
    /// When it moved, the members whose ideal is at the outcome or
    /// beyond it (away from the status quo); else 0.
    pub support: u64,
    /// Members whose ideal is above the status quo.
    pub above: u64,
    /// Members whose ideal is below the status quo.
    pub below: u64,
}

/// Check cumulative counts and return the number of voters.
fn check_counts(counts: &[u64], status_quo: usize, electorate: u64) -> Result<u64, GovernedError> {
    if status_quo >= counts.len() {
        return Err(GovernedError::StatusQuoOffGrid {
            step: status_quo as u64,
            steps: counts.len() as u64,
        });
    }
    if let Some(k) = counts.windows(2).position(|w| w[1] < w[0]) {
        return Err(GovernedError::CountsDecrease { step: k as u64 + 1 });
    }
    let n = *counts.last().expect("non-empty: the status quo is a step");
    if n > electorate {
        return Err(GovernedError::ElectorateTooSmall {
            electorate,
            votes: n,
        });
    }
    Ok(n)
}

/// The line rule from cumulative counts: `counts[k]` is the number of
/// voters whose ideal is at or below step `k` (so the last entry is the
/// number of voters). Members of the `electorate` who did not vote count
/// for the status quo (step `status_quo`). Needs only, for each step,
/// whether a count exceeds `threshold · electorate`.
pub fn line_outcome_from_counts(
    counts: &[u64],
    status_quo: usize,
    threshold: Ratio,
    electorate: u64,
) -> Result<LineOutcome, GovernedError> {
    check_threshold(threshold)?;
    let n = check_counts(counts, status_quo, electorate)?;
    let at_or_below = |k: usize| if k == 0 { 0 } else { counts[k - 1] };
    let stays = LineOutcome {
        step: status_quo as u64,
        moved: false,
        support: 0,
        above: n - counts[status_quo],
        below: at_or_below(status_quo),
    };
    // Upward: the largest step whose at-or-above count exceeds q·N
    // (at-or-above counts fall as k grows, so scan from the top).
    let up = (status_quo + 1..counts.len())
        .rev()
        .map(|k| (k, n - at_or_below(k)))
        .find(|&(_, c)| threshold.exceeded_by(c, electorate));
    // Downward: the smallest step whose at-or-below count exceeds q·N.
    let down = (0..status_quo)
        .map(|k| (k, counts[k]))
        .find(|&(_, c)| threshold.exceeded_by(c, electorate));
    Ok(match up.or(down) {
        Some((k, support)) => LineOutcome {
            step: k as u64,
            moved: true,
            support,
            ..stays
        },
        None => stays,
    })
}

/// The grid of a number kind: `(min, spacing, number of steps)`.
fn grid(kind: &ComponentKind) -> Result<(i64, u64, u64), GovernedError> {
    kind.check()?;
    match kind {
        ComponentKind::Number { min, max, step, .. } => {
            Ok((*min, *step, max.abs_diff(*min) / step + 1))
        }
        other => Err(GovernedError::WrongKind {
            expected: "number",
            found: other.name(),
        }),
    }
}

/// The step of a grid value (checked to be on the grid).
fn step_of(kind: &ComponentKind, x: i64) -> Result<u64, GovernedError> {
    let (min, spacing, _) = grid(kind)?;
    kind.validate(&super::Value::Number(x))?;
    Ok(x.abs_diff(min) / spacing)
}

/// The value at a step of a number kind's grid.
pub fn value_at(kind: &ComponentKind, step: u64) -> Result<i64, GovernedError> {
    let (min, spacing, steps) = grid(kind)?;
    if step >= steps {
        return Err(GovernedError::StatusQuoOffGrid { step, steps });
    }
    let offset = i128::from(step) * i128::from(spacing);
    Ok((i128::from(min) + offset) as i64) // within [min, max] as step < steps
}

/// The cumulative counts of `ballots` on a number kind's grid (at most
/// [`MAX_STEPS`] steps): entry `k` is the number of ballots at or below
/// step `k`.
pub fn counts_per_step(kind: &ComponentKind, ballots: &[i64]) -> Result<Vec<u64>, GovernedError> {
    let (_, _, steps) = grid(kind)?;
    if steps > MAX_STEPS {
        return Err(GovernedError::TooManySteps { steps });
    }
    let mut counts = vec![0u64; steps as usize];
    for (i, &b) in ballots.iter().enumerate() {
        let k = step_of(kind, b).map_err(|e| GovernedError::ballot(i, e))?;
        counts[k as usize] += 1;
    }
    for k in 1..counts.len() {
        counts[k] += counts[k - 1];
    }
    Ok(counts)
}

/// The line rule on ballots (members' ideal values): the largest ideal
/// above the status quo that more than `threshold · electorate` members
/// are at or above, else the smallest ideal below it that more than that
/// many are at or below, else the status quo. Same result as
/// [`line_outcome_from_counts`] on [`counts_per_step`], without building
/// the grid. Returns the value and the tally.
pub fn line_outcome(
    kind: &ComponentKind,
    ballots: &[i64],
    status_quo: i64,
    threshold: Ratio,
    electorate: u64,
) -> Result<(i64, LineOutcome), GovernedError> {
    check_threshold(threshold)?;
    let sq_step = step_of(kind, status_quo)?;
    for (i, &b) in ballots.iter().enumerate() {
        step_of(kind, b).map_err(|e| GovernedError::ballot(i, e))?;
    }
    let n = ballots.len() as u64;
    if n > electorate {
        return Err(GovernedError::ElectorateTooSmall {
            electorate,
            votes: n,
        });
    }
    let mut xs = ballots.to_vec();
    xs.sort_unstable();
    let above = xs.iter().filter(|&&x| x > status_quo).count() as u64;
    let below = xs.iter().filter(|&&x| x < status_quo).count() as u64;
    // In sorted order, n − i voters are at or above xs[i] (exactly so at
    // the first of equal values, fewer at the others, never more).
    let up = xs
        .iter()
        .enumerate()
        .filter(|&(i, &x)| x > status_quo && threshold.exceeded_by(n - i as u64, electorate))
        .map(|(_, &x)| (x, xs.iter().filter(|&&y| y >= x).count()))
        .next_back();
    // Symmetrically, i + 1 voters are at or below xs[i] at the last of
    // equal values; the smallest qualifying ideal is found scanning down.
    let down = xs
        .iter()
        .enumerate()
        .rev()
        .filter(|&(i, &x)| x < status_quo && threshold.exceeded_by(i as u64 + 1, electorate))
        .map(|(_, &x)| (x, xs.iter().filter(|&&y| y <= x).count()))
        .next_back();
    let (value, moved, support) = match up.or(down) {
        Some((x, c)) => (x, true, c as u64),
        None => (status_quo, false, 0),
    };
    let step = if moved {
        step_of(kind, value)?
    } else {
        sq_step
    };
    Ok((
        value,
        LineOutcome {
            step,
            moved,
            support,
            above,
            below,
        },
    ))
}
