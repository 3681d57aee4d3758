//! The record's order settles conflicts: what the attacks of the issue
//! "the community runs on its record" try, and why they change nothing
//! once statements are final.

mod common;

use ballot::{BallotKind, TransportSecret};
use common::*;
use community::decision::DecisionState;
use community::vote::{self, VoteError};
use community::Record;
use identity::Keypair;
use ledger::payload::{DecisionClose, TrusteeJoin};
use ledger::{Draft, Payload, Statement, StatementId};
use rand::rngs::OsRng;

/// Every statement of the world as the final order, in the order made.
fn final_record(w: &World) -> Record {
    Record::new(w.all[0].clone(), w.all[1..].to_vec(), Vec::new(), true)
}

/// Sign `payload` by `author` on exactly `preds`, varying the time until
/// the statement's id sorts before `beat`: the grinding an attacker does.
fn ground(
    author: &Keypair,
    w: &World,
    preds: Vec<StatementId>,
    payload: Payload,
    beat: StatementId,
) -> Statement {
    (0..10_000u64)
        .map(|t| {
            Statement::sign(
                author,
                Draft {
                    community: w.community,
                    time: T0 + 100 + t,
                    preds: preds.clone(),
                    payload: payload.clone(),
                },
            )
            .unwrap()
        })
        .find(|s| s.id() < beat)
        .expect("an id below the target within 10,000 tries")
}

/// A decision with five ballots for option 0, closed by its opener.
fn closed_decision() -> (World, StatementId, Statement, Vec<StatementId>) {
    let mut w = World::new(5);
    w.register_all();
    let d = w.open("Plant pears?", BallotKind::Approval { options: 1 }, 1);
    w.keygen(&d);
    let ballots: Vec<StatementId> = (0..5).map(|i| w.cast(&d, i, &[1]).id()).collect();
    let st = w.state(&d);
    let close = vote::close(&w.members[0], &w.community, &w.all, &st, T0 + 9).unwrap();
    w.push(close.clone());
    (w, d, close, ballots)
}

/// Attack 1 of the issue: after the result is known, a trustee posts a
/// second close that names only two ballots and grinds its id so that it
/// sorts first. By ids it would be the close in force; in the record's
/// final order it comes second, and changes nothing.
#[test]
fn a_second_close_posted_after_the_result_changes_nothing() {
    let (mut w, d, close, ballots) = closed_decision();
    for j in 0..2 {
        let st = DecisionState::from_record(&final_record(&w), &d, &mut OsRng).unwrap();
        assert!(st.close_settled);
        let s = vote::share(
            &w.members[j],
            &w.tsecrets[j],
            &w.community,
            &w.all,
            &st,
            T0 + 10,
            &mut OsRng,
        )
        .unwrap();
        w.push(s);
    }
    let before = DecisionState::from_record(&final_record(&w), &d, &mut OsRng).unwrap();
    assert_eq!(before.phase(), community::decision::Phase::Closed);
    let totals = before.tally.as_ref().unwrap().totals.clone().unwrap();
    assert_eq!(totals, vec![5]);
    let root_before = final_record(&w).root();

    let st = w.state(&d);
    let confirmations: Vec<StatementId> = st.trustees.iter().filter_map(|t| t.confirm).collect();
    let mut chosen = ballots[..2].to_vec();
    chosen.sort();
    let second = ground(
        &w.members[2],
        &w,
        confirmations,
        Payload::DecisionClose(DecisionClose {
            decision: d,
            ballots: chosen,
        }),
        close.id(),
    );
    let second_id = second.id();
    w.push(second);

    let after = DecisionState::from_record(&final_record(&w), &d, &mut OsRng).unwrap();
    assert_eq!(
        after.close,
        Some(close.id()),
        "the first close stays in force"
    );
    assert_eq!(after.tally.as_ref().unwrap().totals, Some(totals));
    assert!(
        after
            .ignored
            .iter()
            .any(|(id, why)| *id == second_id && why.contains("a second close")),
        "{:?}",
        after.ignored
    );
    assert_ne!(
        final_record(&w).root(),
        root_before,
        "the root covers the new position"
    );
    // Without the final order, ids decide, and the ground close would win.
    let by_ids = w.state(&d);
    assert_eq!(
        by_ids.close,
        Some(second_id),
        "what the final order prevents"
    );
}

/// On a device that follows a lace, a trustee does not share for a close
/// that is not final yet: another close could still come first.
#[test]
fn a_trustee_shares_only_for_a_final_close() {
    let (w, d, close, _) = closed_decision();
    let n = w.all.len();
    let tentative = Record::new(
        w.all[0].clone(),
        w.all[1..n - 1].to_vec(),
        vec![close.clone()],
        true,
    );
    assert_eq!(tentative.final_len(), n - 1);
    let st = DecisionState::from_record(&tentative, &d, &mut OsRng).unwrap();
    assert_eq!(st.close, Some(close.id()));
    assert!(!st.close_settled);
    let refused = vote::share(
        &w.members[0],
        &w.tsecrets[0],
        &w.community,
        &w.all,
        &st,
        T0 + 10,
        &mut OsRng,
    );
    assert!(
        matches!(&refused, Err(VoteError::Refused(m)) if m.contains("not final yet")),
        "{refused:?}"
    );
    let st = DecisionState::from_record(&final_record(&w), &d, &mut OsRng).unwrap();
    assert!(st.close_settled);
    vote::share(
        &w.members[0],
        &w.tsecrets[0],
        &w.community,
        &w.all,
        &st,
        T0 + 10,
        &mut OsRng,
    )
    .unwrap();
}

/// Attack 2: a trustee posts a second join concurrent with its first (a
/// different transport key) and grinds its id to sort first. It is named
/// as equivocation, and the first in final order counts.
#[test]
fn a_trustees_concurrent_second_step_is_named_as_equivocation() {
    let mut w = World::new(3);
    w.register_all();
    let d = w.open("Who keys?", BallotKind::Approval { options: 1 }, 1);
    assert_eq!(
        w.state(&d).phase(),
        community::decision::Phase::KeyGeneration
    );
    let heads = ledger::dag::heads(&w.all);
    let st = w.state(&d);
    let first = vote::trustee_step(
        &w.members[0],
        &w.tsecrets[0],
        &w.community,
        &w.all,
        &st,
        T0 + 3,
        &mut OsRng,
    )
    .unwrap()
    .unwrap();
    assert_eq!(first.preds(), heads.as_slice());
    let other = TransportSecret::generate(&mut OsRng).public();
    let second = ground(
        &w.members[0],
        &w,
        heads,
        Payload::TrusteeJoin(TrusteeJoin {
            decision: d,
            key: other,
        }),
        first.id(),
    );
    let (first_id, second_id) = (first.id(), second.id());
    w.push(first);
    w.push(second);
    let st = DecisionState::from_record(&final_record(&w), &d, &mut OsRng).unwrap();
    assert_eq!(st.trustees[0].join.map(|(id, _)| id), Some(first_id));
    assert!(
        st.ignored
            .iter()
            .any(|(id, why)| *id == second_id
                && why.contains("trustee 1 equivocated: a second join")),
        "{:?}",
        st.ignored
    );
    // By ids, the ground join would have counted.
    assert_eq!(
        w.state(&d).trustees[0].join.map(|(id, _)| id),
        Some(second_id)
    );
}

/// Attack 3: a device handed a unique "tracer" ballot casts a ballot that
/// does not reference it, nor any ballot: only the opening and the key
/// confirmations, which every voter shares. A revote does not name the
/// earlier ballot either.
#[test]
fn a_ballot_builds_only_on_what_every_voter_shares() {
    let mut w = World::new(4);
    w.register_all();
    let d = w.open("Cider or juice?", BallotKind::Approval { options: 2 }, 2);
    w.keygen(&d);
    let tracer = w.cast(&d, 3, &[1, 0]).id();
    let mine = w.cast(&d, 1, &[0, 1]);
    let revote = w.cast(&d, 1, &[1, 1]);
    let st = w.state(&d);
    let mut shared: Vec<StatementId> = st.trustees.iter().filter_map(|t| t.confirm).collect();
    shared.push(d);
    shared.sort();
    for b in [&mine, &revote] {
        let mut preds = b.preds().to_vec();
        preds.sort();
        assert_eq!(preds, shared);
        assert!(!b.preds().contains(&tracer));
    }
    assert!(!revote.preds().contains(&mine.id()));
}
