//! Federations on the record: a membership exists while the member's
//! constitution delegates to the federation and the federation's lists the
//! member, each adopted by that community's own decision; populations count
//! a person once; a member leaves alone; a federation's value binds its
//! members only where each delegated it; cycles count for nobody.

use community::federation::{CommunityFacts, Effect, FederationView};
use community::governed::GovernedStatus;
use community::Record;
use governance::federation::{Bounds, DelegatedComponent, Delegation, FederationRule};
use governance::governed::Value;
use governance::{Constitution, Governs};
use identity::Keypair;
use ledger::StatementId;

mod common;
use common::*;

fn hex(id: &StatementId) -> String {
    id.to_string()
}

/// A federation that governs `dues` (0–200) and `levy` (0–1000).
fn federation(name: &str, delegations: Vec<Delegation>) -> Constitution {
    Constitution {
        name: name.into(),
        federation: Some(FederationRule::default()),
        governs: vec![
            Governs::number("dues", "cents", (0, 200, 5), 20, None),
            Governs::number("levy", "cents", (0, 1000, 10), 0, None),
        ],
        delegations,
        ..Constitution::default()
    }
}

/// A delegation of `dues` within `[0, max]` to `to`.
fn dues_to(to: &StatementId, max: i64) -> Delegation {
    Delegation {
        federation: hex(to),
        components: vec![DelegatedComponent {
            name: "dues".into(),
            bounds: Bounds {
                min: Some(0),
                max: Some(max),
                options: None,
            },
        }],
    }
}

fn base(name: &str, delegations: Vec<Delegation>) -> Constitution {
    Constitution {
        name: name.into(),
        delegations,
        ..Constitution::default()
    }
}

fn facts(w: &World) -> CommunityFacts {
    let record = Record::unordered(&w.community, &w.all).unwrap();
    CommunityFacts::from_record(&record).unwrap()
}

fn view(worlds: &[&World]) -> FederationView {
    let all: Vec<CommunityFacts> = worlds.iter().map(|w| facts(w)).collect();
    FederationView::build(&all)
}

/// The community's constitution in force.
fn constitution(w: &World) -> Constitution {
    community::CommunityState::from_statements(&w.community, &w.all)
        .unwrap()
        .constitution
}

/// Adopt `next` as `w`'s constitution: every member votes for it.
fn amend(w: &mut World, next: Constitution) {
    if w.all.len() == 1 {
        w.register_all();
    }
    w.propose(0, "constitution", Value::Constitution(Box::new(next)));
    let d = w.open_on("constitution");
    let all: Vec<(usize, usize)> = (0..w.members.len()).map(|i| (i, 1)).collect();
    w.vote_and_tally(&d, &all);
    assert!(
        matches!(w.status(&d), GovernedStatus::Adopted { .. }),
        "{:?}",
        w.status(&d)
    );
}

/// Set a federation's governed `component` to `value` by a unanimous vote.
fn decide(w: &mut World, component: &str, value: i64) {
    w.propose(1, component, Value::Number(value));
    let d = w.open_on(component);
    let all: Vec<(usize, usize)> = (0..w.members.len()).map(|i| (i, 1)).collect();
    w.vote_and_tally(&d, &all);
    assert!(matches!(w.status(&d), GovernedStatus::Adopted { .. }));
}

fn admit(w: &mut World, members: &[&StatementId]) {
    let mut c = constitution(w);
    let rule = c.federation.get_or_insert_with(FederationRule::default);
    rule.admits.extend(members.iter().map(|m| hex(m)));
    amend(w, c);
}

fn keys(n: usize) -> Vec<Keypair> {
    (0..n).map(|_| Keypair::generate()).collect()
}

fn seed_of(k: &Keypair) -> Keypair {
    Keypair::from_seed(&k.seed())
}

#[test]
fn joins_need_both_sides_populations_count_people_once_and_a_member_leaves_alone() {
    // A federation of federations first, so the federations below can
    // delegate to it in their genesis.
    let mut top = World::founded(3, federation("nation", vec![]));
    let mut sector = World::founded(3, federation("co-ops", vec![dues_to(&top.community, 200)]));
    let mut region = World::founded(3, federation("valley", vec![dues_to(&top.community, 200)]));
    // Person `shared` belongs to both a and b.
    let people = keys(7);
    let shared = seed_of(&people[3]);
    let a = World::founded_by(
        people[..4].iter().map(seed_of).collect(),
        base("bakery", vec![dues_to(&sector.community, 100)]),
    );
    let mut b = World::founded_by(
        vec![shared, seed_of(&people[4]), seed_of(&people[5])],
        base(
            "mill",
            vec![
                dues_to(&sector.community, 50),
                dues_to(&region.community, 100),
            ],
        ),
    );
    let c = World::founded(2, base("farm", vec![dues_to(&region.community, 100)]));

    // Only the members' sides so far: every join is pending.
    let v = view(&[&top, &sector, &region, &a, &b, &c]);
    assert!(v.nodes.iter().all(|n| n.members.is_empty()));
    let waiting = |v: &FederationView, m: &World, f: &World| {
        v.pending
            .iter()
            .find(|p| p.member == hex(&m.community) && p.federation == hex(&f.community))
            .map(|p| p.waiting_for.clone())
    };
    assert_eq!(
        waiting(&v, &a, &sector).as_deref(),
        Some("the federation's decision to admit")
    );

    // Each federation admits by its own amendment.
    admit(&mut sector, &[&a.community, &b.community]);
    admit(&mut region, &[&b.community, &c.community]);
    admit(&mut top, &[&sector.community, &region.community]);
    let v = view(&[&top, &sector, &region, &a, &b, &c]);
    assert!(v.pending.is_empty(), "{:?}", v.pending);
    let node = |v: &FederationView, w: &World| v.node(&hex(&w.community)).unwrap().clone();
    // bakery 4 + mill 3, one person in both: 6 people in the sector.
    assert_eq!(node(&v, &sector).population, 6);
    assert_eq!(node(&v, &region).population, 3 + 2);
    // The nation: 4 + 3 + 2 people, the shared one once.
    assert_eq!(node(&v, &top).population, 8);
    assert_eq!(node(&v, &b).member_of, {
        let mut both = vec![hex(&sector.community), hex(&region.community)];
        both.sort();
        both
    });
    assert_eq!(node(&v, &top).kind, "federation");

    // The same records in another order give the same view.
    let again = view(&[&c, &b, &a, &region, &sector, &top]);
    assert_eq!(again.digest, v.digest);

    // The sector sets dues within every member's bounds: in force.
    decide(&mut sector, "dues", 40);
    let v = view(&[&top, &sector, &region, &a, &b, &c]);
    let effect = |v: &FederationView, f: &World, comp: &str| {
        v.values
            .iter()
            .find(|x| x.federation == hex(&f.community) && x.component == comp)
            .unwrap()
            .effect
            .clone()
    };
    assert_eq!(
        effect(&v, &sector, "dues"),
        Effect::InForce {
            bounds: "[0, 50]".into()
        }
    );
    // A levy nobody delegated binds nobody; the member is named.
    decide(&mut sector, "levy", 300);
    let v = view(&[&top, &sector, &region, &a, &b, &c]);
    match effect(&v, &sector, "levy") {
        Effect::Refused { reason } => assert!(
            (reason.contains(&hex(&a.community)) || reason.contains(&hex(&b.community)))
                && reason.contains("has not delegated `levy`"),
            "{reason}"
        ),
        e => panic!("{e:?}"),
    }
    // Dues above the mill's bound are refused, naming the mill.
    decide(&mut sector, "dues", 80);
    let v = view(&[&top, &sector, &region, &a, &b, &c]);
    match effect(&v, &sector, "dues") {
        Effect::Refused { reason } => {
            assert!(reason.contains(&hex(&b.community)), "{reason}")
        }
        e => panic!("{e:?}"),
    }

    // The mill leaves the sector by its own decision alone.
    let mut c2 = constitution(&b);
    c2.delegations
        .retain(|d| d.federation != hex(&sector.community));
    amend(&mut b, c2);
    let v = view(&[&top, &sector, &region, &a, &b, &c]);
    assert_eq!(node(&v, &sector).members, vec![hex(&a.community)]);
    assert_eq!(node(&v, &sector).population, 4);
    assert_eq!(node(&v, &b).member_of, vec![hex(&region.community)]);
    assert_eq!(
        waiting(&v, &b, &sector).as_deref(),
        Some("the member's decision to join")
    );
    // With the mill gone, 80 is within the bakery's bounds: in force.
    assert!(matches!(
        effect(&v, &sector, "dues"),
        Effect::InForce { .. }
    ));
    assert_ne!(v.digest, again.digest);
}

#[test]
fn a_membership_cycle_counts_for_nobody_and_is_named() {
    let mut f1 = World::founded(3, federation("one", vec![]));
    let mut f2_c = federation("two", vec![dues_to(&f1.community, 100)]);
    f2_c.federation = Some(FederationRule {
        admits: vec![hex(&f1.community)],
        ..Default::default()
    });
    let f2 = World::founded(3, f2_c);
    // f1 admits f2 and asks to join f2: both memberships are two-sided.
    let mut next = constitution(&f1);
    next.federation = Some(FederationRule {
        admits: vec![hex(&f2.community)],
        ..Default::default()
    });
    next.delegations.push(dues_to(&f2.community, 100));
    amend(&mut f1, next);
    let v = view(&[&f1, &f2]);
    assert_eq!(v.refused.len(), 2, "{:?}", v.refused);
    assert!(v
        .refused
        .iter()
        .all(|r| r.reason.contains("membership cycle")));
    assert!(v
        .nodes
        .iter()
        .all(|n| n.members.is_empty() && n.member_of.is_empty()));
}

#[test]
fn a_join_whose_admission_is_not_final_does_not_count_on_a_device_following_the_lace() {
    let mut fed = World::founded(3, federation("co-ops", vec![]));
    let member = World::founded(2, base("bakery", vec![dues_to(&fed.community, 100)]));
    admit(&mut fed, &[&member.community]);
    let genesis = fed.all[0].clone();
    // Everything final except the last share, which completes the tally.
    let last = fed.all.len() - 1;
    let tentative = Record::new(
        genesis.clone(),
        fed.all[1..last].to_vec(),
        fed.all.clone(),
        true,
    );
    let facts_now = CommunityFacts::from_record(&tentative).unwrap();
    assert_eq!(facts_now.position, last as u64);
    let m = facts(&member);
    let v = FederationView::build(&[facts_now, m.clone()]);
    assert!(v.node(&hex(&fed.community)).unwrap().members.is_empty());
    // Once that share is final, the membership counts.
    let settled = Record::new(genesis, fed.all[1..].to_vec(), vec![], true);
    let v = FederationView::build(&[CommunityFacts::from_record(&settled).unwrap(), m]);
    assert_eq!(
        v.node(&hex(&fed.community)).unwrap().members,
        vec![hex(&member.community)]
    );
}

#[test]
fn a_join_whose_federation_is_not_held_here_waits_and_a_base_community_cannot_admit() {
    let fed = World::founded(3, federation("co-ops", vec![]));
    let not_fed = World::founded(2, base("club", vec![]));
    let m = World::founded(
        2,
        base(
            "bakery",
            vec![
                dues_to(&fed.community, 100),
                dues_to(&not_fed.community, 100),
            ],
        ),
    );
    let v = view(&[&m, &not_fed]);
    let why: Vec<&str> = v.pending.iter().map(|p| p.waiting_for.as_str()).collect();
    assert!(
        why.contains(&"the federation's record is not held here"),
        "{why:?}"
    );
    assert!(
        why.contains(&"the federation's constitution does not declare it a federation"),
        "{why:?}"
    );
}
