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
    /// An election's rule ended in a tie between these candidates.
    Tied {
        /// The tied candidates.
        candidates: Vec<String>,
    },
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
    let mut counted: BTreeMap<Vec<u8>, (Value, u64)> = BTreeMap::new();
    for b in ballots {
        counted.entry(b.encode()).or_insert((b.clone(), 0)).1 += 1;
    }
    let counted: Vec<(Value, u64)> = counted.into_values().collect();
    decide_counted(kind, status_quo, &counted, &|_| threshold, electorate)
}

/// [`decide`] on *counted* ballots: each distinct value with how many
/// members chose it, as an additive (homomorphic) tally of one-choice
/// ballots gives them. Every quantity the rule uses — the support of a
/// proposal, its score `Σ_v d(v, s) − d(v, p)`, the cumulative counts on
/// a line — is a sum over ballots, so it equals the same sum over
/// distinct values weighted by their counts: the outcome is exactly
/// [`decide`]'s on the list with each value repeated (tested).
///
/// A proposal `p` must be supported by more than `threshold(p) ·
/// electorate` members: a constitution's change needs the stricter of
/// its old and new thresholds ([`required_threshold`]). On a line every
/// value has the component's threshold, `threshold(status_quo)`.
pub fn decide_counted(
    kind: &ComponentKind,
    status_quo: &Value,
    counted: &[(Value, u64)],
    threshold: &dyn Fn(&Value) -> Ratio,
    electorate: u64,
) -> Result<Outcome, GovernedError> {
    check_threshold(threshold(status_quo))?;
    kind.validate(status_quo)?;
    for (i, (b, _)) in counted.iter().enumerate() {
        kind.validate(b).map_err(|e| GovernedError::ballot(i, e))?;
        check_threshold(threshold(b))?;
    }
    let n: u64 = counted.iter().map(|(_, c)| c).sum();
    if n > electorate {
        return Err(GovernedError::ElectorateTooSmall {
            electorate,
            votes: n,
        });
    }
    match (kind, status_quo) {
        (ComponentKind::Number { .. }, Value::Number(s)) => {
            let xs: Vec<i64> = counted
                .iter()
                .flat_map(|(v, c)| match v {
                    Value::Number(x) => std::iter::repeat_n(*x, *c as usize),
                    _ => std::iter::repeat_n(0, 0), // validated: every value is a number
                })
                .collect();
            decide_line(kind, *s, &xs, threshold(status_quo), electorate)
        }
        _ => decide_metric(kind, status_quo, counted, threshold, electorate),
    }
}

fn decide_line(
    kind: &ComponentKind,
    s: i64,
    xs: &[i64],
    threshold: Ratio,
    electorate: u64,
) -> Result<Outcome, GovernedError> {
    let (value, tally) = line_outcome(kind, xs, s, threshold, electorate)?;
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

/// The weighted tally of proposal `p` against the status quo `s`.
fn tally(
    kind: &ComponentKind,
    s: &Value,
    p: &Value,
    counted: &[(Value, u64)],
) -> Result<Tally, GovernedError> {
    let mut t = Tally {
        supporters: 0,
        score: 0,
    };
    for (v, count) in counted {
        let (ds, dp) = (kind.distance(v, s), kind.distance(v, p));
        if dp < ds {
            t.supporters += count;
        }
        let gain = i128::try_from(ds).map_err(|_| GovernedError::TooLarge)?
            - i128::try_from(dp).map_err(|_| GovernedError::TooLarge)?;
        let weighted = gain
            .checked_mul(i128::from(*count))
            .ok_or(GovernedError::TooLarge)?;
        t.score = t
            .score
            .checked_add(weighted)
            .ok_or(GovernedError::TooLarge)?;
    }
    Ok(t)
}

fn decide_metric(
    kind: &ComponentKind,
    s: &Value,
    counted: &[(Value, u64)],
    threshold: &dyn Fn(&Value) -> Ratio,
    electorate: u64,
) -> Result<Outcome, GovernedError> {
    // The distinct proposals other than the status quo, chosen by at
    // least one member, by canonical encoding (so order never matters).
    let sq = s.encode();
    let candidates: BTreeMap<Vec<u8>, &Value> = counted
        .iter()
        .filter(|(v, c)| *c > 0 && v.encode() != sq)
        .map(|(v, _)| (v.encode(), v))
        .collect();
    if candidates.is_empty() {
        return Ok(Outcome::StatusQuoStays {
            reason: Reason::NoChangeProposed,
        });
    }
    let mut best_support = (0, threshold(s));
    let mut some_supported = false;
    let mut best: Option<(&Value, Tally)> = None;
    for p in candidates.values() {
        let t = tally(kind, s, p, counted)?;
        let q = threshold(p);
        if t.supporters > best_support.0 {
            best_support = (t.supporters, q);
        }
        let supported = q.exceeded_by(t.supporters, electorate);
        some_supported |= supported;
        let wins = supported && t.score > 0 && best.as_ref().is_none_or(|(_, b)| t.score > b.score);
        if wins {
            best = Some((p, t));
        }
    }
    Ok(match best {
        Some((p, t)) => Outcome::Adopted {
            value: p.clone().canonical(),
            supporters: t.supporters,
        },
        None if some_supported => Outcome::StatusQuoStays {
            reason: Reason::NoImprovement,
        },
        None => Outcome::StatusQuoStays {
            reason: Reason::NotEnoughSupport {
                best: best_support.0,
                electorate,
                threshold: best_support.1,
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
