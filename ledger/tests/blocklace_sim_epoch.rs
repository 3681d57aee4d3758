//! Deterministic simulation of participant-set changes under faults: two
//! founders' proposals add two devices, a third removes a founder, while
//! messages are lost and reordered, a founder is partitioned off during the
//! first change and devices crash across both cuts (from memory or from a
//! SQLite store). Checked on the concatenated history of every device.

use ledger::blocklace::sim::epochs::{run_epochs, EpochSimConfig, EpochSimReport};
use ledger::blocklace::sim::{Crash, Partition};
use std::collections::BTreeSet;

/// The run's checks, and a line of figures for the log.
fn check(tag: &str, cfg: &EpochSimConfig, r: &EpochSimReport, last_epoch: u64) {
    assert!(r.violations.is_empty(), "{tag}: {:?}", r.violations);
    assert_eq!(r.reverted, 0, "{tag}");
    assert!(r.missing.is_empty(), "{tag}: missing {:?}", r.missing);
    let devices = cfg.base.n + cfg.joiners;
    assert!(
        r.histories.iter().all(Option::is_some),
        "{tag}: every device runs at the end"
    );
    assert!(
        r.epoch.iter().all(|&e| e == Some(last_epoch)),
        "{tag}: epochs {:?}",
        r.epoch
    );
    let roots: BTreeSet<_> = r.roots.iter().flatten().collect();
    assert_eq!(roots.len(), 1, "{tag}: one state root, got {roots:?}");
    // the final set: founders and joiners, less those who left
    let mut expected: BTreeSet<usize> = (0..devices).collect();
    for c in &cfg.changes {
        if let ledger::blocklace::sim::epochs::SetChange::Leave(i) = c.change {
            expected.remove(&i);
        }
    }
    for d in 0..devices {
        assert_eq!(
            r.participates[d],
            expected.contains(&d),
            "{tag}: device {d}"
        );
        assert_eq!(r.closed[d].len() as u64, last_epoch, "{tag}: device {d}");
        assert_eq!(r.closed[d].last().map(|c| &c.1), Some(&expected), "{tag}");
    }
    // every proposal and every change, final once on every device
    let proposals = devices * cfg.base.proposals_per_node + cfg.changes.len();
    assert!(
        r.payloads.iter().flatten().all(|p| p.len() == proposals),
        "{tag}"
    );
    let entries: Vec<String> = r
        .entries
        .iter()
        .map(|e| {
            format!(
                "epoch {} by {} (proposed {:?} ms): first at {} ms, last at {} ms, {} devices",
                e.epoch, e.trigger, e.proposed_ms, e.first_ms, e.last_ms, e.devices
            )
        })
        .collect();
    println!(
        "{tag}: {} final statements, {} reverted, restarts (device, ms, epoch) {:?}, {} epochs entered; {entries:?}; \
         {} delivered, {} dropped, {} for an epoch not held; {} blocks refused {:?}",
        r.final_statements(),
        r.reverted,
        r.restarts,
        r.entries.len(),
        r.delivered,
        r.dropped,
        r.other_epoch,
        r.rejected,
        r.first_rejections.first()
    );
}

#[test]
fn two_join_and_one_leaves_under_crashes_partitions_and_loss() {
    let dir = tempfile::tempdir().unwrap();
    for seed in 1..=6u64 {
        let mut cfg = EpochSimConfig::grow_then_shrink(seed);
        if seed % 2 == 1 {
            let sub = dir.path().join(format!("seed-{seed}"));
            std::fs::create_dir_all(&sub).unwrap();
            cfg.base.store_dir = Some(sub);
        }
        let r = run_epochs(&cfg);
        let last = r.entries.len() as u64;
        assert!(
            (2..=3).contains(&last),
            "seed {seed}: the joins take one or two epochs, the leave one: {:?}",
            r.entries
        );
        assert_eq!(r.restarts.len(), 2, "seed {seed}");
        // joiner 5 had entered a later epoch before its crash and came
        // back in it, from its recorded cut and blocks
        assert!(
            r.restarts[1].0 == 5 && r.restarts[1].2 >= 1,
            "{:?}",
            r.restarts
        );
        check(&format!("seed {seed}"), &cfg, &r, last);
    }
}

#[test]
fn the_change_is_final_while_a_joiner_is_partitioned() {
    for seed in [11u64, 12, 13] {
        let mut cfg = EpochSimConfig::grow_then_shrink(seed);
        // joiner 4 hears nothing from 200 ms until well after its join is
        // final and the others work in the next epoch
        cfg.base.partitions = vec![Partition {
            from_ms: 200,
            until_ms: 1_800,
            side: vec![4],
        }];
        cfg.base.crashes = vec![Crash {
            node: 1,
            at_ms: 500,
            restart_ms: 900,
            lose_last: 0,
        }];
        cfg.changes.truncate(2);
        let r = run_epochs(&cfg);
        let last = r.entries.len() as u64;
        assert!((1..=2).contains(&last), "seed {seed}: {:?}", r.entries);
        let first = &r.entries[0];
        assert!(
            first.first_ms < 1_800 && first.last_ms >= 1_800,
            "seed {seed}: the others entered before the partition healed, the joiner after: {first:?}"
        );
        check(&format!("partitioned joiner, seed {seed}"), &cfg, &r, last);
    }
}

#[test]
fn a_device_with_a_wrong_participant_rule_is_caught() {
    let mut cfg = EpochSimConfig::grow_then_shrink(2);
    cfg.wrong_rule = Some(1);
    let r = run_epochs(&cfg);
    assert!(
        r.violations
            .iter()
            .any(|v| v.contains("device 1") && v.contains("did not close")),
        "{:?}",
        r.violations
    );
}

#[test]
fn without_faults_an_epoch_change_completes_within_half_a_second() {
    for seed in [21u64, 22] {
        let mut cfg = EpochSimConfig::grow_then_shrink(seed);
        cfg.base.loss = 0.0;
        cfg.base.partitions.clear();
        cfg.base.crashes.clear();
        let r = run_epochs(&cfg);
        let last = r.entries.len() as u64;
        check(&format!("no faults, seed {seed}"), &cfg, &r, last);
        for e in &r.entries {
            let took = e.last_ms - e.proposed_ms.expect("proposed in the run");
            assert!(took < 500, "seed {seed}: {e:?}");
        }
    }
}

#[test]
fn a_device_down_for_two_epoch_changes_catches_up_through_both() {
    for seed in [1u64, 3] {
        let mut cfg = EpochSimConfig::grow_then_shrink(seed);
        cfg.base.store_dir = None;
        cfg.base.partitions.clear();
        // founder 3 is down from before the first change until after the
        // second: it comes back in epoch 0 and follows the closed epochs
        // that the others still serve
        cfg.base.crashes = vec![Crash {
            node: 3,
            at_ms: 250,
            restart_ms: 2_300,
            lose_last: 0,
        }];
        cfg.changes.truncate(2);
        cfg.changes[1].at_ms = 1_200; // after the first change
        let r = run_epochs(&cfg);
        let last = r.entries.len() as u64;
        assert_eq!(r.restarts, vec![(3, 2_300, 0)], "seed {seed}");
        assert_eq!(last, 2, "seed {seed}: the two joins in two epochs");
        assert!(
            r.entries.iter().all(|e| e.first_ms < 2_300),
            "{:?}",
            r.entries
        );
        check(&format!("two epochs behind, seed {seed}"), &cfg, &r, last);
    }
}

#[test]
fn a_store_losing_own_blocks_of_a_new_epoch_is_caught() {
    // the driver contract (persist before broadcast) holds in every epoch:
    // joiner 5 comes back in the epoch it had entered without its newest
    // blocks, signs their slots again and is caught equivocating
    for store in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = EpochSimConfig::grow_then_shrink(4);
        cfg.base.store_dir = store.then(|| dir.path().to_path_buf());
        cfg.base.crashes[1].lose_last = 30;
        let r = run_epochs(&cfg);
        assert!(
            r.violations
                .iter()
                .any(|v| v.contains("equivocation proof") && !v.contains("epoch 0")),
            "store {store}: {:?}",
            r.violations
        );
    }
}

#[test]
fn a_seed_replays_exactly() {
    let cfg = EpochSimConfig::grow_then_shrink(5);
    let (a, b) = (run_epochs(&cfg), run_epochs(&cfg));
    assert_eq!(a.histories, b.histories);
    assert_eq!(a.restarts, b.restarts);
    assert_eq!((a.delivered, a.dropped), (b.delivered, b.dropped));
    let times = |r: &EpochSimReport| -> Vec<(u64, u64)> {
        r.entries.iter().map(|e| (e.first_ms, e.last_ms)).collect()
    };
    assert_eq!(times(&a), times(&b));
}
