//! `grassroots vouch`: mutual vouching in person, through QR codes.
//!
//! Scriptable file flow (each step reads the other person's code from an
//! image and writes this side's code as PNG or SVG):
//!
//! ```text
//! A: grassroots vouch offer --out offer.png
//! B: grassroots vouch accept offer.png --out accept.png
//! A: grassroots vouch confirm accept.png --out confirm.png
//! B: grassroots vouch complete confirm.png
//! ```
//!
//! `grassroots vouch` alone runs the same steps interactively, showing
//! codes in the terminal and reading the other's code from a photo path
//! (or the camera, with the `camera` feature).

use crate::ctx::Ctx;
use crate::home::{now, resolve_community, Home, Prompt};
use anyhow::{bail, Context};
use attest::qr;
use clap::Subcommand;
use ledger::Statement;
use serde_json::json;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Vouch for each other in person: both sign one surety.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Option<VouchCommand>,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long, global = true)]
    community: Option<String>,
}

#[derive(Subcommand)]
enum VouchCommand {
    /// Step 1: make an offer and write its code.
    Offer {
        /// Where to write the code (.png or .svg).
        #[arg(long)]
        out: PathBuf,
    },
    /// Step 2: read the other person's offer and write your acceptance.
    Accept {
        /// A photo or image of their offer code.
        image: PathBuf,
        /// Where to write your code (.png or .svg).
        #[arg(long)]
        out: PathBuf,
    },
    /// Step 3: read their acceptance, sign the surety, write the confirmation.
    Confirm {
        /// A photo or image of their acceptance code.
        image: PathBuf,
        /// Where to write your code (.png or .svg).
        #[arg(long)]
        out: PathBuf,
    },
    /// Step 4: read their confirmation and store the surety.
    Complete {
        /// A photo or image of their confirmation code.
        image: PathBuf,
    },
}

pub use device::vouch::Side;

/// The line both people compare: the comparison code and the other
/// person's fingerprint.
pub fn comparison(surety: &Statement, me: &identity::PublicKey) -> (String, String) {
    device::vouch::comparison(surety, me).expect("a surety statement")
}

/// Write a message's QR code as PNG or SVG, by the file's extension.
pub fn write_code(message: &[u8], path: &Path) -> anyhow::Result<u8> {
    let code = qr::encode(message)?;
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("png") => qr::to_png(&code, path)?,
        Some("svg") => std::fs::write(path, qr::to_svg(&code))
            .with_context(|| format!("writing {}", path.display()))?,
        _ => bail!("{}: write the code as .png or .svg", path.display()),
    }
    Ok(code.version())
}

fn read_code(path: &Path) -> anyhow::Result<Vec<u8>> {
    qr::decode_image_file(path).with_context(|| format!("reading the code in {}", path.display()))
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    let mut store = home.store()?;
    let community = resolve_community(&store, args.community.as_deref())?;
    let Some(command) = args.command else {
        let key = home.unlock()?;
        return interactive(
            &mut Side {
                key: &key,
                store: &mut store,
                community,
            },
            ctx,
        );
    };
    let key = home.unlock()?;
    let mut side = Side {
        key: &key,
        store: &mut store,
        community,
    };
    let t = now();
    match command {
        VouchCommand::Offer { out } => {
            let v = write_code(&side.offer(t)?, &out)?;
            ctx.emit(&json!({"step": "offer", "code": out, "qr_version": v}), || {
                format!(
                    "Wrote your offer to {}. Show it to the other person; then read their reply with `grassroots vouch confirm`.",
                    out.display()
                )
            })
        }
        VouchCommand::Accept { image, out } => {
            let v = write_code(&side.accept(&read_code(&image)?, t)?, &out)?;
            ctx.emit(&json!({"step": "accept", "code": out, "qr_version": v}), || {
                format!(
                    "Wrote your acceptance to {}. Show it to the other person; then read their confirmation with `grassroots vouch complete`.",
                    out.display()
                )
            })
        }
        VouchCommand::Confirm { image, out } => {
            let (s, msg) = side.confirm(&read_code(&image)?, t)?;
            let v = write_code(&msg, &out)?;
            let (code, peer) = comparison(&s, &key.public());
            ctx.emit(
                &json!({"step": "confirm", "code": out, "qr_version": v, "surety": s.id().to_string(), "comparison_code": code, "peer": peer}),
                || {
                    format!(
                        "Surety signed and stored. Wrote your confirmation to {}; show it to the other person.\nCompare with their screen: {code}  (you vouched for {peer})",
                        out.display()
                    )
                },
            )
        }
        VouchCommand::Complete { image } => {
            let (s, new) = side.complete(&read_code(&image)?)?;
            let (code, peer) = comparison(&s, &key.public());
            ctx.emit(
                &json!({"step": "complete", "surety": s.id().to_string(), "new": new, "comparison_code": code, "peer": peer}),
                || {
                    format!(
                        "Surety {}. Compare with their screen: {code}  (you vouched for {peer})",
                        if new { "stored" } else { "already held" }
                    )
                },
            )
        }
    }
}

fn ask(prompt: &str) -> anyhow::Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        bail!("no answer (end of input)");
    }
    Ok(line.trim().to_string())
}

fn scan(prompt: &str) -> anyhow::Result<Vec<u8>> {
    let answer = ask(prompt)?;
    #[cfg(feature = "camera")]
    if answer == "camera" {
        return Ok(qr::camera::scan(std::time::Duration::from_secs(60))?);
    }
    read_code(Path::new(&answer))
}

fn show(message: &[u8]) -> anyhow::Result<()> {
    println!("{}", qr::to_terminal(&qr::encode(message)?));
    Ok(())
}

fn interactive(side: &mut Side<'_>, ctx: &Ctx) -> anyhow::Result<()> {
    if ctx.json {
        bail!("the interactive exchange has no --json form; use the offer/accept/confirm/complete steps");
    }
    let source = if cfg!(feature = "camera") {
        "a photo's path, or 'camera'"
    } else {
        "a photo's path"
    };
    let first = ask("Who shows a code first? [1] me  [2] the other person: ")?;
    let (surety, me) = match first.as_str() {
        "1" => {
            show(&side.offer(now())?)?;
            println!("Let the other person scan this code.");
            let reply = scan(&format!("Their reply ({source}): "))?;
            let (s, msg) = side.confirm(&reply, now())?;
            show(&msg)?;
            println!("Let them scan this confirmation.");
            (s, side.key.public())
        }
        "2" => {
            let offer = scan(&format!("Their code ({source}): "))?;
            show(&side.accept(&offer, now())?)?;
            println!("Let the other person scan this code.");
            let confirm = scan(&format!("Their confirmation ({source}): "))?;
            (side.complete(&confirm)?.0, side.key.public())
        }
        other => bail!("answer 1 or 2, not `{other}`"),
    };
    let (code, peer) = comparison(&surety, &me);
    println!("Done. Compare with their screen: {code}\nYou vouched for {peer}. If the codes differ, revoke with `grassroots surety revoke {}`.", surety.id());
    Ok(())
}
