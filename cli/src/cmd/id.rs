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
    /// Change the passphrase that seals your key (the current one from
    /// GRASSROOTS_PASSPHRASE or a prompt, the new one from
    /// GRASSROOTS_NEW_PASSPHRASE or a prompt asked twice).
    Passphrase,
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    let public = home.keystore()?.public();
    let out = match args.command {
        IdCommand::Replace(a) => return crate::cmd::surety::replace(a, ctx),
        IdCommand::Passphrase => return change_passphrase(&home, ctx),
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

/// The environment variable scripts use to pass the new passphrase.
pub const NEW_PASSPHRASE_ENV: &str = "GRASSROOTS_NEW_PASSPHRASE";

/// `grassroots id passphrase`.
fn change_passphrase(home: &Home, ctx: &Ctx) -> anyhow::Result<()> {
    let fingerprint = home.keystore()?.public().fingerprint();
    let old = crate::home::passphrase(&format!("Current passphrase for {fingerprint}: "), false)?;
    let new = match std::env::var(NEW_PASSPHRASE_ENV) {
        Ok(p) => zeroize::Zeroizing::new(p),
        Err(_) => {
            zeroize::Zeroizing::new(crate::home::ask_twice("New passphrase: ").map_err(|e| {
                anyhow::anyhow!(
                    "no new passphrase: set {NEW_PASSPHRASE_ENV} or run in a terminal ({e})"
                )
            })?)
        }
    };
    if new.is_empty() {
        anyhow::bail!("the new passphrase is empty");
    }
    home.change_passphrase(old.as_bytes(), new.as_bytes())?;
    ctx.emit(
        &json!({ "fingerprint": fingerprint, "changed": true }),
        || format!("Your key ({fingerprint}) is now sealed under the new passphrase."),
    )
}
