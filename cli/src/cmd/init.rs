//! `grassroots init`: create this home's key.

use crate::ctx::Ctx;
use crate::home::{passphrase, Home};
use identity::{KdfParams, Keypair};
use serde_json::json;

/// Create a new key in this home, encrypted under a passphrase.
#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    if home.keystore_path().exists() {
        anyhow::bail!(
            "{} already holds a key ({}); a person keeps one key — use another --home for another person",
            ctx.home.display(),
            home.keystore()?.public().fingerprint()
        );
    }
    let pass = passphrase("New passphrase: ", true)?;
    let pair = Keypair::generate();
    home.create_key(&pair, pass.as_bytes(), KdfParams::DEFAULT)?;
    let public = pair.public();
    ctx.emit(
        &json!({
            "home": ctx.home,
            "public_key": public.to_string(),
            "fingerprint": public.fingerprint(),
        }),
        || {
            format!(
                "Created your key in {}\nFingerprint: {}\nKeep your passphrase safe: without it the key cannot be used.",
                ctx.home.display(),
                public.fingerprint()
            )
        },
    )
}
