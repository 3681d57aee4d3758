//! The federation model: two-sided joins, one-sided leaves, cycles refused,
//! populations counted once, delegation checked member by member.

use governance::federation::delegation::{self, parse_id};
use governance::federation::{
    check_decision, Bounds, DelegatedComponent, Delegation, DelegationError, Event,
    FederationGraph, GraphError, Id, Kind, Outcome, Required, Side,
};
use governance::metric::Element;
use governance::Constitution;
use std::collections::{BTreeSet, HashMap};

fn id(n: u32) -> Id {
    let mut x = [0u8; 32];
    x[..4].copy_from_slice(&n.to_be_bytes());
    x[31] = 0xc0;
    x
}

fn person(n: u32) -> Id {
    let mut x = [0u8; 32];
    x[..4].copy_from_slice(&n.to_be_bytes());
    x[31] = 0x9e;
    x
}

/// Communities 1..=3 with people, federations 10, 11, 12.
fn graph() -> FederationGraph {
    let mut g = FederationGraph::new();
    for c in 1..=3 {
        g.founded(id(c), Kind::Community).unwrap();
    }
    for f in 10..=12 {
        g.founded(id(f), Kind::Federation).unwrap();
    }
    g.set_people(&id(1), &[person(1), person(2), person(3)])
        .unwrap();
    g.set_people(&id(2), &[person(3), person(4), person(4)])
        .unwrap();
    g.set_people(&id(3), &[person(5)]).unwrap();
    g
}

fn join(g: &mut FederationGraph, m: u32, f: u32) {
    assert_eq!(g.join_requested(&id(m), &id(f)), Ok(Outcome::Pending));
    assert_eq!(g.admitted(&id(f), &id(m)), Ok(Outcome::Joined));
}

fn keys(g: &FederationGraph, f: u32) -> BTreeSet<Id> {
    let pops = g.populations();
    pops.get(&id(f))
        .unwrap()
        .iter()
        .map(|&i| *g.person(i).unwrap())
        .collect()
}

#[test]
fn joining_needs_both_sides_in_either_order() {
    let mut g = graph();
    assert_eq!(g.join_requested(&id(1), &id(10)), Ok(Outcome::Pending));
    assert_eq!(g.members_of(&id(10)).unwrap(), Vec::<Id>::new());
    assert_eq!(g.pending(), vec![(id(1), id(10), Side::Member)]);
    assert_eq!(g.populations().size(&id(10)), Some(0));
    assert_eq!(
        g.join_requested(&id(1), &id(10)),
        Err(GraphError::AlreadyDecided {
            member: id(1),
            federation: id(10),
            side: Side::Member
        })
    );
    assert_eq!(g.admitted(&id(10), &id(1)), Ok(Outcome::Joined));
    assert_eq!(g.members_of(&id(10)).unwrap(), vec![id(1)]);
    assert!(g.pending().is_empty());
    // Invitation first, then acceptance.
    assert_eq!(g.admitted(&id(10), &id(2)), Ok(Outcome::Pending));
    assert_eq!(g.join_requested(&id(2), &id(10)), Ok(Outcome::Joined));
    assert_eq!(
        g.admitted(&id(10), &id(2)),
        Err(GraphError::AlreadyMember {
            member: id(2),
            federation: id(10)
        })
    );
}

#[test]
fn leaving_is_one_sided_and_withdraws_pending_joins() {
    let mut g = graph();
    join(&mut g, 1, 10);
    assert_eq!(g.left(&id(1), &id(10)), Ok(Outcome::Left));
    assert_eq!(g.members_of(&id(10)).unwrap(), Vec::<Id>::new());
    g.admitted(&id(10), &id(2)).unwrap();
    assert_eq!(g.left(&id(2), &id(10)), Ok(Outcome::Withdrawn));
    assert!(g.pending().is_empty());
    assert_eq!(
        g.left(&id(2), &id(10)),
        Err(GraphError::NotMember {
            member: id(2),
            federation: id(10)
        })
    );
}

#[test]
fn a_join_closing_a_cycle_is_refused_naming_it() {
    let mut g = graph();
    join(&mut g, 11, 10); // 10 ⊃ 11
    join(&mut g, 12, 11); // 11 ⊃ 12
    let before = g.members_of(&id(12)).unwrap();
    // 12 ⊃ 10 would close 12 ⊃ 10 ⊃ 11 ⊃ 12: refused at the first decision…
    let e = g.join_requested(&id(10), &id(12)).unwrap_err();
    let GraphError::Cycle(c) = &e else {
        panic!("{e}")
    };
    assert_eq!(c.0, vec![id(12), id(10), id(11), id(12)]);
    assert!(e.to_string().contains(" ⊃ "), "{e}");
    // …and at the second, if the first came before the cycle existed.
    let mut g = graph();
    assert_eq!(g.admitted(&id(11), &id(10)), Ok(Outcome::Pending));
    join(&mut g, 11, 10);
    assert_eq!(
        g.join_requested(&id(10), &id(11)).unwrap_err(),
        GraphError::Cycle(governance::federation::Cycle(vec![id(11), id(10), id(11)]))
    );
    assert_eq!(g.members_of(&id(12)).unwrap(), before);
    // Self-membership.
    assert_eq!(
        g.join_requested(&id(12), &id(12)).unwrap_err(),
        GraphError::Cycle(governance::federation::Cycle(vec![id(12), id(12)]))
    );
}

#[test]
fn wrong_kinds_and_unknown_ids_are_named() {
    let mut g = graph();
    assert_eq!(
        g.join_requested(&id(10), &id(1)),
        Err(GraphError::NotAFederation(id(1)))
    );
    assert_eq!(
        g.set_people(&id(10), &[person(1)]),
        Err(GraphError::NotABaseCommunity(id(10)))
    );
    assert_eq!(
        g.founded(id(1), Kind::Federation),
        Err(GraphError::AlreadyFounded(id(1)))
    );
    assert_eq!(g.left(&id(99), &id(10)), Err(GraphError::Unknown(id(99))));
    assert_eq!(g.kind(&id(10)), Some(Kind::Federation));
}

#[test]
fn populations_count_a_person_once_through_every_path() {
    let mut g = graph();
    join(&mut g, 1, 10);
    join(&mut g, 2, 10);
    join(&mut g, 2, 11);
    join(&mut g, 3, 11);
    join(&mut g, 10, 12);
    join(&mut g, 11, 12);
    let p = |n: &[u32]| n.iter().map(|&i| person(i)).collect::<BTreeSet<_>>();
    assert_eq!(keys(&g, 10), p(&[1, 2, 3, 4]));
    assert_eq!(keys(&g, 11), p(&[3, 4, 5]));
    assert_eq!(keys(&g, 12), p(&[1, 2, 3, 4, 5]));
    assert_eq!(g.populations().size(&id(1)), Some(3));
    // Community 2 leaves 10: persons 3 (still via 1) stays, 4 goes.
    g.left(&id(2), &id(10)).unwrap();
    assert_eq!(keys(&g, 10), p(&[1, 2, 3]));
    assert_eq!(keys(&g, 12), p(&[1, 2, 3, 4, 5]));
    // The sortition view has the same populations.
    let s = g.sortition().unwrap();
    let pops = g.populations();
    for (i, node) in g.ids().iter().enumerate() {
        assert_eq!(s.population(i).unwrap(), pops.get(node).unwrap());
    }
}

/// A small deterministic generator.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(n)) as u32
    }
}

/// The population by definition: people of base communities reachable
/// downwards, as a set of keys.
fn naive(g: &FederationGraph, node: &Id, people: &HashMap<Id, Vec<Id>>) -> BTreeSet<Id> {
    match g.kind(node).unwrap() {
        Kind::Community => people
            .get(node)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect(),
        Kind::Federation => g
            .members_of(node)
            .unwrap()
            .iter()
            .flat_map(|m| naive(g, m, people))
            .collect(),
    }
}

#[test]
fn random_event_sequences_match_the_definition_and_replay_identically() {
    for seed in 0..20u64 {
        let mut rng = Lcg(seed);
        let mut g = FederationGraph::new();
        let mut people = HashMap::new();
        let mut events = Vec::new();
        for c in 0..8 {
            let kind = if c < 4 {
                Kind::Community
            } else {
                Kind::Federation
            };
            events.push(Event::Founded { id: id(c), kind });
        }
        for c in 0..4 {
            let ps: Vec<Id> = (0..6).map(|_| person(rng.below(15))).collect();
            events.push(Event::People {
                community: id(c),
                people: ps,
            });
        }
        for _ in 0..60 {
            let (m, f) = (id(rng.below(8)), id(4 + rng.below(4)));
            events.push(match rng.below(3) {
                0 => Event::JoinRequested {
                    member: m,
                    federation: f,
                },
                1 => Event::Admitted {
                    federation: f,
                    member: m,
                },
                _ => Event::Left {
                    member: m,
                    federation: f,
                },
            });
        }
        let mut outcomes = Vec::new();
        for e in &events {
            if let Event::People {
                community,
                people: ps,
            } = e
            {
                people.insert(*community, ps.clone());
            }
            outcomes.push(g.apply(e));
        }
        let mut replay = FederationGraph::new();
        let again: Vec<_> = events.iter().map(|e| replay.apply(e)).collect();
        assert_eq!(outcomes, again, "seed {seed}");
        assert!(g.sortition().is_ok(), "acyclic, seed {seed}");
        for node in g.ids() {
            let got: BTreeSet<Id> = g
                .populations()
                .get(node)
                .unwrap()
                .iter()
                .map(|&i| *g.person(i).unwrap())
                .collect();
            assert_eq!(got, naive(&g, node, &people), "seed {seed}");
            assert_eq!(replay.populations().get(node), g.populations().get(node));
        }
    }
}

fn hexid(n: u32) -> String {
    id(n).iter().map(|b| format!("{b:02x}")).collect()
}

fn delegating(fed: u32, name: &str, bounds: Bounds) -> Vec<Delegation> {
    vec![Delegation {
        federation: hexid(fed),
        components: vec![DelegatedComponent {
            name: name.into(),
            bounds,
        }],
    }]
}

fn range(min: i64, max: i64) -> Bounds {
    Bounds {
        min: Some(min),
        max: Some(max),
        options: None,
    }
}

#[test]
fn a_federation_decides_only_what_every_member_delegated_within_bounds() {
    let a = delegating(10, "dues", range(0, 100));
    let b = delegating(10, "dues", range(20, 200));
    let c = delegating(11, "dues", range(0, 100)); // to another federation
    let members = [(id(1), a.as_slice()), (id(2), b.as_slice())];
    let ok = check_decision(
        &id(10),
        "dues",
        &Element::Number(50),
        &members,
        &Required::All,
    );
    assert_eq!(ok, Ok(range(20, 100)));
    // Out of one member's bounds: that member is named.
    let e = check_decision(
        &id(10),
        "dues",
        &Element::Number(10),
        &members,
        &Required::All,
    );
    assert!(
        matches!(&e, Err(DelegationError::OutOfBounds { member, .. }) if *member == id(2)),
        "{e:?}"
    );
    assert!(e.unwrap_err().to_string().contains("[20, 200]"));
    // A member that delegated to a different federation, or another component.
    let members3 = [(id(1), a.as_slice()), (id(3), c.as_slice())];
    assert_eq!(
        check_decision(
            &id(10),
            "dues",
            &Element::Number(50),
            &members3,
            &Required::All
        ),
        Err(DelegationError::NotDelegated {
            member: id(3),
            component: "dues".into()
        })
    );
    assert_eq!(
        check_decision(
            &id(10),
            "tax",
            &Element::Number(50),
            &members,
            &Required::All
        ),
        Err(DelegationError::NotDelegated {
            member: id(1),
            component: "dues".replace("dues", "tax")
        })
    );
    // The federation's constitution requires only member 1.
    let only = Required::Only(vec![id(1)]);
    assert_eq!(
        check_decision(&id(10), "dues", &Element::Number(50), &members3, &only),
        Ok(range(0, 100))
    );
    assert_eq!(
        check_decision(
            &id(10),
            "dues",
            &Element::Number(50),
            &members3,
            &Required::Only(vec![id(7)])
        ),
        Err(DelegationError::NotAMember(id(7)))
    );
}

#[test]
fn option_bounds_intersect_and_wrong_kinds_are_refused() {
    let opts = |o: &[&str]| Bounds {
        options: Some(o.iter().map(|s| s.to_string()).collect()),
        ..Bounds::default()
    };
    let a = delegating(10, "venue", opts(&["hall", "park"]));
    let b = delegating(10, "venue", opts(&["park", "pier"]));
    let m = [(id(1), a.as_slice()), (id(2), b.as_slice())];
    let park = Element::Option("park".into());
    assert_eq!(
        check_decision(&id(10), "venue", &park, &m, &Required::All),
        Ok(opts(&["park"]))
    );
    let hall = Element::Option("hall".into());
    assert!(matches!(
        check_decision(&id(10), "venue", &hall, &m, &Required::All),
        Err(DelegationError::OutOfBounds { member, .. }) if member == id(2)
    ));
    assert!(!range(0, 5).allows(&park));
    assert!(!opts(&["x"]).allows(&Element::Number(1)));
    assert!(Bounds::default().allows(&Element::Ranking(vec![1, 0])));
}

#[test]
fn delegation_lists_are_validated_in_the_constitution() {
    let mut c = Constitution {
        delegations: delegating(10, "dues", range(0, 100)),
        ..Constitution::default()
    };
    c.validate().unwrap();
    let json = c.to_json();
    assert!(
        json.contains("\"delegations\"") && json.contains("\"min\": 0"),
        "{json}"
    );
    assert_eq!(Constitution::from_json(&json).unwrap(), c);
    assert!(!Constitution::default().to_json().contains("delegations"));
    assert_eq!(parse_id(&hexid(10)), Some(id(10)));

    c.delegations[0].components[0].bounds = range(5, 1);
    let e = c.validate().unwrap_err().to_string();
    assert!(
        e.contains("delegations") && e.contains("allow no value"),
        "{e}"
    );
    c.delegations[0].components[0].bounds.options = Some(BTreeSet::new());
    c.delegations[0].components[0].bounds.min = None;
    c.delegations[0].components[0].bounds.max = None;
    assert!(c
        .validate()
        .unwrap_err()
        .to_string()
        .contains("allow no value"));
    c.delegations[0].components[0].bounds = Bounds {
        options: Some(["a".to_string()].into()),
        ..range(0, 1)
    };
    assert!(c.validate().unwrap_err().to_string().contains("mixes"));
    c.delegations = delegating(10, "dues", range(0, 1));
    c.delegations.push(c.delegations[0].clone());
    assert!(c.validate().unwrap_err().to_string().contains("twice"));
    c.delegations[0].federation = "ABC".into();
    assert!(matches!(
        delegation::validate(&c.delegations),
        Err(DelegationError::BadFederation(f)) if f == "ABC"
    ));
    // Changing a delegation is a change of the constitution.
    let before = Constitution::default();
    let after = Constitution {
        delegations: delegating(10, "dues", range(0, 100)),
        ..Constitution::default()
    };
    assert_eq!(
        governance::amendment::changes(&before, &after),
        vec![format!("delegations.{}", hexid(10))]
    );
}
