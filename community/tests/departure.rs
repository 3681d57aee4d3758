//! Leaving a community (kind 30): the departed is not a member from the
//! departure on — not a participant, not in a decision's electorate, not
//! in a federation's population — while the sureties they gave before it
//! still count, so nobody they vouched for loses membership; a surety
//! after it, a second departure and one by a non-member change nothing.

use community::federation::CommunityFacts;
use community::{participation, vote, CommunityState, Record};
use identity::Keypair;
use ledger::{Payload, StatementId};

mod common;
use common::*;

impl World {
    fn vouch(&mut self, a: usize, b: &Keypair, time: u64) -> StatementId {
        let genesis = self.all[0].clone();
        let payload = surety(&genesis, &self.members[a], b, time);
        let s =
            ledger::dag::say(&self.members[a], &self.community, &self.all, payload, time).unwrap();
        self.push(s)
    }

    fn leave(&mut self, who: &Keypair, fork: Option<StatementId>) -> StatementId {
        let time = T0 + 40 + self.all.len() as u64;
        let s = vote::depart(who, &self.community, &self.all, fork, time).unwrap();
        self.push(s)
    }

    fn member_leaves(&mut self, i: usize, fork: Option<StatementId>) -> StatementId {
        let time = T0 + 40 + self.all.len() as u64;
        let s = vote::depart(&self.members[i], &self.community, &self.all, fork, time).unwrap();
        self.push(s)
    }

    fn community_state(&self) -> CommunityState {
        let record = Record::unordered(&self.community, &self.all).unwrap();
        CommunityState::from_record(&record).unwrap()
    }
}

#[test]
fn a_departed_member_is_out_but_those_they_vouched_for_stay() {
    let mut w = World::new(4);
    let newcomer = Keypair::generate();
    w.vouch(0, &newcomer, T0 + 10);
    w.vouch(1, &newcomer, T0 + 11);
    let before = w.community_state();
    assert!(before.members.contains(&newcomer.public()));
    assert_eq!(before.members.len(), 5);
    let leaver = w.members[0].public();
    let fork = StatementId([9; 32]);
    let departure = w.member_leaves(0, Some(fork));
    let after = w.community_state();
    assert!(!after.members.contains(&leaver), "the leaver is out");
    assert!(
        after.members.contains(&newcomer.public()),
        "their surety still counts"
    );
    assert_eq!(after.members.len(), 4);
    let departed = &after.departed[&leaver];
    assert_eq!((departed.statement, departed.fork), (departure, Some(fork)));
    assert_ne!(before.digest(), after.digest());
    // Not a participant, not in the federation's count of people.
    let record = Record::unordered(&w.community, &w.all).unwrap();
    let participants = participation::participants(&after, &record);
    assert!(!participants.contains(&leaver));
    let facts = CommunityFacts::from_record(&record).unwrap();
    assert!(!facts.people.contains(leaver.as_bytes()));
    assert_eq!(facts.people.len(), 4);

    // After leaving, a surety the leaver is party to does not count, and
    // a second departure is ignored.
    let late = Keypair::generate();
    let late_surety = w.vouch(0, &late, T0 + 60);
    w.vouch(2, &late, T0 + 61);
    let second = w.member_leaves(0, None);
    let s = w.community_state();
    assert!(
        !s.members.contains(&late.public()),
        "one surety counts, two are needed"
    );
    assert!(s
        .ignored
        .contains(&(late_surety, "surety made after one party's departure")));
    assert!(s
        .ignored
        .contains(&(second, "a second departure of the same key")));
    assert!(
        !s.members.contains(&leaver),
        "departure is final for the key"
    );
    // A departure by someone who is not a member changes nothing.
    let stranger = Keypair::generate();
    let none = w.leave(&stranger, None);
    let s = w.community_state();
    assert!(s
        .ignored
        .contains(&(none, "departure by a key that is not a member")));
    assert_eq!(s.members.len(), 4);
}

#[test]
fn a_decision_opened_after_a_departure_leaves_the_departed_out_of_its_electorate() {
    let mut w = World::new(4);
    w.register_all();
    let leaver = w.members[3].public();
    w.member_leaves(3, None);
    let trustees: Vec<_> = w.members[..3].iter().map(|k| k.public()).collect();
    let proposal = vote::Proposal {
        question: "Paint the shed?".into(),
        kind: ballot::BallotKind::Approval { options: 2 },
        options: vec!["green".into(), "blue".into()],
        trustees,
        threshold: 2,
    };
    let opening = vote::open(&w.members[0], &w.community, &w.all, proposal, T0 + 90).unwrap();
    let d = w.push(opening);
    let state = w.state(&d);
    assert_eq!(state.electorate.members.len(), 3, "the three who stay");
    assert!(!state.electorate.members.contains(&leaver));
    assert!(matches!(
        w.all.iter().find(|s| s.id() == d).unwrap().payload(),
        Payload::DecisionOpen(_)
    ));
}
