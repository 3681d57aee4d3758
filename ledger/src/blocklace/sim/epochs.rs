//! Epoch changes in the simulator: the participant set changes under
//! faults, as the network driver changes it (`docs/ledger.md` §8).
//!
//! Each simulated *device* holds one [`Node`] per epoch it has reached: the
//! closed ones keep taking, serving and ordering blocks for late devices,
//! the last one is current. Every message carries the epoch of the node
//! that sent it and is handed to the receiver's node of that epoch; a
//! device that does not hold that epoch (it is behind) drops it and keeps
//! working in its own epoch until its own final order reaches the cut.
//!
//! Who participates is decided by a participant rule over the final
//! payload history, epochs concatenated — here the pure function
//! [`participants_after`]: the founders, changed by payloads `join:<i>`
//! and `leave:<i>` ([`SetChange`]). As in the driver, after each final
//! block whose payload may change the set the device evaluates the rule on
//! the history through it; at the first position where the answer differs
//! from the current set it closes the epoch at [`cut_at`], records the cut
//! and the next set (in memory, or in the SQLite store of a device that
//! crashes, through [`Store::close_epoch`]), starts the next node with
//! [`start_next`] (or as an observer expecting the link), tells every
//! device its new frontier, and proposes again what the closed history does
//! not carry. Devices that join are observers of epoch 0 from the start:
//! they sync the closed epoch before they make blocks.
//!
//! A crashed device comes back from its recorded cuts and per-epoch
//! blocks: closed epochs through [`Node::restore_closed`], the current one
//! as `Durable::start` does it; its client proposes again whatever it
//! asked for that is neither final in the history nor carried by its own
//! blocks of the current epoch.
//!
//! The checks, on the concatenated history (each closed epoch's order up to
//! its cut, then the current order): no final block is ever reverted, in
//! any epoch, also across restarts; every device's history is a prefix of
//! the longest; all devices that closed an epoch closed it at the same cut
//! with the same next set; every proposal is final at most once, and
//! [`EpochSimReport::missing`] lists those some device lacks; and each
//! device's state root, a digest of its payload history, is reported.

use super::{forget_newest, sim_key, sql_path, SimConfig, TimerKey, SIM_COMMUNITY};
use crate::blocklace::block::{Block, BlockHash};
use crate::blocklace::epoch::{cut_at, start_next, EpochCut, EpochLink};
use crate::blocklace::node::{Action, Message, Node, NodeConfig, PeerId, Timer};
use crate::blocklace::participants::Participants;
use crate::store::{ClosedEpoch, Store};
use ed25519_dalek::SigningKey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashSet};
use std::sync::Arc;

/// A payload that changes the participant set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetChange {
    /// Device `i` becomes a participant (`join:<i>`).
    Join(usize),
    /// Device `i` stops participating (`leave:<i>`).
    Leave(usize),
}

impl SetChange {
    /// The payload carrying this change.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            SetChange::Join(i) => format!("join:{i}"),
            SetChange::Leave(i) => format!("leave:{i}"),
        }
        .into_bytes()
    }

    /// The change a payload carries, if any.
    pub fn decode(payload: &[u8]) -> Option<Self> {
        let s = std::str::from_utf8(payload).ok()?;
        if let Some(i) = s.strip_prefix("join:") {
            return i.parse().ok().map(SetChange::Join);
        }
        s.strip_prefix("leave:")?.parse().ok().map(SetChange::Leave)
    }
}

/// The simulator's participant rule: devices `0..founders`, then each
/// `join:<i>` (of an existing device) adds `i` and each `leave:<i>`
/// removes it unless it is the last participant. A pure function of the
/// payload history; `ignore_leaves` is the deliberately broken variant.
pub fn participants_after<'a>(
    founders: usize,
    devices: usize,
    history: impl IntoIterator<Item = &'a [u8]>,
    ignore_leaves: bool,
) -> BTreeSet<usize> {
    let mut set: BTreeSet<usize> = (0..founders).collect();
    for p in history {
        match SetChange::decode(p) {
            Some(SetChange::Join(i)) if i < devices => {
                set.insert(i);
            }
            Some(SetChange::Leave(i)) if !ignore_leaves && set.len() > 1 => {
                set.remove(&i);
            }
            _ => {}
        }
    }
    set
}

/// A change proposed during the run.
#[derive(Clone, Debug)]
pub struct PlannedChange {
    /// When (ms).
    pub at_ms: u64,
    /// Which device proposes it.
    pub by: usize,
    /// The change.
    pub change: SetChange,
}

/// A scenario with epoch changes. `base.n` devices found epoch 0;
/// `joiners` more devices follow it as observers. Every device proposes
/// `base.proposals_per_node` payloads `n<i>-p<k>` (a device that does not
/// participate keeps them until it does). `base.equivocator` and
/// `base.silent` are not used here.
#[derive(Clone, Debug)]
pub struct EpochSimConfig {
    /// Faults, timing, node tunables, founders.
    pub base: SimConfig,
    /// Devices that are not participants of epoch 0.
    pub joiners: usize,
    /// The participant-set changes proposed.
    pub changes: Vec<PlannedChange>,
    /// A device whose rule ignores `leave:` payloads (a broken device the
    /// checks must catch).
    pub wrong_rule: Option<usize>,
}

impl EpochSimConfig {
    /// Four founders and two joiners over six seconds with every fault
    /// before 3 s (5% loss, delays of 1–60 ms): device 1 proposes `join:4`
    /// at 300 ms and device 2 `join:5` at 320 ms; device 3 proposes
    /// `leave:0` at 2,500 ms. Founder `seed % 3 + 1` is partitioned off
    /// from 250 to 700 ms (during the first change) and joiner 4 from
    /// 2,450 to 2,900 ms (during the last); device `seed % 4`
    /// crashes at 800 ms and restarts at 1,300 ms (across the first cut);
    /// joiner 5 crashes at 2,550 ms and restarts at 3,000 ms (across the
    /// last). Proposals (three per device) before 1,000 ms.
    pub fn grow_then_shrink(seed: u64) -> Self {
        let mut base = SimConfig::calm(4, seed);
        base.duration_ms = 6_000;
        base.delay_ms = (1, 60);
        base.loss = 0.05;
        base.faults_until_ms = 3_000;
        base.proposals_per_node = 3;
        base.propose_until_ms = 1_000;
        base.partitions = vec![
            super::Partition {
                from_ms: 250,
                until_ms: 700,
                side: vec![seed as usize % 3 + 1],
            },
            super::Partition {
                from_ms: 2_450,
                until_ms: 2_900,
                side: vec![4],
            },
        ];
        base.crashes = vec![
            super::Crash {
                node: seed as usize % 4,
                at_ms: 800,
                restart_ms: 1_300,
                lose_last: 0,
            },
            super::Crash {
                node: 5,
                at_ms: 2_550,
                restart_ms: 3_000,
                lose_last: 0,
            },
        ];
        let change = |at_ms, by, change| PlannedChange { at_ms, by, change };
        EpochSimConfig {
            base,
            joiners: 2,
            changes: vec![
                change(300, 1, SetChange::Join(4)),
                change(320, 2, SetChange::Join(5)),
                change(2_500, 3, SetChange::Leave(0)),
            ],
            wrong_rule: None,
        }
    }
}

/// A closed epoch as a device recorded it: the cut and the next set.
pub type EpochClose = (EpochCut, BTreeSet<usize>);

/// How one epoch was entered.
#[derive(Clone, Debug, Default)]
pub struct EpochEntry {
    /// The epoch entered.
    pub epoch: u64,
    /// The payload whose final position changed the set.
    pub trigger: String,
    /// When it was first proposed (ms).
    pub proposed_ms: Option<u64>,
    /// When the first and the last device entered the epoch (ms).
    pub first_ms: u64,
    /// See `first_ms`.
    pub last_ms: u64,
    /// Devices that entered it (restarts not counted again).
    pub devices: usize,
}

/// Outcome of a run with epoch changes.
#[derive(Debug, Default)]
pub struct EpochSimReport {
    /// Per running device at the end: its concatenated final history.
    pub histories: Vec<Option<Vec<BlockHash>>>,
    /// Per running device: the payloads of its history (epoch links and
    /// empty blocks left out).
    pub payloads: Vec<Option<Vec<Vec<u8>>>>,
    /// Per running device: digest of its payload history.
    pub roots: Vec<Option<[u8; 32]>>,
    /// Per running device: the epoch it follows.
    pub epoch: Vec<Option<u64>>,
    /// Per running device: the epochs it closed, with the next set.
    pub closed: Vec<Vec<EpochClose>>,
    /// Per running device: whether it participates in its epoch.
    pub participates: Vec<bool>,
    /// Each epoch entered after the first.
    pub entries: Vec<EpochEntry>,
    /// Proposals a running device's history lacks: `(device, payload)`.
    pub missing: Vec<(usize, String)>,
    /// Safety violations (empty on success).
    pub violations: Vec<String>,
    /// Final positions announced and later contradicted.
    pub reverted: usize,
    /// Restarts performed: `(device, time ms, epoch it came back in)`.
    pub restarts: Vec<(usize, u64, u64)>,
    /// Messages delivered.
    pub delivered: u64,
    /// Messages dropped (loss, partition, dead recipient).
    pub dropped: u64,
    /// Messages of an epoch the recipient did not hold.
    pub other_epoch: u64,
    /// Blocks refused, and the first reasons.
    pub rejected: u64,
    /// See `rejected`.
    pub first_rejections: Vec<String>,
}

impl EpochSimReport {
    /// Final application payloads in the longest history.
    pub fn final_statements(&self) -> usize {
        self.payloads
            .iter()
            .flatten()
            .map(Vec::len)
            .max()
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
        dev: usize,
        incarnation: u64,
        epoch: u64,
        timer: TimerKey,
    },
    Crash {
        dev: usize,
        lose: usize,
    },
    Restart {
        dev: usize,
    },
    Propose {
        dev: usize,
        planned: usize,
    },
}

/// A closed epoch as a device records it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Closed {
    cut: EpochCut,
    next: BTreeSet<usize>,
}

/// A change of epoch a device is about to make: where it closes, the
/// next set, and the payload that called for it.
struct Change {
    cut: EpochCut,
    next: BTreeSet<usize>,
    trigger: Vec<u8>,
}

/// What a running device holds in memory.
struct Device {
    // one node per epoch reached; the last is current
    nodes: BTreeMap<u64, Node>,
    closed: Vec<Closed>,
    // positions of the current order the rule has looked at
    checked: usize,
    // payloads handed to the current node
    in_flight: HashSet<Vec<u8>>,
}

impl Device {
    fn current(&self) -> (u64, &Node) {
        let (e, n) = self
            .nodes
            .last_key_value()
            .expect("a device holds an epoch");
        (*e, n)
    }

    /// Blocks of the concatenated history: closed epochs through their
    /// cuts, then the current order.
    fn history(&self) -> Vec<&Arc<Block>> {
        let mut out = Vec::new();
        for c in &self.closed {
            out.extend(self.nodes[&c.cut.epoch].final_order().take(c.cut.len));
        }
        let (_, node) = self.current();
        out.extend(node.final_order());
        out
    }
}

/// What survives a crash: the blocks and cuts a device recorded.
#[derive(Default)]
struct Disk {
    blocks: BTreeMap<u64, Vec<Arc<Block>>>,
    closed: Vec<Closed>,
    sql: Option<Store>,
}

fn is_app_payload(p: &[u8]) -> bool {
    !p.is_empty() && EpochLink::decode(p).is_none()
}

fn root_of(payloads: &[Vec<u8>]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in payloads {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

struct World {
    cfg: EpochSimConfig,
    devices_n: usize,
    rng: StdRng,
    keys: Vec<SigningKey>,
    devices: Vec<Option<Device>>,
    disks: Vec<Disk>,
    incarnation: Vec<u64>,
    // what each device's client asked to be final, and when
    wants: Vec<Vec<(Vec<u8>, u64)>>,
    planned: Vec<(usize, Vec<u8>)>,
    emitted: Vec<BTreeMap<u64, Vec<BlockHash>>>,
    cursor: Vec<BTreeMap<u64, usize>>,
    entries: BTreeMap<u64, EpochEntry>,
    queue: BinaryHeap<Reverse<(u64, u64, Event)>>,
    messages: BTreeMap<u64, (u64, Message)>,
    next_seq: u64,
    now: u64,
    report: EpochSimReport,
}

/// Run a scenario with epoch changes to completion.
pub fn run_epochs(cfg: &EpochSimConfig) -> EpochSimReport {
    let mut w = World::new(cfg);
    while let Some(Reverse((t, _, ev))) = w.queue.pop() {
        if t > cfg.base.duration_ms {
            break;
        }
        w.now = t;
        w.step(ev);
    }
    w.finish()
}

impl World {
    fn new(cfg: &EpochSimConfig) -> World {
        let base = &cfg.base;
        let devices_n = base.n + cfg.joiners;
        let mut w = World {
            cfg: cfg.clone(),
            devices_n,
            rng: StdRng::seed_from_u64(base.seed),
            keys: (0..devices_n).map(|i| sim_key(base.seed, i)).collect(),
            devices: (0..devices_n).map(|_| None).collect(),
            disks: (0..devices_n).map(|_| Disk::default()).collect(),
            incarnation: vec![0; devices_n],
            wants: vec![Vec::new(); devices_n],
            planned: Vec::new(),
            emitted: vec![BTreeMap::new(); devices_n],
            cursor: vec![BTreeMap::new(); devices_n],
            entries: BTreeMap::new(),
            queue: BinaryHeap::new(),
            messages: BTreeMap::new(),
            next_seq: 0,
            now: 0,
            report: EpochSimReport::default(),
        };
        w.open_stores();
        let founders = w.participants(&(0..base.n).collect());
        for d in 0..devices_n {
            let config = NodeConfig {
                epoch: 0,
                ..base.node.clone()
            };
            let (node, actions) = Node::new(config, w.keys[d].clone(), founders.clone());
            w.devices[d] = Some(Device {
                nodes: BTreeMap::from([(0, node)]),
                closed: Vec::new(),
                checked: 0,
                in_flight: HashSet::new(),
            });
            w.apply(d, 0, actions);
            for k in 0..base.proposals_per_node {
                let t = w.rng.gen_range(0..base.propose_until_ms.max(1));
                w.plan(t, d, format!("n{d}-p{k}").into_bytes());
            }
        }
        for c in &cfg.changes {
            w.plan(c.at_ms, c.by, c.change.encode());
        }
        for c in &base.crashes {
            let lose = c.lose_last;
            w.schedule(c.at_ms, Event::Crash { dev: c.node, lose });
            w.schedule(c.restart_ms, Event::Restart { dev: c.node });
        }
        w
    }

    /// With `store_dir`: a fresh SQLite store for every device that crashes.
    fn open_stores(&mut self) {
        let Some(dir) = self.cfg.base.store_dir.clone() else {
            return;
        };
        for c in &self.cfg.base.crashes {
            let path = sql_path(&dir, c.node);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            self.disks[c.node].sql = Some(Store::open(&path).expect("simulation store opens"));
        }
    }

    fn plan(&mut self, t: u64, dev: usize, payload: Vec<u8>) {
        self.planned.push((dev, payload));
        let planned = self.planned.len() - 1;
        self.schedule(t, Event::Propose { dev, planned });
    }

    fn schedule(&mut self, t: u64, ev: Event) {
        self.next_seq += 1;
        self.queue.push(Reverse((t, self.next_seq, ev)));
    }

    fn participants(&self, set: &BTreeSet<usize>) -> Participants {
        Participants::new(set.iter().map(|&i| self.keys[i].verifying_key()).collect())
            .expect("distinct keys")
    }

    fn rule<'a>(&self, dev: usize, history: impl IntoIterator<Item = &'a [u8]>) -> BTreeSet<usize> {
        let broken = self.cfg.wrong_rule == Some(dev);
        participants_after(self.cfg.base.n, self.devices_n, history, broken)
    }

    fn set_of(&self, dev: &Device) -> BTreeSet<usize> {
        match dev.closed.last() {
            Some(c) => c.next.clone(),
            None => (0..self.cfg.base.n).collect(),
        }
    }

    fn severed(&self, a: usize, b: usize) -> bool {
        self.cfg.base.partitions.iter().any(|p| {
            self.now >= p.from_ms
                && self.now < p.until_ms
                && (p.side.contains(&a) != p.side.contains(&b))
        })
    }

    fn send(&mut self, from: usize, to: usize, epoch: u64, msg: Message) {
        if from == to {
            return;
        }
        if self.now < self.cfg.base.faults_until_ms && self.rng.gen_bool(self.cfg.base.loss) {
            self.report.dropped += 1;
            return;
        }
        let (lo, hi) = self.cfg.base.delay_ms;
        let t = self.now + self.rng.gen_range(lo..=hi);
        self.next_seq += 1;
        let id = self.next_seq;
        self.messages.insert(id, (epoch, msg));
        self.schedule(t, Event::Deliver { to, from, msg: id });
    }

    fn broadcast(&mut self, from: usize, epoch: u64, msg: Message) {
        for j in 0..self.devices_n {
            self.send(from, j, epoch, msg.clone());
        }
    }

    fn step(&mut self, ev: Event) {
        match ev {
            Event::Deliver { to, from, msg } => self.deliver(to, from, msg),
            Event::Timer {
                dev,
                incarnation,
                epoch,
                timer,
            } => self.fire(dev, incarnation, epoch, timer),
            Event::Crash { dev, lose } => self.crash(dev, lose),
            Event::Restart { dev } => self.restart(dev),
            Event::Propose { dev, planned } => {
                let payload = self.planned[planned].1.clone();
                self.wants[dev].push((payload, self.now));
                self.propose_pending(dev);
            }
        }
    }

    fn deliver(&mut self, to: usize, from: usize, msg: u64) {
        let Some((epoch, msg)) = self.messages.remove(&msg) else {
            return;
        };
        if self.severed(from, to) || self.devices[to].is_none() {
            self.report.dropped += 1;
            return;
        }
        let dev = self.devices[to].as_mut().expect("live");
        let Some(node) = dev.nodes.get_mut(&epoch) else {
            self.report.other_epoch += 1;
            return;
        };
        self.report.delivered += 1;
        let actions = node.on_message(PeerId(from as u64), msg);
        self.apply(to, epoch, actions);
    }

    fn fire(&mut self, dev: usize, incarnation: u64, epoch: u64, timer: TimerKey) {
        if incarnation != self.incarnation[dev] {
            return;
        }
        let Some(d) = self.devices[dev].as_mut() else {
            return;
        };
        // a closed epoch's node only answers; its timers lapse
        if d.current().0 != epoch {
            return;
        }
        let timer = match timer {
            TimerKey::Leader(round) => Timer::Leader { round },
            TimerKey::Sync => Timer::Sync,
        };
        let node = d.nodes.get_mut(&epoch).expect("current");
        let actions = node.on_timer(timer);
        self.apply(dev, epoch, actions);
    }

    /// Carry out the actions of device `d`'s node of `epoch`: storage
    /// first, then messages, timers and the harness's records; then look
    /// whether the current epoch closes.
    fn apply(&mut self, d: usize, epoch: u64, actions: Vec<Action>) {
        self.persist(d, &actions);
        for a in actions {
            match a {
                Action::Broadcast(msg) => self.broadcast(d, epoch, msg),
                Action::Send { to, message } => self.send(d, to.0 as usize, epoch, message),
                Action::SendToAny(message) => {
                    let j = self.rng.gen_range(0..self.devices_n);
                    self.send(d, j, epoch, message);
                }
                Action::Persist(_) => {}
                Action::SetTimer { timer, after_ms } => {
                    let timer = match timer {
                        Timer::Leader { round } => TimerKey::Leader(round),
                        Timer::Sync => TimerKey::Sync,
                    };
                    let incarnation = self.incarnation[d];
                    let ev = Event::Timer {
                        dev: d,
                        incarnation,
                        epoch,
                        timer,
                    };
                    self.schedule(self.now + after_ms, ev);
                }
                Action::Finalized(blocks) => self.record_final(d, epoch, &blocks),
                Action::Equivocation(p) => self.report.violations.push(format!(
                    "device {d} holds an equivocation proof in epoch {epoch}: {:?}",
                    p.creator()
                )),
                Action::Rejected { reason, block, .. } => {
                    self.report.rejected += 1;
                    if self.report.first_rejections.len() < 20 {
                        self.report.first_rejections.push(format!(
                            "device {d} epoch {epoch} {block:?} at {} ms: {reason}",
                            self.now
                        ));
                    }
                }
            }
        }
        let current = self.devices[d].as_ref().map(|x| x.current().0);
        if current == Some(epoch) {
            self.check_epoch_change(d);
        }
    }

    /// All of a step's blocks in one write, before anything else of the
    /// step happens (as `Durable` does).
    fn persist(&mut self, d: usize, actions: &[Action]) {
        let blocks: Vec<Arc<Block>> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Persist(b) => Some(b.clone()),
                _ => None,
            })
            .collect();
        if blocks.is_empty() {
            return;
        }
        let disk = &mut self.disks[d];
        if let Some(store) = disk.sql.as_mut() {
            store
                .put_blocks(&SIM_COMMUNITY, &blocks)
                .expect("simulation store writes");
        }
        for b in blocks {
            disk.blocks.entry(b.header().epoch()).or_default().push(b);
        }
    }

    /// Compare announced final blocks with what was announced before (a
    /// restarted node replays its order from the start).
    fn record_final(&mut self, d: usize, epoch: u64, blocks: &[Arc<Block>]) {
        let emitted = self.emitted[d].entry(epoch).or_default();
        let cursor = self.cursor[d].entry(epoch).or_default();
        for b in blocks {
            if *cursor < emitted.len() {
                if emitted[*cursor] != b.id() {
                    self.report.reverted += 1;
                    self.report.violations.push(format!(
                        "device {d} reverted final position {} of epoch {epoch}",
                        *cursor
                    ));
                }
            } else {
                emitted.push(b.id());
            }
            *cursor += 1;
        }
    }

    /// The driver's check: at the first final position of the current
    /// epoch whose history makes the rule name another set, close at the
    /// cut and enter the next epoch with the set the history through the
    /// cut names.
    fn check_epoch_change(&mut self, d: usize) {
        let (checked, change) = self.find_change(d);
        if let Some(dev) = self.devices[d].as_mut() {
            dev.checked = checked;
        }
        if let Some(change) = change {
            self.enter(d, change);
        }
    }

    /// The positions of the current order looked at, and the change the
    /// first of them that changes the set calls for (once its cut is
    /// final).
    fn find_change(&self, d: usize) -> (usize, Option<Change>) {
        let dev = self.devices[d].as_ref().expect("live");
        let (_, node) = dev.current();
        if dev.checked >= node.final_len() {
            return (dev.checked, None);
        }
        let current = self.set_of(dev);
        let history = dev.history();
        let before = history.len() - node.final_len();
        for pos in dev.checked..node.final_len() {
            let payload = history[before + pos].payload();
            if SetChange::decode(payload).is_none() {
                continue;
            }
            let upto = |n: usize| history[..n].iter().map(|b| b.payload());
            if self.rule(d, upto(before + pos + 1)) == current {
                continue;
            }
            let Some(cut) = cut_at(node, pos) else {
                return (pos, None);
            };
            let next = self.rule(d, upto(before + cut.len));
            let trigger = payload.to_vec();
            return (pos, Some(Change { cut, next, trigger }));
        }
        (node.final_len(), None)
    }

    /// Close the current epoch at `cut` and start the next with `next`.
    fn enter(&mut self, d: usize, change: Change) {
        let Change { cut, next, trigger } = change;
        let e = cut.epoch + 1;
        let closed = Closed { cut, next };
        self.record_close(d, &closed);
        let (node, actions) = self.next_node(d, &closed);
        let dev = self.devices[d].as_mut().expect("live");
        dev.nodes.get_mut(&cut.epoch).expect("current").close();
        dev.nodes.insert(e, node);
        dev.closed.push(closed);
        dev.checked = 0;
        dev.in_flight.clear();
        let frontier = Message::Frontier(dev.nodes[&e].frontier());
        self.note_entry(e, &trigger);
        self.apply(d, e, actions);
        self.broadcast(d, e, frontier);
        self.propose_pending(d);
    }

    fn record_close(&mut self, d: usize, closed: &Closed) {
        let disk = &mut self.disks[d];
        disk.closed.push(closed.clone());
        if let Some(store) = disk.sql.as_mut() {
            let next = closed
                .next
                .iter()
                .map(|&i| self.keys[i].verifying_key().to_bytes())
                .collect();
            let rec = ClosedEpoch {
                epoch: closed.cut.epoch,
                cut_len: closed.cut.len as u64,
                leader: closed.cut.leader,
                next,
            };
            store
                .close_epoch(&SIM_COMMUNITY, &rec)
                .expect("simulation store records the cut");
        }
    }

    /// The node of the epoch after `closed`: a participant's first block
    /// carries the link; an observer expects it of everyone.
    fn next_node(&self, d: usize, closed: &Closed) -> (Node, Vec<Action>) {
        let config = self.cfg.base.node.clone();
        let key = self.keys[d].clone();
        let participants = self.participants(&closed.next);
        if closed.next.contains(&d) {
            return start_next(config, key, participants, &closed.cut);
        }
        let config = NodeConfig {
            epoch: closed.cut.epoch + 1,
            ..config
        };
        let (mut node, actions) = Node::new(config, key, participants);
        node.expect_first_payload(EpochLink::after(&closed.cut).encode());
        (node, actions)
    }

    fn note_entry(&mut self, e: u64, trigger: &[u8]) {
        let proposed_ms = self
            .wants
            .iter()
            .flatten()
            .filter(|(p, _)| p[..] == trigger[..])
            .map(|(_, t)| *t)
            .min();
        let now = self.now;
        let entry = self.entries.entry(e).or_insert_with(|| EpochEntry {
            epoch: e,
            trigger: String::from_utf8_lossy(trigger).into_owned(),
            proposed_ms,
            first_ms: now,
            ..EpochEntry::default()
        });
        entry.last_ms = now;
        entry.devices += 1;
    }

    /// Hand the current node what this device's client asked for and the
    /// history does not carry, if the device participates.
    fn propose_pending(&mut self, d: usize) {
        let Some(dev) = self.devices[d].as_ref() else {
            return;
        };
        let (e, node) = dev.current();
        let me = self.keys[d].verifying_key().to_bytes();
        if node.lace().participants().index_of(&me).is_none() {
            return;
        }
        let final_: HashSet<&[u8]> = dev.history().iter().map(|b| b.payload()).collect();
        let pending: Vec<Vec<u8>> = self.wants[d]
            .iter()
            .map(|(p, _)| p)
            .filter(|p| !final_.contains(&p[..]) && !dev.in_flight.contains(*p))
            .cloned()
            .collect();
        for p in pending {
            let dev = self.devices[d].as_mut().expect("live");
            if dev.current().0 != e {
                return; // entered another epoch meanwhile, which proposed
            }
            dev.in_flight.insert(p.clone());
            match dev.nodes.get_mut(&e).expect("current").propose(p) {
                Ok(actions) => self.apply(d, e, actions),
                Err(err) => self
                    .report
                    .violations
                    .push(format!("device {d}: proposal refused: {err}")),
            }
        }
    }

    fn crash(&mut self, d: usize, lose: usize) {
        if self.devices[d].take().is_none() {
            return;
        }
        self.incarnation[d] += 1;
        let disk = &mut self.disks[d];
        if let Some(v) = disk.blocks.values_mut().next_back() {
            v.truncate(v.len().saturating_sub(lose));
        }
        if let (Some(store), Some(dir)) = (disk.sql.take(), &self.cfg.base.store_dir) {
            drop(store);
            forget_newest(&sql_path(dir, d), lose);
        }
    }

    /// The recorded cuts and per-epoch blocks of device `d`.
    fn read_disk(&mut self, d: usize) -> (Vec<Closed>, BTreeMap<u64, Vec<Arc<Block>>>) {
        let crashes = &self.cfg.base.crashes;
        let Some(dir) = self
            .cfg
            .base
            .store_dir
            .as_ref()
            .filter(|_| crashes.iter().any(|c| c.node == d))
        else {
            let disk = &self.disks[d];
            return (disk.closed.clone(), disk.blocks.clone());
        };
        let store = Store::open(&sql_path(dir, d)).expect("store reopens");
        let index: BTreeMap<[u8; 32], usize> = (0..self.devices_n)
            .map(|i| (self.keys[i].verifying_key().to_bytes(), i))
            .collect();
        let closed: Vec<Closed> = store
            .closed_epochs(&SIM_COMMUNITY)
            .expect("cuts read back")
            .into_iter()
            .map(|c| Closed {
                cut: EpochCut {
                    epoch: c.epoch,
                    leader: c.leader,
                    len: c.cut_len as usize,
                },
                next: c.next.iter().map(|k| index[k]).collect(),
            })
            .collect();
        let limits = self.cfg.base.node.limits;
        let blocks = (0..=closed.len() as u64)
            .map(|e| {
                let b = store.blocks(&SIM_COMMUNITY, e, &limits);
                (e, b.expect("stored blocks read back"))
            })
            .collect();
        self.disks[d].sql = Some(store);
        (closed, blocks)
    }

    /// Bring device `d` back from what it recorded, into the epoch after
    /// the last cut it recorded.
    fn restart(&mut self, d: usize) {
        if self.devices[d].is_some() {
            return;
        }
        self.incarnation[d] += 1;
        self.cursor[d].clear();
        let (closed, mut blocks) = self.read_disk(d);
        let mut nodes = BTreeMap::new();
        let mut replays = Vec::new();
        for e in 0..=closed.len() as u64 {
            let stored = blocks.remove(&e).unwrap_or_default();
            match self.restore_epoch(d, e, &closed, stored) {
                Ok((node, actions)) => {
                    nodes.insert(e, node);
                    replays.push((e, actions));
                }
                Err(err) => {
                    let msg = format!("device {d} failed to restore epoch {e}: {err}");
                    self.report.violations.push(msg);
                    return;
                }
            }
        }
        let (_, current) = nodes.last_key_value().expect("epoch 0 at least");
        let mine = self.keys[d].verifying_key().to_bytes();
        let in_flight = current
            .lace()
            .entries()
            .iter()
            .filter(|x| x.block.header().creator() == &mine)
            .map(|x| x.block.payload().to_vec())
            .collect();
        self.devices[d] = Some(Device {
            nodes,
            closed,
            checked: 0,
            in_flight,
        });
        let epoch = self.devices[d].as_ref().expect("restored").current().0;
        self.report.restarts.push((d, self.now, epoch));
        for (e, actions) in replays {
            self.apply(d, e, actions);
        }
        self.propose_pending(d);
    }

    /// One epoch's node of a restarting device: closed epochs only serve;
    /// the current one starts with the link if none of its blocks was
    /// stored (as `Durable::start`).
    fn restore_epoch(
        &self,
        d: usize,
        e: u64,
        closed: &[Closed],
        stored: Vec<Arc<Block>>,
    ) -> Result<(Node, Vec<Action>), crate::blocklace::RestoreError> {
        let config = NodeConfig {
            epoch: e,
            ..self.cfg.base.node.clone()
        };
        let key = self.keys[d].clone();
        let set = match e {
            0 => (0..self.cfg.base.n).collect(),
            e => closed[e as usize - 1].next.clone(),
        };
        let participants = self.participants(&set);
        let link = (e > 0).then(|| EpochLink::after(&closed[e as usize - 1].cut).encode());
        let is_closed = (e as usize) < closed.len();
        let (mut node, actions) = match (is_closed, stored.is_empty(), link.clone()) {
            (true, _, _) => Node::restore_closed(config, key, participants, stored)?,
            (false, true, Some(link)) => {
                Node::new_with_first_payload(config, key, participants, link)
            }
            (false, true, None) => Node::new(config, key, participants),
            (false, false, _) => Node::restore(config, key, participants, stored)?,
        };
        if let Some(link) = link {
            node.expect_first_payload(link);
        }
        Ok((node, actions))
    }

    fn finish(mut self) -> EpochSimReport {
        let n = self.devices_n;
        let mut r = std::mem::take(&mut self.report);
        r.entries = std::mem::take(&mut self.entries).into_values().collect();
        r.histories = vec![None; n];
        r.payloads = vec![None; n];
        r.roots = vec![None; n];
        r.epoch = vec![None; n];
        r.closed = vec![Vec::new(); n];
        r.participates = vec![false; n];
        for d in 0..n {
            let Some(dev) = &self.devices[d] else {
                continue;
            };
            for (e, node) in &dev.nodes {
                let order: Vec<BlockHash> = node.final_order().map(|b| b.id()).collect();
                if self.emitted[d].get(e).map_or(&[][..], |v| &v[..]) != &order[..] {
                    r.violations.push(format!(
                        "device {d}: final order of epoch {e} differs from what it announced"
                    ));
                }
            }
            let history = dev.history();
            let payloads: Vec<Vec<u8>> = history
                .iter()
                .map(|b| b.payload())
                .filter(|p| is_app_payload(p))
                .map(<[u8]>::to_vec)
                .collect();
            r.roots[d] = Some(root_of(&payloads));
            r.payloads[d] = Some(payloads);
            r.histories[d] = Some(history.iter().map(|b| b.id()).collect());
            let (e, node) = dev.current();
            r.epoch[d] = Some(e);
            let me = self.keys[d].verifying_key().to_bytes();
            r.participates[d] = node.lace().participants().index_of(&me).is_some();
            r.closed[d] = dev.closed.iter().map(|c| (c.cut, c.next.clone())).collect();
        }
        self.check_agreement(&mut r);
        self.check_proposals(&mut r);
        r
    }

    /// Cuts and next sets agree; histories are prefixes of the longest.
    fn check_agreement(&self, r: &mut EpochSimReport) {
        let mut by_epoch: BTreeMap<u64, Vec<(usize, &EpochClose)>> = BTreeMap::new();
        for (d, closed) in r.closed.iter().enumerate() {
            for c in closed {
                by_epoch.entry(c.0.epoch).or_default().push((d, c));
            }
        }
        let mut found = Vec::new();
        let first_close: BTreeMap<u64, EpochCut> =
            by_epoch.iter().map(|(e, c)| (*e, c[0].1 .0)).collect();
        for (e, closes) in by_epoch {
            if let Some((d, c)) = closes.iter().find(|(_, c)| *c != closes[0].1) {
                found.push(format!(
                    "devices {} and {d} disagree on the cut of epoch {e}: {:?} vs {:?}",
                    closes[0].0, closes[0].1, c
                ));
            }
        }
        // a device whose rule disagrees may instead not close at all: it
        // reaches the cut others recorded and stays in the epoch
        for (e, c) in &first_close {
            for (d, dev) in self.devices.iter().enumerate() {
                let Some(dev) = dev else { continue };
                let (cur, node) = dev.current();
                if cur == *e && node.final_len() >= c.len {
                    found.push(format!(
                        "device {d} reached the cut of epoch {e} and did not close it"
                    ));
                }
            }
        }
        let longest = r
            .histories
            .iter()
            .flatten()
            .max_by_key(|h| h.len())
            .cloned()
            .unwrap_or_default();
        for (d, h) in r.histories.iter().enumerate() {
            if let Some(h) = h {
                if longest[..h.len()] != h[..] {
                    found.push(format!(
                        "device {d}: history is not a prefix of the longest"
                    ));
                }
            }
        }
        r.violations.extend(found);
    }

    /// Every proposal final at most once everywhere; those missing listed.
    fn check_proposals(&self, r: &mut EpochSimReport) {
        let wanted: BTreeSet<&Vec<u8>> = self.wants.iter().flatten().map(|(p, _)| p).collect();
        for (d, payloads) in r.payloads.iter().enumerate() {
            let Some(payloads) = payloads else { continue };
            let mut count: BTreeMap<&Vec<u8>, usize> = BTreeMap::new();
            for p in payloads {
                *count.entry(p).or_default() += 1;
            }
            for p in &wanted {
                let name = String::from_utf8_lossy(p).into_owned();
                match count.get(p).copied().unwrap_or(0) {
                    0 => r.missing.push((d, name)),
                    1 => {}
                    k => r
                        .violations
                        .push(format!("device {d}: {name} is final {k} times")),
                }
            }
        }
    }
}
