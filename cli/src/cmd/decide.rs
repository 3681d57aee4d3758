//! `grassroots decide`: run a voting rule on a profile file, offline.
//!
//! The file is PrefLib (`.soc`, `.soi`, `.toc`, `.toi`) or a JSON profile
//! (`.json`, see `governance::profile_json`). The outcome, every tied
//! winner, the tie-break and the evidence are printed; `--status-quo`
//! makes the decision reality-aware (the winner must be ranked above the
//! status quo by more than `--threshold` of the electorate).
//!
//! A `.json` file may instead hold a decision in a metric space
//! (`governance::constitutional::ComponentDecision`: `space`,
//! `status_quo`, `votes`, `proposals`, `threshold`) or a constitutional
//! amendment (`governance::amendment::AmendmentInput`: `current`,
//! `votes`, `proposals`); these are decided by the constitutional rule and
//! take no `--rule`.
//!
//! Budgets and boards go through the same command: a pabulib `.pb` file, a
//! budgeting or committee rule (`mes`, `greedy`, `stv`, `pav`, `phragmen`,
//! `av`, `condorcet`), or `--seats K` hands the decision to
//! [`crate::cmd::budget`].

use crate::cmd::budget::{run_pb, PbArgs, PbRule, UtilityArg};
use crate::ctx::Ctx;
use anyhow::{bail, Context};
use governance::amendment::{amend, AmendmentInput};
use governance::constitutional::ComponentDecision;
use governance::decision::{decide, DecisionOptions};
use governance::{preflib, profile_json, Profile, Ratio, Rule};
use std::path::{Path, PathBuf};

/// Run a voting rule on a preference profile file.
#[derive(clap::Args)]
pub struct Args {
    /// The rule. Single winner: schulze, ranked-pairs, copeland, minimax,
    /// borda, irv, plurality, approval or kemeny. Budgets and boards: mes, greedy,
    /// stv, pav, phragmen, av, plurality (with --seats), condorcet (budget).
    #[arg(long)]
    rule: Option<String>,
    /// The status quo, by name or by alternative number (for condorcet
    /// budgeting: project ids in priority order, comma-separated).
    #[arg(long, value_name = "ALT")]
    status_quo: Option<String>,
    /// The supermajority a change needs, as a fraction a/b (default 1/2):
    /// strictly more than this share of the electorate must rank the
    /// winner above the status quo.
    #[arg(long, value_name = "Q", default_value = "1/2")]
    threshold: Ratio,
    /// Members entitled to vote (default: the number of ballots); members
    /// who did not vote count for the status quo.
    #[arg(long, value_name = "N")]
    electorate: Option<u64>,
    /// The profile: a PrefLib .soc/.soi/.toc/.toi file, a .json profile or
    /// decision, or a pabulib .pb file.
    file: PathBuf,
    /// Budgets and boards: the options of `crate::cmd::budget`.
    #[command(flatten)]
    pb: PbOptions,
}

/// Options that only budgeting and committee rules read.
#[derive(clap::Args)]
struct PbOptions {
    /// Elect a board of this many instead of choosing one winner or a budget.
    #[arg(long)]
    seats: Option<usize>,
    /// Budgeting: what an approved project is worth to a voter.
    #[arg(long, value_enum, default_value = "cost")]
    utility: UtilityArg,
    /// Plain MES: no completion by raising the per-voter budget.
    #[arg(long)]
    no_completion: bool,
    /// MES completion: raise the per-voter budget only (Add1), without the final greedy fill.
    #[arg(long)]
    no_greedy_fill: bool,
    /// MES completion: the per-voter budget increment (currency units).
    #[arg(long, default_value = "1")]
    step: String,
    /// From rankings, approve each voter's first N tiers (default: every ranked alternative).
    #[arg(long)]
    approve_top: Option<usize>,
}

/// Whether this decision is a budget or a board, and if so its arguments.
fn budget_args(args: &Args) -> anyhow::Result<Option<PbArgs>> {
    use clap::ValueEnum;
    let single_winner = args
        .rule
        .as_deref()
        .is_some_and(|r| r.parse::<Rule>().is_ok());
    let is_pb_file = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pb"));
    let pb_rule = args
        .rule
        .as_deref()
        .and_then(|r| PbRule::from_str(r, true).ok());
    if !(is_pb_file || args.pb.seats.is_some() || (pb_rule.is_some() && !single_winner)) {
        return Ok(None);
    }
    let Some(rule) = pb_rule else {
        bail!(
            "--rule {} is not a budgeting or committee rule (mes, greedy, stv, pav, seqpav, phragmen, av, plurality, condorcet)",
            args.rule.as_deref().unwrap_or("(none)")
        );
    };
    Ok(Some(PbArgs {
        rule,
        file: args.file.clone(),
        seats: args.pb.seats,
        utility: args.pb.utility,
        no_completion: args.pb.no_completion,
        no_greedy_fill: args.pb.no_greedy_fill,
        step: args.pb.step.clone(),
        approve_top: args.pb.approve_top,
        status_quo: args.status_quo.clone().unwrap_or_default(),
    }))
}

/// What a decision file holds.
enum Input {
    /// A preference profile (PrefLib or JSON).
    Profile(Profile),
    /// A decision in a metric space.
    Component(ComponentDecision),
    /// A constitutional amendment.
    Amendment(Box<AmendmentInput>),
}

/// Read a decision file: PrefLib by extension, else JSON by its keys.
fn read_input(path: &Path, ctx: &Ctx) -> anyhow::Result<Input> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.as_deref() != Some("json") {
        let doc = preflib::read_path(path)?;
        for n in &doc.notes {
            ctx.note(&format!("{}: {n}", path.display()));
        }
        return Ok(Input::Profile(doc.profile));
    }
    let text = std::fs::read_to_string(path)?;
    let value: serde_json::Value = serde_json::from_str(&text)?;
    Ok(if value.get("current").is_some() {
        Input::Amendment(Box::new(serde_json::from_value(value)?))
    } else if value.get("space").is_some() {
        Input::Component(serde_json::from_value(value)?)
    } else {
        Input::Profile(profile_json::parse(&text)?)
    })
}

/// Run the command.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    if let Some(pb) = budget_args(&args)? {
        return run_pb(&pb, ctx);
    }
    let input =
        read_input(&args.file, ctx).with_context(|| format!("reading {}", args.file.display()))?;
    let profile = match input {
        Input::Profile(p) => p,
        Input::Component(d) => {
            let out = d.decide()?;
            return ctx.emit(&out, || {
                let mut t = format!(
                    "outcome: {}\nstatus quo: {}\nthreshold: more than {} of {} members\n",
                    serde_json::to_string(&out.outcome).unwrap_or_default(),
                    serde_json::to_string(&d.status_quo).unwrap_or_default(),
                    out.threshold,
                    out.electorate
                );
                // The aggregate is appended only when no member proposed it.
                let aggregate =
                    (out.proposals.len() > d.proposals.len()).then(|| out.proposals.len() - 1);
                for (i, p) in out.proposals.iter().enumerate() {
                    t += &format!(
                        "proposal {i}{}: {}  supporters {}  {}  score {}{}\n",
                        if aggregate == Some(i) {
                            " (aggregate of the votes)"
                        } else {
                            ""
                        },
                        serde_json::to_string(&p.proposal).unwrap_or_default(),
                        p.supporters,
                        if p.supported {
                            "supported"
                        } else {
                            "not supported"
                        },
                        p.score,
                        if out.adopted == Some(i) {
                            "  ADOPTED"
                        } else {
                            ""
                        }
                    );
                }
                t
            });
        }
        Input::Amendment(a) => {
            let out = amend(&a)?;
            return ctx.emit(&out, || {
                let mut t = match out.adopted {
                    Some(i) => format!(
                        "amendment {i} adopted: constitution version {}\n",
                        out.constitution.version
                    ),
                    None if !out.quorum_met => "quorum not met: constitution unchanged\n".into(),
                    None => "no amendment adopted: constitution unchanged\n".into(),
                };
                for (i, p) in out.tallies.iter().enumerate() {
                    t += &format!(
                        "proposal {i}: changes {}  supporters {}  threshold {}  {}  score {}\n",
                        p.changes.join(", "),
                        p.supporters,
                        p.threshold,
                        if p.supported {
                            "supported"
                        } else {
                            "not supported"
                        },
                        p.score
                    );
                }
                t
            });
        }
    };
    let Some(rule) = args.rule.as_deref() else {
        bail!("--rule is required for a preference profile");
    };
    let rule: Rule = rule.parse()?;
    ctx.note(&format!(
        "{} ballots ({} distinct) over {} alternatives",
        profile.num_voters(),
        profile.ballots().len(),
        profile.num_alternatives()
    ));
    let status_quo = match &args.status_quo {
        None => None,
        Some(key) => match profile.lookup(key) {
            Some(i) => Some(i),
            None => {
                bail!("status quo `{key}` is neither the name nor the number of an alternative")
            }
        },
    };
    let options = DecisionOptions {
        status_quo,
        threshold: args.threshold,
        electorate: args.electorate,
    };
    let decision = decide(&profile, rule, &options)?;
    let report = decision.report(&profile);
    ctx.emit(&report, || report.to_text())
}
