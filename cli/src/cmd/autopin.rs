//! `grassroots federation pin MEMBER --peer ADDR… [--every SECS]`: keep a
//! member pinned on a federation's record without handling certificate
//! files. Each round pulls the member's record from its participants (as
//! `grassroots sync` does), and when its last final position is after
//! every pin of it on the federation's record
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
    use anyhow::Context;
    let addrs = peers
        .iter()
        .map(|a| {
            a.parse()
                .with_context(|| format!("`{a}` is not a multiaddr"))
        })
        .collect::<anyhow::Result<Vec<ledger::net::Multiaddr>>>()?;
    let l = crate::cmd::decision::load(ctx, community)?;
    let key = l.home.unlock()?;
    let federation = l.community;
    drop(l);
    let mut round = 0;
    loop {
        round += 1;
        let value = one_round(ctx, community, &key, (federation, member), &addrs, schedule)?;
        ctx.emit(&value, || human(&value, member))?;
        let (Some(every), more) = (schedule.every, schedule.rounds.is_none_or(|r| round < r))
        else {
            return Ok(());
        };
        if !more {
            return Ok(());
        }
        std::thread::sleep(every);
    }
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

/// Pull, check what is due, certify and pin once.
#[cfg(feature = "net")]
fn one_round(
    ctx: &Ctx,
    community: Option<&str>,
    key: &identity::Keypair,
    (federation, member): (CommunityId, CommunityId),
    addrs: &[ledger::net::Multiaddr],
    schedule: Schedule,
) -> anyhow::Result<Value> {
    use anyhow::Context;
    use device::federation::{pin_due, PinDue};
    let home = crate::home::Home::new(&ctx.home);
    let pulled = pull_any(&home, member, addrs, schedule.timeout)?;
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
    let fetched = crate::cmd::serve::runtime()?
        .block_on(federation::fetch::fetch(
            &mut store,
            &member,
            &statement,
            addrs,
            schedule.timeout,
        ))
        .with_context(|| {
            format!(
                "asking {}'s participants to certify its position {position}",
                member.short()
            )
        })?;
    drop(store);
    let mut l = crate::cmd::decision::load(ctx, community)?;
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
fn pull_any(
    home: &crate::home::Home,
    member: CommunityId,
    addrs: &[ledger::net::Multiaddr],
    timeout: Duration,
) -> anyhow::Result<String> {
    let mut failures = Vec::new();
    for addr in addrs {
        let store = home.store()?;
        match crate::cmd::serve::pull(store, member, addr.clone(), timeout, |_| Ok(())) {
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
