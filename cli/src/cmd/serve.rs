//! `grassroots serve`: run this device's node of a community's blocklace on
//! the network, and `grassroots sync PEER`: pull what a peer has once.

use crate::ctx::{out, Ctx};
use crate::home::{resolve_community, Home, Prompt};
use anyhow::Context;
use ledger::blocklace::{founding_participants, Durable, Limits, NodeConfig};
use ledger::net::{Multiaddr, NetConfig, NetEvent, Peer};
use serde_json::json;
use std::time::Duration;

/// Run this device's node: order the community's statements with its
/// other members' devices (found by mDNS on the local network, or named
/// with --peer) until interrupted.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (a multiaddr; repeatable).
    #[arg(long, default_value = "/ip4/0.0.0.0/tcp/0")]
    listen: Vec<String>,
    /// A peer to dial, e.g. /ip4/192.168.1.7/tcp/4001 (repeatable).
    #[arg(long = "peer")]
    peers: Vec<String>,
    /// Do not discover peers on the local network.
    #[arg(long)]
    no_mdns: bool,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long)]
    seconds: Option<u64>,
    /// On a federation: keep member `MEMBER` pinned on its record, pulling
    /// the member's record from its participant at `ADDR` and having them
    /// certify its last final position (`MEMBER=ADDR`; repeatable, one
    /// address per entry, several entries per member allowed).
    #[arg(long = "pin", value_name = "MEMBER=ADDR")]
    pins: Vec<String>,
    /// How often to check the members given with --pin, in seconds.
    #[arg(long, default_value_t = 600, requires = "pins")]
    pin_every: u64,
    /// Also serve the members' app at this address (e.g. 127.0.0.1:8080).
    #[arg(long)]
    web: Option<std::net::SocketAddr>,
    #[command(flatten)]
    web_options: crate::cmd::web::WebOptions,
    /// Test-only (built with the non-default `byzantine` feature): be a
    /// Byzantine participant that equivocates — signs two versions of
    /// each block and sends them to different peers.
    #[cfg(feature = "byzantine")]
    #[arg(long, hide = true)]
    equivocate: bool,
}

/// Pull the blocks a peer has and this device lacks, then stop.
#[derive(clap::Args)]
pub struct SyncArgs {
    /// The peer's address (a multiaddr, e.g. /ip4/192.168.1.7/tcp/4001).
    peer: String,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
}

pub(crate) fn node_config() -> NodeConfig {
    NodeConfig {
        quiesce: true,
        leader_timeout_ms: 500,
        sync_interval_ms: 1_000,
        ..NodeConfig::default()
    }
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Submit `statement` to the participant at `peer` from a fresh network
/// identity (`ledger::net::submit::submit_once`); the address on success.
pub(crate) fn submit_fresh(
    community: &ledger::CommunityId,
    peer: &str,
    statement: &ledger::Statement,
) -> anyhow::Result<String> {
    let addr: Multiaddr = peer
        .parse()
        .with_context(|| format!("`{peer}` is not a multiaddr"))?;
    let report = runtime()?.block_on(ledger::net::submit::submit_once(
        community,
        addr,
        std::slice::from_ref(statement),
        Duration::from_secs(30),
    ))?;
    if report.accepted == 0 {
        anyhow::bail!(
            "the participant at {peer} refused the statement: {}",
            report.refused.join("; ")
        );
    }
    Ok(peer.to_string())
}

fn print_event(ctx: &Ctx, e: &NetEvent) -> anyhow::Result<()> {
    let (value, human) = match e {
        NetEvent::Listening(a) => (
            json!({"event": "listening", "address": a.to_string()}),
            format!("listening on {a}"),
        ),
        NetEvent::Connected(p) => (
            json!({"event": "connected", "peer": p.to_string()}),
            format!("connected to {p}"),
        ),
        NetEvent::Disconnected(p) => (
            json!({"event": "disconnected", "peer": p.to_string()}),
            format!("disconnected from {p}"),
        ),
        NetEvent::Proposed(s) => (
            json!({"event": "proposed", "statement": s.to_string()}),
            format!("proposed statement {}", s.short()),
        ),
        NetEvent::Submitted(s) => (
            json!({"event": "submitted", "statement": s.to_string()}),
            format!("submitted statement {} to a participant", s.short()),
        ),
        NetEvent::EpochChanged {
            epoch,
            cut_len,
            participants,
            participant,
        } => (
            json!({"event": "epoch", "epoch": epoch, "cut_len": cut_len,
                   "participants": participants, "participant": participant}),
            format!(
                "epoch {epoch} begins: the record named {participants} participant(s){}; \
                 epoch {} closed after {cut_len} final block(s)",
                if *participant {
                    ", this device among them"
                } else {
                    "; this device observes"
                },
                epoch - 1
            ),
        ),
        NetEvent::RuleFailed { reason } => (
            json!({"event": "rule-failed", "reason": reason}),
            format!("the participant rule could not be applied; the epoch stays: {reason}"),
        ),
        NetEvent::Final {
            epoch,
            pos,
            block,
            statements,
        } => {
            if statements.is_empty() {
                return Ok(());
            }
            let ids: Vec<String> = statements.iter().map(|s| s.to_string()).collect();
            (
                json!({"event": "final", "epoch": epoch, "pos": pos, "block": block.to_string(), "statements": ids}),
                format!(
                    "final #{epoch}.{pos}: block {block:?} with {} statement(s)",
                    statements.len()
                ),
            )
        }
        NetEvent::Skipped { block, reason } => (
            json!({"event": "skipped", "block": block.to_string(), "reason": reason}),
            format!("statement of final block {block:?} not stored: {reason}"),
        ),
        NetEvent::Checkpoint {
            peer,
            ask,
            signed,
            detail,
        } => (
            json!({"event": "checkpoint", "peer": peer.to_string(), "ask": ask,
                   "signed": signed, "detail": detail}),
            if *signed {
                format!("signed a checkpoint for {peer} ({ask}): {detail}")
            } else {
                format!("did not sign a checkpoint for {peer} ({ask}): {detail}")
            },
        ),
        NetEvent::Equivocation { creator } => (
            json!({"event": "equivocation", "creator": creator}),
            format!("participant {creator} equivocated (proof recorded in the lace)"),
        ),
        NetEvent::FrameRefused { reason } => (
            json!({"event": "refused", "reason": reason}),
            format!("refused a frame: {reason}"),
        ),
        NetEvent::Refused {
            peer,
            inbound,
            reason,
        } => (
            json!({"event": "refused", "peer": peer.to_string(), "inbound": inbound, "reason": reason}),
            if *inbound {
                format!("refused input from {peer}: {reason}")
            } else {
                format!("{peer} refused our input: {reason}")
            },
        ),
    };
    if ctx.json {
        out(&value.to_string())
    } else {
        out(&human)
    }
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    let store = home.store()?;
    let community = resolve_community(&store, args.community.as_deref())?;
    let key = home.unlock()?;
    let config = NetConfig {
        listen: parse_addrs(&args.listen)?,
        peers: parse_addrs(&args.peers)?,
        mdns: !args.no_mdns,
        ..NetConfig::default()
    };
    let seconds = args.seconds;
    let web = args.web;
    let named = args.community.clone();
    let watched = crate::cmd::autopin::watched(&store, &args.pins)?;
    let every = Duration::from_secs(args.pin_every.max(1));
    runtime()?.block_on(async move {
        if let Some(addr) = web {
            let server = crate::cmd::web::start(ctx, addr, &args.web_options, named).await?;
            tokio::spawn(server.run());
        }
        let mut peer = start_peer(store, community, &key.seed(), config)?;
        #[cfg(feature = "byzantine")]
        if args.equivocate {
            peer.equivocate();
        }
        if !peer.is_participant() {
            ctx.note(&format!(
                "this key is not a participant of epoch {} of the community: serving as an \
                 observer (syncing, and submitting this device's statements to a \
                 participant) until the record makes it one",
                peer.epoch()
            ));
        }
        let stop = async move {
            match seconds {
                Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
                None => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        };
        let mut failed = None;
        let run = peer.run(stop, |e| {
            if let Err(err) = print_event(ctx, &e) {
                failed.get_or_insert(err);
            }
        });
        // Pinning runs beside the node, in the same task: it never ends,
        // so the node's end (its `--seconds` or an interrupt) ends both.
        let pinning = crate::cmd::autopin::keep_pinned(ctx, &key, community, &watched, every);
        tokio::select! {
            r = run => r?,
            () = pinning => {}
        }
        failed.map_or(Ok(()), Err)
    })
}

pub fn sync(args: SyncArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    let store = home.store()?;
    let community = resolve_community(&store, args.community.as_deref())?;
    let addr = args
        .peer
        .parse()
        .with_context(|| format!("peer address {:?}", args.peer))?;
    let report = pull(
        store,
        community,
        addr,
        Duration::from_secs(args.timeout),
        |e| {
            // under --json only the summary goes to standard output
            if ctx.json || matches!(e, NetEvent::Final { .. }) {
                return Ok(());
            }
            print_event(ctx, &e)
        },
    )?;
    ctx.emit(
        &json!({
            "blocks": report.blocks,
            "final": report.final_len,
            "round_trips": report.round_trips,
            "bytes": report.bytes,
        }),
        || {
            format!(
                "Received {} block(s) in {} round trip(s) ({} bytes); {} final",
                report.blocks, report.round_trips, report.bytes, report.final_len
            )
        },
    )
}

/// Pull the blocks the peer at `addr` has of `community` and `store` lacks,
/// under a fresh network identity (a one-off pull needs no member key and
/// creates no blocks), passing each event to `each`.
pub(crate) fn pull(
    store: ledger::Store,
    community: ledger::CommunityId,
    addr: Multiaddr,
    timeout: Duration,
    each: impl FnMut(NetEvent) -> anyhow::Result<()>,
) -> anyhow::Result<ledger::net::SyncReport> {
    runtime()?.block_on(pull_async(store, community, addr, timeout, each))
}

/// [`pull`] inside a running runtime.
pub(crate) async fn pull_async(
    store: ledger::Store,
    community: ledger::CommunityId,
    addr: Multiaddr,
    timeout: Duration,
    mut each: impl FnMut(NetEvent) -> anyhow::Result<()>,
) -> anyhow::Result<ledger::net::SyncReport> {
    let config = NetConfig {
        listen: Vec::new(),
        mdns: false,
        ..NetConfig::default()
    };
    let seed = zeroize::Zeroizing::new(rand::random::<[u8; 32]>());
    let mut peer = start_peer(store, community, &seed, config)?;
    let mut failed = None;
    let report = peer
        .sync_with(addr, timeout, |e| {
            if let Err(err) = each(e) {
                failed.get_or_insert(err);
            }
        })
        .await?;
    failed.map_or(Ok(report), Err)
}

/// Start this device's node of `community`: from the epoch its store has
/// reached, following the participants the constitution and the record
/// fix (`community::participation`), and answering checkpoint asks.
pub(crate) fn start_peer(
    store: ledger::Store,
    community: ledger::statement::CommunityId,
    seed: &zeroize::Zeroizing<[u8; 32]>,
    config: NetConfig,
) -> anyhow::Result<Peer> {
    let founders = founding_participants(&store, &community)?;
    let genesis = store
        .get(&community)?
        .context("the store lost the community's genesis")?;
    let rule = community::participation::ConstitutionalParticipants::new(genesis.clone());
    let durable = Durable::new(store, community, 0, Limits::default());
    let mut peer = Peer::start_with_rule(
        durable,
        seed,
        founders,
        node_config(),
        config,
        Some(Box::new(rule)),
    )?;
    // answer checkpoint asks: sign positions final in this device's own
    // record, in epochs where this key participates (`federation::sign`)
    peer.set_certifier(Box::new(federation::sign::RecordSigner::new(genesis, seed)));
    Ok(peer)
}

fn parse_addrs(addrs: &[String]) -> anyhow::Result<Vec<Multiaddr>> {
    addrs
        .iter()
        .map(|a| a.parse().with_context(|| format!("address {a:?}")))
        .collect()
}
