//! `grassroots vote register|cast`: register your voting key, cast an
//! anonymous ballot. The ballot statement is signed by a one-time key,
//! never by your identity (see `docs/ballot.md`).

use crate::cmd::decision::{load, resolve, state};
use crate::ctx::Ctx;
use crate::home::{now, Prompt};
use anyhow::Context;
use clap::Subcommand;
use community::vote;
use rand::rngs::OsRng;
use serde_json::json;

/// Register a voting key and cast anonymous ballots.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: VoteCommand,
}

#[derive(Subcommand)]
enum VoteCommand {
    /// Register your voting key (derived from your identity key), so that
    /// decisions opened from now on include you.
    Register {
        /// Community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Cast an anonymous ballot; casting again from this home replaces it.
    Cast {
        /// Decision id or unique prefix.
        decision: String,
        /// One value per option, comma-separated: 0/1 for approval, a score,
        /// an amount for budgets; for ranked ballots each candidate's rank
        /// (1 = first, equal ranks tie, `-` = unranked; may start with `-`).
        /// For a decision on a governed component, the one option you
        /// choose: 0 for the status quo, `i` for the `i`-th proposal.
        #[arg(allow_hyphen_values = true)]
        values: String,
        /// Community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
        /// Hand the ballot to the participant at this address (a multiaddr)
        /// from a fresh network identity, used for this ballot only.
        #[cfg(feature = "net")]
        #[arg(long)]
        submit: Option<String>,
    },
    /// Hand a ballot this home holds (its tracker, as `vote cast` printed
    /// it) to a participant from a fresh network identity: after a
    /// submission failed, or to another participant if one withholds it.
    #[cfg(feature = "net")]
    Submit {
        /// The ballot's statement id (its tracker).
        ballot: String,
        /// The participant's address (a multiaddr).
        #[arg(long)]
        to: String,
        /// Community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    match args.command {
        VoteCommand::Register { community } => {
            let mut l = load(ctx, community.as_deref())?;
            let key = l.home.unlock()?;
            let s = vote::register(&key, &l.community, &l.all, now(), &mut OsRng)?;
            l.store.insert(&s)?;
            let ledger::Payload::VotingKey(r) = s.payload() else {
                unreachable!("register makes a voting-key statement")
            };
            let credential = hex::encode(r.key.to_bytes());
            ctx.emit(
                &json!({ "statement": s.id().to_string(), "voting_key": credential }),
                || {
                    format!(
                        "Registered your voting key {credential}\nDecisions opened after this statement reaches the opener include you."
                    )
                },
            )
        }
        VoteCommand::Cast {
            decision,
            values,
            community,
            #[cfg(feature = "net")]
            submit,
        } => {
            let mut l = load(ctx, community.as_deref())?;
            let st = state(&l, &resolve(&l.all, &decision)?)?;
            // Refuse malformed values before unlocking anything.
            let values = device::ballot_values(&st, &values)?;
            let ring = st.electorate.electorate.len();
            ctx.note(&format!(
                "Your ballot's ring signature hides you among the {ring} members registered when the decision opened."
            ));
            let key = l.home.unlock()?;
            let s = l.cast(&key, &st, &values)?;
            #[cfg(feature = "net")]
            let submitted = match submit {
                Some(peer) => Some(
                    crate::cmd::serve::submit_fresh(&l.community, &peer, &s).with_context(
                        || {
                            format!(
                            "your ballot {} is cast and kept on this device, but it did not reach \
                             the participant; hand it over again with `grassroots vote submit {} \
                             --to ADDRESS` (any participant)",
                            s.id().short(),
                            s.id()
                        )
                        },
                    )?,
                ),
                None => None,
            };
            #[cfg(not(feature = "net"))]
            let submitted: Option<String> = None;
            if let Some(to) = &submitted {
                ctx.note(&format!(
                    "Handed the ballot to {to} from a one-time network identity."
                ));
            }
            let ledger::Payload::Ballot(b) = s.payload() else {
                unreachable!("cast makes a ballot statement")
            };
            let revote = b.ballot.sequence();
            ctx.emit(
                &json!({ "statement": s.id().to_string(), "sequence": revote, "bytes": s.bytes().len(), "ring": ring, "submitted_to": submitted }),
                || {
                    let again = if revote > 0 {
                        format!(" It replaces your {revote} earlier ballot(s).")
                    } else {
                        String::new()
                    };
                    format!(
                        "Cast an anonymous ballot ({}, {} bytes), signed by a one-time key.{again}\nExport your statements to the community for it to count.",
                        s.id().short(),
                        s.bytes().len()
                    )
                },
            )
        }
        #[cfg(feature = "net")]
        VoteCommand::Submit {
            ballot,
            to,
            community,
        } => {
            let l = load(ctx, community.as_deref())?;
            let id = ledger::StatementId::from_hex(ballot.trim())
                .with_context(|| format!("`{ballot}` is not a ballot's id (64 hex digits)"))?;
            let s = l
                .store
                .get(&id)?
                .filter(|s| s.community() == l.community)
                .with_context(|| format!("this home holds no statement {id} of this community"))?;
            if !matches!(s.payload(), ledger::Payload::Ballot(_)) {
                anyhow::bail!(
                    "statement {} is a {}, not a ballot",
                    id.short(),
                    s.kind().name()
                );
            }
            let to = crate::cmd::serve::submit_fresh(&l.community, &to, &s)?;
            ctx.emit(
                &json!({ "statement": id.to_string(), "submitted_to": to }),
                || {
                    format!(
                        "Handed ballot {} to {to} from a one-time network identity.",
                        id.short()
                    )
                },
            )
        }
    }
}
