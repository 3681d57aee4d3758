//! Timelines: a governed decision's phases, fixed in its opening and
//! measured on the record.
//!
//! A kind-23 opening may carry a [`Timeline`]: `proposals_until` and
//! `voting_until`, in UNIX seconds. The record has no clock every device
//! trusts (a statement's time is whatever its author wrote), so the
//! times are measured by the decision's **trustees**, whose steps mark
//! the phases in the record's final order:
//!
//! ```text
//! opening ── proposals window ──▶ key confirmed ── voting ──▶ majority of closes ── counting ──▶ adopted
//!            (kind-22 proposals      (every trustee,            (⌊m/2⌋ + 1 trustees,
//!             for the component       at or after                each at or after
//!             become candidates)      proposals_until)           voting_until)
//! ```
//!
//! 1. **Proposals.** Every proposal for the decision's component that a
//!    member at the opening makes, applied after the opening and before
//!    the decision key is confirmed, becomes a candidate, in record order
//!    (up to 63 in all). Its option is appended: the ballot kind becomes
//!    `one-of(candidates + 1)` before any ballot can be encrypted, since
//!    no ballot exists before the key.
//! 2. **Voting opens** when a quorum of `m − t + 1` trustees has
//!    confirmed the key. A confirmation dated before `proposals_until` is
//!    ignored, with the reason. Every quorum holds an honest trustee (at
//!    most `t − 1` are dishonest), which waits for its own clock, so the
//!    window stays open until then.
//! 3. **Voting closes** at the position where the `(⌊m/2⌋ + 1)`-th trustee's
//!    close dated at or after `voting_until` is applied. Ballots applied
//!    before that position count; later ones are late. A close by anyone
//!    else, or dated before the deadline, is ignored; a trustee's second
//!    close is named as equivocation.
//! 4. **Counting and adoption** are as for every decision: shares for the
//!    close in force, the rule at the completing share's final position.
//!
//! **What this guarantees.** With `m ≥ 2t − 1` (enforced at the opening)
//! and at most `t − 1` dishonest trustees, honest trustees are a
//! majority, so no close takes effect before an honest trustee's clock
//! passed `voting_until`, and the dishonest ones cannot keep voting open
//! (the honest majority closes without them). The proposal window cannot
//! be cut short while at most `t − 1` trustees are dishonest. **What it
//! does not:** the window's end and the close are only as punctual as the
//! trustees are online; and the times are the trustees' clocks, not a
//! clock the record itself proves.

use super::DecisionState;
use ledger::payload::{governed_kind, Payload, Timeline, MAX_GOVERNED_PROPOSALS};
use ledger::statement::{Statement, StatementId};
use std::collections::HashSet;

/// The timeline of one decision while its machine runs.
pub(super) struct Clock {
    timeline: Timeline,
    component: String,
    candidates: HashSet<StatementId>,
    opened: bool,
    closes: Vec<u16>,
}

/// What a trustee's close does under a timeline.
pub(super) enum CloseVote {
    /// It changes nothing, for this reason.
    Ignored(String),
    /// It counts, but a majority has not closed yet.
    Counted,
    /// It is the majority's: the decision closes here.
    Closes,
}

impl Clock {
    /// The clock of the decision opened by `opening`, if it has a timeline.
    pub(super) fn of(opening: &Payload) -> Option<Clock> {
        let Payload::GovernedOpen(g) = opening else {
            return None;
        };
        Some(Clock {
            timeline: g.timeline?,
            component: g.component.clone(),
            candidates: g.proposals.iter().copied().collect(),
            opened: false,
            closes: Vec::new(),
        })
    }

    /// The timeline.
    pub(super) fn timeline(&self) -> Timeline {
        self.timeline
    }

    /// Take statement `s`, applied before the key is confirmed: mark the
    /// opening, or add a proposal made in the window as a candidate.
    /// Returns why a proposal for the component is not a candidate.
    pub(super) fn offer(&mut self, s: &Statement, state: &mut DecisionState) -> Option<String> {
        if s.id() == state.id {
            self.opened = true;
            return None;
        }
        let Payload::Proposal(p) = s.payload() else {
            return None;
        };
        if !self.opened || p.component != self.component || self.candidates.contains(&s.id()) {
            return None;
        }
        if !state.members.contains(&s.author()) {
            return Some(format!(
                "a proposal by {}, who was not a member when the decision opened",
                s.author().fingerprint()
            ));
        }
        let k = state.opening.options.len() - 1;
        if k >= MAX_GOVERNED_PROPOSALS {
            return Some(format!(
                "a proposal beyond the {MAX_GOVERNED_PROPOSALS} one decision takes"
            ));
        }
        self.candidates.insert(s.id());
        state.window.push(s.id());
        state.opening.options.push(s.id().to_string());
        state.opening.kind = governed_kind(k + 1);
        None
    }

    /// Why trustee `j`'s confirmation `s` is too early, if it is.
    pub(super) fn early_confirmation(&self, s: &Statement, j: u16) -> Option<String> {
        let until = self.timeline.proposals_until;
        (s.time() < until).then(|| {
            format!(
                "trustee {j}'s key confirmation is dated {}, before the proposal window ends at {until}",
                s.time()
            )
        })
    }

    /// Count a close `s` by trustee `trustee` (if it is one) among `m`.
    pub(super) fn close(&mut self, s: &Statement, trustee: Option<u16>, m: usize) -> CloseVote {
        let Some(j) = trustee else {
            return CloseVote::Ignored(
                "a close by a key that is not a trustee: under a timeline a majority of the trustees closes the decision".into(),
            );
        };
        let until = self.timeline.voting_until;
        if s.time() < until {
            return CloseVote::Ignored(format!(
                "trustee {j}'s close is dated {}, before voting ends at {until}",
                s.time()
            ));
        }
        if self.closes.contains(&j) {
            return CloseVote::Ignored(super::equivocation(j, "close"));
        }
        self.closes.push(j);
        if self.closes.len() == m / 2 + 1 {
            CloseVote::Closes
        } else {
            CloseVote::Counted
        }
    }

    /// The trustees whose closes counted, in record order.
    pub(super) fn closed_by(&self) -> &[u16] {
        &self.closes
    }
}
