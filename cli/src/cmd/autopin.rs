//! Keeping a federation's members pinned without handling certificate
//! files: `grassroots federation pin MEMBER --peer ADDR… [--every SECS]`,
//! and `grassroots serve --pin MEMBER=ADDR [--pin-every SECS]` on a
//! federation's node. Each round pulls the member's record from its
//! participants (as `grassroots sync` does), and when its last final
//! position is after every pin of it on the federation's record
//! ([`device::federation::pin_due`]), asks them to certify it
//! (`federation::fetch`, as `grassroots certificate get`) and posts the pin
//! ([`device::Loaded::pin_member`], checked as every device will check it).

use crate::ctx::Ctx;
#[cfg(feature = "net")]
use crate::home::Prompt;
use ledger::statement::CommunityId;
#[cfg(feature = "net")]
use serde_json::{json, Value};
use std::time::Duration;

/// When to pin.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "net"), allow(dead_code))]
pub struct Schedule {
    /// Pin again after this long; once if `None`.
    pub every: Option<Duration>,
    /// Stop after this many rounds (with `every`); until interrupted if `None`.
    pub rounds: Option<u32>,
    /// Bound on each pull and each round of asks.
    pub timeout: Duration,
}

/// Pin `member` on the federation `community` (the only one here if
/// `None`) at its last final position, certified by its participants at
/// `peers`, on `schedule`.
///
/// # Errors
/// A malformed address, a home that cannot be unlocked, no participant
/// answering, or a pin that would not count — each naming what failed.
#[cfg(feature = "net")]
pub fn run(
    ctx: &Ctx,
    community: Option<&str>,
    member: CommunityId,
    peers: &[String],
    schedule: Schedule,
) -> anyhow::Result<()> {
    let addrs = parse_addrs(peers)?;
    let l = crate::cmd::decision::load(ctx, community)?;
    let key = l.home.unlock()?;
    let federation = l.community;
    drop(l);
    crate::cmd::serve::runtime()?.block_on(async {
        let mut round = 0;
        loop {
            round += 1;
            let value =
                one_round(ctx, &key, (federation, member), &addrs, schedule.timeout).await?;
            ctx.emit(&value, || human(&value, member))?;
            let more = schedule.rounds.is_none_or(|r| round < r);
            match schedule.every {
                Some(every) if more => tokio::time::sleep(every).await,
                _ => return Ok(()),
            }
        }
    })
}

/// Without networking, only a certificate file can be pinned.
#[cfg(not(feature = "net"))]
pub fn run(
    _: &Ctx,
    _: Option<&str>,
    _: CommunityId,
    _: &[String],
    _: Schedule,
) -> anyhow::Result<()> {
    anyhow::bail!("this build has no networking: get a certificate elsewhere and pin it with --certificate FILE")
}

/// A member `serve --pin` keeps pinned, and its participants' addresses.
#[cfg(feature = "net")]
pub struct Watched {
    member: CommunityId,
    addrs: Vec<ledger::net::Multiaddr>,
}

/// The members `serve --pin MEMBER=ADDR …` names, each with its addresses.
///
/// # Errors
/// An entry without `=`, a member not held here, or a malformed address.
#[cfg(feature = "net")]
pub fn watched(store: &ledger::Store, entries: &[String]) -> anyhow::Result<Vec<Watched>> {
    let mut out: Vec<Watched> = Vec::new();
    for e in entries {
        let Some((member, addr)) = e.split_once('=') else {
            anyhow::bail!("--pin takes MEMBER=ADDR (a member community and one of its participants' addresses), not `{e}`");
        };
        let member = ledger::StatementId(device::federation::parse_community(store, member)?);
        let addr = parse_addrs(&[addr.to_string()])?.remove(0);
        match out.iter_mut().find(|w| w.member == member) {
            Some(w) => w.addrs.push(addr),
            None => out.push(Watched {
                member,
                addrs: vec![addr],
            }),
        }
    }
    Ok(out)
}

/// Pin each of `watched` on `federation` now and every `every` after,
/// reporting each pin or failure as a `pin` event; never returns (the
/// caller's node ends it).
#[cfg(feature = "net")]
pub async fn keep_pinned(
    ctx: &Ctx,
    key: &identity::Keypair,
    federation: CommunityId,
    watched: &[Watched],
    every: Duration,
) {
    if watched.is_empty() {
        return std::future::pending().await;
    }
    let timeout = Duration::from_secs(30).min(every.max(Duration::from_secs(5)));
    loop {
        for w in watched {
            let at = (federation, w.member);
            let mut value = match one_round(ctx, key, at, &w.addrs, timeout).await {
                Ok(v) => v,
                Err(e) => json!({ "member": w.member.to_string(), "error": format!("{e:#}") }),
            };
            value["event"] = json!("pin");
            let line = match value.get("error").and_then(Value::as_str) {
                Some(e) => format!("could not pin {}: {e}", w.member.short()),
                None => human(&value, w.member),
            };
            // A closed standard output must not stop the node beside it.
            let _ = crate::ctx::out(&if ctx.json { value.to_string() } else { line });
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(feature = "net")]
fn parse_addrs(peers: &[String]) -> anyhow::Result<Vec<ledger::net::Multiaddr>> {
    use anyhow::Context;
    peers
        .iter()
        .map(|a| {
            a.parse()
                .with_context(|| format!("`{a}` is not a multiaddr"))
        })
        .collect()
}

/// Pull, check what is due, certify and pin once.
#[cfg(feature = "net")]
async fn one_round(
    ctx: &Ctx,
    key: &identity::Keypair,
    (federation, member): (CommunityId, CommunityId),
    addrs: &[ledger::net::Multiaddr],
    timeout: Duration,
) -> anyhow::Result<Value> {
    use anyhow::Context;
    use device::federation::{pin_due, PinDue};
    let home = crate::home::Home::new(&ctx.home);
    let pulled = pull_any(&home, member, addrs, timeout).await?;
    let due = pin_due(&home.store()?, &federation, &member)?;
    let (statement, position) = match due {
        PinDue::UpToDate { pinned } => {
            return Ok(json!({
                "member": member.to_string(),
                "pinned": false,
                "position": pinned,
                "pulled_from": pulled,
            }))
        }
        PinDue::Pin {
            statement,
            position,
        } => (statement, position),
    };
    let mut store = home.store()?;
    let fetched = federation::fetch::fetch(&mut store, &member, &statement, addrs, timeout)
        .await
        .with_context(|| {
            format!(
                "asking {}'s participants to certify its position {position}",
                member.short()
            )
        })?;
    drop(store);
    let mut l = crate::cmd::decision::load(ctx, Some(&federation.to_string()))?;
    let (s, at) = l.pin_member(key, member, fetched.certificate.encode())?;
    Ok(json!({
        "member": member.to_string(),
        "pinned": true,
        "position": at,
        "statement": s.id().to_string(),
        "signers": fetched.certificate.signers().len(),
        "pulled_from": pulled,
    }))
}

/// Pull the member's record from the first participant that answers; the
/// address it came from.
#[cfg(feature = "net")]
async fn pull_any(
    home: &crate::home::Home,
    member: CommunityId,
    addrs: &[ledger::net::Multiaddr],
    timeout: Duration,
) -> anyhow::Result<String> {
    let mut failures = Vec::new();
    for addr in addrs {
        let store = home.store()?;
        let pulled =
            crate::cmd::serve::pull_async(store, member, addr.clone(), timeout, |_| Ok(()));
        match pulled.await {
            Ok(_) => return Ok(addr.to_string()),
            Err(e) => failures.push(format!("{addr}: {e:#}")),
        }
    }
    anyhow::bail!(
        "no participant of {} gave its record: {}",
        member.short(),
        failures.join("; ")
    )
}

#[cfg(feature = "net")]
fn human(value: &Value, member: CommunityId) -> String {
    if value["pinned"] == true {
        format!(
            "Pinned {} at its final position {} ({}, certified by {} of its participants): once final here, the federation counts it as it stood there.",
            member.short(),
            value["position"],
            value["statement"].as_str().unwrap_or_default().get(..16).unwrap_or_default(),
            value["signers"]
        )
    } else {
        format!(
            "{} is already pinned at position {}: nothing newer of it is final here.",
            member.short(),
            value["position"]
        )
    }
}
