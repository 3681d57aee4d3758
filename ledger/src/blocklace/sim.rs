//! A seeded, deterministic network simulator over [`Node`].
//!
//! Virtual time in milliseconds; a single event queue ordered by
//! `(time, sequence number)`; one `StdRng` seeded from the configuration
//! drives every random choice, so a seed reproduces a run exactly.
//!
//! Faults modelled, all before `faults_until_ms` (the global stabilisation
//! time, after which every message between live nodes arrives within
//! `delay_ms.1`):
//! * **loss** — each message is dropped with probability `loss`;
//! * **reordering** — each message gets an independent uniform delay;
//! * **partitions** — during `[from_ms, until_ms)` messages crossing between
//!   `side` and the rest are dropped, then the partition heals;
//! * **crash and restart** — the node's memory is discarded; on restart it
//!   is rebuilt with [`Node::restore`] from the blocks it persisted
//!   ([`Action::Persist`]): from memory, or, with [`SimConfig::store_dir`],
//!   from a real SQLite [`Store`] that is closed at the crash (its newest
//!   `lose_last` rows deleted, as a store that did not sync them) and
//!   reopened at the restart;
//! * **silent members** — participants that never run (crashed from start);
//! * **an equivocator** — a participant whose node runs normally, but every
//!   block it broadcasts with `seq ≡ 2 (mod 4)` is twinned: a second block
//!   for the same slot with the same predecessors and another payload is
//!   signed, and even-numbered nodes get one, odd-numbered nodes the other.
//!
//! The run records, per node, every [`Action::Finalized`] it emitted and
//! checks that nothing final is ever reverted (also across restarts, where
//! the rebuilt node must replay exactly the order it had announced), that
//! all correct nodes' final orders are prefixes of one another, and that no
//! correct member — in particular one restarted from its store — is ever
//! caught equivocating.
//!
//! This simulator runs one epoch; [`epochs`] runs devices through
//! participant-set changes (cut, close, next epoch) under the same faults.

pub mod epochs;

use super::block::{Block, BlockHash};
use super::node::{Action, Message, Node, NodeConfig, PeerId, Timer};
use super::order::Decision;
use super::participants::Participants;
use crate::store::Store;
use ed25519_dalek::SigningKey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashSet};
use std::sync::Arc;

/// A temporary network partition.
#[derive(Clone, Debug)]
pub struct Partition {
    /// Start (ms).
    pub from_ms: u64,
    /// End (ms), when it heals.
    pub until_ms: u64,
    /// Nodes on one side; everyone else is on the other.
    pub side: Vec<usize>,
}

/// A crash and later restart of one node.
#[derive(Clone, Debug)]
pub struct Crash {
    /// Which node.
    pub node: usize,
    /// Crash time (ms).
    pub at_ms: u64,
    /// Restart time (ms).
    pub restart_ms: u64,
    /// Most recent stored blocks the crash destroys (a store that did not
    /// sync them); 0 models a correct driver.
    pub lose_last: usize,
}

/// A simulation scenario.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Number of participants.
    pub n: usize,
    /// Random seed.
    pub seed: u64,
    /// Virtual duration (ms).
    pub duration_ms: u64,
    /// Uniform message delay range (ms).
    pub delay_ms: (u64, u64),
    /// Loss probability before `faults_until_ms`.
    pub loss: f64,
    /// Global stabilisation time: no loss or partition after it.
    pub faults_until_ms: u64,
    /// Partitions.
    pub partitions: Vec<Partition>,
    /// Crashes.
    pub crashes: Vec<Crash>,
    /// The equivocating participant, if any.
    pub equivocator: Option<usize>,
    /// Participants that never run.
    pub silent: Vec<usize>,
    /// Proposals per correct node.
    pub proposals_per_node: usize,
    /// Proposals are made at uniform times before this (ms).
    pub propose_until_ms: u64,
    /// Node tunables.
    pub node: NodeConfig,
    /// Keep the blocks of every node that crashes in a SQLite store in this
    /// directory (one database per node) and restart it from there.
    pub store_dir: Option<std::path::PathBuf>,
}

impl SimConfig {
    /// A fault-free scenario with `n` nodes.
    pub fn calm(n: usize, seed: u64) -> Self {
        SimConfig {
            n,
            seed,
            duration_ms: 3_000,
            delay_ms: (5, 20),
            loss: 0.0,
            faults_until_ms: 0,
            partitions: Vec::new(),
            crashes: Vec::new(),
            equivocator: None,
            silent: Vec::new(),
            proposals_per_node: 2,
            propose_until_ms: 1_000,
            node: NodeConfig {
                leader_timeout_ms: 200,
                sync_interval_ms: 300,
                ..NodeConfig::default()
            },
            store_dir: None,
        }
    }

    /// Every fault at once, over about 25 rounds: 5% loss and delays of
    /// 1–60 ms until 600 ms, a third of the nodes partitioned off from 100 to
    /// 400 ms, one node crashed from 150 ms and restarted from its store at
    /// 450 ms, and an equivocating member.
    pub fn stormy(n: usize, seed: u64) -> Self {
        let mut c = Self::calm(n, seed);
        let third: Vec<usize> = (0..n / 3).map(|i| (i * 3 + seed as usize) % n).collect();
        c.duration_ms = 1_500;
        c.delay_ms = (1, 60);
        c.loss = 0.05;
        c.faults_until_ms = 600;
        c.partitions = vec![Partition {
            from_ms: 100,
            until_ms: 400,
            side: third,
        }];
        let eq = (seed as usize * 7 + 1) % n;
        c.crashes = vec![Crash {
            node: (eq + 1) % n,
            at_ms: 150,
            restart_ms: 450,
            lose_last: 0,
        }];
        c.equivocator = Some(eq);
        c.proposals_per_node = 2;
        c.propose_until_ms = 500;
        c
    }
}

/// Outcome of a run.
#[derive(Debug, Default)]
pub struct SimReport {
    /// Final order (hashes) of each correct, running node; `None` for the
    /// equivocator and silent members.
    pub orders: Vec<Option<Vec<BlockHash>>>,
    /// Payloads in each correct node's final order.
    pub final_payloads: Vec<Option<Vec<Vec<u8>>>>,
    /// Whether each correct node holds a proof against the equivocator.
    pub detected: Vec<bool>,
    /// Safety violations found (empty on success).
    pub violations: Vec<String>,
    /// Twin pairs the equivocator produced.
    pub twins: Vec<(BlockHash, BlockHash)>,
    /// Blocks of the equivocator in the longest final order, and how many of
    /// them have a seq at or after its first twin.
    pub equivocator_blocks_ordered: (usize, usize),
    /// Decisions (final leaders) at each correct node.
    pub decisions: Vec<Vec<Decision>>,
    /// Highest round reached by any node.
    pub max_round: u64,
    /// Messages delivered.
    pub delivered: u64,
    /// Messages dropped (loss, partition, dead recipient).
    pub dropped: u64,
    /// Blocks refused by correct nodes.
    pub rejected: u64,
    /// Per running node at the end: blocks in its lace, blocks buffered, and
    /// the round of its last own block.
    pub node_state: Vec<Option<(usize, usize, Option<u64>)>>,
    /// Per running node at the end: awaited hashes, each with the number of
    /// nodes holding it in their lace (for diagnosing stalls).
    pub awaited: Vec<Vec<(BlockHash, usize)>>,
    /// The first refusals by correct nodes, `(node, reason)`, for diagnosis.
    pub first_rejections: Vec<(usize, String)>,
    /// Restarts performed.
    pub restarts: usize,
    /// Per correct node, for each final block, its finality latency in
    /// rounds: the round of the block whose insertion made it final, minus
    /// its own round, plus one (3 for a leader block in the good case).
    pub block_latency: Vec<Vec<u64>>,
    /// Per correct node, how many leaders' segments it has ordered.
    pub ordered_leaders: Vec<usize>,
    /// Every block persisted by any node, without duplicates, in first
    /// persistence order (a topological order).
    pub blocks: Vec<Arc<Block>>,
}

impl SimReport {
    /// Length of the shortest final order among correct nodes.
    pub fn min_final(&self) -> usize {
        self.orders
            .iter()
            .flatten()
            .map(Vec::len)
            .min()
            .unwrap_or(0)
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Deliver {
        to: usize,
        from: usize,
        msg: u64,
    },
    Timer {
        node: usize,
        incarnation: u64,
        timer: TimerKey,
    },
    Crash {
        node: usize,
        lose: usize,
    },
    Restart {
        node: usize,
    },
    Propose {
        node: usize,
        k: usize,
    },
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum TimerKey {
    Leader(u64),
    Sync,
}

struct World {
    cfg: SimConfig,
    rng: StdRng,
    participants: Participants,
    keys: Vec<SigningKey>,
    nodes: Vec<Option<Node>>,
    incarnation: Vec<u64>,
    stores: Vec<Vec<Arc<Block>>>,
    emitted: Vec<Vec<BlockHash>>,
    replay_cursor: Vec<usize>,
    queue: BinaryHeap<Reverse<(u64, u64, Event)>>,
    messages: BTreeMap<u64, Message>,
    next_seq: u64,
    now: u64,
    report: SimReport,
    twinned: HashSet<u64>,
    unpersisted: Vec<Vec<Vec<u8>>>,
    // with `store_dir`: the open SQLite store of each crashing node
    sql: Vec<Option<Store>>,
}

/// The lace of a simulated run, as the stores file it.
const SIM_COMMUNITY: crate::CommunityId = crate::StatementId([0x51; 32]);

fn sql_path(dir: &std::path::Path, node: usize) -> std::path::PathBuf {
    dir.join(format!("node-{node}.db"))
}

/// Deterministic key of simulated participant `i` under `seed`.
pub fn sim_key(seed: u64, i: usize) -> SigningKey {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&seed.to_le_bytes());
    b[8..16].copy_from_slice(&(i as u64).to_le_bytes());
    b[16] = 0x5a;
    SigningKey::from_bytes(&b)
}

/// Run a scenario to completion.
pub fn run(cfg: &SimConfig) -> SimReport {
    run_inspect(cfg, |_| ())
}

/// Run a scenario, then hand the final node states (`None` for crashed or
/// silent ones) to `inspect` before building the report.
pub fn run_inspect(cfg: &SimConfig, inspect: impl FnOnce(&[Option<Node>])) -> SimReport {
    let keys: Vec<SigningKey> = (0..cfg.n).map(|i| sim_key(cfg.seed, i)).collect();
    let participants =
        Participants::new(keys.iter().map(|k| k.verifying_key()).collect()).expect("distinct keys");
    // node i runs key i; participant indices are by sorted key, which is fine
    let mut w = World {
        rng: StdRng::seed_from_u64(cfg.seed),
        cfg: cfg.clone(),
        participants,
        keys,
        nodes: (0..cfg.n).map(|_| None).collect(),
        incarnation: vec![0; cfg.n],
        stores: vec![Vec::new(); cfg.n],
        emitted: vec![Vec::new(); cfg.n],
        replay_cursor: vec![0; cfg.n],
        queue: BinaryHeap::new(),
        messages: BTreeMap::new(),
        next_seq: 0,
        now: 0,
        report: SimReport::default(),
        twinned: HashSet::new(),
        unpersisted: vec![Vec::new(); cfg.n],
        sql: (0..cfg.n)
            .map(|i| {
                let dir = cfg.store_dir.as_ref()?;
                cfg.crashes.iter().any(|c| c.node == i).then(|| {
                    let path = sql_path(dir, i);
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                    }
                    Store::open(&path).expect("simulation store opens")
                })
            })
            .collect(),
    };
    for i in 0..cfg.n {
        if cfg.silent.contains(&i) {
            continue;
        }
        let (node, actions) =
            Node::new(cfg.node.clone(), w.keys[i].clone(), w.participants.clone());
        w.nodes[i] = Some(node);
        w.apply(i, actions);
        if Some(i) != cfg.equivocator {
            for k in 0..cfg.proposals_per_node {
                let t = w.rng.gen_range(0..cfg.propose_until_ms.max(1));
                w.schedule(t, Event::Propose { node: i, k });
            }
        }
    }
    for c in &cfg.crashes {
        w.schedule(
            c.at_ms,
            Event::Crash {
                node: c.node,
                lose: c.lose_last,
            },
        );
        w.schedule(c.restart_ms, Event::Restart { node: c.node });
    }
    while let Some(Reverse((t, _, ev))) = w.queue.pop() {
        if t > cfg.duration_ms {
            break;
        }
        w.now = t;
        w.step(ev);
    }
    inspect(&w.nodes);
    w.finish()
}

impl World {
    fn schedule(&mut self, t: u64, ev: Event) {
        self.next_seq += 1;
        self.queue.push(Reverse((t, self.next_seq, ev)));
    }

    fn correct(&self, i: usize) -> bool {
        Some(i) != self.cfg.equivocator && !self.cfg.silent.contains(&i)
    }

    fn cut(&self, a: usize, b: usize, t: u64) -> bool {
        self.cfg.partitions.iter().any(|p| {
            t >= p.from_ms && t < p.until_ms && (p.side.contains(&a) != p.side.contains(&b))
        })
    }

    fn send(&mut self, from: usize, to: usize, msg: Message) {
        if from == to {
            return;
        }
        if self.now < self.cfg.faults_until_ms && self.rng.gen_bool(self.cfg.loss) {
            self.report.dropped += 1;
            return;
        }
        let (lo, hi) = self.cfg.delay_ms;
        let t = self.now + self.rng.gen_range(lo..=hi);
        self.next_seq += 1;
        let id = self.next_seq;
        self.messages.insert(id, msg);
        self.schedule(t, Event::Deliver { to, from, msg: id });
    }

    fn step(&mut self, ev: Event) {
        match ev {
            Event::Deliver { to, from, msg } => {
                let Some(msg) = self.messages.remove(&msg) else {
                    return;
                };
                if self.cut(from, to, self.now) || self.nodes[to].is_none() {
                    self.report.dropped += 1;
                    return;
                }
                self.report.delivered += 1;
                let actions = self.nodes[to]
                    .as_mut()
                    .expect("live")
                    .on_message(PeerId(from as u64), msg);
                self.apply(to, actions);
            }
            Event::Timer {
                node,
                incarnation,
                timer,
            } => {
                if incarnation != self.incarnation[node] {
                    return;
                }
                let Some(n) = self.nodes[node].as_mut() else {
                    return;
                };
                let timer = match timer {
                    TimerKey::Leader(round) => Timer::Leader { round },
                    TimerKey::Sync => Timer::Sync,
                };
                let actions = n.on_timer(timer);
                self.apply(node, actions);
            }
            Event::Crash { node, lose } => {
                if self.nodes[node].take().is_some() {
                    self.incarnation[node] += 1;
                    let keep = self.stores[node].len().saturating_sub(lose);
                    self.stores[node].truncate(keep);
                    if let (Some(store), Some(dir)) = (self.sql[node].take(), &self.cfg.store_dir) {
                        drop(store);
                        forget_newest(&sql_path(dir, node), lose);
                    }
                }
            }
            Event::Restart { node } => {
                if self.nodes[node].is_some() || self.cfg.silent.contains(&node) {
                    return;
                }
                self.incarnation[node] += 1;
                self.replay_cursor[node] = 0;
                let stored = match &self.cfg.store_dir {
                    Some(dir) if self.cfg.crashes.iter().any(|c| c.node == node) => {
                        let store = Store::open(&sql_path(dir, node)).expect("store reopens");
                        let blocks = store
                            .blocks(&SIM_COMMUNITY, self.cfg.node.epoch, &self.cfg.node.limits)
                            .expect("stored blocks read back");
                        self.sql[node] = Some(store);
                        blocks
                    }
                    _ => self.stores[node].clone(),
                };
                match Node::restore(
                    self.cfg.node.clone(),
                    self.keys[node].clone(),
                    self.participants.clone(),
                    stored,
                ) {
                    Ok((n, actions)) => {
                        self.nodes[node] = Some(n);
                        self.report.restarts += 1;
                        self.apply(node, actions);
                        // the client re-submits proposals lost with memory
                        for p in self.unpersisted[node].clone() {
                            let actions = self.nodes[node]
                                .as_mut()
                                .expect("restored")
                                .propose(p)
                                .unwrap_or_default();
                            self.apply(node, actions);
                        }
                    }
                    Err(e) => self
                        .report
                        .violations
                        .push(format!("node {node} failed to restore: {e}")),
                }
            }
            Event::Propose { node, k } => {
                let payload = format!("n{node}-p{k}").into_bytes();
                if let Some(n) = self.nodes[node].as_mut() {
                    self.unpersisted[node].push(payload.clone());
                    match n.propose(payload) {
                        Ok(actions) => self.apply(node, actions),
                        Err(e) => self.report.violations.push(format!("propose failed: {e}")),
                    }
                } else {
                    // crashed: try again later
                    self.schedule(self.now + 50, Event::Propose { node, k });
                }
            }
        }
    }

    fn apply(&mut self, i: usize, actions: Vec<Action>) {
        if let Some(store) = self.sql[i].as_mut() {
            // all of a step's blocks in one transaction, before anything
            // else of the step happens (as `Durable` does)
            let persist: Vec<Arc<Block>> = actions
                .iter()
                .filter_map(|a| match a {
                    Action::Persist(b) => Some(b.clone()),
                    _ => None,
                })
                .collect();
            if !persist.is_empty() {
                store
                    .put_blocks(&SIM_COMMUNITY, &persist)
                    .expect("simulation store writes");
            }
        }
        for a in actions {
            match a {
                Action::Broadcast(msg) => {
                    if Some(i) == self.cfg.equivocator {
                        if let Message::Block(b) = &msg {
                            if self.twin(i, b) {
                                continue;
                            }
                        }
                    }
                    for j in 0..self.cfg.n {
                        self.send(i, j, msg.clone());
                    }
                }
                Action::Send { to, message } => self.send(i, to.0 as usize, message),
                Action::SendToAny(message) => {
                    let j = self.rng.gen_range(0..self.cfg.n);
                    self.send(i, j, message);
                }
                Action::Persist(b) => {
                    if b.header().creator() == self.keys[i].verifying_key().as_bytes() {
                        self.unpersisted[i].retain(|p| p[..] != b.payload()[..]);
                    }
                    self.stores[i].push(b)
                }
                Action::SetTimer { timer, after_ms } => {
                    let timer = match timer {
                        Timer::Leader { round } => TimerKey::Leader(round),
                        Timer::Sync => TimerKey::Sync,
                    };
                    let incarnation = self.incarnation[i];
                    self.schedule(
                        self.now + after_ms,
                        Event::Timer {
                            node: i,
                            incarnation,
                            timer,
                        },
                    );
                }
                Action::Finalized(blocks) => {
                    for b in blocks {
                        let c = self.replay_cursor[i];
                        if c < self.emitted[i].len() {
                            if self.emitted[i][c] != b.id() {
                                self.report.violations.push(format!(
                                    "node {i} reverted final position {c} after restart"
                                ));
                            }
                        } else {
                            self.emitted[i].push(b.id());
                        }
                        self.replay_cursor[i] += 1;
                    }
                }
                Action::Equivocation(_) => {}
                Action::Rejected { reason, block, .. } => {
                    if self.correct(i) {
                        self.report.rejected += 1;
                        if self.report.first_rejections.len() < 50 {
                            self.report
                                .first_rejections
                                .push((i, format!("{block:?} at {} ms: {reason}", self.now)));
                        }
                    }
                }
            }
        }
    }

    /// Equivocator: split a broadcast of its own block into two twins.
    fn twin(&mut self, i: usize, b: &Arc<Block>) -> bool {
        let seq = b.header().seq();
        if b.header().creator() != &self.keys[i].verifying_key().to_bytes()
            || seq % 4 != 2
            || !self.twinned.insert(seq)
        {
            return false;
        }
        let other = Block::sign(
            &self.keys[i],
            b.header().epoch(),
            seq,
            b.header().preds().to_vec(),
            format!("twin of seq {seq}").into_bytes(),
            &self.cfg.node.limits,
        )
        .expect("same shape as the original");
        let other = Arc::new(other);
        self.report.twins.push((b.id(), other.id()));
        for j in 0..self.cfg.n {
            let m = if j % 2 == 0 { b.clone() } else { other.clone() };
            self.send(i, j, Message::Block(m));
        }
        true
    }

    fn finish(mut self) -> SimReport {
        let n = self.cfg.n;
        let mut report = std::mem::take(&mut self.report);
        report.orders = vec![None; n];
        report.final_payloads = vec![None; n];
        report.detected = vec![false; n];
        report.decisions = vec![Vec::new(); n];
        report.awaited = self
            .nodes
            .iter()
            .map(|x| {
                x.as_ref().map_or(Vec::new(), |x| {
                    x.awaited()
                        .map(|h| {
                            let holders = self
                                .nodes
                                .iter()
                                .flatten()
                                .filter(|y| y.lace().contains(h))
                                .count();
                            (*h, holders)
                        })
                        .collect()
                })
            })
            .collect();
        report.node_state = self
            .nodes
            .iter()
            .map(|x| {
                x.as_ref()
                    .map(|x| (x.lace().len(), x.pending_len(), x.round()))
            })
            .collect();
        report.block_latency = vec![Vec::new(); n];
        report.ordered_leaders = vec![0; n];
        let eq_key = self
            .cfg
            .equivocator
            .map(|e| self.keys[e].verifying_key().to_bytes());
        for i in 0..n {
            let Some(node) = &self.nodes[i] else { continue };
            report.max_round = report.max_round.max(node.round().unwrap_or(0));
            if !self.correct(i) {
                continue;
            }
            let order: Vec<BlockHash> = node.final_order().map(|b| b.id()).collect();
            if order[..] != self.emitted[i][..order.len().min(self.emitted[i].len())]
                || order.len() != self.emitted[i].len()
            {
                report.violations.push(format!(
                    "node {i}: final order differs from what it announced"
                ));
            }
            report.final_payloads[i] = Some(
                node.final_order()
                    .filter(|b| !b.payload().is_empty())
                    .map(|b| b.payload().to_vec())
                    .collect(),
            );
            if let Some(k) = &eq_key {
                report.detected[i] = node.lace().proofs().iter().any(|p| p.creator() == k);
            }
            for p in node.lace().proofs() {
                if Some(p.creator()) != eq_key.as_ref() {
                    report.violations.push(format!(
                        "node {i} holds an equivocation proof against a correct member"
                    ));
                }
            }
            report.decisions[i] = node.orderer().decisions().to_vec();
            report.ordered_leaders[i] = node.orderer().leaders().len();
            report.block_latency[i] = node
                .final_order()
                .zip(node.orderer().final_at_round())
                .map(|(b, &at)| {
                    let round = node
                        .lace()
                        .entry(node.lace().id_of(&b.id()).expect("in lace"))
                        .round;
                    at - round + 1
                })
                .collect();
            report.orders[i] = Some(order);
        }
        let mut seen = HashSet::new();
        for b in self.stores.iter().flatten() {
            if seen.insert(b.id()) {
                report.blocks.push(b.clone());
            }
        }
        let longest = report
            .orders
            .iter()
            .flatten()
            .max_by_key(|o| o.len())
            .cloned()
            .unwrap_or_default();
        for (i, o) in report.orders.iter().enumerate() {
            if let Some(o) = o {
                if longest[..o.len()] != o[..] {
                    report.violations.push(format!(
                        "node {i}: final order is not a prefix of the longest"
                    ));
                }
            }
        }
        if let Some(k) = eq_key {
            let first_twin = report
                .twins
                .first()
                .and_then(|(h, _)| self.stores.iter().flatten().find(|b| b.id() == *h))
                .map(|b| b.header().seq());
            let node = self
                .nodes
                .iter()
                .enumerate()
                .find(|(j, n)| n.is_some() && self.correct(*j));
            if let Some((_, Some(node))) = node {
                let blocks: Vec<&Arc<Block>> = node
                    .final_order()
                    .filter(|b| b.header().creator() == &k)
                    .collect();
                let late = blocks
                    .iter()
                    .filter(|b| first_twin.is_some_and(|s| b.header().seq() >= s))
                    .count();
                report.equivocator_blocks_ordered = (blocks.len(), late);
            }
        }
        report
    }
}

/// Delete the newest `count` block rows of the database at `path`: the
/// writes a store that did not sync them loses in a crash.
fn forget_newest(path: &std::path::Path, count: usize) {
    if count == 0 {
        return;
    }
    let conn = rusqlite::Connection::open(path).expect("simulation store opens");
    conn.execute(
        "DELETE FROM blocks WHERE seq IN (SELECT seq FROM blocks ORDER BY seq DESC LIMIT ?1)",
        [count as i64],
    )
    .expect("simulation store forgets");
}
