//! Tests of the governed state and its rule.

use super::*;
use crate::constitution::{Article, Constitution};
use proptest::prelude::*;

fn q(num: u32, den: u32) -> Ratio {
    Ratio::new(num, den).unwrap()
}

fn number(min: i64, max: i64, step: u64) -> ComponentKind {
    ComponentKind::Number {
        unit: "cents".into(),
        min,
        max,
        step,
    }
}

fn nums(xs: &[i64]) -> Vec<Value> {
    xs.iter().map(|&x| Value::Number(x)).collect()
}

fn entry(value: Value, position: u64) -> HistoryEntry {
    HistoryEntry {
        value,
        decided_by: format!("decision-{position}"),
        position,
    }
}

/// Brute force, independent of the counting rule: the grid value that
/// minimises the weighted sum of distances to the `N` members' ideals
/// (abstainers at `s`) plus `(2q − 1)·N` phantoms at `s` (weights scaled
/// by the threshold's denominator), the one closest to `s` among ties.
fn phantom_median(grid: &[i64], ideals: &[i64], s: i64, t: Ratio, electorate: u64) -> i64 {
    let (num, den) = (i128::from(t.num()), i128::from(t.den()));
    let abstainers = i128::from(electorate) - ideals.len() as i128;
    let phantoms = (2 * num - den) * i128::from(electorate);
    let cost = |x: i64| {
        let members: i128 = ideals
            .iter()
            .map(|&v| i128::from(v.abs_diff(x)))
            .sum::<i128>()
            + abstainers * i128::from(s.abs_diff(x));
        den * members + phantoms * i128::from(s.abs_diff(x))
    };
    *grid
        .iter()
        .min_by_key(|&&x| (cost(x), x.abs_diff(s)))
        .unwrap()
}

fn grid_of(min: i64, max: i64, step: u64) -> Vec<i64> {
    (min..=max).step_by(step as usize).collect()
}

fn outcome_value(o: &Outcome, s: i64) -> i64 {
    match o {
        Outcome::Adopted {
            value: Value::Number(x),
            ..
        } => *x,
        Outcome::StatusQuoStays { .. } => s,
        other => panic!("not a number outcome: {other:?}"),
    }
}

/// A small line profile: a grid of up to 12 values `min + k·step`, a
/// status quo and ballots on it, an electorate and a threshold.
fn line_profiles() -> impl Strategy<Value = (ComponentKind, Vec<i64>, i64, u64, Ratio)> {
    (
        -20i64..20,
        1u64..4,
        1usize..12,
        0usize..10,
        0u64..4,
        0usize..5,
    )
        .prop_flat_map(|(min, step, steps, n, extra, qi)| {
            let max = min + (step * steps as u64) as i64;
            let point = (0..=steps).prop_map(move |k| min + (step * k as u64) as i64);
            let thresholds = [q(1, 2), q(2, 3), q(3, 5), q(3, 4), q(1, 1)];
            (
                Just(number(min, max, step)),
                proptest::collection::vec(point.clone(), n),
                point,
                Just(n as u64 + extra),
                Just(thresholds[qi]),
            )
        })
        .prop_filter("an electorate", |(_, _, _, e, _)| *e > 0)
}

fn grid_of_kind(kind: &ComponentKind) -> Vec<i64> {
    match kind {
        ComponentKind::Number { min, max, step, .. } => grid_of(*min, *max, *step),
        _ => unreachable!("a number kind"),
    }
}

#[test]
fn a_supermajority_moves_the_value_only_as_far_as_it_agrees() {
    let kind = number(0, 100, 5);
    let ballots = nums(&[60, 70, 80, 90, 100, 100]);
    // Ten members, four abstain: more than 5 must be at or above.
    let o = decide(&kind, &Value::Number(50), &ballots, q(1, 2), 10).unwrap();
    assert_eq!(
        o,
        Outcome::Adopted {
            value: Value::Number(60),
            supporters: 6
        }
    );
    // Only the six who voted: more than 3 are at or above 80, not 90.
    let o = decide(&kind, &Value::Number(50), &ballots, q(1, 2), 6).unwrap();
    assert_eq!(outcome_value(&o, 50), 80);
    // Two thirds of ten: more than 6.67 members needed; six is not enough.
    let o = decide(&kind, &Value::Number(50), &ballots, q(2, 3), 10).unwrap();
    assert_eq!(
        o,
        Outcome::StatusQuoStays {
            reason: Reason::NotEnoughSupport {
                best: 6,
                electorate: 10,
                threshold: q(2, 3)
            }
        }
    );
    // Downward too: more than 2 of 4 are at or below 20, not 10.
    let o = decide(
        &kind,
        &Value::Number(50),
        &nums(&[0, 10, 20, 50]),
        q(1, 2),
        4,
    )
    .unwrap();
    assert_eq!(outcome_value(&o, 50), 20);
    // Nobody wanting a change keeps the status quo.
    let o = decide(&kind, &Value::Number(50), &nums(&[50, 50]), q(1, 2), 4).unwrap();
    assert_eq!(
        o,
        Outcome::StatusQuoStays {
            reason: Reason::NoChangeProposed
        }
    );
}

#[test]
fn counts_give_the_same_outcome_and_refuse_bad_counts() {
    let kind = number(0, 100, 5);
    let ballots = [60, 70, 80, 90, 100, 100];
    let counts = counts_per_step(&kind, &ballots).unwrap();
    assert_eq!(counts.len(), 21);
    assert_eq!(counts[12], 1); // at or below 60
    assert_eq!(counts[20], 6);
    let from_counts = line_outcome_from_counts(&counts, 10, q(1, 2), 6).unwrap();
    let (value, direct) = line_outcome(&kind, &ballots, 50, q(1, 2), 6).unwrap();
    assert_eq!((value, from_counts), (80, direct));
    assert_eq!(value_at(&kind, from_counts.step).unwrap(), 80);
    assert_eq!(
        line_outcome_from_counts(&[1, 0, 2], 0, q(1, 2), 3),
        Err(GovernedError::CountsDecrease { step: 1 })
    );
    assert_eq!(
        line_outcome_from_counts(&[1, 2], 2, q(1, 2), 3),
        Err(GovernedError::StatusQuoOffGrid { step: 2, steps: 2 })
    );
    assert_eq!(
        line_outcome_from_counts(&[1, 4], 0, q(1, 2), 3),
        Err(GovernedError::ElectorateTooSmall {
            electorate: 3,
            votes: 4
        })
    );
    assert_eq!(
        line_outcome_from_counts(&[1, 2], 0, q(1, 3), 3),
        Err(GovernedError::ThresholdBelowHalf(q(1, 3)))
    );
    assert_eq!(
        counts_per_step(&number(0, 1 << 40, 1), &[]),
        Err(GovernedError::TooManySteps {
            steps: (1 << 40) + 1
        })
    );
    assert!(matches!(
        counts_per_step(&kind, &[60, 61]),
        Err(GovernedError::Ballot { index: 1, .. })
    ));
}

#[test]
fn validation_refuses_each_bad_value() {
    let price = number(0, 100, 5);
    let cases: Vec<(ComponentKind, Value, GovernedError)> = vec![
        (
            price.clone(),
            Value::Number(105),
            GovernedError::OutOfBounds {
                value: 105,
                min: 0,
                max: 100,
            },
        ),
        (
            price.clone(),
            Value::Number(7),
            GovernedError::OffStep {
                value: 7,
                min: 0,
                step: 5,
            },
        ),
        (
            price.clone(),
            Value::Officer("x".into()),
            GovernedError::WrongKind {
                expected: "number",
                found: "officer",
            },
        ),
        (
            ComponentKind::Budget {
                items: vec!["a".into(), "b".into()],
                total: 10,
            },
            Value::Budget(vec![4, 5]),
            GovernedError::BudgetTotal {
                total: 10,
                found: 9,
            },
        ),
        (
            ComponentKind::Budget {
                items: vec!["a".into(), "b".into()],
                total: 10,
            },
            Value::Budget(vec![10]),
            GovernedError::BudgetLength { items: 2, found: 1 },
        ),
        (
            ComponentKind::Ranking {
                items: vec!["a".into(), "b".into(), "c".into()],
            },
            Value::Ranking(vec![0, 2, 0]),
            GovernedError::NotAPermutation {
                ranking: vec![0, 2, 0],
                items: 3,
            },
        ),
        (
            ComponentKind::Ranking {
                items: vec!["a".into(), "b".into()],
            },
            Value::Ranking(vec![1]),
            GovernedError::NotAPermutation {
                ranking: vec![1],
                items: 2,
            },
        ),
        (
            ComponentKind::Board { seats: 2 },
            Value::Board(vec!["ann".into(), "ann".into()]),
            GovernedError::DuplicateMember("ann".into()),
        ),
        (
            ComponentKind::Board { seats: 2 },
            Value::Board(vec!["ann".into()]),
            GovernedError::BoardSize { seats: 2, found: 1 },
        ),
        (
            ComponentKind::Officer {
                role: "treasurer".into(),
            },
            Value::Officer(" ".into()),
            GovernedError::EmptyMember,
        ),
        (
            ComponentKind::Bylaws,
            Value::Bylaws(vec![article("Dues", "1"), article("Dues", "2")]),
            GovernedError::DuplicateArticle("Dues".into()),
        ),
    ];
    for (kind, value, want) in cases {
        assert_eq!(kind.validate(&value), Err(want), "{kind:?} {value:?}");
    }
    let bad = Constitution {
        format: 99,
        ..Constitution::default()
    };
    assert!(matches!(
        ComponentKind::Constitution.validate(&Value::Constitution(Box::new(bad))),
        Err(GovernedError::Constitution(_))
    ));
    for kind in [
        number(5, 0, 1),
        number(0, 5, 0),
        ComponentKind::Ranking { items: vec![] },
        ComponentKind::Budget {
            items: vec!["a".into(), "a".into()],
            total: 1,
        },
        ComponentKind::Board { seats: 0 },
    ] {
        assert!(
            matches!(kind.check(), Err(GovernedError::BadKind { .. })),
            "{kind:?}"
        );
    }
}

fn article(title: &str, text: &str) -> Article {
    Article {
        title: title.into(),
        text: text.into(),
    }
}

#[test]
fn metrics_of_each_kind() {
    let budget = ComponentKind::Budget {
        items: vec!["a".into(), "b".into(), "c".into()],
        total: 10,
    };
    assert_eq!(
        budget.distance(&Value::Budget(vec![5, 5, 0]), &Value::Budget(vec![2, 5, 3])),
        6
    );
    let ranking = ComponentKind::Ranking {
        items: vec!["a".into(), "b".into(), "c".into()],
    };
    assert_eq!(
        ranking.distance(
            &Value::Ranking(vec![0, 1, 2]),
            &Value::Ranking(vec![2, 1, 0])
        ),
        3
    );
    let board = ComponentKind::Board { seats: 2 };
    let b = |xs: &[&str]| Value::Board(xs.iter().map(|x| x.to_string()).collect());
    assert_eq!(board.distance(&b(&["a", "b"]), &b(&["b", "c"])), 2);
    let bylaws = ComponentKind::Bylaws;
    let x = Value::Bylaws(vec![article("A", "1"), article("B", "2")]);
    let y = Value::Bylaws(vec![
        article("A", "1"),
        article("B", "3"),
        article("C", "4"),
    ]);
    assert_eq!(bylaws.distance(&x, &y), 2);
    let officer = ComponentKind::Officer {
        role: "chair".into(),
    };
    assert_eq!(
        officer.distance(&Value::Officer("a".into()), &Value::Officer("b".into())),
        1
    );
}

#[test]
fn the_metric_rule_needs_more_than_the_threshold_of_all_members() {
    let chair = ComponentKind::Officer {
        role: "chair".into(),
    };
    let sq = Value::Officer("alice".into());
    let mut ballots = vec![Value::Officer("bob".into()); 4];
    ballots.push(Value::Officer("carol".into()));
    let o = decide(&chair, &sq, &ballots, q(1, 2), 6).unwrap();
    assert_eq!(
        o,
        Outcome::Adopted {
            value: Value::Officer("bob".into()),
            supporters: 4
        }
    );
    let o = decide(&chair, &sq, &ballots, q(1, 2), 8).unwrap();
    assert_eq!(
        o,
        Outcome::StatusQuoStays {
            reason: Reason::NotEnoughSupport {
                best: 4,
                electorate: 8,
                threshold: q(1, 2)
            }
        }
    );
    // A board: the ballots' order never matters, nor their members' order.
    let board = ComponentKind::Board { seats: 2 };
    let b = |xs: &[&str]| Value::Board(xs.iter().map(|x| x.to_string()).collect());
    let ballots = vec![b(&["c", "d"]), b(&["d", "c"]), b(&["a", "c"])];
    let o = decide(&board, &b(&["a", "b"]), &ballots, q(1, 2), 3).unwrap();
    assert_eq!(
        o,
        Outcome::Adopted {
            value: b(&["c", "d"]),
            supporters: 2
        }
    );
    assert!(matches!(
        decide(&board, &b(&["a", "b"]), &[b(&["a"])], q(1, 2), 3),
        Err(GovernedError::Ballot { index: 0, .. })
    ));
    assert_eq!(
        decide(&board, &b(&["a", "b"]), &ballots, q(1, 2), 2),
        Err(GovernedError::ElectorateTooSmall {
            electorate: 2,
            votes: 3
        })
    );
}

#[test]
fn a_threshold_change_needs_the_stricter_threshold() {
    assert_eq!(threshold_change_threshold(q(2, 3), q(3, 4)), q(3, 4));
    assert_eq!(threshold_change_threshold(q(3, 4), q(2, 3)), q(3, 4));
    let mut state = GovernedState::new();
    let c = Constitution::default(); // amendment threshold 2/3
    state
        .create(
            "constitution",
            ComponentKind::Constitution,
            q(1, 2),
            entry(Value::Constitution(Box::new(c.clone())), 1),
        )
        .unwrap();
    let comp = state.component("constitution").unwrap();
    let mut higher = c.clone();
    higher.thresholds.amendment = q(4, 5);
    let (old, new) = (
        Value::Constitution(Box::new(c.clone())),
        Value::Constitution(Box::new(higher)),
    );
    // Raising 2/3 to 4/5 needs 4/5; lowering it back needs 4/5 too.
    assert_eq!(required_threshold(comp, &old, &new), q(4, 5));
    assert_eq!(required_threshold(comp, &new, &old), q(4, 5));
    // A component's own threshold applies to every change of it.
    let mut price = GovernedState::new();
    price
        .create(
            "price",
            number(0, 10, 1),
            q(3, 5),
            entry(Value::Number(5), 1),
        )
        .unwrap();
    let p = price.component("price").unwrap();
    assert_eq!(
        required_threshold(p, &Value::Number(5), &Value::Number(6)),
        q(3, 5)
    );
}

#[test]
fn the_state_keeps_history_and_refuses_bad_adoptions() {
    let mut s = GovernedState::new();
    s.create(
        "price",
        number(0, 100, 5),
        q(1, 2),
        entry(Value::Number(50), 3),
    )
    .unwrap();
    let before = s.digest();
    s.adopt("price", Value::Number(60), "d7", 9).unwrap();
    assert_ne!(s.digest(), before);
    let c = s.component("price").unwrap();
    assert_eq!(c.current(), &Value::Number(60));
    assert_eq!(c.history().len(), 2);
    assert_eq!(c.history()[1].decided_by, "d7");
    assert_eq!(
        s.adopt("price", Value::Number(65), "d8", 9),
        Err(GovernedError::PositionNotAfter {
            position: 9,
            last: 9
        })
    );
    assert_eq!(
        s.adopt("price", Value::Number(61), "d8", 10),
        Err(GovernedError::OffStep {
            value: 61,
            min: 0,
            step: 5
        })
    );
    assert_eq!(
        s.adopt("rent", Value::Number(60), "d8", 10),
        Err(GovernedError::UnknownComponent("rent".into()))
    );
    assert_eq!(
        s.create(
            "price",
            number(0, 1, 1),
            q(1, 2),
            entry(Value::Number(0), 1)
        ),
        Err(GovernedError::DuplicateComponent("price".into()))
    );
    assert_eq!(
        s.create("x", number(0, 1, 1), q(1, 3), entry(Value::Number(0), 1)),
        Err(GovernedError::ThresholdBelowHalf(q(1, 3)))
    );
    // The digest is SHA-256 over the domain and the canonical encoding.
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"grassroots/governed/v1\0");
    h.update(s.encode());
    assert_eq!(s.digest(), <[u8; 32]>::from(h.finalize()));
}

#[test]
fn decoding_refuses_what_adopting_refuses() {
    let mut s = GovernedState::new();
    s.create(
        "board",
        ComponentKind::Board { seats: 2 },
        q(1, 2),
        entry(Value::Board(vec!["zoe".into(), "amy".into()]), 1),
    )
    .unwrap();
    let text = String::from_utf8(s.encode()).unwrap();
    assert!(text.contains(r#"["amy","zoe"]"#), "{text}");
    assert_eq!(GovernedState::decode(text.as_bytes()).unwrap(), s);
    let unsorted = text.replace(r#"["amy","zoe"]"#, r#"["zoe","amy"]"#);
    assert!(matches!(
        GovernedState::decode(unsorted.as_bytes()),
        Err(GovernedError::InComponent { error, .. }) if *error == GovernedError::NotCanonical
    ));
    let dup = text.replace(r#"["amy","zoe"]"#, r#"["amy","amy"]"#);
    assert!(matches!(
        GovernedState::decode(dup.as_bytes()),
        Err(GovernedError::InComponent { error, .. })
            if *error == GovernedError::DuplicateMember("amy".into())
    ));
    assert!(matches!(
        GovernedState::decode(b"{\"components\":{\"x\":{}}}"),
        Err(GovernedError::Decode(_))
    ));
}

/// Random values of several kinds, each valid for its kind.
fn components() -> impl Strategy<Value = Vec<(ComponentKind, Value)>> {
    let number = (0i64..50, 0u64..10).prop_map(|(k, s)| {
        (
            number(-100, 400, 5),
            Value::Number(-100 + 5 * k + 5 * s as i64),
        )
    });
    let budget = proptest::collection::vec(0u64..20, 1..5).prop_map(|xs| {
        let items = (0..xs.len()).map(|i| format!("item {i}")).collect();
        let total = xs.iter().sum();
        (ComponentKind::Budget { items, total }, Value::Budget(xs))
    });
    let ranking = Just((0..5usize).collect::<Vec<_>>())
        .prop_shuffle()
        .prop_map(|r| {
            let items = (0..r.len()).map(|i| format!("p{i}")).collect();
            (ComponentKind::Ranking { items }, Value::Ranking(r))
        });
    let board = proptest::collection::btree_set("[a-e]{1,3}", 1..4).prop_map(|ms| {
        let mut ms: Vec<String> = ms.into_iter().collect();
        ms.reverse(); // not canonical on purpose
        (ComponentKind::Board { seats: ms.len() }, Value::Board(ms))
    });
    proptest::collection::vec(prop_oneof![number, budget, ranking, board], 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// On a line, the rule's outcome is the generalized median with
    /// phantoms (brute force), and counts give the same result.
    #[test]
    fn line_outcome_is_the_phantom_median((kind, ballots, s, electorate, t) in line_profiles()) {
        let grid = grid_of_kind(&kind);
        let (value, direct) = line_outcome(&kind, &ballots, s, t, electorate).unwrap();
        prop_assert_eq!(value, phantom_median(&grid, &ballots, s, t, electorate));
        let counts = counts_per_step(&kind, &ballots).unwrap();
        let sq_step = grid.iter().position(|&x| x == s).unwrap();
        let from_counts = line_outcome_from_counts(&counts, sq_step, t, electorate).unwrap();
        prop_assert_eq!(from_counts, direct);
        prop_assert_eq!(value_at(&kind, from_counts.step).unwrap(), value);
        let o = decide(&kind, &Value::Number(s), &nums(&ballots), t, electorate).unwrap();
        prop_assert_eq!(outcome_value(&o, s), value);
    }

    /// No voter gains by misreporting: for every voter and every other
    /// report on the grid, the outcome is never strictly closer to the
    /// voter's ideal.
    #[test]
    fn no_voter_gains_by_misreporting((kind, ballots, s, electorate, t) in line_profiles()) {
        let grid = grid_of_kind(&kind);
        let (truthful, _) = line_outcome(&kind, &ballots, s, t, electorate).unwrap();
        for (i, &ideal) in ballots.iter().enumerate() {
            for &lie in &grid {
                let mut reported = ballots.clone();
                reported[i] = lie;
                let (out, _) = line_outcome(&kind, &reported, s, t, electorate).unwrap();
                prop_assert!(
                    out.abs_diff(ideal) >= truthful.abs_diff(ideal),
                    "voter {} (ideal {}) moves {} to {} by reporting {}", i, ideal, truthful, out, lie
                );
            }
        }
    }

    /// With no change supported by more than q·N members, the status quo
    /// stays: on a line (members strictly above or below) and for an
    /// officer (members voting for someone else).
    #[test]
    fn unsupported_changes_leave_the_status_quo(
        (kind, ballots, s, electorate, t) in line_profiles(),
        officers in proptest::collection::vec(0usize..4, 0..9),
        extra in 0u64..4,
    ) {
        let above = ballots.iter().filter(|&&x| x > s).count() as u64;
        let below = ballots.iter().filter(|&&x| x < s).count() as u64;
        let (value, _) = line_outcome(&kind, &ballots, s, t, electorate).unwrap();
        if !t.exceeded_by(above.max(below), electorate) {
            prop_assert_eq!(value, s);
        }
        let role = ComponentKind::Officer { role: "chair".into() };
        let votes: Vec<Value> = officers.iter().map(|i| Value::Officer(format!("m{i}"))).collect();
        let n = votes.len() as u64 + extra;
        prop_assume!(n > 0);
        let sq = Value::Officer("m0".into());
        let o = decide(&role, &sq, &votes, t, n).unwrap();
        let best = (1..4).map(|i| officers.iter().filter(|&&o| o == i).count() as u64).max().unwrap();
        if !t.exceeded_by(best, n) {
            prop_assert!(matches!(o, Outcome::StatusQuoStays { .. }), "{:?}", o);
        } else {
            prop_assert!(matches!(o, Outcome::Adopted { .. }), "{:?}", o);
        }
    }

    /// Encoding round-trips, for values and whole states, and the digest
    /// depends on the content only.
    #[test]
    fn encoding_round_trips(comps in components()) {
        let mut state = GovernedState::new();
        for (i, (kind, value)) in comps.iter().enumerate() {
            prop_assert_eq!(kind.validate(value), Ok(()));
            let back = Value::decode(&value.encode()).unwrap();
            prop_assert_eq!(&back, &value.clone().canonical());
            prop_assert_eq!(back.encode(), value.encode());
            state
                .create(&format!("c{i}"), kind.clone(), q(1, 2), entry(value.clone(), i as u64))
                .unwrap();
        }
        let bytes = state.encode();
        let back = GovernedState::decode(&bytes).unwrap();
        prop_assert_eq!(&back, &state);
        prop_assert_eq!(back.encode(), bytes);
        prop_assert_eq!(back.digest(), state.digest());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Validation accepts exactly the values its definition admits.
    #[test]
    fn validation_matches_the_definitions(
        (min, span, step, x) in (-30i64..30, 0i64..40, 1u64..7, -80i64..80),
        amounts in proptest::collection::vec(0u64..6, 1..5),
        total in 0u64..20,
        ranking in proptest::collection::vec(0usize..5, 0..6),
        members in proptest::collection::vec("[a-d]", 0..5),
        seats in 1usize..5,
    ) {
        let max = min + span;
        let on_grid = x >= min && x <= max && (x - min) % step as i64 == 0;
        prop_assert_eq!(number(min, max, step).validate(&Value::Number(x)).is_ok(), on_grid);

        let items = (0..amounts.len()).map(|i| format!("i{i}")).collect();
        let budget = ComponentKind::Budget { items, total };
        let sums = amounts.iter().sum::<u64>() == total;
        prop_assert_eq!(budget.validate(&Value::Budget(amounts)).is_ok(), sums);

        let mut sorted = ranking.clone();
        sorted.sort_unstable();
        let permutation = sorted == (0..5).collect::<Vec<_>>();
        let items = (0..5).map(|i| format!("p{i}")).collect();
        prop_assert_eq!(
            ComponentKind::Ranking { items }.validate(&Value::Ranking(ranking)).is_ok(),
            permutation
        );

        let distinct: std::collections::BTreeSet<&String> = members.iter().collect();
        let board_ok = distinct.len() == members.len() && members.len() == seats;
        prop_assert_eq!(
            ComponentKind::Board { seats }.validate(&Value::Board(members.clone())).is_ok(),
            board_ok
        );
    }
}

/// Ballots over a few proposals of a ranking of 4 items, as counts per
/// proposal (some counts split in two entries, as equal proposals are).
fn counted_rankings() -> impl Strategy<Value = (Vec<Value>, Vec<u64>, u64, usize)> {
    let perm = Just((0..4usize).collect::<Vec<_>>()).prop_shuffle();
    (
        proptest::collection::vec(perm, 1..6),
        proptest::collection::vec(0u64..6, 6),
        0u64..5,
        0usize..3,
    )
        .prop_map(|(ps, counts, extra, qi)| {
            let values: Vec<Value> = ps.into_iter().map(Value::Ranking).collect();
            let counts = counts[..values.len()].to_vec();
            (values, counts, extra, qi)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The rule on counts (what a homomorphic tally gives) equals the rule
    /// on the decrypted ballots, for rankings (Kendall tau) and the line.
    #[test]
    fn the_rule_on_counts_equals_the_rule_on_ballots(
        (values, counts, extra, qi) in counted_rankings(),
        (kind, ballots, s, electorate, t) in line_profiles(),
    ) {
        let thresholds = [q(1, 2), q(2, 3), q(3, 4)];
        let items = (0..4).map(|i| format!("p{i}")).collect();
        let ranking = ComponentKind::Ranking { items };
        let sq = Value::Ranking(vec![0, 1, 2, 3]);
        let expanded: Vec<Value> = values
            .iter()
            .zip(&counts)
            .flat_map(|(v, &c)| std::iter::repeat_n(v.clone(), c as usize))
            .collect();
        let n = expanded.len() as u64 + extra;
        prop_assume!(n > 0);
        let counted: Vec<(Value, u64)> = values.iter().cloned().zip(counts.iter().copied()).collect();
        let q = thresholds[qi];
        prop_assert_eq!(
            decide(&ranking, &sq, &expanded, q, n).unwrap(),
            decide_counted(&ranking, &sq, &counted, &|_| q, n).unwrap()
        );
        // The line: each ballot as its own entry, or all counted together.
        let mut per_value: std::collections::BTreeMap<i64, u64> = Default::default();
        for b in &ballots {
            *per_value.entry(*b).or_default() += 1;
        }
        let counted: Vec<(Value, u64)> = per_value.into_iter().map(|(x, c)| (Value::Number(x), c)).collect();
        prop_assert_eq!(
            decide(&kind, &Value::Number(s), &nums(&ballots), t, electorate).unwrap(),
            decide_counted(&kind, &Value::Number(s), &counted, &|_| t, electorate).unwrap()
        );
    }
}

#[test]
fn each_proposal_needs_its_own_threshold() {
    // Officers: 6 of 10 for "b". Under 1/2 it passes; if changing to "b"
    // needs 2/3 (as a constitution raising its own threshold would), not.
    let kind = ComponentKind::Officer {
        role: "chair".into(),
    };
    let sq = Value::Officer("a".into());
    let counted = vec![(Value::Officer("b".into()), 6)];
    let o = decide_counted(&kind, &sq, &counted, &|_| q(1, 2), 10).unwrap();
    assert!(matches!(o, Outcome::Adopted { supporters: 6, .. }));
    let strict = |v: &Value| {
        if *v == Value::Officer("b".into()) {
            q(2, 3)
        } else {
            q(1, 2)
        }
    };
    let o = decide_counted(&kind, &sq, &counted, &strict, 10).unwrap();
    assert_eq!(
        o,
        Outcome::StatusQuoStays {
            reason: Reason::NotEnoughSupport {
                best: 6,
                electorate: 10,
                threshold: q(2, 3)
            }
        }
    );
}
