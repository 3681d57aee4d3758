//! `grassroots decision open|list|show|trustee|close|tally|verify`:
//! anonymous, encrypted decisions (see `docs/ballot.md`). The logic is in
//! `community::decision` (state) and `community::vote` (statements).

use crate::ctx::Ctx;
use crate::home::{now, Home, Prompt};
use anyhow::{bail, Context};
use ballot::BallotKind;
use clap::Subcommand;
use community::ballot_rules::{show, ShownBallot};
use community::decision::{decisions, BallotStatus, DecisionState, Outcome};
use community::vote::{self, Proposal};
use ledger::payload::WholeBallotRule;
use ledger::{Statement, StatementId};
use rand::rngs::OsRng;
use serde_json::{json, Value};

/// Open decisions, run key generation as a trustee, close, tally and verify.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DecisionCommand,
}

#[derive(Subcommand)]
enum DecisionCommand {
    /// Open a decision over the members who have registered voting keys:
    /// a question with options, or (`--component`) a decision on a
    /// governed component among its waiting proposals and the status quo.
    Open {
        /// The question.
        #[arg(long, required_unless_present = "component")]
        question: Option<String>,
        /// approval, score:MAX, budget:TOTAL, ranked or one-of.
        #[arg(long, required_unless_present = "component")]
        kind: Option<String>,
        /// An option (or candidate), in order (repeatable).
        #[arg(long = "option", required_unless_present = "component")]
        options: Vec<String>,
        /// Decide this governed component instead: every proposal for it
        /// that no decision has listed yet, beside the status quo; or, with
        /// --rule and the candidates as --option, elect its officer
        /// (irv) or board (stv:SEATS, pav:SEATS, mes:SEATS).
        #[arg(long, conflicts_with_all = ["question", "kind"])]
        component: Option<String>,
        /// A trustee: a public key or identity card file (repeatable, in
        /// index order). By default the constitution's panel is used; where
        /// it names one, name at least 2t − 1 of its trustees to go ahead
        /// without one who is gone (no --threshold: the panel's is kept).
        #[arg(long = "trustee")]
        trustees: Vec<String>,
        /// Decryption shares needed to tally (with --trustee).
        #[arg(long)]
        threshold: Option<u16>,
        /// A rule on whole ballots, decrypted one by one after the close:
        /// irv or stv:SEATS (ranked ballots); pav:SEATS, mes:SEATS or
        /// mes-budget:BUDGET:COST,COST,… (approval ballots, one cost per option).
        #[arg(long)]
        rule: Option<String>,
        /// With --component (no --rule): keep taking proposals for this
        /// long (e.g. `2days`, `90min`); every member's proposal for the
        /// component made meanwhile becomes an option. Needs --voting-for.
        #[arg(long, requires = "voting_for", conflicts_with = "rule")]
        proposals_for: Option<humantime::Duration>,
        /// With --proposals-for: voting then stays open this long, until a
        /// majority of the trustees close it.
        #[arg(long, requires = "proposals_for")]
        voting_for: Option<humantime::Duration>,
        /// Community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// List the decisions this home holds.
    List {
        /// Community id or unique prefix; the only one if omitted.
        #[arg(long)]
        community: Option<String>,
    },
    /// Show a decision's state.
    Show(Which),
    /// Act as a trustee.
    Trustee {
        #[command(subcommand)]
        command: TrusteeCommand,
    },
    /// End voting (the opener or a trustee).
    Close(Which),
    /// Decrypt the totals from the trustees' shares, show the outcome and
    /// post it as a result statement.
    Tally(Which),
    /// Recompute everything from the public statements and say what was checked.
    Verify(Which),
}

#[derive(Subcommand)]
enum TrusteeCommand {
    /// Take your next key-generation step: join, deal, check the shares
    /// dealt to you, reveal (or open shares of a dealer that did not), or
    /// confirm.
    Keygen(Which),
    /// Post your decryption share of the closed tally.
    Share(Which),
}

/// Which decision.
#[derive(clap::Args)]
struct Which {
    /// Decision id or unique prefix (at least 8 hex digits).
    decision: String,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
}

/// A community's statements as this home holds them.
pub(crate) use device::Loaded;

pub(crate) fn load(ctx: &Ctx, community: Option<&str>) -> anyhow::Result<Loaded> {
    Ok(Loaded::open(&Home::new(&ctx.home), community)?)
}

/// The decision named by a full id or a unique prefix.
pub(crate) fn resolve(all: &[Statement], text: &str) -> anyhow::Result<StatementId> {
    Ok(device::community::resolve_decision(all, text)?)
}

pub(crate) fn state(l: &Loaded, decision: &StatementId) -> anyhow::Result<DecisionState> {
    // Read afresh: the command may have stored a statement since loading.
    Ok(l.decision(decision)?)
}

fn parse_kind(text: &str, options: usize) -> anyhow::Result<BallotKind> {
    let n = u16::try_from(options).context("too many options")?;
    let (name, arg) = text.split_once(':').unwrap_or((text, ""));
    let number = |what: &str| -> anyhow::Result<u64> {
        arg.parse()
            .with_context(|| format!("`--kind {text}`: give the {what} as {name}:NUMBER"))
    };
    Ok(match name {
        "approval" => BallotKind::Approval { options: n },
        "score" => BallotKind::Score {
            options: n,
            max: number("highest score")?,
        },
        "budget" => BallotKind::Budget {
            options: n,
            budget: number("total budget")?,
        },
        "ranked" => BallotKind::Ranked { candidates: n },
        "one-of" => BallotKind::OneOf { options: n },
        _ => bail!(
            "unknown ballot kind `{text}`: use approval, score:MAX, budget:TOTAL, ranked or one-of"
        ),
    })
}

fn parse_rule(text: &str) -> anyhow::Result<WholeBallotRule> {
    let (name, arg) = text.split_once(':').unwrap_or((text, ""));
    let seats = || -> anyhow::Result<u16> {
        arg.parse()
            .with_context(|| format!("`--rule {text}`: give the seats as {name}:SEATS"))
    };
    Ok(match name {
        "irv" | "instant-runoff" => WholeBallotRule::InstantRunoff,
        "stv" => WholeBallotRule::Stv { seats: seats()? },
        "pav" => WholeBallotRule::Pav { seats: seats()? },
        "mes" => WholeBallotRule::MesCommittee { seats: seats()? },
        "mes-budget" => {
            let usage = || format!("`--rule {text}`: use mes-budget:BUDGET:COST,COST,…");
            let (budget, costs) = arg.split_once(':').with_context(usage)?;
            WholeBallotRule::MesBudget {
                budget: budget.parse().with_context(usage)?,
                costs: costs
                    .split(',')
                    .map(|c| c.trim().parse::<u64>())
                    .collect::<Result<_, _>>()
                    .with_context(usage)?,
            }
        }
        _ => bail!("unknown rule `{text}`: use irv, stv:SEATS, pav:SEATS, mes:SEATS or mes-budget:BUDGET:COSTS"),
    })
}

fn rule_text(rule: &WholeBallotRule) -> String {
    match rule {
        WholeBallotRule::InstantRunoff => "instant-runoff (one winner)".into(),
        WholeBallotRule::Stv { seats } => format!("STV (Scottish rules), {seats} seat(s)"),
        WholeBallotRule::Pav { seats } => format!("proportional approval voting, {seats} seat(s)"),
        WholeBallotRule::MesCommittee { seats } => {
            format!("method of equal shares, {seats} seat(s)")
        }
        WholeBallotRule::MesBudget { budget, costs } => format!(
            "method of equal shares, budget {budget}, costs {}",
            costs
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn kind_text(kind: &BallotKind) -> String {
    match kind {
        BallotKind::Approval { .. } => "approval (0 or 1 per option)".into(),
        BallotKind::Score { max, .. } => format!("score (0 to {max} per option)"),
        BallotKind::Budget { budget, .. } => format!("budget (split at most {budget})"),
        BallotKind::Ranked { .. } => "ranked (pairwise, Schulze)".into(),
        BallotKind::OneOf { .. } => "one of (exactly one option)".into(),
    }
}

/// Add a governed decision's status (the component, the outcome and
/// where it was adopted) to `value` and `text`.
fn with_governed(
    l: &Loaded,
    decision: &StatementId,
    value: &mut Value,
    text: &mut String,
) -> anyhow::Result<()> {
    let record = community::Record::load(&l.store, &l.community)?;
    if let Some((part, line)) = crate::cmd::govern::decision_part(&l.store, &record, decision)? {
        value["governed"] = part;
        text.push('\n');
        text.push_str(&line);
    }
    Ok(())
}

fn trustee_threshold(
    threshold: Option<u16>,
    trustees: &[identity::PublicKey],
) -> anyhow::Result<u16> {
    Ok(match (threshold, trustees.is_empty()) {
        (Some(t), false) => t,
        (None, true) => 0,
        // The constitution's panel's threshold, for a part of its panel
        // (the library refuses where the constitution names no panel).
        (None, false) => 0,
        (Some(_), true) => bail!("--threshold goes with --trustee"),
    })
}

/// `decision open --component C --rule R --option …`: an election.
fn open_election(
    ctx: &Ctx,
    l: &mut Loaded,
    election: vote::Election,
    trustees: (Vec<identity::PublicKey>, u16),
) -> anyhow::Result<()> {
    let component = election.component.clone();
    let key = l.home.unlock()?;
    let record = community::Record::load(&l.store, &l.community)?;
    let s = device::federation::with_population(&l.store, &record, |pool| {
        let all = record.statements();
        vote::open_election(&key, &l.community, all, election, trustees, now(), pool)
    })??;
    save(l, &s)?;
    let st = state(l, &s.id())?;
    let record = community::Record::load(&l.store, &l.community)?;
    let part = crate::cmd::govern::decision_part(&l.store, &record, &s.id())?;
    let mut value = summary(&st);
    let mut text = format!(
        "Opened election {} for `{component}`\n{}\nMembers rank (or approve) the candidates with `grassroots vote cast {} …`; the winner replaces the current holder only if more than the component's threshold of all members are closer to it.",
        st.id,
        human_head(&st),
        st.id.short()
    );
    if let Some((json, line)) = part {
        value["governed"] = json;
        text.push('\n');
        text.push_str(&line);
    }
    ctx.emit(&value, || text)
}

/// The timeline `--proposals-for P --voting-for V` gives an opening
/// made at `now`: proposals until `now + P`, voting until `now + P + V`.
fn timeline(
    proposals: Option<humantime::Duration>,
    voting: Option<humantime::Duration>,
    now: u64,
) -> anyhow::Result<Option<ledger::payload::Timeline>> {
    let (Some(p), Some(v)) = (proposals, voting) else {
        return Ok(None);
    };
    let (p, v) = (p.as_secs(), v.as_secs());
    if p == 0 || v == 0 {
        bail!("--proposals-for and --voting-for must each be at least one second");
    }
    let proposals_until = now.checked_add(p).context("--proposals-for is too long")?;
    let voting_until = proposals_until
        .checked_add(v)
        .context("--voting-for is too long")?;
    Ok(Some(ledger::payload::Timeline {
        proposals_until,
        voting_until,
    }))
}

/// `decision open --component`: the waiting proposals against the status
/// quo, and with a timeline those put forward in its proposal window.
fn open_governed(
    ctx: &Ctx,
    l: &mut Loaded,
    component: &str,
    trustees: (Vec<identity::PublicKey>, u16),
    timeline: Option<ledger::payload::Timeline>,
) -> anyhow::Result<()> {
    let proposals = vote::open_proposals(&l.all, component);
    let key = l.home.unlock()?;
    let record = community::Record::load(&l.store, &l.community)?;
    let s = device::federation::with_population(&l.store, &record, |pool| {
        let (all, at) = (record.statements(), (timeline, now()));
        vote::open_governed_timed(
            &key,
            &l.community,
            all,
            component,
            proposals,
            trustees,
            at,
            pool,
        )
    })??;
    save(l, &s)?;
    let st = state(l, &s.id())?;
    let view = l.governed()?;
    let d = view
        .decisions
        .iter()
        .find(|d| d.id == s.id().to_string())
        .context("the decision just opened is not in the governed view")?;
    let mut options = vec![format!(
        "  0  keep the status quo: {}",
        d.status_quo
            .as_ref()
            .zip(view.state.component(component))
            .map(|(v, c)| v.describe(c.kind()))
            .unwrap_or_default()
    )];
    if let Some(c) = view.state.component(component) {
        for (i, p) in d.proposals.iter().enumerate() {
            options.push(format!(
                "  {}  {} (proposed by {})",
                i + 1,
                p.value.describe(c.kind()),
                p.author
            ));
        }
    }
    let when = device::governed::timeline_text(d).map_or_else(String::new, |t| {
        format!("\nTimeline: {t}; members' proposals for `{component}` made meanwhile join the options, and trustees confirm the key after the window.")
    });
    ctx.emit(&json!({ "decision": summary(&st), "governed": d }), || {
        format!(
            "Opened decision {} on `{component}`\nOptions (vote with `grassroots vote cast {} N`):\n{}{when}\nElectorate: {} members, of whom {} registered voting keys; members who do not vote count for the status quo.\nNext: each trustee runs `grassroots decision trustee keygen {}` four times.",
            st.id,
            st.id.short(),
            options.join("\n"),
            d.electorate,
            st.electorate.electorate.len(),
            st.id.short()
        )
    })
}

fn save(l: &mut Loaded, s: &Statement) -> anyhow::Result<()> {
    Ok(l.save(s)?)
}

fn save_all(l: &mut Loaded, list: Vec<Statement>) -> anyhow::Result<Vec<String>> {
    list.iter()
        .map(|s| save(l, s).map(|()| s.id().to_string()))
        .collect()
}

/// `decision trustee share`: for a whole-ballot decision, this trustee's
/// shuffle first when it is its turn; then, each once, its decryption
/// share of the tally and, once every shuffler has shuffled, its shares of
/// the final shuffled list.
fn trustee_share(ctx: &Ctx, w: &Which) -> anyhow::Result<()> {
    let mut l = load(ctx, w.community.as_deref())?;
    let mut st = state(&l, &resolve(&l.all, &w.decision)?)?;
    let key = l.home.unlock()?;
    let me = st.trustee_index(&key.public());
    let individual = |st: &DecisionState| {
        st.individual
            .as_ref()
            .filter(|i| !i.counted.is_empty())
            .map(|i| (i.shuffles.missing(), i.shuffles.settled))
    };
    let may_shuffle = |st: &DecisionState| {
        let ind = st.individual.as_ref().filter(|i| !i.counted.is_empty());
        me.zip(ind)
            .is_some_and(|(j, i)| i.shuffles.may_shuffle(j) && i.shuffles.settled)
    };
    let mut shuffled = Vec::new();
    if may_shuffle(&st) {
        let parts = vote::shuffle(&key, &l.community, &l.all, &st, now(), &mut OsRng)?;
        shuffled = save_all(&mut l, parts)?;
        st = state(&l, &st.id)?;
    }
    let secret = community::vault::get(&l.store, &key, &st.id)?;
    let shared = |st: &DecisionState| {
        st.tally
            .as_ref()
            .is_some_and(|t| t.shares.iter().any(|r| Some(r.trustee) == me))
    };
    let mut tally_share = None;
    if !shared(&st) {
        let s = vote::share(&key, &secret, &l.community, &l.all, &st, now(), &mut OsRng)?;
        save(&mut l, &s)?;
        tally_share = Some(s.id().to_string());
    }
    let waiting = individual(&st)
        .map(|(missing, _)| missing)
        .filter(|&m| m > 0);
    let mut each = Vec::new();
    let ind = st.individual.as_ref().filter(|i| i.mixed.is_some());
    let unshared = ind.filter(|i| !i.shares.iter().any(|r| Some(r.trustee) == me));
    let unsettled = unshared.is_some_and(|i| !i.shuffles.settled);
    if unshared.is_some() && !unsettled {
        let shares =
            vote::ballot_shares(&key, &secret, &l.community, &l.all, &st, now(), &mut OsRng)?;
        each = save_all(&mut l, shares)?;
    }
    if shuffled.is_empty() && tally_share.is_none() && each.is_empty() {
        match waiting {
            Some(n) => bail!("waiting for {n} more trustee(s) to shuffle the counted ballots: run this again once their shuffles have arrived and are final ({} distinct trustees shuffle, one after another, before any ballot is decrypted)", st.opening.threshold),
            None if unsettled => bail!("the last shuffle is not final yet; share once it is final on this device (keep `grassroots serve` running)"),
            None => bail!("you have posted your shares of this decision already"),
        }
    }
    let value = json!({
        "statement": tally_share,
        "shuffle_statements": shuffled,
        "ballot_share_statements": each,
        "waiting_for_shuffle": waiting,
    });
    ctx.emit(&value, || {
        share_text(&st, &shuffled, tally_share.as_deref(), &each, waiting)
    })
}

fn share_text(
    st: &DecisionState,
    shuffled: &[String],
    tally_share: Option<&str>,
    each: &[String],
    waiting: Option<u16>,
) -> String {
    let mut t = Vec::new();
    if !shuffled.is_empty() {
        t.push(format!("Posted your shuffle of the counted ballots ({} statement(s)), with its proof: re-encrypted and permuted, no ballot dropped or changed.", shuffled.len()));
    }
    if let Some(s) = tally_share {
        t.push(format!(
            "Posted your decryption share ({}) with its proof of correct decryption.",
            &s[..16]
        ));
    }
    if !each.is_empty() {
        t.push(format!("Posted your shares of each ballot of the shuffled list ({} statement(s)), with proofs, for the decision's {} rule.", each.len(), st.rule.as_ref().map_or("", |r| r.name())));
    }
    if let Some(n) = waiting {
        t.push(format!("Waiting for {n} more trustee(s) to shuffle; run `grassroots decision trustee share {}` again once they have, to post your shares of the ballots.", st.id.short()));
    } else if each.is_empty()
        && st
            .individual
            .as_ref()
            .is_some_and(|i| i.mixed.is_some() && !i.shuffles.settled)
    {
        t.push(format!("The last shuffle is not final yet; run `grassroots decision trustee share {}` again once it is, to post your shares of the ballots.", st.id.short()));
    }
    t.join("\n")
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    match args.command {
        DecisionCommand::Open {
            question,
            kind,
            options,
            trustees,
            threshold,
            rule,
            component,
            proposals_for,
            voting_for,
            community,
        } => {
            let mut l = load(ctx, community.as_deref())?;
            let trustees: Vec<identity::PublicKey> = trustees
                .iter()
                .map(|t| crate::cmd::id::parse_public(t))
                .collect::<anyhow::Result<_>>()?;
            if let Some(component) = component {
                let threshold = trustee_threshold(threshold, &trustees)?;
                return match rule {
                    Some(rule) => {
                        let election = vote::Election {
                            component,
                            candidates: options,
                            rule: parse_rule(&rule)?,
                        };
                        open_election(ctx, &mut l, election, (trustees, threshold))
                    }
                    None if !options.is_empty() => bail!(
                        "--option names candidates only in an election (with --rule); a decision on `{component}` takes its options from the proposals"
                    ),
                    None => {
                        let timeline = timeline(proposals_for, voting_for, now())?;
                        open_governed(ctx, &mut l, &component, (trustees, threshold), timeline)
                    }
                };
            }
            if proposals_for.is_some() {
                bail!("--proposals-for and --voting-for give a timeline to a decision on a --component");
            }
            let (Some(question), Some(kind)) = (question, kind) else {
                bail!("give --question, --kind and --option, or --component");
            };
            let kind = parse_kind(&kind, options.len())?;
            let rule = rule.as_deref().map(parse_rule).transpose()?;
            if let Some(WholeBallotRule::Pav { seats }) = &rule {
                let committees = (0..u128::from(*seats)).fold(1u128, |c, j| {
                    c.saturating_mul(options.len() as u128 - j.min(options.len() as u128)) / (j + 1)
                });
                if committees > 10_000_000 || options.len() > 64 {
                    bail!(
                        "PAV with {} options and {seats} seats has {committees} possible \
                         committees, too many to find the optimum exactly (at most 10,000,000 \
                         and 64 options): use fewer options or seats, or `--rule mes:{seats}`",
                        options.len()
                    );
                }
            }
            let threshold = trustee_threshold(threshold, &trustees)?;
            let key = l.home.unlock()?;
            let proposal = Proposal {
                question,
                kind,
                options,
                trustees,
                threshold,
            };
            let s = vote::open_with_rule(&key, &l.community, &l.all, proposal, rule, now())?;
            save(&mut l, &s)?;
            let st = state(&l, &s.id())?;
            ctx.emit(&summary(&st), || {
                format!(
                    "Opened decision {}\n{}\nElectorate: {} voting keys (commitment {})\nNext: each trustee runs `grassroots decision trustee keygen {}` until it says it is done (join, deal, check, reveal, confirm), exchanging statements in between.",
                    st.id,
                    human_head(&st),
                    st.electorate.electorate.len(),
                    hex::encode(st.electorate.electorate.commitment()),
                    st.id.short()
                )
            })
        }
        DecisionCommand::List { community } => {
            let l = load(ctx, community.as_deref())?;
            let list = decisions(&l.all)?;
            let rows: Vec<Value> = list
                .iter()
                .map(|(id, q)| json!({ "id": id.to_string(), "question": q }))
                .collect();
            ctx.emit(&rows, || {
                if list.is_empty() {
                    return "No decisions.".into();
                }
                list.iter()
                    .map(|(id, q)| format!("{}  {q}", id.short()))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        DecisionCommand::Show(w) => {
            let l = load(ctx, w.community.as_deref())?;
            let st = state(&l, &resolve(&l.all, &w.decision)?)?;
            let (mut value, mut text) = (summary(&st), human(&st));
            with_governed(&l, &st.id, &mut value, &mut text)?;
            ctx.emit(&value, || text)
        }
        DecisionCommand::Trustee { command } => match command {
            TrusteeCommand::Keygen(w) => {
                let mut l = load(ctx, w.community.as_deref())?;
                let id = resolve(&l.all, &w.decision)?;
                let key = l.home.unlock()?;
                match l.trustee_keygen(&key, &id)? {
                    None => ctx.emit(&json!({ "step": null, "done": true }), || {
                        "Key generation needs nothing more from you: the key is confirmed (by you, or by enough other trustees)."
                            .into()
                    }),
                    Some(s) => {
                        let after = state(&l, &id)?;
                        let step = s.kind().name();
                        ctx.emit(
                            &json!({ "step": step, "statement": s.id().to_string(), "key_ready": after.key.is_some() }),
                            || {
                                let mut t = format!("Posted your {step} ({}). Export your statements to the other trustees.", s.id().short());
                                if let Some(k) = &after.key {
                                    t += &format!("\nThe decision key is ready: {}", hex::encode(k.key().to_bytes()));
                                }
                                t
                            },
                        )
                    }
                }
            }
            TrusteeCommand::Share(w) => trustee_share(ctx, &w),
        },
        DecisionCommand::Close(w) => {
            let mut l = load(ctx, w.community.as_deref())?;
            let st = state(&l, &resolve(&l.all, &w.decision)?)?;
            let key = l.home.unlock()?;
            let s = vote::close(&key, &l.community, &l.all, &st, now())?;
            save(&mut l, &s)?;
            let st = state(&l, &st.id)?;
            let (counted, ..) = st.ballot_counts();
            ctx.emit(&summary(&st), || match st.close {
                None => format!(
                    "Your close of decision {} is recorded: {} of {} trustees have closed; it closes when {} have.",
                    st.id.short(),
                    st.closed_by.len(),
                    st.trustees.len(),
                    st.trustees.len() / 2 + 1
                ),
                Some(_) => format!(
                    "Closed decision {} with {counted} counted ballot(s). Trustees now post shares: `grassroots decision trustee share {}`.",
                    st.id.short(),
                    st.id.short()
                ),
            })
        }
        DecisionCommand::Tally(w) => {
            let mut l = load(ctx, w.community.as_deref())?;
            let st = state(&l, &resolve(&l.all, &w.decision)?)?;
            let Some(tally) = &st.tally else {
                bail!("decision {} is not closed yet", st.id.short());
            };
            // Post the result once, if this home has a key to sign with.
            let can_sign = l.home.keystore_path().exists();
            if can_sign && tally.totals.is_some() && !st.results.iter().any(|r| r.matches) {
                let key = l.home.unlock()?;
                let s = vote::result(&key, &l.community, &l.all, &st, now())?;
                save(&mut l, &s)?;
                ctx.note(&format!("Posted the result ({}).", s.id().short()));
            }
            let st = state(&l, &st.id)?;
            // Once the outcome is decrypted, this home's trustee secret for
            // the decision is no longer needed: erase it.
            let done = st.tally.as_ref().is_some_and(|t| t.totals.is_some())
                && (st.rule.is_none()
                    || st.individual.as_ref().is_some_and(|i| i.ballots.is_some()));
            if done && community::vault::erase(&mut l.store, &st.id)? {
                ctx.note("Erased this home's trustee secret for the decision (the tally is done).");
            }
            ctx.emit(&summary(&st), || human(&st))
        }
        DecisionCommand::Verify(w) => {
            let l = load(ctx, w.community.as_deref())?;
            let id = resolve(&l.all, &w.decision)?;
            let st = state(&l, &id)?;
            let (mut report, mut text) = {
                let r = verification(&st, l.all.len());
                let t = verification_text(&st, &r);
                (r, t)
            };
            with_governed(&l, &id, &mut report, &mut text)?;
            let bad_result = st.results.iter().any(|r| !r.matches);
            ctx.emit(&report, || text)?;
            if bad_result {
                bail!("a posted result does not match the totals recomputed from the record");
            }
            Ok(())
        }
    }
}

fn option_name(st: &DecisionState, i: usize) -> String {
    st.opening
        .options
        .get(i)
        .cloned()
        .unwrap_or_else(|| format!("option {i}"))
}

fn outcome_json(st: &DecisionState, o: &Outcome) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    let winners = match o {
        Outcome::Highest { winners, .. } | Outcome::Ranked { winners, .. } => winners.clone(),
        Outcome::Budget { .. } => Vec::new(),
    };
    v["winner_names"] = json!(winners
        .iter()
        .map(|&i| option_name(st, i))
        .collect::<Vec<_>>());
    v
}

fn outcome_text(st: &DecisionState, o: &Outcome) -> String {
    let names = |w: &[usize]| {
        w.iter()
            .map(|&i| option_name(st, i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match o {
        Outcome::Highest { totals, winners } => {
            let rows: Vec<String> = totals
                .iter()
                .enumerate()
                .map(|(i, t)| format!("  {:>6}  {}", t, option_name(st, i)))
                .collect();
            format!("{}\nWinner(s): {}", rows.join("\n"), names(winners))
        }
        Outcome::Budget { totals } => totals
            .iter()
            .enumerate()
            .map(|(i, t)| format!("  {:>10}  {}", t, option_name(st, i)))
            .collect::<Vec<_>>()
            .join("\n"),
        Outcome::Ranked {
            support,
            condorcet,
            winners,
        } => {
            let mut t = String::from("Pairwise support (row preferred to column):\n");
            for (a, row) in support.iter().enumerate() {
                t += &format!(
                    "  {:<20} {}\n",
                    option_name(st, a),
                    row.iter().map(|x| format!("{x:>5}")).collect::<String>()
                );
            }
            if let Some(c) = condorcet {
                t += &format!("Condorcet winner: {}\n", option_name(st, *c));
            }
            t + &format!("Schulze winner(s): {}", names(winners))
        }
    }
}

fn human_head(st: &DecisionState) -> String {
    let rule = st
        .rule
        .as_ref()
        .map(|r| format!("\nRule: {} on individually decrypted ballots", rule_text(r)))
        .unwrap_or_default();
    format!(
        "Question: {}\nBallot: {}\nOptions: {}\nTrustees: {}-of-{} ({})",
        st.opening.question,
        kind_text(&st.opening.kind),
        st.opening.options.join(" | "),
        st.opening.threshold,
        st.trustees.len(),
        st.trustees
            .iter()
            .map(|t| format!("{}={}", t.index, t.key.fingerprint()))
            .collect::<Vec<_>>()
            .join(", ")
    ) + &rule
}

fn shown_text(st: &DecisionState, b: &ShownBallot) -> String {
    match b {
        ShownBallot::Approval { approved } if approved.is_empty() => "(approves none)".into(),
        ShownBallot::Approval { approved } => approved
            .iter()
            .map(|&i| option_name(st, i))
            .collect::<Vec<_>>()
            .join(", "),
        ShownBallot::Ranked { tiers } => tiers
            .iter()
            .map(|t| {
                t.iter()
                    .map(|&i| option_name(st, i as usize))
                    .collect::<Vec<_>>()
                    .join(" = ")
            })
            .collect::<Vec<_>>()
            .join(" > "),
        ShownBallot::Spoiled { .. } => "SPOILED (its pairwise preferences are cyclic)".into(),
    }
}

fn individual_json(st: &DecisionState) -> Value {
    let Some(ind) = &st.individual else {
        return Value::Null;
    };
    let bad: Vec<Value> = ind
        .shares
        .iter()
        .filter_map(|s| {
            s.problem.as_ref().map(|p| {
                json!({ "trustee": s.trustee, "chunk": s.chunk, "statement": s.statement.to_string(), "problem": p })
            })
        })
        .collect();
    json!({
        "rule": st.rule,
        "counted_ballots": ind.counted.len(),
        "shuffles": shuffles_json(ind),
        "chunks": ind.counted.chunks(),
        "shares_checked": ind.shares.len(),
        "shares_valid": ind.shares.len() - bad.len(),
        "wrong_shares": bad,
        "trustees_used": ind.used,
        "pending": ind.pending,
        "ballots_sorted": ind.ballots.as_ref().map(|b| show(&st.opening.kind, b)),
        "outcome": ind.outcome.as_ref().map(|o| {
            let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
            v["winner_names"] = json!(o.winners.iter().map(|&i| option_name(st, i)).collect::<Vec<_>>());
            v
        }),
    })
}

fn shuffles_json(ind: &community::decision::Individual) -> Value {
    let sh = &ind.shuffles;
    json!({
        "needed": sh.needed,
        "shufflers": "any t distinct trustees, one after another",
        "applied": sh.applied.iter().map(|r| json!({
            "shuffler": r.shuffler,
            "by": r.by.to_string(),
            "statements": r.statements.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "input": hex::encode(r.input),
            "output": hex::encode(r.output),
            "proof": "verified",
        })).collect::<Vec<_>>(),
        "missing": sh.missing(),
        "complete": sh.complete(),
        "settled": sh.settled,
        "decrypted_list": ind.mixed.as_ref().map(|m| hex::encode(m.digest())),
    })
}

fn shuffles_text(ind: &community::decision::Individual) -> String {
    let sh = &ind.shuffles;
    let mut t = format!(
        "  shuffles: {} of {} (any {} distinct trustees, one after another, each proof checked against the list before it)\n",
        sh.applied.len(),
        sh.needed,
        sh.needed
    );
    for r in &sh.applied {
        t += &format!(
            "    trustee {} ({}): {} statement(s), re-encrypted and permuted {}… → {}…, proof verified\n",
            r.shuffler,
            r.by.fingerprint(),
            r.statements.len(),
            hex::encode(&r.input[..6]),
            hex::encode(&r.output[..6])
        );
    }
    let missing = sh.missing();
    if missing > 0 && !ind.counted.is_empty() {
        t += &format!("    waiting for {missing} more trustee(s) to shuffle\n");
    }
    t
}

fn individual_text(st: &DecisionState) -> String {
    let Some(ind) = &st.individual else {
        return String::new();
    };
    let mut t = shuffles_text(ind);
    t += &format!(
        "  ballots one by one: {} counted ballot(s) in {} chunk(s), decrypted after the shuffles; {} ballot share statement(s) checked (Chaum–Pedersen), {} valid\n",
        ind.counted.len(),
        ind.counted.chunks(),
        ind.shares.len(),
        ind.shares.iter().filter(|s| s.problem.is_none()).count()
    );
    for s in ind.shares.iter().filter(|s| s.problem.is_some()) {
        t += &format!(
            "    WRONG ballot share of trustee {} (chunk {}): {}\n",
            s.trustee,
            s.chunk,
            s.problem.clone().unwrap_or_default()
        );
    }
    if let Some(b) = &ind.ballots {
        t += &format!(
            "    decrypted with trustees {:?}; ballots sorted (and shuffled before decryption), tied to no ballot statement:\n",
            ind.used
        );
        for s in show(&st.opening.kind, b) {
            t += &format!("      {}\n", shown_text(st, &s));
        }
    }
    if let Some(o) = &ind.outcome {
        t += &format!(
            "    {}: {} ballot(s) used, {} spoiled, {} exhausted\n    winner(s): {}\n",
            o.rule,
            o.used,
            o.spoiled,
            o.exhausted,
            o.winners
                .iter()
                .map(|&i| option_name(st, i))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if let Some(c) = o.cost {
            t += &format!("    funded cost: {c}\n");
        }
    }
    if let Some(p) = &ind.pending {
        t += &format!("    not decided yet: {p}\n");
    }
    t
}

/// What key generation has fixed: the qualified dealers, who is not one
/// and why, whose commitments were recovered, and the quorum.
fn keygen_json(st: &DecisionState) -> Value {
    let kg = &st.keygen;
    json!({
        "quorum": st.quorum(),
        "cutoff": kg.cutoff.map(|c| c.to_string()),
        "qualified": kg.qualified,
        "excluded": kg.excluded.iter().map(|(d, why)| json!({ "trustee": d, "why": why })).collect::<Vec<_>>(),
        "recovered": kg.recovered,
    })
}

fn ballots_json(st: &DecisionState) -> Value {
    json!(st
        .ballots
        .iter()
        .map(|b| {
            let mut v = serde_json::to_value(&b.status).unwrap_or(Value::Null);
            v["statement"] = json!(b.statement.to_string());
            v
        })
        .collect::<Vec<_>>())
}

fn summary(st: &DecisionState) -> Value {
    let (counted, replaced, rejected, late) = st.ballot_counts();
    let tally = st.tally.as_ref().map(|t| {
        json!({
            "close": t.close.to_string(),
            "counted": t.encrypted.counted(),
            "shares": t.shares.iter().map(|s| json!({
                "trustee": s.trustee,
                "statement": s.statement.to_string(),
                "valid": s.problem.is_none(),
                "problem": s.problem,
            })).collect::<Vec<_>>(),
            "totals": t.totals,
            "trustees_used": t.used,
            "pending": t.pending,
            "outcome": t.outcome.as_ref().map(|o| outcome_json(st, o)),
        })
    });
    json!({
        "id": st.id.to_string(),
        "question": st.opening.question,
        "options": st.opening.options,
        "kind": kind_text(&st.opening.kind),
        "threshold": st.opening.threshold,
        "trustees": st.trustees.iter().map(|t| json!({
            "index": t.index,
            "key": t.key.to_string(),
            "joined": t.join.is_some(),
            "dealt": t.deal.is_some(),
            "checked": t.check.is_some(),
            "revealed": t.reveal.is_some(),
            "confirmed": t.confirm.is_some(),
        })).collect::<Vec<_>>(),
        "key_generation": keygen_json(st),
        "electorate": {
            "size": st.electorate.electorate.len(),
            "commitment": hex::encode(st.electorate.electorate.commitment()),
            "members_without_voting_key": st.electorate.unregistered.len(),
            "population": population_json(st),
        },
        "key": st.key.as_ref().map(|k| hex::encode(k.key().to_bytes())),
        "key_pending": st.key_pending,
        "closed": st.close.map(|c| c.to_string()),
        "timeline": st.timeline.map(|t| json!({
            "proposals_until": t.proposals_until,
            "voting_until": t.voting_until,
            "closed_by": st.closed_by,
            "window_proposals": st.window.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        })),
        "ballots": { "counted": counted, "replaced": replaced, "rejected": rejected, "late": late },
        "ballot_statements": ballots_json(st),
        "tally": tally,
        "rule": st.rule,
        "individual": individual_json(st),
        "results": st.results.iter().map(|r| json!({ "statement": r.statement.to_string(), "matches": r.matches })).collect::<Vec<_>>(),
        "ignored": st.ignored.iter().map(|(id, why)| json!({ "statement": id.to_string(), "why": why })).collect::<Vec<_>>(),
    })
}

/// For a federation's decision voted by its population: the pins that fix
/// it and how many people it counts; `null` when the record's own members
/// vote.
fn population_json(st: &DecisionState) -> serde_json::Value {
    let Some(pins) = &st.electorate.population else {
        return serde_json::Value::Null;
    };
    json!({
        "people": st.electorate.members.len() + st.electorate.unregistered.len(),
        "pins": pins.iter().map(|(member, position, root)| json!({
            "member": member.to_string(),
            "position": position,
            "root": hex::encode(root),
        })).collect::<Vec<_>>(),
    })
}

/// The line saying who votes, for a federation's decision voted by its
/// population; empty otherwise.
fn population_line(st: &DecisionState) -> String {
    let Some(pins) = &st.electorate.population else {
        return String::new();
    };
    let at: Vec<String> = pins
        .iter()
        .map(|(member, position, _)| format!("{} at {position}", member.short()))
        .collect();
    format!(
        "Voted by the federation's people: {} people of its pinned members ({}), {} without a voting key on its record\n",
        st.electorate.members.len() + st.electorate.unregistered.len(),
        at.join(", "),
        st.electorate.unregistered.len()
    )
}

fn human(st: &DecisionState) -> String {
    let (counted, replaced, rejected, late) = st.ballot_counts();
    let mut t = format!("Decision {}\n{}\n", st.id, human_head(st));
    t += &format!(
        "Electorate: {} voting keys (commitment {})\n",
        st.electorate.electorate.len(),
        hex::encode(st.electorate.electorate.commitment())
    );
    t += &population_line(st);
    if let Some(tl) = st.timeline {
        t += &format!(
            "Timeline: proposals until {}, voting until {}; {} proposal(s) joined in the window; {} of {} trustees closed (a majority closes)\n",
            device::governed::utc(tl.proposals_until),
            device::governed::utc(tl.voting_until),
            st.window.len(),
            st.closed_by.len(),
            st.trustees.len()
        );
    }
    match (&st.key, &st.key_pending) {
        (Some(k), _) => t += &format!("Decision key: {}\n", hex::encode(k.key().to_bytes())),
        (None, Some(p)) => t += &format!("Decision key: not yet ({p})\n"),
        (None, None) => {}
    }
    for (d, why) in &st.keygen.excluded {
        t += &format!("  trustee {d} is not a dealer of this key: {why}\n");
    }
    if !st.keygen.recovered.is_empty() {
        t += &format!(
            "  recovered from shares opened in public (their dealers did not reveal): trustee(s) {:?}\n",
            st.keygen.recovered
        );
    }
    t += &format!(
        "Ballots: {counted} counted, {replaced} replaced by a revote, {rejected} rejected, {late} after the close\n"
    );
    for b in &st.ballots {
        if let BallotStatus::Rejected { reason } = &b.status {
            t += &format!("  rejected {}: {reason}\n", b.statement.short());
        }
    }
    match &st.tally {
        None => t += "Status: open\n",
        Some(tally) => {
            t += &format!("Status: closed by {}\n", tally.close.short());
            for s in &tally.shares {
                match &s.problem {
                    None => t += &format!("  trustee {}: decryption share valid\n", s.trustee),
                    Some(p) => {
                        t += &format!("  trustee {}: WRONG decryption share: {p}\n", s.trustee)
                    }
                }
            }
            match (&tally.outcome, &tally.pending) {
                (Some(o), _) => {
                    t += &format!(
                        "Decrypted with the shares of trustees {:?}:\n{}\n",
                        tally.used,
                        outcome_text(st, o)
                    )
                }
                (None, Some(p)) => t += &format!("Not decrypted yet: {p}\n"),
                (None, None) => {}
            }
        }
    }
    t += &individual_text(st);
    for (id, why) in &st.ignored {
        t += &format!("Ignored {}: {why}\n", id.short());
    }
    t
}

fn verification(st: &DecisionState, statements: usize) -> Value {
    let (counted, replaced, rejected, late) = st.ballot_counts();
    let verified = counted + replaced + rejected;
    let replays = st
        .ballots
        .iter()
        .filter(|b| matches!(&b.status, BallotStatus::Rejected { reason } if reason.starts_with("replay")))
        .count();
    let tally = st.tally.as_ref();
    let shares = tally.map_or(0, |t| t.shares.len());
    let bad_shares: Vec<Value> = tally
        .map(|t| {
            t.shares
                .iter()
                .filter_map(|s| {
                    s.problem
                        .as_ref()
                        .map(|p| json!({ "trustee": s.trustee, "statement": s.statement.to_string(), "problem": p }))
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "decision": st.id.to_string(),
        "statements_verified": statements,
        "electorate": {
            "recomputed_from": "members and voting keys in the opening's causal past",
            "size": st.electorate.electorate.len(),
            "commitment": hex::encode(st.electorate.electorate.commitment()),
            // The state is computed only when they match (else an error).
            "matches_opening": true,
            "population": population_json(st),
        },
        "decision_key": {
            "recomputed_from_reveals": st.trustees.iter().filter(|t| t.reveal.is_some()).count(),
            "recovered_from_opened_shares": st.keygen.recovered,
            "qualified_dealers": st.keygen.qualified,
            "confirmed_by": st.trustees.iter().filter(|t| t.confirm.is_some()).count(),
            "quorum": st.quorum(),
            "key": st.key.as_ref().map(|k| hex::encode(k.key().to_bytes())),
            "pending": st.key_pending,
        },
        "ballots": {
            "statements": st.ballots.len(),
            "after_close": late,
            "verified": verified,
            "ring_signatures_checked": verified,
            "equality_proofs_checked": verified,
            "range_proofs_checked": verified,
            "counted": counted,
            "duplicate_tags_resolved": replaced,
            "replays_rejected": replays,
            "rejected": rejected,
            "rule": "per linking tag the highest signed sequence number counts, equal numbers: the later in canonical order; byte-identical copies are replays",
        },
        "decryption": tally.map(|t| json!({
            "encrypted_sums_recomputed": t.encrypted.sums().len(),
            "shares_checked": shares,
            "shares_valid": shares - bad_shares.len(),
            "wrong_shares": bad_shares,
            "threshold": st.opening.threshold,
            "totals": t.totals,
            "trustees_used": t.used,
            "pending": t.pending,
        })),
        "outcome": tally.and_then(|t| t.outcome.as_ref()).map(|o| outcome_json(st, o)),
        "individual_decryption": individual_json(st),
        "posted_results": st.results.len(),
        "posted_results_matching": st.results.iter().filter(|r| r.matches).count(),
    })
}

fn verification_text(st: &DecisionState, v: &Value) -> String {
    let b = &v["ballots"];
    let mut t = format!(
        "Verified decision {} from {} public statements:\n",
        st.id, v["statements_verified"]
    );
    t += &format!(
        "  electorate: recomputed {} voting keys from the opening's causal past; commitment {} matches the opening\n",
        st.electorate.electorate.len(),
        hex::encode(st.electorate.electorate.commitment())
    );
    t += &population_line(st).replace("Voted by", "  voted by");
    match &st.key {
        Some(k) => {
            t += &format!(
                "  decision key: recomputed from qualified dealers {:?} (recovered from opened shares: {:?}), confirmed by {} of the {} needed: {}\n",
                st.keygen.qualified,
                st.keygen.recovered,
                st.trustees.iter().filter(|t| t.confirm.is_some()).count(),
                st.quorum(),
                hex::encode(k.key().to_bytes())
            );
            for (d, why) in &st.keygen.excluded {
                t += &format!("    trustee {d} is not a dealer of this key: {why}\n");
            }
        }
        None => {
            t += &format!(
                "  decision key: not yet ({})\n",
                st.key_pending.clone().unwrap_or_default()
            )
        }
    }
    t += &format!(
        "  ballots: {} statements; {} verified (ring signature, equality proof, range proof each), {} after the close not counted\n",
        b["statements"], b["verified"], b["after_close"]
    );
    t += &format!(
        "  counting: {} counted, {} duplicate tags resolved (revotes), {} replays and {} other rejections\n",
        b["counted"],
        b["duplicate_tags_resolved"],
        b["replays_rejected"],
        b["rejected"].as_u64().unwrap_or(0) - b["replays_rejected"].as_u64().unwrap_or(0)
    );
    for r in &st.ballots {
        if let BallotStatus::Rejected { reason } = &r.status {
            t += &format!("    rejected {}: {reason}\n", r.statement.short());
        }
    }
    if let Some(tally) = &st.tally {
        let bad: Vec<_> = tally
            .shares
            .iter()
            .filter(|s| s.problem.is_some())
            .collect();
        t += &format!(
            "  decryption: {} encrypted sums recomputed; {} decryption proofs checked, {} valid",
            tally.encrypted.sums().len(),
            tally.shares.len(),
            tally.shares.len() - bad.len()
        );
        for s in &bad {
            t += &format!(
                "\n    WRONG share of trustee {}: {}",
                s.trustee,
                s.problem.clone().unwrap_or_default()
            );
        }
        t += "\n";
        match (&tally.outcome, &tally.pending) {
            (Some(o), _) => {
                let indented: Vec<String> = outcome_text(st, o)
                    .lines()
                    .map(|l| format!("    {l}"))
                    .collect();
                t += &format!(
                    "  totals: decrypted with trustees {:?}\n{}\n",
                    tally.used,
                    indented.join("\n")
                )
            }
            (None, Some(p)) => t += &format!("  totals: not decrypted ({p})\n"),
            _ => {}
        }
        t += &individual_text(st);
    } else {
        t += "  not closed: no tally yet\n";
    }
    let matching = st.results.iter().filter(|r| r.matches).count();
    t += &format!(
        "  posted results: {} ({} match the recomputation)",
        st.results.len(),
        matching
    );
    t
}
