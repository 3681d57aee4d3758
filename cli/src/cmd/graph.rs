//! `grassroots graph export|show`: the trust graph for audits.

use crate::ctx::Ctx;
use crate::home::{resolve_community, Home};
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;

/// Query and export the community's trust graph.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: GraphCommand,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long, global = true)]
    community: Option<String>,
}

#[derive(Subcommand)]
enum GraphCommand {
    /// Write the edge list as CSV `a,b` by fingerprint (the audit's input).
    Export {
        /// Where to write; standard output if omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A key's sureties: who vouched with it, and the surety statements.
    Show {
        /// A fingerprint (as printed) or public key in hex.
        key: String,
    },
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let store = Home::new(&ctx.home).store()?;
    let id = resolve_community(&store, args.community.as_deref())?;
    let (_, state) = crate::home::community_state(&store, &id)?;
    match args.command {
        GraphCommand::Export { out: None } => {
            print!("{}", state.graph.to_csv());
            Ok(())
        }
        GraphCommand::Export { out: Some(path) } => {
            std::fs::write(&path, state.graph.to_csv())?;
            let edges = state.graph.edges().count();
            ctx.emit(&json!({"file": path, "edges": edges}), || {
                format!("Wrote {edges} sureties to {}", path.display())
            })
        }
        GraphCommand::Show { key } => {
            let wanted = key.trim().to_ascii_uppercase();
            let k = state
                .graph
                .keys()
                .chain(state.founders.iter())
                .find(|k| {
                    k.fingerprint().to_string() == wanted
                        || k.to_string() == key.trim().to_ascii_lowercase()
                })
                .copied()
                .ok_or_else(|| anyhow::anyhow!("no key {key} in this community's trust graph"))?;
            let sureties: Vec<_> = state
                .graph
                .sureties_of(&k)
                .into_iter()
                .map(|(peer, ids)| {
                    json!({
                        "peer": peer.fingerprint(),
                        "peer_is_member": state.members.contains(&peer),
                        "sureties": ids.iter().map(hex::encode).collect::<Vec<_>>(),
                    })
                })
                .collect();
            ctx.emit(
                &json!({"key": k.fingerprint(), "member": state.members.contains(&k), "sureties": sureties}),
                || {
                    let mut out = format!(
                        "{} ({}), {} sureties:\n",
                        k.fingerprint(),
                        if state.members.contains(&k) { "member" } else { "not a member" },
                        sureties.len()
                    );
                    for s in &sureties {
                        out.push_str(&format!(
                            "  with {} {}\n",
                            s["peer"].as_str().unwrap_or_default(),
                            if s["peer_is_member"] == true { "(member)" } else { "" }
                        ));
                    }
                    out
                },
            )
        }
    }
}
