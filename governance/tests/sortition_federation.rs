//! Federated assemblies: the three guarantees checked exactly, by
//! enumerating every offset of the systematic draw, on random laminar and
//! non-laminar DAGs; and the repair after joins, leaves and splits.

use governance::sortition::federation::{Community, Federation, FederationError};
use governance::sortition::repair::repair;
use governance::sortition::{Frac, SeedRng};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// A random laminar federation: root (last index) with 2–4 children, each
/// a leaf or an inner community of 1–3 leaves; every person in one leaf.
fn laminar(seed: [u8; 32], n: u32) -> (Federation, usize) {
    let mut rng = SeedRng::new(b"test/laminar", seed);
    let mut leaves: Vec<Vec<u32>> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for _ in 0..2 + rng.below(3) {
        let size = 1 + rng.below(3) as usize;
        let start = leaves.len();
        leaves.extend((0..size).map(|_| Vec::new()));
        groups.push((start..start + size).collect());
    }
    for i in 0..n {
        let l = rng.below(leaves.len() as u64) as usize;
        leaves[l].push(i);
    }
    let mut communities: Vec<Community> = leaves.into_iter().map(Community::Leaf).collect();
    let mut root_children = Vec::new();
    for g in groups {
        if g.len() == 1 {
            root_children.push(g[0]);
        } else {
            communities.push(Community::Inner(g));
            root_children.push(communities.len() - 1);
        }
    }
    communities.push(Community::Inner(root_children));
    let root = communities.len() - 1;
    (Federation::new(communities).unwrap(), root)
}

/// A random DAG with overlaps: 3–7 leaves, people in 1–3 leaves, 2–4
/// children of the root each gathering 1–3 leaves (leaves may be shared).
fn overlapping(seed: [u8; 32], n: u32) -> (Federation, usize) {
    let mut rng = SeedRng::new(b"test/dag", seed);
    let nl = 3 + rng.below(5) as usize;
    let mut leaves: Vec<Vec<u32>> = vec![Vec::new(); nl];
    for i in 0..n {
        for _ in 0..1 + rng.below(3) {
            let l = rng.below(nl as u64) as usize;
            if !leaves[l].contains(&i) {
                leaves[l].push(i);
            }
        }
    }
    let nc = 2 + rng.below(3) as usize;
    let mut children: Vec<Vec<usize>> = (0..nc)
        .map(|_| {
            let mut c: Vec<usize> = (0..1 + rng.below(3))
                .map(|_| rng.below(nl as u64) as usize)
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        })
        .collect();
    for l in 0..nl {
        if !children.iter().any(|c| c.contains(&l)) {
            let c = rng.below(nc as u64) as usize;
            children[c].push(l);
        }
    }
    let mut communities: Vec<Community> = leaves.into_iter().map(Community::Leaf).collect();
    let first = communities.len();
    communities.extend(children.into_iter().map(Community::Inner));
    communities.push(Community::Inner((first..first + nc).collect()));
    let root = communities.len() - 1;
    (Federation::new(communities).unwrap(), root)
}

/// Enumerates every offset `u` for the order the seed gives and checks
/// (1) exactly, (2) exactly, and, when `floors`, (3) in every draw.
/// Returns whether every draw met every floor.
fn check_guarantees(fed: &Federation, root: usize, k: usize, seed: [u8; 32], floors: bool) -> bool {
    let pop = fed.population(root).unwrap().to_vec();
    let n = pop.len();
    let mut rng = SeedRng::new(b"test/order", seed);
    let order = fed.draw_order(root, &mut rng).unwrap();
    assert_eq!(
        order.iter().copied().collect::<BTreeSet<_>>(),
        pop.iter().copied().collect()
    );
    let shares = fed.shares(root, k).unwrap();
    let total_share = shares
        .iter()
        .try_fold(Frac::ZERO, |acc, (_, s)| acc.checked_add(*s))
        .unwrap();
    assert_eq!(total_share, Frac::int(k as u128), "shares must add up to k");
    let mut times = vec![0usize; n];
    let mut seat_sum = vec![Frac::ZERO; shares.len()];
    let mut all_floors = true;
    for u in 0..n as u64 {
        let sel = Federation::systematic(&order, k, u);
        let v = fed.verify(root, k, &sel).unwrap();
        assert!(v.well_formed, "draw {u} is not {k} distinct members");
        for i in &sel {
            times[pop.binary_search(i).unwrap()] += 1;
        }
        for (acc, c) in seat_sum.iter_mut().zip(&v.children) {
            *acc = acc.checked_add(c.seats).unwrap();
        }
        if floors {
            assert!(
                v.all_floors_met(),
                "offset {u}: a floor is missed: {:?}",
                v.children
            );
        }
        all_floors &= v.all_floors_met();
    }
    // (1) every person selected for exactly k of the n offsets: k/n.
    assert!(
        times.iter().all(|&t| t == k),
        "selection counts {times:?}, want {k}"
    );
    // (2) expected seats = Σ_u seats / n = share, i.e. Σ_u seats = n·share.
    for ((child, share), sum) in shares.iter().zip(&seat_sum) {
        assert_eq!(
            *sum,
            share.checked_mul(Frac::int(n as u128)).unwrap(),
            "child {child}: expected seats differ from the share"
        );
    }
    all_floors
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn laminar_gives_all_three(seed in any::<[u8; 32]>(), n in 1u32..40, kf in 0.0f64..1.0) {
        let (fed, root) = laminar(seed, n);
        let k = 1 + ((n as f64 - 1.0) * kf) as usize;
        prop_assert!(fed.is_laminar(root).unwrap());
        check_guarantees(&fed, root, k, seed, true);
        let a = fed.draw(root, k, seed).unwrap();
        prop_assert!(a.laminar);
        prop_assert_eq!(&a, &fed.draw(root, k, seed).unwrap());
        prop_assert!(fed.verify(root, k, &a.members).unwrap().all_floors_met());
    }

    #[test]
    fn overlapping_gives_equal_probability_and_ex_ante_shares(seed in any::<[u8; 32]>(), n in 1u32..40, kf in 0.0f64..1.0) {
        let (fed, root) = overlapping(seed, n);
        let pop = fed.population(root).unwrap().len();
        prop_assume!(pop > 0);
        let k = 1 + ((pop as f64 - 1.0) * kf) as usize;
        check_guarantees(&fed, root, k, seed, false);
        let a = fed.draw(root, k, seed).unwrap();
        prop_assert!(fed.verify(root, k, &a.members).unwrap().well_formed);
    }

    /// On overlapping children the repair either restores every floor or
    /// says it cannot; it never returns an assembly that misses one.
    #[test]
    fn repair_on_overlaps_never_claims_a_missed_floor(seed in any::<[u8; 32]>(), n in 2u32..40, kf in 0.0f64..1.0) {
        let (fed, root) = overlapping(seed, n);
        let pop = fed.population(root).unwrap().len();
        let k = 1 + ((pop as f64 - 1.0) * kf) as usize;
        let a = fed.draw(root, k, seed).unwrap();
        match repair(&fed, root, k, &a.members, seed) {
            Ok(r) => {
                let v = fed.verify(root, k, &r.members).unwrap();
                prop_assert!(v.all_floors_met(), "{:?}", v.children);
            }
            Err(e) => prop_assert!(matches!(e, FederationError::CannotRepair(_)), "{e}"),
        }
    }

    /// Repair after a community joins: exactly the newcomer's floor changes
    /// hands, and every floor holds.
    #[test]
    fn repair_after_join(seed in any::<[u8; 32]>(), n in 5u32..40, extra in 1u32..20, kf in 0.0f64..1.0) {
        let (fed, root) = laminar(seed, n);
        let k = 1 + ((n as f64 - 1.0) * kf) as usize;
        let a = fed.draw(root, k, seed).unwrap();
        let mut communities = fed.communities().to_vec();
        communities.push(Community::Leaf((n..n + extra).collect()));
        let newcomer = communities.len() - 1;
        if let Community::Inner(ch) = &mut communities[root] {
            ch.push(newcomer);
        }
        let grown = Federation::new(communities).unwrap();
        let r = repair(&grown, root, k, &a.members, seed).unwrap();
        let v = grown.verify(root, k, &r.members).unwrap();
        prop_assert!(v.all_floors_met(), "{:?}", v.children);
        let share = grown.shares(root, k).unwrap().into_iter().find(|(c, _)| *c == newcomer).unwrap().1;
        prop_assert_eq!(r.added.len() as u128, share.floor());
        prop_assert_eq!(r.removed.len(), r.added.len());
        // Unchanged structure: nothing to repair.
        let same = repair(&fed, root, k, &a.members, seed).unwrap();
        prop_assert!(same.added.is_empty() && same.removed.is_empty());
    }

    /// Repair after a community leaves or splits.
    #[test]
    fn repair_after_leave_and_split(seed in any::<[u8; 32]>(), n in 6u32..40, kf in 0.0f64..1.0) {
        let (fed, root) = laminar(seed, n);
        let k = 1 + ((n as f64 - 1.0) * kf) as usize;
        let a = fed.draw(root, k, seed).unwrap();
        let Community::Inner(children) = fed.communities()[root].clone() else { unreachable!() };
        // Leave: the first child goes, with its people.
        let mut communities = fed.communities().to_vec();
        communities[root] = Community::Inner(children[1..].to_vec());
        let shrunk = Federation::new(communities).unwrap();
        let left: BTreeSet<u32> = fed.population(children[0]).unwrap().iter().copied().collect();
        let remaining = shrunk.population(root).unwrap().len();
        if k <= remaining {
            let r = repair(&shrunk, root, k, &a.members, seed).unwrap();
            prop_assert!(shrunk.verify(root, k, &r.members).unwrap().all_floors_met());
            for m in &a.members {
                if left.contains(m) {
                    prop_assert!(r.removed.contains(m));
                }
            }
        } else {
            let refused = matches!(repair(&shrunk, root, k, &a.members, seed), Err(FederationError::Seats { .. }));
            prop_assert!(refused);
        }
        // Split: every leaf child of the root with two or more people is
        // split into two leaves.
        let mut communities = fed.communities().to_vec();
        let mut new_children = Vec::new();
        for &c in &children {
            match communities[c].clone() {
                Community::Leaf(p) if p.len() >= 2 => {
                    let (x, y) = p.split_at(p.len() / 2);
                    communities[c] = Community::Leaf(x.to_vec());
                    communities.push(Community::Leaf(y.to_vec()));
                    new_children.push(c);
                    new_children.push(communities.len() - 1);
                }
                _ => new_children.push(c),
            }
        }
        communities[root] = Community::Inner(new_children);
        let split = Federation::new(communities).unwrap();
        let r = repair(&split, root, k, &a.members, seed).unwrap();
        prop_assert!(split.verify(root, k, &r.members).unwrap().all_floors_met());
        prop_assert_eq!(r.members.len(), k);
    }
}

#[test]
fn bad_structures_and_seats_are_refused() {
    assert!(matches!(
        Federation::new(vec![Community::Inner(vec![1]), Community::Inner(vec![0])]),
        Err(FederationError::Cycle(_))
    ));
    assert!(matches!(
        Federation::new(vec![Community::Inner(vec![5])]),
        Err(FederationError::UnknownChild(0))
    ));
    assert!(matches!(
        Federation::new(vec![Community::Inner(vec![])]),
        Err(FederationError::Childless(0))
    ));
    let fed =
        Federation::new(vec![Community::Leaf(vec![1, 2]), Community::Inner(vec![0])]).unwrap();
    assert!(matches!(
        fed.draw(1, 3, [0; 32]),
        Err(FederationError::Seats { .. })
    ));
    assert!(matches!(
        fed.draw(1, 0, [0; 32]),
        Err(FederationError::Seats { .. })
    ));
    assert!(matches!(
        fed.draw(9, 1, [0; 32]),
        Err(FederationError::UnknownCommunity(9))
    ));
}

#[test]
fn verify_catches_a_missed_floor() {
    // Two disjoint children of 5 people, 4 seats: 2 each is the floor.
    let fed = Federation::new(vec![
        Community::Leaf((0..5).collect()),
        Community::Leaf((5..10).collect()),
        Community::Inner(vec![0, 1]),
    ])
    .unwrap();
    let v = fed.verify(2, 4, &[0, 1, 2, 5]).unwrap();
    assert!(v.well_formed);
    assert!(!v.all_floors_met());
    assert!(!fed.verify(2, 4, &[0, 1, 1, 5]).unwrap().well_formed);
    let fixed = repair(&fed, 2, 4, &[0, 1, 2, 5], [3; 32]).unwrap();
    assert!(fed.verify(2, 4, &fixed.members).unwrap().all_floors_met());
    assert_eq!(fixed.removed.len(), 1);
}

/// `repair_among`: people barred from joining never join, and when a
/// short child has nobody else who may join, the repair says which child
/// and still applies what it could (those no longer in the population
/// leave, the seats are filled).
#[test]
fn repair_among_respects_the_barred_and_names_what_it_cannot_do() {
    use governance::sortition::repair::repair_among;
    // Children of 4, 4 and 4; 6 seats, shares 2 each. Person 20 left.
    let fed = Federation::new(vec![
        Community::Leaf((0..4).collect()),
        Community::Leaf((4..8).collect()),
        Community::Leaf((8..12).collect()),
        Community::Inner(vec![0, 1, 2]),
    ])
    .unwrap();
    let current = [0, 1, 2, 4, 5, 20];
    let barred: BTreeSet<u32> = [8, 9].into_iter().collect();
    for s in 0..20u8 {
        let out = repair_among(&fed, 3, 6, &current, &barred, [s; 32]).unwrap();
        assert_eq!(out.failure, None);
        assert!(out.repair.added.iter().all(|p| !barred.contains(p)));
        assert!(fed
            .verify(3, 6, &out.repair.members)
            .unwrap()
            .all_floors_met());
        assert!(out.repair.removed.contains(&20));
    }
    // All of child 2's people barred: its floor cannot be met.
    let barred: BTreeSet<u32> = (8..12).collect();
    let out = repair_among(&fed, 3, 6, &current, &barred, [1; 32]).unwrap();
    assert_eq!(out.failure, Some(FederationError::CannotRepair(2)));
    assert!(out.repair.removed.contains(&20));
    assert_eq!(out.repair.members.len(), 6);
    assert!(out.repair.members.iter().all(|p| !barred.contains(p)));
    // `repair` is `repair_among` with nobody barred.
    let plain = repair(&fed, 3, 6, &current, [1; 32]).unwrap();
    let among = repair_among(&fed, 3, 6, &current, &BTreeSet::new(), [1; 32]).unwrap();
    assert_eq!(among.repair, plain);
}
