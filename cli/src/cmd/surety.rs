//! `grassroots surety revoke` and `grassroots id replace`: withdrawing a
//! surety, and replacing a lost key.

use crate::ctx::Ctx;
use crate::home::{now, resolve_community, Home, Prompt};
use ledger::dag::say;
use ledger::payload::{KeyReplacement, Revocation};
use ledger::{Payload, StatementId};
use serde_json::json;

/// Withdraw a surety you are party to (or contest a replacement of your key).
#[derive(clap::Args)]
pub struct RevokeArgs {
    /// The surety statement's id (64 hex digits; see `grassroots graph show`).
    id: String,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
}

pub fn revoke(args: RevokeArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    let mut store = home.store()?;
    let id = resolve_community(&store, args.community.as_deref())?;
    let target = StatementId::from_hex(&args.id)?;
    let Some(t) = store.get(&target)? else {
        anyhow::bail!("this home holds no statement {}", target);
    };
    let key = home.unlock()?;
    let me = key.public();
    match t.payload() {
        Payload::Surety(s) if t.author() == me || s.peer == me => {}
        Payload::KeyReplacement(r) if r.old == me => {}
        Payload::Surety(_) => anyhow::bail!("you are not a party to surety {}", target.short()),
        other => anyhow::bail!(
            "statement {} is a {}, not a surety",
            target.short(),
            other.kind()
        ),
    }
    let s = say(
        &key,
        &id,
        &store.statements(&id)?,
        Payload::Revocation(Revocation { surety: target }),
        now(),
    )?;
    store.insert(&s)?;
    ctx.emit(
        &json!({"statement": s.id().to_string(), "revoked": target.to_string()}),
        || format!("Revoked {} (statement {})", target.short(), s.id().short()),
    )
}

/// Declare that this home's key replaces a lost key.
#[derive(clap::Args)]
pub struct ReplaceArgs {
    /// The lost key: an identity card file or 64 hex digits.
    #[arg(long)]
    old: String,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
}

pub fn replace(args: ReplaceArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    let mut store = home.store()?;
    let id = resolve_community(&store, args.community.as_deref())?;
    let old = crate::cmd::id::parse_public(&args.old)?;
    let key = home.unlock()?;
    let s = say(
        &key,
        &id,
        &store.statements(&id)?,
        Payload::KeyReplacement(KeyReplacement { old }),
        now(),
    )?;
    store.insert(&s)?;
    ctx.emit(
        &json!({"statement": s.id().to_string(), "old": old.fingerprint(), "new": key.public().fingerprint()}),
        || {
            format!(
                "Your key {} now claims to replace {}.\nIt takes effect once members vouch for you again and you are admitted; the old key is then retired.",
                key.public().fingerprint(),
                old.fingerprint()
            )
        },
    )
}
