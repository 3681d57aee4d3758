//! `grassroots decide`: run a voting rule on a profile file, offline.
//!
//! The file is PrefLib (`.soc`, `.soi`, `.toc`, `.toi`) or a JSON profile
//! (`.json`, see `governance::profile_json`). The outcome, every tied
//! winner, the tie-break and the evidence are printed; `--status-quo`
//! makes the decision reality-aware (the winner must be ranked above the
//! status quo by more than `--threshold` of the electorate).

use crate::ctx::Ctx;
use anyhow::{bail, Context};
use governance::decision::{decide, DecisionOptions};
use governance::{preflib, profile_json, Profile, Ratio, Rule};
use std::path::{Path, PathBuf};

/// Run a voting rule on a preference profile file.
#[derive(clap::Args)]
pub struct Args {
    /// The rule: schulze, ranked-pairs, copeland, minimax, borda, irv,
    /// plurality or approval.
    #[arg(long)]
    rule: Rule,
    /// The status quo, by name or by alternative number.
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
    /// The profile: a PrefLib .soc/.soi/.toc/.toi file or a .json profile.
    file: PathBuf,
}

/// Read a profile from a PrefLib or JSON file, by extension.
fn read_profile(path: &Path) -> anyhow::Result<Profile> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if ext.as_deref() == Some("json") {
        let text = std::fs::read_to_string(path)?;
        Ok(profile_json::parse(&text)?)
    } else {
        Ok(preflib::read_path(path)?.profile)
    }
}

/// Run the command.
pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    let profile =
        read_profile(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
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
    let decision = decide(&profile, args.rule, &options)?;
    let report = decision.report(&profile);
    ctx.emit(&report, || report.to_text())
}
