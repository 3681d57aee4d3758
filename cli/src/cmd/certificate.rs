//! `grassroots certificate get | verify | show`: compact proofs that a
//! statement is final on a community's record (`docs/federation.md`).

use crate::ctx::Ctx;
use crate::home::{resolve_community, Home};
use anyhow::Context;
use federation::client::{LightClient, Verified};
use federation::{held, Certificate};
use ledger::statement::CommunityId;
use ledger::Store;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Certificates: get one from a community's participants, verify one,
/// list those held.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Ask participants to sign that a statement is final; assemble,
    /// verify and keep the certificate.
    #[cfg(feature = "net")]
    Get(GetArgs),
    /// Verify a certificate file and say what it proves.
    Verify(VerifyArgs),
    /// List the certificates, epoch changes and equivocation evidence held.
    Show(ShowArgs),
}

/// `certificate get`.
#[cfg(feature = "net")]
#[derive(clap::Args)]
pub struct GetArgs {
    /// The statement's id (64 hex digits).
    statement: String,
    /// A participant's address, e.g. /ip4/192.168.1.7/tcp/4001/p2p/… (repeatable).
    #[arg(long = "peer", required = true)]
    peers: Vec<String>,
    /// Write the certificate to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
    /// Give up on each round of asks after this many seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

/// `certificate verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The certificate file.
    file: PathBuf,
    /// Verify against the community founded by the genesis in this
    /// statement file (default: the genesis this home holds).
    #[arg(long, conflicts_with = "community")]
    genesis: Option<PathBuf>,
    /// Verify against this community held in the home (id or unique
    /// prefix; default: the certificate's own community).
    #[arg(long)]
    community: Option<String>,
}

/// `certificate show`.
#[derive(clap::Args)]
pub struct ShowArgs {
    /// Only this community (id or unique prefix).
    #[arg(long)]
    community: Option<String>,
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    match args.command {
        #[cfg(feature = "net")]
        Command::Get(a) => get(a, ctx),
        Command::Verify(a) => verify(a, ctx),
        Command::Show(a) => show(a, ctx),
    }
}

/// What a verified certificate proves, as JSON.
fn proven(cert: &Certificate, v: &Verified, client: &LightClient) -> Value {
    let cp = cert.checkpoint();
    let n = cert.width();
    let supermajority = client.participants(v.epoch).map(|p| p.supermajority());
    let statements: Vec<Value> = cert
        .ids()
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"position": v.first + i as u64, "id": id.to_string()}))
        .collect();
    json!({
        "community": cp.community.to_string(),
        "kind": if cp.next.is_some() { "epoch-change" } else { "statement" },
        "epoch": v.epoch,
        "first": v.first,
        "position": v.last,
        "root": hex::encode(v.root),
        "statements": statements,
        "signers": cert.signers().len(),
        "participants": n,
        "supermajority": supermajority,
        "next_participants": cert.next_participants().map(<[_]>::len),
        "epochs_followed": client.current_epoch(),
        "bytes": cert.encoded_len(),
    })
}

fn proven_text(p: &Value) -> String {
    let mut out = format!(
        "community {}\n{} certificate of epoch {}: final positions {}..={}, root {}\n",
        p["community"].as_str().unwrap_or_default(),
        p["kind"].as_str().unwrap_or_default(),
        p["epoch"],
        p["first"],
        p["position"],
        p["root"].as_str().unwrap_or_default(),
    );
    for s in p["statements"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  position {}: statement {}\n",
            s["position"],
            s["id"].as_str().unwrap_or_default()
        ));
    }
    if let Some(m) = p["next_participants"].as_u64() {
        out.push_str(&format!(
            "  closes epoch {}: the next epoch has {m} participant(s)\n",
            p["epoch"]
        ));
    }
    out.push_str(&format!(
        "signed by {} of {} participants (supermajority {}); participant sets followed from the genesis through {} epoch change(s)",
        p["signers"], p["participants"], p["supermajority"], p["epochs_followed"]
    ));
    out
}

#[cfg(feature = "net")]
fn get(args: GetArgs, ctx: &Ctx) -> anyhow::Result<()> {
    use std::time::Duration;
    let home = Home::new(&ctx.home);
    let mut store = home.store()?;
    let community = resolve_community(&store, args.community.as_deref())?;
    let statement = ledger::StatementId::from_hex(args.statement.trim())
        .with_context(|| format!("`{}` is not a statement id", args.statement))?;
    let addrs = args
        .peers
        .iter()
        .map(|a| {
            a.parse()
                .with_context(|| format!("`{a}` is not a multiaddr"))
        })
        .collect::<anyhow::Result<Vec<ledger::net::Multiaddr>>>()?;
    let fetched = crate::cmd::serve::runtime()?
        .block_on(federation::fetch::fetch(
            &mut store,
            &community,
            &statement,
            &addrs,
            Duration::from_secs(args.timeout),
        ))
        .with_context(|| format!("getting a certificate for statement {}", statement.short()))?;
    let bytes = fetched.certificate.encode();
    if let Some(path) = &args.out {
        std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    let client = held::light_client(&store, &community)?;
    let mut value = proven(&fetched.certificate, &fetched.verified, &client);
    value["file"] = json!(args.out.as_ref().map(|p| p.display().to_string()));
    value["new"] = json!(fetched.new);
    value["followed_now"] = json!(fetched.followed);
    value["answers"] = json!(fetched.answers);
    value["ignored"] = json!(fetched.ignored);
    ctx.emit(&value, || {
        let mut text = format!(
            "Certificate for statement {} assembled and verified\n{}",
            statement,
            proven_text(&value)
        );
        for e in &fetched.followed {
            text.push_str(&format!("\nfollowed the change that closed epoch {e}"));
        }
        for a in &fetched.answers {
            text.push_str(&format!("\n  {a}"));
        }
        if let Some(p) = &args.out {
            text.push_str(&format!(
                "\nwritten to {} ({} bytes)",
                p.display(),
                bytes.len()
            ));
        }
        text
    })
}

/// The genesis statement of a statement file: the statement whose id is
/// the file's community.
fn genesis_from(path: &std::path::Path) -> anyhow::Result<ledger::Statement> {
    let file = ledger::file::read(path)?;
    file.statements
        .into_iter()
        .find(|s| s.id() == file.community)
        .with_context(|| format!("{} holds no genesis statement", path.display()))
}

fn verify(args: VerifyArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let refused = || format!("certificate {} refused", args.file.display());
    let cert = Certificate::decode(&bytes).with_context(refused)?;
    let home = Home::new(&ctx.home);
    let mut store = home.store()?;
    let mut client = match &args.genesis {
        Some(path) => held::light_client_from(&genesis_from(path)?, &store)?,
        None => {
            let community: CommunityId = match &args.community {
                Some(named) => resolve_community(&store, Some(named))?,
                None => cert.checkpoint().community,
            };
            held::light_client(&store, &community)?
        }
    };
    let verified = held::check(&mut store, &mut client, &cert).with_context(refused)?;
    let mut value = proven(&cert, &verified, &client);
    value["file"] = json!(args.file.display().to_string());
    value["valid"] = json!(true);
    ctx.emit(&value, || {
        format!(
            "Valid certificate {}\n{}",
            args.file.display(),
            proven_text(&value)
        )
    })
}

fn show(args: ShowArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let home = Home::new(&ctx.home);
    let store: Store = home.store()?;
    let community = match &args.community {
        Some(named) => Some(resolve_community(&store, Some(named))?),
        None => None,
    };
    let certs: Vec<Value> = store
        .certificates(community.as_ref())?
        .iter()
        .map(|h| {
            let ids: Vec<String> = Certificate::decode(&h.bytes)
                .map(|c| c.ids().iter().map(|i| i.to_string()).collect())
                .unwrap_or_default();
            json!({
                "community": h.community.to_string(),
                "epoch": h.epoch,
                "first": h.first,
                "last": h.last,
                "kind": if h.change { "epoch-change" } else { "statement" },
                "statements": ids,
                "bytes": h.bytes.len(),
            })
        })
        .collect();
    let communities: Vec<CommunityId> = match community {
        Some(c) => vec![c],
        None => store.communities()?,
    };
    let mut chains = Vec::new();
    for c in &communities {
        for (epoch, bytes) in store.followed_changes(c)? {
            let next = Certificate::decode(&bytes)
                .ok()
                .and_then(|c| c.next_participants().map(<[_]>::len));
            chains.push(json!({"community": c.to_string(), "epoch": epoch,
                               "next_participants": next, "bytes": bytes.len()}));
        }
    }
    let evidence: Vec<Value> = store
        .equivocations(community.as_ref())?
        .iter()
        .map(|e| {
            json!({"community": e.community.to_string(), "epoch": e.epoch,
                   "first_bytes": e.first.len(), "second_bytes": e.second.len()})
        })
        .collect();
    let value = json!({"certificates": certs, "epoch_changes": chains, "equivocations": evidence});
    ctx.emit(&value, || {
        let mut text = format!("{} certificate(s) held\n", certs.len());
        for c in &certs {
            text.push_str(&format!(
                "  {} epoch {} positions {}..={} ({}, {} bytes)\n",
                &c["community"].as_str().unwrap_or_default()[..16],
                c["epoch"],
                c["first"],
                c["last"],
                c["kind"].as_str().unwrap_or_default(),
                c["bytes"]
            ));
            for id in c["statements"].as_array().into_iter().flatten() {
                text.push_str(&format!("    {}\n", id.as_str().unwrap_or_default()));
            }
        }
        text.push_str(&format!("{} epoch change(s) followed\n", chains.len()));
        for c in &chains {
            text.push_str(&format!(
                "  {} epoch {} closed; next epoch {} participant(s)\n",
                &c["community"].as_str().unwrap_or_default()[..16],
                c["epoch"],
                c["next_participants"]
            ));
        }
        text.push_str(&format!("{} equivocation(s) recorded", evidence.len()));
        text
    })
}
