//! `grassroots federation`: found a federation, put forward joining,
//! leaving and admitting as changes of the acting community's constitution,
//! and show the federation graph of every record this home holds
//! (`docs/federation.md`, "Federations on the record"). The logic is in
//! `device::federation` and `community::federation`.

use crate::cmd::decision::load;
use crate::ctx::Ctx;
use crate::home::{Home, Prompt};
use anyhow::Context;
use clap::Subcommand;
use community::federation::{Effect, FederationView};
use device::federation::{parse_community, parse_delegate, Act};
use serde_json::json;

/// Federations: communities whose members are communities.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: FederationCommand,
}

#[derive(Subcommand)]
enum FederationCommand {
    /// Found a federation: a community whose constitution admits member communities.
    Create(crate::cmd::community::FoundArgs),
    /// Propose that your community joins a federation, delegating components to it.
    Join {
        /// The federation's community id (64 hex digits, or a prefix of one held here).
        federation: String,
        /// A component the federation may decide: NAME, NAME=MIN..MAX or NAME=OPTION,OPTION (repeatable).
        #[arg(long = "delegate")]
        delegate: Vec<String>,
        /// Why (shown to members with the proposal).
        #[arg(long, default_value = "")]
        reason: String,
        /// Your community; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Propose that your community leaves a federation (its decision alone suffices).
    Leave {
        /// The federation's community id.
        federation: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
        /// Your community; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Propose that your federation admits member communities (or, with --remove, ends one's membership).
    Admit {
        /// The members' community ids (64 hex digits, or prefixes of ones held here).
        #[arg(required = true)]
        members: Vec<String>,
        /// End the membership instead.
        #[arg(long)]
        remove: bool,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
        /// Your federation; the only community here if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Show the federation graph of every record this home holds.
    Show,
    /// Pin a member's record on your federation's record at the position a
    /// certificate certifies (from `grassroots certificate get`), or, with
    /// `--peer`, at the member's last final position: pull its record from
    /// its participants, ask them to certify it, and pin it (again every
    /// `--every` seconds). The federation then counts the member as it
    /// stood there.
    Pin {
        /// The member's community id (64 hex digits, or a prefix of one held here).
        member: String,
        /// The certificate file.
        #[arg(long, required_unless_present = "peers", conflicts_with = "peers")]
        certificate: Option<std::path::PathBuf>,
        /// A participant of the member, e.g. /ip4/192.168.1.7/tcp/4001/p2p/…
        /// (repeatable): pin its last final position, certified by them.
        #[arg(long = "peer")]
        peers: Vec<String>,
        /// With --peer: pin again every this many seconds, until interrupted
        /// (or --rounds are done), whenever something newer is final.
        #[arg(long, requires = "peers")]
        every: Option<u64>,
        /// With --every: stop after this many rounds.
        #[arg(long, requires = "every")]
        rounds: Option<u32>,
        /// Give up on each pull and round of asks after this many seconds.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Your federation; the only community here if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Show a federation's pins and the members and population they fix.
    Pins {
        /// The federation; the only community here if omitted.
        #[arg(long)]
        community: Option<String>,
    },
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    match args.command {
        FederationCommand::Create(found) => crate::cmd::community::create(ctx, found, true),
        FederationCommand::Join {
            federation,
            delegate,
            reason,
            community,
        } => {
            let store = Home::new(&ctx.home).store()?;
            let federation = parse_community(&store, &federation)?;
            let components = delegate
                .iter()
                .map(|d| parse_delegate(d))
                .collect::<Result<_, _>>()?;
            let act = Act::Join {
                federation,
                components,
            };
            propose(ctx, community.as_deref(), &act, &reason, "join")
        }
        FederationCommand::Leave {
            federation,
            reason,
            community,
        } => {
            let store = Home::new(&ctx.home).store()?;
            let federation = parse_community(&store, &federation)?;
            propose(
                ctx,
                community.as_deref(),
                &Act::Leave { federation },
                &reason,
                "leave",
            )
        }
        FederationCommand::Admit {
            members,
            remove,
            reason,
            community,
        } => {
            let store = Home::new(&ctx.home).store()?;
            let members = members
                .iter()
                .map(|m| parse_community(&store, m))
                .collect::<Result<Vec<_>, _>>()?;
            let (act, what) = match (remove, members.as_slice()) {
                (true, [member]) => (Act::Remove { member: *member }, "remove"),
                (true, _) => anyhow::bail!("--remove takes one member at a time"),
                (false, _) => (Act::Admit { members }, "admit"),
            };
            propose(ctx, community.as_deref(), &act, &reason, what)
        }
        FederationCommand::Pin {
            member,
            certificate,
            peers,
            every,
            rounds,
            timeout,
            community,
        } => {
            let store = Home::new(&ctx.home).store()?;
            let member = ledger::StatementId(parse_community(&store, &member)?);
            drop(store);
            let Some(certificate) = certificate else {
                let schedule = crate::cmd::autopin::Schedule {
                    every: every.map(std::time::Duration::from_secs),
                    rounds,
                    timeout: std::time::Duration::from_secs(timeout),
                };
                return crate::cmd::autopin::run(
                    ctx,
                    community.as_deref(),
                    member,
                    &peers,
                    schedule,
                );
            };
            let bytes = std::fs::read(&certificate)
                .with_context(|| format!("reading {}", certificate.display()))?;
            let mut l = load(ctx, community.as_deref())?;
            let key = l.home.unlock()?;
            let (s, position) = l.pin_member(&key, member, bytes)?;
            ctx.emit(
                &json!({ "statement": s.id().to_string(), "member": member.to_string(), "position": position }),
                || {
                    format!(
                        "Pinned {} at its final position {position} ({}): once final here, the federation counts it as it stood there.",
                        member.short(),
                        s.id().short()
                    )
                },
            )
        }
        FederationCommand::Pins { community } => {
            let store = Home::new(&ctx.home).store()?;
            let id = crate::home::resolve_community(&store, community.as_deref())?;
            let (view, anchored) = device::federation::pins(&store, &id)?;
            ctx.emit(
                &json!({ "pins": view.history, "anchored": anchored }),
                || pins_text(&view, &anchored),
            )
        }
        FederationCommand::Show => {
            let view = device::federation::view(&Home::new(&ctx.home).store()?)?;
            ctx.emit(&view, || human(&view))
        }
    }
}

/// Put `act` forward as a change of the constitution, and say what comes next.
fn propose(
    ctx: &Ctx,
    community: Option<&str>,
    act: &Act,
    reason: &str,
    what: &str,
) -> anyhow::Result<()> {
    let mut l = load(ctx, community)?;
    let key = l.home.unlock()?;
    let s = l.propose_act(&key, act, reason)?;
    ctx.emit(
        &json!({ "statement": s.id().to_string(), "act": what, "component": "constitution" }),
        || {
            format!(
                "Proposed to {what} as a change of the constitution ({}).\nMembers decide it: \
                 `grassroots decision open --component constitution`, then vote, close and share \
                 as for any amendment. It takes effect when adopted at a final position.",
                s.id().short()
            )
        },
    )
}

/// A federation's pins and what they fix, in lines.
fn pins_text(view: &federation::PinView, a: &federation::Anchored) -> String {
    let short = |id: &str| id[..16.min(id.len())].to_string();
    let mut out = format!(
        "federation {}: population {} ({})\n",
        short(&a.federation),
        a.population,
        if a.complete {
            "every member counted"
        } else {
            "not every member counted on this device"
        }
    );
    for m in &a.members {
        out.push_str(&format!(
            "  member {} {}: {}{}\n",
            short(&m.member),
            m.name.as_deref().unwrap_or("?"),
            m.status,
            match (m.position, m.people) {
                (Some(p), Some(n)) => format!(" (position {p}, {n} people)"),
                (Some(p), None) => format!(" (pinned at position {p})"),
                _ => String::new(),
            }
        ));
    }
    for r in &view.history {
        out.push_str(&format!(
            "  pin {} of {}: {}\n",
            short(&r.statement),
            short(&r.member),
            match (&r.problem, r.position) {
                (Some(p), _) => format!("refused: {p}"),
                (None, Some(p)) => format!("position {p}"),
                (None, None) => "counted".into(),
            }
        ));
    }
    out
}

/// The graph in lines: each node with its population and memberships, then
/// pending joins, refused memberships and the federations' values.
pub fn human(view: &FederationView) -> String {
    let short = |id: &str| id[..16].to_string();
    let mut out = String::new();
    for n in &view.nodes {
        out.push_str(&format!(
            "{} {} \"{}\": {} people, at position {}\n",
            n.kind,
            short(&n.id),
            n.name,
            n.population,
            n.position
        ));
        if !n.members.is_empty() {
            let m: Vec<String> = n.members.iter().map(|m| short(m)).collect();
            out.push_str(&format!("  members:   {}\n", m.join(", ")));
        }
        if !n.member_of.is_empty() {
            let m: Vec<String> = n.member_of.iter().map(|m| short(m)).collect();
            out.push_str(&format!("  member of: {}\n", m.join(", ")));
        }
    }
    for p in &view.pending {
        out.push_str(&format!(
            "pending: {} joining {}, waiting for {}\n",
            short(&p.member),
            short(&p.federation),
            p.waiting_for
        ));
    }
    for r in &view.refused {
        out.push_str(&format!(
            "refused: {} in {}: {}\n",
            short(&r.member),
            short(&r.federation),
            r.reason
        ));
    }
    for v in &view.values {
        let effect = match &v.effect {
            Effect::InForce { bounds } => format!("in force (members allow {bounds})"),
            Effect::Refused { reason } => format!("binds nobody: {reason}"),
        };
        out.push_str(&format!(
            "{} decides {} = {}: {effect}\n",
            short(&v.federation),
            v.component,
            serde_json::to_string(&v.value).unwrap_or_default()
        ));
    }
    out.push_str(&format!("view digest: {}\n", view.digest));
    out
}
