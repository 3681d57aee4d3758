//! `grassroots fork create|history|verify`: break away from a community.
//!
//! `create` founds a fork on a device that follows the parent: the
//! position must be final here and every founder a member of the parent
//! there (`community::fork::cite`); the fork's genesis cites the parent's
//! id, the position and this device's root there. `history` writes the
//! shared history (the parent's final statements up to the fork point,
//! in final order) to a statement file; `verify` checks a fork's citation
//! against this device's record of the parent or against such a file.

use crate::ctx::Ctx;
use crate::home::{now, resolve_community, Home, Prompt};
use anyhow::Context;
use clap::Subcommand;
use community::fork::{self, ForkPoint};
use community::{CommunityState, Record};
use governance::Constitution;
use ledger::payload::{ParentCitation, Payload};
use ledger::statement::{CommunityId, Statement};
use ledger::{file, Store};
use serde_json::json;
use std::path::PathBuf;

/// Break away from a community: found a fork that keeps the shared history.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ForkCommand,
}

#[derive(Subcommand)]
enum ForkCommand {
    /// Found a fork of a community at a final position of its record.
    Create {
        /// The last final position of the shared history, or `latest`.
        #[arg(long)]
        at: String,
        /// The parent: community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
        /// The fork's name (overrides the constitution's).
        #[arg(long)]
        name: Option<String>,
        /// A constitution JSON file; the parent's in force at the position if omitted.
        #[arg(long)]
        constitution: Option<PathBuf>,
        /// A co-founder: an identity card file or a public key (repeatable);
        /// each must have been a member of the parent at the position.
        #[arg(long = "founder")]
        founders: Vec<String>,
    },
    /// Write a fork's shared history (the parent's final statements up to
    /// the fork point, in final order) to a statement file.
    History {
        /// Where to write.
        #[arg(long)]
        out: PathBuf,
        /// The fork: community id or unique prefix; the only fork if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Check a fork's citation: against this device's record of the
    /// parent, or against a shared-history file.
    Verify {
        /// The fork: community id or unique prefix; the only fork if omitted.
        #[arg(long)]
        community: Option<String>,
        /// A shared-history file (`grassroots fork history`).
        #[arg(long)]
        history: Option<PathBuf>,
        /// A certificate of the parent (`grassroots certificate get`)
        /// covering the fork point: proves that the parent's participants
        /// signed the cited root there.
        #[arg(long)]
        certificate: Option<PathBuf>,
    },
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    match args.command {
        ForkCommand::Create {
            at,
            community,
            name,
            constitution,
            founders,
        } => {
            let plan = Plan {
                at,
                community,
                name,
                constitution,
                founders,
            };
            create(&home, plan, ctx)
        }
        ForkCommand::History { out, community } => history(&home, out, community, ctx),
        ForkCommand::Verify {
            community,
            history,
            certificate,
        } => {
            let given = Given {
                history,
                certificate,
            };
            verify(&home, community, given, ctx)
        }
    }
}

struct Plan {
    at: String,
    community: Option<String>,
    name: Option<String>,
    constitution: Option<PathBuf>,
    founders: Vec<String>,
}

fn create(home: &Home, plan: Plan, ctx: &Ctx) -> anyhow::Result<()> {
    let mut store = home.store()?;
    let parent = resolve_community(&store, plan.community.as_deref())?;
    let record = Record::load(&store, &parent)?;
    let position = position(&plan.at, &record)?;
    let co: Vec<_> = plan
        .founders
        .iter()
        .map(|f| crate::cmd::id::parse_public(f))
        .collect::<anyhow::Result<_>>()?;
    let key = home.unlock()?;
    let mut all = co.clone();
    all.push(key.public());
    let point = fork::cite(&record, position, &all).with_context(|| {
        format!(
            "forking community {} at position {position}",
            parent.short()
        )
    })?;
    let c = constitution(&plan, &point)?;
    let genesis = ledger::dag::found_fork(&key, c, &co, point.citation, now())?;
    store.insert(&genesis)?;
    let fork = Record::new(genesis.clone(), Vec::new(), Vec::new(), false);
    let state = CommunityState::from_record(&fork)?;
    let mut value = crate::cmd::community::summary(&state, &fork);
    value["parent"] = citation_json(&point.citation);
    ctx.emit(&value, || {
        format!(
            "Founded \"{}\", a fork of {} at final position {position}\nCommunity id: {}\nFounders: {}\nShared history: {} statements, root {}",
            state.constitution.name,
            parent.short(),
            state.id,
            state.founders.iter().map(|k| k.fingerprint().to_string()).collect::<Vec<_>>().join(", "),
            position + 1,
            hex::encode(&point.citation.root[..8]),
        )
    })
}

/// `latest` (the last final position) or a number.
fn position(at: &str, record: &Record) -> anyhow::Result<u64> {
    if at == "latest" {
        return Ok(record.final_len() as u64 - 1);
    }
    at.parse()
        .with_context(|| format!("--at {at:?}: a final position (a number) or `latest`"))
}

/// The fork's constitution: the file, or the parent's in force at the
/// fork point; renamed if asked.
fn constitution(plan: &Plan, point: &ForkPoint) -> anyhow::Result<Constitution> {
    let mut c = match &plan.constitution {
        Some(path) => Constitution::from_json(
            &std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
        )
        .with_context(|| format!("constitution {}", path.display()))?,
        None => CommunityState::from_record(&point.history)?.constitution,
    };
    if let Some(name) = &plan.name {
        c.name = name.clone();
        c.validate()?;
    }
    Ok(c)
}

fn history(home: &Home, out: PathBuf, community: Option<String>, ctx: &Ctx) -> anyhow::Result<()> {
    let store = home.store()?;
    let (genesis, citation) = resolve_fork(&store, community.as_deref())?;
    let parent = parent_record(&store, &citation)?;
    let point = fork::verify_held(&genesis, &parent)?;
    let statements = point.history.final_statements();
    file::write(&out, &citation.community, statements)?;
    ctx.emit(
        &json!({ "file": out, "parent": citation.community.to_string(),
            "position": citation.position, "statements": statements.len() }),
        || {
            format!(
                "Wrote the shared history of fork {} ({} statements of {} through position {}) to {}",
                genesis.id().short(),
                statements.len(),
                citation.community.short(),
                citation.position,
                out.display()
            )
        },
    )
}

/// What `fork verify` checks against besides this device's store.
struct Given {
    history: Option<PathBuf>,
    certificate: Option<PathBuf>,
}

fn verify(home: &Home, community: Option<String>, given: Given, ctx: &Ctx) -> anyhow::Result<()> {
    let mut store = home.store()?;
    let (genesis, citation) = resolve_fork(&store, community.as_deref())?;
    let (point, against) = check_citation(&store, &genesis, &citation, given.history.as_deref())?;
    let certified = match &given.certificate {
        Some(path) => {
            let parent_genesis = &point.history.statements()[0];
            certified(&mut store, path, parent_genesis, &citation)?
        }
        None => serde_json::Value::Null,
    };
    let value = json!({
        "fork": genesis.id().to_string(),
        "parent": citation_json(&point.citation),
        "against": against,
        "parent_members": point.parent_members.len(),
        "certified": certified,
        "ok": true,
    });
    ctx.emit(&value, || {
        let mut text = format!(
            "Fork {} verified against {against}: parent {} at final position {}, root {} recomputed; every founder was one of its {} members there",
            genesis.id().short(),
            citation.community.short(),
            citation.position,
            hex::encode(&citation.root[..8]),
            point.parent_members.len()
        );
        if !certified.is_null() {
            text.push_str(&format!(
                "\nThe root is certified by {} of the parent's {} participants of epoch {}",
                certified["signers"], certified["participants"], certified["epoch"]
            ));
        }
        text
    })
}

/// The fork point of `genesis`, checked against the history file if one
/// is given, else against this device's record of the parent; and what
/// it was checked against.
fn check_citation(
    store: &Store,
    genesis: &Statement,
    citation: &ParentCitation,
    history: Option<&std::path::Path>,
) -> anyhow::Result<(ForkPoint, String)> {
    match history {
        Some(path) => {
            let f = file::read(path).with_context(|| format!("reading {}", path.display()))?;
            let point = fork::verify_history(genesis, &f.statements)
                .with_context(|| format!("the shared history in {}", path.display()))?;
            Ok((point, format!("the history in {}", path.display())))
        }
        None => {
            let parent = parent_record(store, citation)?;
            let point = fork::verify_held(genesis, &parent)
                .context("against this device's record of the parent")?;
            Ok((point, "this device's record of the parent".to_string()))
        }
    }
}

/// Check that the certificate at `path` is the parent's, verifies from
/// its genesis (and the epoch changes this device follows), and implies
/// the cited root at the cited position.
fn certified(
    store: &mut Store,
    path: &std::path::Path,
    parent_genesis: &Statement,
    citation: &ParentCitation,
) -> anyhow::Result<serde_json::Value> {
    use federation::{held, Certificate};
    let refused = || format!("certificate {} refused", path.display());
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let cert = Certificate::decode(&bytes).with_context(refused)?;
    let mut client = held::light_client_from(parent_genesis, store)?;
    let v = held::check(store, &mut client, &cert).with_context(refused)?;
    let p = citation.position;
    match cert.root_at(p) {
        None => anyhow::bail!(
            "certificate {} covers positions {}..={} of the parent, not the fork point {p}",
            path.display(),
            cert.first_position() - 1,
            v.last
        ),
        Some(r) if r != citation.root => anyhow::bail!(
            "certificate {} certifies root {} at position {p}, but the fork cites {}",
            path.display(),
            hex::encode(r),
            hex::encode(citation.root)
        ),
        Some(_) => Ok(json!({
            "file": path.display().to_string(),
            "epoch": v.epoch,
            "signers": cert.signers().len(),
            "participants": cert.width(),
        })),
    }
}

/// The named fork, or the only fork this home holds, with its citation.
fn resolve_fork(store: &Store, named: Option<&str>) -> anyhow::Result<(Statement, ParentCitation)> {
    let ids: Vec<CommunityId> = match named {
        Some(_) => vec![resolve_community(store, named)?],
        None => store.communities()?,
    };
    let mut forks = Vec::new();
    for id in ids {
        let genesis = store.get(&id)?.context("the store lost a genesis")?;
        if let Some(c) = citation(&genesis) {
            forks.push((genesis, c));
        } else if named.is_some() {
            anyhow::bail!(
                "community {} is not a fork: its genesis cites no parent",
                id
            );
        }
    }
    match forks.len() {
        1 => Ok(forks.remove(0)),
        0 => anyhow::bail!("this home holds no fork"),
        n => anyhow::bail!("this home holds {n} forks: name one with --community"),
    }
}

/// A genesis's parent citation, if it is a fork's.
pub fn citation(genesis: &Statement) -> Option<ParentCitation> {
    match genesis.payload() {
        Payload::Genesis(g) => g.parent().copied(),
        _ => None,
    }
}

fn parent_record(store: &Store, citation: &ParentCitation) -> anyhow::Result<Record> {
    if store.get(&citation.community)?.is_none() {
        anyhow::bail!(
            "this device does not hold the parent {}: verify with --history FILE from a device that follows it",
            citation.community
        );
    }
    Ok(Record::load(store, &citation.community)?)
}

/// The citation as JSON.
pub fn citation_json(c: &ParentCitation) -> serde_json::Value {
    json!({
        "community": c.community.to_string(),
        "position": c.position,
        "root": hex::encode(c.root),
    })
}

/// What `community show` says of a fork's parent: the citation and
/// whether it holds against this device's record of the parent.
pub fn parent_status(store: &Store, genesis: &Statement) -> Option<serde_json::Value> {
    let c = citation(genesis)?;
    let mut value = citation_json(&c);
    value["verified"] = match parent_record(store, &c) {
        Err(_) => json!("parent not held here"),
        Ok(parent) => match fork::verify_held(genesis, &parent) {
            Ok(_) => json!("against this device's record of the parent"),
            // a device still catching up on the parent's lace
            Err(e @ fork::ForkError::NotFinal { .. }) => json!(format!("not yet: {e}")),
            Err(e) => json!(format!("refused: {e}")),
        },
    };
    Some(value)
}

/// The forks of `parent` this home holds: id, position and root of each.
pub fn forks_of(store: &Store, parent: &CommunityId) -> anyhow::Result<Vec<serde_json::Value>> {
    let mut out = Vec::new();
    for id in store.communities()? {
        let Some(genesis) = store.get(&id)? else {
            continue;
        };
        if let Some(c) = citation(&genesis).filter(|c| c.community == *parent) {
            out.push(json!({ "id": id.to_string(), "position": c.position, "root": hex::encode(c.root) }));
        }
    }
    Ok(out)
}
