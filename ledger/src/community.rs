//! Community state: a pure function of the statements a node holds.
//!
//! [`CommunityState::from_statements`] folds a community's statements,
//! in a canonical order, into its state: name, constitution, founders,
//! members, notes. The order is causal, with ties broken by
//! statement id, so two nodes holding the same set of statements compute
//! the same state, whatever order they received them in. [`CommunityState::digest`]
//! condenses the state into one hash that nodes can compare.

use crate::payload::{Kind, Payload};
use crate::statement::{CommunityId, Statement, StatementId};
use governance::Constitution;
use identity::{admit, Admission, PublicKey, TrustGraph};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashSet};

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
    /// Statements held but without effect, and why (for audits).
    pub ignored: Vec<(StatementId, &'static str)>,
    /// Notes, in canonical order.
    pub notes: Vec<NoteRecord>,
    /// When the community was founded (founder's clock).
    pub founded: u64,
    /// How many statements the state was computed from.
    pub statements: usize,
}

/// Order `statements` canonically: every statement after its predecessors,
/// and among those ready at the same time, the smallest id first (Kahn's
/// algorithm with a min-heap).
pub fn canonical_order(statements: &[Statement]) -> Result<Vec<&Statement>, StateError> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let by_id: BTreeMap<StatementId, &Statement> = statements.iter().map(|s| (s.id(), s)).collect();
    let mut waiting: BTreeMap<StatementId, usize> = BTreeMap::new();
    let mut children: BTreeMap<StatementId, Vec<StatementId>> = BTreeMap::new();
    let mut ready = BinaryHeap::new();
    for s in by_id.values() {
        for p in s.preds() {
            if !by_id.contains_key(p) {
                return Err(StateError::MissingPredecessor {
                    id: s.id(),
                    pred: *p,
                });
            }
            children.entry(*p).or_default().push(s.id());
        }
        waiting.insert(s.id(), s.preds().len());
        if s.preds().is_empty() {
            ready.push(Reverse(s.id()));
        }
    }
    let mut out = Vec::with_capacity(by_id.len());
    while let Some(Reverse(id)) = ready.pop() {
        out.push(by_id[&id]);
        for c in children.get(&id).into_iter().flatten() {
            let n = waiting.get_mut(c).expect("every child is waiting");
            *n -= 1;
            if *n == 0 {
                ready.push(Reverse(*c));
            }
        }
    }
    Ok(out)
}

impl CommunityState {
    /// Compute the state of `community` from its statements (any order,
    /// duplicates allowed).
    pub fn from_statements(
        community: &CommunityId,
        statements: &[Statement],
    ) -> Result<Self, StateError> {
        let mut seen = HashSet::new();
        let unique: Vec<Statement> = statements
            .iter()
            .filter(|s| seen.insert(s.id()))
            .cloned()
            .collect();
        for s in &unique {
            if &s.community() != community {
                return Err(StateError::Foreign {
                    id: s.id(),
                    found: s.community(),
                    expected: *community,
                });
            }
        }
        let genesis = unique
            .iter()
            .find(|s| s.kind() == Kind::Genesis)
            .ok_or(StateError::NoGenesis(*community))?;
        let Payload::Genesis(g) = genesis.payload() else {
            unreachable!("a genesis statement carries a genesis payload")
        };
        let founders: BTreeSet<PublicKey> = g.founders().iter().copied().collect();
        let order = canonical_order(&unique)?;
        let mut state = CommunityState {
            id: *community,
            constitution: g.constitution().clone(),
            members: BTreeSet::new(),
            founders,
            graph: TrustGraph::new(),
            admission: Admission::default(),
            retired: BTreeMap::new(),
            ignored: Vec::new(),
            notes: Vec::new(),
            founded: genesis.time(),
            statements: unique.len(),
        };
        state.apply_membership(&order);
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
                | Payload::RuledDecisionOpen(_)
                | Payload::BallotShares(_) => {}
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
        for s in order {
            if let Payload::Surety(su) = s.payload() {
                if !revoked.contains(&s.id()) {
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
                self.members = admission.admitted.keys().copied().collect();
                self.admission = admission;
                return;
            }
            for (new, old) in newly {
                self.retired.insert(old, new);
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
        for n in &self.notes {
            h.update(n.id.as_bytes());
        }
        h.finalize().into()
    }
}

/// The statements nothing else builds on yet: what a new statement should
/// name as its predecessors (at most [`crate::statement::MAX_PREDS`], smallest ids first).
pub fn heads(statements: &[Statement]) -> Vec<StatementId> {
    let built_on: HashSet<StatementId> = statements
        .iter()
        .flat_map(|s| s.preds().iter().copied())
        .collect();
    let mut heads: Vec<StatementId> = statements
        .iter()
        .map(|s| s.id())
        .filter(|id| !built_on.contains(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    heads.truncate(crate::statement::MAX_PREDS);
    heads
}

/// Found a community: a genesis signed by `founder`, naming `founder` and
/// `co_founders`, under `constitution`.
pub fn found(
    founder: &identity::Keypair,
    constitution: Constitution,
    co_founders: &[PublicKey],
    time: u64,
) -> Result<Statement, crate::StatementError> {
    use rand::RngCore;
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut founders = co_founders.to_vec();
    founders.push(founder.public());
    Statement::sign(
        founder,
        crate::Draft {
            community: StatementId::ZERO,
            time,
            preds: Vec::new(),
            payload: Payload::Genesis(crate::Genesis::new(constitution, founders, salt)),
        },
    )
}

/// Sign `payload` for `community`, building on the current `heads` of its statements.
pub fn say(
    author: &identity::Keypair,
    community: &CommunityId,
    statements: &[Statement],
    payload: Payload,
    time: u64,
) -> Result<Statement, crate::StatementError> {
    Statement::sign(
        author,
        crate::Draft {
            community: *community,
            time,
            preds: heads(statements),
            payload,
        },
    )
}
