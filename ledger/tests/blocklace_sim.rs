//! Deterministic simulation of the blocklace protocol.
//!
//! Sizes are chosen so the whole file runs in well under a minute in the
//! test profile (dependencies at opt-level 3, this crate unoptimised): a
//! handful of 50-node runs with every fault at once, many seeds at 7–13
//! nodes, and targeted scenarios. `examples/blocklace_bench.rs` runs more
//! seeds and larger networks.

use ledger::blocklace::sim::{self, SimConfig, SimReport};
use std::collections::HashSet;

fn check(cfg: &SimConfig, r: &SimReport) {
    let tag = format!("n={} seed={}", cfg.n, cfg.seed);
    assert!(r.violations.is_empty(), "{tag}: {:?}", r.violations);
    let live: Vec<usize> = (0..cfg.n).filter(|&i| r.orders[i].is_some()).collect();
    assert!(!live.is_empty(), "{tag}: no correct node");
    // convergence: every correct node finalised every correct proposal
    for &i in &live {
        let got: HashSet<&Vec<u8>> = r.final_payloads[i].as_ref().unwrap().iter().collect();
        for j in &live {
            for k in 0..cfg.proposals_per_node {
                let p = format!("n{j}-p{k}").into_bytes();
                assert!(got.contains(&p), "{tag}: node {i} lacks proposal {j}/{k}");
            }
        }
    }
    if cfg.equivocator.is_some() && !r.twins.is_empty() {
        for &i in &live {
            assert!(
                r.detected[i],
                "{tag}: node {i} did not detect the equivocation"
            );
        }
        // never both twins of a slot in the order
        let order: HashSet<_> = r.orders[live[0]].as_ref().unwrap().iter().collect();
        for (a, b) in &r.twins {
            assert!(
                !(order.contains(a) && order.contains(b)),
                "{tag}: both twins ordered"
            );
        }
    }
}

#[test]
fn good_case_latency_is_three_rounds() {
    let cfg = SimConfig::calm(4, 1);
    let r = sim::run(&cfg);
    check(&cfg, &r);
    for d in r.decisions.iter() {
        assert!(d.len() > 10);
        assert!(d.iter().all(|d| d.latency_rounds() == 3), "{d:?}");
        // every wave is decided: consecutive leader rounds
        for w in d.windows(2) {
            assert_eq!(w[1].leader_round, w[0].leader_round + 3);
        }
    }
}

#[test]
fn fifty_nodes_every_fault() {
    for seed in 1..=2 {
        let cfg = SimConfig::stormy(50, seed);
        let r = sim::run(&cfg);
        check(&cfg, &r);
        assert_eq!(r.restarts, 1);
        assert!(!r.twins.is_empty());
    }
}

#[test]
fn many_seeds_small_networks() {
    for seed in 0..40u64 {
        let n = [7, 10, 13][seed as usize % 3];
        let cfg = SimConfig::stormy(n, seed);
        let r = sim::run(&cfg);
        check(&cfg, &r);
    }
}

#[test]
fn f_silent_members_still_decide() {
    let mut cfg = SimConfig::calm(10, 3);
    cfg.silent = vec![2, 5, 8];
    let r = sim::run(&cfg);
    check(&cfg, &r);
    let d = &r.decisions[0];
    assert!(d.len() > 5, "{d:?}");
}

#[test]
fn a_store_that_loses_own_blocks_makes_the_node_equivocate() {
    // The driver contract (persist before broadcast) matters: a restart from
    // a store that lost the node's latest blocks re-signs their slots, and
    // the harness catches the restarted correct member equivocating.
    let mut cfg = SimConfig::calm(7, 4);
    cfg.duration_ms = 1_000;
    cfg.crashes = vec![sim::Crash {
        node: 2,
        at_ms: 300,
        restart_ms: 400,
        lose_last: 40,
    }];
    let r = sim::run(&cfg);
    assert!(
        r.violations
            .iter()
            .any(|v| v.contains("against a correct member")),
        "{:?}",
        r.violations
    );
}

#[test]
fn fifty_nodes_with_every_fault_restart_from_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = SimConfig::stormy(50, 77);
    cfg.store_dir = Some(dir.path().to_path_buf());
    let r = sim::run(&cfg);
    check(&cfg, &r);
    assert_eq!(
        r.restarts, 1,
        "the crashed node came back from its database"
    );
    assert!(dir
        .path()
        .join(format!("node-{}.db", cfg.crashes[0].node))
        .exists());
}

#[test]
fn a_sqlite_store_that_loses_own_blocks_makes_the_node_equivocate() {
    // the same contract as with the in-memory store, through a real database
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = SimConfig::calm(7, 4);
    cfg.duration_ms = 1_000;
    cfg.store_dir = Some(dir.path().to_path_buf());
    cfg.crashes = vec![sim::Crash {
        node: 2,
        at_ms: 300,
        restart_ms: 400,
        lose_last: 40,
    }];
    let r = sim::run(&cfg);
    assert!(
        r.violations
            .iter()
            .any(|v| v.contains("against a correct member")),
        "{:?}",
        r.violations
    );
}
