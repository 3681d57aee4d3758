//! Panels with quotas: maximin and leximin against brute force, quotas in
//! every panel, the exact draw, and infeasible quotas. (The draw's
//! frequencies are tested in `sortition_frequency.rs`.)

use governance::sortition::{
    leximin, maximin, synthetic, BoundSide, Distribution, Feature, FeatureValue, Instance, Lottery,
    Person, SortitionError,
};
use microlp::{ComparisonOp, OptimizationDirection, Problem};
use proptest::prelude::*;

fn fv(name: &str, min: usize, max: usize) -> FeatureValue {
    FeatureValue {
        name: name.into(),
        min,
        max,
    }
}

fn people(values: &[Vec<usize>]) -> Vec<Person> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| Person {
            id: format!("p{i}"),
            values: v.clone(),
        })
        .collect()
}

/// Every quota-respecting panel, by enumeration of all k-subsets.
fn all_panels(inst: &Instance) -> Vec<Vec<usize>> {
    let n = inst.people().len();
    let k = inst.panel_size();
    let mut out = Vec::new();
    let mut idx: Vec<usize> = (0..k).collect();
    loop {
        if inst.respects_quotas(&idx) {
            out.push(idx.clone());
        }
        // Next combination.
        let mut i = k;
        loop {
            if i == 0 {
                return out;
            }
            i -= 1;
            if idx[i] < n - k + i {
                idx[i] += 1;
                for j in i + 1..k {
                    idx[j] = idx[j - 1] + 1;
                }
                break;
            }
        }
    }
}

/// The maximin value over all panels, by one LP.
fn brute_maximin(inst: &Instance, panels: &[Vec<usize>]) -> f64 {
    let n = inst.people().len();
    let mut p = Problem::new(OptimizationDirection::Maximize);
    let lam: Vec<_> = panels.iter().map(|_| p.add_var(0.0, (0.0, 1.0))).collect();
    let z = p.add_var(1.0, (0.0, 1.0));
    let all: Vec<_> = lam.iter().map(|&l| (l, 1.0)).collect();
    p.add_constraint(all.as_slice(), ComparisonOp::Eq, 1.0);
    for i in 0..n {
        let mut row: Vec<_> = panels
            .iter()
            .zip(&lam)
            .filter(|(panel, _)| panel.contains(&i))
            .map(|(_, &l)| (l, 1.0))
            .collect();
        row.push((z, -1.0));
        p.add_constraint(row.as_slice(), ComparisonOp::Ge, 0.0);
    }
    p.solve().unwrap().into_solution().unwrap().objective()
}

fn check_distribution(inst: &Instance, d: &Distribution) {
    assert!(!d.panels.is_empty());
    for panel in &d.panels {
        assert!(
            inst.respects_quotas(panel),
            "panel {panel:?} breaks a quota"
        );
    }
    let sum: f64 = d.probabilities.iter().sum();
    assert!((sum - 1.0).abs() < 1e-9, "probabilities sum to {sum}");
    assert!(d.probabilities.iter().all(|&p| p >= 0.0));
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Column generation reaches the maximin optimum over all panels; every
    /// panel meets the quotas; leximin has the same minimum and is
    /// lexicographically at least as good.
    #[test]
    fn maximin_matches_brute_force(seed in any::<[u8; 32]>(), n in 8usize..13, k in 2usize..5, f in 1usize..4) {
        let inst = synthetic::instance(seed, n, k, f).unwrap();
        let panels = all_panels(&inst);
        prop_assume!(!panels.is_empty());
        let best = brute_maximin(&inst, &panels);
        let (d, _) = maximin(&inst).unwrap();
        check_distribution(&inst, &d);
        let ours = d.min_probability(n);
        prop_assert!((ours - best).abs() < 1e-6, "ours {ours} brute force {best}");
        let (l, _) = leximin(&inst).unwrap();
        check_distribution(&inst, &l);
        let lex = sorted(l.selection_probabilities(n));
        let max = sorted(d.selection_probabilities(n));
        prop_assert!((lex[0] - best).abs() < 1e-6, "leximin min {} brute {best}", lex[0]);
        for (a, b) in lex.iter().zip(&max) {
            if (a - b).abs() > 1e-6 {
                prop_assert!(a > b, "leximin {lex:?} below maximin {max:?}");
                break;
            }
        }
    }

    /// The rounded lottery: weights sum to 2^32, exact probabilities are
    /// within one unit per panel of the LP's, draws replay and meet quotas.
    #[test]
    fn lottery_is_exact_and_replayable(seed in any::<[u8; 32]>(), draw_seed in any::<[u8; 32]>()) {
        let inst = synthetic::instance(seed, 40, 8, 3).unwrap();
        let (d, _) = maximin(&inst).unwrap();
        let lottery = Lottery::from_distribution(&d).unwrap();
        prop_assert_eq!(lottery.weights().iter().sum::<u64>(), Lottery::TOTAL);
        let exact = lottery.selection_probabilities(40);
        let float = d.selection_probabilities(40);
        let tol = (lottery.panels().len() as f64 + 1.0) / Lottery::TOTAL as f64;
        for (e, f) in exact.iter().zip(&float) {
            let e = e.num() as f64 / e.den() as f64;
            prop_assert!((e - f).abs() <= tol + 1e-12);
        }
        let panel = lottery.draw(draw_seed).to_vec();
        prop_assert_eq!(lottery.draw(draw_seed), panel.as_slice());
        prop_assert!(inst.respects_quotas(&panel));
        // Replaying from the published weights gives the same lottery.
        let again = Lottery::from_weights(lottery.panels().to_vec(), lottery.weights().to_vec()).unwrap();
        prop_assert_eq!(again.draw(draw_seed), panel.as_slice());
    }
}

fn infeasible_conflict(inst: &Instance) -> Vec<(String, String, BoundSide, usize)> {
    match maximin(inst) {
        Err(SortitionError::Infeasible { conflict }) => conflict
            .into_iter()
            .map(|b| (b.feature, b.value, b.bound.side, b.limit))
            .collect(),
        other => panic!("expected infeasible, got {other:?}"),
    }
}

/// Relaxes the named bounds and says whether maximin then succeeds.
fn feasible_without(inst: &Instance, drop: &[(String, String, BoundSide)]) -> bool {
    let mut features = inst.features().to_vec();
    for (feature, value, side) in drop {
        for f in features.iter_mut().filter(|f| &f.name == feature) {
            for v in f.values.iter_mut().filter(|v| &v.name == value) {
                match side {
                    BoundSide::Min => v.min = 0,
                    BoundSide::Max => v.max = inst.panel_size(),
                }
            }
        }
    }
    let relaxed = Instance::new(features, inst.people().to_vec(), inst.panel_size()).unwrap();
    maximin(&relaxed).is_ok()
}

fn assert_minimal(inst: &Instance, conflict: &[(String, String, BoundSide, usize)]) {
    for (f, v, s, _) in conflict {
        assert!(
            feasible_without(inst, &[(f.clone(), v.clone(), *s)]),
            "dropping {f}={v} {s:?} still infeasible: not minimal"
        );
    }
}

#[test]
fn a_minimum_above_the_pool_is_a_conflict_of_one() {
    let inst = Instance::new(
        vec![Feature {
            name: "region".into(),
            values: vec![fv("north", 3, 5), fv("south", 0, 5)],
        }],
        people(&[vec![0], vec![0], vec![1], vec![1], vec![1]]),
        4,
    )
    .unwrap();
    let c = infeasible_conflict(&inst);
    assert_eq!(
        c,
        vec![("region".into(), "north".into(), BoundSide::Min, 3)]
    );
}

#[test]
fn eight_groups_of_three_do_not_fit_twenty_two_seats() {
    // The case a user reported against the Python package: 8 groups with
    // a minimum of 3 each for 22 seats.
    let values: Vec<FeatureValue> = (0..8).map(|g| fv(&format!("g{g}"), 3, 22)).collect();
    let pool: Vec<Vec<usize>> = (0..80).map(|i| vec![i % 8]).collect();
    let inst = Instance::new(
        vec![Feature {
            name: "group".into(),
            values,
        }],
        people(&pool),
        22,
    )
    .unwrap();
    let c = infeasible_conflict(&inst);
    assert_eq!(c.len(), 8, "{c:?}");
    assert!(c.iter().all(|(_, _, s, l)| *s == BoundSide::Min && *l == 3));
    assert_minimal(&inst, &c);
}

#[test]
fn a_cross_feature_conflict_is_named_minimally() {
    // Everyone over 60 lives in the north; at least 3 over-60s but at most
    // 1 northerner cannot both hold. The other quotas are loose.
    let pool = vec![
        vec![0, 0],
        vec![0, 0],
        vec![0, 0],
        vec![1, 0],
        vec![1, 1],
        vec![1, 1],
        vec![1, 1],
        vec![1, 1],
    ];
    let inst = Instance::new(
        vec![
            Feature {
                name: "age".into(),
                values: vec![fv("60+", 3, 4), fv("under-60", 0, 4)],
            },
            Feature {
                name: "region".into(),
                values: vec![fv("north", 0, 1), fv("south", 1, 4)],
            },
        ],
        people(&pool),
        4,
    )
    .unwrap();
    let c = infeasible_conflict(&inst);
    assert_eq!(
        c,
        vec![
            ("age".into(), "60+".into(), BoundSide::Min, 3),
            ("region".into(), "north".into(), BoundSide::Max, 1),
        ]
    );
    assert_minimal(&inst, &c);
    let message = maximin(&inst).unwrap_err().to_string();
    assert!(
        message.contains("age=60+ >= 3") && message.contains("region=north <= 1"),
        "{message}"
    );
}

#[test]
fn malformed_instances_are_refused() {
    let f = || {
        vec![Feature {
            name: "x".into(),
            values: vec![fv("a", 0, 2)],
        }]
    };
    assert!(matches!(
        Instance::new(f(), people(&[vec![0]]), 2),
        Err(SortitionError::PanelSize { .. })
    ));
    assert!(matches!(
        Instance::new(f(), people(&[vec![1]]), 1),
        Err(SortitionError::BadValue { .. })
    ));
    assert!(matches!(
        Instance::new(
            vec![Feature {
                name: "x".into(),
                values: vec![fv("a", 3, 2)],
            }],
            people(&[vec![0]]),
            1
        ),
        Err(SortitionError::BadFeature { .. })
    ));
    let mut dup = people(&[vec![0], vec![0]]);
    dup[1].id = "p0".into();
    assert!(matches!(
        Instance::new(f(), dup, 1),
        Err(SortitionError::DuplicatePerson(_))
    ));
    assert!(Lottery::from_weights(vec![vec![0]], vec![5]).is_err());
}

#[test]
fn leximin_raises_the_second_lowest_where_maximin_need_not() {
    // Person 0 must sit on every panel (the only "a"); the others share
    // the second seat. Leximin gives each of them exactly 1/3.
    let inst = Instance::new(
        vec![Feature {
            name: "x".into(),
            values: vec![fv("a", 1, 1), fv("b", 1, 1)],
        }],
        people(&[vec![0], vec![1], vec![1], vec![1]]),
        2,
    )
    .unwrap();
    let (d, _) = leximin(&inst).unwrap();
    let pi = d.selection_probabilities(4);
    assert!((pi[0] - 1.0).abs() < 1e-9);
    for &p in &pi[1..] {
        assert!((p - 1.0 / 3.0).abs() < 1e-6, "{pi:?}");
    }
}
