//! The protocol state machine of one participant (or observer).
//!
//! No clocks, sockets or storage inside: every input is a method call
//! ([`Node::on_message`], [`Node::on_timer`], [`Node::propose`]) and every
//! effect is an [`Action`] the driver carries out — a simulator or a real
//! network runs the same code. The driver must carry out actions in the
//! order returned; in particular a [`Action::Persist`] of the node's own
//! block comes before the [`Action::Broadcast`] of it, so a node restarted
//! from its store never signs a second block for a slot it already used.
//!
//! # Protocol (eventual-synchrony Cordial Miners)
//!
//! * Start: create the round-0 block (no predecessors, `seq = 0`).
//! * Let `R` be the highest round whose blocks come from a supermajority of
//!   creators. When the node's last block is below round `R + 1` it creates
//!   its round `R + 1` block. That block names the node's own last block,
//!   every known block of round `R` and every *tip* (a block nobody points to
//!   yet) below round `R` — it is *cordial*: it passes on everything the node
//!   knows. It carries the oldest queued proposal as payload (or none).
//! * Eventual synchrony: before creating the block of a wave's second round
//!   the node waits until it holds that wave's leader block, or until the
//!   timer [`Timer::Leader`] it asked for fires; likewise, before the
//!   block of the wave's third round, while some of the approval-round
//!   blocks it holds approve the leader but not yet a supermajority, it
//!   waits for more of them (or the timer). The wait adapts: doubled
//!   each time a leader block comes after it ran out, eased back when the
//!   leader is there in time ([`Node::leader_wait_ms`]). After GST correct leaders
//!   thus get approved and ratified by all correct nodes, so every wave with
//!   a correct leader is final three rounds after it starts.
//! * Dissemination: a received block whose predecessors are not all known is
//!   buffered (bounded per peer) and the missing hashes are requested from
//!   the sender; requests are answered from the lace. Periodically
//!   ([`Timer::Sync`]) the node re-broadcasts its latest block and sends its
//!   *frontier* (per creator, the number of blocks it holds) to one peer of
//!   the driver's choice, which answers with the blocks beyond it, oldest
//!   first, and re-requests from one peer the predecessors its buffered
//!   blocks still await — this pulls exactly the missing causal past after
//!   loss, partitions or a restart, also the other fork of an equivocation.
//! * Quiescence ([`NodeConfig::quiesce`]): optionally, a participant creates
//!   blocks only while something awaits ordering — a queued proposal or a
//!   non-final block with a payload — so an idle community goes quiet.

use super::block::{Block, BlockError, BlockHash, IdMap, Limits};
use super::equivocation::EquivocationProof;
use super::lace::{InsertError, Lace, LocalId};
use super::order::Orderer;
use super::participants::{ParticipantIdx, Participants};
use super::wave;
use ed25519_dalek::SigningKey;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// Blocks of one batch to check before [`Node::on_messages`] checks them
/// on all cores rather than on the calling thread.
const PARALLEL_CHECKS: usize = 4;

/// Opaque identity of a peer connection, assigned by the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId(pub u64);

/// Tunables of a node.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Epoch the node participates in.
    pub epoch: u64,
    /// Block size limits.
    pub limits: Limits,
    /// How long to wait for a wave's leader block before moving on.
    pub leader_timeout_ms: u64,
    /// Interval of the anti-entropy tick.
    pub sync_interval_ms: u64,
    /// Buffered (not yet insertable) blocks kept per peer; the oldest is
    /// evicted when a peer exceeds it.
    pub max_pending_per_peer: usize,
    /// Buffered blocks kept in total; beyond it new ones are refused.
    pub max_pending_total: usize,
    /// Most hashes honoured in one request.
    pub max_request: usize,
    /// Most blocks sent in answer to one frontier.
    pub max_sync_batch: usize,
    /// Most proposals waiting for a block.
    pub max_queued_proposals: usize,
    /// Create blocks only while there is something to order: a queued
    /// proposal, or a block with a payload that is not final yet. Off, the
    /// node advances rounds as fast as the network allows (the papers'
    /// model, and the simulator's); on, an idle community goes quiet and
    /// resumes as soon as anyone proposes (see `docs/ledger.md` §6).
    pub quiesce: bool,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            epoch: 0,
            limits: Limits::default(),
            leader_timeout_ms: 1_000,
            sync_interval_ms: 2_000,
            max_pending_per_peer: 4_096,
            max_pending_total: 65_536,
            max_request: 1_024,
            max_sync_batch: 2_048,
            max_queued_proposals: 10_000,
            quiesce: false,
        }
    }
}

/// A protocol message between nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A block.
    Block(Arc<Block>),
    /// Please send these blocks.
    Request(Vec<BlockHash>),
    /// For each participant (by index), how many of its blocks the sender
    /// holds; please send what lies beyond.
    Frontier(Vec<u64>),
}

/// A timer the node asks the driver to set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Stop waiting before creating a block of `round`: for the wave's
    /// leader block (approval round) or for approvals of it by a
    /// supermajority (ratification round).
    Leader {
        /// Round of the block waiting.
        round: u64,
    },
    /// Anti-entropy tick.
    Sync,
}

/// Why a received block was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Invalid block.
    #[error(transparent)]
    Invalid(#[from] InsertError),
    /// The sender has too many blocks buffered.
    #[error("buffer for this peer is full")]
    PeerBufferFull,
    /// The node's buffer is full.
    #[error("block buffer is full")]
    BufferFull,
    /// Unsolicited block by a creator already proven to equivocate.
    #[error("unsolicited block by a proven equivocator")]
    KnownEquivocator,
}

/// An effect for the driver to carry out, in order.
#[derive(Clone, Debug)]
pub enum Action {
    /// Send to every participant.
    Broadcast(Message),
    /// Send to one peer.
    Send {
        /// Recipient.
        to: PeerId,
        /// What.
        message: Message,
    },
    /// Send to one peer of the driver's choice (e.g. a random connected one).
    SendToAny(Message),
    /// Store this block durably before carrying out later actions.
    Persist(Arc<Block>),
    /// Call [`Node::on_timer`] with `timer` after `after_ms`.
    SetTimer {
        /// Which.
        timer: Timer,
        /// Delay in milliseconds.
        after_ms: u64,
    },
    /// These blocks became final, in order (append to the final order).
    Finalized(Vec<Arc<Block>>),
    /// A creator was caught equivocating.
    Equivocation(Box<EquivocationProof>),
    /// A received block was refused.
    Rejected {
        /// Sender.
        from: PeerId,
        /// Block id.
        block: BlockHash,
        /// Why.
        reason: Rejection,
    },
}

/// Why a proposal was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProposeError {
    /// Payload above the block limit.
    #[error("payload of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// Size.
        len: usize,
        /// Limit.
        max: usize,
    },
    /// Too many proposals waiting.
    #[error("{0} proposals already queued")]
    QueueFull(usize),
    /// This node is not a participant and cannot create blocks.
    #[error("this node is not a participant of the epoch")]
    NotParticipant,
}

/// Why a node could not be rebuilt from stored blocks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// A stored block is invalid.
    #[error("stored block {block:?} is invalid: {reason}")]
    Invalid {
        /// Which.
        block: BlockHash,
        /// Why.
        reason: InsertError,
    },
    /// Some stored blocks lack their causal past.
    #[error("{0} stored block(s) lack part of their causal past")]
    Incomplete(usize),
}

struct Pending {
    block: Arc<Block>,
    from: PeerId,
    missing: usize,
}

#[derive(Default)]
struct Buffer {
    pending: IdMap<Pending>,
    // keyed by hashes a block *claims* as predecessors, which its creator
    // chooses freely: SipHash with a random key, not the id hasher
    waiting: HashMap<BlockHash, Vec<BlockHash>>,
    per_peer: HashMap<PeerId, (usize, VecDeque<BlockHash>)>,
}

impl Buffer {
    /// Drop a buffered block and its entries in the waiting lists.
    fn evict(&mut self, h: &BlockHash) {
        if let Some(p) = self.remove(h) {
            for pred in p.block.header().preds() {
                if let Some(list) = self.waiting.get_mut(pred) {
                    list.retain(|x| x != h);
                    if list.is_empty() {
                        self.waiting.remove(pred);
                    }
                }
            }
        }
    }

    fn remove(&mut self, h: &BlockHash) -> Option<Pending> {
        let p = self.pending.remove(h)?;
        if let Some((count, _)) = self.per_peer.get_mut(&p.from) {
            *count -= 1;
        }
        Some(p)
    }
}

/// One node: its lace, ordering state, buffer and own-block production.
pub struct Node {
    config: NodeConfig,
    key: SigningKey,
    me: Option<ParticipantIdx>,
    lace: Lace,
    orderer: Orderer,
    buffer: Buffer,
    proposals: VecDeque<Vec<u8>>,
    last_own: Option<LocalId>,
    next_seq: u64,
    leader_timer_set: HashSet<u64>,
    leader_timed_out: HashSet<u64>,
    sync_armed: bool,
    // the current wait for a wave's leader block (adaptive, see
    // `Node::leader_wait_ms`)
    leader_wait_ms: u64,
    // blocks in the lace with a payload that are not final yet
    unsettled: usize,
    // the epoch was closed: create no more blocks
    closed: bool,
    // what every creator's first block of this epoch must carry (the
    // epoch link), when this epoch continues a closed one
    link: Option<Vec<u8>>,
}

impl Node {
    /// A new node with an empty lace. Participants create their round-0
    /// block at once; the returned actions carry it.
    pub fn new(
        config: NodeConfig,
        key: SigningKey,
        participants: Participants,
    ) -> (Self, Vec<Action>) {
        let mut node = Self::empty(config, key, participants);
        let mut out = Vec::new();
        node.start(&mut out);
        (node, out)
    }

    /// A new node whose round-0 block carries `payload` (e.g. the
    /// [`EpochLink`](super::epoch::EpochLink) of a new epoch).
    pub fn new_with_first_payload(
        config: NodeConfig,
        key: SigningKey,
        participants: Participants,
        payload: Vec<u8>,
    ) -> (Self, Vec<Action>) {
        let mut node = Self::empty(config, key, participants);
        node.link = Some(payload.clone());
        node.proposals.push_back(payload);
        let mut out = Vec::new();
        node.start(&mut out);
        (node, out)
    }

    /// Require every creator's first block of this epoch to carry
    /// `payload` (the [`EpochLink`](super::epoch::EpochLink) this device
    /// computed): a participant that links to another history is refused,
    /// by participants and observers alike.
    pub fn expect_first_payload(&mut self, payload: Vec<u8>) {
        self.link = Some(payload);
    }

    /// Stop creating blocks: the epoch is closed (see
    /// [`epoch`](super::epoch)). The node still takes, serves and orders
    /// blocks, so late nodes can verify the cut.
    pub fn close(&mut self) {
        self.closed = true;
    }

    /// Whether [`Node::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    fn empty(config: NodeConfig, key: SigningKey, participants: Participants) -> Self {
        let me = participants.index_of(&key.verifying_key().to_bytes());
        let leader_wait_ms = config.leader_timeout_ms;
        Node {
            lace: Lace::new(config.epoch, participants),
            config,
            key,
            me,
            orderer: Orderer::new(),
            buffer: Buffer::default(),
            proposals: VecDeque::new(),
            last_own: None,
            next_seq: 0,
            leader_timer_set: HashSet::new(),
            leader_timed_out: HashSet::new(),
            sync_armed: false,
            leader_wait_ms,
            unsettled: 0,
            closed: false,
            link: None,
        }
    }

    /// Rebuild a node after a crash from the blocks its store holds (any
    /// order). The lace, equivocation proofs and final order are recomputed
    /// from the blocks — they are functions of the lace — and the node's own
    /// chain resumes after its last stored block. The returned actions
    /// re-announce everything final and resume the protocol.
    pub fn restore(
        config: NodeConfig,
        key: SigningKey,
        participants: Participants,
        blocks: impl IntoIterator<Item = Arc<Block>>,
    ) -> Result<(Self, Vec<Action>), RestoreError> {
        Self::restore_as(config, key, participants, blocks, false)
    }

    /// [`Node::restore`] for a closed epoch: the node is closed before it
    /// resumes, so it creates no block (not even a round-0 block when none
    /// of its own was stored) and only takes, serves and orders blocks.
    pub fn restore_closed(
        config: NodeConfig,
        key: SigningKey,
        participants: Participants,
        blocks: impl IntoIterator<Item = Arc<Block>>,
    ) -> Result<(Self, Vec<Action>), RestoreError> {
        Self::restore_as(config, key, participants, blocks, true)
    }

    fn restore_as(
        config: NodeConfig,
        key: SigningKey,
        participants: Participants,
        blocks: impl IntoIterator<Item = Arc<Block>>,
        closed: bool,
    ) -> Result<(Self, Vec<Action>), RestoreError> {
        let mut node = Self::empty(config, key, participants);
        node.closed = closed;
        // insert each block after its stored predecessors (iterative DFS),
        // so any storage order works in linear time
        let blocks: Vec<Arc<Block>> = blocks.into_iter().collect();
        let by_id: IdMap<&Arc<Block>> = blocks.iter().map(|b| (b.id(), b)).collect();
        let mut final_blocks = Vec::new();
        let mut proofs = Vec::new();
        let mut incomplete = 0;
        // absent: not reached; false: expanded; true: inserted (or failed)
        let mut state: IdMap<bool> = IdMap::default();
        for root in &blocks {
            let mut stack = vec![(root.clone(), false)];
            while let Some((b, expanded)) = stack.pop() {
                if !expanded {
                    if state.contains_key(&b.id()) {
                        continue;
                    }
                    state.insert(b.id(), false);
                    stack.push((b.clone(), true));
                    for p in b.header().preds() {
                        if let Some(&pb) = by_id.get(p) {
                            if !state.contains_key(p) {
                                stack.push((pb.clone(), false));
                            }
                        }
                    }
                    continue;
                }
                state.insert(b.id(), true);
                match node.lace.insert(b.clone()) {
                    Ok(ins) => {
                        node.unsettled += usize::from(!b.payload().is_empty());
                        proofs.extend(ins.equivocation);
                        final_blocks.extend(node.orderer.on_insert(&node.lace, ins.id));
                    }
                    Err(InsertError::MissingPreds(_)) => incomplete += 1,
                    Err(reason) => {
                        return Err(RestoreError::Invalid {
                            block: b.id(),
                            reason,
                        })
                    }
                }
            }
        }
        if incomplete > 0 {
            return Err(RestoreError::Incomplete(incomplete));
        }
        if let Some(me) = node.me {
            if let Some(&last) = node
                .lace
                .by_creator(me)
                .iter()
                .max_by_key(|&&id| node.lace.entry(id).block.header().seq())
            {
                node.last_own = Some(last);
                node.next_seq = node.lace.entry(last).block.header().seq() + 1;
            }
        }
        let mut out = Vec::new();
        out.extend(
            proofs
                .into_iter()
                .map(|p| Action::Equivocation(Box::new(p))),
        );
        if !final_blocks.is_empty() {
            let blocks = node.blocks_of(&final_blocks);
            node.settle(&blocks);
            out.push(Action::Finalized(blocks));
        }
        node.start(&mut out);
        Ok((node, out))
    }

    fn start(&mut self, out: &mut Vec<Action>) {
        if self.me.is_some() && self.last_own.is_none() && !self.closed {
            self.create_block(Vec::new(), out);
        }
        self.arm_sync(out);
        self.try_advance(out);
    }

    fn arm_sync(&mut self, out: &mut Vec<Action>) {
        if !self.sync_armed {
            self.sync_armed = true;
            out.push(Action::SetTimer {
                timer: Timer::Sync,
                after_ms: self.config.sync_interval_ms,
            });
        }
    }

    /// The lace.
    pub fn lace(&self) -> &Lace {
        &self.lace
    }

    /// The final order so far.
    pub fn final_order(&self) -> impl Iterator<Item = &Arc<Block>> + '_ {
        self.orderer
            .order()
            .iter()
            .map(|&id| &self.lace.entry(id).block)
    }

    /// Number of final blocks.
    pub fn final_len(&self) -> usize {
        self.orderer.order().len()
    }

    /// The ordering state (leaders, last final wave).
    pub fn orderer(&self) -> &Orderer {
        &self.orderer
    }

    /// Round of the node's last own block.
    pub fn round(&self) -> Option<u64> {
        self.last_own.map(|id| self.lace.entry(id).round)
    }

    /// Blocks currently buffered awaiting their causal past.
    pub fn pending_len(&self) -> usize {
        self.buffer.pending.len()
    }

    /// Whether the node holds block `h`: in its lace, or buffered
    /// awaiting its causal past.
    pub fn holds(&self, h: &BlockHash) -> bool {
        self.lace.contains(h) || self.buffer.pending.contains_key(h)
    }

    /// Distinct missing predecessors the buffered blocks wait for.
    pub fn awaited_len(&self) -> usize {
        self.buffer.waiting.len()
    }

    /// Hashes the buffered blocks wait for and that are not buffered
    /// themselves: what a sync layer may fetch from any peer.
    pub fn awaited(&self) -> impl Iterator<Item = &BlockHash> + '_ {
        self.buffer
            .waiting
            .keys()
            .filter(|h| !self.buffer.pending.contains_key(h))
    }

    /// Proposals waiting for a block.
    pub fn queued_proposals(&self) -> usize {
        self.proposals.len()
    }

    fn blocks_of(&self, ids: &[LocalId]) -> Vec<Arc<Block>> {
        ids.iter()
            .map(|&id| self.lace.entry(id).block.clone())
            .collect()
    }

    /// Queue a payload for the node's next block.
    pub fn propose(&mut self, payload: Vec<u8>) -> Result<Vec<Action>, ProposeError> {
        if self.me.is_none() {
            return Err(ProposeError::NotParticipant);
        }
        if payload.len() > self.config.limits.max_payload {
            return Err(ProposeError::TooLarge {
                len: payload.len(),
                max: self.config.limits.max_payload,
            });
        }
        if self.proposals.len() >= self.config.max_queued_proposals {
            return Err(ProposeError::QueueFull(self.proposals.len()));
        }
        self.proposals.push_back(payload);
        let mut out = Vec::new();
        self.try_advance(&mut out);
        Ok(out)
    }

    /// Handle a message from a peer.
    pub fn on_message(&mut self, from: PeerId, message: Message) -> Vec<Action> {
        match message {
            Message::Block(b) => self.on_block(from, b),
            Message::Request(hashes) => self.on_request(from, &hashes),
            Message::Frontier(f) => self.on_frontier(from, &f),
        }
    }

    /// Handle a batch of messages from one peer, as [`Node::on_message`]
    /// on each in order, but with the signature checks of all its blocks
    /// done first on all cores (they are independent; insertion is not).
    pub fn on_messages(&mut self, from: PeerId, messages: Vec<Message>) -> Vec<Action> {
        use rayon::prelude::*;
        // a block held already (in the lace or buffered) was checked when
        // it came first; a copy is not checked again
        let check = |m: &Message| match m {
            Message::Block(b) if !self.holds(&b.id()) => Some(self.precheck(b)),
            _ => None,
        };
        let new = messages
            .iter()
            .filter(|m| matches!(m, Message::Block(b) if !self.holds(&b.id())))
            .count();
        // a few checks run here: handing them to the pool and waiting
        // costs two thread switches, more than one check
        let checks: Vec<Option<Result<(), InsertError>>> = if new >= PARALLEL_CHECKS {
            messages.par_iter().map(check).collect()
        } else {
            messages.iter().map(check).collect()
        };
        let mut out = Vec::new();
        for (m, check) in messages.into_iter().zip(checks) {
            out.extend(match (m, check) {
                (Message::Block(b), Some(check)) => self.on_block_checked(from, b, check),
                (m, _) => self.on_message(from, m),
            });
        }
        out
    }

    /// Handle a received block: verify, buffer or insert, then advance.
    pub fn on_block(&mut self, from: PeerId, block: Arc<Block>) -> Vec<Action> {
        let check = if self.holds(&block.id()) {
            Ok(())
        } else {
            self.precheck(&block)
        };
        self.on_block_checked(from, block, check)
    }

    /// [`Node::on_block`] with the result of [`Node::precheck`] known.
    fn on_block_checked(
        &mut self,
        from: PeerId,
        block: Arc<Block>,
        check: Result<(), InsertError>,
    ) -> Vec<Action> {
        let mut out = Vec::new();
        let id = block.id();
        if self.lace.contains(&id) {
            return out;
        }
        if let Some(p) = self.buffer.pending.get(&id) {
            let missing = self.missing_preds(&p.block.clone());
            if !missing.is_empty() {
                out.push(Action::Send {
                    to: from,
                    message: Message::Request(missing),
                });
            }
            return out;
        }
        // A proven equivocator's blocks are taken only when another block
        // needs them as predecessors: this bounds what a Byzantine creator
        // can make every node store by signing endless forks.
        let creator = self.lace.participants().index_of(block.header().creator());
        if creator.is_some_and(|c| self.lace.is_equivocator(c))
            && !self.buffer.waiting.contains_key(&id)
        {
            out.push(Action::Rejected {
                from,
                block: id,
                reason: Rejection::KnownEquivocator,
            });
            return out;
        }
        if let Err(reason) = check {
            out.push(Action::Rejected {
                from,
                block: id,
                reason: reason.into(),
            });
            return out;
        }
        let unknown: Vec<BlockHash> = block
            .header()
            .preds()
            .iter()
            .filter(|p| !self.lace.contains(p))
            .copied()
            .collect();
        if unknown.is_empty() {
            self.insert_cascade(from, block, &mut out);
        } else if let Err(reason) = self.buffer_block(from, block, &unknown) {
            out.push(Action::Rejected {
                from,
                block: id,
                reason,
            });
        } else {
            let request: Vec<BlockHash> = unknown
                .into_iter()
                .filter(|h| !self.buffer.pending.contains_key(h))
                .collect();
            if !request.is_empty() {
                out.push(Action::Send {
                    to: from,
                    message: Message::Request(request),
                });
            }
        }
        self.try_advance(&mut out);
        out
    }

    fn missing_preds(&self, block: &Block) -> Vec<BlockHash> {
        block
            .header()
            .preds()
            .iter()
            .filter(|p| !self.lace.contains(p) && !self.buffer.pending.contains_key(p))
            .copied()
            .collect()
    }

    /// Checks possible before the causal past is known.
    fn precheck(&self, block: &Block) -> Result<(), InsertError> {
        block.check_limits(&self.config.limits)?;
        let h = block.header();
        if h.epoch() != self.lace.epoch() {
            return Err(InsertError::WrongEpoch {
                got: h.epoch(),
                expected: self.lace.epoch(),
            });
        }
        if h.preds().binary_search(&block.id()).is_ok() {
            return Err(BlockError::SelfReference.into());
        }
        if h.seq() == 0 && self.link.as_deref().is_some_and(|l| block.payload() != l) {
            return Err(InsertError::WrongLink);
        }
        self.lace.verify(block)
    }

    fn buffer_block(
        &mut self,
        from: PeerId,
        block: Arc<Block>,
        unknown: &[BlockHash],
    ) -> Result<(), Rejection> {
        if self.buffer.pending.len() >= self.config.max_pending_total {
            return Err(Rejection::BufferFull);
        }
        let cap = self.config.max_pending_per_peer;
        if cap == 0 {
            return Err(Rejection::PeerBufferFull);
        }
        // evict this peer's oldest buffered blocks beyond its share
        loop {
            let (count, queue) = self.buffer.per_peer.entry(from).or_default();
            if *count < cap {
                break;
            }
            let Some(old) = queue.pop_front() else { break };
            self.buffer.evict(&old);
        }
        let id = block.id();
        for p in unknown {
            self.buffer.waiting.entry(*p).or_default().push(id);
        }
        self.buffer.pending.insert(
            id,
            Pending {
                block,
                from,
                missing: unknown.len(),
            },
        );
        let (count, queue) = self.buffer.per_peer.entry(from).or_default();
        *count += 1;
        queue.push_back(id);
        // the queue also holds ids already released; compact it now and then
        if queue.len() > 2 * cap {
            let pending = &self.buffer.pending;
            queue.retain(|h| pending.get(h).is_some_and(|p| p.from == from));
        }
        Ok(())
    }

    /// Insert a block whose predecessors are all present, then release
    /// buffered blocks that were waiting for it.
    fn insert_cascade(&mut self, from: PeerId, block: Arc<Block>, out: &mut Vec<Action>) {
        let mut ready = vec![(from, block)];
        while let Some((from, b)) = ready.pop() {
            let h = b.id();
            match self.lace.insert_verified(b.clone()) {
                Ok(ins) => {
                    self.unsettled += usize::from(!b.payload().is_empty());
                    self.note_late_leader(ins.id);
                    out.push(Action::Persist(b));
                    if let Some(p) = ins.equivocation {
                        out.push(Action::Equivocation(Box::new(p)));
                    }
                    let fin = self.orderer.on_insert(&self.lace, ins.id);
                    if !fin.is_empty() {
                        let blocks = self.blocks_of(&fin);
                        self.settle(&blocks);
                        out.push(Action::Finalized(blocks));
                    }
                    for d in self.buffer.waiting.remove(&h).unwrap_or_default() {
                        if let Some(p) = self.buffer.pending.get_mut(&d) {
                            p.missing -= 1;
                            if p.missing == 0 {
                                let p = self.buffer.remove(&d).expect("present");
                                ready.push((p.from, p.block));
                            }
                        }
                    }
                }
                Err(InsertError::Duplicate(_)) => {}
                Err(reason) => {
                    out.push(Action::Rejected {
                        from,
                        block: h,
                        reason: reason.into(),
                    });
                    // everything waiting on an invalid block is invalid too
                    let mut doomed = self.buffer.waiting.remove(&h).unwrap_or_default();
                    while let Some(d) = doomed.pop() {
                        if let Some(p) = self.buffer.remove(&d) {
                            out.push(Action::Rejected {
                                from: p.from,
                                block: d,
                                reason: InsertError::MissingPreds(vec![h]).into(),
                            });
                            doomed.extend(self.buffer.waiting.remove(&d).unwrap_or_default());
                        }
                    }
                }
            }
        }
    }

    /// Answer a request with the blocks we hold.
    pub fn on_request(&mut self, from: PeerId, hashes: &[BlockHash]) -> Vec<Action> {
        hashes
            .iter()
            .take(self.config.max_request)
            .filter_map(|h| self.lace.id_of(h))
            .map(|id| Action::Send {
                to: from,
                message: Message::Block(self.lace.entry(id).block.clone()),
            })
            .collect()
    }

    /// Answer a frontier with the blocks beyond it, oldest first.
    pub fn on_frontier(&mut self, from: PeerId, frontier: &[u64]) -> Vec<Action> {
        let n = self.lace.participants().n();
        let mut ids = Vec::new();
        for c in 0..n {
            let have = frontier.get(c).copied().unwrap_or(0);
            for &id in self.lace.by_creator(c as ParticipantIdx).iter().rev() {
                if self.lace.entry(id).block.header().seq() < have {
                    break;
                }
                ids.push(id);
            }
        }
        ids.sort_unstable();
        ids.truncate(self.config.max_sync_batch);
        ids.into_iter()
            .map(|id| Action::Send {
                to: from,
                message: Message::Block(self.lace.entry(id).block.clone()),
            })
            .collect()
    }

    /// Per participant, how many of its blocks this node holds.
    pub fn frontier(&self) -> Vec<u64> {
        (0..self.lace.participants().n())
            .map(|c| self.lace.by_creator(c as ParticipantIdx).len() as u64)
            .collect()
    }

    /// Handle a timer set through [`Action::SetTimer`].
    pub fn on_timer(&mut self, timer: Timer) -> Vec<Action> {
        let mut out = Vec::new();
        match timer {
            Timer::Leader { round } => {
                self.leader_timed_out.insert(round);
            }
            Timer::Sync => {
                self.sync_armed = false;
                if let Some(last) = self.last_own {
                    out.push(Action::Broadcast(Message::Block(
                        self.lace.entry(last).block.clone(),
                    )));
                }
                out.push(Action::SendToAny(Message::Frontier(self.frontier())));
                // re-ask for what buffered blocks still wait for: the first
                // request may have been lost, and a frontier (counts per
                // creator) cannot express "the other fork of slot s". In
                // hash order, not the buffer's (randomly keyed) map order,
                // so a seeded simulation replays exactly.
                let mut awaited: Vec<BlockHash> = self.awaited().copied().collect();
                awaited.sort_unstable();
                awaited.truncate(self.config.max_request);
                if !awaited.is_empty() {
                    out.push(Action::SendToAny(Message::Request(awaited)));
                }
                self.arm_sync(&mut out);
            }
        }
        self.try_advance(&mut out);
        out
    }

    fn settle(&mut self, finals: &[Arc<Block>]) {
        let with_payload = finals.iter().filter(|b| !b.payload().is_empty()).count();
        self.unsettled = self.unsettled.saturating_sub(with_payload);
    }

    /// Whether the node has nothing to order (only meaningful with
    /// [`NodeConfig::quiesce`]).
    pub fn is_settled(&self) -> bool {
        self.proposals.is_empty() && self.unsettled == 0
    }

    /// Create own blocks while the protocol allows.
    fn try_advance(&mut self, out: &mut Vec<Action>) {
        if self.me.is_none() || self.closed {
            return;
        }
        while let (Some(r), Some(last)) = (self.lace.quorum_round(), self.last_own) {
            if self.config.quiesce && self.is_settled() {
                return;
            }
            let target = r + 1;
            if self.lace.entry(last).round >= target {
                return;
            }
            if wave::position(target) == 1 {
                let w = wave::of_round(r);
                let have_leader = self.lace.leader_blocks(w).next().is_some();
                if !have_leader && !self.leader_timed_out.contains(&target) {
                    if self.leader_timer_set.insert(target) {
                        out.push(Action::SetTimer {
                            timer: Timer::Leader { round: target },
                            after_ms: self.leader_wait_ms,
                        });
                    }
                    return;
                }
                if have_leader {
                    self.ease_leader_wait();
                }
            }
            if wave::position(target) == 2
                && self.awaits_approvals(r)
                && !self.leader_timed_out.contains(&target)
            {
                if self.leader_timer_set.insert(target) {
                    out.push(Action::SetTimer {
                        timer: Timer::Leader { round: target },
                        after_ms: self.leader_wait_ms,
                    });
                }
                return;
            }
            let mut preds: Vec<BlockHash> = Vec::new();
            preds.push(self.lace.entry(last).block.id());
            preds.extend(
                self.lace
                    .round(r)
                    .iter()
                    .map(|&id| self.lace.entry(id).block.id()),
            );
            preds.extend(
                self.lace
                    .tips()
                    .filter(|&id| self.lace.entry(id).round < r)
                    .map(|id| self.lace.entry(id).block.id()),
            );
            preds.sort_unstable();
            preds.dedup();
            if preds.len() > self.config.limits.max_preds {
                // keep the self-parent and round r; drop surplus old tips
                let keep: HashSet<BlockHash> = std::iter::once(self.lace.entry(last).block.id())
                    .chain(
                        self.lace
                            .round(r)
                            .iter()
                            .map(|&id| self.lace.entry(id).block.id()),
                    )
                    .collect();
                let mut extra = self.config.limits.max_preds.saturating_sub(keep.len());
                preds.retain(|h| {
                    keep.contains(h) || {
                        let ok = extra > 0;
                        extra = extra.saturating_sub(1);
                        ok
                    }
                });
            }
            let payload = self.proposals.pop_front().unwrap_or_default();
            if !self.create_block_with(preds, payload, out) {
                return;
            }
        }
    }

    /// Whether the approval-round blocks of round `r` held here approve a
    /// leader block, but not yet by a supermajority of creators: a
    /// ratification-round block made now would ratify nothing, while the
    /// approvals still on their way would make it ratify the leader (and a
    /// wave is final only when a supermajority of its ratification-round
    /// blocks ratify). With 64 participants a block names about 43 of the
    /// 64 approval blocks, so one approval missing among those sufficed
    /// to lose the wave. Nobody approving (a leader that never came) is
    /// not waited for.
    fn awaits_approvals(&self, r: u64) -> bool {
        let n = self.lace.participants().n();
        let mut by_leader: HashMap<LocalId, Vec<bool>> = HashMap::new();
        for &id in self.lace.round(r) {
            let e = self.lace.entry(id);
            if let Some(l) = e.vote {
                by_leader.entry(l).or_insert_with(|| vec![false; n])[e.creator as usize] = true;
            }
        }
        let best = by_leader
            .values()
            .map(|seen| seen.iter().filter(|&&s| s).count())
            .max()
            .unwrap_or(0);
        best > 0 && best < self.lace.participants().supermajority()
    }

    /// The eventual-synchrony wait for leader blocks, adapted to the
    /// network as it is: doubled (up to 16 times the configured
    /// [`NodeConfig::leader_timeout_ms`]) each time a leader block arrives
    /// after the node gave up waiting for it ([`Node::note_late_leader`]),
    /// and brought back by a quarter towards the configured wait each time
    /// the leader block is there in time. A wait shorter than the spread of round arrival times makes
    /// nodes approve nothing, and a wave is final only if the approval
    /// blocks of a supermajority approve its leader; timing never affects
    /// safety.
    fn ease_leader_wait(&mut self) {
        let base = self.config.leader_timeout_ms;
        let wait = self.leader_wait_ms.max(base);
        self.leader_wait_ms = wait - (wait - base) / 4;
    }

    /// A block just inserted that is a leader block arriving after this
    /// node gave up waiting for it: the wait was too short for this
    /// network, double it. (A leader that never comes — crashed — does
    /// not make the wait grow.)
    fn note_late_leader(&mut self, id: LocalId) {
        let e = self.lace.entry(id);
        let w = wave::of_round(e.round);
        if wave::position(e.round) == 0
            && e.creator == wave::leader(w, self.lace.participants().n())
            && self.leader_timed_out.contains(&(e.round + 1))
        {
            let cap = self.config.leader_timeout_ms.saturating_mul(16);
            self.leader_wait_ms = (self.leader_wait_ms.max(1) * 2).min(cap);
        }
    }

    /// How long the node now waits for a wave's leader block before it
    /// makes its approval-round block without it (see
    /// [`NodeConfig::leader_timeout_ms`]; doubled each time a leader block
    /// came after the wait ran out, up to 16 times, and eased back after
    /// waits that did not run out).
    pub fn leader_wait_ms(&self) -> u64 {
        self.leader_wait_ms
    }

    fn create_block(&mut self, preds: Vec<BlockHash>, out: &mut Vec<Action>) {
        let payload = self.proposals.pop_front().unwrap_or_default();
        self.create_block_with(preds, payload, out);
    }

    fn create_block_with(
        &mut self,
        preds: Vec<BlockHash>,
        payload: Vec<u8>,
        out: &mut Vec<Action>,
    ) -> bool {
        let block = match Block::sign(
            &self.key,
            self.config.epoch,
            self.next_seq,
            preds,
            payload,
            &self.config.limits,
        ) {
            Ok(b) => Arc::new(b),
            Err(_) => return false,
        };
        match self.lace.insert_verified(block.clone()) {
            Ok(ins) => {
                self.next_seq += 1;
                self.last_own = Some(ins.id);
                self.unsettled += usize::from(!block.payload().is_empty());
                out.push(Action::Persist(block.clone()));
                out.push(Action::Broadcast(Message::Block(block)));
                let fin = self.orderer.on_insert(&self.lace, ins.id);
                if !fin.is_empty() {
                    let blocks = self.blocks_of(&fin);
                    self.settle(&blocks);
                    out.push(Action::Finalized(blocks));
                }
                true
            }
            Err(_) => false,
        }
    }
}
