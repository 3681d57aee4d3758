//! Governed decisions as members read them.

use community::governed::{GovernedDecision, GovernedStatus, GovernedView};
use community::Record;
use governance::governed::Value;

/// One governed decision's status as members read it.
pub fn status_text(d: &GovernedDecision, view: &GovernedView) -> String {
    let describe = |v: &Value| match view.state.component(&d.component) {
        Some(c) => v.describe(c.kind()),
        None => String::from_utf8_lossy(&v.encode()).into_owned(),
    };
    match &d.status {
        GovernedStatus::Invalid { reason } => format!("invalid: {reason}"),
        GovernedStatus::KeyGeneration => "trustees are generating the key".into(),
        GovernedStatus::Proposals { until } => format!(
            "taking proposals until {} ({} so far)",
            utc(*until),
            d.proposals.len()
        ),
        GovernedStatus::Voting => match &d.timeline {
            Some(t) => format!(
                "voting until {} ({} proposal(s); {} trustee(s) closed)",
                utc(t.voting_until),
                d.proposals.len(),
                t.closed_by.len()
            ),
            None => format!("voting ({} proposal(s))", d.proposals.len()),
        },
        GovernedStatus::Counting { pending } => format!("closed, counting: {pending}"),
        GovernedStatus::AwaitingFinality { position } => {
            format!("tallied at position {position}, waiting for it to become final")
        }
        GovernedStatus::Adopted {
            value,
            supporters,
            threshold,
            position,
        } => format!(
            "adopted {} at position {position}: {supporters} of {} members support it, more than {threshold}",
            describe(value),
            d.electorate
        ),
        GovernedStatus::StatusQuoStays { reason, position } => {
            format!("the status quo stays (position {position}): {}", reason_text(reason))
        }
        GovernedStatus::Superseded { value, position } => format!(
            "superseded at position {position}: it would have adopted {}, but another decision changed the component first",
            describe(value)
        ),
    }
}

/// A UNIX time as members read it: RFC 3339 in UTC, to the second.
pub fn utc(secs: u64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// A decision's timeline in one line, if it has one.
pub fn timeline_text(d: &GovernedDecision) -> Option<String> {
    d.timeline.as_ref().map(|t| {
        format!(
            "proposals until {}, voting until {}",
            utc(t.proposals_until),
            utc(t.voting_until)
        )
    })
}

/// Why the status quo stays, as members read it.
pub fn reason_text(r: &governance::governed::Reason) -> String {
    use governance::governed::Reason;
    match r {
        Reason::NoChangeProposed => "nobody chose a change".into(),
        Reason::NotEnoughSupport {
            best,
            electorate,
            threshold,
        } => format!(
            "no proposal has the support of more than {threshold} of the {electorate} members (best: {best})"
        ),
        Reason::NoImprovement => "no supported proposal is closer to the members than the status quo".into(),
        Reason::Tied { candidates } => format!("the rule ended in a tie between {}", candidates.join(", ")),
    }
}

/// The governed state of `record` as this device reads it: for a
/// federation, its governed components decided by the population its pins
/// fix, read from the member records `store` holds
/// ([`crate::federation::with_population`]).
///
/// # Errors
/// As the community and governed states.
pub fn view(store: &ledger::Store, record: &Record) -> Result<GovernedView, crate::CommunityError> {
    let view = crate::federation::with_population(store, record, |pool| match pool {
        Some(pool_at) => GovernedView::from_federation_record(record, pool_at),
        None => GovernedView::from_record(record),
    })??;
    Ok(view)
}
