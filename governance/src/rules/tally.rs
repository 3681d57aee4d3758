//! First-preference and approval tallies, counted exactly.
//!
//! A ballot counts for the alternatives of its best tier that are still
//! *in the running*; a tier of `k` such alternatives gives each `1/k` of
//! the ballot's count. To keep the arithmetic exact, every count is
//! multiplied by `scale = lcm(1, …, k_max)` where `k_max` is the largest
//! tier of the profile, so each share `count · scale / k` is an integer
//! (for strict ballots `scale = 1`). Reported scores divide by `scale`.

use super::{arg_best, Evidence, RuleError, RuleResult};
use crate::profile::{Profile, TIED};

/// Exact first-preference counting for one profile.
pub(crate) struct FirstPreferences<'a> {
    profile: &'a Profile,
    /// Every tally is in units of `1/scale` ballots.
    pub(crate) scale: u128,
}

/// A first-preference tally: per alternative, and ballots with no
/// alternative left in the running.
pub(crate) struct Tally {
    pub(crate) votes: Vec<u128>,
    pub(crate) exhausted: u128,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl<'a> FirstPreferences<'a> {
    pub(crate) fn new(profile: &'a Profile) -> Result<Self, RuleError> {
        let k_max = profile
            .ballots()
            .iter()
            .flat_map(|b| b.ranking.tiers().map(|t| t.len()))
            .max()
            .unwrap_or(1);
        let mut scale: u128 = 1;
        for k in 2..=k_max as u128 {
            scale = (scale / gcd(scale, k))
                .checked_mul(k)
                .filter(|s| s.checked_mul(u128::from(profile.num_voters())).is_some())
                .ok_or(RuleError::TiesTooLarge(k_max))?;
        }
        Ok(FirstPreferences { profile, scale })
    }

    /// Tally first preferences among alternatives with `running[a]`.
    ///
    /// Walks each ballot's entries once, without allocating: a tier is a
    /// run of entries, and the first run with a running member counts.
    pub(crate) fn tally(&self, running: &[bool]) -> Tally {
        let mut votes = vec![0u128; running.len()];
        let mut exhausted = 0u128;
        let mut alive: Vec<usize> = Vec::new();
        for ballot in self.profile.ballots() {
            let weight = u128::from(ballot.count) * self.scale;
            let e = ballot.ranking.raw();
            let mut i = 0;
            let mut counted = false;
            while i < e.len() {
                alive.clear();
                let mut end = i;
                loop {
                    let a = (e[end] & !TIED) as usize;
                    if running[a] {
                        alive.push(a);
                    }
                    end += 1;
                    if end == e.len() || e[end] & TIED == 0 {
                        break;
                    }
                }
                if !alive.is_empty() {
                    let share = weight / alive.len() as u128;
                    for &a in &alive {
                        votes[a] += share;
                    }
                    counted = true;
                    break;
                }
                i = end;
            }
            if !counted {
                exhausted += weight;
            }
        }
        Tally { votes, exhausted }
    }

    /// A tally in ballots (for reporting).
    pub(crate) fn ballots(&self, units: u128) -> f64 {
        units as f64 / self.scale as f64
    }
}

/// Plurality: the most first preferences.
pub(crate) fn plurality(profile: &Profile) -> Result<RuleResult, RuleError> {
    let fp = FirstPreferences::new(profile)?;
    let tally = fp.tally(&vec![true; profile.num_alternatives()]);
    Ok(RuleResult {
        winners: arg_best(&tally.votes, |a, b| a > b),
        evidence: Evidence::Scores {
            meaning: "first preferences (maximised)",
            scores: tally.votes.iter().map(|&v| fp.ballots(v)).collect(),
        },
    })
}

/// Approval: each ballot approves the alternatives it ranks.
pub(crate) fn approval(profile: &Profile) -> RuleResult {
    let mut scores = vec![0u64; profile.num_alternatives()];
    for ballot in profile.ballots() {
        for a in ballot.ranking.order() {
            scores[a] += ballot.count;
        }
    }
    RuleResult {
        winners: arg_best(&scores, |a, b| a > b),
        evidence: Evidence::Scores {
            meaning: "approvals (maximised)",
            scores: scores.into_iter().map(|s| s as f64).collect(),
        },
    }
}
