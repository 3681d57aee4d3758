//! Key generation on the record that no single faulty trustee stalls:
//! an absent trustee, a dealer with a bad share (excluded by a complaint
//! proven in public), a false or forged complaint, a steered reveal and a
//! qualified dealer that never reveals (recovered from public shares), and
//! every step out of turn, each ignored by name. Three trustees, 2-of-3:
//! the quorum is `m − t + 1 = 2`.

use ballot::dkg::Dealer;
use ballot::{BallotKind, SealedShare, ShareOpening, TransportSecret};
use community::decision::DecisionState;
use community::vote::{self, VoteError, KEY_GENERATION_PATIENCE as P};
use ledger::payload::{DkgDeal, DkgReveal, ShareOpenings};
use ledger::{Payload, StatementId};
use rand::rngs::OsRng;

mod common;
use common::*;

/// Trustee (member) `j`'s next step at `time`, posted; its kind.
fn step(w: &mut World, d: &StatementId, j: usize, time: u64) -> Result<ledger::Kind, VoteError> {
    let st = w.state(d);
    let s = vote::trustee_step(
        &w.members[j],
        &w.tsecrets[j],
        &w.community,
        &w.all,
        &st,
        time,
        &mut OsRng,
    )?
    .expect("a step to take");
    let kind = s.kind();
    w.push(s);
    Ok(kind)
}

/// `payload` said by member `i`, bypassing the library's checks.
fn say(w: &mut World, i: usize, payload: Payload) -> StatementId {
    let s = ledger::dag::say(&w.members[i], &w.community, &w.all, payload, T0 + 3).unwrap();
    w.push(s)
}

fn ignored_for(st: &DecisionState, id: &StatementId) -> String {
    st.ignored
        .iter()
        .find(|(i, _)| i == id)
        .map(|(_, why)| why.clone())
        .unwrap_or_else(|| panic!("not ignored: {:?}", st.ignored))
}

/// Members 0–3 vote for option 1, 1, 0, 1; the close; shares by `sharers`.
fn vote_and_tally(w: &mut World, d: &StatementId, sharers: &[usize]) -> Vec<u64> {
    for (i, v) in [[0, 1], [0, 1], [1, 0], [0, 1]].iter().enumerate() {
        w.cast(d, i, v);
    }
    let st = w.state(d);
    let c = vote::close(&w.members[0], &w.community, &w.all, &st, T0 + 10).unwrap();
    w.push(c);
    w.share_as(d, sharers, T0 + 11);
    let tally = w.state(d).tally.unwrap();
    tally
        .totals
        .unwrap_or_else(|| panic!("{:?}", tally.pending))
}

fn opened(w: &World, d: &StatementId) -> u64 {
    w.state(d).opened
}

#[test]
fn an_absent_trustee_does_not_stall_key_generation() {
    let mut w = World::new(4);
    w.register_all();
    let d = w.open("Cider or juice?", BallotKind::OneOf { options: 2 }, 2);
    let t0 = opened(&w, &d);
    // Trustee 3 never comes. Trustees 1 and 2 join, then wait for it.
    assert_eq!(w.keygen_by(&d, &[0, 1], t0 + 1), 2);
    let waits = step(&mut w, &d, 0, t0 + 1).unwrap_err();
    assert!(
        waits
            .to_string()
            .contains("waiting for trustee(s) 3 to join"),
        "{waits}"
    );
    // After the first deadline they deal to each other; after the second
    // they check; then reveal and confirm.
    assert_eq!(w.keygen_by(&d, &[0, 1], t0 + P), 2);
    let waits = step(&mut w, &d, 1, t0 + P).unwrap_err();
    assert!(
        waits.to_string().contains("to deal before checking"),
        "{waits}"
    );
    w.keygen_by(&d, &[0, 1], t0 + 2 * P);
    let st = w.state(&d);
    assert!(st.key.is_some(), "{:?}", st.key_pending);
    assert_eq!(st.keygen.qualified, vec![1, 2]);
    assert_eq!(
        st.keygen.excluded,
        vec![(3, "no deal before the cutoff".to_string())]
    );
    // Trustee 3 turns up late: it joins, but holds no share of the key,
    // and its device says so instead of confirming.
    assert_eq!(
        step(&mut w, &d, 2, t0 + 2 * P).unwrap(),
        ledger::Kind::TrusteeJoin
    );
    let st = w.state(&d);
    assert!(matches!(
        vote::trustee_step(
            &w.members[2],
            &w.tsecrets[2],
            &w.community,
            &w.all,
            &st,
            t0 + 3 * P,
            &mut OsRng
        ),
        Ok(None)
    ));
    // The two decrypt the tally.
    assert_eq!(vote_and_tally(&mut w, &d, &[0, 1]), vec![1, 3]);
}

/// Trustee 1 deals trustee 2 a share of another polynomial.
fn deal_badly(w: &mut World, d: &StatementId) -> Dealer {
    let st = w.state(d);
    let honest = Dealer::new(st.params(), 1, &mut OsRng).unwrap();
    let other = Dealer::new(st.params(), 1, &mut OsRng).unwrap();
    let shares = (st.trustees.iter())
        .map(|t| {
            let from = if t.index == 2 { &other } else { &honest };
            let share = from.share_for(t.index).unwrap();
            SealedShare::seal(&st.decision_id(), &share, &t.join.unwrap().1, &mut OsRng).unwrap()
        })
        .collect();
    say(
        w,
        0,
        Payload::DkgDeal(DkgDeal {
            decision: *d,
            commitments: honest.pedersen_commitments(),
            shares,
        }),
    );
    honest
}

#[test]
fn a_dealer_with_a_bad_share_is_excluded_by_a_complaint_proven_in_public() {
    let mut w = World::new(4);
    w.register_all();
    let d = w.open("Bad dealer?", BallotKind::OneOf { options: 2 }, 2);
    let t = T0 + 3;
    for j in 0..3 {
        step(&mut w, &d, j, t).unwrap(); // joins
    }
    let st = w.state(&d);
    assert!(st.trustees.iter().all(|t| t.join.is_some()));
    deal_badly(&mut w, &d);
    assert_eq!(step(&mut w, &d, 1, t).unwrap(), ledger::Kind::DkgDeal);
    assert_eq!(step(&mut w, &d, 2, t).unwrap(), ledger::Kind::DkgDeal);
    // Trustee 2's key check opens the bad share in public.
    assert_eq!(step(&mut w, &d, 1, t).unwrap(), ledger::Kind::KeyCheck);
    let check = w.all.last().unwrap().clone();
    let Payload::KeyCheck(c) = check.payload() else {
        panic!()
    };
    assert_eq!(c.openings.len(), 1);
    assert_eq!(c.openings[0].dealer(), 1);
    assert_eq!(step(&mut w, &d, 2, t).unwrap(), ledger::Kind::KeyCheck);
    let st = w.state(&d);
    assert_eq!(st.keygen.cutoff, Some(w.all.last().unwrap().id()));
    assert_eq!(st.keygen.qualified, vec![2, 3]);
    assert_eq!(st.keygen.excluded.len(), 1);
    assert!(
        st.keygen.excluded[0]
            .1
            .contains("trustee 2 proved that its share from trustee 1 does not match"),
        "{:?}",
        st.keygen.excluded
    );
    // Trustee 1 (not qualified) does not reveal; the rest goes on.
    w.keygen_by(&d, &[0, 1, 2], t);
    let st = w.state(&d);
    let key = st.key.as_ref().expect("a key from dealers 2 and 3");
    assert_eq!(key.qualified(), &[2, 3]);
    assert!(st.trustees[0].reveal.is_none());
    // Trustee 1 holds good shares from 2 and 3: it decrypts with trustee 3.
    assert_eq!(vote_and_tally(&mut w, &d, &[0, 2]), vec![1, 3]);
}

#[test]
fn a_false_or_forged_complaint_is_ignored_whole() {
    let mut w = World::new(3);
    w.register_all();
    let d = w.open("False complaint?", BallotKind::Approval { options: 1 }, 1);
    let t = T0 + 3;
    for _ in 0..2 {
        for j in 0..3 {
            step(&mut w, &d, j, t).unwrap(); // joins, deals
        }
    }
    let st = w.state(&d);
    let deal_of = |st: &DecisionState, i: usize| {
        let id = st.trustees[i].deal.unwrap();
        match w.all.iter().find(|s| s.id() == id).unwrap().payload() {
            Payload::DkgDeal(p) => p.clone(),
            _ => unreachable!(),
        }
    };
    let sealed = deal_of(&st, 0).shares[1].clone();
    let mine = vote::transport_secret(&w.tsecrets[1], &d).unwrap();
    // Trustee 2 complains about trustee 1's good share: false.
    let honest = ShareOpening::create(&st.decision_id(), &sealed, &mine, &mut OsRng);
    let false_id = say(
        &mut w,
        1,
        Payload::KeyCheck(ShareOpenings {
            decision: d,
            openings: vec![honest],
        }),
    );
    // A Z from another secret: the proof does not verify.
    let other = TransportSecret::generate(&mut OsRng);
    let forged = ShareOpening::create(&st.decision_id(), &sealed, &other, &mut OsRng);
    let forged_id = say(
        &mut w,
        1,
        Payload::KeyCheck(ShareOpenings {
            decision: d,
            openings: vec![forged],
        }),
    );
    // Trustee 3 opens a share sealed to trustee 2.
    let theirs = ShareOpening::create(&st.decision_id(), &sealed, &mine, &mut OsRng);
    let foreign_id = say(
        &mut w,
        2,
        Payload::KeyCheck(ShareOpenings {
            decision: d,
            openings: vec![theirs],
        }),
    );
    let st = w.state(&d);
    assert!(
        ignored_for(&st, &false_id).contains("trustee 2's complaint against trustee 1 is false")
    );
    assert!(ignored_for(&st, &forged_id).contains("does not verify"));
    assert!(ignored_for(&st, &foreign_id).contains("trustee 3 opens a share sealed to trustee 2"));
    assert!(st.trustees.iter().all(|t| t.check.is_none()));
    // Honest checks follow, and every dealer qualifies.
    w.keygen_by(&d, &[0, 1, 2], t);
    let st = w.state(&d);
    assert_eq!(st.keygen.qualified, vec![1, 2, 3]);
    assert!(st.key.is_some());
}

/// Joins, deals and two checks (the cutoff) by trustees 1–3, at `t`.
fn up_to_the_cutoff(w: &mut World, d: &StatementId, t: u64) {
    for j in [0, 1, 2, 0, 1, 2, 0, 1] {
        step(w, d, j, t).unwrap();
    }
    assert!(w.state(d).keygen.cutoff.is_some());
}

#[test]
fn a_steered_reveal_is_named_publicly_and_its_dealer_recovered_from_public_shares() {
    let mut w = World::new(4);
    w.register_all();
    let d = w.open("Steered key?", BallotKind::OneOf { options: 2 }, 2);
    let t0 = opened(&w, &d);
    up_to_the_cutoff(&mut w, &d, t0 + 1);
    // What trustee 1's honest reveal would be (not posted).
    let st = w.state(&d);
    let honest = vote::trustee_step(
        &w.members[0],
        &w.tsecrets[0],
        &w.community,
        &w.all,
        &st,
        t0 + 1,
        &mut OsRng,
    )
    .unwrap()
    .unwrap();
    let Payload::DkgReveal(honest) = honest.payload().clone() else {
        panic!()
    };
    // Trustee 1 reveals another polynomial, with a proof valid for *it*.
    let steered = Dealer::new(st.params(), 1, &mut OsRng).unwrap();
    let (commitments, proof) = steered.reveal(&d.0, &mut OsRng);
    let steered_id = say(
        &mut w,
        0,
        Payload::DkgReveal(DkgReveal {
            decision: d,
            commitments,
            proof,
        }),
    );
    assert_eq!(
        step(&mut w, &d, 1, t0 + 1).unwrap(),
        ledger::Kind::DkgReveal
    );
    assert_eq!(
        step(&mut w, &d, 2, t0 + 1).unwrap(),
        ledger::Kind::DkgReveal
    );
    let st = w.state(&d);
    assert!(ignored_for(&st, &steered_id).contains("trustee 1's reveal does not open its deal"));
    assert!(st.proposed.is_none() && st.key.is_none());
    assert!(
        st.key_pending
            .as_deref()
            .unwrap()
            .contains("waiting for qualified dealer(s) 1 to reveal"),
        "{:?}",
        st.key_pending
    );
    // Before the last deadline, nobody opens a share of trustee 1.
    let waits = step(&mut w, &d, 1, t0 + 2 * P).unwrap_err();
    assert!(
        waits
            .to_string()
            .contains("waiting for qualified dealer(s) 1 to reveal"),
        "{waits}"
    );
    // After it, trustees 2 and 3 open theirs: trustee 1 is recovered, and
    // the key is the one its honest reveal would have given.
    assert_eq!(
        step(&mut w, &d, 1, t0 + 3 * P).unwrap(),
        ledger::Kind::KeyRecovery
    );
    assert!(w.state(&d).proposed.is_none(), "one share is not enough");
    assert_eq!(
        step(&mut w, &d, 2, t0 + 3 * P).unwrap(),
        ledger::Kind::KeyRecovery
    );
    let st = w.state(&d);
    assert_eq!(st.keygen.recovered, vec![1]);
    let reveals: Vec<_> = (st.trustees[1..].iter())
        .map(|t| {
            match w
                .all
                .iter()
                .find(|s| Some(s.id()) == t.reveal)
                .unwrap()
                .payload()
            {
                Payload::DkgReveal(r) => r.commitments.clone(),
                _ => unreachable!(),
            }
        })
        .collect();
    let expected = ballot::KeyInfo::from_feldman(
        st.params(),
        &[
            honest.commitments.clone(),
            reveals[0].clone(),
            reveals[1].clone(),
        ],
    )
    .unwrap();
    assert_eq!(st.proposed.as_ref().unwrap().key(), expected.key());
    // Trustee 1's honest reveal now comes too late.
    let late = say(&mut w, 0, Payload::DkgReveal(honest));
    assert!(ignored_for(&w.state(&d), &late).contains("recovered from its opened shares already"));
    // Every trustee, trustee 1 included, still holds its key share.
    w.keygen_by(&d, &[0, 1, 2], t0 + 3 * P);
    assert!(w.state(&d).key.is_some());
    assert_eq!(vote_and_tally(&mut w, &d, &[0, 2]), vec![1, 3]);
}

#[test]
fn every_step_out_of_turn_is_ignored_by_name() {
    let mut w = World::new(3);
    w.register_all();
    let d = w.open("Out of turn?", BallotKind::Approval { options: 1 }, 1);
    let t = T0 + 3;
    // Trustee 1 joins; a deal on its join alone (the quorum is 2).
    step(&mut w, &d, 0, t).unwrap();
    let st = w.state(&d);
    let lone = Dealer::new(st.params(), 1, &mut OsRng).unwrap();
    let key = st.trustees[0].join.unwrap().1;
    let sealed = SealedShare::seal(
        &st.decision_id(),
        &lone.share_for(1).unwrap(),
        &key,
        &mut OsRng,
    )
    .unwrap();
    let early_deal = say(
        &mut w,
        0,
        Payload::DkgDeal(DkgDeal {
            decision: d,
            commitments: lone.pedersen_commitments(),
            shares: vec![sealed],
        }),
    );
    // A check before the checker dealt.
    let early_check = say(
        &mut w,
        1,
        Payload::KeyCheck(ShareOpenings {
            decision: d,
            openings: vec![],
        }),
    );
    let st = w.state(&d);
    assert!(ignored_for(&st, &early_deal).contains("builds on 1 join(s); it needs 2"));
    assert!(ignored_for(&st, &early_check).contains("does not build on a counted deal of its own"));
    for j in [1, 2, 0, 1, 2] {
        step(&mut w, &d, j, t).unwrap(); // joins, deals
    }
    // A reveal before the qualified dealers are fixed.
    let st = w.state(&d);
    let (commitments, proof) = Dealer::new(st.params(), 3, &mut OsRng)
        .unwrap()
        .reveal(&d.0, &mut OsRng);
    let early_reveal = say(
        &mut w,
        2,
        Payload::DkgReveal(DkgReveal {
            decision: d,
            commitments,
            proof,
        }),
    );
    step(&mut w, &d, 0, t).unwrap();
    step(&mut w, &d, 1, t).unwrap(); // the cutoff
                                     // A check and a deal after it.
    let late_check = say(
        &mut w,
        2,
        Payload::KeyCheck(ShareOpenings {
            decision: d,
            openings: vec![],
        }),
    );
    let st = w.state(&d);
    assert!(ignored_for(&st, &early_reveal)
        .contains("does not build on the key check that fixed the qualified dealers"));
    assert!(ignored_for(&st, &late_check).contains("comes after the qualified dealers were fixed"));
    // A second check by trustee 1 is equivocation.
    let again = say(
        &mut w,
        0,
        Payload::KeyCheck(ShareOpenings {
            decision: d,
            openings: vec![],
        }),
    );
    assert!(ignored_for(&w.state(&d), &again).contains("trustee 1 equivocated: a second key check"));
    // Reveals and two confirmations; a third confirmation changes nothing.
    w.keygen_by(&d, &[0, 1, 2], t);
    let st = w.state(&d);
    assert!(st.key.is_some());
    assert_eq!(
        st.trustees.iter().filter(|t| t.confirm.is_some()).count(),
        2
    );
    let Some(third) = vote::trustee_step(
        &w.members[2],
        &w.tsecrets[2],
        &w.community,
        &w.all,
        &st,
        t,
        &mut OsRng,
    )
    .unwrap() else {
        // An honest device knows the key is in force: nothing to do.
        let late = say(
            &mut w,
            2,
            Payload::KeyConfirmation(ledger::payload::KeyConfirmation {
                decision: d,
                key: st.key.as_ref().unwrap().key(),
            }),
        );
        assert!(ignored_for(&w.state(&d), &late).contains("voting is open"));
        return;
    };
    panic!(
        "trustee 3 has nothing left to do, but took {:?}",
        third.kind()
    );
}

/// The late-dealer gap, closed where it can be: a dishonest dealer deals
/// only after trustee 2 has checked, sealing it a bad share; it is still
/// qualified (its deal precedes the cutoff). Trustee 2's late complaint
/// proves the share bad and exposes the dealer; two trustees open their
/// good shares of it, trustee 2 reads its own from them, confirms, and
/// decrypts. The key is what the qualified dealers define, unchanged.
#[test]
fn a_late_bad_share_is_complained_about_and_read_from_public_shares() {
    let mut w = World::new(6);
    w.register_all();
    // Five trustees, 2 of 5: the quorum is 4.
    let p = vote::Proposal {
        question: "Late dealer?".into(),
        kind: BallotKind::OneOf { options: 2 },
        options: vec!["a".into(), "b".into()],
        trustees: w.members[..5].iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let s = vote::open(&w.members[0], &w.community, &w.all, p, T0 + 2).unwrap();
    let d = w.push(s);
    let t0 = opened(&w, &d);
    for j in 0..5 {
        step(&mut w, &d, j, t0 + 1).unwrap(); // joins
    }
    for j in 1..5 {
        step(&mut w, &d, j, t0 + 1).unwrap(); // deals by trustees 2–5
    }
    // Trustee 2 checks at its deadline, before trustee 1 dealt.
    assert_eq!(
        step(&mut w, &d, 1, t0 + 2 * P).unwrap(),
        ledger::Kind::KeyCheck
    );
    let dealer = deal_badly(&mut w, &d);
    for j in 2..5 {
        assert_eq!(
            step(&mut w, &d, j, t0 + 2 * P).unwrap(),
            ledger::Kind::KeyCheck
        );
    }
    let st = w.state(&d);
    assert_eq!(
        st.keygen.qualified,
        vec![1, 2, 3, 4, 5],
        "trustee 1 dealt before the cutoff"
    );
    // Trustee 1 reveals what it dealt; the others reveal; trustee 2's
    // device opens the bad share in public at once.
    let (commitments, proof) = dealer.reveal(&d.0, &mut OsRng);
    say(
        &mut w,
        0,
        Payload::DkgReveal(DkgReveal {
            decision: d,
            commitments,
            proof,
        }),
    );
    assert_eq!(
        step(&mut w, &d, 1, t0 + 2 * P).unwrap(),
        ledger::Kind::DkgReveal
    );
    assert_eq!(
        step(&mut w, &d, 1, t0 + 2 * P).unwrap(),
        ledger::Kind::KeyRecovery
    );
    let st = w.state(&d);
    assert_eq!(st.keygen.exposed.len(), 1);
    assert!(
        st.keygen.exposed[0]
            .1
            .contains("trustee 2 proved that its share from trustee 1 does not match"),
        "{:?}",
        st.keygen.exposed
    );
    // The others open their good shares of trustee 1, reveal and confirm:
    // three confirmations of the four needed.
    w.keygen_by(&d, &[2, 3, 4], t0 + 2 * P);
    let st = w.state(&d);
    assert!(st.key.is_none() && st.proposed.is_some());
    assert!(st.keygen.shares[&1].len() >= 2);
    // Trustee 2 reads its share of trustee 1 from the public ones and
    // confirms: the fourth confirmation.
    assert_eq!(
        step(&mut w, &d, 1, t0 + 2 * P).unwrap(),
        ledger::Kind::KeyConfirmation
    );
    let st = w.state(&d);
    assert!(st.key.is_some(), "{:?}", st.key_pending);
    assert_eq!(st.key.as_ref().unwrap().qualified(), &[1, 2, 3, 4, 5]);
    // Trustee 2 reads its share of trustee 1 from the public ones: its key
    // share matches its verification key, and it decrypts with trustee 3.
    vote::trustee_key(&w.members[1], &w.tsecrets[1], &w.all, &st).unwrap();
    assert_eq!(vote_and_tally(&mut w, &d, &[1, 2]), vec![1, 3]);
}
