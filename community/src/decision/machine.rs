//! The decision state machine: one decision's statements applied one at a
//! time, in record order.
//!
//! [`Machine::open`] checks the opening against the community state of
//! its causal past (opener and trustees members, the constitution's
//! trustees, the electorate's size and commitment). [`Machine::apply`]
//! then takes each later statement of the decision, in order, and moves
//! the decision through its phases:
//!
//! ```text
//! KeyGeneration ──(q checks: QUAL fixed; QUAL revealed or recovered)──▶ key proposed
//!               ──(q = m − t + 1 confirmations)──▶ Voting
//! Voting ──(first valid close)──▶ Closed ──(t valid shares, at finish)──▶ Tallied
//! Closed, whole-ballot rule ──(shuffles by any t trustees, at finish)──▶ Shuffled
//!        ──(t valid shares per chunk of the shuffled list)──▶ Decrypted
//! ```
//!
//! Every conflict is settled by the order of application: a trustee's
//! first statement of a step counts and a second one is named as an
//! equivocation; the first valid close is in force and a later one is
//! ignored. Key generation is its own sub-machine ([`keygen`]). A statement valid alone but not in context is kept in
//! [`DecisionState::ignored`] with the reason. [`Machine::finish`] then
//! does what needs every ballot at once: batch verification and the
//! counting rule, the tally and its shares, individual decryption.

mod keygen;

use super::{
    BallotRecord, BallotStatus, DecisionError, DecisionState, ShareRecord, Tally, Trustee,
};
use crate::state::{CommunityState, StateError};
use ballot::dkg::FeldmanCommitments;
use ballot::tally::{accept, EncryptedTally};
use ballot::{Ballot, CountedBallots, DecryptionShare, KeyInfo};
use identity::PublicKey;
use ledger::dag::{causal_past, extend_causal_past};
use ledger::payload::{BallotShares, DecisionResult, Payload, TallyShare};
use ledger::statement::{CommunityId, Statement, StatementId};
use rand::{CryptoRng, RngCore};
use std::collections::{HashMap, HashSet};

/// Where a decision stands while its statements are applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Trustees join, deal, check their shares, reveal (or are
    /// recovered) and confirm.
    KeyGeneration,
    /// The decision key is confirmed by every trustee: ballots count.
    Voting,
    /// A close is in force; nothing else can close the decision.
    Closed,
}

/// One decision's state machine (see the module docs).
pub(super) struct Machine<'a> {
    state: DecisionState,
    phase: Phase,
    by_id: HashMap<StatementId, &'a Statement>,
    /// Each trustee's counted deal, by index − 1.
    deals: Vec<Option<&'a ledger::payload::DkgDeal>>,
    /// The qualified dealers' round-2 commitments known so far, revealed
    /// or recovered.
    feldman: std::collections::BTreeMap<u16, FeldmanCommitments>,
    /// The reveals and recoveries that define the key, which every
    /// counted confirmation builds on.
    basis: Vec<StatementId>,
    ballots: Vec<(StatementId, &'a Ballot)>,
    close_past: Option<HashSet<StatementId>>,
    shares: Vec<(StatementId, &'a TallyShare, PublicKey)>,
    ballot_shares: Vec<(StatementId, &'a BallotShares, PublicKey)>,
    shuffle_parts: super::shuffles::PartList<'a>,
    results: Vec<(StatementId, &'a DecisionResult)>,
    /// The timeline, for a governed decision that has one.
    clock: Option<super::timeline::Clock>,
    /// Under a timeline: how many ballots were applied before the close.
    close_at: Option<usize>,
}

/// The trustees whose closes counted so far under a timeline.
fn clock_closes(clock: &Option<super::timeline::Clock>) -> Vec<u16> {
    clock
        .as_ref()
        .map_or_else(Vec::new, |c| c.closed_by().to_vec())
}

/// The decision a statement belongs to, for the statement kinds that
/// belong to one.
fn decision_of(s: &Statement) -> Option<StatementId> {
    match s.payload() {
        Payload::TrusteeJoin(p) => Some(p.decision),
        Payload::DkgDeal(p) => Some(p.decision),
        Payload::DkgReveal(p) => Some(p.decision),
        Payload::KeyCheck(p) | Payload::KeyRecovery(p) => Some(p.decision),
        Payload::KeyConfirmation(p) => Some(p.decision),
        Payload::Ballot(p) => Some(p.decision),
        Payload::DecisionClose(p) => Some(p.decision),
        Payload::DecryptionShare(p) => Some(p.decision),
        Payload::BallotShares(p) => Some(p.decision),
        Payload::Shuffle(p) => Some(p.decision),
        Payload::DecisionResult(p) => Some(p.decision),
        _ => None,
    }
}

impl<'a> Machine<'a> {
    /// Check decision `decision`'s opening among `all` (the statements
    /// held, in `order`, the record's order, by which the opening must
    /// build on recent registrations) and start its machine in
    /// [`Phase::KeyGeneration`].
    pub(super) fn open(
        community: &CommunityId,
        all: &'a [Statement],
        order: &[&Statement],
        (decision, pool_at): (&StatementId, Option<crate::assembly::PoolAt<'_>>),
        adopted: &crate::governed::Adoptions,
    ) -> Result<Self, DecisionError> {
        let by_id: HashMap<StatementId, &Statement> = all.iter().map(|s| (s.id(), s)).collect();
        let open_stmt = by_id
            .get(decision)
            .copied()
            .ok_or(DecisionError::NoSuchDecision(*decision))?;
        let (opening, rule) = match open_stmt.payload() {
            Payload::DecisionOpen(o) => (o, None),
            Payload::RuledDecisionOpen(r) => (&r.opening, Some(r.rule.clone())),
            Payload::GovernedOpen(g) => (&g.opening, None),
            Payload::GovernedElection(e) => (&e.ruled.opening, Some(e.ruled.rule.clone())),
            Payload::AssemblyDraw(d) => (&d.opening, None),
            _ => return Err(DecisionError::NoSuchDecision(*decision)),
        };
        let invalid = |reason: String| DecisionError::InvalidOpening {
            id: *decision,
            reason,
        };
        let past_ids = causal_past(&by_id, decision);
        let past: Vec<Statement> = all
            .iter()
            .filter(|s| past_ids.contains(&s.id()))
            .cloned()
            .collect();
        let at_open = CommunityState::from_statements_with(community, &past, adopted)?;
        if !at_open.members.contains(&open_stmt.author()) {
            return Err(invalid(format!(
                "its opener {} was not a member when it opened",
                open_stmt.author().fingerprint()
            )));
        }
        match super::constitution_trustees(&at_open.constitution) {
            Err(e) => return Err(invalid(e)),
            Ok(Some((keys, t))) => {
                super::check_panel(&keys, t, &opening.trustees, opening.threshold)
                    .map_err(invalid)?;
            }
            Ok(None) => {}
        }
        if let Some(t) = opening
            .trustees
            .iter()
            .find(|t| !at_open.members.contains(t))
        {
            return Err(invalid(format!(
                "trustee {} was not a member when it opened",
                t.fingerprint()
            )));
        }
        let component = match open_stmt.payload() {
            Payload::GovernedOpen(g) => Some(g.component.as_str()),
            Payload::GovernedElection(e) => Some(e.component.as_str()),
            _ => None,
        };
        let at = order.iter().position(|s| s.id() == *decision).unwrap_or(0);
        let federated = pool_at.map(|pool_at| super::Federated {
            pool_at,
            order,
            at,
            past: Some(&past_ids),
        });
        let electorate = super::electorate_for(
            community,
            &past,
            adopted,
            &at_open.constitution,
            component,
            federated,
        )
        .map_err(|e| match e {
            DecisionError::NoAssemblyElectorate { .. } | DecisionError::AboveDirectLimit { .. } => {
                invalid(e.to_string())
            }
            other => other,
        })?;
        let (n, e) = (
            electorate.electorate.len() as u32,
            electorate.electorate.commitment(),
        );
        let min = at_open.constitution.min_electorate;
        if n < min {
            return Err(invalid(format!(
                "its electorate of {n} is below the constitution's minimum of {min}: a ring that small reveals votes from the totals"
            )));
        }
        if n != opening.electorate_size || e != opening.electorate {
            return Err(invalid(format!(
                "the electorate recomputed from the statements it builds on has {n} credentials and commitment {}, but the opening records {} and {}",
                hex::encode(e),
                opening.electorate_size,
                hex::encode(opening.electorate)
            )));
        }
        let eligible = electorate.population.as_ref().map(|_| {
            (electorate.members.iter())
                .chain(&electorate.unregistered)
                .copied()
                .collect::<std::collections::BTreeSet<PublicKey>>()
        });
        let recent = (order, at, &past_ids);
        if let Some(why) =
            super::check_recent(community, recent, &at_open, eligible.as_ref(), adopted)?
        {
            return Err(invalid(why));
        }
        let m = opening.trustees.len();
        let clock = super::timeline::Clock::of(open_stmt.payload());
        let state = DecisionState {
            id: *decision,
            opener: open_stmt.author(),
            opened: open_stmt.time(),
            opening: opening.clone(),
            rule,
            electorate,
            members: at_open.members.clone(),
            trustees: opening
                .trustees
                .iter()
                .enumerate()
                .map(|(i, k)| Trustee {
                    index: i as u16 + 1,
                    key: *k,
                    join: None,
                    deal: None,
                    check: None,
                    reveal: None,
                    confirm: None,
                })
                .collect(),
            keygen: Default::default(),
            proposed: None,
            key: None,
            key_pending: None,
            ballots: Vec::new(),
            close: None,
            close_settled: false,
            tally: None,
            individual: None,
            results: Vec::new(),
            ignored: Vec::new(),
            timeline: clock.as_ref().map(|c| c.timeline()),
            window: Vec::new(),
            closed_by: Vec::new(),
        };
        Ok(Machine {
            state,
            phase: Phase::KeyGeneration,
            by_id,
            deals: vec![None; m],
            feldman: Default::default(),
            basis: Vec::new(),
            ballots: Vec::new(),
            close_past: None,
            shares: Vec::new(),
            ballot_shares: Vec::new(),
            shuffle_parts: Vec::new(),
            results: Vec::new(),
            clock,
            close_at: None,
        })
    }

    fn ignore(&mut self, s: &Statement, why: impl Into<String>) {
        self.state.ignored.push((s.id(), why.into()));
    }

    /// Apply the next statement in record order. Statements of other
    /// decisions, or of no decision, change nothing.
    pub(super) fn apply(&mut self, s: &'a Statement) -> Result<(), DecisionError> {
        let decision = self.state.id;
        if let (Some(clock), Phase::KeyGeneration) = (&mut self.clock, &self.phase) {
            if let Some(why) = clock.offer(s, &mut self.state) {
                self.ignore(s, why);
            }
        }
        if decision_of(s) != Some(decision) {
            return Ok(());
        }
        // Ballots and shares are bound to the decision cryptographically;
        // the key-generation steps and the close must build on the opening.
        let past = match s.payload() {
            Payload::Ballot(_)
            | Payload::DecryptionShare(_)
            | Payload::BallotShares(_)
            | Payload::Shuffle(_)
            | Payload::DecisionResult(_) => HashSet::from([decision]),
            _ => causal_past(&self.by_id, &s.id()),
        };
        if !past.contains(&decision) {
            self.ignore(s, "does not build on the decision's opening");
            return Ok(());
        }
        let trustee = self.state.trustee_index(&s.author());
        match s.payload() {
            Payload::TrusteeJoin(p) => self.on_join(s, trustee, p.key),
            Payload::DkgDeal(p) => self.on_deal(s, trustee, p, &past),
            Payload::DkgReveal(p) => self.on_reveal(s, trustee, p, &past),
            Payload::KeyCheck(p) => self.on_check(s, trustee, p, &past),
            Payload::KeyRecovery(p) => self.on_recovery(s, trustee, p, &past),
            Payload::KeyConfirmation(p) => self.on_confirm(s, trustee, p.key, &past),
            Payload::Ballot(_) | Payload::DecisionClose(_) if self.state.is_draw() => {
                self.ignore(s, "a lottery draw takes no ballots and no close")
            }
            Payload::Ballot(p) => self.ballots.push((s.id(), p.ballot.as_ref())),
            Payload::DecisionClose(p) => return self.on_close(s, trustee, &p.ballots, past),
            Payload::DecryptionShare(p) => self.shares.push((s.id(), p, s.author())),
            Payload::BallotShares(p) => self.ballot_shares.push((s.id(), p, s.author())),
            Payload::Shuffle(p) => self.shuffle_parts.push((s.id(), p, s.author())),
            Payload::DecisionResult(p) => self.results.push((s.id(), p)),
            _ => {}
        }
        Ok(())
    }

    fn trustee_mut(&mut self, j: u16) -> &mut Trustee {
        &mut self.state.trustees[j as usize - 1]
    }

    fn on_close(
        &mut self,
        s: &Statement,
        trustee: Option<u16>,
        named: &[StatementId],
        mut past: HashSet<StatementId>,
    ) -> Result<(), DecisionError> {
        if self.clock.is_some() {
            self.on_timed_close(s, trustee);
            return Ok(());
        }
        if s.author() != self.state.opener && trustee.is_none() {
            self.ignore(
                s,
                "a close by a key that is neither the opener nor a trustee",
            );
            return Ok(());
        }
        for b in named {
            if !self.by_id.contains_key(b) {
                return Err(StateError::MissingPredecessor {
                    id: s.id(),
                    pred: *b,
                }
                .into());
            }
            extend_causal_past(&self.by_id, &mut past, b);
        }
        let confirmed = (self.state.trustees.iter())
            .filter_map(|t| t.confirm)
            .all(|c| past.contains(&c));
        match self.phase {
            Phase::Closed => self.ignore(
                s,
                "a second close: the first valid close in the record's order is in force",
            ),
            Phase::KeyGeneration => self.ignore(
                s,
                "a close that does not build on the decision key's confirmations",
            ),
            Phase::Voting if !confirmed => self.ignore(
                s,
                "a close that does not build on the decision key's confirmations",
            ),
            Phase::Voting => {
                self.state.close = Some(s.id());
                self.close_past = Some(past);
                self.phase = Phase::Closed;
            }
        }
        Ok(())
    }

    /// A close under a timeline (`super::timeline`): a majority of the
    /// trustees, each after the deadline, closes the decision; ballots
    /// applied before the majority's close count.
    fn on_timed_close(&mut self, s: &Statement, trustee: Option<u16>) {
        use super::timeline::CloseVote;
        if self.phase != Phase::Voting {
            let why = match self.phase {
                Phase::Closed => "a close after a majority of the trustees closed the decision",
                _ => "a close before the decision key is confirmed",
            };
            return self.ignore(s, why);
        }
        let m = self.state.trustees.len();
        let Some(clock) = self.clock.as_mut() else {
            return;
        };
        match clock.close(s, trustee, m) {
            CloseVote::Ignored(why) => self.ignore(s, why),
            CloseVote::Counted => {}
            CloseVote::Closes => {
                self.state.close = Some(s.id());
                self.close_at = Some(self.ballots.len());
                self.phase = Phase::Closed;
            }
        }
        self.state.closed_by = clock_closes(&self.clock);
    }

    /// Count the ballots (batch verification and the counting rule), then
    /// the tally, its shares and individual decryption, and the results.
    pub(super) fn finish<R: RngCore + CryptoRng>(
        mut self,
        rng: &mut R,
    ) -> Result<DecisionState, DecisionError> {
        self.key_status();
        self.unused_shuffles();
        let mut considered: Vec<(StatementId, Ballot)> = Vec::new();
        let mut status: HashMap<StatementId, BallotStatus> = HashMap::new();
        for (i, (id, b)) in self.ballots.iter().enumerate() {
            let late = match (&self.close_past, self.close_at) {
                (Some(p), _) => !p.contains(id),
                (None, Some(n)) => i >= n,
                (None, None) => false,
            };
            if late {
                status.insert(*id, BallotStatus::Late);
            } else {
                considered.push((*id, (*b).clone()));
            }
        }
        let Some(ctx) = self.state.context() else {
            for (id, _) in &considered {
                status.insert(
                    *id,
                    BallotStatus::Rejected {
                        reason: "cast before the decision key existed".into(),
                    },
                );
            }
            self.record_ballots(&status);
            return Ok(self.state.finish_results(self.results));
        };
        let list: Vec<Ballot> = considered.iter().map(|(_, b)| b.clone()).collect();
        let acceptance = accept(&ctx, &self.state.electorate.electorate, &list, rng);
        for &i in &acceptance.counted {
            status.insert(considered[i].0, BallotStatus::Counted);
        }
        for &(earlier, later) in &acceptance.replaced {
            status.insert(
                considered[earlier].0,
                BallotStatus::Replaced {
                    by: considered[later].0.to_string(),
                },
            );
        }
        for (i, e) in &acceptance.rejected {
            let reason = match e {
                ballot::Error::Replayed { earlier } => format!(
                    "replay: a byte-for-byte copy of ballot {}",
                    considered[*earlier].0
                ),
                e => e.to_string(),
            };
            status.insert(considered[*i].0, BallotStatus::Rejected { reason });
        }
        self.record_ballots(&status);
        let (Some(close), Some(info)) = (self.state.close, self.state.key.clone()) else {
            return Ok(self.state.finish_results(self.results));
        };
        let encrypted = EncryptedTally::new(&ctx, &list, &acceptance)?;
        self.tally(close, &info, encrypted);
        if let Some(rule) = self.state.rule.clone() {
            let counted = CountedBallots::new(&ctx, &list, &acceptance)?;
            let shuffles = self.shuffles(&ctx, close, &counted)?;
            let shares = std::mem::take(&mut self.ballot_shares);
            self.state.individual = Some(self.state.decrypt_individually(
                &rule,
                (close, &info, &ctx),
                counted,
                shuffles,
                shares,
            )?);
        }
        Ok(self.state.finish_results(self.results))
    }

    /// Shuffles are without effect unless a whole-ballot decision is
    /// closed (they are applied in [`Machine::shuffles`]).
    fn unused_shuffles(&mut self) {
        let why = match (&self.state.rule, self.state.close) {
            (None, _) => "a shuffle, but the decision has no whole-ballot rule",
            (Some(_), None) => "a shuffle before the decision is closed",
            (Some(_), Some(_)) if self.state.key.is_none() => "a shuffle, but there is no key",
            _ => return,
        };
        for (id, ..) in std::mem::take(&mut self.shuffle_parts) {
            self.state.ignored.push((id, why.into()));
        }
    }

    /// The shuffle parts applied in record order to the counted ballots
    /// ([`super::shuffles`]): any `t` distinct trustees, one after another.
    fn shuffles(
        &mut self,
        ctx: &ballot::DecisionContext,
        close: StatementId,
        counted: &CountedBallots,
    ) -> Result<super::Shuffles, DecisionError> {
        let trustees = self.state.trustees.clone();
        let trustee = move |k: &PublicKey| trustees.iter().find(|t| t.key == *k).map(|t| t.index);
        super::shuffles::Applier {
            ctx,
            close,
            counted,
            trustee: &trustee,
            ignored: &mut self.state.ignored,
        }
        .run(
            self.state.opening.threshold,
            std::mem::take(&mut self.shuffle_parts),
        )
    }

    fn record_ballots(&mut self, status: &HashMap<StatementId, BallotStatus>) {
        self.state.ballots = self
            .ballots
            .iter()
            .map(|(id, _)| BallotRecord {
                statement: *id,
                status: status[id].clone(),
            })
            .collect();
    }

    /// Check each trustee's first decryption share for the close in force
    /// and decrypt the totals with `t` valid ones.
    fn tally(&mut self, close: StatementId, info: &KeyInfo, encrypted: EncryptedTally) {
        let mut records: Vec<ShareRecord> = Vec::new();
        let mut valid: Vec<DecryptionShare> = Vec::new();
        for (id, p, author) in std::mem::take(&mut self.shares) {
            let j = p.share.trustee();
            let ignored = if p.close != close {
                Some("a decryption share for a close not in force".to_string())
            } else if self.state.trustee_index(&author) != Some(j) {
                Some(format!(
                    "a decryption share for trustee {j} signed by another key"
                ))
            } else if records.iter().any(|r| r.trustee == j) {
                Some(format!("a second decryption share by trustee {j}"))
            } else {
                None
            };
            if let Some(why) = ignored {
                self.state.ignored.push((id, why));
                continue;
            }
            let problem = encrypted
                .verify_share(info, &p.share)
                .err()
                .map(|e| format!("{e} (trustee {j}, {})", author.fingerprint()));
            if problem.is_none() {
                valid.push(p.share.clone());
            }
            records.push(ShareRecord {
                statement: id,
                trustee: j,
                problem,
            });
        }
        let t = self.state.opening.threshold as usize;
        let mut tally = Tally {
            close,
            encrypted,
            shares: records,
            totals: None,
            used: Vec::new(),
            pending: None,
            outcome: None,
        };
        if valid.len() < t {
            tally.pending = Some(format!(
                "{} valid decryption share(s), {t} needed",
                valid.len()
            ));
        } else {
            match tally.encrypted.decrypt(info, &valid) {
                Ok(d) => {
                    tally.outcome = Some(super::outcome(&self.state.opening.kind, &d.values));
                    tally.totals = Some(d.values);
                    tally.used = d.trustees;
                }
                Err(e) => tally.pending = Some(e.to_string()),
            }
        }
        self.state.tally = Some(tally);
    }
}
