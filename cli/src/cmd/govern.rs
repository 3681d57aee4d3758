//! `grassroots propose` and the governed state in `community show`:
//! members put forward values for the components their constitution
//! governs, and `decision open --component` puts them to a vote
//! (`docs/governance.md`, "Decisions on the record"). The logic is in
//! `community::governed` and `community::vote`.

use crate::cmd::decision::load;
use crate::ctx::Ctx;
use crate::home::Prompt;
use anyhow::Context;
use community::governed::{GovernedDecision, GovernedView};
use governance::governed::{ComponentKind, GovernedState, Value};
use governance::Constitution;
use serde_json::json;

/// Put forward a value for a governed component.
#[derive(clap::Args)]
pub struct ProposeArgs {
    /// The component (`grassroots community show` lists them).
    component: String,
    /// The value: a number; amounts `300,700` (budget, in item order);
    /// item names best first `rent,food` (ranking); a member (officer);
    /// members `a,b,c` (board); or `@FILE` with the value's JSON (a whole
    /// constitution for `constitution`, articles for bylaws).
    #[arg(allow_hyphen_values = true)]
    value: String,
    /// Why (shown to members with the proposal).
    #[arg(long, default_value = "")]
    reason: String,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
}

/// Parse `text` as a value of `kind` (see [`ProposeArgs::value`]): `@FILE`
/// is read here, everything else by `device::parse_value`.
pub fn parse_value(kind: &ComponentKind, text: &str) -> anyhow::Result<Value> {
    let Some(path) = text.strip_prefix('@') else {
        return Ok(device::parse_value(kind, text)?);
    };
    let body =
        std::fs::read_to_string(path).with_context(|| format!("reading the value {path}"))?;
    Ok(match kind {
        ComponentKind::Constitution => Value::Constitution(Box::new(
            Constitution::from_json(&body).with_context(|| format!("constitution {path}"))?,
        )),
        ComponentKind::Bylaws => Value::Bylaws(serde_json::from_str(&body).with_context(|| {
            format!("{path}: give the articles as [{{\"title\", \"text\"}}, …]")
        })?),
        _ => Value::decode(body.trim().as_bytes()).with_context(|| format!("value {path}"))?,
    })
}

/// `grassroots propose`.
pub fn propose(args: ProposeArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let mut l = load(ctx, args.community.as_deref())?;
    let component = l.component(&args.component)?;
    let value = parse_value(component.kind(), &args.value)?;
    device::community::check_value(&args.component, &component, &value)?;
    let key = l.home.unlock()?;
    let s = l.propose(&key, &args.component, value.clone(), &args.reason)?;
    let shown = value.describe(component.kind());
    ctx.emit(
        &json!({ "statement": s.id().to_string(), "component": args.component, "value": value }),
        || {
            format!(
                "Proposed {} = {shown} ({}).\nThe next `grassroots decision open --component {}` lists it beside the status quo ({}).",
                args.component,
                s.id().short(),
                args.component,
                component.current().describe(component.kind())
            )
        },
    )
}

/// The governed state for `--json`: every component with its kind,
/// value and history, and every governed decision.
pub fn summary(view: &GovernedView) -> serde_json::Value {
    json!({
        "components": components_json(&view.state),
        "decisions": view.decisions,
        "digest": hex::encode(view.state.digest()),
    })
}

fn components_json(state: &GovernedState) -> serde_json::Value {
    state
        .components()
        .map(|(name, c)| {
            let value = match c.current() {
                // The constitution is shown in full elsewhere.
                Value::Constitution(k) => json!({ "version": k.version, "name": k.name }),
                v => json!(v),
            };
            json!({
                "name": name,
                "kind": c.kind().name(),
                "value": value,
                "shown": c.current().describe(c.kind()),
                "history": c.history().iter().map(|h| json!({
                    "shown": h.value.describe(c.kind()),
                    "decided_by": h.decided_by,
                    "position": h.position,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The governed state as members read it.
pub fn human(view: &GovernedView) -> String {
    let mut out = String::from("  governed:\n");
    for (name, c) in view.state.components() {
        let h = c.history();
        let since = match h.len() {
            1 => "since the founding".to_string(),
            _ => format!(
                "decided by {} at position {} ({} change(s))",
                &h[h.len() - 1].decided_by[..12.min(h[h.len() - 1].decided_by.len())],
                h[h.len() - 1].position,
                h.len() - 1
            ),
        };
        out.push_str(&format!(
            "    {name} = {}  ({since})\n",
            c.current().describe(c.kind())
        ));
    }
    for d in &view.decisions {
        out.push_str(&format!(
            "    decision {} on {}: {}\n",
            &d.id[..12],
            d.component,
            status_text(d, view)
        ));
    }
    out
}

/// One governed decision's status as members read it.
pub fn status_text(d: &GovernedDecision, view: &GovernedView) -> String {
    device::governed::status_text(d, view)
}

/// For a decision on a governed component: its governed status as JSON
/// and as a line of text, from the record `record`; `None` otherwise.
pub fn decision_part(
    store: &ledger::Store,
    record: &community::Record,
    decision: &ledger::StatementId,
) -> anyhow::Result<Option<(serde_json::Value, String)>> {
    let governed = record.statements().iter().any(|s| {
        s.id() == *decision
            && matches!(
                s.payload(),
                ledger::Payload::GovernedOpen(_) | ledger::Payload::GovernedElection(_)
            )
    });
    if !governed {
        return Ok(None);
    }
    let view = device::governed::view(store, record)?;
    let hex = decision.to_string();
    let Some(d) = view.decisions.iter().find(|d| d.id == hex) else {
        return Ok(None);
    };
    let text = format!(
        "Governed component `{}`: {}",
        d.component,
        status_text(d, &view)
    );
    Ok(Some((json!(d), text)))
}
