//! The blocklace: a causally closed set of valid blocks, with the relations
//! the ordering rule needs.
//!
//! # Invariants
//!
//! A block enters only if its whole causal past is already here ("only blocks
//! with complete valid causal past enter"). Hence insertion order is a
//! topological order, every block's *depth* (its round) is known on arrival,
//! and cycles are impossible. On insertion we check, in this order:
//!
//! 1. the block belongs to this lace's epoch and its creator is a participant;
//! 2. every predecessor is present (otherwise [`InsertError::MissingPreds`]);
//! 3. **self-parent rule**: a block with `seq = 0` names no block of its own
//!    creator; a block with `seq = k > 0` names exactly one, and it has
//!    `seq = k − 1`. A correct creator's blocks therefore form a chain;
//! 4. **cordiality**: `round(b) = 0` if `b` has no predecessors, else
//!    `1 + max round(pred)`, and a block of round `r > 0` must name blocks of
//!    round `r − 1` by a supermajority of distinct creators. (Correct miners
//!    do this by construction; checking it makes every later block of any
//!    creator observe a supermajority of the previous round, which is what
//!    makes "a final leader is ratified by every later leader" hold.)
//!
//! # Relations
//!
//! * `b` *observes* `b'` (`b ≽ b'`) if `b'` is reachable from `b` by
//!   predecessor links (reflexive). `[b]` is the set `b` observes.
//! * `E(b)`: creators `p` such that `[b]` holds two distinct blocks of `p`
//!   with the same `seq` — `b` observes `p` equivocate (see
//!   [`super::equivocation`]). `E(b) = ⋃ E(pred) ∪` the creators whose
//!   conflicting pair first meets in `b`; computed once, on insertion.
//! * `b` *approves* `b'` if `b ≽ b'` and `creator(b') ∉ E(b)`: `b` observes
//!   `b'` and no equivocation by its creator. (The paper asks only that `b`
//!   observe no block equivocating *with `b'`*; ours approves a subset of
//!   what the paper's approves, so its safety arguments still apply, and it
//!   makes "an equivocator's later blocks" unapprovable.)
//! * `b` *ratifies* `b'` if `[b]` holds blocks approving `b'` by a
//!   supermajority of distinct creators.
//!
//! For the wave structure we cache one *vote* per block: a block of the
//! second round of a wave records the leader block it approves, a block of
//! the third round records the leader block it ratifies. Because rounds are
//! depths, a round `r + 1` block observes a round `r` block only if it names
//! it directly, so these votes are computed from predecessors alone.

use super::block::{Block, BlockError, BlockHash, IdMap};
use super::equivocation::EquivocationProof;
use super::participants::{ParticipantIdx, Participants};
use super::wave;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// Index of a block in one node's lace (its insertion position).
pub type LocalId = u32;

/// Why a block could not enter the lace.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsertError {
    /// Decoding or signature failure.
    #[error(transparent)]
    Block(#[from] BlockError),
    /// The block is for another epoch.
    #[error("block is for epoch {got}, this lace is epoch {expected}")]
    WrongEpoch {
        /// Block's epoch.
        got: u64,
        /// Lace's epoch.
        expected: u64,
    },
    /// The creator is not a participant of this epoch.
    #[error("creator {0} is not a participant of this epoch")]
    NotParticipant(String),
    /// A creator's first block of this epoch does not link to the history
    /// this device closed the previous epoch with.
    #[error("first block of its creator in this epoch links to another history than this device's cut of the previous epoch")]
    WrongLink,
    /// The block is already in the lace.
    #[error("block {0:?} is already in the lace")]
    Duplicate(BlockHash),
    /// Some predecessors are not (yet) in the lace.
    #[error("{} predecessor(s) unknown, first {:?}", .0.len(), .0.first())]
    MissingPreds(Vec<BlockHash>),
    /// The self-parent rule is violated.
    #[error("self-parent rule violated: seq {seq} names {own} own block(s){}", match .own_seq { Some(s) => format!(" with seq {s}"), None => String::new() })]
    SelfParent {
        /// The block's seq.
        seq: u64,
        /// How many predecessors are by the same creator.
        own: usize,
        /// Seq of the single own predecessor, if there is one.
        own_seq: Option<u64>,
    },
    /// The block does not name a supermajority of the previous round.
    #[error("block of round {round} names {have} creators of round {}, needs {need}", .round - 1)]
    NotCordial {
        /// The block's round (depth).
        round: u64,
        /// Distinct creators of round − 1 named.
        have: usize,
        /// Supermajority.
        need: usize,
    },
}

/// A block in the lace with the facts computed on insertion.
#[derive(Debug)]
pub struct Entry {
    /// The block.
    pub block: Arc<Block>,
    /// Creator's participant index.
    pub creator: ParticipantIdx,
    /// Depth: 0 for a block without predecessors, else 1 + max over predecessors.
    pub round: u64,
    /// Predecessors as local ids.
    pub preds: Box<[LocalId]>,
    /// Creators whose equivocation this block observes (sorted).
    pub equivocators: Box<[ParticipantIdx]>,
    /// Leader block approved (wave round 1) or ratified (wave round 2).
    pub vote: Option<LocalId>,
}

/// What an insertion produced.
#[derive(Debug)]
pub struct Inserted {
    /// Local id of the new block.
    pub id: LocalId,
    /// A new equivocation proof, if this block conflicts with an earlier one.
    pub equivocation: Option<EquivocationProof>,
}

/// A causally closed set of valid blocks of one epoch.
#[derive(Debug)]
pub struct Lace {
    participants: Participants,
    epoch: u64,
    entries: Vec<Entry>,
    index: IdMap<LocalId>,
    slots: HashMap<(ParticipantIdx, u64), LocalId>,
    conflicts: BTreeMap<ParticipantIdx, BTreeMap<u64, Vec<LocalId>>>,
    by_round: Vec<Vec<LocalId>>,
    round_creators: Vec<Vec<bool>>,
    round_count: Vec<usize>,
    by_creator: Vec<Vec<LocalId>>,
    tips: BTreeSet<LocalId>,
    proofs: Vec<EquivocationProof>,
    quorum_round: Option<u64>,
}

impl Lace {
    /// An empty lace for `epoch` among `participants`.
    pub fn new(epoch: u64, participants: Participants) -> Self {
        let n = participants.n();
        Lace {
            participants,
            epoch,
            entries: Vec::new(),
            index: IdMap::default(),
            slots: HashMap::new(),
            conflicts: BTreeMap::new(),
            by_round: Vec::new(),
            round_creators: Vec::new(),
            round_count: Vec::new(),
            by_creator: vec![Vec::new(); n],
            tips: BTreeSet::new(),
            proofs: Vec::new(),
            quorum_round: None,
        }
    }

    /// The participant set.
    pub fn participants(&self) -> &Participants {
        &self.participants
    }
    /// The epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Entry by local id.
    pub fn entry(&self, id: LocalId) -> &Entry {
        &self.entries[id as usize]
    }
    /// Local id of a block hash, if present.
    pub fn id_of(&self, hash: &BlockHash) -> Option<LocalId> {
        self.index.get(hash).copied()
    }
    /// True if the block is in the lace.
    pub fn contains(&self, hash: &BlockHash) -> bool {
        self.index.contains_key(hash)
    }
    /// Blocks of a round.
    pub fn round(&self, r: u64) -> &[LocalId] {
        self.by_round.get(r as usize).map_or(&[], |v| v)
    }
    /// Highest round `r` with blocks by a supermajority of creators.
    pub fn quorum_round(&self) -> Option<u64> {
        self.quorum_round
    }
    /// Blocks observed by no other block of the lace.
    pub fn tips(&self) -> impl Iterator<Item = LocalId> + '_ {
        self.tips.iter().copied()
    }
    /// The blocks of one creator, in insertion order.
    pub fn by_creator(&self, c: ParticipantIdx) -> &[LocalId] {
        self.by_creator.get(c as usize).map_or(&[], |v| v)
    }
    /// Equivocation proofs found so far.
    pub fn proofs(&self) -> &[EquivocationProof] {
        &self.proofs
    }
    /// Has this creator been caught equivocating in this lace?
    pub fn is_equivocator(&self, creator: ParticipantIdx) -> bool {
        self.conflicts.contains_key(&creator)
    }
    /// All entries in insertion (topological) order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Leader blocks of `wave` present: blocks by the wave's leader in its
    /// first round (more than one only if the leader equivocated).
    pub fn leader_blocks(&self, w: u64) -> impl Iterator<Item = LocalId> + '_ {
        let leader = wave::leader(w, self.participants.n());
        self.round(wave::first_round(w))
            .iter()
            .copied()
            .filter(move |&id| self.entries[id as usize].creator == leader)
    }

    /// Does `from` observe `target`? Depth-first search bounded by rounds.
    pub fn observes(&self, from: LocalId, target: LocalId) -> bool {
        if from == target {
            return true;
        }
        let tr = self.entries[target as usize].round;
        if self.entries[from as usize].round <= tr {
            return false;
        }
        let mut seen = HashSet::new();
        let mut stack = vec![from];
        while let Some(x) = stack.pop() {
            for &p in self.entries[x as usize].preds.iter() {
                if p == target {
                    return true;
                }
                if self.entries[p as usize].round > tr && seen.insert(p) {
                    stack.push(p);
                }
            }
        }
        false
    }

    /// Verify the signature and insert.
    pub fn insert(&mut self, block: Arc<Block>) -> Result<Inserted, InsertError> {
        self.verify(&block)?;
        self.insert_verified(block)
    }

    /// Check a block's signature against the cached key of its creator,
    /// refusing non-participants.
    pub fn verify(&self, block: &Block) -> Result<(), InsertError> {
        let creator = block.header().creator();
        let key = self
            .participants
            .index_of(creator)
            .and_then(|i| self.participants.key(i))
            .ok_or_else(|| InsertError::NotParticipant(hex::encode(creator)))?;
        Ok(block.header().verify_with(key)?)
    }

    /// Insert a block whose signature the caller has already verified.
    pub(crate) fn insert_verified(&mut self, block: Arc<Block>) -> Result<Inserted, InsertError> {
        let h = block.header();
        if h.epoch() != self.epoch {
            return Err(InsertError::WrongEpoch {
                got: h.epoch(),
                expected: self.epoch,
            });
        }
        let creator = self
            .participants
            .index_of(h.creator())
            .ok_or_else(|| InsertError::NotParticipant(hex::encode(h.creator())))?;
        if self.index.contains_key(&block.id()) {
            return Err(InsertError::Duplicate(block.id()));
        }
        let mut preds = Vec::with_capacity(h.preds().len());
        let mut missing = Vec::new();
        for p in h.preds() {
            match self.index.get(p) {
                Some(&id) => preds.push(id),
                None => missing.push(*p),
            }
        }
        if !missing.is_empty() {
            return Err(InsertError::MissingPreds(missing));
        }
        // self-parent rule
        let own: Vec<LocalId> = preds
            .iter()
            .copied()
            .filter(|&p| self.entries[p as usize].creator == creator)
            .collect();
        let seq = h.seq();
        let own_seq = own
            .first()
            .map(|&p| self.entries[p as usize].block.header().seq());
        let ok = if seq == 0 {
            own.is_empty()
        } else {
            own.len() == 1 && own_seq == Some(seq - 1)
        };
        if !ok {
            return Err(InsertError::SelfParent {
                seq,
                own: own.len(),
                own_seq,
            });
        }
        // round and cordiality
        let round = preds
            .iter()
            .map(|&p| self.entries[p as usize].round + 1)
            .max()
            .unwrap_or(0);
        if round > 0 {
            let have = self.distinct_creators(
                preds
                    .iter()
                    .copied()
                    .filter(|&p| self.entries[p as usize].round == round - 1),
            );
            let need = self.participants.supermajority();
            if have < need {
                return Err(InsertError::NotCordial { round, have, need });
            }
        }
        // accepted: record
        let id = self.entries.len() as LocalId;
        let mut eq: BTreeSet<ParticipantIdx> = BTreeSet::new();
        for &p in &preds {
            eq.extend(self.entries[p as usize].equivocators.iter().copied());
        }
        self.entries.push(Entry {
            block: block.clone(),
            creator,
            round,
            preds: preds.into_boxed_slice(),
            equivocators: Box::new([]),
            vote: None,
        });
        self.index.insert(block.id(), id);
        let equivocation = match self.slots.get(&(creator, seq)) {
            None => {
                self.slots.insert((creator, seq), id);
                None
            }
            Some(&first) => {
                let slot = self
                    .conflicts
                    .entry(creator)
                    .or_default()
                    .entry(seq)
                    .or_insert_with(|| vec![first]);
                slot.push(id);
                let proof = EquivocationProof::new(
                    self.entries[first as usize].block.header().clone(),
                    block.header().clone(),
                )
                .ok();
                if let Some(p) = &proof {
                    if slot.len() == 2 {
                        self.proofs.push(p.clone());
                    }
                }
                proof.filter(|_| slot.len() == 2)
            }
        };
        // equivocations first met in this block
        let candidates: Vec<ParticipantIdx> = self
            .conflicts
            .keys()
            .copied()
            .filter(|q| !eq.contains(q))
            .collect();
        for q in candidates {
            let meets = self.conflicts[&q].values().any(|slot| {
                slot.iter()
                    .filter(|&&x| self.observes(id, x))
                    .take(2)
                    .count()
                    == 2
            });
            if meets {
                eq.insert(q);
            }
        }
        let eq: Box<[ParticipantIdx]> = eq.into_iter().collect();
        let vote = self.compute_vote(id, round, &eq);
        let e = &mut self.entries[id as usize];
        e.equivocators = eq;
        e.vote = vote;
        // indexes
        for p in self.entries[id as usize].preds.iter() {
            self.tips.remove(p);
        }
        self.tips.insert(id);
        self.by_creator[creator as usize].push(id);
        let r = round as usize;
        let n = self.participants.n();
        while self.by_round.len() <= r {
            self.by_round.push(Vec::new());
            self.round_creators.push(vec![false; n]);
            self.round_count.push(0);
        }
        self.by_round[r].push(id);
        if !self.round_creators[r][creator as usize] {
            self.round_creators[r][creator as usize] = true;
            self.round_count[r] += 1;
            if self.round_count[r] >= self.participants.supermajority()
                && self.quorum_round.is_none_or(|q| q < round)
            {
                self.quorum_round = Some(round);
            }
        }
        Ok(Inserted { id, equivocation })
    }

    fn distinct_creators(&self, ids: impl Iterator<Item = LocalId>) -> usize {
        let mut seen = vec![false; self.participants.n()];
        let mut count = 0;
        for id in ids {
            let c = self.entries[id as usize].creator as usize;
            if !seen[c] {
                seen[c] = true;
                count += 1;
            }
        }
        count
    }

    /// The wave vote of a new block (see module docs).
    fn compute_vote(&self, id: LocalId, round: u64, eq: &[ParticipantIdx]) -> Option<LocalId> {
        let e = &self.entries[id as usize];
        let leader_of = |l: LocalId| self.entries[l as usize].creator;
        match wave::position(round) {
            1 => {
                let leader = wave::leader(wave::of_round(round), self.participants.n());
                if eq.binary_search(&leader).is_ok() {
                    return None;
                }
                e.preds.iter().copied().find(|&p| {
                    let pe = &self.entries[p as usize];
                    pe.round == round - 1 && pe.creator == leader
                })
            }
            2 => {
                let mut tally: BTreeMap<LocalId, Vec<LocalId>> = BTreeMap::new();
                for &p in e.preds.iter() {
                    let pe = &self.entries[p as usize];
                    if pe.round == round - 1 {
                        if let Some(l) = pe.vote {
                            tally.entry(l).or_default().push(p);
                        }
                    }
                }
                tally.into_iter().find_map(|(l, approvers)| {
                    let enough = self.distinct_creators(approvers.into_iter())
                        >= self.participants.supermajority();
                    (enough && eq.binary_search(&leader_of(l)).is_err()).then_some(l)
                })
            }
            _ => None,
        }
    }

    /// Does `from` ratify `target`: does `[from]` hold approvers of `target`
    /// by a supermajority of distinct creators?
    pub fn ratifies(&self, from: LocalId, target: LocalId) -> bool {
        let tr = self.entries[target as usize].round;
        let tc = self.entries[target as usize].creator;
        // collect [from] ∩ {round > tr}
        let mut region = vec![from];
        let mut seen: HashSet<LocalId> = HashSet::from([from]);
        let mut i = 0;
        while i < region.len() {
            let x = region[i];
            i += 1;
            for &p in self.entries[x as usize].preds.iter() {
                if self.entries[p as usize].round > tr && seen.insert(p) {
                    region.push(p);
                }
            }
        }
        if self.entries[from as usize].round <= tr {
            return false;
        }
        // local ids are a topological order: process ascending
        region.sort_unstable();
        let mut observing: HashSet<LocalId> = HashSet::new();
        let mut creators = vec![false; self.participants.n()];
        let mut count = 0;
        for &x in &region {
            let e = &self.entries[x as usize];
            let obs = e
                .preds
                .iter()
                .any(|&p| p == target || observing.contains(&p));
            if obs {
                observing.insert(x);
                if e.equivocators.binary_search(&tc).is_err() && !creators[e.creator as usize] {
                    creators[e.creator as usize] = true;
                    count += 1;
                }
            }
        }
        count >= self.participants.supermajority()
    }

    /// Approximate bytes held (blocks and indexes), for memory benchmarks.
    pub fn footprint(&self) -> usize {
        let mut total = 0;
        for e in &self.entries {
            total += std::mem::size_of::<Entry>()
                + e.block.footprint()
                + 4 * e.preds.len()
                + 4 * e.equivocators.len();
        }
        // index (hash → id) and slot map, with hashbrown's ~1 control byte
        total += self.index.capacity() * (32 + 4 + 1);
        total += self.slots.capacity() * (16 + 4 + 1);
        total += self
            .by_round
            .iter()
            .map(|v| 4 * v.capacity() + 24)
            .sum::<usize>();
        total += self
            .round_creators
            .iter()
            .map(|v| v.capacity() + 24)
            .sum::<usize>();
        total += self
            .by_creator
            .iter()
            .map(|v| 4 * v.capacity() + 24)
            .sum::<usize>();
        total += self.tips.len() * 8;
        total
    }
}
