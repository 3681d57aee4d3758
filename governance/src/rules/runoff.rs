//! Instant-runoff voting (the alternative vote, Hare's method).
//!
//! Each round tallies first preferences among the alternatives still in
//! the running (exactly, see the tally module). If one alternative has more than half
//! of the ballots still counting, or only one remains, the count stops.
//! Otherwise *every* alternative with the fewest votes is eliminated
//! together — the simultaneous-elimination convention, which keeps the
//! rule neutral and polynomial (eliminating one of them by a tie-break
//! would make the result depend on an arbitrary order). When all
//! remaining alternatives are tied, they are all winners.
//!
//! Ballots that rank no remaining alternative are *exhausted*: they no
//! longer count towards the majority.

use super::tally::FirstPreferences;
use super::{Evidence, RuleError, RuleResult};
use crate::profile::Profile;
use serde::Serialize;

/// One round of an instant-runoff count.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Round {
    /// First preferences of each alternative still in the running
    /// `(index, votes)`, by index; fractional when ballots have ties.
    pub votes: Vec<(usize, f64)>,
    /// Ballots that rank no alternative still in the running.
    pub exhausted: f64,
    /// The alternatives eliminated after this round (empty in the last).
    pub eliminated: Vec<usize>,
}

/// Instant-runoff winners and rounds.
pub(crate) fn instant_runoff(profile: &Profile) -> Result<RuleResult, RuleError> {
    let m = profile.num_alternatives();
    let fp = FirstPreferences::new(profile)?;
    let mut running = vec![true; m];
    let mut rounds = Vec::new();
    loop {
        let tally = fp.tally(&running);
        let alive: Vec<usize> = (0..m).filter(|&a| running[a]).collect();
        let counting: u128 = alive.iter().map(|&a| tally.votes[a]).sum();
        let mut round = Round {
            votes: alive
                .iter()
                .map(|&a| (a, fp.ballots(tally.votes[a])))
                .collect(),
            exhausted: fp.ballots(tally.exhausted),
            eliminated: Vec::new(),
        };
        let majority = alive
            .iter()
            .copied()
            .find(|&a| tally.votes[a] * 2 > counting);
        if let Some(w) = majority.or((alive.len() == 1).then(|| alive[0])) {
            rounds.push(round);
            return Ok(RuleResult {
                winners: vec![w],
                evidence: Evidence::Rounds { rounds },
            });
        }
        let fewest = alive
            .iter()
            .map(|&a| tally.votes[a])
            .min()
            .expect("at least one alternative is running");
        let last: Vec<usize> = alive
            .iter()
            .copied()
            .filter(|&a| tally.votes[a] == fewest)
            .collect();
        if last.len() == alive.len() {
            rounds.push(round);
            return Ok(RuleResult {
                winners: alive,
                evidence: Evidence::Rounds { rounds },
            });
        }
        for &a in &last {
            running[a] = false;
        }
        round.eliminated = last;
        rounds.push(round);
    }
}
