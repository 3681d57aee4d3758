//! Community state: a pure function of the statements a node holds.
//!
//! [`CommunityState::from_statements`] folds a community's statements,
//! in a canonical order, into its state: name, constitution, founders,
//! members, notes. The order is causal, with ties broken by
//! statement id, so two nodes holding the same set of statements compute
//! the same state, whatever order they received them in. [`CommunityState::digest`]
//! condenses the state into one hash that nodes can compare.

use governance::Constitution;
use identity::{admit, Admission, PublicKey, TrustGraph};
use ledger::payload::Payload;
use ledger::statement::{CommunityId, Statement, StatementId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Why statements do not make a community.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// No genesis among the statements.
    #[error("community {0} has no genesis statement here")]
    NoGenesis(CommunityId),
    /// A statement of another community was mixed in.
    #[error("statement {id} belongs to community {found}, not {expected}")]
    Foreign {
        /// The statement.
        id: StatementId,
        /// Its community.
        found: CommunityId,
        /// The community being computed.
        expected: CommunityId,
    },
    /// A statement whose predecessor is missing.
    #[error("statement {id} builds on {pred}, which is missing")]
    MissingPredecessor {
        /// The statement.
        id: StatementId,
        /// The missing predecessor.
        pred: StatementId,
    },
}

impl From<ledger::dag::MissingPredecessor> for StateError {
    fn from(e: ledger::dag::MissingPredecessor) -> Self {
        StateError::MissingPredecessor {
            id: e.id,
            pred: e.pred,
        }
    }
}

/// A note as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoteRecord {
    /// Statement id (hex).
    pub id: String,
    /// Author's fingerprint.
    pub author: String,
    /// Author's clock, seconds since the Unix epoch.
    pub time: u64,
    /// The text.
    pub text: String,
}

/// A member's departure as applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Departed {
    /// The departure statement.
    pub statement: StatementId,
    /// The fork the member left for, if the departure names one.
    pub fork: Option<CommunityId>,
}

/// A community's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunityState {
    /// The community id (its genesis statement's id).
    pub id: CommunityId,
    /// The constitution in force.
    pub constitution: Constitution,
    /// The founders.
    pub founders: BTreeSet<PublicKey>,
    /// The admitted members.
    pub members: BTreeSet<PublicKey>,
    /// The trust graph of unrevoked sureties.
    pub graph: TrustGraph,
    /// The admission rule's outcome: members and why, pending keys and what they lack.
    pub admission: Admission,
    /// Keys retired by a key replacement, each with the key that replaced it.
    pub retired: BTreeMap<PublicKey, PublicKey>,
    /// Members who left (kind 30), each with their departure and the fork
    /// they left for, if any: no longer members.
    pub departed: BTreeMap<PublicKey, Departed>,
    /// Statements held but without effect, and why (for audits).
    pub ignored: Vec<(StatementId, &'static str)>,
    /// Notes, in canonical order.
    pub notes: Vec<NoteRecord>,
    /// When the community was founded (founder's clock).
    pub founded: u64,
    /// How many statements the state was computed from.
    pub statements: usize,
}

impl CommunityState {
    /// Compute the state of `community` from its statements (any order,
    /// duplicates allowed).
    pub fn from_statements(
        community: &CommunityId,
        statements: &[Statement],
    ) -> Result<Self, StateError> {
        let unique = ledger::dag::unique(statements);
        for s in &unique {
            if &s.community() != community {
                return Err(StateError::Foreign {
                    id: s.id(),
                    found: s.community(),
                    expected: *community,
                });
            }
        }
        let order = ledger::dag::canonical_order(&unique)?;
        let adopted = crate::governed::constitution_adoptions(community, &unique, &order, None)?;
        Self::from_order(community, &order, &adopted)
    }

    /// [`CommunityState::from_statements`] with the constitutions adopted
    /// so far given (`crate::governed`): the one whose adopting statement
    /// `statements` hold is in force.
    pub(crate) fn from_statements_with(
        community: &CommunityId,
        statements: &[Statement],
        adopted: &crate::governed::Adoptions,
    ) -> Result<Self, StateError> {
        let unique = ledger::dag::unique(statements);
        let order = ledger::dag::canonical_order(&unique)?;
        Self::from_order(community, &order, adopted)
    }

    /// Compute the state by applying `record`'s statements in record order
    /// (`crate::record`): the final prefix first, then the tentative rest.
    pub fn from_record(record: &crate::Record) -> Result<Self, StateError> {
        let all = record.statements();
        let order: Vec<&Statement> = all.iter().collect();
        let final_len = record.follows_lace().then(|| record.final_len());
        let adopted =
            crate::governed::constitution_adoptions(&record.community(), all, &order, final_len)?;
        Self::from_order(&record.community(), &order, &adopted)
    }

    /// Apply `order` (causal: every statement after its predecessors)
    /// under the constitution in force there: the genesis one, or the last
    /// one `adopted` whose adopting statement `order` holds.
    fn from_order(
        community: &CommunityId,
        order: &[&Statement],
        adopted: &crate::governed::Adoptions,
    ) -> Result<Self, StateError> {
        let genesis = order
            .iter()
            .find(|s| s.id() == *community)
            .ok_or(StateError::NoGenesis(*community))?;
        let Payload::Genesis(g) = genesis.payload() else {
            return Err(StateError::NoGenesis(*community));
        };
        let founders: BTreeSet<PublicKey> = g.founders().iter().copied().collect();
        let mut state = CommunityState {
            id: *community,
            constitution: adopted.in_force(g.constitution(), order).clone(),
            members: BTreeSet::new(),
            founders,
            graph: TrustGraph::new(),
            admission: Admission::default(),
            retired: BTreeMap::new(),
            departed: BTreeMap::new(),
            ignored: Vec::new(),
            notes: Vec::new(),
            founded: genesis.time(),
            statements: order.len(),
        };
        state.apply_membership(order);
        for s in order {
            match s.payload() {
                Payload::Genesis(_) if s.id() != *community => state
                    .ignored
                    .push((s.id(), "a second genesis for the same community")),
                Payload::Genesis(_)
                | Payload::Surety(_)
                | Payload::Revocation(_)
                | Payload::KeyReplacement(_) => {}
                // Decisions have their own state (`crate::decision`).
                Payload::VotingKey(_)
                | Payload::DecisionOpen(_)
                | Payload::TrusteeJoin(_)
                | Payload::DkgDeal(_)
                | Payload::DkgReveal(_)
                | Payload::Ballot(_)
                | Payload::DecisionClose(_)
                | Payload::DecryptionShare(_)
                | Payload::DecisionResult(_)
                | Payload::KeyConfirmation(_)
                | Payload::KeyCheck(_)
                | Payload::KeyRecovery(_)
                | Payload::RuledDecisionOpen(_)
                | Payload::BallotShares(_)
                | Payload::Shuffle(_)
                | Payload::Proposal(_)
                | Payload::GovernedOpen(_)
                | Payload::GovernedElection(_) => {}
                // Assemblies have their own state (`crate::assembly`).
                Payload::AssemblyDraw(_)
                | Payload::CoinShare(_)
                | Payload::Resignation(_)
                | Payload::Features(_) => {}
                // Applied with the membership (`apply_membership`).
                Payload::Departure(_) => {}
                // A federation's pins of its members are checked with
                // certificates (`federation::pins`).
                Payload::MemberPin(_) => {}
                // Only members speak for the community; others' notes are kept
                // in the store but are not part of its state.
                Payload::Note(_) if !state.members.contains(&s.author()) => {}
                Payload::Note(n) => state.notes.push(NoteRecord {
                    id: s.id().to_string(),
                    author: s.author().fingerprint().to_string(),
                    time: s.time(),
                    text: n.text().to_string(),
                }),
            }
        }
        Ok(state)
    }

    /// Build the trust graph and apply the admission rule.
    ///
    /// Set semantics make the result independent of arrival order: the
    /// active sureties are all sureties minus those revoked by one of their
    /// parties; the active key replacements are those the old key has not
    /// contested (by a revocation naming the replacement). Retirement then
    /// grows monotonically: while some active replacement's new key is
    /// admitted and its old key is not yet retired, retire the old key and
    /// recompute admission. The retired set only grows, so this ends after
    /// at most one round per replacement.
    fn apply_membership(&mut self, order: &[&Statement]) {
        let by_id: BTreeMap<StatementId, &Statement> = order.iter().map(|s| (s.id(), *s)).collect();
        let mut revoked: BTreeSet<StatementId> = BTreeSet::new();
        let mut contested: BTreeSet<StatementId> = BTreeSet::new();
        for s in order {
            let Payload::Revocation(r) = s.payload() else {
                continue;
            };
            match by_id.get(&r.surety).map(|t| (t.author(), t.payload())) {
                Some((a, Payload::Surety(su))) if a == s.author() || su.peer == s.author() => {
                    revoked.insert(r.surety);
                }
                Some((_, Payload::KeyReplacement(kr))) if kr.old == s.author() => {
                    contested.insert(r.surety);
                }
                Some(_) => self.ignored.push((
                    s.id(),
                    "revocation by a key that is not a party to what it revokes",
                )),
                None => self
                    .ignored
                    .push((s.id(), "revocation of a statement this node does not hold")),
            }
        }
        let departures = self.departures(order);
        for (at, s) in order.iter().enumerate() {
            if let Payload::Surety(su) = s.payload() {
                // A surety a departed member is party to counts only if it
                // precedes the departure in the record's order.
                let after_departure = [s.author(), su.peer]
                    .iter()
                    .any(|k| departures.get(k).is_some_and(|(d, _)| *d < at));
                if after_departure {
                    self.ignored
                        .push((s.id(), "surety made after one party's departure"));
                } else if !revoked.contains(&s.id()) {
                    self.graph.add(s.author(), su.peer, s.id().0);
                }
            }
        }
        let replacements: Vec<(PublicKey, PublicKey)> = order
            .iter()
            .filter(|s| !contested.contains(&s.id()))
            .filter_map(|s| match s.payload() {
                Payload::KeyReplacement(kr) => Some((s.author(), kr.old)),
                _ => None,
            })
            .collect();
        let min = self.constitution.admission.min_sureties;
        loop {
            let retired: BTreeSet<PublicKey> = self.retired.keys().copied().collect();
            let admission = admit(&self.graph, &self.founders, min, &retired);
            let newly: Vec<(PublicKey, PublicKey)> = replacements
                .iter()
                .filter(|(new, old)| admission.is_member(new) && !self.retired.contains_key(old))
                .copied()
                .collect();
            if newly.is_empty() {
                self.admission = admission;
                self.apply_departures(departures);
                self.members = self.admission.admitted.keys().copied().collect();
                return;
            }
            for (new, old) in newly {
                self.retired.insert(old, new);
            }
        }
    }

    /// Each author's first departure in `order`: its position and
    /// statement; later ones are ignored.
    fn departures(&mut self, order: &[&Statement]) -> BTreeMap<PublicKey, (usize, Departed)> {
        let mut out = BTreeMap::new();
        for (at, s) in order.iter().enumerate() {
            let Payload::Departure(d) = s.payload() else {
                continue;
            };
            if out.contains_key(&s.author()) {
                self.ignored
                    .push((s.id(), "a second departure of the same key"));
                continue;
            }
            let departed = Departed {
                statement: s.id(),
                fork: d.fork,
            };
            out.insert(s.author(), (at, departed));
        }
        out
    }

    /// Take the departed out of the admitted: from their departure on
    /// they are not members. Their earlier sureties still count (leaving
    /// does not make the people they met in person less real), so nobody
    /// else's admission changes. A departure by a key that is not a
    /// member changes nothing.
    fn apply_departures(&mut self, departures: BTreeMap<PublicKey, (usize, Departed)>) {
        for (key, (_, departed)) in departures {
            if self.admission.admitted.remove(&key).is_some() {
                self.departed.insert(key, departed);
            } else {
                self.ignored.push((
                    departed.statement,
                    "departure by a key that is not a member",
                ));
            }
        }
    }

    /// A hash of the whole state, equal on every node that holds the same
    /// statements.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"grassroots/community-state/v1\0");
        h.update(self.id.0);
        h.update(self.constitution.to_json().as_bytes());
        for set in [&self.founders, &self.members] {
            h.update((set.len() as u64).to_be_bytes());
            for k in set {
                h.update(k.as_bytes());
            }
        }
        for (a, b) in self.graph.edges() {
            h.update(a.as_bytes());
            h.update(b.as_bytes());
        }
        for (old, new) in &self.retired {
            h.update(old.as_bytes());
            h.update(new.as_bytes());
        }
        // Hashed only when there are departures, so the digests of
        // communities without any are those of earlier builds.
        if !self.departed.is_empty() {
            h.update(b"departed");
            for (k, d) in &self.departed {
                h.update(k.as_bytes());
                h.update(d.statement.0);
            }
        }
        for n in &self.notes {
            h.update(n.id.as_bytes());
        }
        h.finalize().into()
    }
}
