//! `grassroots statements import|export|verify`.

use crate::ctx::Ctx;
use crate::home::{resolve_community, Home};
use anyhow::Context;
use clap::Subcommand;
use community::CommunityState;
use ledger::file;
use serde_json::json;
use std::path::PathBuf;

/// Move statements between devices as files, and verify them.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: StatementsCommand,
}

#[derive(Subcommand)]
enum StatementsCommand {
    /// Verify a statement file and store all of it (or nothing).
    Import {
        /// The statement file.
        file: PathBuf,
    },
    /// Write every statement of a community to a file.
    Export {
        /// Where to write.
        #[arg(long)]
        out: PathBuf,
        /// Community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Verify a statement file, or (without FILE) every statement in this home.
    Verify {
        /// A statement file to verify without importing it.
        file: Option<PathBuf>,
    },
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    match args.command {
        StatementsCommand::Import { file: path } => {
            let mut store = home.store()?;
            ctx.note(&format!("Verifying {} ...", path.display()));
            let bar = ctx.progress("verifying");
            let (total, added) = file::import_with(&mut store, &path, &|done, total| {
                crate::ctx::advance(&bar, done, total)
            })
            .with_context(|| format!("importing {}", path.display()))?;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            ctx.emit(
                &json!({ "file": path, "statements": total, "new": added }),
                || {
                    format!(
                        "Imported {}: {total} statements verified, {added} new",
                        path.display()
                    )
                },
            )
        }
        StatementsCommand::Export { out, community } => {
            let store = home.store()?;
            let id = resolve_community(&store, community.as_deref())?;
            let all = store.statements(&id)?;
            file::write(&out, &id, &all)?;
            ctx.emit(
                &json!({ "file": out, "community": id.to_string(), "statements": all.len() }),
                || {
                    format!(
                        "Wrote {} statements of community {} to {}",
                        all.len(),
                        id.short(),
                        out.display()
                    )
                },
            )
        }
        StatementsCommand::Verify { file: Some(path) } => {
            let f = file::read(&path).with_context(|| format!("verifying {}", path.display()))?;
            let checks = "format, version, canonical encoding, signature, payload and community of every statement";
            ctx.emit(
                &json!({ "file": path, "community": f.community.to_string(), "statements": f.statements.len(), "checked": checks, "ok": true }),
                || format!("{}: {} statements of community {} verified ({checks})", path.display(), f.statements.len(), f.community.short()),
            )
        }
        StatementsCommand::Verify { file: None } => {
            let store = home.store()?;
            let mut report = Vec::new();
            for id in store.communities()? {
                let all = store.statements(&id)?;
                let state = CommunityState::from_statements(&id, &all)?;
                report.push(json!({
                    "community": id.to_string(),
                    "name": state.constitution.name,
                    "statements": all.len(),
                    "state_digest": hex::encode(state.digest()),
                }));
            }
            let checks = "every stored row's hash against its id, its signature and payload, and that each community's statements are causally complete";
            ctx.emit(
                &json!({ "communities": report, "checked": checks, "ok": true }),
                || {
                    let mut out = format!("Verified {checks}.\n");
                    for r in &report {
                        out.push_str(&format!(
                            "  {} {}: {} statements, state {}\n",
                            &r["community"].as_str().unwrap_or_default()[..16],
                            r["name"].as_str().unwrap_or_default(),
                            r["statements"],
                            &r["state_digest"].as_str().unwrap_or_default()[..16]
                        ));
                    }
                    out
                },
            )
        }
    }
}
