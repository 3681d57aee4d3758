//! Closing an epoch at a final leader and starting the next with another
//! participant set: every node computes the same cut, closed nodes stop,
//! the new epoch's round-0 blocks link to the cut, and the two epochs'
//! blocks never mix.

use ed25519_dalek::SigningKey;
use ledger::blocklace::epoch::{cut_at, start_next};
use ledger::blocklace::{
    Action, EpochLink, InsertError, Message, Node, NodeConfig, Participants, PeerId, Rejection,
    Timer,
};
use std::collections::VecDeque;

/// Instant, lossless delivery among `nodes`; timers fire between steps.
struct Net {
    nodes: Vec<Node>,
    queue: VecDeque<(usize, usize, Message)>,
    timers: Vec<(usize, Timer)>,
    rejected: Vec<Rejection>,
}

impl Net {
    fn new(started: Vec<(Node, Vec<Action>)>) -> Net {
        let mut net = Net {
            nodes: Vec::new(),
            queue: VecDeque::new(),
            timers: Vec::new(),
            rejected: Vec::new(),
        };
        let mut pending = Vec::new();
        for (i, (n, a)) in started.into_iter().enumerate() {
            net.nodes.push(n);
            pending.push((i, a));
        }
        for (i, a) in pending {
            net.apply(i, a);
        }
        net
    }

    fn apply(&mut self, i: usize, actions: Vec<Action>) {
        let n = self.nodes.len();
        for a in actions {
            match a {
                Action::Broadcast(m) => {
                    for j in (0..n).filter(|&j| j != i) {
                        self.queue.push_back((i, j, m.clone()));
                    }
                }
                Action::Send { to, message } => self.queue.push_back((i, to.0 as usize, message)),
                Action::SendToAny(m) => self.queue.push_back((i, (i + 1) % n, m)),
                Action::SetTimer { timer, .. } => self.timers.push((i, timer)),
                Action::Rejected { reason, .. } => self.rejected.push(reason),
                _ => {}
            }
        }
    }

    fn run(&mut self, steps: usize) {
        for _ in 0..steps {
            for _ in 0..self.queue.len() {
                let (from, to, m) = self.queue.pop_front().expect("counted");
                let a = self.nodes[to].on_message(PeerId(from as u64), m);
                self.apply(to, a);
            }
            for (i, t) in std::mem::take(&mut self.timers) {
                let a = self.nodes[i].on_timer(t);
                self.apply(i, a);
            }
        }
    }

    fn propose(&mut self, i: usize, payload: &[u8]) {
        let a = self.nodes[i].propose(payload.to_vec()).unwrap();
        self.apply(i, a);
    }

    /// Position of the block carrying `payload` in node `i`'s final order.
    fn final_position(&self, i: usize, payload: &[u8]) -> Option<usize> {
        self.nodes[i]
            .final_order()
            .position(|b| b.payload() == payload)
    }
}

fn key(i: u8) -> SigningKey {
    SigningKey::from_bytes(&[i + 1; 32])
}

fn participants(ids: &[u8]) -> Participants {
    Participants::new(ids.iter().map(|&i| key(i).verifying_key()).collect()).unwrap()
}

#[test]
fn an_epoch_closes_at_one_cut_and_the_next_links_to_it() {
    let config = NodeConfig::default();
    let old = [0, 1, 2, 3];
    let mut e0 = Net::new(
        old.iter()
            .map(|&i| Node::new(config.clone(), key(i), participants(&old)))
            .collect(),
    );
    e0.run(10);
    e0.propose(1, b"amend: 0 leaves, 4 and 5 join");
    e0.run(30);

    // every node finds the amendment final and computes the same cut
    let cuts: Vec<_> = (0..old.len())
        .map(|i| {
            let p = e0
                .final_position(i, b"amend: 0 leaves, 4 and 5 join")
                .expect("the amendment is final");
            cut_at(&e0.nodes[i], p).expect("its segment is final")
        })
        .collect();
    assert!(cuts.windows(2).all(|w| w[0] == w[1]), "{cuts:?}");
    let cut = cuts[0];
    assert_eq!(cut.epoch, 0);
    // the cut is the end of a segment: its leader is the last block there
    let order: Vec<_> = e0.nodes[0].final_order().map(|b| b.id()).collect();
    assert_eq!(order[cut.len - 1], cut.leader);
    let p = e0
        .final_position(0, b"amend: 0 leaves, 4 and 5 join")
        .unwrap();
    assert!(p < cut.len);

    // closed nodes stop creating blocks of the old epoch
    for n in &mut e0.nodes {
        n.close();
    }
    let rounds: Vec<_> = e0.nodes.iter().map(|n| n.round()).collect();
    e0.run(10);
    assert_eq!(
        e0.nodes.iter().map(|n| n.round()).collect::<Vec<_>>(),
        rounds
    );

    // the next epoch: 1, 2, 3 stay, 4 and 5 join
    let new = [1, 2, 3, 4, 5];
    let mut e1 = Net::new(
        new.iter()
            .map(|&i| start_next(config.clone(), key(i), participants(&new), &cut))
            .collect(),
    );
    e1.run(5);
    e1.propose(4, b"first words of a new member");
    e1.run(30);
    let link = EpochLink::after(&cut);
    for (i, n) in e1.nodes.iter().enumerate() {
        assert_eq!(n.lace().epoch(), 1);
        let round0: Vec<_> = n
            .lace()
            .entries()
            .iter()
            .filter(|e| e.round == 0)
            .map(|e| EpochLink::decode(e.block.payload()))
            .collect();
        assert_eq!(round0, vec![Some(link); new.len()], "node {i}");
        assert!(
            e1.final_position(i, b"first words of a new member")
                .is_some(),
            "node {i}: the new epoch orders"
        );
    }
    assert!(e1.rejected.is_empty(), "{:?}", e1.rejected);

    // blocks of the closed epoch are refused by the new one
    let old_block = e0.nodes[0].final_order().next().unwrap().clone();
    let a = e1.nodes[0].on_message(PeerId(99), Message::Block(old_block));
    assert!(
        a.iter().any(|a| matches!(
            a,
            Action::Rejected {
                reason: Rejection::Invalid(InsertError::WrongEpoch {
                    got: 0,
                    expected: 1
                }),
                ..
            }
        )),
        "{a:?}"
    );
}

/// The block a fresh node created first (its round-0 block).
fn first_block(actions: &[Action]) -> std::sync::Arc<ledger::blocklace::Block> {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Persist(b) => Some(b.clone()),
            _ => None,
        })
        .expect("a participant creates its round-0 block at once")
}

#[test]
fn a_first_block_linking_to_another_history_is_refused_by_participants_and_observers() {
    let config = NodeConfig::default();
    let new = [1, 2, 3];
    let cut = ledger::blocklace::EpochCut {
        epoch: 0,
        leader: ledger::blocklace::BlockHash([7; 32]),
        len: 12,
    };
    let forged = ledger::blocklace::EpochCut {
        leader: ledger::blocklace::BlockHash([8; 32]),
        ..cut
    };
    let (mut honest, _) = start_next(config.clone(), key(1), participants(&new), &cut);
    let (_, actions) = start_next(config.clone(), key(2), participants(&new), &forged);
    let liar = first_block(&actions);
    let (_, actions) = start_next(config.clone(), key(3), participants(&new), &cut);
    let agreeing = first_block(&actions);
    let epoch1 = NodeConfig { epoch: 1, ..config };
    let (mut observer, _) = Node::new(epoch1, key(9), participants(&new));
    observer.expect_first_payload(EpochLink::after(&cut).encode());
    for node in [&mut honest, &mut observer] {
        let a = node.on_message(PeerId(2), Message::Block(liar.clone()));
        assert!(
            a.iter().any(|a| matches!(
                a,
                Action::Rejected {
                    reason: Rejection::Invalid(InsertError::WrongLink),
                    ..
                }
            )),
            "{a:?}"
        );
        let a = node.on_message(PeerId(3), Message::Block(agreeing.clone()));
        assert!(
            !a.iter().any(|a| matches!(a, Action::Rejected { .. })),
            "{a:?}"
        );
    }
}
