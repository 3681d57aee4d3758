//! `grassroots assembly create|declare|draw|share|show|verify|resign`: standing
//! assemblies chosen by lot (`docs/sortition.md`, "Assemblies on the
//! record"). The logic is in `community::assembly` and `device::assembly`.

use crate::cmd::decision::{load, resolve};
use crate::ctx::Ctx;
use crate::home::Prompt;
use anyhow::bail;
use clap::Subcommand;
use community::assembly::{AssemblyRecord, DrawRecord, DrawStatus, RepairRecord};
use device::DrawStep;
use governance::AssemblySpec;
use serde_json::json;

/// Assemblies chosen by lot: declare, draw, share the coin, show, verify, resign.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AssemblyCommand,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long, global = true)]
    community: Option<String>,
}

#[derive(Subcommand)]
enum AssemblyCommand {
    /// Propose an amendment that declares an assembly (or resizes one):
    /// members then decide it with `decision open --component constitution`.
    Create {
        /// The assembly's name.
        name: String,
        /// Its seats.
        #[arg(long)]
        seats: u32,
        /// Periods each member serves; one class of seats is drawn each period.
        #[arg(long)]
        term: u32,
        /// A governed component the assembly decides instead of the whole
        /// membership (repeatable).
        #[arg(long = "decides")]
        decides: Vec<String>,
        /// A quota, in seats of the whole assembly: `FEATURE:VALUE=MIN..MAX`
        /// (repeatable; every value of a feature needs one). Members who
        /// declare a value of every feature are drawn, by a maximin lottery.
        #[arg(long = "quota", value_name = "FEATURE:VALUE=MIN..MAX")]
        quotas: Vec<String>,
        /// Why (shown to members with the proposal).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Declare your feature values (`FEATURE=VALUE`, e.g. `region=north`)
    /// for assemblies with quotas: public on the record; the last
    /// declaration counts, and a draw uses those made before it opened.
    Declare {
        /// `FEATURE=VALUE` pairs.
        #[arg(value_name = "FEATURE=VALUE", required_unless_present = "withdraw")]
        values: Vec<String>,
        /// Withdraw your declaration (you are then drawn by no quota assembly).
        #[arg(long, conflicts_with = "values")]
        withdraw: bool,
    },
    /// Open the draw of an assembly's next period.
    Draw {
        /// The assembly.
        name: String,
        /// A trustee (public key or identity card file, repeatable, in
        /// index order), only when the constitution names none.
        #[arg(long = "trustee")]
        trustees: Vec<String>,
        /// Coin shares needed (with --trustee).
        #[arg(long)]
        threshold: Option<u16>,
    },
    /// As a trustee of a draw: take your next step (join, deal, check,
    /// reveal, confirm the key, then post your coin share); after the
    /// draw, post your share of the coin of a repair that waits for one.
    Share {
        /// The draw (id or unique prefix).
        draw: String,
    },
    /// Show the assemblies: seats, draws, resignations.
    Show {
        /// Only this assembly.
        name: Option<String>,
    },
    /// Recompute every draw of an assembly from the record and say what was checked.
    Verify {
        /// The assembly.
        name: String,
    },
    /// Give up your seat; the first eligible reserve of its draw takes it.
    Resign {
        /// The assembly.
        name: String,
    },
}

/// A member's short name from their key in hex.
fn who(hex_key: &str) -> String {
    let mut b = [0u8; 32];
    match hex::decode_to_slice(hex_key, &mut b)
        .ok()
        .and_then(|()| identity::PublicKey::from_bytes(&b).ok())
    {
        Some(k) => k.fingerprint().to_string(),
        None => hex_key.to_string(),
    }
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let named = args.community.as_deref();
    match args.command {
        AssemblyCommand::Create {
            name,
            seats,
            term,
            decides,
            quotas,
            reason,
        } => {
            let quotas = parse_quotas(&quotas)?;
            let mut l = load(ctx, named)?;
            let key = l.home.unlock()?;
            let spec = AssemblySpec {
                name: name.clone(),
                seats,
                term,
                decides,
                quotas,
            };
            let s = l.propose_assembly(&key, spec, &reason)?;
            ctx.emit(
                &json!({ "statement": s.id().to_string(), "assembly": name, "seats": seats, "term": term }),
                || {
                    format!(
                        "Proposed an amendment declaring assembly `{name}` ({seats} seats, terms of {term} periods) ({}).\nMembers decide it with `grassroots decision open --component constitution`.",
                        s.id().short()
                    )
                },
            )
        }
        AssemblyCommand::Declare { values, withdraw } => {
            let pairs = if withdraw {
                Vec::new()
            } else {
                values
                    .iter()
                    .map(|v| parse_pair(v))
                    .collect::<anyhow::Result<_>>()?
            };
            let mut l = load(ctx, named)?;
            let key = l.home.unlock()?;
            let s = l.declare_features(&key, pairs.clone())?;
            let shown: Vec<String> = pairs.iter().map(|(f, v)| format!("{f}={v}")).collect();
            ctx.emit(
                &json!({ "statement": s.id().to_string(), "features": shown }),
                || match shown.is_empty() {
                    true => format!(
                        "Withdrew your feature declaration ({}): no quota assembly draws you until you declare again.",
                        s.id().short()
                    ),
                    false => format!(
                        "Declared {} ({}), public on the record; draws opened from now on use it.",
                        shown.join(", "),
                        s.id().short()
                    ),
                },
            )
        }
        AssemblyCommand::Draw {
            name,
            trustees,
            threshold,
        } => {
            let mut l = load(ctx, named)?;
            let trustees: Vec<identity::PublicKey> = trustees
                .iter()
                .map(|t| crate::cmd::id::parse_public(t))
                .collect::<anyhow::Result<_>>()?;
            let threshold = match (threshold, trustees.is_empty()) {
                (Some(t), false) => t,
                (None, true) => 0,
                (None, false) => bail!("give --threshold with --trustee"),
                (Some(_), true) => bail!("--threshold goes with --trustee"),
            };
            let key = l.home.unlock()?;
            let s = l.open_draw(&key, &name, (trustees, threshold))?;
            let a = l.assembly(&name)?;
            let d = a.draws.last().expect("the draw just opened");
            ctx.emit(&json!({ "draw": d }), || {
                let quotas = match d.min_probability {
                    Some((num, den)) => format!(
                        "\nQuotas: {} eligible member(s) declared no value of some feature and are left out; the maximin lottery gives everyone else at least {:.4}.",
                        d.undeclared,
                        num as f64 / den as f64
                    ),
                    None => String::new(),
                };
                format!(
                    "Opened draw {} of period {} of `{name}`: {} of {} members eligible for {} seat(s).{quotas}\nThe inputs are fixed (digest {}…). Next: each trustee runs `grassroots assembly share {}` until it posts its coin share.",
                    s.id().short(),
                    d.period,
                    d.eligible,
                    d.pool,
                    d.seats_drawn,
                    &d.inputs[..16.min(d.inputs.len())],
                    s.id().short()
                )
            })
        }
        AssemblyCommand::Share { draw } => {
            let mut l = load(ctx, named)?;
            let id = resolve(&l.all, &draw)?;
            let key = l.home.unlock()?;
            let step = l.draw_step(&key, &id)?;
            let view = l.assemblies()?;
            let (a, d) = view.draw(&id).expect("the draw exists");
            let posted = step_id(&step);
            let repair = a
                .repairs
                .iter()
                .find(|r| r.shares.iter().any(|x| x.statement == posted));
            let (kind, s) = match &step {
                DrawStep::KeyGeneration(s) => (s.kind().name(), s),
                DrawStep::CoinShare(s) => ("coin share", s),
            };
            let now = match repair {
                Some(r) => format!(
                    "The repair after the change at position {}: {}",
                    r.position, r.status
                ),
                None => format!("The draw: {}", d.status),
            };
            ctx.emit(
                &json!({ "step": kind, "statement": s.id().to_string(), "draw": d.status, "repair": repair }),
                || format!("Posted your {kind} ({}). {now}.", s.id().short()),
            )
        }
        AssemblyCommand::Show { name } => {
            let l = load(ctx, named)?;
            let view = l.assemblies()?;
            let shown: Vec<&AssemblyRecord> = match &name {
                Some(n) => vec![view
                    .assembly(n)
                    .ok_or_else(|| anyhow::anyhow!("this community has no assembly `{n}`"))?],
                None => view.assemblies.iter().collect(),
            };
            ctx.emit(&json!({ "assemblies": shown }), || {
                if shown.is_empty() {
                    return "No assemblies: propose one with `grassroots assembly create NAME --seats N --term T`.".into();
                }
                shown.iter().map(|a| human(a)).collect::<Vec<_>>().join("\n")
            })
        }
        AssemblyCommand::Verify { name } => {
            let l = load(ctx, named)?;
            let a = l.assembly(&name)?;
            let checks: Vec<serde_json::Value> = a.draws.iter().map(check_json).collect();
            ctx.emit(
                &json!({ "assembly": name, "draws": checks, "repairs": a.repairs, "holders": a.holders }),
                || verify_text(&a),
            )
        }
        AssemblyCommand::Resign { name } => {
            let mut l = load(ctx, named)?;
            let key = l.home.unlock()?;
            let s = l.resign(&key, &name)?;
            let a = l.assembly(&name)?;
            let r = a
                .resignations
                .iter()
                .find(|r| r.statement == s.id().to_string())
                .expect("the resignation just stored");
            ctx.emit(&json!({ "resignation": r }), || match (&r.problem, &r.replacement) {
                (Some(p), _) => format!("Posted your resignation ({}); it has no effect yet: {p}.", s.id().short()),
                (None, Some(by)) => format!("You resigned from `{name}`; {} takes your seat.", who(by)),
                (None, None) => format!("You resigned from `{name}`; no reserve is eligible, so the seat stays empty until its class is next drawn."),
            })
        }
    }
}

/// `FEATURE=VALUE`.
fn parse_pair(text: &str) -> anyhow::Result<(String, String)> {
    match text.split_once('=') {
        Some((f, v)) if !f.trim().is_empty() && !v.trim().is_empty() => {
            Ok((f.trim().to_string(), v.trim().to_string()))
        }
        _ => bail!("`{text}` is not FEATURE=VALUE (for example region=north)"),
    }
}

/// `FEATURE:VALUE=MIN..MAX` quotas, grouped by feature in the order given.
fn parse_quotas(texts: &[String]) -> anyhow::Result<Vec<governance::sortition::Feature>> {
    let mut features: Vec<governance::sortition::Feature> = Vec::new();
    for text in texts {
        let bad = || {
            anyhow::anyhow!(
                "`{text}` is not FEATURE:VALUE=MIN..MAX (for example region:north=2..4)"
            )
        };
        let (fv, range) = text.split_once('=').ok_or_else(bad)?;
        let (f, v) = fv.split_once(':').ok_or_else(bad)?;
        let (min, max) = range.split_once("..").ok_or_else(bad)?;
        let value = governance::sortition::FeatureValue {
            name: v.trim().to_string(),
            min: min.trim().parse().map_err(|_| bad())?,
            max: max.trim().parse().map_err(|_| bad())?,
        };
        match features.iter_mut().find(|x| x.name == f.trim()) {
            Some(feature) => feature.values.push(value),
            None => features.push(governance::sortition::Feature {
                name: f.trim().to_string(),
                values: vec![value],
            }),
        }
    }
    Ok(features)
}

/// A quota list as members read it: `region: north 2..2, south 2..2; …`.
fn quota_text(quotas: &[governance::sortition::Feature]) -> String {
    quotas
        .iter()
        .map(|f| {
            let values: Vec<String> = f
                .values
                .iter()
                .map(|v| format!("{} {}..{}", v.name, v.min, v.max))
                .collect();
            format!("{}: {}", f.name, values.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// An assembly as members read it.
fn human(a: &AssemblyRecord) -> String {
    let mut out = format!(
        "Assembly `{}`: {} seats, terms of {} period(s){}; next period {}\n",
        a.name,
        a.seats,
        a.term,
        if a.declared {
            ""
        } else {
            " (no longer declared)"
        },
        a.next_period
    );
    if !a.quotas.is_empty() {
        out.push_str(&format!(
            "  quotas (seats of the whole assembly; each draw meets its share): {}\n",
            quota_text(&a.quotas)
        ));
    }
    if a.holders.iter().all(Option::is_none) {
        out.push_str("  no one sits yet\n");
    } else {
        out.push_str("  seats:\n");
        for (i, h) in a.holders.iter().enumerate() {
            let holder = h.as_deref().map_or("(empty)".to_string(), who);
            out.push_str(&format!("    {:>3}  {holder}\n", i + 1));
        }
    }
    for d in &a.draws {
        out.push_str(&format!(
            "  draw {} of period {}: {}\n",
            &d.id[..12],
            d.period,
            d.status
        ));
    }
    for r in &a.repairs {
        out.push_str(&repair_text(r));
    }
    for r in &a.resignations {
        let what = match (&r.problem, &r.replacement) {
            (Some(p), _) => format!("no effect: {p}"),
            (None, Some(by)) => format!("seat taken by {}", who(by)),
            (None, None) => "seat left empty".into(),
        };
        out.push_str(&format!(
            "  resignation of {} at position {}: {what}\n",
            who(&r.member),
            r.position
        ));
    }
    out
}

/// The statement a draw step posted (hex).
fn step_id(step: &DrawStep) -> String {
    match step {
        DrawStep::KeyGeneration(s) | DrawStep::CoinShare(s) => s.id().to_string(),
    }
}

/// A repair as members read it: why, who left and who joined, and where
/// it stands.
fn repair_text(r: &RepairRecord) -> String {
    let mut out = format!(
        "  repair after the change at position {}: {}
",
        r.position, r.status
    );
    for c in &r.cause {
        out.push_str(&format!(
            "    {c}
"
        ));
    }
    let seat = |s: Option<usize>| s.map_or(String::new(), |s| format!("seat {}, ", s + 1));
    for c in &r.left {
        out.push_str(&format!(
            "    left: {} ({}{})
",
            who(&c.person),
            seat(c.seat),
            c.reason
        ));
    }
    for c in &r.joined {
        out.push_str(&format!(
            "    joined: {} ({}{})
",
            who(&c.person),
            seat(c.seat),
            c.reason
        ));
    }
    out
}

fn check_json(d: &DrawRecord) -> serde_json::Value {
    let refused: Vec<_> = d
        .shares
        .iter()
        .filter(|s| s.problem.is_some())
        .map(|s| json!({ "statement": s.statement, "trustee": s.trustee, "problem": s.problem }))
        .collect();
    json!({
        "draw": d.id,
        "period": d.period,
        "pool": d.pool,
        "eligible": d.eligible,
        "seats_drawn": d.seats_drawn,
        "undeclared": d.undeclared,
        "min_probability": d.min_probability.map(|(n, d)| format!("{n}/{d}")),
        "inputs": d.inputs,
        "valid_shares": d.shares.iter().filter(|s| s.problem.is_none()).count(),
        "refused_shares": refused,
        "status": d.status,
        "panel": d.panel,
    })
}

/// What `assembly verify` recomputed, draw by draw.
fn verify_text(a: &AssemblyRecord) -> String {
    let mut out = format!(
        "Assembly `{}`: every draw recomputed from this device's record.\n",
        a.name
    );
    for d in &a.draws {
        out.push_str(&format!("draw {} of period {}:\n", &d.id[..12], d.period));
        if let DrawStatus::Invalid { reason } = &d.status {
            out.push_str(&format!("  does not count: {reason}\n"));
            continue;
        }
        out.push_str(&format!(
            "  inputs: {} members at the opening, {} eligible, {} seat(s) drawn; digest {}\n",
            d.pool, d.eligible, d.seats_drawn, d.inputs
        ));
        if let Some((num, den)) = d.min_probability {
            out.push_str(&format!(
                "  quotas: {} eligible member(s) had not declared every feature; the maximin lottery over the rest gives everyone at least {:.4} ({num}/{den}); its panels and weights are in the digest\n",
                d.undeclared,
                num as f64 / den as f64
            ));
        }
        let valid = d.shares.iter().filter(|s| s.problem.is_none()).count();
        out.push_str(&format!(
            "  coin shares: {valid} valid (each Chaum–Pedersen proof checked against its trustee's verification key)\n"
        ));
        for s in d.shares.iter().filter(|s| s.problem.is_some()) {
            out.push_str(&format!(
                "    refused {} (claims trustee {}): {}\n",
                &s.statement[..12],
                s.trustee,
                s.problem.as_deref().unwrap_or_default()
            ));
        }
        out.push_str(&format!("  {}\n", d.status));
        if !d.panel.is_empty() {
            let panel: Vec<String> = d.panel.iter().map(|p| who(p)).collect();
            out.push_str(&format!(
                "  panel (recomputed from the coin and the eligible list): {}\n",
                panel.join(", ")
            ));
        }
    }
    for r in &a.repairs {
        let valid = r.shares.iter().filter(|s| s.problem.is_none()).count();
        out.push_str(&format!(
            "repair after the change at position {} (recomputed: the pool there, the seated, a coin of draw {}'s trustees with {valid} valid share(s), inputs digest {}):\n",
            r.position,
            &r.key_draw[..12.min(r.key_draw.len())],
            if r.inputs.is_empty() { "none" } else { &r.inputs }
        ));
        for s in r.shares.iter().filter(|s| s.problem.is_some()) {
            out.push_str(&format!(
                "    refused {} (claims trustee {}): {}\n",
                &s.statement[..12],
                s.trustee,
                s.problem.as_deref().unwrap_or_default()
            ));
        }
        out.push_str(&repair_text(r));
    }
    out
}
