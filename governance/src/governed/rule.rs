//! The rule on one component: which proposal, if any, replaces the
//! status quo (see the module docs of [`crate::governed`]).

use super::line::{line_outcome, LineOutcome};
use super::state::Component;
use super::{check_threshold, ComponentKind, GovernedError, Value};
use crate::ratio::Ratio;
use serde::Serialize;
use std::collections::BTreeMap;

/// Why the status quo stays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Reason {
    /// No ballot proposes anything but the status quo (or none was cast).
    NoChangeProposed,
    /// No proposal is supported by more than `threshold · electorate`
    /// members; `best` is the most support any change had.
    NotEnoughSupport {
        /// The most members supporting any change.
        best: u64,
        /// The members entitled to vote.
        electorate: u64,
        /// The threshold to exceed.
        threshold: Ratio,
    },
    /// Some proposal is supported, but none brings the ballots closer in
    /// total than the status quo is (score ≤ 0).
    NoImprovement,
}

/// The rule's decision on one component.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// `value` replaces the status quo.
    Adopted {
        /// The new value.
        value: Value,
        /// The members supporting it (see the module docs: on a line,
        /// those at or beyond it; elsewhere, those strictly closer to it
        /// than to the status quo).
        supporters: u64,
    },
    /// The status quo stays.
    StatusQuoStays {
        /// Why.
        reason: Reason,
    },
}

/// One proposal's tally under the metric rule.
struct Tally {
    supporters: u64,
    score: i128,
}

/// Decide one component: `ballots` are the voting members' ideal values
/// (each also a proposal), `electorate` all members entitled to vote
/// (those who did not vote count for the status quo), `threshold` the
/// supermajority to exceed (at least 1/2).
pub fn decide(
    kind: &ComponentKind,
    status_quo: &Value,
    ballots: &[Value],
    threshold: Ratio,
    electorate: u64,
) -> Result<Outcome, GovernedError> {
    check_threshold(threshold)?;
    kind.validate(status_quo)?;
    for (i, b) in ballots.iter().enumerate() {
        kind.validate(b).map_err(|e| GovernedError::ballot(i, e))?;
    }
    let n = ballots.len() as u64;
    if n > electorate {
        return Err(GovernedError::ElectorateTooSmall {
            electorate,
            votes: n,
        });
    }
    match (kind, status_quo) {
        (ComponentKind::Number { .. }, Value::Number(s)) => {
            decide_line(kind, *s, ballots, threshold, electorate)
        }
        _ => decide_metric(kind, status_quo, ballots, threshold, electorate),
    }
}

fn decide_line(
    kind: &ComponentKind,
    s: i64,
    ballots: &[Value],
    threshold: Ratio,
    electorate: u64,
) -> Result<Outcome, GovernedError> {
    let xs: Vec<i64> = ballots
        .iter()
        .filter_map(|b| match b {
            Value::Number(x) => Some(*x),
            _ => None, // validated: every ballot is a number
        })
        .collect();
    let (value, tally) = line_outcome(kind, &xs, s, threshold, electorate)?;
    Ok(line_to_outcome(value, tally, threshold, electorate))
}

fn line_to_outcome(value: i64, t: LineOutcome, threshold: Ratio, electorate: u64) -> Outcome {
    if t.moved {
        return Outcome::Adopted {
            value: Value::Number(value),
            supporters: t.support,
        };
    }
    let reason = match t.above.max(t.below) {
        0 => Reason::NoChangeProposed,
        best => Reason::NotEnoughSupport {
            best,
            electorate,
            threshold,
        },
    };
    Outcome::StatusQuoStays { reason }
}

/// The distinct proposals other than the status quo, by canonical
/// encoding (so the order of ballots never matters).
fn proposals<'a>(status_quo: &Value, ballots: &'a [Value]) -> BTreeMap<Vec<u8>, &'a Value> {
    let sq = status_quo.encode();
    ballots
        .iter()
        .map(|b| (b.encode(), b))
        .filter(|(e, _)| *e != sq)
        .collect()
}

fn tally(
    kind: &ComponentKind,
    s: &Value,
    p: &Value,
    ballots: &[Value],
) -> Result<Tally, GovernedError> {
    let mut t = Tally {
        supporters: 0,
        score: 0,
    };
    for v in ballots {
        let (ds, dp) = (kind.distance(v, s), kind.distance(v, p));
        t.supporters += u64::from(dp < ds);
        let gain = i128::try_from(ds).map_err(|_| GovernedError::TooLarge)?
            - i128::try_from(dp).map_err(|_| GovernedError::TooLarge)?;
        t.score = t.score.checked_add(gain).ok_or(GovernedError::TooLarge)?;
    }
    Ok(t)
}

fn decide_metric(
    kind: &ComponentKind,
    s: &Value,
    ballots: &[Value],
    threshold: Ratio,
    electorate: u64,
) -> Result<Outcome, GovernedError> {
    let candidates = proposals(s, ballots);
    if candidates.is_empty() {
        return Ok(Outcome::StatusQuoStays {
            reason: Reason::NoChangeProposed,
        });
    }
    let mut best_support = 0;
    let mut best: Option<(&Value, Tally)> = None;
    for p in candidates.values() {
        let t = tally(kind, s, p, ballots)?;
        best_support = best_support.max(t.supporters);
        let wins = threshold.exceeded_by(t.supporters, electorate)
            && t.score > 0
            && best.as_ref().is_none_or(|(_, b)| t.score > b.score);
        if wins {
            best = Some((p, t));
        }
    }
    Ok(match best {
        Some((p, t)) => Outcome::Adopted {
            value: p.clone().canonical(),
            supporters: t.supporters,
        },
        None if threshold.exceeded_by(best_support, electorate) => Outcome::StatusQuoStays {
            reason: Reason::NoImprovement,
        },
        None => Outcome::StatusQuoStays {
            reason: Reason::NotEnoughSupport {
                best: best_support,
                electorate,
                threshold,
            },
        },
    })
}

/// The threshold a change of `component` from `old` to `new` must
/// exceed: the component's own, and, where the values carry thresholds
/// themselves (a constitution), the stricter of the old and the new ones
/// ([`crate::amendment::amendment_threshold`]: amendment thresholds made
/// Sybil-safe, and the old and new thresholds of every component the
/// change alters). So lowering a threshold needs the old, higher one,
/// and raising it needs the new one.
pub fn required_threshold(component: &Component, old: &Value, new: &Value) -> Ratio {
    let own = component.threshold();
    match (old, new) {
        (Value::Constitution(a), Value::Constitution(b)) => {
            own.max(crate::amendment::amendment_threshold(a, b))
        }
        _ => own,
    }
}

/// The threshold a decision changing a threshold from `old` to `new`
/// must exceed: the stricter of the two.
pub fn threshold_change_threshold(old: Ratio, new: Ratio) -> Ratio {
    old.max(new)
}
