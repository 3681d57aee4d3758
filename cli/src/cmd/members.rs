//! `grassroots members`: who is admitted, who is pending, and why.

use crate::ctx::Ctx;
use crate::home::{resolve_community, Home};
use identity::admission::Reason;
use identity::PublicKey;
use serde_json::json;

/// List admitted and pending members and why, under the constitution's admission rule.
#[derive(clap::Args)]
pub struct Args {
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
}

fn fps(keys: &[PublicKey]) -> Vec<String> {
    keys.iter().map(|k| k.fingerprint().to_string()).collect()
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let store = Home::new(&ctx.home).store()?;
    let id = resolve_community(&store, args.community.as_deref())?;
    let (_, state) = crate::home::community_state(&store, &id)?;
    let min = state.constitution.admission.min_sureties;
    let admitted: Vec<_> = state
        .admission
        .admitted
        .iter()
        .map(|(k, r)| match r {
            Reason::Founder => json!({"fingerprint": k.fingerprint(), "public_key": k.to_string(), "reason": "founder"}),
            Reason::Vouched(by) => json!({"fingerprint": k.fingerprint(), "public_key": k.to_string(), "reason": "vouched", "vouched_by": fps(by)}),
        })
        .collect();
    let pending: Vec<_> = state
        .admission
        .pending
        .iter()
        .map(|(k, p)| {
            json!({
                "fingerprint": k.fingerprint(), "public_key": k.to_string(),
                "sureties_from_members": fps(&p.by_members), "sureties_from_others": fps(&p.by_others),
                "needed": p.needed, "retired": p.retired,
                "replaced_by": state.retired.get(k).map(|n| n.fingerprint().to_string()),
            })
        })
        .collect();
    ctx.emit(
        &json!({"community": id.to_string(), "rule": format!("sureties from at least {min} admitted members"), "admitted": admitted, "pending": pending}),
        || {
            let mut out = format!(
                "{}: {} admitted, {} pending (rule: sureties from at least {min} admitted members)\n",
                state.constitution.name,
                state.admission.admitted.len(),
                state.admission.pending.len()
            );
            for (k, r) in &state.admission.admitted {
                let why = match r {
                    Reason::Founder => "founder".to_string(),
                    Reason::Vouched(by) => format!("vouched by {}", fps(by).join(", ")),
                };
                out.push_str(&format!("  member   {}  {why}\n", k.fingerprint()));
            }
            for (k, p) in &state.admission.pending {
                let why = if let Some(new) = state.retired.get(k) {
                    format!("retired: replaced by {}", new.fingerprint())
                } else {
                    format!(
                        "{} of {} sureties from members{}",
                        p.by_members.len(),
                        p.needed,
                        if p.by_others.is_empty() {
                            String::new()
                        } else {
                            format!(" (+{} from non-members)", p.by_others.len())
                        }
                    )
                };
                out.push_str(&format!("  pending  {}  {why}\n", k.fingerprint()));
            }
            out
        },
    )
}
