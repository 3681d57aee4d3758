//! `grassroots decide` for budgets and boards: participatory budgeting and committee rules
//! on pabulib (`.pb`) and PrefLib (`.soc`, `.soi`, `.toc`, `.toi`) files.
//!
//! Without `--seats` the file is a budgeting instance and the rule
//! (`mes` or `greedy`) chooses projects within its budget. With
//! `--seats K` the rule elects a board of K: `mes`, `pav`, `phragmen`,
//! `av` and `greedy` use approvals (a `.pb` file's supported projects,
//! or a PrefLib ranking's first `--approve-top` tiers), `stv` and
//! `plurality` use rankings (PrefLib, or an ordinal `.pb` file).

use crate::ctx::Ctx;
use anyhow::{anyhow, bail, Context};
use governance::budget::condorcet::democratic_budget;
use governance::budget::greedy::greedy;
use governance::budget::mes::{mes, Completion, MesOptions, MesOutcome};
use governance::budget::{Money, Utility};
use governance::committee::{self, ApprovalProfile};
use governance::pabulib::{self, PbFile};
use governance::profile::Profile;
use serde::Serialize;
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The budgeting and committee rules `decide` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PbRule {
    /// Method of Equal Shares (budget, or board with --seats).
    Mes,
    /// Greedy utilitarian (budget), or approval voting (board).
    Greedy,
    /// Scottish STV (board; ranked ballots).
    Stv,
    /// Proportional Approval Voting (board): the committee of highest PAV
    /// score, found exactly.
    Pav,
    /// Sequential PAV (board): seats filled one at a time by the largest
    /// marginal PAV gain; fast, but not always the optimum.
    Seqpav,
    /// Sequential Phragmén (board).
    Phragmen,
    /// Approval voting, top K (board baseline).
    Av,
    /// Plurality / SNTV, top K by first places (board baseline; ranked).
    Plurality,
    /// Condorcet-consistent budgeting (Shapiro & Talmon; ordinal .pb).
    Condorcet,
}

/// What an approved project is worth to a voter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum UtilityArg {
    /// Its cost (pabutools' Cost_Sat).
    Cost,
    /// 1 (Cardinality_Sat).
    Cardinality,
}

/// Arguments of a budget or board decision (filled in by `decide`).
#[derive(Debug, Clone)]
pub struct PbArgs {
    /// The rule.
    pub rule: PbRule,
    /// A pabulib `.pb` file or a PrefLib `.soc/.soi/.toc/.toi` file.
    pub file: PathBuf,
    /// Elect a board of this many instead of dividing a budget.
    pub seats: Option<usize>,
    /// Utility for budgeting rules.
    pub utility: UtilityArg,
    /// Plain MES: no completion by raising the per-voter budget.
    pub no_completion: bool,
    /// MES completion: raise the per-voter budget only (Add1), without the
    /// final greedy fill.
    pub no_greedy_fill: bool,
    /// MES completion: the per-voter budget increment (currency units).
    pub step: String,
    /// From rankings, approve each voter's first N tiers (default: every
    /// ranked alternative).
    pub approve_top: Option<usize>,
    /// Condorcet budgeting: the status quo as comma-separated project
    /// ids in priority order (blank ballots keep it).
    pub status_quo: String,
}

enum Input {
    Pb(Box<PbFile>),
    Ranked(Profile),
}

fn load(path: &std::path::Path) -> anyhow::Result<Input> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if ext == "pb" {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let file = pabulib::parse(&text)
            .with_context(|| format!("{} is not a valid .pb file", path.display()))?;
        Ok(Input::Pb(Box::new(file)))
    } else if matches!(ext.as_str(), "soc" | "soi" | "toc" | "toi") {
        let doc = governance::preflib::read_path(path)
            .with_context(|| format!("{} is not a valid PrefLib file", path.display()))?;
        Ok(Input::Ranked(doc.profile))
    } else {
        bail!(
            "{}: unknown file type (expected .pb, .soc, .soi, .toc or .toi)",
            path.display()
        )
    }
}

const PB_TIE_BREAK: &str = "ties between projects go to the project listed first in the file";
const BOARD_TIE_BREAK: &str =
    "ties between candidates go to the candidate listed first in the file";

#[derive(Serialize)]
struct Chosen {
    id: String,
    cost: Option<Money>,
}

/// Decide a budget or a board.
pub fn run_pb(args: &PbArgs, ctx: &Ctx) -> anyhow::Result<()> {
    let input = load(&args.file)?;
    match args.seats {
        None => run_budget(args, ctx, input),
        Some(k) => run_board(args, ctx, input, k),
    }
}

fn run_budget(args: &PbArgs, ctx: &Ctx, input: Input) -> anyhow::Result<()> {
    let Input::Pb(file) = input else {
        bail!("dividing a budget needs a .pb file; for a board of a PrefLib file pass --seats K");
    };
    let inst = &file.instance;
    let utility = match args.utility {
        UtilityArg::Cost => Utility::Cost,
        UtilityArg::Cardinality => Utility::Cardinality,
    };
    let (funded, evidence, human_evidence) = match args.rule {
        PbRule::Mes => {
            let completion = if args.no_completion {
                Completion::None
            } else {
                let step: Money = args.step.parse().map_err(|e| anyhow!("--step: {e}"))?;
                if args.no_greedy_fill {
                    Completion::Add1 { step }
                } else {
                    Completion::Add1ThenGreedy { step }
                }
            };
            let out = mes(
                inst,
                &MesOptions {
                    utility,
                    completion,
                },
            )?;
            if args.no_completion {
                let left = inst.budget().micros() - out.funded.cost.micros();
                ctx.note(&format!(
                    "plain MES (no completion) leaves {} unspent",
                    Money::from_micros(left)
                ));
            }
            let (json, text) = mes_evidence(&file, &out, ctx.json);
            (out.funded.projects, json, text)
        }
        PbRule::Greedy => {
            let out = greedy(inst, utility);
            let mut text = String::from("greedy walk (project, total score, funded):\n");
            for s in &out.steps {
                let _ = writeln!(
                    text,
                    "  {} {} {}",
                    inst.projects()[s.project].id,
                    s.score,
                    if s.funded { "funded" } else { "does not fit" }
                );
            }
            let steps: Vec<_> = out
                .steps
                .iter()
                .map(|s| json!({"project": inst.projects()[s.project].id, "score": s.score, "funded": s.funded}))
                .collect();
            (out.funded.projects, json!({ "steps": steps }), text)
        }
        PbRule::Condorcet => {
            let rankings = file.ranked_profile().ok_or_else(|| {
                anyhow!("condorcet budgeting needs an ordinal .pb file (members rank projects)")
            })?;
            let mut status_quo = Vec::new();
            for id in args
                .status_quo
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let p = inst
                    .projects()
                    .iter()
                    .position(|p| p.id == id)
                    .ok_or_else(|| anyhow!("--status-quo names unknown project `{id}`"))?;
                status_quo.push(p);
            }
            let out = democratic_budget(inst, &rankings, &status_quo)?;
            let id = |p: usize| inst.projects()[p].id.clone();
            let mut text = String::from("aggregate order: ");
            text.push_str(
                &out.order
                    .iter()
                    .map(|&p| id(p))
                    .collect::<Vec<_>>()
                    .join(" > "),
            );
            let _ = writeln!(
                text,
                "\n{} majorities locked, {} skipped (cycles)",
                out.locked.len(),
                out.skipped.len()
            );
            let maj = |v: &[governance::budget::condorcet::Majority]| -> Vec<serde_json::Value> {
                v.iter()
                    .map(
                        |x| json!({"winner": id(x.winner), "loser": id(x.loser), "votes": x.votes}),
                    )
                    .collect()
            };
            let json = json!({
                "order": out.order.iter().map(|&p| id(p)).collect::<Vec<_>>(),
                "locked": maj(&out.locked),
                "skipped": maj(&out.skipped),
            });
            (out.funded.projects, json, text)
        }
        other => bail!(
            "rule {other:?} elects a board: pass --seats K (budgets use mes, greedy or condorcet)"
        ),
    };
    let chosen: Vec<Chosen> = funded
        .iter()
        .map(|&p| Chosen {
            id: inst.projects()[p].id.clone(),
            cost: Some(inst.projects()[p].cost),
        })
        .collect();
    let cost = inst.cost_of(&funded);
    let report = json!({
        "rule": args.rule,
        "budget": inst.budget(),
        "cost": cost,
        "funded": chosen,
        "tie_break": PB_TIE_BREAK,
        "evidence": evidence,
    });
    ctx.emit(&report, || {
        let mut t = format!(
            "{} funds {} of {} projects for {} of {}:\n",
            format!("{:?}", args.rule).to_lowercase(),
            funded.len(),
            inst.projects().len(),
            cost,
            inst.budget()
        );
        for c in &chosen {
            let _ = writeln!(t, "  {} (cost {})", c.id, c.cost.unwrap_or_default());
        }
        let _ = writeln!(t, "tie-break: {PB_TIE_BREAK}");
        t.push_str(&human_evidence);
        t
    })
}

/// The MES evidence as text, and as JSON when `json` (every voter's
/// spending: built only when it will be printed).
fn mes_evidence(file: &PbFile, out: &MesOutcome, json: bool) -> (serde_json::Value, String) {
    let inst = &file.instance;
    let unit = out.shares_per_unit as f64;
    let spending: Vec<f64> = out.spending.iter().map(|&s| s as f64 / unit).collect();
    let mut sorted = spending.clone();
    sorted.sort_by(f64::total_cmp);
    let payers = sorted.iter().filter(|&&x| x > 0.0).count();
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    let max = sorted.last().copied().unwrap_or(0.0);
    let per_voter = out.voter_budget as f64 / unit;
    let mut text = format!(
        "evidence: each voter's budget {per_voter:.6} ({} increment(s) by completion); \
         {payers} of {} voters paid something; spending median {median:.6}, max {max:.6}\n",
        out.increments,
        spending.len()
    );
    text.push_str("rounds (project, payers, of whom exhausted):\n");
    for r in &out.rounds {
        let _ = writeln!(
            text,
            "  {} {} {}",
            inst.projects()[r.project].id,
            r.payers,
            r.exhausted
        );
    }
    if !out.greedy_added.is_empty() {
        let ids: Vec<&str> = out
            .greedy_added
            .iter()
            .map(|&p| inst.projects()[p].id.as_str())
            .collect();
        let _ = writeln!(text, "added by greedy completion: {}", ids.join(", "));
    }
    text.push_str("each voter's spending: see --json\n");
    if !json {
        return (serde_json::Value::Null, text);
    }
    let rounds: Vec<_> = out
        .rounds
        .iter()
        .map(|r| {
            json!({
                "project": inst.projects()[r.project].id,
                "price_per_score": (r.price_numer as f64 / r.price_denom as f64) / unit,
                "payers": r.payers,
                "exhausted": r.exhausted,
            })
        })
        .collect();
    let voters: Vec<_> = file
        .voter_ids
        .iter()
        .zip(&spending)
        .map(|(id, s)| json!({"voter": id, "spent": s}))
        .collect();
    let json = json!({
        "voter_budget": per_voter,
        "increments": out.increments,
        "rounds": rounds,
        "greedy_added": out.greedy_added.iter().map(|&p| inst.projects()[p].id.clone()).collect::<Vec<_>>(),
        "spending": voters,
    });
    (json, text)
}

fn approvals(args: &PbArgs, input: &Input) -> anyhow::Result<ApprovalProfile> {
    Ok(match input {
        Input::Pb(file) => ApprovalProfile::from_budget_instance(&file.instance),
        Input::Ranked(profile) => {
            let m = profile.num_alternatives();
            if args.approve_top.is_none()
                && profile.ballots().iter().all(|b| b.ranking.is_complete(m))
            {
                bail!("every ballot ranks every candidate, so approving all ranked ones approves everyone: pass --approve-top N");
            }
            ApprovalProfile::from_rankings(profile, args.approve_top)
        }
    })
}

fn ranked(input: Input) -> anyhow::Result<Profile> {
    match input {
        Input::Ranked(p) => Ok(p),
        Input::Pb(file) => file.ranked_profile().ok_or_else(|| {
            anyhow!("this rule needs ranked ballots: a PrefLib file or an ordinal .pb file")
        }),
    }
}

fn run_board(args: &PbArgs, ctx: &Ctx, input: Input, seats: usize) -> anyhow::Result<()> {
    let (names, elected, evidence, human): (Vec<String>, Vec<usize>, serde_json::Value, String) =
        match args.rule {
            PbRule::Stv => {
                let profile = ranked(input)?;
                let names = profile
                    .alternatives()
                    .iter()
                    .map(|a| a.name.clone())
                    .collect();
                let out = committee::stv::scottish_stv(&profile, seats)?;
                let text = committee::stv::describe(&out, &profile);
                (
                    names,
                    out.elected.clone(),
                    serde_json::to_value(&out)?,
                    text,
                )
            }
            PbRule::Plurality => {
                let profile = ranked(input)?;
                let names = profile
                    .alternatives()
                    .iter()
                    .map(|a| a.name.clone())
                    .collect();
                let out = committee::plurality(&profile, seats)?;
                let text = format!("first places: {:?}\n", out.scores);
                (
                    names,
                    out.elected.clone(),
                    serde_json::to_value(&out)?,
                    text,
                )
            }
            rule => {
                let profile = approvals(args, &input)?;
                let names = profile.candidates().to_vec();
                match rule {
                    PbRule::Av | PbRule::Greedy => {
                        let out = committee::approval_voting(&profile, seats)?;
                        let text = format!("approvals: {:?}\n", out.scores);
                        (
                            names,
                            out.elected.clone(),
                            serde_json::to_value(&out)?,
                            text,
                        )
                    }
                    PbRule::Pav | PbRule::Seqpav => {
                        let out = if rule == PbRule::Pav {
                            committee::pav::pav_exact(&profile, seats)?
                        } else {
                            committee::pav::pav_sequential(&profile, seats)?
                        };
                        let mut text =
                            format!("PAV score {:.6}\n", out.score as f64 / out.unit as f64);
                        if !out.gains.is_empty() {
                            text.push_str("marginal gains per round: ");
                            let g: Vec<String> = out
                                .gains
                                .iter()
                                .map(|&g| format!("{:.4}", g as f64 / out.unit as f64))
                                .collect();
                            text.push_str(&g.join(", "));
                            text.push('\n');
                        }
                        (
                            names,
                            out.elected.clone(),
                            serde_json::to_value(&out)?,
                            text,
                        )
                    }
                    PbRule::Phragmen => {
                        let out = committee::phragmen::phragmen(&profile, seats)?;
                        let mut text = String::from("loads after each round:\n");
                        for r in &out.rounds {
                            let _ = writeln!(
                                text,
                                "  {} {}",
                                names[r.candidate],
                                r.load.map_or("unapproved".into(), |l| format!("{l:.6}"))
                            );
                        }
                        let max = out.loads.iter().copied().fold(0.0, f64::max);
                        let _ = writeln!(text, "largest voter load {max:.6}");
                        (
                            names,
                            out.elected.clone(),
                            serde_json::to_value(&out)?,
                            text,
                        )
                    }
                    PbRule::Mes => {
                        let out =
                            committee::mes::mes_committee(&profile, seats, !args.no_completion)?;
                        let unit = out.shares_per_unit as f64;
                        let payers = out.spending.iter().filter(|&&s| s > 0).count();
                        let text = format!(
                            "evidence: each voter's budget {:.6} ({} increment(s)); {payers} voters paid; added by completion: {:?}\n",
                            out.voter_budget as f64 / unit,
                            out.increments,
                            out.greedy_added
                        );
                        let spending: Vec<f64> =
                            out.spending.iter().map(|&s| s as f64 / unit).collect();
                        let json = json!({"voter_budget": out.voter_budget as f64 / unit, "increments": out.increments, "spending": spending, "added_by_completion": out.greedy_added});
                        (names, out.funded.projects.clone(), json, text)
                    }
                    PbRule::Stv | PbRule::Plurality | PbRule::Condorcet => {
                        bail!("rule {rule:?} does not elect a board from approvals")
                    }
                }
            }
        };
    let chosen: Vec<&str> = elected.iter().map(|&c| names[c].as_str()).collect();
    let report = json!({
        "rule": args.rule,
        "seats": seats,
        "elected": chosen,
        "tie_break": if args.rule == PbRule::Stv { committee::stv::TIE_BREAK } else { BOARD_TIE_BREAK },
        "evidence": evidence,
    });
    ctx.emit(&report, || {
        let mut t = format!(
            "{} elects {} of {} seats: {}\n",
            format!("{:?}", args.rule).to_lowercase(),
            elected.len(),
            seats,
            chosen.join(", ")
        );
        let _ = writeln!(
            t,
            "tie-break: {}",
            if args.rule == PbRule::Stv {
                committee::stv::TIE_BREAK
            } else {
                BOARD_TIE_BREAK
            }
        );
        t.push_str(&human);
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(rule: PbRule, file: PathBuf, seats: Option<usize>) -> PbArgs {
        PbArgs {
            rule,
            file,
            seats,
            utility: UtilityArg::Cost,
            no_completion: false,
            no_greedy_fill: false,
            step: "1".into(),
            approve_top: None,
            status_quo: String::new(),
        }
    }

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const PB: &str = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;6\nb;4\nc;5\nVOTES\nvoter_id;vote\n1;a,b\n2;a\n3;c\n";

    #[test]
    fn runs_every_rule_on_a_pb_file() {
        let dir = tempfile::tempdir().unwrap();
        let pb = write(&dir, "x.pb", PB);
        let ctx = Ctx {
            home: dir.path().to_path_buf(),
            json: true,
        };
        for rule in [PbRule::Mes, PbRule::Greedy] {
            run_pb(&args(rule, pb.clone(), None), &ctx).unwrap();
        }
        for rule in [PbRule::Mes, PbRule::Pav, PbRule::Phragmen, PbRule::Av] {
            run_pb(&args(rule, pb.clone(), Some(2)), &ctx).unwrap();
        }
        // STV needs rankings; an approval file is refused clearly.
        let e = run_pb(&args(PbRule::Stv, pb.clone(), Some(2)), &ctx).unwrap_err();
        assert!(e.to_string().contains("ranked ballots"), "{e}");
    }

    #[test]
    fn bad_files_report_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let pb = write(&dir, "bad.pb", &PB.replace("3;c", "3;z"));
        let ctx = Ctx {
            home: dir.path().to_path_buf(),
            json: false,
        };
        let e = run_pb(&args(PbRule::Mes, pb, None), &ctx).unwrap_err();
        let text = format!("{e:#}");
        assert!(
            text.contains("line 14") && text.contains("unknown project `z`"),
            "{text}"
        );
        let other = write(&dir, "x.txt", "");
        assert!(run_pb(&args(PbRule::Mes, other, None), &ctx).is_err());
    }

    #[test]
    fn stv_on_preflib() {
        let dir = tempfile::tempdir().unwrap();
        let soi = write(
            &dir,
            "e.soi",
            "# DATA TYPE: soi\n# NUMBER ALTERNATIVES: 3\n# NUMBER VOTERS: 100\n# NUMBER UNIQUE ORDERS: 3\n# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Bob\n# ALTERNATIVE NAME 3: Cat\n60: 1,2\n30: 3\n10: 2,3\n",
        );
        let ctx = Ctx {
            home: dir.path().to_path_buf(),
            json: true,
        };
        run_pb(&args(PbRule::Stv, soi.clone(), Some(2)), &ctx).unwrap();
        // A budget needs costs.
        assert!(run_pb(&args(PbRule::Mes, soi, None), &ctx).is_err());
    }
}
