//! The final order is a function of the lace: inserting the same blocks in
//! any causal order gives the same order, and it only ever grows.

use ledger::blocklace::sim::{self, Crash, SimConfig};
use ledger::blocklace::{Block, BlockHash, Lace, Orderer, Participants};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

struct Fixture {
    participants: Participants,
    blocks: Vec<Arc<Block>>,
    node_orders: Vec<Vec<BlockHash>>,
    twins: Vec<(BlockHash, BlockHash)>,
}

/// Blocks of a 7-node run with an equivocator, loss and a crash.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut cfg = SimConfig::calm(7, 11);
        cfg.duration_ms = 800;
        cfg.delay_ms = (1, 40);
        cfg.loss = 0.05;
        cfg.faults_until_ms = 400;
        cfg.equivocator = Some(3);
        cfg.crashes = vec![Crash {
            node: 5,
            at_ms: 100,
            restart_ms: 300,
            lose_last: 0,
        }];
        let r = sim::run(&cfg);
        assert!(r.violations.is_empty(), "{:?}", r.violations);
        assert!(!r.twins.is_empty());
        let keys = (0..7)
            .map(|i| sim::sim_key(11, i).verifying_key())
            .collect();
        Fixture {
            participants: Participants::new(keys).unwrap(),
            blocks: r.blocks.clone(),
            node_orders: r.orders.iter().flatten().cloned().collect(),
            twins: r.twins.clone(),
        }
    })
}

/// Insert all blocks in a random causal order; return the order after each
/// insertion's growth and the final one.
fn replay(seed: u64) -> (Vec<BlockHash>, bool) {
    let f = fixture();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut lace = Lace::new(0, f.participants.clone());
    let mut orderer = Orderer::new();
    let mut left: Vec<Arc<Block>> = f.blocks.clone();
    let mut out: Vec<BlockHash> = Vec::new();
    let mut grew_only = true;
    while !left.is_empty() {
        let ready: Vec<usize> = (0..left.len())
            .filter(|&i| left[i].header().preds().iter().all(|p| lace.contains(p)))
            .collect();
        assert!(!ready.is_empty(), "blocks without causal past in fixture");
        let pick = ready[rng.gen_range(0..ready.len())];
        let b = left.swap_remove(pick);
        let ins = lace.insert(b).expect("valid block");
        let before = out.len();
        for id in orderer.on_insert(&lace, ins.id) {
            out.push(lace.entry(id).block.id());
        }
        let now: Vec<BlockHash> = orderer
            .order()
            .iter()
            .map(|&id| lace.entry(id).block.id())
            .collect();
        grew_only &= now[..before] == out[..before] && now == out;
    }
    (out, grew_only)
}

#[test]
fn node_orders_are_prefixes_of_the_full_lace_order() {
    let f = fixture();
    let (full, grew_only) = replay(0);
    assert!(grew_only);
    assert!(!full.is_empty());
    for o in &f.node_orders {
        assert_eq!(&full[..o.len()], &o[..]);
    }
    let set: HashSet<_> = full.iter().collect();
    for (a, b) in &f.twins {
        assert!(!(set.contains(a) && set.contains(b)), "both twins ordered");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_causal_arrival_order_gives_the_same_final_order(seed in any::<u64>()) {
        let (reference, _) = replay(0);
        let (order, grew_only) = replay(seed);
        prop_assert!(grew_only);
        prop_assert_eq!(order, reference);
    }
}
