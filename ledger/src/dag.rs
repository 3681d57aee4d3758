//! The statement DAG: its heads, a canonical order of any set of
//! statements, the causal past of one, and signing a new statement on the
//! current heads.
//!
//! These are facts about statements alone; what a community's statements
//! *mean* is applied above the ledger, by the `community` crate.

use crate::payload::Payload;
use crate::statement::{CommunityId, Statement, StatementId};
use governance::Constitution;
use identity::PublicKey;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A statement names a predecessor that is not among the statements given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("statement {id} builds on {pred}, which is missing")]
pub struct MissingPredecessor {
    /// The statement.
    pub id: StatementId,
    /// The missing predecessor.
    pub pred: StatementId,
}

/// Order `statements` canonically: every statement after its predecessors,
/// and among those ready at the same time, the smallest id first (Kahn's
/// algorithm with a min-heap).
pub fn canonical_order(statements: &[Statement]) -> Result<Vec<&Statement>, MissingPredecessor> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let by_id: BTreeMap<StatementId, &Statement> = statements.iter().map(|s| (s.id(), s)).collect();
    let mut waiting: BTreeMap<StatementId, usize> = BTreeMap::new();
    let mut children: BTreeMap<StatementId, Vec<StatementId>> = BTreeMap::new();
    let mut ready = BinaryHeap::new();
    for s in by_id.values() {
        for p in s.preds() {
            if !by_id.contains_key(p) {
                return Err(MissingPredecessor {
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

/// `statements` without repeats (the first copy of each id kept, in order).
pub fn unique(statements: &[Statement]) -> Vec<Statement> {
    let mut seen = HashSet::new();
    statements
        .iter()
        .filter(|s| seen.insert(s.id()))
        .cloned()
        .collect()
}

/// The causal past of `id` (itself included) among `by_id`.
pub fn causal_past(
    by_id: &HashMap<StatementId, &Statement>,
    id: &StatementId,
) -> HashSet<StatementId> {
    let mut seen = HashSet::new();
    let mut stack = vec![*id];
    while let Some(x) = stack.pop() {
        if !seen.insert(x) {
            continue;
        }
        if let Some(s) = by_id.get(&x) {
            stack.extend(s.preds().iter().copied());
        }
    }
    seen
}

/// Add the causal past of `id` to `past`, which must already be causally
/// closed (a union of causal pasts): the walk stops at statements `past`
/// holds, since their pasts are in it too. Adding the pasts of many
/// statements this way costs one walk over their union, not one walk each.
pub fn extend_causal_past(
    by_id: &HashMap<StatementId, &Statement>,
    past: &mut HashSet<StatementId>,
    id: &StatementId,
) {
    let mut stack = vec![*id];
    while let Some(x) = stack.pop() {
        if !past.insert(x) {
            continue;
        }
        if let Some(s) = by_id.get(&x) {
            stack.extend(s.preds().iter().copied());
        }
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
    sign_genesis(founder, genesis(founder, constitution, co_founders), time)
}

/// Break away: the genesis of a fork signed by `founder`, naming `founder`
/// and `co_founders`, under `constitution`, citing `parent` as the shared
/// history. Whether the citation is true is for the caller to check
/// (`community::fork`).
pub fn found_fork(
    founder: &identity::Keypair,
    constitution: Constitution,
    co_founders: &[PublicKey],
    parent: crate::ParentCitation,
    time: u64,
) -> Result<Statement, crate::StatementError> {
    let g = genesis(founder, constitution, co_founders).with_parent(parent);
    sign_genesis(founder, g, time)
}

fn genesis(
    founder: &identity::Keypair,
    constitution: Constitution,
    co_founders: &[PublicKey],
) -> crate::Genesis {
    use rand::RngCore;
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut founders = co_founders.to_vec();
    founders.push(founder.public());
    crate::Genesis::new(constitution, founders, salt)
}

fn sign_genesis(
    founder: &identity::Keypair,
    genesis: crate::Genesis,
    time: u64,
) -> Result<Statement, crate::StatementError> {
    Statement::sign(
        founder,
        crate::Draft {
            community: StatementId::ZERO,
            time,
            preds: Vec::new(),
            payload: Payload::Genesis(genesis),
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
