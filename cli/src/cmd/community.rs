//! `grassroots community create|show|note`.

use crate::ctx::Ctx;
use crate::home::{now, resolve_community, Home, Prompt};
use anyhow::Context;
use clap::Subcommand;
use community::CommunityState;
use governance::Constitution;
use ledger::dag::{found, say};
use ledger::{Note, Payload};
use serde_json::json;
use std::path::PathBuf;

/// Found a community, show one, or post a note to it.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: CommunityCommand,
}

#[derive(Subcommand)]
enum CommunityCommand {
    /// Found a community: sign its genesis with your key.
    Create(FoundArgs),
    /// Show a community's state.
    Show {
        /// Community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Leave the community: from its position in the record you are no
    /// longer a member (not in later electorates, pools or participant
    /// sets). Final for this key.
    Leave {
        /// The fork you leave for (its id, or a unique prefix of a community
        /// this home holds), so that you count in one branch only.
        #[arg(long)]
        fork: Option<String>,
        /// Community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Sign a short note to the community.
    Note {
        /// The text (at most 4096 bytes).
        text: String,
        /// Community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    match args.command {
        CommunityCommand::Create(found) => create(ctx, found, false),
        CommunityCommand::Show { community } => {
            let store = home.store()?;
            let id = resolve_community(&store, community.as_deref())?;
            let (record, state) = crate::home::community_state(&store, &id)?;
            let epoch = store.current_epoch(&id)?;
            let governed = device::governed::view(&store, &record)?;
            let assemblies = device::assembly::view(&store, &record)?;
            let mut value = summary(&state, &record);
            value["epoch"] = json!(epoch);
            value["governed"] = crate::cmd::govern::summary(&governed);
            value["assemblies"] = assemblies
                .assemblies
                .iter()
                .map(|a| {
                    json!({ "name": a.name, "seats": a.seats, "term": a.term,
                        "next_period": a.next_period, "holders": a.holders, "decides": a.decides })
                })
                .collect();
            let federations = federations_of(&store, &id)?;
            value["federations"] = serde_json::to_value(&federations)?;
            let parent = crate::cmd::fork::parent_status(&store, &record.statements()[0]);
            if let Some(p) = &parent {
                value["parent"] = p.clone();
            }
            let forks = crate::cmd::fork::forks_of(&store, &id)?;
            if !forks.is_empty() {
                value["forks"] = json!(forks);
            }
            ctx.emit(&value, || {
                let mut out = human(&state, &record);
                out.push_str(&format!("  epoch:       {epoch} of this device's lace\n"));
                if let Some(p) = &parent {
                    out.push_str(&format!(
                        "  fork of:     {} at final position {} (root {}; verified {})\n",
                        p["community"].as_str().unwrap_or_default(),
                        p["position"],
                        p["root"].as_str().unwrap_or_default(),
                        p["verified"].as_str().unwrap_or_default()
                    ));
                }
                for f in &forks {
                    out.push_str(&format!(
                        "  forked:      by {} at final position {}\n",
                        f["id"].as_str().unwrap_or_default(),
                        f["position"]
                    ));
                }
                out.push_str(&crate::cmd::govern::human(&governed));
                out.push_str(&assemblies_text(&assemblies));
                out.push_str(&federations.text());
                out
            })
        }
        CommunityCommand::Leave { fork, community } => {
            let store = home.store()?;
            let id = resolve_community(&store, community.as_deref())?;
            let fork = fork
                .map(|f| {
                    resolve_community(&store, Some(&f))
                        .or_else(|_| ledger::StatementId::from_hex(&f))
                        .with_context(|| {
                            format!("--fork {f}: neither a community held here nor a full id")
                        })
                })
                .transpose()?;
            drop(store);
            let mut l = device::Loaded::open(&home, Some(&id.to_string()))?;
            let key = home.unlock()?;
            let s = l.leave(&key, fork)?;
            ctx.emit(
                &json!({ "statement": s.id().to_string(), "fork": fork.map(|f| f.to_string()) }),
                || match fork {
                    Some(f) => format!(
                        "You left {} for fork {} ({}): once final, you are not a member here, and count in the fork only.",
                        id.short(),
                        f.short(),
                        s.id().short()
                    ),
                    None => format!(
                        "You left {} ({}): once final, you are no longer a member.",
                        id.short(),
                        s.id().short()
                    ),
                },
            )
        }
        CommunityCommand::Note { text, community } => {
            let mut store = home.store()?;
            let id = resolve_community(&store, community.as_deref())?;
            let all = store.statements(&id)?;
            let key = home.unlock()?;
            let s = say(&key, &id, &all, Payload::Note(Note::new(text)?), now())?;
            store.insert(&s)?;
            ctx.emit(&json!({ "statement": s.id().to_string() }), || {
                format!("Signed note {}", s.id().short())
            })
        }
    }
}

/// What founding a community (or a federation) takes.
#[derive(clap::Args)]
pub struct FoundArgs {
    /// The name (overrides the constitution's).
    #[arg(long)]
    name: Option<String>,
    /// A constitution JSON file; the documented defaults if omitted.
    #[arg(long)]
    constitution: Option<PathBuf>,
    /// A co-founder: an identity card file or a public key (repeatable).
    #[arg(long = "founder")]
    founders: Vec<String>,
}

/// Found a community (a federation when `federation`): sign its genesis
/// with this home's key and store it.
pub fn create(ctx: &Ctx, found_args: FoundArgs, federation: bool) -> anyhow::Result<()> {
    let FoundArgs {
        name,
        constitution,
        founders,
    } = found_args;
    let home = Home::new(&ctx.home);
    let mut c = match constitution {
        Some(path) => Constitution::from_json(
            &std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?,
        )
        .with_context(|| format!("constitution {}", path.display()))?,
        None => Constitution::default(),
    };
    if let Some(name) = name {
        c.name = name;
    }
    if federation {
        c = device::federation::as_federation(c);
    }
    c.validate()?;
    let co: Vec<_> = founders
        .iter()
        .map(|f| crate::cmd::id::parse_public(f))
        .collect::<anyhow::Result<_>>()?;
    let key = home.unlock()?;
    let genesis = found(&key, c, &co, now())?;
    home.store()?.insert(&genesis)?;
    let record = community::Record::unordered(&genesis.id(), std::slice::from_ref(&genesis))
        .expect("the genesis is there");
    let state = CommunityState::from_record(&record)?;
    let what = if federation {
        "federation"
    } else {
        "community"
    };
    ctx.emit(&summary(&state, &record), || {
        format!(
            "Founded the {what} \"{}\"\nCommunity id: {}\nFounders: {}",
            state.constitution.name,
            state.id,
            fingerprints(&state.founders).join(", ")
        )
    })
}

/// The federations a community belongs to or is joining, as the graph of
/// every record this home holds has it.
#[derive(serde::Serialize)]
struct Federations {
    member_of: Vec<String>,
    pending: Vec<community::federation::Pending>,
    members: Vec<String>,
}

impl Federations {
    fn text(&self) -> String {
        let mut out = String::new();
        if !self.member_of.is_empty() {
            out.push_str(&format!("  federations: {}\n", self.member_of.join(", ")));
        }
        if !self.members.is_empty() {
            out.push_str(&format!(
                "  member communities: {}\n",
                self.members.join(", ")
            ));
        }
        for p in &self.pending {
            out.push_str(&format!(
                "  pending:     {} joining {}, waiting for {}\n",
                &p.member[..16],
                &p.federation[..16],
                p.waiting_for
            ));
        }
        out
    }
}

fn federations_of(store: &ledger::Store, id: &ledger::CommunityId) -> anyhow::Result<Federations> {
    let view = device::federation::view(store)?;
    let me = id.to_string();
    let node = view.node(&me);
    Ok(Federations {
        member_of: node.map(|n| n.member_of.clone()).unwrap_or_default(),
        members: node.map(|n| n.members.clone()).unwrap_or_default(),
        pending: view
            .pending
            .into_iter()
            .filter(|p| p.member == me || p.federation == me)
            .collect(),
    })
}

fn fingerprints(keys: &std::collections::BTreeSet<identity::PublicKey>) -> Vec<String> {
    keys.iter().map(|k| k.fingerprint().to_string()).collect()
}

/// The machine-readable summary of a community.
pub fn summary(state: &CommunityState, record: &community::Record) -> serde_json::Value {
    json!({
        "final_statements": record.final_len(),
        "follows_lace": record.follows_lace(),
        "state_root": hex::encode(record.root()),
        "id": state.id.to_string(),
        "name": state.constitution.name,
        "founded": state.founded,
        "founders": fingerprints(&state.founders),
        "members": fingerprints(&state.members),
        "departed": state.departed.iter().map(|(k, d)| json!({
            "fingerprint": k.fingerprint().to_string(),
            "fork": d.fork.map(|f| f.to_string()),
        })).collect::<Vec<_>>(),
        "participants": community::participation::participants(state, record)
            .iter()
            .map(|k| k.fingerprint().to_string())
            .collect::<Vec<_>>(),
        "statements": state.statements,
        "notes": state.notes,
        "state_digest": hex::encode(state.digest()),
        "constitution": serde_json::from_str::<serde_json::Value>(&state.constitution.to_json()).expect("valid JSON"),
    })
}

fn human(state: &CommunityState, record: &community::Record) -> String {
    let c = &state.constitution;
    let mut out = format!(
        "{}\n  id:          {}\n  founders:    {}\n  members:     {}\n  participants: {} (who runs the record, as the constitution names them)\n  statements:  {} ({} final{})\n  state root:  {}\n  admission:   sureties from at least {} admitted members\n  thresholds:  ordinary > {}, amendment > {}, Sybil bound {}\n  state:       {}\n",
        c.name,
        state.id,
        fingerprints(&state.founders).join(", "),
        state.members.len(),
        community::participation::participants(state, record).len(),
        state.statements,
        record.final_len(),
        if record.follows_lace() { "" } else { "; no lace on this device yet" },
        hex::encode(&record.root()[..8]),
        c.admission.min_sureties,
        c.thresholds.ordinary,
        c.thresholds.amendment,
        c.thresholds.sybil_bound,
        hex::encode(&state.digest()[..8]),
    );
    if !state.departed.is_empty() {
        let left: Vec<String> = state
            .departed
            .iter()
            .map(|(k, d)| match d.fork {
                Some(f) => format!("{} (for fork {})", k.fingerprint(), f.short()),
                None => k.fingerprint().to_string(),
            })
            .collect();
        out.push_str(&format!("  departed:    {}\n", left.join(", ")));
    }
    for n in &state.notes {
        out.push_str(&format!("  note by {}: {}\n", n.author, n.text));
    }
    out
}

/// The assemblies in a line each: who sits, the next period, what they decide.
fn assemblies_text(view: &community::assembly::AssemblyView) -> String {
    if view.assemblies.is_empty() {
        return String::new();
    }
    let mut out = String::from("  assemblies:\n");
    for a in &view.assemblies {
        let seated: Vec<String> = a
            .seated_keys()
            .iter()
            .map(|k| k.fingerprint().to_string())
            .collect();
        let sitting = if seated.is_empty() {
            "nobody sits yet".to_string()
        } else {
            seated.join(", ")
        };
        let decides = if a.decides.is_empty() {
            String::new()
        } else {
            format!("; decides {}", a.decides.join(", "))
        };
        out.push_str(&format!(
            "    {}: {} of {} seats filled ({sitting}); next period {}{decides}\n",
            a.name,
            seated.len(),
            a.seats,
            a.next_period
        ));
    }
    out
}
