//! Admission, revocation and key replacement, through the real vouching
//! protocol and the community state function.

use identity::Keypair;
use ledger::payload::{KeyReplacement, Revocation};
use ledger::Payload;
use tests::Sim;

#[test]
fn two_sureties_from_members_admit_under_the_default_rule() {
    let mut sim = Sim::new(4, 2);
    sim.vouch(0, 2);
    assert!(!sim.state().members.contains(&sim.key(2)));
    sim.vouch(2, 1);
    assert!(sim.state().members.contains(&sim.key(2)));
    // 3 is vouched by a member and a non-member first: pending.
    sim.vouch(3, 2);
    let st = sim.state();
    assert!(!st.members.contains(&sim.key(3)));
    assert_eq!(
        st.admission.pending[&sim.key(3)].by_members,
        vec![sim.key(2)]
    );
}

#[test]
fn revoking_a_surety_cascades_through_admission() {
    let mut sim = Sim::new(4, 2);
    let s02 = sim.vouch(0, 2);
    sim.vouch(1, 2);
    sim.vouch(2, 3);
    sim.vouch(0, 3);
    assert!(sim.state().members.contains(&sim.key(3)));
    // Founder 0 withdraws its surety for 2: 2 falls to one surety, and 3,
    // who relied on 2, falls too.
    sim.say(0, Payload::Revocation(Revocation { surety: s02.id() }));
    let st = sim.state();
    assert!(!st.members.contains(&sim.key(2)));
    assert!(!st.members.contains(&sim.key(3)));
    // Vouching again makes a new surety and restores both.
    sim.vouch(2, 0);
    assert!(sim.state().members.contains(&sim.key(3)));
}

#[test]
fn only_a_party_may_revoke_a_surety() {
    let mut sim = Sim::new(4, 3);
    let s = sim.vouch(0, 3);
    sim.vouch(1, 3);
    let r = sim.say(2, Payload::Revocation(Revocation { surety: s.id() }));
    let st = sim.state();
    assert!(
        st.members.contains(&sim.key(3)),
        "a bystander's revocation has no effect"
    );
    assert!(st.ignored.iter().any(|(id, _)| *id == r.id()));
}

#[test]
fn a_replaced_key_is_retired_and_one_person_never_counts_twice() {
    let mut sim = Sim::new(5, 3);
    sim.vouch(0, 3);
    sim.vouch(1, 3);
    assert!(sim.state().members.contains(&sim.key(3)));
    // Person 3 loses the key and makes a new one (person 4 in the sim).
    sim.people[4] = Keypair::generate();
    let old = sim.key(3);
    sim.say(4, Payload::KeyReplacement(KeyReplacement { old }));
    assert!(
        sim.state().members.contains(&old),
        "until the new key is admitted the old one stays"
    );
    sim.vouch(4, 0);
    sim.vouch(4, 2);
    let st = sim.state();
    assert!(st.members.contains(&sim.key(4)));
    assert!(!st.members.contains(&old), "the old key is retired");
    assert_eq!(st.retired[&old], sim.key(4));
    assert_eq!(st.members.len(), 4, "three founders and one person, once");
    // A surety the retired key still makes counts for nothing.
    sim.people.push(Keypair::generate());
    sim.vouch(3, 5);
    sim.vouch(0, 5);
    assert!(!sim.state().members.contains(&sim.key(5)));
}

#[test]
fn the_old_key_can_contest_a_false_replacement() {
    let mut sim = Sim::new(5, 3);
    sim.vouch(0, 3);
    sim.vouch(1, 3);
    // Someone claims to replace 3's key, and fools two members.
    let claim = sim.say(
        4,
        Payload::KeyReplacement(KeyReplacement { old: sim.key(3) }),
    );
    sim.vouch(4, 0);
    sim.vouch(4, 1);
    assert!(!sim.state().members.contains(&sim.key(3)));
    // 3 still holds the key and contests.
    sim.say(3, Payload::Revocation(Revocation { surety: claim.id() }));
    let st = sim.state();
    assert!(st.members.contains(&sim.key(3)));
    assert!(st.retired.is_empty());
}

#[test]
fn state_does_not_depend_on_arrival_order() {
    let mut sim = Sim::new(8, 2);
    for (a, b) in [
        (0, 2),
        (1, 2),
        (2, 3),
        (0, 3),
        (3, 4),
        (2, 4),
        (4, 5),
        (6, 7),
        (5, 6),
    ] {
        sim.vouch(a, b);
    }
    let a = sim.state();
    sim.statements.reverse();
    let b = sim.state();
    sim.statements.rotate_left(3);
    let c = sim.state();
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.digest(), c.digest());
    assert_eq!(a.members.len(), 5);
}
