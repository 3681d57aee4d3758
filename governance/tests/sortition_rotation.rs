//! Rotation: staggered classes, no immediate reselection, resignations
//! from the committed reserve order, quotas, determinism.

use std::collections::BTreeSet;

use governance::sortition::rotation::{Assembly, Method, RotationError};
use governance::sortition::{maximin, Feature, FeatureValue, Instance, Lottery, Person};

fn pool(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("p{i:02}")).collect()
}

fn seed(period: u64, salt: u8) -> [u8; 32] {
    let mut s = [salt; 32];
    s[..8].copy_from_slice(&period.to_be_bytes());
    s
}

fn sitting(a: &Assembly) -> BTreeSet<String> {
    a.members().into_iter().map(String::from).collect()
}

/// Who sat at any time in each period so far, kept by the test itself.
#[derive(Default)]
struct Record {
    sat: Vec<BTreeSet<String>>,
}

impl Record {
    fn note(&mut self, period: u64, people: &BTreeSet<String>) {
        while self.sat.len() <= period as usize {
            self.sat.push(BTreeSet::new());
        }
        self.sat[period as usize].extend(people.iter().cloned());
    }

    /// Sat in any of the `term` periods before `period`, or in `period`.
    fn recently_sat(&self, who: &str, period: u64, term: u64) -> bool {
        let from = period.saturating_sub(term) as usize;
        self.sat[from..=(period as usize).min(self.sat.len() - 1)]
            .iter()
            .any(|s| s.contains(who))
    }
}

/// The first reserve of `reserves` who is not sitting and did not sit in
/// the last `term` periods nor in `now`, computed independently.
fn first_eligible<'a>(
    reserves: &'a [String],
    a: &Assembly,
    rec: &Record,
    now: u64,
    term: u64,
) -> Option<&'a String> {
    let seated = sitting(a);
    reserves
        .iter()
        .find(|r| !seated.contains(*r) && !rec.recently_sat(r, now, term))
}

#[test]
fn staggered_thirds_replace_exactly_their_class_and_nobody_returns_at_once() {
    let (seats, term) = (9, 3);
    let people = pool(40);
    let mut a = Assembly::new(seats, term).unwrap();
    let mut rec = Record::default();
    a.draw_period(seed(0, 1), &people, Method::Uniform).unwrap();
    rec.note(0, &sitting(&a));
    assert_eq!(a.members().len(), seats);
    let mut seated_at: Vec<u64> = vec![0; seats];
    for p in 1..13u64 {
        let before: Vec<Option<String>> = a
            .seat_holders()
            .into_iter()
            .map(|h| h.map(String::from))
            .collect();
        a.draw_period(seed(p, 1), &people, Method::Uniform).unwrap();
        let after = a.seat_holders();
        let class = (p % term) as usize;
        for s in 0..seats {
            let changed = before[s].as_deref() != after[s];
            assert_eq!(changed, s % 3 == class, "period {p}, seat {s}");
            if changed {
                let new = after[s].unwrap();
                assert!(
                    !rec.recently_sat(new, p - 1, term - 1),
                    "period {p}: {new} sat in the previous term"
                );
                // Every member seated after the first period serves a full term.
                if seated_at[s] > 0 {
                    assert_eq!(p - seated_at[s], term, "seat {s}");
                }
                seated_at[s] = p;
            }
        }
        assert_eq!(a.members().len(), seats);
        rec.note(p, &sitting(&a));
    }
    // Class c ≥ 1 first served c periods, class 0 a whole term.
    let first_terms: Vec<u64> = (0..3)
        .map(|s| a.history().iter().find(|x| x.seat == s).unwrap())
        .map(|x| x.to.unwrap() - x.from)
        .collect();
    assert_eq!(first_terms, vec![3, 1, 2]);
}

#[test]
fn resignations_are_filled_from_the_committed_reserve_order() {
    let (seats, term) = (9, 3);
    let people = pool(40);
    let mut a = Assembly::new(seats, term).unwrap();
    let mut rec = Record::default();
    let mut skipped = 0;
    for p in 0..9u64 {
        a.draw_period(seed(p, 2), &people, Method::Uniform).unwrap();
        rec.note(p, &sitting(&a));
        // Two resignations each period: the member of the lowest seat of the
        // class drawn at period 0 (while it is still that draw's), and of seat 4.
        for seat in [(p % term) as usize, 4] {
            let member = a.seat_holders()[seat].unwrap().to_string();
            let draw = a
                .draws()
                .iter()
                .rev()
                .find(|d| d.seats.contains(&seat))
                .unwrap()
                .clone();
            let expected = first_eligible(&draw.reserves, &a, &rec, p, term).cloned();
            if expected.as_ref() != draw.reserves.first() {
                skipped += 1;
            }
            let r = a.resign(&member).unwrap();
            assert_eq!(r.seat, seat);
            assert_eq!(r.replacement, expected, "period {p}, seat {seat}");
            assert!(r.quotas_kept);
            assert!(!a.members().contains(&member.as_str()));
            rec.note(p, &sitting(&a));
        }
    }
    // Reserves already seated elsewhere, or who served recently, were
    // skipped (deterministic with these seeds).
    assert!(skipped > 0);
    assert_eq!(
        a.resign("nobody"),
        Err(RotationError::NotAMember("nobody".into()))
    );
}

#[test]
fn a_resigned_member_is_not_drawn_again_within_a_term() {
    let people = pool(12);
    let mut a = Assembly::new(3, 3).unwrap();
    a.draw_period(seed(0, 3), &people, Method::Uniform).unwrap();
    let gone = a.members()[0].to_string();
    a.resign(&gone).unwrap();
    for p in 1..=3 {
        let eligible = a.eligible(&people).unwrap();
        assert!(!eligible.contains(&gone), "period {p}");
        a.draw_period(seed(p, 3), &people, Method::Uniform).unwrap();
    }
    // Resigned in period 0 (served it): eligible again at period 0 + 1 + 3.
    assert!(a.eligible(&people).unwrap().contains(&gone));
}

fn scripted(salt: u8) -> Assembly {
    let people = pool(30);
    let mut a = Assembly::new(6, 3).unwrap();
    for p in 0..7 {
        a.draw_period(seed(p, salt), &people, Method::Uniform)
            .unwrap();
        let m = a.members()[1].to_string();
        a.resign(&m).unwrap();
    }
    a
}

#[test]
fn the_same_seeds_give_the_same_assembly() {
    let a = scripted(4);
    assert_eq!(a, scripted(4));
    assert_ne!(a.seat_holders(), scripted(5).seat_holders());
    let json = serde_json::to_string(&a).unwrap();
    let back: Assembly = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
    // The pool's order does not matter: it is sorted first.
    let mut people = pool(30);
    people.reverse();
    let mut b = Assembly::new(6, 3).unwrap();
    b.draw_period(seed(0, 4), &people, Method::Uniform).unwrap();
    let mut c = Assembly::new(6, 3).unwrap();
    c.draw_period(seed(0, 4), &pool(30), Method::Uniform)
        .unwrap();
    assert_eq!(b, c);
}

fn group_instance(eligible: &[String], k: usize, a_count: usize) -> Instance {
    let features = vec![Feature {
        name: "group".into(),
        values: vec![
            FeatureValue {
                name: "A".into(),
                min: a_count,
                max: a_count,
            },
            FeatureValue {
                name: "B".into(),
                min: k - a_count,
                max: k - a_count,
            },
        ],
    }];
    let people = eligible
        .iter()
        .map(|id| Person {
            id: id.clone(),
            values: vec![group(id)],
        })
        .collect();
    Instance::new(features, people, k).unwrap()
}

/// People with an even number are in group A (value 0).
fn group(id: &str) -> usize {
    id[1..].parse::<usize>().unwrap() % 2
}

fn draw_with_quotas(a: &mut Assembly, people: &[String], p: u64) -> Instance {
    let eligible = a.eligible(people).unwrap();
    let k = a.seats_to_draw().len();
    let inst = group_instance(&eligible, k, k / 2);
    let (dist, _) = maximin(&inst).unwrap();
    let lottery = Lottery::from_distribution(&dist).unwrap();
    let method = Method::Quotas {
        instance: &inst,
        lottery: &lottery,
    };
    a.draw_period(seed(p, 6), people, method).unwrap();
    inst
}

#[test]
fn resignations_keep_the_draws_quotas_when_a_reserve_can() {
    let people = pool(30);
    let mut a = Assembly::new(6, 3).unwrap();
    let mut rec = Record::default();
    for p in 0..6u64 {
        draw_with_quotas(&mut a, &people, p);
        rec.note(p, &sitting(&a));
        let last = a.draws().last().unwrap().clone();
        let counts = last.panel.iter().filter(|id| group(id) == 0).count();
        assert_eq!(counts * 2, last.panel.len(), "period {p}");
        // An A member of this draw resigns: only an A reserve keeps the
        // quota, and the first eligible A reserve is called.
        let member = last.panel.iter().find(|id| group(id) == 0).unwrap().clone();
        let a_reserves: Vec<String> = last
            .reserves
            .iter()
            .filter(|id| group(id) == 0)
            .cloned()
            .collect();
        let expected = first_eligible(&a_reserves, &a, &rec, p, 3).cloned();
        let r = a.resign(&member).unwrap();
        assert_eq!(r.replacement, expected);
        assert!(r.quotas_kept);
        rec.note(p, &sitting(&a));
        let now = a.draws().last().unwrap();
        let a_now = now.panel.iter().filter(|id| group(id) == 0).count();
        assert_eq!(a_now, counts, "period {p}: the quota of A changed");
    }
}

#[test]
fn a_quota_instance_for_another_pool_or_size_is_refused() {
    let people = pool(20);
    let mut a = Assembly::new(6, 3).unwrap();
    draw_with_quotas(&mut a, &people, 0);
    // At period 1 the whole pool is not the eligible pool.
    let inst = group_instance(&people, 2, 1);
    let (dist, _) = maximin(&inst).unwrap();
    let lottery = Lottery::from_distribution(&dist).unwrap();
    let method = Method::Quotas {
        instance: &inst,
        lottery: &lottery,
    };
    assert!(matches!(
        a.draw_period(seed(1, 6), &people, method),
        Err(RotationError::InstanceMismatch(_))
    ));
    let eligible = a.eligible(&people).unwrap();
    let inst = group_instance(&eligible, 4, 2);
    let (dist, _) = maximin(&inst).unwrap();
    let lottery = Lottery::from_distribution(&dist).unwrap();
    let method = Method::Quotas {
        instance: &inst,
        lottery: &lottery,
    };
    assert!(matches!(
        a.draw_period(seed(1, 6), &people, method),
        Err(RotationError::InstanceMismatch(_))
    ));
    assert_eq!(a.next_period(), 1, "a refused draw changes nothing");
}

#[test]
fn bad_shapes_and_pools_are_refused() {
    assert!(matches!(
        Assembly::new(0, 1),
        Err(RotationError::Shape { .. })
    ));
    assert!(matches!(
        Assembly::new(3, 0),
        Err(RotationError::Shape { .. })
    ));
    assert!(matches!(
        Assembly::new(2, 3),
        Err(RotationError::Shape { .. })
    ));
    let mut a = Assembly::new(6, 3).unwrap();
    assert_eq!(
        a.draw_period(seed(0, 7), &pool(5), Method::Uniform)
            .map(|d| d.period),
        Err(RotationError::PoolTooSmall {
            period: 0,
            eligible: 5,
            seats: 6
        })
    );
    let mut dup = pool(8);
    dup.push("p03".into());
    assert_eq!(
        a.draw_period(seed(0, 7), &dup, Method::Uniform)
            .map(|d| d.period),
        Err(RotationError::DuplicatePerson("p03".into()))
    );
    // Eight people, six seats, a term of three: at period 1 only two are
    // eligible (the six sitting are not), enough for class 1's two seats;
    // at period 2 the two outgoing may not return.
    a.draw_period(seed(0, 7), &pool(8), Method::Uniform)
        .unwrap();
    a.draw_period(seed(1, 7), &pool(8), Method::Uniform)
        .unwrap();
    assert_eq!(
        a.draw_period(seed(2, 7), &pool(8), Method::Uniform)
            .map(|d| d.period),
        Err(RotationError::PoolTooSmall {
            period: 2,
            eligible: 0,
            seats: 2
        })
    );
}

#[test]
fn a_seat_with_no_eligible_reserve_stays_empty_until_its_class_is_drawn() {
    // Seven people, six seats: one reserve. Two resignations: the first is
    // filled by the reserve, the second leaves its seat empty.
    let people = pool(7);
    let mut a = Assembly::new(6, 3).unwrap();
    a.draw_period(seed(0, 8), &people, Method::Uniform).unwrap();
    let reserve = a.draws()[0].reserves.clone();
    assert_eq!(reserve.len(), 1);
    let first = a.seat_holders()[0].unwrap().to_string();
    let r = a.resign(&first).unwrap();
    assert_eq!(r.replacement.as_ref(), Some(&reserve[0]));
    let second = a.seat_holders()[1].unwrap().to_string();
    let r = a.resign(&second).unwrap();
    assert_eq!((r.seat, r.replacement, r.quotas_kept), (1, None, true));
    assert_eq!(a.seat_holders()[1], None);
    assert_eq!(a.members().len(), 5);
    // Period 1 draws class 1 (seats 1 and 4), but everyone has sat within
    // a term: nobody is eligible.
    assert!(matches!(
        a.draw_period(seed(1, 8), &people, Method::Uniform),
        Err(RotationError::PoolTooSmall { eligible: 0, .. })
    ));
    // With newcomers the empty seat is filled with the rest of its class.
    let bigger = pool(9);
    a.draw_period(seed(1, 8), &bigger, Method::Uniform).unwrap();
    let holders = a.seat_holders();
    assert!(holders.iter().all(Option::is_some));
    assert_eq!(
        [holders[1].unwrap(), holders[4].unwrap()]
            .into_iter()
            .collect::<BTreeSet<_>>(),
        BTreeSet::from(["p07", "p08"])
    );
}

#[test]
fn when_no_reserve_keeps_the_quotas_the_first_eligible_one_is_called_and_it_is_said() {
    // Eight people, four in group A; six seats with exactly three from A:
    // one A and one B reserve.
    let people = pool(8);
    let mut a = Assembly::new(6, 3).unwrap();
    draw_with_quotas(&mut a, &people, 0);
    let d = a.draws()[0].clone();
    let in_a: Vec<&String> = d.panel.iter().filter(|id| group(id) == 0).collect();
    assert_eq!(in_a.len(), 3);
    let a_reserve = d.reserves.iter().find(|id| group(id) == 0).cloned();
    let b_reserve = d.reserves.iter().find(|id| group(id) == 1).cloned();
    let r = a.resign(in_a[0]).unwrap();
    assert_eq!((r.replacement, r.quotas_kept), (a_reserve, true));
    let r = a.resign(in_a[1]).unwrap();
    assert_eq!((r.replacement, r.quotas_kept), (b_reserve, false));
}

/// A federated draw through the rotation: two disjoint member communities
/// of six and three eligible people share three seats 2 and 1 in every
/// draw (their exact proportional shares), the reserves are everyone else,
/// and a federation whose people are not the eligible pool is refused.
#[test]
fn a_federated_period_gives_each_member_its_share_in_every_draw() {
    use governance::sortition::federation::{Community, Federation};
    let pool: Vec<String> = (0..9).map(|i| format!("p{i}")).collect();
    let fed = Federation::new(vec![
        Community::Inner(vec![1, 2]),
        Community::Leaf((0..6).collect()),
        Community::Leaf((6..9).collect()),
    ])
    .unwrap();
    for s in 0..50u8 {
        let mut a = Assembly::new(3, 1).unwrap();
        let method = Method::Federated {
            federation: &fed,
            root: 0,
        };
        let d = a.draw_period([s; 32], &pool, method).unwrap().clone();
        let first = d.panel.iter().filter(|p| pool[..6].contains(p)).count();
        assert_eq!(first, 2, "seed {s}: {:?}", d.panel);
        assert_eq!(d.reserves.len(), 6);
        let mut everyone: Vec<String> = d.panel.iter().chain(&d.reserves).cloned().collect();
        everyone.sort();
        assert_eq!(everyone, pool);
    }
    let smaller = Federation::new(vec![
        Community::Inner(vec![1]),
        Community::Leaf((0..8).collect()),
    ])
    .unwrap();
    let mut a = Assembly::new(3, 1).unwrap();
    let err = a
        .draw_period(
            [1; 32],
            &pool,
            Method::Federated {
                federation: &smaller,
                root: 0,
            },
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("not exactly the eligible pool"), "{err}");
}

/// A repair's seat changes: the leaver's seat goes to the joiner for the
/// rest of the period, an empty seat is filled too, the leaver cools off
/// like a resigned member, and bad changes are refused changing nothing.
#[test]
fn reseat_moves_seats_and_refuses_bad_changes() {
    let mut a = Assembly::new(4, 2).unwrap();
    assert_eq!(a.reseat(&[], &["p00".into()]), Err(RotationError::NotDrawn));
    let people = pool(12);
    a.draw_period(seed(0, 1), &people, Method::Uniform).unwrap();
    let holders: Vec<String> = a
        .seat_holders()
        .into_iter()
        .map(|h| h.unwrap().to_string())
        .collect();
    let outsider = people
        .iter()
        .find(|p| !holders.contains(p))
        .unwrap()
        .clone();
    // Errors change nothing.
    let before = a.clone();
    assert_eq!(
        a.reseat(&["nobody".into()], &[]),
        Err(RotationError::NotAMember("nobody".into()))
    );
    assert_eq!(
        a.reseat(&[], &[holders[1].clone()]),
        Err(RotationError::AlreadySeated(holders[1].clone()))
    );
    assert_eq!(
        a.reseat(&[], std::slice::from_ref(&outsider)),
        Err(RotationError::NoFreeSeat {
            joining: 1,
            free: 0
        })
    );
    assert_eq!(a, before);
    // Seat 2's holder gives way to the outsider.
    let taken = a
        .reseat(
            std::slice::from_ref(&holders[2]),
            std::slice::from_ref(&outsider),
        )
        .unwrap();
    assert_eq!(taken, vec![(2, outsider.clone())]);
    assert_eq!(a.seat_holders()[2], Some(outsider.as_str()));
    assert!(!a.is_eligible(&holders[2], 1) && !a.is_eligible(&holders[2], 2));
    assert!(a.is_eligible(&holders[2], 3), "cools off for a term of 2");
    let drawn = &a.draws()[0];
    assert!(drawn.panel.contains(&outsider) && !drawn.panel.contains(&holders[2]));
    // An empty seat (a resignation with no eligible reserve) is filled.
    let mut b = Assembly::new(2, 1).unwrap();
    b.draw_period(seed(0, 2), &pool(2), Method::Uniform)
        .unwrap();
    let gone = b.seat_holders()[0].unwrap().to_string();
    assert_eq!(b.resign(&gone).unwrap().replacement, None);
    assert_eq!(
        b.reseat(&[], &["p99".into()]).unwrap(),
        vec![(0, "p99".into())]
    );
}
