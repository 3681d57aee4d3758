//! `grassroots id show|export`: this home's public identity.

use crate::ctx::Ctx;
use crate::home::Home;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;

/// Show or export your public identity.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: IdCommand,
}

#[derive(Subcommand)]
enum IdCommand {
    /// Show your fingerprint and public key (no passphrase needed).
    Show,
    /// Write your public identity card (JSON) to a file or standard output.
    Export {
        /// Where to write it; standard output if omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Declare that this key replaces a lost one (then get vouched for again).
    Replace(crate::cmd::surety::ReplaceArgs),
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    let public = home.keystore()?.public();
    let out = match args.command {
        IdCommand::Replace(a) => return crate::cmd::surety::replace(a, ctx),
        IdCommand::Show => None,
        IdCommand::Export { out } => Some(out),
    };
    let card = json!({
        "format": "grassroots-id/1",
        "public_key": public.to_string(),
        "fingerprint": public.fingerprint(),
    });
    match out {
        None => ctx.emit(&card, || {
            format!(
                "Fingerprint: {}\nPublic key:  {}\nKeystore:    {}",
                public.fingerprint(),
                public,
                home.keystore_path().display()
            )
        }),
        Some(None) => {
            println!("{}", serde_json::to_string_pretty(&card)?);
            Ok(())
        }
        Some(Some(path)) => {
            std::fs::write(&path, serde_json::to_string_pretty(&card)? + "\n")?;
            ctx.emit(
                &json!({ "written": path, "fingerprint": public.fingerprint() }),
                || format!("Wrote your public identity to {}", path.display()),
            )
        }
    }
}

/// Read a public key from an identity card file or 64 hex digits.
pub fn parse_public(text: &str) -> anyhow::Result<identity::PublicKey> {
    use anyhow::Context;
    let hex_text = if std::path::Path::new(text).is_file() {
        let card: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(text)?)
            .with_context(|| format!("{text} is not an identity card (JSON)"))?;
        card["public_key"]
            .as_str()
            .with_context(|| format!("{text} has no public_key field"))?
            .to_string()
    } else {
        text.to_string()
    };
    let bytes: [u8; 32] = hex::decode(hex_text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| {
            format!("`{text}` is neither an identity card file nor a 64-hex-digit public key")
        })?;
    Ok(identity::PublicKey::from_bytes(&bytes)?)
}
