//! Decisions on the record: the governed state, members' proposals, and
//! outcomes adopted at final positions.
//!
//! # The governed state
//!
//! A community governs named components ([`governance::governed`]): the
//! constitution itself (component `constitution`, always), and whatever
//! its constitution declares in `governs` — a rate, a budget, priorities,
//! an officer, a board, bylaws — each with its first value. The state is
//! a fold over the record's order ([`GovernedView::from_record`]):
//!
//! 1. **Proposals** (kind 22): any statement naming a component and a
//!    value. A proposal counts only if its author was a member when the
//!    decision that lists it opened and the value is valid for the
//!    component's kind.
//! 2. **Openings** (kind 23) name the component and the proposals; the
//!    ballots choose exactly one of the status quo and the proposals
//!    (one-of ballots proven by a unit-vector proof,
//!    `ledger::payload::governed`; openings recorded before them have
//!    budget ballots of 1, where a blank ballot counts for the status quo,
//!    and are counted alike). At the opening's
//!    position the component must exist; its current value there is the
//!    decision's **status quo**, and the members of the community state of
//!    the opening's causal past are its **electorate** `N` — members who
//!    registered no voting key, or do not vote, count for the status quo.
//!    Every listed proposal must be in the opening's causal past, name
//!    the component and differ from the status quo.
//! 3. **The tally** is the homomorphic one of kind 11 (`crate::decision`):
//!    the trustees decrypt only the per-option counts, never a ballot. The
//!    rule ([`governance::governed::decide_counted`]) needs nothing more:
//!    support, scores and the line's cumulative counts are sums over
//!    ballots. What the tally reveals is how many members chose each
//!    option.
//! 4. **Adoption.** The decision is decided at the position of the
//!    statement that completes its tally (the `t`-th valid decryption
//!    share, in record order). When the device follows the lace, only a
//!    position in the **final** prefix counts, so every device adopts the
//!    same value at the same position. There the constitutional rule runs
//!    with the threshold the constitution in force sets for the component
//!    (made Sybil-safe with its bound); a change of the constitution needs
//!    its amendment supermajority, and the stricter of the old and the new
//!    thresholds ([`governance::amendment::amendment_threshold`]). If the
//!    component's value is no longer the status quo the decision opened
//!    with (another decision changed it first), the decision is
//!    **superseded** and changes nothing.
//! 5. **A new constitution** takes effect from its adoption position: the
//!    community state of any set of statements holding that position
//!    applies its admission rule (so who is admitted is re-evaluated) and
//!    its decision parameters, and components it newly declares are
//!    created there. [`Adoptions`] carries the adopted constitutions into
//!    every community-state computation, so a decision opened after an
//!    amendment counts its electorate under the new rule.
//!
//! Not covered yet: timelines measured in final positions (the phases are
//! marked by statements: opening, close, shares), a component a new
//! constitution drops (its history stays), the participants moving to
//! the next epoch at an amendment of `participants` (they follow surety
//! changes only), and openings that leave out proposals (any member can
//! open another decision with theirs).

mod election;

use crate::decision::{DecisionError, DecisionState, Phase};
use crate::state::StateError;
use governance::amendment::amendment_threshold;
use governance::governed::{
    decide_counted, Component, ComponentKind, GovernedState, HistoryEntry, Outcome, Reason, Value,
};
use governance::{Constitution, Ratio, CONSTITUTION_COMPONENT};
use ledger::dag::causal_past;
use ledger::payload::{GovernedElection, GovernedOpening, Payload};
use ledger::statement::{CommunityId, Statement, StatementId};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The constitutions adopted on the record, each with the statement at
/// whose position it took effect, in position order.
#[derive(Clone, Debug, Default)]
pub struct Adoptions(Vec<(StatementId, Constitution)>);

impl Adoptions {
    /// No amendment adopted.
    pub fn none() -> Adoptions {
        Adoptions::default()
    }

    /// Each adopted constitution with the statement at whose position it
    /// took effect, in position order.
    pub(crate) fn positioned(&self) -> &[(StatementId, Constitution)] {
        &self.0
    }

    /// Whether no amendment was adopted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The constitution in force for `order`: the last adopted one whose
    /// adopting statement `order` holds, else `genesis`.
    pub fn in_force<'a>(
        &'a self,
        genesis: &'a Constitution,
        order: &[&Statement],
    ) -> &'a Constitution {
        if self.0.is_empty() {
            return genesis;
        }
        let held: HashSet<StatementId> = order.iter().map(|s| s.id()).collect();
        self.0
            .iter()
            .rev()
            .find(|(at, _)| held.contains(at))
            .map_or(genesis, |(_, c)| c)
    }
}

/// One proposal a governed decision lists.
#[derive(Clone, Debug, Serialize)]
pub struct ListedProposal {
    /// The proposal statement (hex).
    pub id: String,
    /// Its author's fingerprint.
    pub author: String,
    /// The proposed value.
    pub value: Value,
    /// The author's reason (may be empty).
    pub reason: String,
    /// Whether it joined during the decision's proposal window (rather
    /// than being listed by the opening).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_window: bool,
    /// Why a proposal that joined in the window cannot be adopted, if it
    /// cannot: its option then counts for the status quo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// Where a governed decision stands.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum GovernedStatus {
    /// The opening breaks a rule; the decision changes nothing.
    Invalid {
        /// Why.
        reason: String,
    },
    /// Trustees are generating the decision key.
    KeyGeneration,
    /// Under a timeline: members may still put forward proposals; the
    /// trustees confirm the key after `until` (UNIX seconds).
    Proposals {
        /// When the window ends.
        until: u64,
    },
    /// Ballots count.
    Voting,
    /// Closed; the tally is not decrypted yet.
    Counting {
        /// What it waits for.
        pending: String,
    },
    /// Tallied at a position that is not final yet.
    AwaitingFinality {
        /// The position of the statement completing the tally.
        position: u64,
    },
    /// The proposal replaced the status quo.
    Adopted {
        /// Where (record position).
        position: u64,
        /// The value adopted.
        value: Value,
        /// Members supporting it.
        supporters: u64,
        /// The threshold it exceeded.
        threshold: Ratio,
    },
    /// The status quo stays.
    StatusQuoStays {
        /// Where (record position).
        position: u64,
        /// Why.
        reason: Reason,
    },
    /// Another decision changed the component first: nothing changes.
    Superseded {
        /// Where (record position).
        position: u64,
        /// What this decision would have adopted.
        value: Value,
    },
}

/// A decision on a governed component.
#[derive(Clone, Debug, Serialize)]
pub struct GovernedDecision {
    /// The decision id (hex).
    pub id: String,
    /// The component.
    pub component: String,
    /// The value in force at the opening (option 0).
    pub status_quo: Option<Value>,
    /// The proposals (option `i + 1` is `proposals[i]`).
    pub proposals: Vec<ListedProposal>,
    /// An election's candidates (option `i` is `candidates[i]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
    /// Members at the opening: the `N` whose non-votes count for the status quo.
    pub electorate: u64,
    /// The timeline its opening fixes, if any (`crate::decision::timeline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<TimelineView>,
    /// Decrypted counts per option, once tallied.
    pub counts: Option<Vec<u64>>,
    /// Where it stands.
    pub status: GovernedStatus,
}

/// A decision's timeline as members read it (UNIX seconds).
#[derive(Clone, Debug, Serialize)]
pub struct TimelineView {
    /// Proposals are taken until then.
    pub proposals_until: u64,
    /// Voting stays open until then.
    pub voting_until: u64,
    /// The trustees whose closes (at or after `voting_until`) counted.
    pub closed_by: Vec<u16>,
}

/// The governed state of a community and every decision on it.
#[derive(Clone, Debug)]
pub struct GovernedView {
    /// Every component with its value and history.
    pub state: GovernedState,
    /// The constitution in force.
    pub constitution: Constitution,
    /// Every governed decision, in record order of its opening.
    pub decisions: Vec<GovernedDecision>,
    /// The adopted constitutions.
    pub adoptions: Adoptions,
}

/// Which decisions a sweep evaluates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Only decisions on the constitution (what membership needs).
    Constitution,
    /// Every governed decision.
    All,
}

/// A decision tallied, waiting for its position in the sweep.
struct Tallied {
    index: usize,
    at: StatementId,
    status_quo: Value,
    decided: Decided,
}

/// What a tally gives the rule.
enum Decided {
    /// Counts per option of a one-choice decision (kind 23).
    Counts {
        kind: ComponentKind,
        values: Vec<Value>,
        counts: Vec<u64>,
    },
    /// An election's winner(s) and the members closer to them than to
    /// the status quo (kind 24), or a tie.
    Elected(Result<(Value, u64), Vec<String>>),
}

impl GovernedView {
    /// The governed state of `record`, applying its statements in record
    /// order; on a device that follows the lace, only tallies completed
    /// in the final prefix are adopted.
    pub fn from_record(record: &crate::Record) -> Result<GovernedView, StateError> {
        Self::from_record_in(record, None)
    }

    /// [`GovernedView::from_record`] for a federation's `record`: its
    /// governed components are decided by its population, the people of
    /// the members its pins fix, read with `pool_at`
    /// (`crate::decision::population`).
    pub fn from_federation_record(
        record: &crate::Record,
        pool_at: crate::assembly::PoolAt<'_>,
    ) -> Result<GovernedView, StateError> {
        Self::from_record_in(record, Some(pool_at))
    }

    fn from_record_in(
        record: &crate::Record,
        pool_at: Option<crate::assembly::PoolAt<'_>>,
    ) -> Result<GovernedView, StateError> {
        let all = record.statements();
        let order: Vec<&Statement> = all.iter().collect();
        let final_len = record.follows_lace().then(|| record.final_len());
        let scope = (Scope::All, pool_at);
        sweep(&record.community(), all, &order, final_len, scope)
    }

    /// The governed state of statements exchanged by file (canonical
    /// order; everything held is settled).
    pub fn from_statements(
        community: &CommunityId,
        statements: &[Statement],
    ) -> Result<GovernedView, StateError> {
        let unique = ledger::dag::unique(statements);
        let order = ledger::dag::canonical_order(&unique)?;
        sweep(community, &unique, &order, None, (Scope::All, None))
    }
}

/// The constitutions adopted in `order` (a causal order of `unique`):
/// decisions on the constitution only, so a community that never amends
/// pays one scan.
pub fn constitution_adoptions(
    community: &CommunityId,
    unique: &[Statement],
    order: &[&Statement],
    final_len: Option<usize>,
) -> Result<Adoptions, StateError> {
    let amends = order.iter().any(|s| {
        matches!(s.payload(), Payload::GovernedOpen(g) if g.component == CONSTITUTION_COMPONENT)
    });
    if !amends {
        return Ok(Adoptions::none());
    }
    let scope = (Scope::Constitution, None);
    Ok(sweep(community, unique, order, final_len, scope)?.adoptions)
}

pub(crate) fn genesis_constitution(
    community: &CommunityId,
    order: &[&Statement],
) -> Result<Constitution, StateError> {
    order
        .iter()
        .find(|s| s.id() == *community)
        .and_then(|s| match s.payload() {
            Payload::Genesis(g) => Some(g.constitution().clone()),
            _ => None,
        })
        .ok_or(StateError::NoGenesis(*community))
}

/// Create the components `c` declares that `state` lacks, at `position`.
fn declare(state: &mut GovernedState, c: &Constitution, by: &str, position: u64) {
    for g in &c.governs {
        if state.component(&g.name).is_none() {
            let threshold = g.threshold.unwrap_or(c.thresholds.ordinary);
            let entry = HistoryEntry {
                value: g.initial.clone(),
                decided_by: by.to_string(),
                position,
            };
            // Validated with the constitution: a fresh name, a valid kind and value.
            let _ = state.create(&g.name, g.kind.clone(), threshold, entry);
        }
    }
}

/// Fold the governed decisions of `order` in position order (module docs).
fn sweep(
    community: &CommunityId,
    unique: &[Statement],
    order: &[&Statement],
    final_len: Option<usize>,
    (scope, federated): (Scope, Option<crate::assembly::PoolAt<'_>>),
) -> Result<GovernedView, StateError> {
    let genesis = genesis_constitution(community, order)?;
    let mut state = GovernedState::new();
    let by = community.to_string();
    let first = HistoryEntry {
        value: Value::Constitution(Box::new(genesis.clone())),
        decided_by: by.clone(),
        position: 0,
    };
    let half = Ratio::new(1, 2).expect("1/2 is a valid ratio");
    state
        .create(
            CONSTITUTION_COMPONENT,
            ComponentKind::Constitution,
            half,
            first,
        )
        .expect("a validated constitution is a valid value");
    declare(&mut state, &genesis, &by, 0);
    let mut view = GovernedView {
        state,
        constitution: genesis,
        decisions: Vec::new(),
        adoptions: Adoptions::none(),
    };
    let by_id: HashMap<StatementId, &Statement> = order.iter().map(|s| (s.id(), *s)).collect();
    let position: HashMap<StatementId, usize> =
        order.iter().enumerate().map(|(i, s)| (s.id(), i)).collect();
    let mut waiting: BTreeMap<usize, Tallied> = BTreeMap::new();
    for (at, s) in order.iter().enumerate() {
        while let Some(entry) = waiting.first_entry() {
            if *entry.key() >= at {
                break;
            }
            let (pos, t) = entry.remove_entry();
            view.adopt(pos as u64, t);
        }
        let opening = match s.payload() {
            Payload::GovernedOpen(g) => Opening::Choice(g),
            Payload::GovernedElection(e) => Opening::Election(e),
            _ => continue,
        };
        if scope == Scope::Constitution && opening.component() != CONSTITUTION_COMPONENT {
            continue;
        }
        let ctx = Context {
            community,
            unique,
            order,
            by_id: &by_id,
            position: &position,
            final_len,
            federated,
        };
        if let Some((pos, t)) = view.open(&ctx, s, opening) {
            waiting.insert(pos, t);
        }
    }
    for (pos, t) in waiting {
        view.adopt(pos as u64, t);
    }
    Ok(view)
}

/// A governed decision's opening: a choice among proposals (kind 23) or
/// an election (kind 24).
#[derive(Clone, Copy)]
enum Opening<'a> {
    Choice(&'a GovernedOpening),
    Election(&'a GovernedElection),
}

impl Opening<'_> {
    fn component(&self) -> &str {
        match self {
            Opening::Choice(g) => &g.component,
            Opening::Election(e) => &e.component,
        }
    }
}

/// What evaluating one opening needs from the sweep.
struct Context<'a> {
    community: &'a CommunityId,
    unique: &'a [Statement],
    order: &'a [&'a Statement],
    by_id: &'a HashMap<StatementId, &'a Statement>,
    position: &'a HashMap<StatementId, usize>,
    final_len: Option<usize>,
    /// A federation's pool, whose people vote on its governed components.
    federated: Option<crate::assembly::PoolAt<'a>>,
}

impl GovernedView {
    /// Evaluate the opening `s` at its position: record the decision and,
    /// if its tally is complete (and final, when that matters), return it
    /// with the position it is decided at.
    fn open(
        &mut self,
        ctx: &Context<'_>,
        s: &Statement,
        opening: Opening<'_>,
    ) -> Option<(usize, Tallied)> {
        let mut d = GovernedDecision {
            id: s.id().to_string(),
            component: opening.component().to_string(),
            status_quo: None,
            proposals: Vec::new(),
            candidates: Vec::new(),
            electorate: 0,
            timeline: None,
            counts: None,
            status: GovernedStatus::KeyGeneration,
        };
        let result = match opening {
            Opening::Choice(g) => self.evaluate(ctx, s, g, &mut d),
            Opening::Election(e) => election::evaluate(self, ctx, s, e, &mut d),
        };
        let index = self.decisions.len();
        let out = match result {
            Err(reason) => {
                d.status = GovernedStatus::Invalid { reason };
                None
            }
            Ok(tallied) => tallied.map(|(pos, mut t)| {
                t.index = index;
                (pos, t)
            }),
        };
        self.decisions.push(d);
        out
    }

    fn evaluate(
        &self,
        ctx: &Context<'_>,
        s: &Statement,
        g: &GovernedOpening,
        d: &mut GovernedDecision,
    ) -> Result<Option<(usize, Tallied)>, String> {
        let component = self.component_at_open(&g.component, d)?;
        let (kind, status_quo) = (component.kind().clone(), component.current().clone());
        let decision = self.run(ctx, s, d)?;
        let past = causal_past(ctx.by_id, &s.id());
        let mut values = vec![status_quo.clone()];
        let proposers = proposers(&decision);
        let check = Check {
            members: &proposers,
            component: &g.component,
            kind: &kind,
            status_quo: &status_quo,
        };
        for p in &g.proposals {
            let listed = listed_proposal(ctx, Some(&past), p, &check)?;
            values.push(listed.value.clone());
            d.proposals.push(listed);
        }
        for p in &decision.window {
            let joined = window_proposal(ctx, p, &check);
            values.push(joined.value.clone());
            d.proposals.push(joined);
        }
        d.timeline = decision.timeline.map(|t| TimelineView {
            proposals_until: t.proposals_until,
            voting_until: t.voting_until,
            closed_by: decision.closed_by.clone(),
        });
        let Some(tally) = &decision.tally else {
            d.status = before_tally(&decision);
            return Ok(None);
        };
        let Some(counts) = tally.totals.clone() else {
            d.status = GovernedStatus::Counting {
                pending: tally.pending.clone().unwrap_or_default(),
            };
            return Ok(None);
        };
        d.counts = Some(counts.clone());
        let used = tally
            .shares
            .iter()
            .filter(|r| r.problem.is_none() && tally.used.contains(&r.trustee))
            .map(|r| r.statement);
        let Some(completed) = completion(ctx, used, d)? else {
            return Ok(None);
        };
        let t = Tallied {
            index: 0,
            at: ctx.order[completed].id(),
            status_quo,
            decided: Decided::Counts {
                kind,
                values,
                counts,
            },
        };
        Ok(Some((completed, t)))
    }

    /// The component `name` a decision opens on, its current value
    /// recorded in `d` as the status quo; or why there is none.
    fn component_at_open(
        &self,
        name: &str,
        d: &mut GovernedDecision,
    ) -> Result<&Component, String> {
        let component = self
            .state
            .component(name)
            .ok_or_else(|| format!("no component is named `{name}` where it opened"))?;
        d.status_quo = Some(component.current().clone());
        Ok(component)
    }

    /// The decision's state over the whole order, with the constitutions
    /// adopted so far, its electorate `N` (every member at the opening)
    /// recorded in `d`; an invalid opening gives its reason.
    fn run(
        &self,
        ctx: &Context<'_>,
        s: &Statement,
        d: &mut GovernedDecision,
    ) -> Result<DecisionState, String> {
        let decision = DecisionState::run(
            ctx.community,
            ctx.unique,
            ctx.order.to_vec(),
            (&s.id(), ctx.federated),
            &self.adoptions,
        )
        .map_err(|e| match e {
            DecisionError::InvalidOpening { reason, .. } => reason,
            other => other.to_string(),
        })?;
        let at_open = &decision.electorate;
        d.electorate = (at_open.members.len() + at_open.unregistered.len()) as u64;
        Ok(decision)
    }

    /// Decide a tallied decision at `position` and apply its outcome.
    fn adopt(&mut self, position: u64, t: Tallied) {
        let name = self.decisions[t.index].component.clone();
        let electorate = self.decisions[t.index].electorate;
        let constitution = self.constitution.clone();
        let own = constitution
            .governed_threshold(&name)
            .or_else(|| self.state.component(&name).map(|c| c.threshold()))
            .unwrap_or(constitution.thresholds.ordinary);
        let threshold = |p: &Value| match p {
            Value::Constitution(new) => amendment_threshold(&constitution, new),
            _ => own,
        };
        let outcome = match t.decided {
            Decided::Counts {
                kind,
                values,
                counts,
            } => {
                let mut merged: BTreeMap<Vec<u8>, (Value, u64)> = BTreeMap::new();
                for (v, c) in values.iter().zip(&counts) {
                    merged.entry(v.encode()).or_insert((v.clone(), 0)).1 += c;
                }
                let counted: Vec<(Value, u64)> = merged.into_values().collect();
                decide_counted(&kind, &t.status_quo, &counted, &threshold, electorate)
            }
            Decided::Elected(Err(candidates)) => Ok(Outcome::StatusQuoStays {
                reason: Reason::Tied { candidates },
            }),
            Decided::Elected(Ok((value, supporters))) => {
                Ok(elected(&t.status_quo, value, supporters, own, electorate))
            }
        };
        let status = match outcome {
            Err(e) => GovernedStatus::Invalid {
                reason: e.to_string(),
            },
            Ok(Outcome::StatusQuoStays { reason }) => {
                GovernedStatus::StatusQuoStays { position, reason }
            }
            Ok(Outcome::Adopted { value, supporters }) => {
                let threshold = threshold(&value);
                let change = Change {
                    name: &name,
                    position,
                    at: t.at,
                    index: t.index,
                    status_quo: &t.status_quo,
                };
                self.apply(change, value, supporters, threshold)
            }
        };
        self.decisions[t.index].status = status;
    }

    fn apply(
        &mut self,
        change: Change<'_>,
        value: Value,
        supporters: u64,
        threshold: Ratio,
    ) -> GovernedStatus {
        let Change {
            name,
            position,
            at,
            index,
            status_quo,
        } = change;
        let current = self.state.component(name).map(|c| c.current().clone());
        if current.as_ref() != Some(status_quo) {
            return GovernedStatus::Superseded { position, value };
        }
        let id = self.decisions[index].id.clone();
        if let Err(e) = self.state.adopt(name, value.clone(), &id, position) {
            return GovernedStatus::Invalid {
                reason: e.to_string(),
            };
        }
        if let Value::Constitution(c) = &value {
            self.adoptions.0.push((at, (**c).clone()));
            self.constitution = (**c).clone();
            declare(&mut self.state, c, &id, position);
        }
        GovernedStatus::Adopted {
            position,
            value,
            supporters,
            threshold,
        }
    }
}

/// Where a decision stands before its tally exists.
fn before_tally(decision: &DecisionState) -> GovernedStatus {
    match (decision.phase(), decision.timeline) {
        (Phase::KeyGeneration, Some(t)) => GovernedStatus::Proposals {
            until: t.proposals_until,
        },
        (Phase::KeyGeneration, None) => GovernedStatus::KeyGeneration,
        _ => GovernedStatus::Voting,
    }
}

/// The position of the last of the `used` shares, which completes the
/// tally; `None` (with the status set) while it is not final.
fn completion(
    ctx: &Context<'_>,
    used: impl Iterator<Item = StatementId>,
    d: &mut GovernedDecision,
) -> Result<Option<usize>, String> {
    let completed = used
        .filter_map(|id| ctx.position.get(&id).copied())
        .max()
        .ok_or("the tally's shares are not in the record")?;
    if ctx.final_len.is_some_and(|f| completed >= f) {
        d.status = GovernedStatus::AwaitingFinality {
            position: completed as u64,
        };
        return Ok(None);
    }
    Ok(Some(completed))
}

/// An election's outcome: `value` replaces the status quo if more than
/// `threshold · electorate` members are closer to it than to the status
/// quo.
fn elected(
    status_quo: &Value,
    value: Value,
    supporters: u64,
    threshold: Ratio,
    electorate: u64,
) -> Outcome {
    if value.encode() == status_quo.encode() {
        Outcome::StatusQuoStays {
            reason: Reason::NoChangeProposed,
        }
    } else if threshold.exceeded_by(supporters, electorate) {
        Outcome::Adopted { value, supporters }
    } else {
        Outcome::StatusQuoStays {
            reason: Reason::NotEnoughSupport {
                best: supporters,
                electorate,
                threshold,
            },
        }
    }
}

/// Where and what a decided change applies to.
struct Change<'a> {
    name: &'a str,
    position: u64,
    at: StatementId,
    index: usize,
    status_quo: &'a Value,
}

/// Who may have put forward a proposal a decision lists: the members at
/// its opening, and on a federation's decision voted by its population
/// (`crate::decision::population`), the people who vote on it.
fn proposers(decision: &DecisionState) -> std::collections::BTreeSet<identity::PublicKey> {
    let mut who = decision.members.clone();
    let at = &decision.electorate;
    if at.population.is_some() {
        who.extend(at.members.iter().chain(&at.unregistered));
    }
    who
}

/// What a proposal must satisfy to be a candidate of a decision.
struct Check<'a> {
    members: &'a std::collections::BTreeSet<identity::PublicKey>,
    component: &'a str,
    kind: &'a ComponentKind,
    status_quo: &'a Value,
}

/// A proposal that joined in the proposal window: it is an option
/// whatever it holds (the ballot kind counts it), but one that cannot be
/// adopted counts for the status quo, with the reason.
fn window_proposal(ctx: &Context<'_>, id: &StatementId, check: &Check<'_>) -> ListedProposal {
    let mut p = match listed_proposal(ctx, None, id, check) {
        Ok(p) => p,
        Err(reason) => ListedProposal {
            id: id.to_string(),
            author: ctx
                .by_id
                .get(id)
                .map(|s| s.author().fingerprint().to_string())
                .unwrap_or_default(),
            value: check.status_quo.clone(),
            reason: String::new(),
            in_window: true,
            refused: Some(reason),
        },
    };
    p.in_window = true;
    p
}

/// Check one proposal an opening lists (module docs, step 2); `past`,
/// when given, is what the opening builds on, which a listed proposal
/// must be in.
fn listed_proposal(
    ctx: &Context<'_>,
    past: Option<&HashSet<StatementId>>,
    id: &StatementId,
    check: &Check<'_>,
) -> Result<ListedProposal, String> {
    let s = ctx
        .by_id
        .get(id)
        .filter(|_| past.is_none_or(|p| p.contains(id)))
        .ok_or_else(|| format!("proposal {id} is not in what the opening builds on"))?;
    let Payload::Proposal(p) = s.payload() else {
        return Err(format!("statement {id} is not a proposal"));
    };
    if p.component != check.component {
        return Err(format!(
            "proposal {id} is for `{}`, not `{}`",
            p.component, check.component
        ));
    }
    let author = s.author();
    if !check.members.contains(&author) {
        return Err(format!(
            "proposal {id} is by {}, who was not a member when the decision opened (nor one of the people voting on it)",
            author.fingerprint()
        ));
    }
    check
        .kind
        .validate(&p.value)
        .map_err(|e| format!("proposal {id}: {e}"))?;
    if p.value.encode() == check.status_quo.encode() {
        return Err(format!("proposal {id} is the status quo"));
    }
    Ok(ListedProposal {
        id: id.to_string(),
        author: author.fingerprint().to_string(),
        value: p.value.clone(),
        reason: p.reason.clone(),
        in_window: false,
        refused: None,
    })
}
