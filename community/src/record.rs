//! The record's order: what the community state machine applies, and in
//! which order.
//!
//! A device holds statements from three sources: its own, those imported
//! from files or submitted by others, and those carried by blocks of the
//! community's blocklace. Only the last have an order every device agrees
//! on: the lace's **final order** (`docs/ledger.md` §5), the same at every
//! correct node and never reverted. The record is:
//!
//! 1. the genesis (its id is the community id);
//! 2. the statements of the final blocks, epoch after epoch, block after
//!    block, each at its **first** occurrence, and each **delivered only
//!    once all its predecessors are**: a statement whose predecessor
//!    becomes final later waits, and is delivered right after it (among
//!    several released at once, in the order they appeared). This depends
//!    on the final block order alone, so every device computes the same
//!    sequence — the *final* prefix;
//! 3. then everything else the device holds (the *tentative* suffix), in
//!    canonical order (causal, ties by statement id). It is this device's
//!    provisional view: it can change as statements become final, and it
//!    is not covered by the state root.
//!
//! Conflicts (two closes, two steps of one trustee) are settled by this
//! order: the first counts. In the final prefix, nobody can choose the
//! position by grinding a statement's id; in the tentative suffix, ids
//! still break ties, which is why a trustee shares only for a *final*
//! close on a device that follows a lace (see `crate::vote`).
//!
//! **State root.** After each final position `i` the record has a root
//! `r_i = SHA-256("grassroots/record-root/v1" ‖ r_{i−1} ‖ id_i)`, with
//! `r_0` computed from the genesis id alone. The state after position
//! `i` is a pure function of the first `i` final statements, so two
//! devices with equal roots at `i` have equal states at `i` (same software
//! version); the root is what devices, and later a federation, compare.

use ledger::statement::{CommunityId, Statement, StatementId};
use ledger::store::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Why a record cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No genesis for the community.
    #[error("community {0} has no genesis statement here")]
    NoGenesis(CommunityId),
}

/// A community's statements in record order.
#[derive(Clone, Debug)]
pub struct Record {
    community: CommunityId,
    statements: Vec<Statement>,
    final_len: usize,
    follows_lace: bool,
    root: [u8; 32],
}

/// The root before any final statement, `r_0`: from the genesis id alone.
/// Public so that a verifier of another community's record (the
/// `federation` crate) recomputes roots with this very function.
pub fn genesis_root(community: &CommunityId) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"grassroots/record-root/v1\0genesis")
        .chain_update(community.0)
        .finalize()
        .into()
}

/// The root after appending the final statement `id` to a record whose
/// root was `root`: `r_i = SHA-256("grassroots/record-root/v1\0" ‖ r_{i−1} ‖ id_i)`.
pub fn next_root(root: &[u8; 32], id: &StatementId) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"grassroots/record-root/v1\0")
        .chain_update(root)
        .chain_update(id.0)
        .finalize()
        .into()
}

impl Record {
    /// Build the record from the statements of final blocks, in final
    /// block order (duplicates and out-of-causal-order arrivals allowed),
    /// and the other statements the device holds (any order). The genesis
    /// must be among `held`. `follows_lace` says whether the device has a
    /// lace for the community (then only final statements are settled).
    pub fn new(
        genesis: Statement,
        final_blocks: Vec<Statement>,
        held: Vec<Statement>,
        follows_lace: bool,
    ) -> Record {
        let community = genesis.id();
        let mut d = Delivery::new(genesis);
        let mut queued: HashSet<StatementId> = HashSet::new();
        for s in final_blocks {
            if s.community() == community && queued.insert(s.id()) {
                d.offer(s);
            }
        }
        let final_len = d.out.len();
        // The tentative suffix: everything else held, in canonical order
        // after the final prefix; statements still waiting for a
        // predecessor nobody holds are left out.
        let mut rest: Vec<Statement> = d.waiting.into_iter().flatten().collect();
        rest.extend(held.into_iter().filter(|s| s.community() == community));
        let mut seen = HashSet::new();
        rest.retain(|s| !d.delivered.contains(&s.id()) && seen.insert(s.id()));
        let mut statements = d.out;
        statements.extend(tentative_order(&d.delivered, rest));
        Record {
            community,
            statements,
            final_len,
            follows_lace,
            root: d.root,
        }
    }

    /// Read `community`'s record from `store`: the statements carried by
    /// its final blocks in final order, then every other stored statement.
    pub fn load(store: &Store, community: &CommunityId) -> Result<Record, RecordError> {
        let genesis = store
            .get(community)?
            .ok_or(RecordError::NoGenesis(*community))?;
        let final_blocks = store.final_statements(community)?;
        let follows_lace = store.final_len(community, 0)? > 0;
        let held = store.statements(community)?;
        Ok(Record::new(genesis, final_blocks, held, follows_lace))
    }

    /// A record with no final part: the statements in canonical order
    /// (a device that exchanges statements by file only). The genesis must
    /// be among them.
    pub fn unordered(community: &CommunityId, statements: &[Statement]) -> Option<Record> {
        let genesis = statements.iter().find(|s| s.id() == *community)?.clone();
        Some(Record::new(genesis, Vec::new(), statements.to_vec(), false))
    }

    /// The community.
    pub fn community(&self) -> CommunityId {
        self.community
    }

    /// Every statement, in record order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The final prefix (the genesis included).
    pub fn final_statements(&self) -> &[Statement] {
        &self.statements[..self.final_len]
    }

    /// How many leading statements are final (the genesis counts as final).
    pub fn final_len(&self) -> usize {
        self.final_len
    }

    /// Whether this device follows a lace for the community: then a
    /// statement is settled only once final.
    pub fn follows_lace(&self) -> bool {
        self.follows_lace
    }

    /// Whether `id` is in the final prefix.
    pub fn is_final(&self, id: &StatementId) -> bool {
        self.statements[..self.final_len]
            .iter()
            .any(|s| s.id() == *id)
    }

    /// The state root after the last final position.
    pub fn root(&self) -> [u8; 32] {
        self.root
    }

    /// What is settled: the final prefix alone when the device follows the
    /// lace, else the whole record (a device exchanging files settles by
    /// canonical order).
    pub fn settled(&self) -> Record {
        if !self.follows_lace {
            return self.clone();
        }
        Record {
            community: self.community,
            statements: self.statements[..self.final_len].to_vec(),
            final_len: self.final_len,
            follows_lace: true,
            root: self.root,
        }
    }
}

/// Causal delivery of the final blocks' statements: each is delivered
/// once all its predecessors are, in the order offered; a statement that
/// waits is released right after its last missing predecessor, several at
/// once in the order they were offered. The root follows each delivery.
struct Delivery {
    delivered: HashSet<StatementId>,
    out: Vec<Statement>,
    root: [u8; 32],
    // statements waiting for a predecessor, by arrival index
    waiting: Vec<Option<Statement>>,
    waiting_on: HashMap<StatementId, Vec<usize>>,
    missing: Vec<usize>,
}

impl Delivery {
    fn new(genesis: Statement) -> Self {
        let community = genesis.id();
        Delivery {
            delivered: HashSet::from([community]),
            out: vec![genesis],
            root: genesis_root(&community),
            waiting: Vec::new(),
            waiting_on: HashMap::new(),
            missing: Vec::new(),
        }
    }

    fn offer(&mut self, s: Statement) {
        let lacking: Vec<StatementId> = s
            .preds()
            .iter()
            .filter(|p| !self.delivered.contains(p))
            .copied()
            .collect();
        if !lacking.is_empty() {
            let i = self.waiting.len();
            for p in &lacking {
                self.waiting_on.entry(*p).or_default().push(i);
            }
            self.missing.push(lacking.len());
            self.waiting.push(Some(s));
            return;
        }
        let mut ready = BTreeSet::new();
        let mut next = Some(s);
        while let Some(s) = next {
            let id = s.id();
            self.delivered.insert(id);
            self.root = next_root(&self.root, &id);
            self.out.push(s);
            for &i in self.waiting_on.get(&id).into_iter().flatten() {
                self.missing[i] -= 1;
                if self.missing[i] == 0 {
                    ready.insert(i);
                }
            }
            next = ready
                .pop_first()
                .map(|i| self.waiting[i].take().expect("released once"));
        }
    }
}

/// Canonical order of `rest` given that `done` are already applied.
fn tentative_order(done: &HashSet<StatementId>, rest: Vec<Statement>) -> Vec<Statement> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let ids: HashSet<StatementId> = rest.iter().map(|s| s.id()).collect();
    let mut by_id: HashMap<StatementId, Statement> = HashMap::new();
    let mut lacking: HashMap<StatementId, usize> = HashMap::new();
    let mut children: HashMap<StatementId, Vec<StatementId>> = HashMap::new();
    let mut ready = BinaryHeap::new();
    for s in rest {
        let open: Vec<StatementId> = s
            .preds()
            .iter()
            .filter(|p| !done.contains(p))
            .copied()
            .collect();
        if open.iter().any(|p| !ids.contains(p)) {
            continue; // a predecessor nobody holds: it cannot be applied
        }
        for p in &open {
            children.entry(*p).or_default().push(s.id());
        }
        if open.is_empty() {
            ready.push(Reverse(s.id()));
        }
        lacking.insert(s.id(), open.len());
        by_id.insert(s.id(), s);
    }
    let mut out = Vec::with_capacity(by_id.len());
    while let Some(Reverse(id)) = ready.pop() {
        let Some(s) = by_id.remove(&id) else { continue };
        out.push(s);
        for c in children.get(&id).into_iter().flatten() {
            if let Some(n) = lacking.get_mut(c) {
                *n -= 1;
                if *n == 0 {
                    ready.push(Reverse(*c));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use governance::Constitution;
    use identity::Keypair;
    use ledger::dag::{found, say};
    use ledger::{Note, Payload};

    fn note(k: &Keypair, g: &StatementId, held: &[Statement], text: &str) -> Statement {
        say(k, g, held, Payload::Note(Note::new(text).unwrap()), 2).unwrap()
    }

    #[test]
    fn a_statement_final_before_its_predecessor_waits_for_it() {
        let k = Keypair::generate();
        let g = found(&k, Constitution::default(), &[], 1).unwrap();
        let a = note(&k, &g.id(), std::slice::from_ref(&g), "a");
        let b = note(&k, &g.id(), &[g.clone(), a.clone()], "b");
        let c = note(&k, &g.id(), std::slice::from_ref(&g), "c");
        // b (on a) is final first, then c, then a: b waits for a.
        let r = Record::new(
            g.clone(),
            vec![b.clone(), c.clone(), a.clone()],
            vec![],
            true,
        );
        let ids: Vec<_> = r.statements().iter().map(|s| s.id()).collect();
        assert_eq!(ids, vec![g.id(), c.id(), a.id(), b.id()]);
        assert_eq!(r.final_len(), 4);
        // The root depends on the final blocks alone, not on what else a
        // device holds; duplicates in the final blocks count once.
        let other = Record::new(
            g.clone(),
            vec![b.clone(), c.clone(), b.clone(), a.clone()],
            vec![a.clone(), c.clone()],
            true,
        );
        assert_eq!(other.root(), r.root());
        // A different final order is a different root.
        let swapped = Record::new(
            g.clone(),
            vec![a.clone(), b.clone(), c.clone()],
            vec![],
            true,
        );
        assert_ne!(swapped.root(), r.root());
    }

    #[test]
    fn what_is_not_final_follows_in_canonical_order_outside_the_root() {
        let k = Keypair::generate();
        let g = found(&k, Constitution::default(), &[], 1).unwrap();
        let a = note(&k, &g.id(), std::slice::from_ref(&g), "a");
        let b = note(&k, &g.id(), &[g.clone(), a.clone()], "b");
        // b is final but a is only held: b is not final until a is.
        let r = Record::new(g.clone(), vec![b.clone()], vec![a.clone()], true);
        assert_eq!(r.final_len(), 1);
        assert_eq!(r.statements().len(), 3);
        assert!(!r.is_final(&b.id()));
        assert_eq!(
            r.root(),
            Record::new(g.clone(), vec![], vec![], true).root()
        );
        // A statement of another community, or one whose predecessor
        // nobody holds, is not part of the record.
        let k2 = Keypair::generate();
        let g2 = found(&k2, Constitution::default(), &[], 1).unwrap();
        let foreign = note(&k2, &g2.id(), std::slice::from_ref(&g2), "x");
        let r = Record::new(g.clone(), vec![foreign], vec![b.clone()], false);
        assert_eq!(r.statements().len(), 1);
        assert!(!r.follows_lace());
    }
}
