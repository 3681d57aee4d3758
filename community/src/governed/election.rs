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
//!
//! **A budget by MES.** For a budget component whose items are projects
//! followed by one last line (the reserve), an opening with the MES
//! budget rule over exactly the projects, with the component's total as
//! its budget, divides the budget: funded projects get their cost, the
//! reserve what MES leaves unspent. A member supports the division when
//! it gives more to the projects they approve than the status quo does
//! (the approval utility MES itself maximises fairly).

use super::{
    before_tally, completion, Context, Decided, GovernedDecision, GovernedStatus, GovernedView,
    Tallied,
};
use crate::ballot_rules::{show, ShownBallot};
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
    let component = view.component_at_open(&e.component, d)?;
    let seats = seats(component.kind(), &e.ruled.rule, &e.ruled.opening.options)?;
    let status_quo = component.current().clone();
    d.candidates = e.ruled.opening.options.clone();
    let decision = view.run(ctx, s, d)?;
    let Some(ind) = &decision.individual else {
        d.status = before_tally(&decision);
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
    let kind = &decision.opening.kind;
    let decided = match (component.kind(), &e.ruled.rule) {
        (ComponentKind::Budget { total, .. }, WholeBallotRule::MesBudget { costs, .. }) => {
            let value = division(&outcome.winners, costs, *total);
            Ok(budget_support(kind, ballots, &status_quo, value))
        }
        _ if winners.len() != seats => Err(winners),
        (ComponentKind::Officer { .. }, _) => {
            let value = Value::Officer(winners[0].clone());
            Ok(support(kind, ballots, names, seats, &status_quo, value))
        }
        _ => {
            let value = Value::Board(winners).canonical();
            Ok(support(kind, ballots, names, seats, &status_quo, value))
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

/// The seats `rule` fills for a component of `kind`, if it may elect it
/// (for a budget divided by MES, the projects `options`: every item but
/// the last, the reserve, and the component's total as the budget).
fn seats(
    kind: &ComponentKind,
    rule: &WholeBallotRule,
    options: &[String],
) -> Result<usize, String> {
    match (kind, rule) {
        (ComponentKind::Budget { items, total }, WholeBallotRule::MesBudget { budget, .. }) => {
            if budget != total {
                return Err(format!(
                    "MES divides a budget of {budget}, but the component's total is {total}"
                ));
            }
            if items.len() != options.len() + 1 || items[..options.len()] != *options {
                return Err(format!(
                    "MES must fund exactly the budget's items but the last, the reserve that keeps what it leaves unspent ({})",
                    items.join(", ")
                ));
            }
            Ok(options.len())
        }
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

/// MES's division: each funded project its cost, the reserve the rest.
fn division(funded: &[usize], costs: &[u64], total: u64) -> Value {
    let mut amounts = vec![0u64; costs.len() + 1];
    for &p in funded {
        amounts[p] = costs[p];
    }
    let spent: u64 = amounts.iter().sum();
    amounts[costs.len()] = total.saturating_sub(spent);
    Value::Budget(amounts)
}

/// `value` and how many approval ballots give more to the projects they
/// approve under it than under `status_quo`.
fn budget_support(
    kind: &ballot::BallotKind,
    ballots: &[Vec<u64>],
    status_quo: &Value,
    value: Value,
) -> (Value, u64) {
    let amounts = |v: &Value| match v {
        Value::Budget(a) => a.clone(),
        _ => Vec::new(),
    };
    let (new, old) = (amounts(&value), amounts(status_quo));
    let utility = |x: &[u64], approved: &[usize]| -> u128 {
        approved
            .iter()
            .map(|&i| u128::from(x.get(i).copied().unwrap_or(0)))
            .sum()
    };
    let supporters = show(kind, ballots)
        .into_iter()
        .filter(|b| match b {
            ShownBallot::Approval { approved } => utility(&new, approved) > utility(&old, approved),
            _ => false,
        })
        .count() as u64;
    (value, supporters)
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
