//! Elections to a governed officer or board (kind 24).
//!
//! The candidates are the opening's options; the ballots are decrypted one
//! by one after the close (as for any whole-ballot rule, `ballot.md` §6)
//! and the rule — instant-runoff for an officer; STV, PAV or MES for a
//! board of the component's seats — names the winners. The rule proposes;
//! the members decide whether it replaces the status quo, as everywhere
//! else:
//!
//! * each ballot's **ideal** is a set of candidates: the `seats` best in
//!   its ranking (within a tier, by option order), or its approved set;
//! * a member **supports** the elected value when their ideal is strictly
//!   closer to it than to the status quo (`|ideal △ x|`, the board's
//!   metric; for an officer, whether their first choice is the winner);
//! * the value is adopted when more than `q·N` members support it (`N`
//!   the members at the opening, so non-voters count for the status
//!   quo), else the status quo stays. A tie in the rule keeps the status
//!   quo too, naming the tied candidates.

use super::{
    completion, Context, Decided, GovernedDecision, GovernedStatus, GovernedView, Tallied,
};
use crate::ballot_rules::{show, ShownBallot};
use crate::decision::Phase;
use governance::governed::{ComponentKind, Value};
use ledger::payload::{GovernedElection, WholeBallotRule};
use ledger::statement::Statement;
use std::collections::BTreeSet;

/// Evaluate election `e` opened by `s` (see the module docs).
pub(super) fn evaluate(
    view: &GovernedView,
    ctx: &Context<'_>,
    s: &Statement,
    e: &GovernedElection,
    d: &mut GovernedDecision,
) -> Result<Option<(usize, Tallied)>, String> {
    let component = view
        .state
        .component(&e.component)
        .ok_or_else(|| format!("no component is named `{}` where it opened", e.component))?;
    let seats = seats(component.kind(), &e.ruled.rule)?;
    let status_quo = component.current().clone();
    d.status_quo = Some(status_quo.clone());
    d.candidates = e.ruled.opening.options.clone();
    let decision = view.run(ctx, s)?;
    let at_open = &decision.electorate;
    d.electorate = (at_open.members.len() + at_open.unregistered.len()) as u64;
    let Some(ind) = &decision.individual else {
        d.status = match decision.phase() {
            Phase::KeyGeneration => GovernedStatus::KeyGeneration,
            _ => GovernedStatus::Voting,
        };
        return Ok(None);
    };
    let (Some(outcome), Some(ballots)) = (&ind.outcome, &ind.ballots) else {
        d.status = GovernedStatus::Counting {
            pending: ind.pending.clone().unwrap_or_default(),
        };
        return Ok(None);
    };
    let used = ind
        .shares
        .iter()
        .filter(|r| r.problem.is_none() && ind.used.contains(&r.trustee))
        .map(|r| r.statement);
    let Some(completed) = completion(ctx, used, d)? else {
        return Ok(None);
    };
    let names = &e.ruled.opening.options;
    let winners: Vec<String> = outcome.winners.iter().map(|&w| names[w].clone()).collect();
    let decided = match (component.kind(), winners.len() == seats) {
        (_, false) => Err(winners),
        (ComponentKind::Officer { .. }, true) => {
            let value = Value::Officer(winners[0].clone());
            Ok(support(
                &decision.opening.kind,
                ballots,
                names,
                seats,
                &status_quo,
                value,
            ))
        }
        (_, true) => {
            let value = Value::Board(winners).canonical();
            Ok(support(
                &decision.opening.kind,
                ballots,
                names,
                seats,
                &status_quo,
                value,
            ))
        }
    };
    Ok(Some((
        completed,
        Tallied {
            index: 0,
            at: ctx.order[completed].id(),
            status_quo,
            decided: Decided::Elected(decided),
        },
    )))
}

/// The seats `rule` fills for a component of `kind`, if it may elect it.
fn seats(kind: &ComponentKind, rule: &WholeBallotRule) -> Result<usize, String> {
    match (kind, rule) {
        (ComponentKind::Officer { .. }, WholeBallotRule::InstantRunoff) => Ok(1),
        (
            ComponentKind::Board { seats },
            WholeBallotRule::Stv { seats: s }
            | WholeBallotRule::Pav { seats: s }
            | WholeBallotRule::MesCommittee { seats: s },
        ) if *s as usize == *seats => Ok(*seats),
        (k, r) => Err(format!(
            "a {} component cannot be elected by {} (an officer by instant-runoff; a board of n seats by STV, PAV or MES for n seats)",
            k.name(),
            r.name()
        )),
    }
}

/// The members of a value (an officer or a board) as a set.
fn members(v: &Value) -> BTreeSet<String> {
    match v {
        Value::Officer(m) => BTreeSet::from([m.clone()]),
        Value::Board(ms) => ms.iter().cloned().collect(),
        _ => BTreeSet::new(),
    }
}

/// `value` and how many ballots' ideals are strictly closer to it than to
/// `status_quo` (module docs).
fn support(
    kind: &ballot::BallotKind,
    ballots: &[Vec<u64>],
    names: &[String],
    seats: usize,
    status_quo: &Value,
    value: Value,
) -> (Value, u64) {
    let (new, old) = (members(&value), members(status_quo));
    let supporters = show(kind, ballots)
        .into_iter()
        .filter_map(|b| ideal(b, names, seats))
        .filter(|ideal| {
            ideal.symmetric_difference(&new).count() < ideal.symmetric_difference(&old).count()
        })
        .count() as u64;
    (value, supporters)
}

/// A ballot's ideal set: its `seats` best candidates, or what it approves.
fn ideal(b: ShownBallot, names: &[String], seats: usize) -> Option<BTreeSet<String>> {
    match b {
        ShownBallot::Ranked { tiers } => Some(
            tiers
                .into_iter()
                .flat_map(|mut tier| {
                    tier.sort_unstable();
                    tier
                })
                .take(seats)
                .map(|c| names[c as usize].clone())
                .collect(),
        ),
        ShownBallot::Approval { approved } => {
            Some(approved.into_iter().map(|c| names[c].clone()).collect())
        }
        ShownBallot::Spoiled { .. } => None,
    }
}
