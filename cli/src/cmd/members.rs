//! `grassroots members`: who is admitted, who is pending, and why.

use crate::ctx::Ctx;
use crate::home::{resolve_community, Home};
use device::members::fingerprints;
use identity::admission::Reason;
use serde_json::json;

/// List admitted and pending members and why, under the constitution's admission rule.
#[derive(clap::Args)]
pub struct Args {
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let store = Home::new(&ctx.home).store()?;
    let id = resolve_community(&store, args.community.as_deref())?;
    let (_, state) = crate::home::community_state(&store, &id)?;
    let m = device::members(&state);
    let min = m.min_sureties;
    let admitted: Vec<_> = m
        .admitted
        .iter()
        .map(|a| match &a.reason {
            Reason::Founder => json!({"fingerprint": a.key.fingerprint(), "public_key": a.key.to_string(), "reason": "founder"}),
            Reason::Vouched(by) => json!({"fingerprint": a.key.fingerprint(), "public_key": a.key.to_string(), "reason": "vouched", "vouched_by": fingerprints(by)}),
        })
        .collect();
    let pending: Vec<_> = m
        .pending
        .iter()
        .map(|p| {
            json!({
                "fingerprint": p.key.fingerprint(), "public_key": p.key.to_string(),
                "sureties_from_members": fingerprints(&p.by_members), "sureties_from_others": fingerprints(&p.by_others),
                "needed": p.needed, "retired": p.retired,
                "replaced_by": p.replaced_by.map(|n| n.fingerprint().to_string()),
            })
        })
        .collect();
    let departed: Vec<_> = m
        .departed
        .iter()
        .map(|(k, fork)| json!({"fingerprint": k.fingerprint(), "public_key": k.to_string(), "fork": fork.map(|f| f.to_string())}))
        .collect();
    ctx.emit(
        &json!({"community": id.to_string(), "rule": format!("sureties from at least {min} admitted members"), "admitted": admitted, "pending": pending, "departed": departed}),
        || {
            let mut out = format!(
                "{}: {} admitted, {} pending (rule: sureties from at least {min} admitted members)\n",
                m.name,
                m.admitted.len(),
                m.pending.len()
            );
            for a in &m.admitted {
                out.push_str(&format!("  member   {}  {}\n", a.key.fingerprint(), a.why()));
            }
            for p in &m.pending {
                out.push_str(&format!("  pending  {}  {}\n", p.key.fingerprint(), p.why()));
            }
            for (k, fork) in &m.departed {
                let why = match fork {
                    Some(f) => format!("left for fork {}", f.short()),
                    None => "left".to_string(),
                };
                out.push_str(&format!("  departed {}  {why}\n", k.fingerprint()));
            }
            out
        },
    )
}
