//! The blocklace kept in SQLite: a node restarts from its store and
//! continues, and statements carried by final blocks land in the statements
//! table in final order.

use ed25519_dalek::SigningKey;
use identity::Keypair;
use ledger::blocklace::{statements, Action, Durable, Limits, Message, Node, NodeConfig};
use ledger::blocklace::{Participants, PeerId, Timer};
use ledger::dag::{found, say};
use ledger::{CommunityId, Note, Payload, Statement, Store};
use std::collections::VecDeque;

const N: usize = 4;

struct Net {
    nodes: Vec<Option<Node>>,
    queue: VecDeque<(usize, usize, Message)>,
    timers: Vec<(usize, Timer)>,
    durable: Durable,
}

impl Net {
    /// Carry out node `i`'s actions: node 0 through its store.
    fn apply(&mut self, i: usize, actions: Vec<Action>) {
        let actions = if i == 0 {
            self.durable.apply(actions).expect("store").0
        } else {
            actions
        };
        self.apply_io(i, actions);
    }

    /// Carry out actions whose storage part is done.
    fn apply_io(&mut self, i: usize, actions: Vec<Action>) {
        for a in actions {
            match a {
                Action::Broadcast(m) => {
                    for j in 0..N {
                        if j != i {
                            self.queue.push_back((i, j, m.clone()));
                        }
                    }
                }
                Action::Send { to, message } => self.queue.push_back((i, to.0 as usize, message)),
                Action::SendToAny(m) => self.queue.push_back((i, (i + 1) % N, m)),
                Action::SetTimer { timer, .. } => self.timers.push((i, timer)),
                Action::Rejected { reason, .. } => panic!("honest block rejected: {reason}"),
                Action::Equivocation(p) => panic!("equivocation in an honest run: {p:?}"),
                Action::Persist(_) | Action::Finalized(_) => {}
            }
        }
    }

    /// `steps` times: deliver the messages in flight, then fire timers.
    fn run(&mut self, steps: usize) {
        for _ in 0..steps {
            for _ in 0..self.queue.len() {
                let (from, to, m) = self.queue.pop_front().expect("counted");
                if let Some(n) = self.nodes[to].as_mut() {
                    let a = n.on_message(PeerId(from as u64), m);
                    self.apply(to, a);
                }
            }
            for (i, t) in std::mem::take(&mut self.timers) {
                if let Some(n) = self.nodes[i].as_mut() {
                    let a = n.on_timer(t);
                    self.apply(i, a);
                }
            }
        }
    }
}

fn signing(k: &Keypair) -> SigningKey {
    let seed = k.seed();
    SigningKey::from_bytes(&seed)
}

fn note(k: &Keypair, c: &CommunityId, genesis: &Statement, text: &str) -> Vec<u8> {
    let s = say(
        k,
        c,
        std::slice::from_ref(genesis),
        Payload::Note(Note::new(text).unwrap()),
        2,
    )
    .unwrap();
    statements::encode(&[s])
}

#[test]
fn a_node_restarts_from_sqlite_and_final_statements_follow_the_final_order() {
    let keys: Vec<Keypair> = (0..N).map(|_| Keypair::generate()).collect();
    let members: Vec<_> = keys[1..].iter().map(|k| k.public()).collect();
    let genesis = found(&keys[0], Default::default(), &members, 1).unwrap();
    let c = genesis.id();
    let participants =
        Participants::new(keys.iter().map(|k| signing(k).verifying_key()).collect()).unwrap();
    let config = NodeConfig::default();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("grassroots.db");
    let mut store = Store::open(&db).unwrap();
    store.insert(&genesis).unwrap();

    let mut durable = Durable::new(store, c, 0, Limits::default());
    let (n0, a0, _) = durable
        .start(config.clone(), signing(&keys[0]), participants.clone())
        .unwrap();
    let mut net = Net {
        nodes: vec![Some(n0)],
        queue: VecDeque::new(),
        timers: Vec::new(),
        durable,
    };
    net.apply_io(0, a0);
    for k in &keys[1..] {
        let (n, a) = Node::new(config.clone(), signing(k), participants.clone());
        net.nodes.push(Some(n));
        let i = net.nodes.len() - 1;
        net.apply(i, a);
    }
    for (i, k) in keys.iter().enumerate() {
        let p = note(k, &c, &genesis, &format!("before restart from {i}"));
        let a = net.nodes[i].as_mut().unwrap().propose(p).unwrap();
        net.apply(i, a);
    }
    net.run(30);
    let before: Vec<_> = net.nodes[0]
        .as_ref()
        .unwrap()
        .final_order()
        .map(|b| b.id())
        .collect();
    assert!(before.len() > 20, "only {} final blocks", before.len());
    let seq_before = net.nodes[0].as_ref().unwrap().round().unwrap();

    // crash node 0: drop it and its store handle, reopen from disk
    net.nodes[0] = None;
    let store = Store::open(&db).unwrap();
    assert_eq!(store.final_order(&c, 0).unwrap(), before);
    net.durable = Durable::new(store, c, 0, Limits::default());
    let (n0, a0, replay) = net
        .durable
        .start(config.clone(), signing(&keys[0]), participants.clone())
        .unwrap();
    assert_eq!(
        replay.blocks, 0,
        "replayed final blocks are already recorded"
    );
    assert!(n0.final_len() >= before.len());
    assert_eq!(n0.round().unwrap(), seq_before);
    net.nodes[0] = Some(n0);
    net.apply_io(0, a0);
    let p = note(&keys[0], &c, &genesis, "after restart");
    let a = net.nodes[0].as_mut().unwrap().propose(p).unwrap();
    net.apply(0, a);
    net.run(30);

    let n0 = net.nodes[0].as_ref().unwrap();
    let after: Vec<_> = n0.final_order().map(|b| b.id()).collect();
    assert!(n0.round().unwrap() > seq_before + 5, "node 0 kept going");
    assert_eq!(
        &after[..before.len()],
        &before[..],
        "final order only grows"
    );
    for other in &net.nodes[1..] {
        let o: Vec<_> = other
            .as_ref()
            .unwrap()
            .final_order()
            .map(|b| b.id())
            .collect();
        let k = o.len().min(after.len());
        assert_eq!(o[..k], after[..k]);
    }
    let store = net.durable.store();
    assert_eq!(store.final_order(&c, 0).unwrap(), after);

    // the statements table holds the genesis, then the notes in final order
    let in_final_order: Vec<_> = after
        .iter()
        .map(|h| n0.lace().entry(n0.lace().id_of(h).unwrap()).block.clone())
        .flat_map(|b| statements::decode(b.payload()).unwrap())
        .map(|s| s.id())
        .collect();
    assert_eq!(in_final_order.len(), N + 1, "all five notes are final");
    let stored: Vec<_> = store
        .statements(&c)
        .unwrap()
        .iter()
        .map(|s| s.id())
        .collect();
    assert_eq!(stored[0], c);
    assert_eq!(stored[1..], in_final_order[..]);
}

#[test]
fn blocks_are_stored_only_with_their_causal_past() {
    let k = Keypair::generate();
    let sk = signing(&k);
    let limits = Limits::default();
    let b0 = ledger::blocklace::Block::sign(&sk, 0, 0, vec![], vec![], &limits).unwrap();
    let b1 = ledger::blocklace::Block::sign(&sk, 0, 1, vec![b0.id()], vec![], &limits).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let c = ledger::StatementId([7; 32]);
    let (b0, b1) = (std::sync::Arc::new(b0), std::sync::Arc::new(b1));
    let err = store.put_blocks(&c, std::slice::from_ref(&b1)).unwrap_err();
    assert!(err.to_string().contains("does not hold"), "{err}");
    assert_eq!(store.block_count(&c, 0).unwrap(), 0);
    assert_eq!(store.put_blocks(&c, &[b0.clone(), b1.clone()]).unwrap(), 2);
    assert_eq!(store.put_blocks(&c, std::slice::from_ref(&b1)).unwrap(), 0);
    let back = store.blocks(&c, 0, &limits).unwrap();
    assert_eq!(
        back.iter().map(|b| b.id()).collect::<Vec<_>>(),
        [b0.id(), b1.id()]
    );

    // a final position never changes
    store
        .record_final(&c, 0, 0, std::slice::from_ref(&b0))
        .unwrap();
    store
        .record_final(&c, 0, 0, &[b0.clone(), b1.clone()])
        .unwrap();
    let err = store
        .record_final(&c, 0, 1, std::slice::from_ref(&b0))
        .unwrap_err();
    assert!(err.to_string().contains("never changes"), "{err}");
    assert_eq!(store.final_order(&c, 0).unwrap(), [b0.id(), b1.id()]);
}

#[test]
fn quiescent_nodes_stop_when_settled_and_resume_for_a_proposal() {
    let keys: Vec<Keypair> = (0..N).map(|_| Keypair::generate()).collect();
    let genesis = found(&keys[0], Default::default(), &[], 1).unwrap();
    let c = genesis.id();
    let participants =
        Participants::new(keys.iter().map(|k| signing(k).verifying_key()).collect()).unwrap();
    let config = NodeConfig {
        quiesce: true,
        ..NodeConfig::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    store.insert(&genesis).unwrap();
    let mut durable = Durable::new(store, c, 0, Limits::default());
    let (n0, a0, _) = durable
        .start(config.clone(), signing(&keys[0]), participants.clone())
        .unwrap();
    let mut net = Net {
        nodes: vec![Some(n0)],
        queue: VecDeque::new(),
        timers: Vec::new(),
        durable,
    };
    net.apply_io(0, a0);
    for k in &keys[1..] {
        let (n, a) = Node::new(config.clone(), signing(k), participants.clone());
        net.nodes.push(Some(n));
        let i = net.nodes.len() - 1;
        net.apply(i, a);
    }
    net.run(20);
    let lens = |net: &Net| -> Vec<usize> {
        net.nodes
            .iter()
            .map(|n| n.as_ref().unwrap().lace().len())
            .collect()
    };
    assert_eq!(lens(&net), vec![N; N], "only the round-0 blocks while idle");

    let p = note(&keys[1], &c, &genesis, "wake up");
    let a = net.nodes[1].as_mut().unwrap().propose(p).unwrap();
    net.apply(1, a);
    net.run(40);
    for n in &net.nodes {
        let n = n.as_ref().unwrap();
        assert!(n.is_settled());
        assert!(
            n.final_order().any(|b| !b.payload().is_empty()),
            "the proposal is final everywhere"
        );
    }
    let busy = lens(&net);
    assert!(busy[0] > N && busy[0] < 20 * N, "{busy:?}");
    net.run(20);
    assert_eq!(lens(&net), busy, "quiet again once the proposal is final");
    assert_eq!(
        net.durable.store().count(&c).unwrap(),
        2,
        "genesis and the note"
    );
}

#[test]
fn unsynced_blocks_keep_the_causal_rule_and_survive_a_reopen() {
    let k = Keypair::generate();
    let sk = signing(&k);
    let limits = Limits::default();
    let b0 = ledger::blocklace::Block::sign(&sk, 0, 0, vec![], vec![], &limits).unwrap();
    let b1 = ledger::blocklace::Block::sign(&sk, 0, 1, vec![b0.id()], vec![], &limits).unwrap();
    let (b0, b1) = (std::sync::Arc::new(b0), std::sync::Arc::new(b1));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let c = ledger::StatementId([7; 32]);
    {
        let mut store = Store::open(&path).unwrap();
        let err = store
            .put_blocks_unsynced(&c, std::slice::from_ref(&b1))
            .unwrap_err();
        assert!(err.to_string().contains("does not hold"), "{err}");
        assert_eq!(
            store
                .put_blocks_unsynced(&c, std::slice::from_ref(&b0))
                .unwrap(),
            1
        );
        // a synced commit after an unsynced one
        assert_eq!(store.put_blocks(&c, std::slice::from_ref(&b1)).unwrap(), 1);
    }
    // the process ends (no power loss): nothing is lost
    let store = Store::open(&path).unwrap();
    let back = store.blocks(&c, 0, &limits).unwrap();
    assert_eq!(
        back.iter().map(|b| b.id()).collect::<Vec<_>>(),
        [b0.id(), b1.id()]
    );
}
