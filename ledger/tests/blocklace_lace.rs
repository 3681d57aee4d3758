//! Validity rules of the lace and the node's handling of bad input.

use ed25519_dalek::SigningKey;
use ledger::blocklace::node::{Action, Message, Node, NodeConfig, PeerId, ProposeError, Rejection};
use ledger::blocklace::{Block, BlockError, BlockHash, InsertError, Lace, Limits, Participants};
use std::sync::Arc;

fn keys(n: u8) -> Vec<SigningKey> {
    (1..=n).map(|i| SigningKey::from_bytes(&[i; 32])).collect()
}

fn participants(k: &[SigningKey]) -> Participants {
    Participants::new(k.iter().map(|k| k.verifying_key()).collect()).unwrap()
}

fn mk(key: &SigningKey, seq: u64, preds: &[&Arc<Block>], payload: &[u8]) -> Arc<Block> {
    Arc::new(
        Block::sign(
            key,
            0,
            seq,
            preds.iter().map(|b| b.id()).collect(),
            payload.to_vec(),
            &Limits::default(),
        )
        .unwrap(),
    )
}

/// Round 0 and round 1 of four honest creators.
fn two_rounds(k: &[SigningKey]) -> (Vec<Arc<Block>>, Vec<Arc<Block>>) {
    let r0: Vec<_> = k.iter().map(|k| mk(k, 0, &[], b"")).collect();
    let refs: Vec<&Arc<Block>> = r0.iter().collect();
    let r1 = k.iter().map(|k| mk(k, 1, &refs, b"")).collect();
    (r0, r1)
}

#[test]
fn valid_rounds_enter_with_depths() {
    let k = keys(4);
    let mut lace = Lace::new(0, participants(&k));
    let (r0, r1) = two_rounds(&k);
    for b in r0.iter().chain(&r1) {
        lace.insert(b.clone()).unwrap();
    }
    assert_eq!(lace.len(), 8);
    assert_eq!(lace.quorum_round(), Some(1));
    let id = lace.id_of(&r1[0].id()).unwrap();
    assert_eq!(lace.entry(id).round, 1);
    assert!(lace.observes(id, lace.id_of(&r0[3].id()).unwrap()));
    assert!(!lace.observes(lace.id_of(&r0[3].id()).unwrap(), id));
    assert_eq!(
        lace.insert(r1[0].clone()).unwrap_err(),
        InsertError::Duplicate(r1[0].id())
    );
}

#[test]
fn invalid_blocks_refused_with_reason() {
    let k = keys(4);
    let (r0, _) = two_rounds(&k);
    let mut lace = Lace::new(0, participants(&k));
    // unknown predecessors
    let orphan = mk(&k[0], 1, &[&r0[0], &r0[1], &r0[2]], b"");
    assert!(matches!(
        lace.insert(orphan),
        Err(InsertError::MissingPreds(m)) if m.len() == 3
    ));
    for b in &r0 {
        lace.insert(b.clone()).unwrap();
    }
    // non-participant
    let stranger = SigningKey::from_bytes(&[99; 32]);
    assert!(matches!(
        lace.insert(mk(&stranger, 0, &[], b"")),
        Err(InsertError::NotParticipant(_))
    ));
    // wrong epoch
    let other_epoch =
        Arc::new(Block::sign(&k[0], 7, 1, vec![r0[0].id()], vec![], &Limits::default()).unwrap());
    assert_eq!(
        lace.insert(other_epoch).unwrap_err(),
        InsertError::WrongEpoch {
            got: 7,
            expected: 0
        }
    );
    // seq 1 without its self-parent
    let no_parent = mk(&k[0], 1, &[&r0[1], &r0[2], &r0[3]], b"");
    assert!(matches!(
        lace.insert(no_parent),
        Err(InsertError::SelfParent { seq: 1, own: 0, .. })
    ));
    // seq 0 naming an own block, and a seq gap
    assert!(matches!(
        lace.insert(mk(&k[0], 0, &[&r0[0], &r0[1], &r0[2]], b"x")),
        Err(InsertError::SelfParent { seq: 0, own: 1, .. })
    ));
    assert!(matches!(
        lace.insert(mk(&k[0], 5, &[&r0[0], &r0[1], &r0[2]], b"")),
        Err(InsertError::SelfParent {
            seq: 5,
            own: 1,
            own_seq: Some(0)
        })
    ));
    // not cordial: names only 2 of round 0, needs 3 of 4
    assert_eq!(
        lace.insert(mk(&k[0], 1, &[&r0[0], &r0[1]], b""))
            .unwrap_err(),
        InsertError::NotCordial {
            round: 1,
            have: 2,
            need: 3
        }
    );
    // bad signature: creator field swapped to another participant's key
    let mut bytes = mk(&k[0], 1, &[&r0[0], &r0[1], &r0[2]], b"").encode();
    bytes[13..45].copy_from_slice(k[1].verifying_key().as_bytes());
    let forged = Arc::new(Block::decode(&bytes, &Limits::default()).unwrap());
    assert_eq!(
        lace.insert(forged).unwrap_err(),
        InsertError::Block(BlockError::BadSignature)
    );
    assert_eq!(lace.len(), 4, "nothing invalid entered");
}

#[test]
fn equivocation_detected_and_propagated() {
    let k = keys(4);
    let (r0, _) = two_rounds(&k);
    let mut lace = Lace::new(0, participants(&k));
    for b in &r0 {
        lace.insert(b.clone()).unwrap();
    }
    let refs: Vec<&Arc<Block>> = r0.iter().collect();
    let a = mk(&k[0], 1, &refs, b"a");
    let b = mk(&k[0], 1, &refs, b"b");
    assert!(lace.insert(a.clone()).unwrap().equivocation.is_none());
    let proof = lace.insert(b.clone()).unwrap().equivocation.expect("proof");
    proof.verify().unwrap();
    assert_eq!(proof.creator(), k[0].verifying_key().as_bytes());
    assert_eq!(lace.proofs().len(), 1);
    let c: Vec<_> = (1..4).map(|i| mk(&k[i], 1, &refs, b"")).collect();
    for x in &c {
        lace.insert(x.clone()).unwrap();
    }
    let eq_idx = lace
        .participants()
        .index_of(k[0].verifying_key().as_bytes())
        .unwrap();
    // a round-2 block observing only `a` does not see the equivocation…
    let x = mk(&k[1], 2, &[&a, &c[0], &c[1], &c[2]], b"");
    let x_id = lace.insert(x.clone()).unwrap().id;
    assert!(lace.entry(x_id).equivocators.is_empty());
    // …one observing both does (the pair first meets in it)…
    let y = mk(&k[2], 2, &[&a, &b, &c[0], &c[1]], b"");
    let y_id = lace.insert(y.clone()).unwrap().id;
    assert_eq!(&*lace.entry(y_id).equivocators, &[eq_idx]);
    let w = mk(&k[3], 2, &[&b, &c[0], &c[1], &c[2]], b"");
    lace.insert(w.clone()).unwrap();
    // …and so does every block built on one that does
    let z = mk(&k[1], 3, &[&x, &y, &w], b"");
    let z_id = lace.insert(z).unwrap().id;
    assert_eq!(&*lace.entry(z_id).equivocators, &[eq_idx]);
    // approval of the equivocator's blocks is withdrawn: z ratifies nothing of k0
    let a_id = lace.id_of(&a.id()).unwrap();
    assert!(lace.observes(z_id, a_id));
    assert!(!lace.ratifies(z_id, a_id));
}

#[test]
fn node_buffers_requests_and_cascades() {
    let k = keys(4);
    let (r0, r1) = two_rounds(&k);
    let (mut node, _) = Node::new(NodeConfig::default(), k[0].clone(), participants(&k));
    let peer = PeerId(2);
    // a round-1 block arrives before its round-0 predecessors
    let out = node.on_block(peer, r1[1].clone());
    let requested: Vec<BlockHash> = out
        .iter()
        .find_map(|a| match a {
            Action::Send {
                to,
                message: Message::Request(h),
            } if *to == peer => Some(h.clone()),
            _ => None,
        })
        .expect("request for missing past");
    assert_eq!(requested.len(), 3, "all but the node's own round-0 block");
    assert_eq!(node.pending_len(), 1);
    for b in &r0[1..] {
        node.on_block(peer, b.clone());
    }
    assert_eq!(node.pending_len(), 0);
    assert!(node.lace().contains(&r1[1].id()));
    // the node answers requests from its lace
    let out = node.on_request(PeerId(3), &[r0[2].id(), BlockHash([0; 32])]);
    assert_eq!(out.len(), 1);
}

#[test]
fn flood_is_bounded_and_invalid_past_dooms_dependents() {
    let k = keys(4);
    let (r0, _) = two_rounds(&k);
    let cfg = NodeConfig {
        max_pending_per_peer: 8,
        ..NodeConfig::default()
    };
    let (mut node, _) = Node::new(cfg, k[0].clone(), participants(&k));
    // a participant floods blocks naming unknown (nonexistent) predecessors
    for i in 0..100u32 {
        let fake = BlockHash(blake(i));
        let b = Arc::new(Block::sign(&k[3], 0, 1, vec![fake], vec![], &Limits::default()).unwrap());
        node.on_block(PeerId(9), b);
    }
    assert!(node.pending_len() <= 8, "pending {}", node.pending_len());
    assert!(node.awaited_len() <= 8, "awaited {}", node.awaited_len());
    // an honest peer is still served
    for b in &r0[1..] {
        node.on_block(PeerId(1), b.clone());
    }
    assert!(r0.iter().all(|b| node.lace().contains(&b.id())));

    // a block whose parent turns out invalid is rejected with it
    let bad_parent = mk(&k[1], 1, &[&r0[0], &r0[2]], b""); // not cordial
    let child = mk(&k[1], 2, &[&bad_parent], b"");
    node.on_block(PeerId(1), child.clone());
    let out = node.on_block(PeerId(1), bad_parent.clone());
    let rejected: Vec<BlockHash> = out
        .iter()
        .filter_map(|a| match a {
            Action::Rejected { block, .. } => Some(*block),
            _ => None,
        })
        .collect();
    assert!(rejected.contains(&bad_parent.id()) && rejected.contains(&child.id()));
    assert!(!node.lace().contains(&child.id()));
}

fn blake(i: u32) -> [u8; 32] {
    let mut h = [0x42u8; 32];
    h[..4].copy_from_slice(&i.to_le_bytes());
    h
}

#[test]
fn bad_signature_and_oversize_refused_by_node() {
    let k = keys(4);
    let (mut node, _) = Node::new(NodeConfig::default(), k[0].clone(), participants(&k));
    let b = mk(&k[1], 0, &[], b"");
    let mut bytes = b.encode();
    bytes[13..45].copy_from_slice(k[2].verifying_key().as_bytes());
    let forged = Arc::new(Block::decode(&bytes, &Limits::default()).unwrap());
    let out = node.on_block(PeerId(1), forged);
    assert!(out.iter().any(|a| matches!(
        a,
        Action::Rejected {
            reason: Rejection::Invalid(InsertError::Block(BlockError::BadSignature)),
            ..
        }
    )));
    let big = Arc::new(
        Block::sign(
            &k[1],
            0,
            0,
            vec![],
            vec![0; 70_000],
            &Limits {
                max_payload: 100_000,
                max_preds: 8,
            },
        )
        .unwrap(),
    );
    let out = node.on_block(PeerId(1), big);
    assert!(out.iter().any(|a| matches!(
        a,
        Action::Rejected {
            reason: Rejection::Invalid(InsertError::Block(BlockError::PayloadTooLarge { .. })),
            ..
        }
    )));
    assert_eq!(
        node.propose(vec![0; 70_000]).unwrap_err(),
        ProposeError::TooLarge {
            len: 70_000,
            max: 65_536
        }
    );
    // an observer (not a participant) follows but cannot propose
    let (mut watcher, out) = Node::new(
        NodeConfig::default(),
        SigningKey::from_bytes(&[77; 32]),
        participants(&k),
    );
    assert!(!out.iter().any(|a| matches!(a, Action::Broadcast(_))));
    assert_eq!(
        watcher.propose(vec![1]).unwrap_err(),
        ProposeError::NotParticipant
    );
}

#[test]
fn restore_rebuilds_the_same_state() {
    use ledger::blocklace::sim::{self, SimConfig};
    let r = sim::run(&SimConfig::calm(4, 5));
    let keys: Vec<SigningKey> = (0..4).map(|i| sim::sim_key(5, i)).collect();
    let p = participants(&keys);
    let (node, out) = Node::restore(
        NodeConfig::default(),
        keys[0].clone(),
        p.clone(),
        r.blocks.clone(),
    )
    .unwrap();
    assert!(r.blocks.iter().all(|b| node.lace().contains(&b.id())));
    let fin: usize = out
        .iter()
        .map(|a| match a {
            Action::Finalized(b) => b.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(fin, node.final_len());
    let longest = r.orders.iter().flatten().map(Vec::len).max().unwrap();
    assert!(node.final_len() >= longest);
    // same blocks in reverse order: same result
    let mut rev = r.blocks.clone();
    rev.reverse();
    let (node2, _) = Node::restore(NodeConfig::default(), keys[0].clone(), p.clone(), rev).unwrap();
    let a: Vec<_> = node.final_order().map(|b| b.id()).collect();
    let b: Vec<_> = node2.final_order().map(|b| b.id()).collect();
    assert_eq!(a, b);
    // and shuffled
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let mut shuffled = r.blocks.clone();
    shuffled.shuffle(&mut rand::rngs::StdRng::seed_from_u64(9));
    let (node3, _) =
        Node::restore(NodeConfig::default(), keys[0].clone(), p.clone(), shuffled).unwrap();
    let c: Vec<_> = node3.final_order().map(|b| b.id()).collect();
    assert_eq!(a, c);
    // a store missing a block's past is reported
    let partial: Vec<_> = r.blocks[5..].to_vec();
    assert!(Node::restore(NodeConfig::default(), keys[0].clone(), p, partial).is_err());
}

#[test]
fn proven_equivocator_forks_only_enter_when_needed() {
    let k = keys(4);
    let (r0, _) = two_rounds(&k);
    let (mut node, _) = Node::new(NodeConfig::default(), k[0].clone(), participants(&k));
    for b in &r0[1..] {
        node.on_block(PeerId(1), b.clone());
    }
    let refs: Vec<&Arc<Block>> = r0.iter().collect();
    let forks: Vec<_> = (0..3u8).map(|i| mk(&k[3], 1, &refs, &[i])).collect();
    node.on_block(PeerId(3), forks[0].clone());
    let out = node.on_block(PeerId(3), forks[1].clone());
    assert!(out.iter().any(|a| matches!(a, Action::Equivocation(_))));
    // a third, unsolicited fork is refused…
    let out = node.on_block(PeerId(3), forks[2].clone());
    assert!(out.iter().any(|a| matches!(
        a,
        Action::Rejected {
            reason: Rejection::KnownEquivocator,
            ..
        }
    )));
    assert!(!node.lace().contains(&forks[2].id()));
    // …but taken when an honest block needs it
    let c1 = mk(&k[1], 1, &refs, b"");
    let c2 = mk(&k[2], 1, &refs, b"");
    node.on_block(PeerId(1), c1.clone());
    node.on_block(PeerId(2), c2.clone());
    let honest = mk(&k[1], 2, &[&c1, &c2, &forks[2]], b"");
    let out = node.on_block(PeerId(1), honest.clone());
    assert!(out.iter().any(|a| matches!(
        a,
        Action::Send { message: Message::Request(h), .. } if h == &vec![forks[2].id()]
    )));
    node.on_block(PeerId(1), forks[2].clone());
    assert!(node.lace().contains(&honest.id()));
}

#[test]
fn frontier_sync_transfers_exactly_the_missing_blocks() {
    use ledger::blocklace::sim::{self, SimConfig};
    use ledger::blocklace::{wire, Timer};
    let mut cfg = SimConfig::calm(4, 8);
    cfg.duration_ms = 800;
    let r = sim::run(&cfg);
    let keys: Vec<SigningKey> = (0..4).map(|i| sim::sim_key(8, i)).collect();
    let p = participants(&keys);
    let cfg = NodeConfig {
        max_sync_batch: 64,
        ..NodeConfig::default()
    };
    let observer = |i: u8| SigningKey::from_bytes(&[100 + i; 32]);
    let (mut full, _) =
        Node::restore(cfg.clone(), observer(1), p.clone(), r.blocks.clone()).unwrap();
    // a lagging node holding a causally closed prefix
    let have = r.blocks.len() / 3;
    let (mut lag, _) = Node::restore(cfg, observer(2), p, r.blocks[..have].to_vec()).unwrap();
    let mut sent = 0;
    for _ in 0..100 {
        if lag.lace().len() == r.blocks.len() {
            break;
        }
        for act in lag.on_timer(Timer::Sync) {
            let Action::SendToAny(msg @ Message::Frontier(_)) = act else {
                continue;
            };
            let msg = wire::decode(&wire::encode(&msg), &Limits::default()).unwrap();
            for reply in full.on_message(PeerId(2), msg) {
                if let Action::Send { message, .. } = reply {
                    sent += 1;
                    lag.on_message(PeerId(1), message);
                }
            }
        }
    }
    assert_eq!(lag.lace().len(), r.blocks.len());
    assert_eq!(
        sent,
        r.blocks.len() - have,
        "only the missing blocks travel"
    );
    let a: Vec<_> = full.final_order().map(|b| b.id()).collect();
    let b: Vec<_> = lag.final_order().map(|b| b.id()).collect();
    assert_eq!(a, b);
}

/// Four keys in participant-index order (index 0 leads wave 0, index 1
/// wave 1) and their participant set.
fn indexed(n: u8) -> (Vec<SigningKey>, Participants) {
    let k = keys(n);
    let p = participants(&k);
    let mut by_idx = k.clone();
    by_idx.sort_by_key(|key| p.index_of(&key.verifying_key().to_bytes()).unwrap());
    (by_idx, p)
}

fn own_block(node: &Node, seq: u64) -> Arc<Block> {
    node.lace()
        .entries()
        .iter()
        .find(|e| e.creator == 3 && e.block.header().seq() == seq)
        .map(|e| e.block.clone())
        .expect("own block made")
}

fn leader_timer(actions: &[Action]) -> Option<(u64, u64)> {
    actions.iter().find_map(|a| match a {
        Action::SetTimer {
            timer: ledger::blocklace::Timer::Leader { round },
            after_ms,
        } => Some((*round, *after_ms)),
        _ => None,
    })
}

#[test]
fn leader_wait_doubles_for_a_late_leader_not_for_an_absent_one_and_eases_back() {
    use ledger::blocklace::Timer;
    let (k, p) = indexed(4);
    let cfg = NodeConfig {
        leader_timeout_ms: 100,
        ..NodeConfig::default()
    };
    let (mut node, _) = Node::new(cfg, k[3].clone(), p);
    let r0: Vec<_> = k.iter().map(|k| mk(k, 0, &[], b"")).collect();
    node.on_block(PeerId(1), r0[1].clone());
    let out = node.on_block(PeerId(2), r0[2].clone());
    // a quorum of round 0 without wave 0's leader: wait for it
    assert_eq!(leader_timer(&out), Some((1, 100)));
    assert_eq!(node.round(), Some(0));
    node.on_timer(Timer::Leader { round: 1 });
    assert_eq!(node.round(), Some(1), "moved on without the leader");
    assert_eq!(node.leader_wait_ms(), 100, "an absent leader grows nothing");
    node.on_block(PeerId(0), r0[0].clone());
    assert_eq!(node.leader_wait_ms(), 200, "the leader came after the wait");
    // three more rounds by the others, wave 1's leader (index 1) in time
    let mut prev: Vec<Arc<Block>> = r0[..3].to_vec();
    for seq in 1..=3 {
        let refs: Vec<&Arc<Block>> = prev.iter().collect();
        prev = k[..3].iter().map(|key| mk(key, seq, &refs, b"")).collect();
        for (i, b) in prev.iter().enumerate() {
            node.on_block(PeerId(i as u64), b.clone());
        }
    }
    assert_eq!(node.round(), Some(4));
    assert_eq!(
        node.leader_wait_ms(),
        175,
        "eased a quarter of the way back"
    );
}

#[test]
fn ratification_round_waits_for_a_supermajority_of_approvals() {
    let (k, p) = indexed(4);
    let cfg = NodeConfig {
        leader_timeout_ms: 100,
        ..NodeConfig::default()
    };
    let (mut node, _) = Node::new(cfg, k[3].clone(), p);
    let r0: Vec<_> = k.iter().map(|k| mk(k, 0, &[], b"")).collect();
    for (i, b) in r0[..3].iter().enumerate() {
        node.on_block(PeerId(i as u64), b.clone());
    }
    assert_eq!(node.round(), Some(1), "leader present: approved at once");
    let mine = own_block(&node, 0);
    // index 1 names round 0 without the leader (no approval), index 2 with
    let r1_1 = mk(&k[1], 1, &[&r0[1], &r0[2], &mine], b"");
    let r1_2 = mk(&k[2], 1, &[&r0[0], &r0[1], &r0[2], &mine], b"");
    node.on_block(PeerId(1), r1_1.clone());
    let out = node.on_block(PeerId(2), r1_2.clone());
    // a quorum of round 1, but only two of its creators approve the leader
    assert_eq!(leader_timer(&out), Some((2, 100)));
    assert_eq!(node.round(), Some(1));
    let r1_0 = mk(&k[0], 1, &[&r0[0], &r0[1], &r0[2], &mine], b"");
    node.on_block(PeerId(0), r1_0);
    assert_eq!(node.round(), Some(2), "three approvals: ratify now");
    let last = node.lace().entries().last().unwrap();
    assert_eq!(last.round, 2);
    assert!(last.vote.is_some(), "the block ratifies wave 0's leader");
}
