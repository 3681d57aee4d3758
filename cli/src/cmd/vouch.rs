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
use attest::{Message, Offer};
use clap::Subcommand;
use identity::Keypair;
use ledger::{CommunityId, Statement, Store, StoreError};
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

/// One device's side of an exchange: its key, store and community.
pub struct Side<'a> {
    /// This device's key.
    pub key: &'a Keypair,
    /// This device's store.
    pub store: &'a mut Store,
    /// The community.
    pub community: CommunityId,
}

impl Side<'_> {
    fn ttl(&self) -> anyhow::Result<u64> {
        let (_, state) = crate::home::community_state(self.store, &self.community)?;
        Ok(state.constitution.vouch_offer_ttl_secs)
    }

    /// Step 1: the offer's message bytes (the session is remembered).
    pub fn offer(&mut self, now: u64) -> anyhow::Result<Vec<u8>> {
        let ttl = self.ttl()?;
        self.store.purge_sessions(now.saturating_sub(ttl))?;
        let o = attest::offer(self.key, self.community, now);
        let bytes = Message::Offer(o.clone()).encode();
        self.store
            .open_session(&o.nonce, &self.community, &bytes, now)?;
        Ok(bytes)
    }

    /// Step 2: answer a scanned offer.
    pub fn accept(&mut self, scanned: &[u8], now: u64) -> anyhow::Result<Vec<u8>> {
        let a = attest::accept(self.key, &self.community, scanned, self.ttl()?, now)?;
        let bytes = Message::Accept(a.clone()).encode();
        self.store
            .open_session(&a.nonce_accepter, &self.community, &bytes, now)?;
        Ok(bytes)
    }

    /// Step 3: confirm a scanned accept; stores the surety.
    pub fn confirm(&mut self, scanned: &[u8], now: u64) -> anyhow::Result<(Statement, Vec<u8>)> {
        let a = match Message::decode(scanned)? {
            Message::Accept(a) => a,
            other => bail!(
                "expected the other person's accept code, but this is an {} code",
                other.name()
            ),
        };
        let pending = self.pending_offer(&a.nonce_offerer)?;
        let s = attest::confirm(self.key, &pending, scanned, self.ttl()?, now)?;
        self.store.finish_session(&a.nonce_offerer, &s)?;
        Ok((s.clone(), Message::Confirm(s).encode()))
    }

    /// Step 4: complete with a scanned confirm; stores the surety.
    pub fn complete(&mut self, scanned: &[u8]) -> anyhow::Result<(Statement, bool)> {
        let s = match Message::decode(scanned)? {
            Message::Confirm(s) => s,
            other => bail!(
                "expected the other person's confirm code, but this is an {} code",
                other.name()
            ),
        };
        let ledger::Payload::Surety(su) = s.payload() else {
            bail!("the confirm code does not carry a surety");
        };
        let pending = match self.store.session(&su.nonce_peer)? {
            Some(bytes) => match Message::decode(&bytes)? {
                Message::Accept(a) => a,
                _ => bail!("this device's session store holds a damaged session"),
            },
            None if self.store.contains(&s.id())? => return Ok((s, false)),
            None => return Err(StoreError::NoSession.into()),
        };
        let s = attest::complete(&pending, scanned)?;
        let new = self.store.finish_session(&su.nonce_peer, &s)?;
        Ok((s, new))
    }

    fn pending_offer(&self, nonce: &[u8]) -> anyhow::Result<Offer> {
        match self.store.session(nonce)? {
            Some(bytes) => match Message::decode(&bytes)? {
                Message::Offer(o) => Ok(o),
                _ => bail!("this device's session store holds a damaged session"),
            },
            None => Err(StoreError::NoSession.into()),
        }
    }
}

/// The line both people compare.
pub fn comparison(surety: &Statement, me: &identity::PublicKey) -> (String, String) {
    let (a, b, code) = attest::comparison_code(surety).expect("a surety statement");
    let peer = if &a == me { b } else { a };
    (code, peer.fingerprint().to_string())
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
